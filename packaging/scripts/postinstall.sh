#!/bin/sh
# Creates /etc/image-generation-mcp/env from env.example on first install, and restarts a running
# service after an upgrade. Shared by the .deb (postinst) and the .rpm (%post).
set -e

NAME=image-generation-mcp
ROOT="${DPKG_ROOT:-}"
ENV_FILE="$ROOT/etc/$NAME/env"

group_id() {
  if [ -n "$ROOT" ]; then
    awk -F: -v n="$NAME" '$1 == n { print $3 }' "$ROOT/etc/group"
  else
    getent group "$NAME" | cut -d: -f3
  fi
}

# dpkg passes "configure <previous version>"; rpm passes the number of installed instances.
first=no
upgrade=no
case "${1:-}" in
  configure) if [ -n "${2:-}" ]; then upgrade=yes; else first=yes; fi ;;
  1) first=yes ;;
  [2-9] | [1-9][0-9]*) upgrade=yes ;;
esac

if [ ! -e "$ENV_FILE" ] && [ -e "$ENV_FILE.example" ]; then
  install -m 0640 -o 0 -g "$(group_id)" "$ENV_FILE.example" "$ENV_FILE"
fi

if [ -z "$ROOT" ] && [ -d /run/systemd/system ]; then
  systemctl daemon-reload >/dev/null 2>&1 || true
  if [ "$upgrade" = yes ]; then
    systemctl try-restart "$NAME.service" >/dev/null 2>&1 || true
  fi
fi

if [ "$first" = yes ]; then
  cat <<NEXT
image-generation-mcp is installed. Next:
  1. edit /etc/$NAME/env (API keys, READ_ONLY, HOST/PORT, authentication)
  2. systemctl enable --now $NAME
  3. journalctl -u $NAME -f
NEXT
fi
exit 0
