#!/usr/bin/env bash
# Rebuild the seed-scenario images: the mini-kernel (kernel.S) linked with each user
# program (user_<scenario>.S) by kernel.lds, in two variants:
#   <scenario>-buggy.elf  the kernel with that scenario's fix reverted (FIX_<X>=0)
#   <scenario>-fixed.elf  the kernel with every fix
# The two variants of a scenario must have the same layout (same symbol addresses):
# checked here, so a trace diff between them stops at the fixed instruction itself.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
declare -A FIX=([syscall-args]=FIX_ARGS [syscall-error]=FIX_ERROR [sigreturn-sp]=FIX_SP
                [page-poison]=FIX_POISON [deferred-free]=FIX_DEFERRED)
ia64-linux-gnu-as -x -o "$tmp/kernel-fixed.o" kernel.S
for scenario in syscall-args syscall-error sigreturn-sp page-poison deferred-free; do
    user="user_${scenario//-/_}"
    ia64-linux-gnu-as -x -o "$tmp/$user.o" "$user.S"
    ia64-linux-gnu-as -x --defsym "${FIX[$scenario]}=0" -o "$tmp/kernel-$scenario-buggy.o" kernel.S
    ia64-linux-gnu-ld -T kernel.lds -o "$scenario-buggy.elf" "$tmp/kernel-$scenario-buggy.o" "$tmp/$user.o"
    ia64-linux-gnu-ld -T kernel.lds -o "$scenario-fixed.elf" "$tmp/kernel-fixed.o" "$tmp/$user.o"
    if ! cmp -s <(ia64-linux-gnu-nm "$scenario-buggy.elf" | grep -v " a FIX_") <(ia64-linux-gnu-nm "$scenario-fixed.elf" | grep -v " a FIX_"); then
        echo "build.sh: $scenario: buggy and fixed layouts differ" >&2
        exit 1
    fi
done
