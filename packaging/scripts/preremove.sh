#!/bin/sh
# Stops and disables the service when the package is removed (not when it is upgraded).
# Shared by the .deb (prerm: "remove") and the .rpm (%preun: 0 instances left).
set -e

case "${1:-}" in
  remove | 0)
    if [ -z "${DPKG_ROOT:-}" ] && [ -d /run/systemd/system ]; then
      systemctl disable --now image-generation-mcp.service >/dev/null 2>&1 || true
    fi
    ;;
esac
exit 0
