#!/usr/bin/env bash
# Checks the images built by provision.sh for real, with podman: every check prints
# PASS or FAIL, and the script exits non-zero when one fails. Everything it creates
# (containers, volumes, networks, temporary directories) is removed at the end; the
# images stay. Containers are named engct-<pid>-*, and host ports are picked by podman,
# so it can run next to other work on the same machine.
#
# Usage: verify.sh [prosody-13.0] [prosody-0.12] [postgres] [coturn] [mariadb]   (default: all)
set -Euo pipefail

PROSODY_13=docker.io/prosodyim/prosody:13.0
PROSODY_012=docker.io/prosodyim/prosody:0.12
POSTGRES=docker.io/library/postgres:18.3
COTURN=docker.io/coturn/coturn:4.6.1
MARIADB=docker.io/library/mariadb:11.8

PREFIX="engct-$$"
CONTAINERS=() VOLUMES=() NETWORKS=() DIRECTORIES=()
FAILURES=0 CHECKS=0

# ---------------------------------------------------------------- helpers

pass() { CHECKS=$((CHECKS + 1)); printf '  PASS  %s\n' "$*"; }
fail() { CHECKS=$((CHECKS + 1)); FAILURES=$((FAILURES + 1)); printf '  FAIL  %s\n' "$*"; }
check() { # check DESCRIPTION COMMAND...: passes when the command succeeds
	local description="$1"; shift
	if "$@" >/dev/null 2>&1; then pass "$description"; else fail "$description"; fi
}
section() { printf '\n== %s\n' "$*"; }

cleanup() {
	local name
	for name in "${CONTAINERS[@]}"; do podman rm -f -v "$name" >/dev/null 2>&1 || :; done
	for name in "${VOLUMES[@]}"; do podman volume rm -f "$name" >/dev/null 2>&1 || :; done
	for name in "${NETWORKS[@]}"; do podman network rm -f "$name" >/dev/null 2>&1 || :; done
	for name in "${DIRECTORIES[@]}"; do rm -rf --one-file-system "$name"; done
}
trap cleanup EXIT

container() { # container NAME PODMAN-RUN-ARGUMENTS...: starts a detached container
	local name="$PREFIX-$1"; shift
	CONTAINERS+=("$name")
	local output
	output="$(podman run -d --pull=never --name "$name" "$@" 2>&1)" || { printf '%s\n' "$output" >&2; return 1; }
}
volume() { VOLUMES+=("$PREFIX-$1"); podman volume create "$PREFIX-$1" >/dev/null; }
# (netavark may print "failed to connect to syslog" on these machines: harmless.)
network() { NETWORKS+=("$PREFIX-$1"); podman network create "$PREFIX-$1" >/dev/null 2>&1; }
# directory VARIABLE: a temporary directory (no $(...): the list must be kept in this shell)
directory() { local -n into="$1"; into="$(mktemp -d /var/tmp/engct-verify.XXXXXX)"; DIRECTORIES+=("$into"); }

# wait_until SECONDS COMMAND...: retries every 0.25 s
wait_until() {
	local deadline=$((SECONDS + $1)); shift
	until "$@" >/dev/null 2>&1; do
		((SECONDS < deadline)) || return 1
		sleep 0.25
	done
}
# (No grep -q after a pipe: with pipefail, the writer's SIGPIPE would fail the check.)
logs_contain() { podman logs "$PREFIX-$1" 2>&1 | grep -- "$2" >/dev/null; }
is_running() { [[ "$(podman inspect -f '{{.State.Running}}' "$PREFIX-$1" 2>/dev/null)" == true ]]; }
host_port() { podman port "$PREFIX-$1" "$2" | head -n 1 | sed 's/.*://'; }

