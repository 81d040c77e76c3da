#!/bin/sh
# Part of Aspire.Hosting.Prosody: the entrypoint of the published image and, in run mode, of the container. It
# prepares what the official entrypoint cannot, then continues exactly as the image would, with tini as PID 1.
set -e

# Run mode (ASPIRE_RESTART_ON_CRASH=1): under tini, this script runs the official entrypoint as a child and starts it
# again when Prosody dies of anything but a stop, so a crash heals itself within seconds and says so in the log. A
# stop (SIGTERM or SIGINT, as the dashboard's Stop sends) is passed on and ends the container.
if [ "${1:-}" = "--supervise" ]; then
	shift
	stopping=0 child= restarts=0 delay=1
	trap 'stopping=1; if [ -n "$child" ]; then kill -TERM "$child" 2>/dev/null || :; fi' TERM INT
	while :; do
		started=$(date +%s)
		/entrypoint.sh "$@" &
		child=$!
		status=0
		wait "$child" || status=$?
		if [ "$stopping" = 1 ]; then
			wait "$child" 2>/dev/null || :
			exit 0
		fi
		if [ "$status" = 0 ]; then
			exit 0
		fi
		restarts=$((restarts + 1))
		# A server that ran for a minute gets restarted at once; one that keeps failing waits up to 30 s.
		if [ $(($(date +%s) - started)) -ge 60 ]; then delay=1; fi
		if [ "$status" -gt 128 ]; then reason="signal $((status - 128))"; else reason="exit status $status"; fi
		echo "aspire: Prosody stopped unexpectedly ($reason); starting it again in ${delay} s (restart $restarts of this container)" >&2
		sleep "$delay" &
		child=$!
		wait "$child" || :
		if [ "$stopping" = 1 ]; then exit 0; fi
		delay=$((delay * 2 > 30 ? 30 : delay * 2))
	done
fi

# The official entrypoint gives the prosody user the uid that owns /var/lib/prosody and stops the container when
# that owner is root: a host directory the runtime created, a root-owned volume, or an empty persistent volume.
data=/var/lib/prosody
if [ "$(stat -c %u "$data")" = "0" ] && [ -w "$data" ]; then
	chown -R prosody:prosody "$data"
fi

# A deployment's certificate and key arrive as environment variables (parameters), never inside the image. Prosody
# indexes /etc/prosody/certs and uses the certificate for every name it holds. The key is readable by the prosody
# group only, which keeps its gid when the official entrypoint changes its uid.
certs=/etc/prosody/certs
if [ -n "${ASPIRE_TLS_CERTIFICATE:-}" ] || [ -n "${ASPIRE_TLS_KEY:-}" ]; then
	if [ -z "${ASPIRE_TLS_CERTIFICATE:-}" ] || [ -z "${ASPIRE_TLS_KEY:-}" ]; then
		echo "aspire: ASPIRE_TLS_CERTIFICATE and ASPIRE_TLS_KEY must be set together (the {name}-tls-certificate and {name}-tls-key parameters)." >&2
		exit 78
	fi
	mkdir -p "$certs"
	umask 027
	printf '%s\n' "$ASPIRE_TLS_CERTIFICATE" > "$certs/aspire-tls.crt"
	printf '%s\n' "$ASPIRE_TLS_KEY" > "$certs/aspire-tls.key"
	chgrp prosody "$certs" "$certs/aspire-tls.crt" "$certs/aspire-tls.key"
	chmod 0644 "$certs/aspire-tls.crt"
	chmod 0640 "$certs/aspire-tls.key"
	umask 022
	unset ASPIRE_TLS_CERTIFICATE ASPIRE_TLS_KEY
fi

# The base of every link Prosody hands out (http_external_url): in a deployment a parameter (WithPublicUrl), so only
# the container sees its value. A value that is not a plain absolute URL would go into every upload link: stop now.
if [ -n "${ASPIRE_HTTP_EXTERNAL_URL:-}" ]; then
	url_path='(/[A-Za-z0-9._~%!$&()*+,;=:@/-]*)?'
	case "$ASPIRE_HTTP_EXTERNAL_URL" in
		*'
'*) url_ok=1 ;;
		*) printf '%s\n' "$ASPIRE_HTTP_EXTERNAL_URL" | LC_ALL=C grep -Eqx "https?://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?$url_path" && url_ok=0 || url_ok=1 ;;
	esac
	if [ "$url_ok" != 0 ]; then
		echo "aspire: the public URL (ASPIRE_HTTP_EXTERNAL_URL, the parameter given to WithPublicUrl) is not an absolute http:// or https:// URL without credentials, query or fragment. Give one such as https://chat.example.com/." >&2
		exit 78
	fi
fi

# Prosody requires encryption before it accepts a password: without any certificate nobody could sign in, so a
# server start fails loudly rather than running uselessly.
if [ "${1:-}" = "prosody" ] && [ -z "$(find "$certs" -name '*.crt' -o -name '*.pem' 2>/dev/null | head -n 1)" ]; then
	echo "aspire: no TLS certificate in $certs. Set the {name}-tls-certificate and {name}-tls-key parameters (WithCertificate in the AppHost), or mount certificates there (WithCertificatesDirectory)." >&2
	exit 78
fi

if [ "${ASPIRE_RESTART_ON_CRASH:-}" = "1" ] && [ "${1:-}" = "prosody" ]; then
	exec /usr/bin/tini -- "$0" --supervise "$@"
fi

exec /usr/bin/tini -- /entrypoint.sh "$@"
