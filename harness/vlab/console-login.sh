#!/bin/bash
# The board's console login: user and password from the lab's secrets, then a
# shell; after logout the prompt comes back, like getty.
# The password is checked against a salted SHA-256 (CONSOLE_SALT, CONSOLE_HASH);
# printf is a builtin, so the typed password is on no command line.
salt=${CONSOLE_SALT:-}
hash=${CONSOLE_HASH:-}
if [ -z "$hash" ] && [ -n "${HITLESS_CONSOLE_PASSWORD:-}" ]; then
  # A board booted by a lab supervisor from before the hash: hash the password here.
  salt=$RANDOM$RANDOM$RANDOM
  hash=$(printf '%s%s' "$salt" "$HITLESS_CONSOLE_PASSWORD" | sha256sum)
  hash=${hash%% *}
fi
unset CONSOLE_SALT CONSOLE_HASH HITLESS_CONSOLE_PASSWORD
while true; do
  printf '\n%s login: ' "$HOST"
  IFS= read -r user || exit 0
  user=${user%$'\r'}
  [ -z "$user" ] && continue
  printf 'Password: '
  IFS= read -rs pass || exit 0
  pass=${pass%$'\r'}
  printf '\n'
  typed=$(printf '%s%s' "$salt" "$pass" | sha256sum)
  if [ "$user" = "$CONSOLE_USER" ] && [ -n "$hash" ] && [ "${typed%% *}" = "$hash" ]; then
    (cd /root && HOME=/root PS1='\u@\h:\w\$ ' TERM=vt100 INPUTRC="$(dirname "$0")/console.inputrc" exec bash --norc -i)
  else
    sleep 1
    printf 'Login incorrect\n'
  fi
done
