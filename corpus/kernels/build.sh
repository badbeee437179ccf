#!/usr/bin/env bash
# Rebuild the seed-scenario images: the mini-kernel (kernel.S) linked with each user
# program (user_<scenario>.S) by kernel.lds, in two variants:
#   buggy/<scenario>.elf  the kernel with that scenario's fix reverted (FIX_<X>=0)
#   fixed/<scenario>.elf  the kernel with every fix
# (the same file name in both, so the task's comm in an oops is the scenario's name)
# The two variants of a scenario must have the same layout (same symbol addresses):
# checked here, so a trace diff between them stops at the fixed instruction itself.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
declare -A FIX=([syscall-args]=FIX_ARGS [syscall-error]=FIX_ERROR [sigreturn-sp]=FIX_SP
                [page-poison]=FIX_POISON [deferred-free]=FIX_DEFERRED)
mkdir -p buggy fixed "$tmp/fixed"
ia64-linux-gnu-as -x -o "$tmp/fixed/kernel.o" kernel.S
for scenario in syscall-args syscall-error sigreturn-sp page-poison deferred-free; do
    user="user_${scenario//-/_}"
    ia64-linux-gnu-as -x -o "$tmp/$user.o" "$user.S"
    mkdir -p "$tmp/$scenario"  # same object names in both images: only the fix differs
    ia64-linux-gnu-as -x --defsym "${FIX[$scenario]}=0" -o "$tmp/$scenario/kernel.o" kernel.S
    ia64-linux-gnu-ld -z max-page-size=0x4000 -T kernel.lds -o "buggy/$scenario.elf" "$tmp/$scenario/kernel.o" "$tmp/$user.o"
    ia64-linux-gnu-ld -z max-page-size=0x4000 -T kernel.lds -o "fixed/$scenario.elf" "$tmp/fixed/kernel.o" "$tmp/$user.o"
    if ! cmp -s <(ia64-linux-gnu-nm "buggy/$scenario.elf" | grep -v " a FIX_") <(ia64-linux-gnu-nm "fixed/$scenario.elf" | grep -v " a FIX_"); then
        echo "build.sh: $scenario: buggy and fixed layouts differ" >&2
        exit 1
    fi
done
