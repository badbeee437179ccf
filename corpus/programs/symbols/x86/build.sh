#!/usr/bin/env bash
# x86_64 C fixtures from the host gcc (-O2 -g): real inlined-subroutine DWARF and struct
# types, as DWARF 4 and DWARF 5, with host addr2line goldens for every line-table address.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
for v in 4 5; do
    gcc -O2 -g -gdwarf-$v -fno-pie -no-pie -ffreestanding -fno-stack-protector \
        -fdebug-prefix-map="$here"=/src/oopsy/x86 -Iinclude -nostdlib -static \
        -Wl,--build-id ptrace.c exit.c -o "demo-dwarf$v.elf"
    {   # every line-table address and every instruction address
        readelf --debug-dump=decodedline "demo-dwarf$v.elf" | awk '$3 ~ /^0x/ { print $3 }'
        objdump -d --no-show-raw-insn "demo-dwarf$v.elf" | awk '/^ +[0-9a-f]+:/ { sub(":", "", $1); print "0x" $1 }'
    } | python3 -c "import sys; print(*sorted({int(a, 16) for a in sys.stdin}), sep='\n')" \
        | python3 -c "import sys; [print(hex(int(a))) for a in sys.stdin]" > "demo-dwarf$v.addrs"
    addr2line -f -i -a -e "demo-dwarf$v.elf" < "demo-dwarf$v.addrs" > "demo-dwarf$v.addr2line"
done
