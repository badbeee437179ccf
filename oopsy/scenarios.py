"""The seed scenarios: the five bugs of the seed story, replayed on oopsy's mini-kernel.

Each scenario is a user program (`corpus/kernels/user_<name>.S`) linked with the
mini-kernel (`corpus/kernels/kernel.S`) in two variants: `buggy`, the kernel with the
scenario's 2021 fix reverted (facts §4.3, §6), and `fixed`. The two images have the same
layout, so `oopsy diff` of their traces stops at the fixed instruction, and `oopsy why`
on the wrong value walks back to where it was made.

The kernel's tracer keeps one `struct syscall_info` record per system call
(`syscall_log`, 128 bytes each: nr, args[6], stack_pointer, rval, is_error) and prints
its address ("ptrace:   info: 0x..."), so a `why` question about a reported value is a
memory address: `syscall_log + 128 * call + field`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from oopsy.errors import OopsyError

KERNELS = Path(__file__).resolve().parent.parent / "corpus" / "kernels"
VARIANTS = ("buggy", "fixed")

# struct syscall_info field offsets (corpus/kernels/kernel.S INFO_*)
INFO_RECORD = 128
INFO_FIELDS = {"nr": 0x00, "args[0]": 0x08, "stack_pointer": 0x38, "rval": 0x40, "is_error": 0x48}


@dataclass(frozen=True)
class Scenario:
    """One seed bug. `why_register` or `why_info` (call index, syscall_info field) is
    the question to ask `why` about the wrong value (at the fault, or at the end of the
    run); `why_function` is where the answer lies and `fix_function` holds the
    instruction the fix changed (where `diff` stops)."""

    name: str
    summary: str
    story: str
    root_cause: str  # what the fix changed, one line
    fix_symbol: str  # the FIX_* assembler symbol kernel.S selects the variant with
    fix_function: str
    why_function: str
    why_register: str | None = None
    why_info: tuple[int, str] | None = None
    crashes: bool = False  # the buggy variant oopses

    def image(self, variant: str) -> Path:
        """The built image of one variant (corpus/kernels/<variant>/<name>.elf)."""
        if variant not in VARIANTS:
            raise OopsyError(f"variant must be buggy or fixed, not {variant!r}")
        path = KERNELS / variant / f"{self.name}.elf"
        if not path.exists():
            raise OopsyError("scenario image missing: run corpus/kernels/build.sh", source=str(path))
        return path

    def why_args(self, variant: str = "buggy") -> list[str]:
        """The `oopsy why` options that ask about this scenario's wrong value."""
        if self.why_register is not None:
            return ["--register", self.why_register]
        call, fld = self.why_info
        return ["--address", f"{info_address(self.image(variant), call, fld):#x}"]


