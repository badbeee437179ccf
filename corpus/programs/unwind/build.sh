#!/usr/bin/env bash
# Rebuild the unwind fixtures: frames.S -> frames.elf, and readelf -u's view of its
# unwind table (the oracle oopsy/ia64/unwind_info.py is tested against).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
ia64-linux-gnu-as -o frames.o frames.S
ia64-linux-gnu-ld -o frames.elf frames.o
rm -f frames.o
ia64-linux-gnu-readelf -u frames.elf > frames.readelf-u.txt
ia64-linux-gnu-objdump -d frames.elf > frames.objdump.txt
