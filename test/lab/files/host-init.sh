#!/bin/bash
# host-init NAME CMD... — turns the current process into "lab host NAME", then
# execs CMD. Called as `ip netns exec NAME unshare --uts -- host-init NAME CMD…`:
# ip netns exec has already put us in the host's network namespace, in a NEW
# mount namespace (a slave of the root one) with /etc/netns/NAME/* bound over
# /etc/*. Every such call gets a fresh mount namespace, so the per-host view is
# rebuilt here each time; daemons started from it (and ssh sessions of its
# sshd) keep that view.
set -eu
state=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
name=${1:?usage: host-init NAME CMD...}
shift
h=$state/hosts/$name
[ -d "$h/run" ] || { echo "host-init: $name is not a lab host (no $h/run)" >&2; exit 1; }

hostname "$name"    # own UTS namespace (unshare --uts)
# Private /run: pcsd's unix sockets, sshd's pid file, the systemctl shim's
# state and resource agents' state files must not be shared between hosts.
mount --bind "$h/run" /run
# Private pcsd and pacemaker state/logs (pcsd's check_host looks for cib.xml)
# and root's home (config.ts PRIVATE_DIRS).
for d in var/lib/pcsd var/log/pcsd var/lib/pacemaker var/log/pacemaker root; do
    mount --bind "$h/fs/$d" "/$d"
done
# pcs/pcsd run the absolute path /bin/systemctl (= /usr/bin/systemctl on
# Debian 12), so a PATH shim would never be used: bind the shim over it.
mount --bind "$state/bin/systemctl" /usr/bin/systemctl
export PCMKCTL_LAB_HOST=$name
[ $# -gt 0 ] || set -- /bin/bash -i
exec "$@"