def info_address(image: Path, call: int, field: str) -> int:
    """Address of `field` of the syscall_info record of system call number `call`
    (0-based) in `image`, from its symbol table."""
    from oopsy.symbols.elf import ElfImage

    sym = ElfImage(image).symbol("syscall_log")
    if sym is None:
        raise OopsyError("no syscall_log symbol: not a mini-kernel image", source=str(image))
    return sym.address + INFO_RECORD * call + INFO_FIELDS[field]


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        name="syscall-args",
        summary="ptrace reads a break syscall's arguments off by one: locals counted as outputs",
        story=("glibc's syscall() enters by `break` from a frame with one local (the number);\n"
               "syscall_get_arguments starts at ndirty instead of ndirty + sol, so args[0] is\n"
               "the syscall number 0x40a. Through the epc gate (no locals) it is right.\n"
               "Fix 0ceb1ace4a27 (facts §4.3 b): skip the locals, read the outputs only."),
        root_cause="syscall_get_arguments: first argument at ndirty, not ndirty + sol (add r40=r38,r0)",
        fix_symbol="FIX_ARGS", fix_function="syscall_get_arguments", why_function="syscall_get_arguments",
        why_info=(1, "args[0]"),
    ),
    Scenario(
        name="syscall-error",
        summary="ptrace reports a failed syscall's error with the wrong sign (r8 not negated)",
        story=("chdir() fails: r8 = ENOENT (2), r10 = -1. syscall_get_error returns r8 as is,\n"
               "so PTRACE_SYSCALL_INFO_EXIT says rval 2 instead of -2.\n"
               "Fix 61bf318eac2c (facts §4.3 a): return -r8."),
        root_cause="syscall_get_error: returns r8 instead of -r8 when r10 == -1",
        fix_symbol="FIX_ERROR", fix_function="syscall_get_error", why_function="syscall_get_error",
        why_info=(0, "rval"),
    ),
    Scenario(
        name="sigreturn-sp",
        summary="ptrace reports ar.bspstore as the stack pointer at rt_sigreturn instead of r12",
        story=("user_stack_pointer() returns pt_regs.ar_bspstore (the register backing store),\n"
               "so a tracer reading the sigframe at the reported sp finds sc_mask 0, not 0x4000.\n"
               "Fix 7ad1e3661678 (facts §4.3 c): return r12."),
        root_cause="user_stack_pointer: loads pt_regs.ar_bspstore instead of pt_regs.r12",
        fix_symbol="FIX_SP", fix_function="user_stack_pointer", why_function="syscall_common",
        why_info=(0, "stack_pointer"),
    ),
    Scenario(
        name="page-poison",
        summary="a page table page poisoned with 0xaa on free is not zeroed on allocation: oops",
        story=("page_poison=on init_on_alloc=1 init_on_free=1: pages are freed with 0xaa, and\n"
               "want_init_on_alloc skips zeroing because init_on_free 'already cleared' them.\n"
               "The page directory is full of 0xaaaa...; mmap's walk dereferences one and the\n"
               "kernel oopses at aaaaaaaaaaaaaab2 (the blog's fix 9df65f522536, facts §6)."),
        root_cause="want_init_on_free: true with page_poison=on, so want_init_on_alloc skips the zeroing",
        fix_symbol="FIX_POISON", fix_function="want_init_on_free", why_function="kernel_poison_pages",
        why_register="r36", crashes=True,
    ),
    Scenario(
        name="deferred-free",
        summary="a socket filter freed before its call_rcu callback runs: oops in the idle loop",
        story=("close() queues sk_filter_release_rcu and then frees (and poisons) the filter at\n"
               "once; the callback runs from the idle loop after the task exits and reads\n"
               "fp->prog = 0xaaaa...: the seed's sk_filter_release_rcu oops at aaaaaaaaaaaaaab2."),
        root_cause="sys_close: page_free(fp) right after call_rcu, before the callback ran",
        fix_symbol="FIX_DEFERRED", fix_function="sys_close", why_function="kernel_poison_pages",
        why_register="r15", crashes=True,
    ),
)


def get(name: str) -> Scenario:
    for s in SCENARIOS:
        if s.name == name:
            return s
    raise OopsyError(f"no scenario {name!r} (known: {', '.join(s.name for s in SCENARIOS)})")


def run(name: str, variant: str, *, max_steps: int | None = 1_000_000, console=None):
    """Run one variant unrecorded; returns the emulator's RunResult."""
    from oopsy.emu.run import Emulator

    return Emulator.from_elf(get(name).image(variant), console=console).run(max_steps)


def record(name: str, variant: str, output: str | Path, *, console=None):
    """Record one variant into the trace `output`; returns the recorder's RecordResult."""
    from oopsy.trace.record import record as record_trace

    return record_trace(get(name).image(variant), output, max_steps=1_000_000, console=console)


def listing() -> list[str]:
    """`oopsy scenarios`: one line each."""
    width = max(len(s.name) for s in SCENARIOS)
    return [f"{s.name:<{width}}  {s.summary}" for s in SCENARIOS]


def describe(name: str) -> list[str]:
    """`oopsy scenarios NAME`: the story, the images and the commands to try."""
    s = get(name)
    lines = [f"{s.name}: {s.summary}", ""] + ["  " + line for line in s.story.splitlines()]
    lines += ["", f"  root cause: {s.root_cause}", ""]
    for v in VARIANTS:
        lines.append(f"  {v:<5}  {s.image(v)}")
    b, f = f"{s.name}-buggy.db", f"{s.name}-fixed.db"
    lines += ["", "try:",
              f"  oopsy scenarios {s.name} --variant buggy -o {b}",
              f"  oopsy scenarios {s.name} --variant fixed -o {f}",
              f"  oopsy why {b} {' '.join(s.why_args())}",
              f"  oopsy diff {b} {f}"]
    if s.crashes:
        lines.append(f"  oopsy first {b} --pattern 0xaaaaaaaaaaaaaaaa")
    return lines


__all__ = ["Scenario", "SCENARIOS", "VARIANTS", "KERNELS", "get", "run", "record", "listing", "describe",
           "info_address"]
