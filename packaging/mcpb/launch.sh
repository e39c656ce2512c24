#!/bin/sh
# Starts the binary in this bundle that matches the machine (macOS and Linux; Windows runs its .exe directly).
dir=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
case "$(uname -s)-$(uname -m)" in
  Darwin-arm64) platform=darwin-arm64 ;;
  Darwin-x86_64)
    # A shell translated by Rosetta reports x86_64 on Apple silicon: prefer the native build there.
    if [ "$(sysctl -n hw.optional.arm64 2>/dev/null)" = 1 ]; then platform=darwin-arm64; else platform=darwin-x64; fi
    ;;
  Linux-x86_64) platform=linux-x64 ;;
  Linux-aarch64 | Linux-arm64) platform=linux-arm64 ;;
  *)
    echo "image-generation-mcp: this bundle has no binary for $(uname -s) $(uname -m)" >&2
    exit 1
    ;;
esac
binary="$dir/$platform/image-generation-mcp"
if [ ! -x "$binary" ]; then
  echo "image-generation-mcp: this bundle was packed without the $platform binary" >&2
  exit 1
fi
exec "$binary" "$@"
