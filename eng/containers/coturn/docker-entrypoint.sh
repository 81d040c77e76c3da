#!/bin/bash
# /usr/local/bin/docker-entrypoint.sh of the locally built stand-in for coturn/coturn
# (eng/containers/provision.sh), following the official image's documented behaviour.

# Arguments that start with an option mean "turnserver with these options".
if [[ "${1:0:1}" == "-" ]]; then
	set -- turnserver "$@"
fi

# Documented quirk kept on purpose: each argument goes through the shell once more
# (eval "echo ..."), which is what makes the default CMD
# --external-ip=$(detect-external-ip) work. Side effects: "$..." sequences in values
# are expanded, runs of blanks collapse and a lone quote is a syntax error, so TURN
# secrets should be [A-Za-z0-9] only (or go into a config file).
expanded=()
for argument in "$@"; do
	expanded+=("$(eval "echo $argument")")
done

exec "${expanded[@]}"
