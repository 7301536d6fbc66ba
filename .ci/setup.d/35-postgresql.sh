#!/usr/bin/env bash
# smttask-sumatra's PostgreSQL tests: Debian's server binaries (initdb, pg_ctl). The tests start
# their own throwaway cluster in a temporary directory and stop it by PID, so Debian's own
# cluster is kept from starting while the package installs (policy-rc.d), when we are the ones
# who put that guard there.
source "$(dirname "$0")/apt.bash"
guard=""
if [ "$(id -u)" = 0 ] && [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && guard=1
fi
apt_install postgresql || echo "SKIP: smttask-sumatra PostgreSQL tests (Debian package postgresql) will skip"
[ -n "$guard" ] && rm -f /usr/sbin/policy-rc.d
exit 0
