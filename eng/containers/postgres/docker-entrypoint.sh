#!/usr/bin/env bash
# /usr/local/bin/docker-entrypoint.sh of the locally built stand-in for
# docker.io/library/postgres:18.3 (eng/containers/provision.sh).
#
# Implements the part of the official image's contract that Aspire and Prosody rely on:
#   POSTGRES_USER (default postgres), POSTGRES_PASSWORD, POSTGRES_DB (default: the user),
#   POSTGRES_HOST_AUTH_METHOD, POSTGRES_INITDB_ARGS, the *_FILE variants of the first
#   four, initdb on the first start only (PGDATA=/var/lib/postgresql/18/docker, volume at
#   /var/lib/postgresql), scripts in /docker-entrypoint-initdb.d, listen_addresses='*',
#   password auth (scram-sha-256) for every remote host, and the server running as the
#   postgres user as PID 1 (the image's STOPSIGNAL is SIGINT: fast shutdown).
# Not implemented: POSTGRES_INITDB_WALDIR, nss_wrapper for arbitrary --user uids.
set -Eeuo pipefail

die() { printf '%s: error: %s\n' "$0" "$*" >&2; exit 1; }

# VAR or VAR_FILE (Docker secrets); the two are exclusive.
from_env_or_file() {
	local name="$1" default="${2:-}" file_name="${1}_FILE"
	if [[ -n "${!name:-}" && -n "${!file_name:-}" ]]; then
		die "both $name and $file_name are set (but are exclusive)"
	fi
	local value="$default"
	if [[ -n "${!name:-}" ]]; then
		value="${!name}"
	elif [[ -n "${!file_name:-}" ]]; then
		value="$(<"${!file_name}")"
	fi
	export "$name=$value"
	unset "$file_name"
}

# True when the arguments only ask postgres for help or its version.
only_asks_for_help() {
	local argument
	for argument; do
		case "$argument" in -'?' | --help | --describe-config | -V | --version) return 0 ;; esac
	done
	return 1
}

# Runs SQL through the local socket as the superuser (during initialisation only).
run_sql() {
	PGHOST='' PGHOSTADDR='' psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc "$@"
}

initialise() {
	if [[ -z "$POSTGRES_PASSWORD" && "$POSTGRES_HOST_AUTH_METHOD" != "trust" ]]; then
		die "the database is uninitialized and POSTGRES_PASSWORD is not set.
  Set POSTGRES_PASSWORD to a non-empty value, or POSTGRES_HOST_AUTH_METHOD=trust
  to allow every connection without a password (not recommended)."
	fi
	# 18+ keeps data in a major-version subfolder of the /var/lib/postgresql volume. With
	# the default PGDATA, data in an older layout means pg_upgrade, not a fresh cluster.
	if [[ "$PGDATA" == "/var/lib/postgresql/$PG_MAJOR/docker" ]]; then
		local old
		for old in /var/lib/postgresql/PG_VERSION /var/lib/postgresql/data/PG_VERSION /var/lib/postgresql/*/docker/PG_VERSION; do
			if [[ -s "$old" ]]; then
				die "found PostgreSQL data in ${old%/PG_VERSION}, not in $PGDATA; upgrade it with pg_upgrade (mount the volume at /var/lib/postgresql)"
			fi
		done
		if mountpoint -q /var/lib/postgresql/data; then
			die "a volume is mounted at /var/lib/postgresql/data; from PostgreSQL 18 on, mount it at /var/lib/postgresql (the data goes to $PGDATA)"
		fi
	fi

	# POSTGRES_INITDB_ARGS is one string of shell words (e.g. Aspire's
	# "--auth-host=scram-sha-256 --auth-local=scram-sha-256"), hence eval. initdb wants a
	# non-empty password file, so even an empty password gets its newline.
	eval 'initdb --username="$POSTGRES_USER" --pwfile=<(printf "%s\n" "$POSTGRES_PASSWORD") '"$POSTGRES_INITDB_ARGS"

	# Remote hosts: password auth with the server's own hashing (scram-sha-256) unless
	# POSTGRES_HOST_AUTH_METHOD says otherwise.
	local method="${POSTGRES_HOST_AUTH_METHOD:-$(postgres -C password_encryption)}"
	if [[ "$method" == "trust" ]]; then
		echo "WARNING: POSTGRES_HOST_AUTH_METHOD=trust: every host may connect without a password." >&2
	fi
	printf '\nhost all all all %s\n' "$method" >>"$PGDATA/pg_hba.conf"

	# A socket-only server for creating the database and running the init scripts.
	export PGPASSWORD="${PGPASSWORD:-$POSTGRES_PASSWORD}"
	pg_ctl -D "$PGDATA" -w start -o "$(printf '%q ' "$@" -c listen_addresses= -p "${PGPORT:-5432}")"

	# (psql expands :'db' only in SQL read from stdin or a file, not in --command.)
	local exists
	exists="$(run_sql --dbname postgres --set db="$POSTGRES_DB" --tuples-only --no-align \
		<<<"SELECT 1 FROM pg_database WHERE datname = :'db';")"
	if [[ -z "$exists" ]]; then
		run_sql --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
	fi

	local file
	for file in /docker-entrypoint-initdb.d/*; do
		[[ -e "$file" ]] || continue
		case "$file" in
			*.sh)
				# Executable scripts run, the others are sourced (they see this shell's state).
				if [[ -x "$file" ]]; then
					echo "$0: running $file"
					"$file"
				else
					echo "$0: sourcing $file"
					# shellcheck disable=SC1090
					. "$file"
				fi
				;;
			*.sql) echo "$0: running $file"; run_sql --dbname "$POSTGRES_DB" -f "$file" ;;
			*.sql.gz) echo "$0: running $file"; gunzip -c "$file" | run_sql --dbname "$POSTGRES_DB" ;;
			*.sql.xz) echo "$0: running $file"; xzcat "$file" | run_sql --dbname "$POSTGRES_DB" ;;
			*) echo "$0: ignoring $file" ;;
		esac
	done

	pg_ctl -D "$PGDATA" -m fast -w stop
	unset PGPASSWORD
	echo "PostgreSQL init process complete; ready for start up."
}

main() {
	# Options alone mean "postgres with these options".
	if [[ "${1:-}" == -* ]]; then
		set -- postgres "$@"
	fi
	if [[ "${1:-}" != "postgres" ]] || only_asks_for_help "$@"; then
		exec "$@"
	fi

	from_env_or_file POSTGRES_PASSWORD
	from_env_or_file POSTGRES_USER postgres
	from_env_or_file POSTGRES_DB "$POSTGRES_USER"
	from_env_or_file POSTGRES_INITDB_ARGS
	: "${POSTGRES_HOST_AUTH_METHOD:=}"

	if [[ "$(id -u)" == 0 ]]; then
		# As root: create the directories (a fresh or root-owned volume has none), hand
		# them to postgres, then start over as postgres.
		mkdir -p "$PGDATA" /var/run/postgresql
		chmod 0700 "$PGDATA" || :
		chmod 3775 /var/run/postgresql || :
		find "$PGDATA" /var/run/postgresql \! -user postgres -exec chown postgres: '{}' +
		exec setpriv --reuid=postgres --regid=postgres --init-groups -- "${BASH_SOURCE[0]}" "$@"
	fi

	if [[ -s "$PGDATA/PG_VERSION" ]]; then
		echo "PostgreSQL database directory appears to contain a database; skipping initialization."
	else
		initialise "${@:2}"
	fi

	exec "$@"
}

main "$@"
