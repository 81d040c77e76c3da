#!/bin/sh
# Part of Aspire.Hosting.Prosody, used when the data directory is a bind mount.
# The official entrypoint gives the prosody user the uid that owns /var/lib/prosody and stops the container
# when that owner is root (a host directory the container runtime created, or one a root process made).
# Hand such a directory to prosody first, then continue exactly as the image would, with tini as PID 1.
set -e
data=/var/lib/prosody
if [ "$(stat -c %u "$data")" = "0" ]; then
	chown -R prosody:prosody "$data"
fi
exec /usr/bin/tini -- /entrypoint.sh "$@"
