#!/bin/bash
# test/lab/install.sh — install what the pcmkctl test lab needs on Debian 12.
# Run as root (scripts/test.mjs does). Idempotent and fast when everything is
# present: no apt-get update then.
#   1. Debian packages (daemons are NOT started: temporary policy-rc.d);
#   2. pacemaker-remoted of the installed pacemaker version, extracted with
#      dpkg -x into /opt/pcmkctl-remote (the pacemaker-remote package
#      Conflicts: pacemaker, so it can never be installed next to it).
set -eu -o pipefail

DEST=/opt/pcmkctl-remote
STAMP=$DEST/.pcmkctl-lab-version
POLICY=/usr/sbin/policy-rc.d
POLICY_MARK='# pcmkctl-lab temporary policy: no daemon starts during install'

# systemd: only for /bin/systemctl and /lib/systemd/system, which pcs checks
# before it uses its systemd driver (the lab binds a shim over systemctl).
PACKAGES=(pacemaker pacemaker-cli-utils corosync pcs openssh-server openssh-client
          iproute2 procps util-linux systemd openssl python3 passwd)

say() { printf '[lab-install] %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root"
command -v dpkg-query >/dev/null || die "not a Debian system (no dpkg-query)"

missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q ' installed$' || missing+=("$p")
done

cleanup_policy() {
    if [ -f "$POLICY" ] && grep -qF "$POLICY_MARK" "$POLICY"; then rm -f "$POLICY"; fi
}

apt_updated=0
if [ ${#missing[@]} -gt 0 ]; then
    say "installing: ${missing[*]}"
    if [ ! -e "$POLICY" ]; then
        printf '#!/bin/sh\n%s\nexit 101\n' "$POLICY_MARK" > "$POLICY"
        chmod 0755 "$POLICY"
        trap cleanup_policy EXIT
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q || die "apt-get update failed"
    apt_updated=1
    apt-get install -y -q "${missing[@]}" || die "apt-get install ${missing[*]} failed"
    cleanup_policy
    trap - EXIT
fi

ver=$(dpkg-query -W -f='${Version}' pacemaker) || die "pacemaker is not installed"
if [ -x "$DEST/usr/sbin/pacemaker-remoted" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$ver" ]; then
    :   # already extracted for this pacemaker version
else
    say "extracting pacemaker-remote $ver into $DEST"
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    chown _apt "$tmp" 2>/dev/null || true   # apt's download sandbox user must write here
    if ! (cd "$tmp" && apt-get download -q "pacemaker-remote=$ver" >&2); then
        [ "$apt_updated" = 1 ] || apt-get update -q || die "apt-get update failed"
        (cd "$tmp" && apt-get download -q "pacemaker-remote=$ver" >&2) ||
            die "cannot download pacemaker-remote=$ver (the archive must carry the installed pacemaker version)"
    fi
    mkdir "$tmp/x"
    dpkg -x "$tmp"/pacemaker-remote_*.deb "$tmp/x" || die "dpkg -x failed"
    [ -x "$tmp/x/usr/sbin/pacemaker-remoted" ] || die "no usr/sbin/pacemaker-remoted in the package"
    echo "$ver" > "$tmp/x/.pcmkctl-lab-version"
    # only ever replace a directory this script created
    if [ -e "$DEST" ] && [ ! -e "$STAMP" ]; then die "$DEST exists but was not made by this script; remove it"; fi
    rm -rf "$DEST"
    mv "$tmp/x" "$DEST"
    chmod 0755 "$DEST"
fi
if ldd "$DEST/usr/sbin/pacemaker-remoted" | grep -q 'not found'; then
    die "pacemaker-remoted has unresolved libraries: $(ldd "$DEST/usr/sbin/pacemaker-remoted" | grep 'not found' | tr '\n' ' ')"
fi

for b in corosync corosync-quorumtool pacemakerd crm_mon cibadmin crm_attribute crm_node crm_resource \
         pcs /usr/sbin/pcsd /usr/share/pcsd/pcsd /usr/sbin/sshd ssh ssh-keygen ip unshare setsid \
         mount mountpoint flock ss ps hostname chpasswd chage getent; do
    command -v "$b" >/dev/null || die "missing after install: $b"
done
[ -f /bin/systemctl ] || die "missing /bin/systemctl (package systemd)"
[ -d /lib/systemd/system ] || die "missing /lib/systemd/system (package systemd)"
getent passwd hacluster >/dev/null && getent group haclient >/dev/null || die "user hacluster / group haclient missing"
say "ok: packages present, pacemaker-remoted $ver in $DEST"
