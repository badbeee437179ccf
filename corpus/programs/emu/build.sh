#!/usr/bin/env bash
# Rebuild the emulator's test programs: every *.S -> *.elf (ia64-linux-gnu-as + ld).
# kernel_*.S are kernel-mode images: linked at the ia64 kernel text address in region 5
# (so they start at cpl 0 and a fault prints the oops); the others are user programs at
# ld's default addresses. Expected outputs (*.expected.*) are written by hand / checked
# by tests/test_emu_programs.py, not generated here.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
for src in *.S; do
    name="${src%.S}"
    ia64-linux-gnu-as -o "$name.o" "$src"
    case "$name" in
        kernel_*) ia64-linux-gnu-ld -e start_kernel -Ttext=0xa000000100000000 -Tdata=0xa000000100400000 -o "$name.elf" "$name.o" ;;
        *) ia64-linux-gnu-ld -o "$name.elf" "$name.o" ;;
    esac
    rm -f "$name.o"
done
