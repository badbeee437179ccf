#!/usr/bin/env bash
# Rebuild the trace tests' programs: every *.S -> *.elf (ia64-linux-gnu-as + ld).
# kernel_*.S are kernel-mode images linked in region 5 (start at cpl 0, a fault prints
# the oops), the others user programs at ld's default addresses.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
for src in *.S; do
    name="${src%.S}"
    ia64-linux-gnu-as -o "$name.o" "$src"
    case "$name" in
        kernel_*) ia64-linux-gnu-ld -Ttext=0xa000000100000000 -Tdata=0xa000000100400000 -o "$name.elf" "$name.o" ;;
        *) ia64-linux-gnu-ld -o "$name.elf" "$name.o" ;;
    esac
    rm -f "$name.o"
done
