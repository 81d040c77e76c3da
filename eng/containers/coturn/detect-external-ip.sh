#!/bin/sh
# /usr/local/bin/detect-external-ip(.sh) of the locally built stand-in for coturn/coturn
# (eng/containers/provision.sh).
#
# Prints the public address of this machine as public DNS services see it: cheaper than
# an HTTP "what is my IP" call. Needs the internet, so it FAILS offline (exit 1); the
# default CMD then passes an empty --external-ip= to turnserver. REAL_EXTERNAL_IP
# short-circuits the lookup.
#
# Usage: detect-external-ip [--ipv4 | --ipv6]      (IPv4 by default)
set -eu

if [ -n "${REAL_EXTERNAL_IP:-}" ]; then
	echo "$REAL_EXTERNAL_IP"
	exit 0
fi

family=4
while [ $# -gt 0 ]; do
	case "$1" in
		--ipv4) family=4 ;;
		--ipv6) family=6 ;;
		*) echo "Invalid argument: '$1'" >&2; exit 1 ;;
	esac
	shift
done

looks_like_address() {
	if [ "$family" = 4 ]; then
		printf '%s\n' "$1" | grep -Eq '^([0-9]{1,3}\.){3}[0-9]{1,3}$'
	else
		case "$1" in *:*:*) return 0 ;; *) return 1 ;; esac
	fi
}

# One lookup per line: resolver, name, type, class. Services that answer with the
# caller's address: OpenDNS, Google, Cloudflare, Akamai (IPv4 only).
if [ "$family" = 4 ]; then
	lookups='resolver1.opendns.com myip.opendns.com A IN
ns1.google.com o-o.myaddr.l.google.com TXT IN
1.1.1.1 whoami.cloudflare TXT CH
ns1-1.akamaitech.net whoami.akamai.net A IN'
else
	lookups='resolver1.opendns.com myip.opendns.com AAAA IN
ns1.google.com o-o.myaddr.l.google.com TXT IN
2606:4700:4700::1111 whoami.cloudflare TXT CH'
fi

# Short timeouts so that an offline container gives up in seconds, not minutes.
while read -r server name type class; do
	answer="$(dig "@$server" "$name" "$type" -c "$class" "-$family" +short +time=2 +tries=1 2>/dev/null | tr -d '"' | head -n 1)" || continue
	if [ -n "$answer" ] && looks_like_address "$answer"; then
		printf '%s\n' "$answer"
		exit 0
	fi
done <<LOOKUPS
$lookups
LOOKUPS

echo "[$0] All providers failed" >&2
exit 1