STREAM_HEADER() {
	printf "<?xml version='1.0'?><stream:stream to='%s' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>" "$1"
}
# xmpp_features HOST PORT DOMAIN: prints the server's answer to a client stream header
xmpp_features() {
	timeout 5 bash -c 'exec 3<>"/dev/tcp/$1/$2" || exit 1; printf "%s" "$3" >&3; timeout 2 cat <&3' _ \
		"$1" "$2" "$(STREAM_HEADER "$3")" 2>/dev/null || :
}
answers_xmpp() { [[ "$(xmpp_features "$1" "$2" "$3")" == *"<stream:features>"* ]]; }
# From a second container on NETWORK (bash's /dev/tcp; no client tools needed).
answers_xmpp_from_container() { # NETWORK HOST PORT DOMAIN
	local answer
	answer="$(podman run --rm --pull=never --network "$1" --entrypoint bash "$PROSODY_13" -c \
		'exec 3<>"/dev/tcp/$1/$2" || exit 1; printf "%s" "$3" >&3; timeout 2 cat <&3' _ \
		"$2" "$3" "$(STREAM_HEADER "$4")" 2>/dev/null)" || :
	[[ "$answer" == *"<stream:features>"* ]]
}
tcp_open_from_container() { # NETWORK HOST PORT
	podman run --rm --pull=never --network "$1" --entrypoint bash "$PROSODY_13" -c \
		'timeout 3 bash -c "exec 3<>/dev/tcp/$1/$2"' _ "$2" "$3" >/dev/null 2>&1
}

# ---------------------------------------------------------------- Prosody 13.0

