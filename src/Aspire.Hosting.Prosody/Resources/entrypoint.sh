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
		# 0 is a clean stop; 78 is a configuration Prosody can never run with (such as a password it cannot accept),
		# which a restart would only repeat.
		if [ "$status" = 0 ] || [ "$status" = 78 ]; then
			exit "$status"
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
	# PEM as it is, or base64 of the PEM: one line, which survives env files and tools that read a value per line.
	pem() { case "$1" in *-----BEGIN*) printf '%s\n' "$1";; *) printf '%s' "$1" | tr -d ' \t\r\n' | base64 -d 2>/dev/null || :;; esac; }
	pem "$ASPIRE_TLS_CERTIFICATE" > "$certs/aspire-tls.crt"
	pem "$ASPIRE_TLS_KEY" > "$certs/aspire-tls.key"
	chgrp prosody "$certs" "$certs/aspire-tls.crt" "$certs/aspire-tls.key"
	chmod 0644 "$certs/aspire-tls.crt"
	chmod 0640 "$certs/aspire-tls.key"
	umask 022
	unset ASPIRE_TLS_CERTIFICATE ASPIRE_TLS_KEY
	# Checked with LuaSec, which the image has for Prosody (openssl's command may not be there): a certificate
	# Prosody cannot use stops the container now, naming the parameter, instead of a Lua error or a server nobody
	# can sign in to. A certificate that expires within 30 days only warns.
	if command -v lua >/dev/null 2>&1; then
		if ! problem=$(lua - "$certs/aspire-tls.crt" "$certs/aspire-tls.key" "${PROSODY_VIRTUAL_HOSTS:-}" 2>&1 <<'LUA'
local ok, ssl = pcall(require, "ssl")
if not ok then os.exit(0) end
local crt, key, hosts = arg[1], arg[2], arg[3]
local function fail(message) io.write(message) os.exit(1) end
local file = assert(io.open(crt)); local text = file:read("a"); file:close()
local loaded, cert = pcall(ssl.loadcertificate, text)
if not text:find("-----BEGIN CERTIFICATE-----", 1, true) or not loaded or not cert then
	fail("certificate: the {name}-tls-certificate parameter (ASPIRE_TLS_CERTIFICATE) is not a PEM certificate (nor base64 of one). Give the chain in PEM, as in chat.crt, or that file base64-encoded on one line.")
end
if not cert:validat(os.time()) then
	fail(("certificate: the {name}-tls-certificate parameter (ASPIRE_TLS_CERTIFICATE) is valid from %s until %s, not now. Give a current certificate."):format(cert:notbefore(), cert:notafter()))
end
local context, err = ssl.newcontext({ mode = "server", protocol = "any", certificate = crt, key = key })
if not context then
	fail(("key: the {name}-tls-key parameter (ASPIRE_TLS_KEY) is not the PEM private key of the certificate (%s). Give the key that belongs to it, in PEM or base64 of the PEM."):format(tostring(err)))
end
local host = hosts:match("^[^,]+")
package.path = "/usr/lib/?.lua;" .. package.path; package.cpath = "/usr/lib/?.so;" .. package.cpath
local has_x509, x509 = pcall(function() require "prosody.loader"; return require "prosody.util.x509" end)
if host and has_x509 and not x509.verify_identity(host, "xmpp-client", cert) then
	fail(("certificate: the {name}-tls-certificate parameter (ASPIRE_TLS_CERTIFICATE) does not name the domain %s. Give a certificate for it (or a wildcard over it)."):format(host))
end
if not cert:validat(os.time() + 30 * 86400) then
	io.stderr:write(("aspire: warning: the TLS certificate expires on %s, within 30 days. Renew it.\n"):format(cert:notafter()))
end
LUA
		); then
			echo "aspire: the TLS $problem" >&2
			exit 78
		fi
		if [ -n "$problem" ]; then echo "$problem" >&2; fi
	fi
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
