#!/bin/bash
# The board's console login: user and password from the lab's secrets, then a
# shell; after logout the prompt comes back, like getty.
password=$HITLESS_CONSOLE_PASSWORD
unset HITLESS_CONSOLE_PASSWORD
while true; do
  printf '\n%s login: ' "$HOST"
  IFS= read -r user || exit 0
  user=${user%$'\r'}
  [ -z "$user" ] && continue
  printf 'Password: '
  IFS= read -rs pass || exit 0
  pass=${pass%$'\r'}
  printf '\n'
  if [ "$user" = "$CONSOLE_USER" ] && [ "$pass" = "$password" ]; then
    (cd /root && HOME=/root PS1='\u@\h:\w\$ ' TERM=vt100 INPUTRC="$(dirname "$0")/console.inputrc" exec bash --norc -i)
  else
    sleep 1
    printf 'Login incorrect\n'
  fi
done
