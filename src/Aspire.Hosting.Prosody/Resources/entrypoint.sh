#!/bin/sh
# Part of Aspire.Hosting.Prosody: the entrypoint of the published image, and in run mode of a container whose data
# directory is a bind mount. It prepares what the official entrypoint cannot, then continues exactly as the image
# would, with tini as PID 1.
set -e

# The official entrypoint gives the prosody user the uid that owns /var/lib/prosody and stops the container when
# that owner is root: a host directory the runtime created, a root-owned volume, or an empty persistent volume.
data=/var/lib/prosody
if [ "$(stat -c %u "$data")" = "0" ]; then
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

# Prosody requires encryption before it accepts a password: without any certificate nobody could sign in, so a
# server start fails loudly rather than running uselessly.
if [ "${1:-}" = "prosody" ] && [ -z "$(find "$certs" -name '*.crt' -o -name '*.pem' 2>/dev/null | head -n 1)" ]; then
	echo "aspire: no TLS certificate in $certs. Set the {name}-tls-certificate and {name}-tls-key parameters (WithCertificate in the AppHost), or mount certificates there (WithCertificatesDirectory)." >&2
	exit 78
fi

exec /usr/bin/tini -- /entrypoint.sh "$@"
