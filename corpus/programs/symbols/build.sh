#!/usr/bin/env bash
# Rebuild the symbolization fixtures and their addr2line goldens.
#   kernel.elf     core.S + util.S (gas -g, DWARF 3 line tables) + inline.S (hand-written
#                  DWARF 4 .debug_info with inlined subroutines, DWARF 5 line table)
#   kernel.nodbg   kernel.elf without DWARF (strip -g): symbols only
#   kernel.stripped  kernel.elf without any symbols (strip -s)
#   demo.ko        mod.S + mod2.S linked with ld -r: a module's relocatable object
#   System.map     nm -n of kernel.elf, as the kernel's scripts/mksysmap makes it
#   kallsyms.txt   a /proc/kallsyms-style dump: kernel.elf plus demo.ko loaded at a base
#   x86/           host-gcc -O2 -g C fixtures (DWARF 4 and 5) for inlining and struct members
#   *.addr2line    `addr2line -f -i -a` output for every address in *.addrs (the oracle)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
P=ia64-linux-gnu-
AS="${P}as -x -g --debug-prefix-map $here=/src/oopsy/symbols"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

$AS --gdwarf-3 core.S -o "$tmp/core.o"
$AS --gdwarf-3 util.S -o "$tmp/util.o"
$AS --gdwarf-5 inline.S -o "$tmp/inline.o"
$AS --gdwarf-4 mod.S -o "$tmp/mod.o"
$AS --gdwarf-2 mod2.S -o "$tmp/mod2.o"
${P}ld --build-id -Ttext=0xa000000100000000 -e ptrace_notify \
    "$tmp/core.o" "$tmp/util.o" "$tmp/inline.o" -o kernel.elf
${P}ld -r "$tmp/mod.o" "$tmp/mod2.o" -o demo.ko
${P}strip -g kernel.elf -o kernel.nodbg
${P}strip -s kernel.elf -o kernel.stripped

${P}nm -n kernel.elf | grep -v ' [aUw] ' > System.map
{
    ${P}nm -n kernel.elf | grep -v ' [aUw] '
    ${P}nm -n demo.ko | python3 -c "import sys
for line in sys.stdin:
    a, t, n = line.split()
    if t in 'Tt': print(f'{int(a, 16) + 0xa000000200010000:016x} {t.lower()} {n}\t[demo]')"
} > kallsyms.txt

# Oracle addresses: every slot of every .text bundle, every line-table address, and a few
# addresses outside any symbol.
text_addrs() {  # ELF -> one hex address per slot of .text
    ${P}readelf -S -W "$1" | sed 's/^ *\[ *[0-9]*\] *//' | awk '$1 == ".text" { print $3, $5 }' | while read -r addr size; do
        python3 -c "import sys; a, n = int(sys.argv[1], 16), int(sys.argv[2], 16)
for b in range(a, a + n, 16):
    for s in range(3): print(hex(b + s))" "$addr" "$size"
    done
}
line_addrs() {
    ${P}readelf --debug-dump=decodedline "$1" | awk '$3 ~ /^0x/ { print $3 }'
}
{ text_addrs kernel.elf; line_addrs kernel.elf; echo 0xa0000001000001d8; echo 0xa000000100000400; echo 0x10; } \
    | python3 -c "import sys; [print(hex(a)) for a in sorted({int(x, 16) for x in sys.stdin})]" > kernel.addrs
{ text_addrs demo.ko; line_addrs demo.ko; } \
    | python3 -c "import sys; [print(hex(a)) for a in sorted({int(x, 16) for x in sys.stdin})]" > demo.addrs
${P}addr2line -f -i -a -e kernel.elf < kernel.addrs > kernel.addr2line
${P}addr2line -f -i -a -e kernel.nodbg < kernel.addrs > kernel.nodbg.addr2line
${P}addr2line -f -i -a -j .text -e demo.ko < demo.addrs > demo.addr2line

bash x86/build.sh
