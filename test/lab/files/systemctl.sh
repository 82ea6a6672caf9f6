#!/bin/bash
# systemctl stand-in on pcmkctl lab hosts (no systemd runs there).
#
# host-init binds it over /usr/bin/systemctl inside each host's mount
# namespace. pcs/pcsd pick their systemd driver when /lib/systemd/system exists
# and /bin/systemctl is a file, then run
#   /bin/systemctl start|stop|enable|disable|is-active|is-enabled UNIT.service
#   /bin/systemctl list-unit-files --full
# so this implements that subset (plus status/restart/--now) for the units of a
# Pacemaker Remote host: pacemaker_remote (alias pacemaker-remote), pcsd,
# pcsd-ruby, sshd (alias ssh). Other units do not exist here, as on a real
# remote host (pcs refuses hosts where corosync/pacemaker run).
#
# State in /run/pcmkctl-units/ (per host, /run is private):
#   UNIT.pid      "PID STARTTIME" of the running main process
#   UNIT.enabled  present when enabled
#   UNIT.log      the daemon's stdout/stderr
#   env           optional KEY=value lines added to every daemon's environment
set -u
S=/run/pcmkctl-units
mkdir -p "$S"
REMOTED=/opt/pcmkctl-remote/usr/sbin/pacemaker-remoted
UNITS="pacemaker_remote pcsd pcsd-ruby sshd"

canon() {
    local u=${1%.service}
    case $u in pacemaker-remote) u=pacemaker_remote ;; ssh) u=sshd ;; esac
    printf '%s' "$u"
}
exists() { case " $UNITS " in *" $1 "*) return 0 ;; esac; return 1; }

# unit table: CMD (ExecStart), MATCH (must be in /proc/PID/cmdline),
# ENVF (EnvironmentFile), STOP (seconds before SIGKILL)
spec() {
    case $1 in
        pacemaker_remote) CMD=("$REMOTED"); MATCH=pacemaker-remoted; ENVF=/etc/default/pacemaker; STOP=60 ;;
        pcsd)             CMD=(/usr/sbin/pcsd); MATCH=/usr/sbin/pcsd; ENVF=/etc/default/pcsd; STOP=5 ;;
        pcsd-ruby)        CMD=(/usr/share/pcsd/pcsd); MATCH=pcsd; ENVF=/etc/default/pcsd; STOP=5 ;;
        sshd)             CMD=(/usr/sbin/sshd -D -e); MATCH=sshd; ENVF=/etc/default/ssh; STOP=10 ;;
        *) return 1 ;;
    esac
    # pcsd's Python side sometimes hangs in its SIGTERM handler; systemd would
    # kill it after TimeoutStopSec — we do so sooner to keep tests fast.
}

starttime() {   # field 22 of /proc/PID/stat (after the command name in parentheses)
    local line
    read -r line < "/proc/$1/stat" 2>/dev/null || return 1
    line=${line##*) }
    set -- $line
    printf '%s' "${20}"
}

# main pid of an active unit on stdout; false when not running
mainpid() {
    local u=$1 pid st
    [ -s "$S/$u.pid" ] || return 1
    read -r pid st < "$S/$u.pid" || return 1
    [ "$(starttime "$pid")" = "$st" ] || return 1
    spec "$u"
    tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$MATCH" || return 1
    printf '%s' "$pid"
}

envfile() {     # KEY=value lines of a shell-style environment file -> ENVV
    local line k v
    [ -r "$1" ] || return 0
    while IFS= read -r line || [ -n "$line" ]; do
        [[ $line =~ ^[[:space:]]*(export[[:space:]]+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] || continue
        k=${BASH_REMATCH[2]} v=${BASH_REMATCH[3]}
        if [[ $v =~ ^\"(.*)\"$ || $v =~ ^\'(.*)\'$ ]]; then v=${BASH_REMATCH[1]}; fi
        ENVV+=("$k=$v")
    done < "$1"
}

kids() {        # all descendants of $1
    ps -e -o pid=,ppid= | awk -v r="$1" '{ c[$2] = c[$2] " " $1 }
        END { q = r; while (q != "") { split(q, a, " "); q = "";
              for (i in a) { n = split(c[a[i]], b, " "); for (j = 1; j <= n; j++) { print b[j]; q = q " " b[j] } } } }'
}

start_unit() {
    local u=$1 pid i
    mainpid "$u" >/dev/null && return 0
    case $u in
        pcsd)
            # pcsd.service Requires pcsd-ruby.service and talks to it over this socket
            start_unit pcsd-ruby || return 1
            for ((i = 0; i < 300; i++)); do [ -S /run/pcsd-ruby.socket ] && break; sleep 0.1; done
            [ -S /run/pcsd-ruby.socket ] || { echo "pcsd-ruby.service: no socket after 30s" >&2; return 1; } ;;
        pcsd-ruby) rm -f /run/pcsd-ruby.socket ;;
        sshd)
            install -d -m 0755 /run/sshd
            /usr/sbin/sshd -t || { echo "Job for sshd.service failed (config test)" >&2; return 1; } ;;
    esac
    spec "$u"
    # a clean environment like systemd's (not the caller's: tests, ssh
    # sessions) plus the unit's EnvironmentFile
    ENVV=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8)
    envfile "$ENVF"
    envfile "$S/env"
    # a background job of a script is no process-group leader, so setsid does
    # not fork (nor does env): $! below is the daemon itself
    (cd / && exec env -i "${ENVV[@]}" setsid "${CMD[@]}" >>"$S/$u.log" 2>&1 </dev/null) &
    pid=$!
    echo "$pid $(starttime "$pid")" > "$S/$u.pid"
    # Type=simple: started once the process lives (give exec a moment)
    for ((i = 0; i < 5; i++)); do sleep 0.1; done
    if ! mainpid "$u" >/dev/null; then
        echo "Job for $u.service failed because the control process exited with error code." >&2
        echo "See $S/$u.log for details." >&2
        rm -f "$S/$u.pid"
        return 1
    fi
}

stop_one() {
    local u=$1 pid i extra=""
    pid=$(mainpid "$u") || { rm -f "$S/$u.pid"; return 0; }
    spec "$u"
    # pcsd units: KillMode=mixed — leftover children (workers) are killed too
    case $u in pcsd|pcsd-ruby) extra=$(kids "$pid") ;; esac
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < STOP * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "$u.service: State 'stop-sigterm' timed out. Killing." >&2
        kill -KILL "$pid" 2>/dev/null
    fi
    for i in $extra; do kill -KILL "$i" 2>/dev/null; done
    rm -f "$S/$u.pid"
}

