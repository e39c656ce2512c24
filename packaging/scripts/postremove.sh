#!/bin/sh
# Reloads systemd after the unit file is gone. The user, the group and /var/lib/image-generation-mcp
# (the gallery) are kept; a purge of the .deb also deletes /etc/image-generation-mcp/env.
# Shared by the .deb (postrm) and the .rpm (%postun).
set -e

ROOT="${DPKG_ROOT:-}"
if [ "${1:-}" = purge ]; then
  rm -f "$ROOT/etc/image-generation-mcp/env"
  rmdir "$ROOT/etc/image-generation-mcp" 2>/dev/null || true
fi
if [ -z "$ROOT" ] && [ -d /run/systemd/system ]; then
  systemctl daemon-reload >/dev/null 2>&1 || true
fi
exit 0
