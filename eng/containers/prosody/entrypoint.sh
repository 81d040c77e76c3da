#!/bin/bash
# /entrypoint.sh of the locally built stand-ins for prosodyim/prosody:13.0 and :0.12
# (eng/containers/provision.sh). It runs as root under tini and follows the documented
# behaviour of the official image's entry point, step by step.
set -e

# 1. The prosody user takes the uid that owns the data directory, so a bind mount owned
#    by a host user (say uid 1000) just works. As in the official image this FAILS when
#    /var/lib/prosody is owned by root ("usermod: UID '0' already exists"), and set -e
#    then stops the container: mount a named volume or chown the directory first.
data_owner="$(stat -c %u /var/lib/prosody/)"
if [[ "$(id -u prosody)" != "$data_owner" ]]; then
	usermod -u "$data_owner" prosody
fi
# The pid-file directory follows (pidfile is only used when a conf.d file sets it).
if [[ "$(stat -c %u /var/run/prosody/)" != "$data_owner" ]]; then
	chown "$data_owner" /var/run/prosody/
fi

# 2. Any command but "prosody" is a prosodyctl command ("check config", "register ...");
#    prosodyctl drops from root to the prosody user by itself.
if [[ "$1" != "prosody" ]]; then
	exec prosodyctl "$@"
fi

# 3. Optional account, (re-)registered on EVERY start (the password is reset to
#    PASSWORD). Writes straight to storage, so a DOMAIN that is no VirtualHost or an
#    unreachable SQL server fails the start.
if [[ "$LOCAL" && "$PASSWORD" && "$DOMAIN" ]]; then
	prosodyctl register "$LOCAL" "$DOMAIN" "$PASSWORD"
fi

# 4. Prosody refuses to run as root: drop to the prosody user.
exec runuser -u prosody -- "$@"