verify_prosody_13() {
	section "$PROSODY_13"
	local c=p13 out port
	volume p13-data
	# websocket: an HTTP module, so that the http service (5280) is activated at all.
	container $c --hostname p13 -p 127.0.0.1::5222 -p 127.0.0.1::5280 \
		-v "$PREFIX-p13-data:/var/lib/prosody" -e PROSODY_ENABLE_MODULES=websocket \
		-e PROSODY_VIRTUAL_HOSTS=chat.localhost -e LOCAL=admin -e DOMAIN=chat.localhost -e PASSWORD=s3cret \
		"$PROSODY_13"
	check "starts (c2s activated)" wait_until 20 logs_contain $c "Activated service 'c2s'"
	check "PID 1 is /usr/bin/tini, then /entrypoint.sh" bash -c "podman top $PREFIX-$c pid args | grep -E '^1 +/usr/bin/tini -- /entrypoint.sh prosody -F'"
	check "prosody runs as user prosody (uid 999)" bash -c "podman top $PREFIX-$c user args | grep -E '^prosody +lua5.4 /usr/bin/prosody -F'"
	check "prosodyctl check config passes" podman exec $PREFIX-$c prosodyctl check config
	port="$(host_port $c 5222)"
	out="$(xmpp_features 127.0.0.1 "$port" chat.localhost)"
	if [[ "$out" == *"<stream:features>"* && "$out" == *"from='chat.localhost'"* && "$out" == *starttls* ]]; then
		pass "5222 answers a stream header with stream features (from the host, -p)"
	else
		fail "5222 answers a stream header with stream features: got '$out'"
	fi
	check "LOCAL/DOMAIN/PASSWORD registered admin@chat.localhost (prosodyctl shell user list)" \
		bash -c "podman exec $PREFIX-$c prosodyctl shell user list chat.localhost | grep -qx 'admin@chat.localhost'"
	check "account file in the named volume" podman exec $PREFIX-$c test -s /var/lib/prosody/chat%2elocalhost/accounts/admin.dat
	check "plain HTTP is loopback-only by default (log)" bash -c "podman logs $PREFIX-$c 2>&1 | grep \"Activated service 'http' on\" | grep '127.0.0.1' | grep -v '\[\*\]'"
	port="$(host_port $c 5280)"
	check "plain HTTP is NOT reachable through the published port" bash -c "! curl -s -m 3 -o /dev/null http://127.0.0.1:$port/"
	# Restart: same volume, the account survives and registration runs again.
	podman restart -t 10 $PREFIX-$c >/dev/null 2>&1
	check "restarts with the named volume" wait_until 20 logs_contain $c "Activated service 'c2s'"
	check "account still there after the restart" \
		bash -c "podman exec $PREFIX-$c prosodyctl shell user list chat.localhost | grep -qx 'admin@chat.localhost'"

	# conf.d: http_interfaces = { "*" } makes 5280 reachable.
	local confd
	directory confd
	printf 'http_interfaces = { "*" }\n' >"$confd/http.cfg.lua"
	chmod 0755 "$confd"
	container p13http -p 127.0.0.1::5280 -v "$confd/http.cfg.lua:/etc/prosody/conf.d/http.cfg.lua:ro" \
		-e PROSODY_ENABLE_MODULES=websocket -e PROSODY_VIRTUAL_HOSTS=chat.localhost "$PROSODY_13"
	check "conf.d http_interfaces = { \"*\" }: http on [*]:5280" wait_until 20 logs_contain p13http "Activated service 'http' on \[\*\]:5280"
	port="$(host_port p13http 5280)"
	check "conf.d http_interfaces: 5280 answers HTTP through the published port" \
		bash -c "curl -s -m 3 -o /dev/null -w '%{http_code}' http://127.0.0.1:$port/ | grep -qE '^[1-5][0-9][0-9]$'"

	# Bind mount owned by uid 1000: prosody becomes uid 1000.
	local data1000
	directory data1000
	chown 1000:1000 "$data1000"
	container p13uid -v "$data1000:/var/lib/prosody" -e PROSODY_VIRTUAL_HOSTS=chat.localhost \
		-e LOCAL=admin -e DOMAIN=chat.localhost -e PASSWORD=s3cret "$PROSODY_13"
	check "bind mount owned by 1000: starts" wait_until 20 logs_contain p13uid "Activated service 'c2s'"
	check "bind mount owned by 1000: prosody runs as uid 1000" bash -c "podman exec $PREFIX-p13uid id -u prosody | grep -qx 1000 && podman top $PREFIX-p13uid user args | grep -E '^prosody +lua5.4 /usr/bin/prosody'"
	check "bind mount owned by 1000: data written as uid 1000" \
		bash -c "[[ \$(stat -c %u '$data1000/chat%2elocalhost/accounts/admin.dat') == 1000 ]]"

	# Root-owned bind mount: the entry point fails like the official one.
	local rootdir
	directory rootdir
	chmod 0755 "$rootdir"
	container p13root -v "$rootdir:/var/lib/prosody" -e PROSODY_VIRTUAL_HOSTS=chat.localhost "$PROSODY_13"
	check "root-owned bind mount: container stops" wait_until 20 bash -c "! podman inspect -f '{{.State.Running}}' $PREFIX-p13root | grep -q true"
	check "root-owned bind mount: non-zero exit code" bash -c "[[ \$(podman inspect -f '{{.State.ExitCode}}' $PREFIX-p13root) != 0 ]]"
	check "root-owned bind mount: usermod error in the log" logs_contain p13root "usermod: UID '0' already exists"

	# A non-prosody command goes to prosodyctl.
	check "non-prosody first argument runs prosodyctl (check config)" \
		podman run --rm --pull=never -e PROSODY_VIRTUAL_HOSTS=chat.localhost "$PROSODY_13" check config

	# Environment quirks, read back from the running server.
	container p13env --hostname xmpp-test \
		-e "PROSODY_ADMINS=a@xmpp-test, b@xmpp-test" -e PROSODY_S2S_SECURE_AUTH=false -e PROSODY_USE_DANE=0 \
		-e PROSODY_COMPONENTS=share.xmpp-test:http_file_share,conference.xmpp-test:muc \
		-e PROSODY_MUC_MODULES=muc_mam -e PROSODY_UPLOAD_EXPIRY_DAYS=3 -e PROSODY_RETENTION_DAYS=5 \
		-e PROSODY_TURN_SECRET=abc -e PROSODY_C2S_RATE_LIMIT=99kb/s -e PROSODY_DNS_RESOLVERS=192.0.2.53 \
		-e PROSODY_EXTERNAL_COMPONENTS=gw.xmpp-test:gwsecret -e PROSODY_STATISTICS_INTERVAL=manual \
		"$PROSODY_13"
	wait_until 20 logs_contain p13env "Activated service 'c2s'" || :
	config() { podman exec "$PREFIX-p13env" prosodyctl shell config get "$1" "$2" 2>/dev/null; }
	local value
	value="$(config '*' admins)"
	[[ "$value" == *'"a@xmpp-test"'* && "$value" == *'" b@xmpp-test"'* ]] && pass "lists split on ',' without trimming (admins)" || fail "admins: $value"
	[[ "$(config '*' s2s_secure_auth)" == "OK: true" ]] && pass "PROSODY_S2S_SECURE_AUTH=false keeps s2s_secure_auth on (only \"0\" disables)" || fail "s2s_secure_auth"
	[[ "$(config '*' use_dane)" == "OK: true" ]] && pass "PROSODY_USE_DANE=0 enables DANE (any non-empty value)" || fail "use_dane"
	[[ "$(config '*' unbound)" == *'"192.0.2.53"'* ]] && pass "PROSODY_DNS_RESOLVERS -> unbound.forward" || fail "unbound.forward"
	[[ "$(config '*' archive_expires_after)" == 'OK: "5d"' ]] && pass "archive_expires_after from PROSODY_RETENTION_DAYS" || fail "archive_expires_after"
	value="$(config '*' modules_enabled)"
	[[ "$value" == *'"admin_shell"'* && "$value" == *'"turn_external"'* && "$value" == *'"mam"'* ]] && pass "13.0 module set + turn_external + mam appended" || fail "modules_enabled: $value"
	[[ "$(config '*' turn_external_host)" == 'OK: "xmpp-test"' ]] && pass "vhost defaults to the container host name; TURN host follows it" || fail "turn_external_host"
	[[ "$(config '*' limits)" == *'"99kb/s"'* ]] && pass "PROSODY_C2S_RATE_LIMIT -> limits.c2s.rate" || fail "limits"
	[[ "$(config share.xmpp-test http_file_share_expire_after)" == "OK: 259200" ]] && pass "PROSODY_UPLOAD_EXPIRY_DAYS sets the misspelt http_file_share_expire_after" || fail "http_file_share_expire_after"
	[[ "$(config conference.xmpp-test modules_enabled)" == *'"muc_mam"'* ]] && pass "PROSODY_MUC_MODULES inside the muc component" || fail "muc modules"
	[[ "$(config gw.xmpp-test component_secret)" == 'OK: "gwsecret"' ]] && pass "PROSODY_EXTERNAL_COMPONENTS name:secret" || fail "component_secret"
	[[ "$(config '*' statistics_interval)" == 'OK: "manual"' ]] && pass "PROSODY_STATISTICS_INTERVAL=manual kept as a string" || fail "statistics_interval"
	check "no config warnings in the log" bash -c "! podman logs $PREFIX-p13env 2>&1 | grep -E 'warn|deprecated'"
}

