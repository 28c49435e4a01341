#!/bin/bash
# Boot of one virtual host, run as PID 1 of the host's own PID, mount and UTS
# namespaces inside its network namespace. stdout is the serial console.
# Killing this process (power cut) kills every process of the host at once.
set -u
# Only the console login gets the password check (a salted hash); nothing else started here inherits it.
console_salt=${CONSOLE_SALT:-}
console_hash=${CONSOLE_HASH:-}
# A lab supervisor started before the hash passes the password; console-login.sh hashes it.
console_legacy=${HITLESS_CONSOLE_PASSWORD:-}
unset CONSOLE_SALT CONSOLE_HASH HITLESS_CONSOLE_PASSWORD
start=$(date +%s%N)
stamp() { local now; now=$(date +%s%N); printf '[%5d.%03d] ' $(((now - start) / 1000000000)) $((((now - start) / 1000000) % 1000)); }
say() { stamp; printf '%s\r\n' "$*"; }

if [ "$ROLE" = board ]; then
  printf '\r\nhitless virtual route processor %s (slot %s)\r\n' "$HOST" "$SLOT"
  printf 'U-Boot-less boot: power on\r\n'
fi
say "hostname $HOST"
hostname "$HOST"
# Private runtime dirs: sshd's privilege separation dir, a home and logs of this host.
mount -t tmpfs -o mode=755 tmpfs /run/sshd
mkdir -p "$HOST_DIR/root" "$HOST_DIR/log"
mount --bind "$HOST_DIR/root" /root
mount --bind "$HOST_DIR/log" /var/log
# The checkout (this script, the daemon, the console login) stays visible
# when it lives under /tmp, as a CI clone may.
checkout=$(cd "$(dirname "$0")/../.." && pwd)
keep=""
case "$checkout/" in
  /tmp/*)
    keep=$(mktemp -d /run/.hitless-checkout.XXXXXX)
    mount --bind "$checkout" "$keep"
    ;;
esac
mount -t tmpfs -o mode=1777 tmpfs /tmp
if [ -n "$keep" ]; then
  mkdir -p "$checkout"
  mount --move "$keep" "$checkout"
  rmdir "$keep"
fi
# A private /run/hitless, as on a real board: the daemon's status socket (default
# /run/hitless/rpd-<tap>.sock) is the board's own and gone at the next boot. The
# lab's state dir (sshd's keys and authorized_keys) stays visible at its path.
state_dir=$(dirname "$HOST_DIR")
mkdir -p /run/hitless
case "$state_dir/" in
  /run/hitless/*)
    mkdir /tmp/.lab-state
    mount --bind "$state_dir" /tmp/.lab-state
    mount -t tmpfs -o mode=755 tmpfs /run/hitless
    mkdir -p "$state_dir"
    mount --move /tmp/.lab-state "$state_dir"
    rmdir /tmp/.lab-state
    ;;
  *) mount -t tmpfs -o mode=755 tmpfs /run/hitless ;;
esac
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip link set lo up
ip addr add "$MGMT_ADDR" dev mgmt
ip link set mgmt up
if [ "$ROLE" = board ]; then
  ip link add "$FRONT" type bridge forward_delay 0 stp_state 0
  ip link set lan master "$FRONT"
  ip link set lan up
  ip link set "$FRONT" up
  [ -n "$FRONT_ADDR" ] && ip addr add "$FRONT_ADDR" dev "$FRONT"
  [ -n "$IPC_ADDR" ] && ip addr add "$IPC_ADDR" dev "$IPC"
  ip link set "$IPC" up
  say "net: mgmt $MGMT_ADDR, front $FRONT ${FRONT_ADDR:-}, ipc $IPC ${IPC_ADDR:-} up"
else
  [ -n "$LAN_ADDR" ] && ip addr add "$LAN_ADDR" dev "$LAN_IF"
  ip link set "$LAN_IF" up
  say "net: mgmt $MGMT_ADDR, $LAN_IF ${LAN_ADDR:-} up"
fi
/usr/sbin/sshd -D -e -f "$SSHD_CONFIG" 2>>/var/log/sshd.log &
say "sshd: listening on ${MGMT_ADDR%/*}:22"

if [ "$ROLE" != board ]; then
  say "ready"
  # As PID 1, bash reaps every orphan reparented to it each time a child
  # (this sleep) ends, so SSH sessions killed mid-command leave no zombies.
  while :; do
    sleep 5 &
    wait $!
  done
fi

if [ -n "$CONFIG" ] && [ -f "$CONFIG" ]; then
  # shellcheck disable=SC2086 # DAEMON is a command line
  $DAEMON --config "$CONFIG" >>/var/log/rpd.log 2>&1 &
  say "rpd: started with $CONFIG (pid $!)"
else
  say "rpd: no config at ${CONFIG:-(none)}, not started"
fi
elapsed=$((($(date +%s%N) - start) / 1000000))
if [ "$elapsed" -lt "$BOOT_MS" ]; then sleep "$(printf '%d.%03d' $(((BOOT_MS - elapsed) / 1000)) $(((BOOT_MS - elapsed) % 1000)))"; fi
say "boot complete"
printf '\r\n'
while true; do
  CONSOLE_SALT=$console_salt CONSOLE_HASH=$console_hash HITLESS_CONSOLE_PASSWORD=$console_legacy socat STDIO "EXEC:bash $LOGIN,pty,setsid,ctty,stderr,sane" 2>>/var/log/console.log
  sleep 0.2
done
