#!/usr/bin/env bash
# smttask-fsspec's SFTP tests: Debian's OpenSSH server binary (/usr/sbin/sshd). The tests start their
# own sshd on 127.0.0.1 with a throwaway host key and configuration, and stop it by PID, so Debian's
# own service is kept from starting while the package installs (policy-rc.d), when we are the ones who
# put that guard there.
source "$(dirname "$0")/apt.bash"
guard=""
if [ "$(id -u)" = 0 ] && [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && guard=1
fi
apt_install openssh-server openssh-client || echo "SKIP: smttask-fsspec SFTP tests (Debian package openssh-server) will skip"
[ -n "$guard" ] && rm -f /usr/sbin/policy-rc.d
exit 0
