#!/bin/sh
# /entrypoint.sh of the ejabberd test peer (eng/containers/provision.sh): runs
# `ejabberdctl ARGS` as the ejabberd user, `foreground` by default; a first argument
# that is a command (sh, erl, …) runs that command instead, as root.
set -e

if [ "$#" -eq 0 ]; then set -- foreground; fi
if command -v "$1" >/dev/null 2>&1; then exec "$@"; fi

# What systemd's tmpfiles and the package's postinst would prepare on a host: the PID
# directory (ejabberdctl.cfg names /run/ejabberd) and a data volume it can write to.
install -d -o ejabberd -g ejabberd -m 0755 /run/ejabberd /var/log/ejabberd
# (In the foreground ejabberd logs to standard output as well as to /var/log/ejabberd.)
chown ejabberd:ejabberd /var/lib/ejabberd

# The Erlang cookie lives in the ejabberd user's home, so `podman exec … ejabberdctl`
# (which switches to that user with su) finds the same one.
export HOME=/var/lib/ejabberd
exec setpriv --reuid=ejabberd --regid=ejabberd --init-groups ejabberdctl "$@"
