#!/usr/bin/env bash
# /usr/local/bin/docker-entrypoint.sh of the locally built stand-in for
# docker.io/library/mariadb (eng/containers/provision.sh), used where a MySQL server is
# needed (Prosody's MySQL driver speaks to MariaDB).
#
# Implements the part of the official image's contract that matters here; every
# MARIADB_* variable also accepts its MYSQL_* name and a *_FILE variant:
#   MARIADB_ROOT_PASSWORD (or MARIADB_ALLOW_EMPTY_ROOT_PASSWORD / MARIADB_RANDOM_ROOT_PASSWORD),
#   MARIADB_ROOT_HOST (default %), MARIADB_DATABASE, MARIADB_USER, MARIADB_PASSWORD,
#   initialisation of /var/lib/mysql on the first start only, scripts in
#   /docker-entrypoint-initdb.d, listening on all interfaces, root from any host with
#   the password, and mariadbd running as the mysql user as PID 1.
# Not implemented: *_PASSWORD_HASH, replication, time-zone tables, the healthcheck user.
set -Eeuo pipefail

DATADIR=/var/lib/mysql
SOCKET=/run/mysqld/mysqld.sock

die() { printf '%s: error: %s\n' "$0" "$*" >&2; exit 1; }
note() { printf '%s: %s\n' "$0" "$*"; }

# MARIADB_X, else MYSQL_X, else MARIADB_X_FILE / MYSQL_X_FILE, else the default.
setting() {
	local suffix="$1" default="${2:-}" name value=""
	for name in "MARIADB_$suffix" "MYSQL_$suffix"; do
		if [[ -n "${!name:-}" ]]; then value="${!name}"; break; fi
		local file_name="${name}_FILE"
		if [[ -n "${!file_name:-}" ]]; then value="$(<"${!file_name}")"; break; fi
	done
	printf '%s' "${value:-$default}"
}

# Quoting for SQL: string literals and `identifiers`.
sql_string() { local v="${1//\\/\\\\}"; printf "'%s'" "${v//\'/\\\'}"; }
sql_name() { printf '`%s`' "${1//\`/\`\`}"; }

# The client, as root over the socket of the temporary server.
client() {
	if [[ "${1:-}" == "--no-password" ]]; then
		shift
		mariadb --protocol=socket --socket="$SOCKET" -uroot "$@"
	else
		MYSQL_PWD="$ROOT_PASSWORD" mariadb --protocol=socket --socket="$SOCKET" -uroot "$@"
	fi
}

only_asks_for_help() {
	local argument
	for argument; do
		case "$argument" in -'?' | --help | --print-defaults | -V | --version) return 0 ;; esac
	done
	return 1
}

