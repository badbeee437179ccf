#!/usr/bin/env bash
# Rebuild every ia64 fixture under corpus/programs/ with binutils-ia64-linux-gnu.
# Each subdirectory owns a build.sh that assembles its .S sources and regenerates goldens.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
for script in "$here"/*/build.sh; do
    [ -e "$script" ] || continue
    echo "== ${script#$here/}"
    bash "$script"
done