# ---------------------------------------------------------------- Prosody 0.12

verify_prosody_012() {
	section "$PROSODY_012"
	local c=p012 port out
	container $c -p 127.0.0.1::5222 -e PROSODY_VIRTUAL_HOSTS=chat.localhost \
		-e LOCAL=admin -e DOMAIN=chat.localhost -e PASSWORD=s3cret "$PROSODY_012"
	check "starts (c2s activated)" wait_until 20 logs_contain $c "Activated service 'c2s'"
	check "Prosody 0.12 on Lua 5.4" bash -c "podman logs $PREFIX-$c 2>&1 | grep -q 'Prosody version 0.12' && podman top $PREFIX-$c args | grep -q 'lua5.4 /usr/bin/prosody -F'"
	check "prosodyctl check config passes" podman exec $PREFIX-$c prosodyctl check config
	port="$(host_port $c 5222)"
	out="$(xmpp_features 127.0.0.1 "$port" chat.localhost)"
	[[ "$out" == *"<stream:features>"* ]] && pass "5222 answers a stream header with stream features" || fail "5222: '$out'"
	check "LOCAL/DOMAIN/PASSWORD registered the account" podman exec $PREFIX-$c test -s /var/lib/prosody/chat%2elocalhost/accounts/admin.dat

	# The 0.12 template (plain Lua) reads the same variables, minus DANE/resolvers.
	container p012env --hostname xmpp-test -e "PROSODY_ADMINS=a@xmpp-test, b@xmpp-test" \
		-e PROSODY_RETENTION_DAYS=5 -e PROSODY_TURN_SECRET=abc -e PROSODY_DISABLE_MODULES=vcard4 \
		-e PROSODY_COMPONENTS=share.xmpp-test:http_file_share -e PROSODY_UPLOAD_EXPIRY_DAYS=3 "$PROSODY_012"
	wait_until 20 logs_contain p012env "Activated service 'c2s'" || :
	config012() { podman exec "$PREFIX-p012env" prosodyctl shell "config:get('$1', '$2')" 2>/dev/null; }
	local value
	value="$(config012 '*' admins)"
	[[ "$value" == *'"a@xmpp-test"'* && "$value" == *'" b@xmpp-test"'* ]] && pass "0.12: lists split on ',' without trimming" || fail "0.12 admins: $value"
	value="$(config012 '*' modules_enabled)"
	[[ "$value" == *'"admin_shell"'* && "$value" == *'"turn_external"'* && "$value" == *'"mam"'* ]] && pass "0.12: module set + turn_external + mam" || fail "0.12 modules_enabled: $value"
	[[ "$(config012 '*' modules_disabled)" == *'"vcard4"'* ]] && pass "0.12: PROSODY_DISABLE_MODULES" || fail "0.12 modules_disabled"
	[[ "$(config012 '*' turn_external_host)" == 'OK: "xmpp-test"' ]] && pass "0.12: vhost defaults to the container host name" || fail "0.12 turn_external_host"
	[[ "$(config012 share.xmpp-test http_file_share_expire_after)" == "OK: 259200" ]] && pass "0.12: misspelt http_file_share_expire_after" || fail "0.12 expire_after"
	check "0.12: no config warnings in the log" bash -c "! podman logs $PREFIX-p012env 2>&1 | grep -E 'warn|deprecated'"
}

