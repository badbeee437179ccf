"""Random RSE programs against a reference model with an unbounded register stack.

The reference keeps every stacked register at its backing-store address (rse.h
skip_regs, facts §3.2) and never spills: it is what the architecture promises the
program sees. The machine has a 96-register physical file with lazy mandatory spills
and fills; after any sequence of alloc / br.call / br.ret / cover+rfi / flushrs /
loadrs / backing-store edits, the current frame and (after flushrs) memory and RNAT
words must agree with the reference.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oopsy.emu.machine import AR_PFS, AR_RSC, CR_IFS, Machine
from oopsy.emu.memory import PERM_RW, Memory
from oopsy.ia64.rse import is_rnat_slot, rnat_addr, skip_regs

RBS = 0x6000000000400000


class Reference:
    def __init__(self, start: int):
        self.regs: dict[int, tuple[int, int]] = {}
        self.bsp = start
        self.sof = 0
        self.sol = 0
        self.sor = 0
        self.rrb = 0
        self.callers: list[tuple[int, int, int, int]] = []  # (sof, sol, sor, rrb) below

    def addr(self, k: int) -> int:
        """Backing address of physical position k of the current frame."""
        return skip_regs(self.bsp, k)

    def logical(self, k: int) -> int:
        """Backing address of logical r(32+k): rotation by rrb.gr inside sor (facts §3.3)."""
        return self.addr((k + self.rrb) % self.sor if k < self.sor else k)


ops = st.lists(
    st.one_of(
        st.tuples(st.just("alloc"), st.integers(0, 8), st.integers(0, 40), st.integers(0, 8), st.integers(0, 3)),
        st.tuples(st.just("rotate")),
        st.tuples(st.just("call")),
        st.tuples(st.just("ret")),
        st.tuples(st.just("cover_rfi")),
        st.tuples(st.just("flushrs")),
        st.tuples(st.just("flush_edit_reload"), st.integers(0, 10_000)),
        st.tuples(st.just("write"), st.integers(0, 95), st.integers(0, 2**64 - 1), st.booleans()),
    ),
    max_size=60,
)


def ref_return(ref: Reference) -> None:
    """br.ret in the reference: only the caller's locals are preserved; its outputs
    beyond the end of the callee's (possibly shrunk) frame are undefined."""
    callee_end = skip_regs(ref.bsp, ref.sof)
    ref.sof, ref.sol, ref.sor, ref.rrb = ref.callers.pop()
    ref.bsp = skip_regs(ref.bsp, -ref.sol)
    for k in range(ref.sol, ref.sof):
        if ref.addr(k) >= callee_end:
            ref.regs.pop(ref.addr(k), None)


def check_frame(m: Machine, ref: Reference) -> None:
    assert not m.invariants()
    assert m.bsp == ref.bsp and m.sof == ref.sof and m.sol == ref.sol
    assert m.sor == ref.sor and m.rrb_gr == ref.rrb
    for k in range(ref.sof):
        want = ref.regs.get(ref.logical(k))
        if want is not None:
            assert (m.gr[32 + k], m.nat[32 + k]) == want, f"r{32 + k}"


def check_memory(m: Machine, ref: Reference) -> None:
    """After flushrs: every live register below bsp is in memory with its NaT bit."""
    assert m.bspstore == m.bsp
    addr = RBS
    while addr < ref.bsp:
        if not is_rnat_slot(addr) and addr in ref.regs:
            value, nat = ref.regs[addr]
            assert m.mem.peek8(addr) == value
            # the collection word is in memory once written, else still in ar.rnat
            word = m.mem.peek8(rnat_addr(addr)) if rnat_addr(addr) < m.bsp else m.rnat
            assert (word >> ((addr >> 3) & 0x3F)) & 1 == nat
        addr += 8


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(program=ops, start_slot=st.integers(0, 62))
def test_random_rse_programs_match_reference(program, start_slot):
    mem = Memory()
    mem.map(RBS, 1 << 20, PERM_RW, pl=0)
    m = Machine(mem)
    start = RBS + 8 * start_slot
    m.bsp = m.bspstore = start
    ref = Reference(start)
    pfs_stack: list[int] = []
    serial = 0
    for op in program:
        kind = op[0]
        if kind == "alloc":
            ins, locs, outs, rots = op[1], op[2], op[3], 8 * op[4]
            rotated = m.rrb_gr or m.rrb_fr or m.rrb_pr  # Ski: sor may change only unrotated
            if ins + locs + outs > 96 or rots > ins + locs + outs or (rots != ref.sor and rotated):
                continue
            m.alloc(ins, locs, outs, rots)
            ref.sof, ref.sol, ref.sor = ins + locs + outs, ins + locs, rots
            for k in range(ref.sof):  # give every register of the new frame a value
                serial += 1
                value, nat = (serial * 0x9E3779B97F4A7C15) & (2**64 - 1), serial % 7 == 0
                m.gr[32 + k], m.nat[32 + k] = value, int(nat)
                ref.regs[ref.logical(k)] = (value, int(nat))
        elif kind == "write":
            k = op[1]
            if k >= ref.sof:
                continue
            m.gr[32 + k], m.nat[32 + k] = op[2], int(op[3])
            ref.regs[ref.logical(k)] = (op[2], int(op[3]))
        elif kind == "rotate":
            m.rotate()
            if ref.sor:
                ref.rrb = ref.rrb - 1 if ref.rrb else ref.sor - 1
        elif kind == "call":
            m.call()
            pfs_stack.append(m.ar[AR_PFS])
            ref.callers.append((ref.sof, ref.sol, ref.sor, ref.rrb))
            ref.bsp = skip_regs(ref.bsp, ref.sol)
            ref.sof, ref.sol, ref.sor, ref.rrb = ref.sof - ref.sol, 0, 0, 0
        elif kind == "ret":
            if not pfs_stack:
                continue
            m.ar[AR_PFS] = pfs_stack.pop()
            m.ret()
            ref_return(ref)
        elif kind == "cover_rfi":
            m.cover()
            assert m.cr[CR_IFS] >> 63 and m.sof == 0
            m.restore_frame_from_ifs()
        elif kind == "flushrs":
            m.flushrs()
            check_memory(m, ref)
        elif kind == "flush_edit_reload":
            # what ptrace does: flush, edit a spilled register in memory, then make the
            # RSE forget its copies (loadrs of 0 bytes) so returns must fill from memory
            m.flushrs()
            live = [a for a in ref.regs if RBS <= a < ref.bsp]
            if live:
                target = sorted(live)[op[1] % len(live)]
                value = ref.regs[target][0] ^ 0xFFFF
                m.mem.write8(target, value, kind="kernel")
                ref.regs[target] = (value, ref.regs[target][1])
            m.ar[AR_RSC] = 0
            m.loadrs()
            assert m.ndirty == 0 and m.nclean == 0
        check_frame(m, ref)
    # unwind everything: every caller frame must come back intact
    while pfs_stack:
        m.ar[AR_PFS] = pfs_stack.pop()
        m.ret()
        ref_return(ref)
        check_frame(m, ref)
