#!/bin/sh
# Creates the system group and user the service runs as, and its state directory.
# Shared by the .deb (preinst) and the .rpm (%pre). Honours DPKG_ROOT (dpkg --root, chrootless).
set -e

NAME=image-generation-mcp
STATE=/var/lib/image-generation-mcp
ROOT="${DPKG_ROOT:-}"

# Field 3 (the id) of NAME in passwd or group, read from the target root's files when installing into one.
id_of() {
  if [ -n "$ROOT" ]; then
    awk -F: -v n="$NAME" '$1 == n { print $3 }' "$ROOT/etc/$1"
  else
    getent "$1" "$NAME" | cut -d: -f3
  fi
}

if [ -n "$ROOT" ]; then
  set -- --prefix "$ROOT"
else
  set --
fi

if [ -z "$(id_of group)" ]; then
  groupadd --system "$@" "$NAME"
fi
if [ -z "$(id_of passwd)" ]; then
  useradd --system "$@" --gid "$(id_of group)" --home-dir "$STATE" --no-create-home \
    --shell /usr/sbin/nologin --comment "image-generation-mcp service" "$NAME"
fi
install -d -o "$(id_of passwd)" -g "$(id_of group)" -m 0750 "$ROOT$STATE"
exit 0