# ---------------------------------------------------------------- PostgreSQL

psql_from() { # NETWORK HOST USER PASSWORD DB SQL
	podman run --rm --pull=never --network "$1" -e PGPASSWORD="$4" --entrypoint psql "$POSTGRES" \
		-h "$2" -U "$3" -d "$5" -tAc "$6"
}

verify_postgres() {
	section "$POSTGRES"
	local c=pg started stopped
	network net-pg
	volume pg-data
	local initdir
	directory initdir
	chmod 0755 "$initdir"
	printf 'create table from_init (v int);\n' >"$initdir/01-table.sql"
	chmod 0644 "$initdir/01-table.sql"
	# The environment Aspire.Hosting.PostgreSQL 13.6.5 sets, plus a database and an
	# init script (Aspire's WithInitFiles mounts /docker-entrypoint-initdb.d).
	container $c --network "$PREFIX-net-pg" --network-alias pg -v "$PREFIX-pg-data:/var/lib/postgresql" \
		-v "$initdir:/docker-entrypoint-initdb.d:ro" \
		-e POSTGRES_USER=aspire -e POSTGRES_PASSWORD=Pa55word -e POSTGRES_DB=appdb \
		-e POSTGRES_HOST_AUTH_METHOD=scram-sha-256 \
		-e "POSTGRES_INITDB_ARGS=--auth-host=scram-sha-256 --auth-local=scram-sha-256" "$POSTGRES"
	check "initialises and starts" wait_until 60 bash -c "podman exec $PREFIX-$c pg_isready -h 127.0.0.1 -q"
	check "PostgreSQL 18 server is PID 1, running as postgres" bash -c "podman top $PREFIX-$c pid user args | grep -E '^1 +postgres +postgres'"
	check "data in PGDATA=/var/lib/postgresql/18/docker (inside the volume)" podman exec $PREFIX-$c test -s /var/lib/postgresql/18/docker/PG_VERSION
	check "psql over TCP from another container as POSTGRES_USER with POSTGRES_PASSWORD" \
		bash -c "psql_from $PREFIX-net-pg pg aspire Pa55word appdb 'select current_user' | grep -qx aspire"
	check "POSTGRES_DB created" bash -c "psql_from $PREFIX-net-pg pg aspire Pa55word postgres \"select 1 from pg_database where datname='appdb'\" | grep -qx 1"
	check "wrong password refused" bash -c "! psql_from $PREFIX-net-pg pg aspire wrong appdb 'select 1'"
	check "/docker-entrypoint-initdb.d/*.sql ran in POSTGRES_DB" bash -c "psql_from $PREFIX-net-pg pg aspire Pa55word appdb 'select count(*) from from_init' | grep -qx 0"
	check "no POSTGRES_PASSWORD on an empty volume: refuses to start" bash -c \
		"podman run --rm --pull=never $POSTGRES 2>&1 | grep -q 'POSTGRES_PASSWORD is not set'"
	check "scram-sha-256 for remote hosts (pg_hba.conf)" bash -c "podman exec $PREFIX-$c tail -n 1 /var/lib/postgresql/18/docker/pg_hba.conf | grep -qx 'host all all all scram-sha-256'"
	check "listen_addresses = '*'" bash -c "psql_from $PREFIX-net-pg pg aspire Pa55word appdb 'show listen_addresses' | grep -qx '*'"
	check "default locale en_US.utf8" bash -c "psql_from $PREFIX-net-pg pg aspire Pa55word appdb \"select datcollate from pg_database where datname='appdb'\" | grep -qx en_US.utf8"
	psql_from "$PREFIX-net-pg" pg aspire Pa55word appdb "create table t(v text); insert into t values ('kept')" >/dev/null 2>&1
	started=$SECONDS
	podman stop -t 30 $PREFIX-$c >/dev/null
	stopped=$((SECONDS - started))
	((stopped < 10)) && pass "podman stop is quick (${stopped} s; STOPSIGNAL SIGINT, postgres as PID 1)" || fail "podman stop took ${stopped} s"
	check "clean shutdown logged" logs_contain $c "database system is shut down"
	podman start $PREFIX-$c >/dev/null 2>&1
	check "restarts on the same volume without initdb" wait_until 60 bash -c "podman exec $PREFIX-$c pg_isready -h 127.0.0.1 -q"
	check "restart skipped initialisation" logs_contain $c "skipping initialization"
	check "data survives the restart" bash -c "psql_from $PREFIX-net-pg pg aspire Pa55word appdb 'select v from t' | grep -qx kept"

	# Prosody on PostgreSQL: PROSODY_SQL_* against this server.
	container p13pg --network "$PREFIX-net-pg" -e PROSODY_VIRTUAL_HOSTS=chat.localhost \
		-e PROSODY_SQL_DRIVER=PostgreSQL -e PROSODY_SQL_HOST=pg -e PROSODY_SQL_DB=appdb \
		-e PROSODY_SQL_USERNAME=aspire -e PROSODY_SQL_PASSWORD=Pa55word \
		-e LOCAL=admin -e DOMAIN=chat.localhost -e PASSWORD=s3cret "$PROSODY_13"
	check "Prosody with PROSODY_SQL_DRIVER=PostgreSQL starts" wait_until 30 logs_contain p13pg "Activated service 'c2s'"
	check "Prosody registered its account in PostgreSQL (table prosody)" \
		bash -c "psql_from $PREFIX-net-pg pg aspire Pa55word appdb \"select count(*) from prosody where \\\"user\\\"='admin' and store='accounts'\" | grep -qvx 0"
	check "Prosody answers XMPP from another container on the network" answers_xmpp_from_container "$PREFIX-net-pg" "$PREFIX-p13pg" 5222 chat.localhost
	check "plain HTTP 5280 closed to other containers by default" bash -c "! tcp_open_from_container $PREFIX-net-pg $PREFIX-p13pg 5280"
	check "c2s 5222 open to other containers" tcp_open_from_container "$PREFIX-net-pg" "$PREFIX-p13pg" 5222
}