stop_unit() {
    # systemd stops python pcsd before its ruby backend (ordering After=)
    if [ "$1" = pcsd ]; then stop_one pcsd; stop_one pcsd-ruby; else stop_one "$1"; fi
    return 0
}

verb="" now=0 quiet=0 units=()
for a in "$@"; do
    case $a in
        --now) now=1 ;;
        -q|--quiet) quiet=1 ;;
        -*) ;;   # --full, --no-pager, --no-legend, --system ...
        *) if [ -z "$verb" ]; then verb=$a; else units+=("$(canon "$a")"); fi ;;
    esac
done
say() { [ "$quiet" = 1 ] || echo "$@"; }

rc=0
case $verb in
    start|stop|restart|try-restart|reload-or-restart)
        for u in "${units[@]}"; do
            if ! exists "$u"; then echo "Failed to $verb $u.service: Unit $u.service not found." >&2; rc=5; continue; fi
            case $verb in
                start) start_unit "$u" || rc=1 ;;
                stop)  stop_unit "$u" ;;
                *)     stop_unit "$u"; start_unit "$u" || rc=1 ;;
            esac
        done ;;
    enable|disable)
        for u in "${units[@]}"; do
            if ! exists "$u"; then echo "Failed to $verb unit: Unit file $u.service does not exist." >&2; rc=1; continue; fi
            if [ "$verb" = enable ]; then
                [ -e "$S/$u.enabled" ] || echo "Created symlink /etc/systemd/system/multi-user.target.wants/$u.service → /lib/systemd/system/$u.service." >&2
                : > "$S/$u.enabled"
                [ "$now" = 1 ] && { start_unit "$u" || rc=1; }
            else
                [ -e "$S/$u.enabled" ] && echo "Removed \"/etc/systemd/system/multi-user.target.wants/$u.service\"." >&2
                rm -f "$S/$u.enabled"
                [ "$now" = 1 ] && stop_unit "$u"
            fi
        done ;;
    is-active)
        for u in "${units[@]}"; do
            if exists "$u" && mainpid "$u" >/dev/null; then say active; else say inactive; rc=3; fi
        done ;;
    is-enabled)
        for u in "${units[@]}"; do
            if ! exists "$u"; then
                [ "$quiet" = 1 ] || echo "Failed to get unit file state for $u.service: No such file or directory" >&2
                rc=1
            elif [ -e "$S/$u.enabled" ]; then say enabled
            else say disabled; rc=1
            fi
        done ;;
    list-unit-files)
        printf '%-40s %-8s %s\n' "UNIT FILE" STATE PRESET
        for u in $UNITS; do
            st=disabled; [ -e "$S/$u.enabled" ] && st=enabled
            printf '%-40s %-8s %s\n' "$u.service" "$st" enabled
        done
        printf '\n%d unit files listed.\n' 4 ;;
    list-units|"")
        for u in $UNITS; do
            if mainpid "$u" >/dev/null; then st="active running"; else st="inactive dead"; fi
            printf '%-30s loaded %s\n' "$u.service" "$st"
        done ;;
    status)
        for u in "${units[@]}"; do
            if ! exists "$u"; then echo "Unit $u.service could not be found." >&2; rc=4; continue; fi
            if pid=$(mainpid "$u"); then
                printf '● %s.service\n     Active: active (running)\n   Main PID: %s\n' "$u" "$pid"
            else
                printf '○ %s.service\n     Active: inactive (dead)\n' "$u"; rc=3
            fi
        done ;;
    show)
        # only MainPID, which tests and fault injection use
        for u in "${units[@]}"; do echo "MainPID=$(mainpid "$u" || echo 0)"; done ;;
    daemon-reload|reset-failed) ;;
    is-system-running) echo offline; rc=1 ;;
    *) echo "pcmkctl lab systemctl: unsupported command '$verb'" >&2; rc=1 ;;
esac
exit $rc
