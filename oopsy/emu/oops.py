"""The ia64 oops text, exactly as Linux prints it (facts §1.1-1.4).

`format_oops` takes the interrupted state (the pt_regs fields show_regs prints, the
unwound frames) and writes the alert line of fault.c, die()'s header, print_modules(),
show_regs_print_info(), show_regs() and show_stack()'s Call Trace, byte for byte in the
kernel's formats, so `oopsy decode` reads the emulator's oopses like any other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from oopsy.ia64.unwind import call_trace_lines

PAGE_SIZE = 0x4000  # fault.c: "NULL pointer dereference" below PAGE_SIZE (16 KiB pages)
# show_regs() prints r1-r3 and r8-r31: r4-r7 live in switch_stack (facts §1.1)
PT_GENERAL = (1, 2, 3) + tuple(range(8, 32))


@dataclass
class OopsFrame:
    ip: int
    sp: int
    bsp: int


@dataclass
class OopsState:
    """What die() and show_regs() print: pt_regs fields by their pt_regs names."""

    comm: str
    pid: int
    die_text: str  # "Oops", "bugcheck!", "General Exception: ...", ...
    err: int  # printed as %ld (cr.isr for faults)
    pt: dict[str, int]  # cr_ipsr cr_ifs cr_iip ar_unat ar_pfs ... b0 b6 b7 r1..r31 f6..f11
    counter: int = 1
    fault_address: int | None = None  # page faults: prints fault.c's alert line
    cpu: int = 0
    release: str = "6.6.0-oopsy"
    version: str = "#1"
    taint: str = "Not tainted"
    modules: Sequence[str] = ()
    hardware: str | None = "oopsy IA-64 emulator"
    frames: Sequence[OopsFrame] = ()  # kernel mode: the Call Trace
    stacked: Sequence[tuple[int, bool]] = field(default_factory=tuple)  # user mode: r32.. (value, NaT)


def _alert(address: int) -> str:
    # facts §1.4: fault.c ia64_do_page_fault()
    if address < PAGE_SIZE:
        return f"Unable to handle kernel NULL pointer dereference (address {address:016x})"
    return f"Unable to handle kernel paging request at virtual address {address:016x}"


def _rows(pairs: list[tuple[str, str]]) -> list[str]:
    return [" ".join(f"{label}: {value}" for label, value in pairs[i : i + 3])
            for i in range(0, len(pairs), 3)]


def format_oops(state: OopsState, symbolize: Callable[[int], str]) -> str:
    """The oops text; `symbolize(ip)` gives %pS (`name+0xoff/0xsize` or `0x...`)."""
    pt = state.pt
    out: list[str] = []
    if state.fault_address is not None:
        out.append(_alert(state.fault_address))
    # facts §1.3: die() "%s[%d]: %s %ld [%d]"
    out.append(f"{state.comm}[{state.pid}]: {state.die_text} {state.err} [{state.counter}]")
    # facts §1.6 print_modules(), then show_regs()' printk("\n")
    out.append("Modules linked in:" + "".join(f" {m}" for m in state.modules))
    out.append("")
    out.append(f"CPU: {state.cpu} PID: {state.pid} Comm: {state.comm[:20]} {state.taint} "
               f"{state.release} {state.version}")
    if state.hardware:
        out.append(f"Hardware name: {state.hardware}")
    ri = (pt["cr_ipsr"] >> 41) & 3
    ip = pt["cr_iip"] + ri  # facts §5: ip = cr.iip + psr.ri
    out.append(f"psr : {pt['cr_ipsr']:016x} ifs : {pt['cr_ifs']:016x} ip  : [<{ip:016x}>]    "
               f"{state.taint} ({state.release})")
    out.append(f"ip is at {symbolize(ip)}")
    out.append(f"unat: {pt['ar_unat']:016x} pfs : {pt['ar_pfs']:016x} rsc : {pt['ar_rsc']:016x}")
    out.append(f"rnat: {pt['ar_rnat']:016x} bsps: {pt['ar_bspstore']:016x} pr  : {pt['pr']:016x}")
    out.append(f"ldrs: {pt['loadrs']:016x} ccv : {pt['ar_ccv']:016x} fpsr: {pt['ar_fpsr']:016x}")
    out.append(f"csd : {pt['ar_csd']:016x} ssd : {pt['ar_ssd']:016x}")
    out.append(f"b0  : {pt['b0']:016x} b6  : {pt['b6']:016x} b7  : {pt['b7']:016x}")
    for a, b in ((6, 7), (8, 9), (10, 11)):
        fa, fb = pt.get(f"f{a}", 0), pt.get(f"f{b}", 0)
        out.append(f"{f'f{a}':<4}: {fa >> 64:05x}{fa & (2**64 - 1):016x} "
                   f"{f'f{b}':<4}: {fb >> 64:05x}{fb & (2**64 - 1):016x}")
    out.extend(_rows([(f"r{n}".ljust(4), f"{pt[f'r{n}']:016x}") for n in PT_GENERAL]))
    if (pt["cr_ipsr"] >> 32) & 3:  # user_mode(): the stacked registers, "r%-3u:%c%016lx"
        row = []
        for i, (value, nat) in enumerate(state.stacked):
            row.append(f"r{32 + i:<3}:{'*' if nat else ' '}{value:016x}")
            if i == len(state.stacked) - 1 or i % 3 == 2:
                out.append(" ".join(row))
                row = []
    else:  # show_stack() -> ia64_do_show_stack() (facts §1.2)
        out.extend(call_trace_lines(state.frames, symbolize))
    return "\n".join(out) + "\n"
