"""Frame unwinder over memory and the register stack (facts §3.4, Linux unwind.c).

Inputs are abstract so the emulator, a core file or an oops check can all drive it:

- a `FrameReader`: `read8(addr)` for the memory stack (sp-relative saves, pt_regs) and
  `read_stacked(addr)` for a backing-store slot *through the RSE*: the value the
  stacked register at that slot holds, whether or not it has been spilled yet. Both
  return None when the address cannot be read. The emulator's machine provides one
  (`oopsy.emu.machine.MachineFrameReader`); `DictFrameReader` serves tests and dumps.
- the interrupted frame's registers as a `TopState` (ip with slot, sp = r12, bsp of
  the frame's r32, cfm, ar.pfs, branch registers, predicates, static GRs).
- the image's `UnwindTable` (oopsy.ia64.unwind_info).

Rules, from unwind.c as quoted in facts §3.4:
- a frame's bsp points at its r32; stacked register rN of it is at skip_regs(bsp, N-32);
- the caller's cfm is the frame's saved ar.pfs (pfm bits); its bsp is
  skip_regs(bsp, -caller.sol); its sp is this frame's psp; its ip is the saved rp;
- an interrupt frame (unwind info `.unwabi 3,'i'`) has pt_regs at sp+16: the
  interrupted frame's bsp is skip_regs(bsp, -ifs.sof) if pr bit 5 (PRED_NON_SYSCALL) is
  set, unchanged for a syscall; its ar.pfs, b0 and pr come from pt_regs (facts §4.2);
- stop at ip 0, an ip that is not bundle aligned, a bsp outside the given limits, a
  frame identical to the previous one, or a frame that cannot be read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from oopsy.ia64.bits import CFM_MASK
from oopsy.ia64.rse import skip_regs
from oopsy.ia64.unwind_info import FrameRules, SaveLoc, UnwindTable, evaluate

PRED_NON_SYSCALL = 5  # facts §3.4, entry.h

# facts §4.2: struct pt_regs byte offsets
PT_OFFSETS = {
    "b6": 0x00, "b7": 0x08, "r8": 0x20, "r9": 0x28, "r10": 0x30, "r11": 0x38,
    "cr_ipsr": 0x40, "cr_iip": 0x48, "cr_ifs": 0x50, "ar_unat": 0x58, "ar_pfs": 0x60,
    "ar_rsc": 0x68, "ar_rnat": 0x70, "ar_bspstore": 0x78, "pr": 0x80, "b0": 0x88,
    "loadrs": 0x90, "r1": 0x98, "r12": 0xA0, "r13": 0xA8, "ar_fpsr": 0xB0, "r15": 0xB8,
    "r14": 0xC0, "r2": 0xC8, "r3": 0xD0,
}
PT_REGS_SIZE = 0x1C0
for _n in range(16, 32):
    PT_OFFSETS[f"r{_n}"] = 0xD8 + 8 * (_n - 16)


class FrameReader(Protocol):
    def read8(self, addr: int) -> int | None: ...

    def read_stacked(self, addr: int) -> int | None: ...


class DictFrameReader:
    """A FrameReader over a dict of 8-byte words (all registers already spilled)."""

    def __init__(self, words: dict[int, int]):
        self.words = words

    def read8(self, addr: int) -> int | None:
        return self.words.get(addr)

    def read_stacked(self, addr: int) -> int | None:
        return self.words.get(addr)


@dataclass
class TopState:
    """Registers of the interrupted (innermost) frame."""

    ip: int  # bundle address + slot
    sp: int
    bsp: int  # address of this frame's r32 in the backing store (ar.bsp)
    cfm: int
    pfs: int
    br: list[int] = field(default_factory=lambda: [0] * 8)
    pr: int = 1
    gr: Callable[[int], int | None] | None = None  # static r1-r31


@dataclass(frozen=True)
class Frame:
    ip: int
    sp: int
    bsp: int
    cfm: int
    function: int | None  # start of the unwind entry covering ip, if any
    interrupt: bool = False  # this function's frame is a pt_regs interrupt frame


@dataclass
class Unwound:
    frames: list[Frame]
    stop: str  # why the walk ended


@dataclass
class _Live:
    """What is known of the registers at a frame: None = not recoverable."""

    br: list[int | None]
    pfs: int | None
    pr: int | None
    gr: Callable[[int], int | None] | None


LEAF_RULES = FrameRules({"rp": SaveLoc("br", 0, -1)})


def unwind(
    top: TopState,
    table: UnwindTable,
    reader: FrameReader,
    *,
    max_frames: int = 64,
    bsp_limits: tuple[int, int] | None = None,
    stop_ip_below: int = 0,
) -> Unwound:
    """Walk from `top` to the outermost frame the unwind information describes."""
    ip, sp, bsp, cfm = top.ip, top.sp, top.bsp, top.cfm
    live = _Live(list(top.br), top.pfs, top.pr, top.gr)
    frames: list[Frame] = []
    while True:
        entry = table.lookup(ip)
        if entry is None:
            # unwind.c: no entry = a leaf, rp in b0, pfs in ar.pfs, no memory frame;
            # usable only where those registers are known (innermost or interrupted)
            if live.br[0] is None or live.pfs is None:
                return Unwound(frames + [Frame(ip, sp, bsp, cfm, None)], "no unwind information")
            rules = LEAF_RULES
        else:
            rules = evaluate(entry.info, entry.when(ip))
        frames.append(Frame(ip, sp, bsp, cfm, entry.start if entry else None, rules.interrupt_frame))
        if len(frames) >= max_frames:
            return Unwound(frames, "frame limit")

        def fetch(loc: SaveLoc, psp: int | None) -> int | None:
            if loc.where == "gr":
                n = loc.value
                if n >= 32:
                    if n - 32 >= (cfm & 0x7F):
                        return None
                    return reader.read_stacked(skip_regs(bsp, n - 32))
                return live.gr(n) if live.gr is not None and n else (0 if n == 0 else None)
            if loc.where == "br":
                return live.br[loc.value]
            if loc.where == "sprel":
                return reader.read8(sp + loc.value)
            if loc.where == "psprel":
                return None if psp is None else reader.read8(psp + loc.value)
            return None

        psp_loc = rules.get("psp")
        psp = sp + psp_loc.value if psp_loc.where == "none" else fetch(psp_loc, None)
        if psp is None:
            return Unwound(frames, "previous sp unreadable")
        rp = fetch(rules.get("rp"), psp)
        pfs_loc = rules.get("pfs")
        pfs = live.pfs if pfs_loc.where == "none" else fetch(pfs_loc, psp)
        if rp is None or pfs is None:
            return Unwound(frames, "return address or ar.pfs not recoverable")
        if rules.interrupt_frame:
            pt = sp + 16
            pr_loc = rules.get("pr")
            pr = live.pr if pr_loc.where == "none" else fetch(pr_loc, psp)
            syscall = pr is not None and not (pr >> PRED_NON_SYSCALL) & 1
            caller_cfm = pfs & CFM_MASK  # cr.ifs of the interrupted frame
            count = 0 if syscall else caller_cfm & 0x7F
            live = _Live(
                [reader.read8(pt + PT_OFFSETS["b0"])] + [None] * 5
                + [reader.read8(pt + PT_OFFSETS["b6"]), reader.read8(pt + PT_OFFSETS["b7"])],
                reader.read8(pt + PT_OFFSETS["ar_pfs"]),
                reader.read8(pt + PT_OFFSETS["pr"]),
                _pt_regs_gr(reader, pt),
            )
        else:
            caller_cfm = pfs & CFM_MASK
            count = (caller_cfm >> 7) & 0x7F
            live = _Live([None] * 8, None, None, None)
        caller_bsp = skip_regs(bsp, -count)
        if rp == 0:
            return Unwound(frames, "ip 0")
        if rp & 0xF:
            return Unwound(frames, f"return address {rp:#x} not bundle aligned")
        if rp < stop_ip_below:
            return Unwound(frames, "reached an ip below the stop address")
        if bsp_limits is not None and not bsp_limits[0] <= caller_bsp <= bsp_limits[1]:
            return Unwound(frames, f"bsp {caller_bsp:#x} outside the register stack")
        if (rp, psp, caller_bsp) == (ip, sp, bsp):
            return Unwound(frames, "frame repeats")
        ip, sp, bsp, cfm = rp, psp, caller_bsp, caller_cfm


def _pt_regs_gr(reader: FrameReader, pt: int) -> Callable[[int], int | None]:
    def read(n: int) -> int | None:
        off = PT_OFFSETS.get(f"r{n}")
        return None if off is None else reader.read8(pt + off)

    return read


def check_bsp_chain(
    frames: list[tuple[int, int]], sol_of: Callable[[int], int | None], table: UnwindTable | None = None
) -> list[tuple[int, int, int]]:
    """Check (ip, bsp) pairs of a call trace, innermost first, against the RSE rule
    bsp_caller = skip_regs(bsp_callee, -sol_caller) (facts §3.4). `sol_of(ip)` gives the
    size of locals of the function at ip (e.g. from its alloc) or None if unknown.
    Pairs whose callee is an interrupt frame (per `table`) follow another rule and are
    skipped. Returns (index of caller, expected bsp, reported bsp) for each mismatch."""
    bad = []
    for i in range(len(frames) - 1):
        callee_ip, callee_bsp = frames[i]
        caller_ip, caller_bsp = frames[i + 1]
        if table is not None:
            entry = table.lookup(callee_ip)
            if entry is not None and evaluate(entry.info, entry.when(callee_ip)).interrupt_frame:
                continue
        sol = sol_of(caller_ip)
        if sol is None:
            continue
        expected = skip_regs(callee_bsp, -sol)
        if expected != caller_bsp:
            bad.append((i + 1, expected, caller_bsp))
    return bad


def call_trace_lines(frames: list[Frame], symbolize: Callable[[int], str | None]) -> list[str]:
    """The Call Trace block as Linux's ia64_do_show_stack prints it (facts §1.2): an
    empty line, `Call Trace:`, then two lines per frame. `symbolize(ip)` returns the
    %pS text (`func+0x30/0x80 [mod]`) or None, which prints the bare address."""
    lines = ["", "Call Trace:"]
    for frame in frames:
        if frame.ip == 0:
            break
        name = symbolize(frame.ip) or f"0x{frame.ip:x}"
        lines.append(f" [<{frame.ip:016x}>] {name}")
        lines.append(f"{'':32}sp={frame.sp:016x} bsp={frame.bsp:016x}")
    return lines


def sol_from_code(read: Callable[[int, int], bytes | None], function_start: int, ip: int) -> int | None:
    """Size of locals of the frame of the function starting at `function_start` when
    it is at `ip`: the sol of the last `alloc` in the bundles before ip (0 when none:
    br.call leaves the callee sol = 0, facts §3.3). `read(addr, 16)` returns a bundle's
    bytes or None. Straight-line scan: an alloc on a path not taken would mislead it,
    which gcc never emits (one alloc, in the prologue)."""
    from oopsy.ia64.decode import decode_bundle  # the decoder is only needed here

    sol = 0
    addr = function_start & ~0xF
    while addr < ip:
        data = read(addr, 16)
        if data is None or len(data) != 16:
            return None
        for insn in decode_bundle(data, addr).instructions:
            if insn.address >= ip:
                break
            if insn.mnemonic == "alloc":
                sol = insn.operands["sol"]
        addr += 16
    return sol
