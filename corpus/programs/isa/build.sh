#!/usr/bin/env bash
# Rebuild the ISA differential fixtures:
#   gen_isa.py -> isa.S -> isa.elf, and objdump's view of it (isa.objdump.txt);
#   random.bin (seeded random bundles, reserved templates included) -> random.objdump.txt.
# objdump runs with -z so all-zero bundles are printed rather than elided as "...".
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
python3 gen_isa.py > isa.S
ia64-linux-gnu-as -xauto -o isa.o isa.S
ia64-linux-gnu-ld -o isa.elf isa.o
rm -f isa.o
ia64-linux-gnu-objdump -d -z isa.elf > isa.objdump.txt
python3 -c '
import random
rng = random.Random(4)
open("random.bin", "wb").write(b"".join(rng.getrandbits(128).to_bytes(16, "little") for _ in range(2048)))
'
ia64-linux-gnu-objdump -D -z -b binary -m ia64 random.bin > random.objdump.txt