initialise() {
	local root_host database user password
	ROOT_PASSWORD="$(setting ROOT_PASSWORD)"
	root_host="$(setting ROOT_HOST %)"
	database="$(setting DATABASE)"
	user="$(setting USER)"
	password="$(setting PASSWORD)"

	# (The MySQL name of the "allow empty" switch is MYSQL_ALLOW_EMPTY_PASSWORD.)
	local allow_empty="${MARIADB_ALLOW_EMPTY_ROOT_PASSWORD:-${MYSQL_ALLOW_EMPTY_PASSWORD:-}}"
	if [[ -n "$(setting RANDOM_ROOT_PASSWORD)" ]]; then
		ROOT_PASSWORD="$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 32 || :)"
		note "GENERATED ROOT PASSWORD: $ROOT_PASSWORD"
	elif [[ -z "$ROOT_PASSWORD" && -z "$allow_empty" ]]; then
		die "the database is uninitialized and no root password option is set.
  Set one of MARIADB_ROOT_PASSWORD (MYSQL_ROOT_PASSWORD), MARIADB_ALLOW_EMPTY_ROOT_PASSWORD
  or MARIADB_RANDOM_ROOT_PASSWORD."
	fi
	if [[ "$user" == "root" ]]; then
		die "MARIADB_USER=root: root is created anyway; use MARIADB_ROOT_PASSWORD for it"
	fi

	note "initializing $DATADIR"
	mariadb-install-db --datadir="$DATADIR" --auth-root-authentication-method=normal \
		--skip-test-db --skip-name-resolve >/dev/null

	# A temporary server without networking for the setup.
	"$@" --skip-networking --socket="$SOCKET" --skip-log-bin &
	local pid=$!
	for _ in $(seq 60); do
		if client --no-password --execute 'SELECT 1' >/dev/null 2>&1; then break; fi
		kill -0 "$pid" 2>/dev/null || die "the temporary server did not start"
		sleep 0.5
	done
	client --no-password --execute 'SELECT 1' >/dev/null || die "the temporary server does not answer"

	local host setup=""
	setup+="SET @@SESSION.SQL_LOG_BIN=0;"
	# mariadb-install-db also creates root for 127.0.0.1, ::1 and this host name: one
	# root@localhost plus root@ROOT_HOST (default: any host) is all that stays.
	for host in 127.0.0.1 ::1 "$HOSTNAME"; do
		setup+="DROP USER IF EXISTS root@$(sql_string "$host");"
	done
	setup+="DROP USER IF EXISTS ''@'localhost', ''@$(sql_string "$HOSTNAME");"
	setup+="ALTER USER 'root'@'localhost' IDENTIFIED BY $(sql_string "$ROOT_PASSWORD");"
	if [[ -n "$root_host" && "$root_host" != "localhost" ]]; then
		setup+="CREATE USER 'root'@$(sql_string "$root_host") IDENTIFIED BY $(sql_string "$ROOT_PASSWORD");"
		setup+="GRANT ALL ON *.* TO 'root'@$(sql_string "$root_host") WITH GRANT OPTION;"
		setup+="GRANT PROXY ON ''@'%' TO 'root'@$(sql_string "$root_host") WITH GRANT OPTION;"
	fi
	if [[ -n "$database" ]]; then
		setup+="CREATE DATABASE IF NOT EXISTS $(sql_name "$database");"
	fi
	if [[ -n "$user" ]]; then
		if [[ -z "$password" ]]; then
			die "MARIADB_USER is set but MARIADB_PASSWORD is not"
		fi
		setup+="CREATE USER $(sql_string "$user")@'%' IDENTIFIED BY $(sql_string "$password");"
		if [[ -n "$database" ]]; then
			setup+="GRANT ALL ON $(sql_name "${database//_/\\_}").* TO $(sql_string "$user")@'%';"
		fi
	fi
	client --no-password --database=mysql --execute "$setup"

	local file
	for file in /docker-entrypoint-initdb.d/*; do
		[[ -e "$file" ]] || continue
		case "$file" in
			*.sh)
				# Executable scripts run, the others are sourced (they see this shell's state).
				# shellcheck disable=SC1090
				if [[ -x "$file" ]]; then note "running $file"; "$file"; else note "sourcing $file"; . "$file"; fi
				;;
			*.sql) note "running $file"; client ${database:+--database="$database"} <"$file" ;;
			*.sql.gz) note "running $file"; gunzip -c "$file" | client ${database:+--database="$database"} ;;
			*.sql.xz) note "running $file"; xzcat "$file" | client ${database:+--database="$database"} ;;
			*) note "ignoring $file" ;;
		esac
	done

	kill "$pid"
	wait "$pid" || :
	note "MariaDB init process done; ready for start up."
}

main() {
	# Options alone mean "mariadbd with these options".
	if [[ "${1:-}" == -* ]]; then
		set -- mariadbd "$@"
	fi
	if [[ "${1:-}" != "mariadbd" && "${1:-}" != "mysqld" ]] || only_asks_for_help "$@"; then
		exec "$@"
	fi

	if [[ "$(id -u)" == 0 ]]; then
		# As root: hand the data and socket directories to mysql (a fresh bind mount is
		# root-owned), then start over as mysql.
		mkdir -p "$DATADIR" /run/mysqld
		find "$DATADIR" /run/mysqld \! -user mysql -exec chown mysql: '{}' +
		exec setpriv --reuid=mysql --regid=mysql --init-groups -- "${BASH_SOURCE[0]}" "$@"
	fi

	if [[ -d "$DATADIR/mysql" ]]; then
		note "the data directory already contains a database; skipping initialization."
	else
		initialise "$@"
	fi

	exec "$@"
}

main "$@"