# ---------------------------------------------------------------- coturn

# stun_binding udp|tcp PORT: a STUN Binding request to 127.0.0.1:PORT must get a
# Binding success response (type 0x0101) with our transaction id.
stun_binding() {
	local answer
	answer="$(timeout 5 bash -c 'exec 3<>"/dev/$1/127.0.0.1/$2" || exit 1
		printf "\x00\x01\x00\x00\x21\x12\xa4\x42engctverify1" >&3
		timeout 3 head -c 20 <&3' _ "$1" "$2" | od -An -tx1 | tr -d ' \n')" || :
	# type 0101, any length, magic cookie, then the transaction id "engctverify1"
	[[ "$answer" == 0101????2112a442656e67637476657269667931 ]]
}

verify_coturn() {
	section "$COTURN"
	local c=turn out
	container $c -p 127.0.0.1::3478 -p 127.0.0.1::3478/udp "$COTURN" \
		-n --log-file=stdout --listening-port=3478 --use-auth-secret --static-auth-secret=abc \
		--realm=x --no-tls --no-dtls --no-cli --external-ip=127.0.0.1
	check "turnserver starts (logs its listener addresses and servers)" wait_until 20 bash -c \
		"podman logs $PREFIX-$c 2>&1 | grep -q 'Listener address to use' && podman logs $PREFIX-$c 2>&1 | grep -q 'Total General servers'"
	check "answers a STUN binding request on 3478/udp (published port)" stun_binding udp "$(host_port $c 3478/udp)"
	check "answers a STUN binding request on 3478/tcp (published port)" stun_binding tcp "$(host_port $c 3478/tcp)"
	check "entry point ate -n (echo -n, documented eval quirk): 'Unknown argument' logged" logs_contain $c "Unknown argument"
	check "still running after 2 s" bash -c "sleep 2; [[ \$(podman inspect -f '{{.State.Running}}' $PREFIX-$c) == true ]]"
	check "SQLite DB in the /var/lib/coturn volume" podman exec $PREFIX-$c test -s /var/lib/coturn/turndb
	check "runs as nobody" bash -c "podman top $PREFIX-$c user args | grep -E '^nobody +turnserver'"
	out="$(podman run --rm --pull=never --entrypoint docker-entrypoint.sh "$COTURN" echo 'x$HOME' 'a   b' 2>&1)"
	[[ "$out" == "x/nonexistent a b" ]] && pass "entry point re-evaluates every argument with the shell (documented quirk)" || fail "eval quirk: '$out'"
	out="$(podman run --rm --pull=never "$COTURN" --version 2>&1 | tail -n 1)"
	[[ "$out" == *4.6.1* ]] && pass "options alone run turnserver ($out)" || fail "--version: '$out'"
	out="$(podman run --rm --pull=never -e REAL_EXTERNAL_IP=203.0.113.7 --entrypoint detect-external-ip "$COTURN" 2>&1)"
	[[ "$out" == 203.0.113.7 ]] && pass "REAL_EXTERNAL_IP short-circuits detect-external-ip" || fail "REAL_EXTERNAL_IP: '$out'"
	if podman run --rm --pull=never --entrypoint detect-external-ip "$COTURN" >/dev/null 2>&1; then
		pass "detect-external-ip found an address (this machine is online)"
	else
		pass "detect-external-ip fails offline (exit non-zero)"
	fi
	started=$SECONDS
	podman stop -t 30 $PREFIX-$c >/dev/null
	(((SECONDS - started) < 5)) && pass "podman stop is quick ($((SECONDS - started)) s; tini forwards SIGTERM)" || fail "podman stop took $((SECONDS - started)) s"
	check "no --prometheus in Debian's turnserver" bash -c "podman run --rm --pull=never $COTURN --prometheus 2>&1 | grep -q \"unrecognized option '--prometheus'\""
}

# ---------------------------------------------------------------- MariaDB

mariadb_from() { # NETWORK HOST USER PASSWORD SQL
	podman run --rm --pull=never --network "$1" --entrypoint mariadb "$MARIADB" \
		-h "$2" -u "$3" "-p$4" -N -B -e "$5"
}

verify_mariadb() {
	section "$MARIADB"
	local c=db
	network net-db
	volume db-data
	local initdir
	directory initdir
	chmod 0755 "$initdir"
	printf 'create table from_init (v int);\n' >"$initdir/01-table.sql"
	chmod 0644 "$initdir/01-table.sql"
	container $c --network "$PREFIX-net-db" --network-alias db -v "$PREFIX-db-data:/var/lib/mysql" \
		-v "$initdir:/docker-entrypoint-initdb.d:ro" \
		-e MYSQL_ROOT_PASSWORD=RootPa55 -e MYSQL_DATABASE=appdb -e MYSQL_USER=app -e MYSQL_PASSWORD=AppPa55 "$MARIADB"
	check "initialises and starts (ready for connections)" wait_until 90 bash -c "podman logs $PREFIX-$c 2>&1 | grep -q 'init process done' && podman exec $PREFIX-$c mariadb-admin -uroot -pRootPa55 ping"
	check "mariadbd is PID 1, running as mysql" bash -c "podman top $PREFIX-$c pid user args | grep -E '^1 +mysql +mariadbd'"
	check "root logs in over TCP from another container (root@%)" bash -c "mariadb_from $PREFIX-net-db db root RootPa55 'select current_user()' | grep -qx 'root@%'"
	check "MYSQL_DATABASE exists" bash -c "mariadb_from $PREFIX-net-db db root RootPa55 'show databases' | grep -qx appdb"
	check "MYSQL_USER logs in and owns MYSQL_DATABASE" bash -c "mariadb_from $PREFIX-net-db db app AppPa55 'create table appdb.t (v text); insert into appdb.t values (\"kept\")'"
	check "wrong root password refused" bash -c "! mariadb_from $PREFIX-net-db db root wrong 'select 1'"
	check "/docker-entrypoint-initdb.d/*.sql ran in MYSQL_DATABASE" bash -c "mariadb_from $PREFIX-net-db db root RootPa55 'select count(*) from appdb.from_init' | grep -qx 0"
	check "no root password option on an empty volume: refuses to start" bash -c \
		"podman run --rm --pull=never $MARIADB 2>&1 | grep -q 'no root password option is set'"
	podman restart -t 30 $PREFIX-$c >/dev/null 2>&1
	check "restarts on the same volume" wait_until 60 bash -c "podman exec $PREFIX-$c mariadb-admin -uroot -pRootPa55 ping"
	check "restart skipped initialisation" logs_contain $c "skipping initialization"
	check "data survives the restart" bash -c "mariadb_from $PREFIX-net-db db app AppPa55 'select v from appdb.t' | grep -qx kept"

	# Prosody on MariaDB through its MySQL driver.
	container p13my --network "$PREFIX-net-db" -e PROSODY_VIRTUAL_HOSTS=chat.localhost \
		-e PROSODY_SQL_DRIVER=MySQL -e PROSODY_SQL_HOST=db -e PROSODY_SQL_DB=appdb \
		-e PROSODY_SQL_USERNAME=root -e PROSODY_SQL_PASSWORD=RootPa55 \
		-e LOCAL=admin -e DOMAIN=chat.localhost -e PASSWORD=s3cret "$PROSODY_13"
	check "Prosody with PROSODY_SQL_DRIVER=MySQL starts" wait_until 30 logs_contain p13my "Activated service 'c2s'"
	check "Prosody registered its account in MariaDB" \
		bash -c "mariadb_from $PREFIX-net-db db root RootPa55 \"select count(*) from appdb.prosody where user='admin' and store='accounts'\" | grep -qvx 0"
}

# ---------------------------------------------------------------- main

export -f psql_from mariadb_from tcp_open_from_container
export PREFIX POSTGRES MARIADB PROSODY_13

main() {
	local selected=("$@") name
	((${#selected[@]})) || selected=(prosody-13.0 prosody-0.12 postgres coturn mariadb)
	for name in "${selected[@]}"; do
		case "$name" in
			prosody-13.0) verify_prosody_13 ;;
			prosody-0.12) verify_prosody_012 ;;
			postgres) verify_postgres ;;
			coturn) verify_coturn ;;
			mariadb) verify_mariadb ;;
			*) echo "unknown image '$name'" >&2; exit 2 ;;
		esac
	done
	printf '\n%d checks, %d failed\n' "$CHECKS" "$FAILURES"
	((FAILURES == 0))
}

main "$@"
