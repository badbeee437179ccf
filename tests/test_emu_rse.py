"""The RSE of oopsy/emu/machine.py: deep recursion through the physical register file,
backing-store layout checked against the rse.h formulas (facts §3.2, §3.3)."""

from __future__ import annotations

import pytest

from oopsy.emu.faults import ISR_RS, ISR_W, GuestFault
from oopsy.emu.machine import AR_PFS, AR_RSC, CR_IFS, N_STACKED, PSR_IC, Machine
from oopsy.emu.memory import PERM_RW, Memory
from oopsy.ia64.rse import is_rnat_slot, num_regs, rnat_addr, skip_regs

# Backing store base deliberately not at a 64-slot boundary: slot 0x30 of its group.
RBS = 0xE000000000400000 + 0x30 * 8
DEPTH = 200
INS, LOCS, OUTS = 1, 5, 1  # alloc r37=ar.pfs,1,5,1,0 : r32 input, r33-r36 data, r37 pfs, r38 out


def local_value(depth: int, j: int) -> int:
    return (0xD0 << 56) | (depth << 16) | (j << 8) | 0x5A


def local_nat(depth: int, j: int) -> int:
    return 1 if (depth + j) % 5 == 0 else 0


def new_machine(hook_log: list | None = None) -> Machine:
    mem = Memory()
    mem.map(RBS & ~0x3FFF, 4 << 20, PERM_RW, pl=0)
    if hook_log is not None:
        mem.write_hook = lambda a, s, v, k: hook_log.append((a, s, v, k))
        mem.read_hook = lambda a, s, v, k: hook_log.append((a, s, v, k))
    m = Machine(mem)
    m.bsp = m.bspstore = RBS
    return m


def descend(m: Machine, depth: int, frame_bsps: list[int]) -> None:
    """One recursion level: alloc, fill locals, put depth+1 in the output, br.call."""
    pfs = m.alloc(INS, LOCS, OUTS, 0)
    m.gr[37] = pfs
    m.nat[37] = 0
    for j in range(1, 5):
        m.gr[32 + j] = local_value(depth, j)
        m.nat[32 + j] = local_nat(depth, j)
    m.gr[38] = depth + 1
    m.nat[38] = 0
    frame_bsps.append(m.bsp)
    m.call()


def ascend(m: Machine, depth: int) -> None:
    """Check this level's registers, restore ar.pfs, br.ret."""
    assert m.gr[32] == depth, f"input of depth {depth}"
    for j in range(1, 5):
        assert m.gr[32 + j] == local_value(depth, j), f"r{32 + j} at depth {depth}"
        assert m.nat[32 + j] == local_nat(depth, j), f"NaT r{32 + j} at depth {depth}"
    m.ar[AR_PFS] = m.gr[37]
    m.ret()


def expected_nat_words(frame_bsps: list[int]) -> dict[int, int]:
    """RNAT word per collection slot, from the rse.h formulas alone."""
    words: dict[int, int] = {}
    for depth, bsp in enumerate(frame_bsps):
        for j in range(LOCS + INS):
            addr = skip_regs(bsp, j)
            nat = local_nat(depth, j) if 1 <= j <= 4 else 0
            raddr = rnat_addr(addr)
            words[raddr] = words.get(raddr, 0) | (nat << ((addr >> 3) & 0x3F))
    return words


def test_200_deep_recursion_spills_and_refills():
    log: list = []
    m = new_machine(log)
    m.gr[32] = 0
    m.alloc(0, 0, 1, 0)  # the entry frame: one output carrying depth 0
    m.call()
    frame_bsps: list[int] = []
    for depth in range(DEPTH):
        descend(m, depth, frame_bsps)
        assert not m.invariants()
    # rse.h: each callee's frame starts sol registers (RNAT slots skipped) above its caller's
    for a, b in zip(frame_bsps, frame_bsps[1:]):
        assert b == skip_regs(a, INS + LOCS)
        assert not is_rnat_slot(b)
    assert m.bsp == skip_regs(frame_bsps[-1], INS + LOCS)
    spills = [e for e in log if e[3] == "rse_spill"]
    assert spills, "200 frames of 6 locals must overflow a 96-register file"
    assert m.ndirty + m.nclean + m.sof <= N_STACKED
    # every spilled register sits where skip_regs says, with its value
    for depth, bsp in enumerate(frame_bsps):
        for j in range(1, 5):
            addr = skip_regs(bsp, j)
            if addr < m.bspstore:
                assert m.mem.peek8(addr) == local_value(depth, j)
    # spill order is strictly ascending through the backing store, one write per slot
    addrs = [a for a, _, _, _ in spills]
    assert addrs == list(range(RBS, RBS + 8 * len(addrs), 8))

    m.flushrs()
    assert m.bspstore == m.bsp and m.ndirty == 0
    words = expected_nat_words(frame_bsps)
    for raddr, word in words.items():
        if raddr < m.bspstore:
            assert m.mem.peek8(raddr) == word, f"RNAT word at {raddr:#x}"
    assert len([a for a in words if a < m.bspstore]) >= 15  # ~1200 slots cross many groups
    for depth, bsp in enumerate(frame_bsps):
        for j in range(1, 5):
            assert m.mem.peek8(skip_regs(bsp, j)) == local_value(depth, j)

    log.clear()
    assert m.gr[32] == DEPTH and m.sof == OUTS
    m.ret()  # the innermost call returns at once (a leaf: no alloc)
    for depth in reversed(range(DEPTH)):
        ascend(m, depth)
        assert not m.invariants()
        # back in the caller's frame, which starts where rse.h says
        assert m.bsp == (frame_bsps[depth - 1] if depth else RBS)
    fills = [e for e in log if e[3] == "rse_fill"]
    assert fills, "returning through 200 frames must fill from the backing store"
    assert not [e for e in log if e[3] == "rse_spill"]
    assert m.bsp == RBS and m.sof == 1  # the entry frame: its single output


def test_stacked_slot_reads_registers_not_yet_spilled():
    m = new_machine()
    frame_bsps: list[int] = []
    m.alloc(0, 0, 1, 0)
    m.call()
    for depth in range(3):
        descend(m, depth, frame_bsps)
    # nothing spilled yet: the values come from the register file
    assert m.bspstore == RBS
    for depth, bsp in enumerate(frame_bsps):
        for j in range(1, 5):
            assert m.stacked_slot(skip_regs(bsp, j)) == (local_value(depth, j), local_nat(depth, j))
    m.flushrs()
    for depth, bsp in enumerate(frame_bsps):
        for j in range(1, 5):
            assert m.stacked_slot(skip_regs(bsp, j)) == (local_value(depth, j), local_nat(depth, j))


def test_spill_fault_leaves_frame_unchanged():
    mem = Memory()
    # only 8 backing-store slots are writable: the 200-deep descent must fault
    page = RBS & ~0x3FFF
    mem.map(page, 0x4000, PERM_RW, pl=0)
    m = Machine(mem)
    m.bsp = m.bspstore = page + 0x4000 - 64
    m.alloc(0, 0, 1, 0)
    m.call()
    frame_bsps: list[int] = []
    with pytest.raises(GuestFault) as info:
        for depth in range(DEPTH):
            descend(m, depth, frame_bsps)
    fault = info.value
    assert fault.kind == "data_tlb"
    assert fault.ifa == page + 0x4000
    assert fault.isr & ISR_W and fault.isr & ISR_RS
    # the faulting alloc did not change the frame: we are still in the callee of the
    # last br.call, whose frame is the caller's single output
    assert m.sof == OUTS and m.sol == 0
    assert not m.invariants()


def test_alloc_rules():
    m = new_machine()
    with pytest.raises(GuestFault):
        m.alloc(0, 90, 10, 0)  # sof > 96
    with pytest.raises(GuestFault):
        m.alloc(0, 4, 4, 16)  # sor > sof
    assert m.alloc(2, 3, 4, 8) == 0
    assert (m.sof, m.sol, m.sor) == (9, 5, 8)
    assert m.cfm == 9 | (5 << 7) | (1 << 14)


def test_call_saves_cfm_ec_and_cpl_in_pfs():
    m = new_machine()
    m.alloc(1, 2, 3, 0)
    m.ar[66] = 5  # ar.ec
    m.gr[35] = 111
    m.call()
    pfs = m.ar[AR_PFS]
    assert pfs & 0x7F == 6 and (pfs >> 7) & 0x7F == 3 and (pfs >> 52) & 0x3F == 5
    assert m.gr[32] == 111 and m.sof == 3 and m.sol == 0
    m.ar[66] = 0
    assert m.ret() == 0
    assert m.ar[66] == 5 and (m.sof, m.sol) == (6, 3) and m.gr[35] == 111


def test_rotation_and_call_keep_rotated_values():
    m = new_machine()
    m.alloc(0, 16, 2, 8)
    for i in range(18):
        m.gr[32 + i] = 100 + i
    m.pr[16] = 1
    m.rotate()
    # values move up one rotating register; r39 wraps to r32; r40+ do not rotate
    assert m.gr[32:40] == [107, 100, 101, 102, 103, 104, 105, 106]
    assert m.gr[40] == 108
    assert m.pr[17] == 1 and m.pr[16] == 0
    assert m.rrb_gr == 7 and m.rrb_pr == 47
    before = list(m.gr[32:50])
    m.call()  # callee sees unrotated physical order for predicates and its own frame
    assert m.pr[16] == 1 and m.pr[17] == 0
    assert m.gr[32:34] == before[16:18]
    m.ret()
    assert m.gr[32:50] == before
    assert m.pr[17] == 1 and m.pr[16] == 0 and m.rrb_gr == 7


def test_cover_then_rfi_frame_restore():
    m = new_machine()
    m.alloc(2, 3, 4, 0)
    for i in range(9):
        m.gr[32 + i] = 7000 + i
    bsp = m.bsp
    m.cover()  # psr.ic = 0: cr.ifs gets the frame
    assert m.cr[CR_IFS] == (1 << 63) | 9 | (5 << 7)
    assert m.bsp == skip_regs(bsp, 9) and m.sof == 0
    m.alloc(0, 4, 0, 0)
    m.gr[32] = 1
    m.restore_frame_from_ifs()
    assert m.bsp == bsp and (m.sof, m.sol) == (9, 5)
    assert m.gr[32:41] == [7000 + i for i in range(9)]


def test_cover_with_ic_leaves_ifs():
    m = new_machine()
    m.set_psr(PSR_IC)
    m.cr[CR_IFS] = 0x1234
    m.alloc(0, 2, 0, 0)
    m.cover()
    assert m.cr[CR_IFS] == 0x1234


def test_bspstore_switch_and_loadrs_like_kernel_exit():
    """Spill everything, move the backing store, reload part of it with loadrs."""
    m = new_machine()
    m.alloc(0, 0, 1, 0)
    m.call()
    frame_bsps: list[int] = []
    for depth in range(30):
        descend(m, depth, frame_bsps)
    m.cover()
    m.flushrs()
    top = m.bsp
    # loadrs of the last three frames' slots: they become dirty again (filled from memory)
    nbytes = top - frame_bsps[27]
    m.ar[AR_RSC] = nbytes << 16
    m.loadrs()
    assert m.bspstore == frame_bsps[27]
    assert m.ndirty == num_regs(frame_bsps[27], top)
    for depth in (27, 28, 29):
        for j in range(1, 5):
            value, nat = m.stacked_slot(skip_regs(frame_bsps[depth], j))
            assert (value, nat) == (local_value(depth, j), local_nat(depth, j))
    # mov ar.bspstore: the dirty registers move to a new base, bsp follows
    new_base = RBS + 0x20000 + 0x3E * 8
    m.write_ar(18, new_base)
    assert m.bsp == skip_regs(new_base, m.ndirty)
    m.flushrs()
    # the frame of depth 28 now lives relative to the new base
    moved = skip_regs(new_base, num_regs(frame_bsps[27], frame_bsps[28]))
    assert m.mem.peek8(skip_regs(moved, 1)) == local_value(28, 1)
    with pytest.raises(GuestFault):
        m.write_ar(17, 0)  # mov to ar.bsp is illegal


def test_state_hash_deterministic_and_sensitive():
    def run() -> Machine:
        m = new_machine()
        m.alloc(0, 0, 1, 0)
        m.call()
        for depth in range(40):
            descend(m, depth, [])
        return m

    a, b = run(), run()
    assert a.state_hash() == b.state_hash()
    b.mem.write8(RBS, 1, kind="kernel")
    assert a.state_hash() != b.state_hash()
    assert a.state_hash(include_memory=False) == b.state_hash(include_memory=False)
    c = run()
    c.gr[32] ^= 1  # the innermost frame's only register
    assert a.state_hash() != c.state_hash()
    snap = a.snapshot()
    h = a.state_hash()
    a.gr[34] = 99
    a.alloc(0, 1, 0, 0)
    a.restore(snap)
    assert a.state_hash() == h
    full = a.snapshot(include_memory=True)
    a.flushrs()  # writes the backing store
    assert a.state_hash() != h
    a.restore(full)
    assert a.state_hash() == h


def test_interruption_collects_state_and_rfi_returns():
    from oopsy.emu.faults import ISR_NI, ISR_R
    from oopsy.emu.machine import CR_IFA, CR_IIP, CR_IPSR, CR_ISR, CR_IVA, PSR_BN

    m = new_machine()
    user_psr = PSR_IC | PSR_BN | (3 << 32) | (1 << 17) | (1 << 36) | (1 << 27) | (1 << 14)
    m.set_psr(user_psr)
    assert m.cpl == 3 and m.mem.cpl == 3
    m.alloc(1, 3, 2, 0)
    for i in range(6):
        m.gr[32 + i] = 500 + i
    m.gr[16] = 0x1616  # bank 1, the user's
    m.cr[CR_IVA] = 0xA000000100000000
    m.ip, m.slot = 0x4000000000001230, 1
    bsp = m.bsp
    with pytest.raises(GuestFault) as info:
        m.mem.read8(0x338)
    vector = m.interrupt(info.value)
    assert vector == 0xA000000100000800 and (m.ip, m.slot) == (vector, 0)
    assert m.cr[CR_IPSR] == user_psr | (1 << 41)
    assert m.cr[CR_IIP] == 0x4000000000001230
    assert m.cr[CR_ISR] == ISR_R | (1 << 41) and m.cr[CR_IFA] == 0x338
    # psr: cpl 0, ic/i off, bank 0; dt/it/rt kept
    assert m.cpl == 0 and m.mem.cpl == 0
    assert m.psr == (1 << 17) | (1 << 36) | (1 << 27)
    assert m.gr[16] == 0 and m.other_bank[0] == 0x1616
    # the handler covers the interrupted frame (ic is off: cr.ifs records it) and works
    m.cover()
    m.alloc(0, 8, 0, 0)
    m.gr[16] = 0xBEEF
    # a nested fault with collection off only sets isr (with ni)
    nested = GuestFault("data_tlb", ifa=0x10, isr=ISR_R)
    m.slot = 2
    saved_iip = m.cr[CR_IIP]
    m.interrupt(nested)
    assert m.cr[CR_ISR] == ISR_R | ISR_NI | (2 << 41) and m.cr[CR_IIP] == saved_iip
    m.rfi()
    assert (m.ip, m.slot) == (0x4000000000001230, 1)
    assert m.psr == user_psr and m.cpl == 3
    assert m.gr[16] == 0x1616 and m.other_bank[0] == 0xBEEF
    assert m.bsp == bsp and (m.sof, m.sol) == (6, 4)
    assert m.gr[32:38] == [500 + i for i in range(6)]


def test_inlined_skip_matches_rse_h_port():
    from oopsy.emu.machine import _skip

    for base in range(0x1000, 0x1000 + 8 * 130, 8):
        for n in range(-200, 201, 7):
            assert _skip(base, n) == skip_regs(base, n)


def test_ret_into_a_larger_frame_spills_before_changing_anything():
    """br.ret to a frame larger than the file has room for (a manufactured ar.pfs):
    the mandatory spills come first, and a spill fault leaves the frame unchanged."""

    def setup(writable_slots: int) -> Machine:
        mem = Memory()
        page = RBS & ~0x3FFF
        mem.map(page, 0x4000, PERM_RW, pl=0)
        m = Machine(mem)
        m.bsp = m.bspstore = page + 0x4000 - 8 * writable_slots
        m.alloc(0, 10, 1, 0)
        for i in range(10):
            m.gr[32 + i] = 1000 + i
        m.call()
        m.alloc(0, 80, 1, 0)
        m.call()
        assert m.ndirty == 90 and m.sof == 1
        m.ar[AR_PFS] = 95 | (80 << 7)  # return into a 95-register frame
        return m

    m = setup(writable_slots=5)
    before = (m.bsp, m.cfm, m.ndirty + m.nclean)
    with pytest.raises(GuestFault) as info:
        m.ret()
    assert info.value.isr & ISR_RS
    assert (m.bsp, m.cfm) == before[:2] and not m.invariants()
    assert m.bspstore == (RBS & ~0x3FFF) + 0x4000  # the five spills that worked stay done

    m = setup(writable_slots=64)
    m.ret()
    assert (m.sof, m.sol) == (95, 80) and not m.invariants()
    assert m.nclean + m.ndirty + m.sof <= N_STACKED
    base = m.bspstore - 8 * 9
    assert [m.mem.peek8(base + 8 * i) for i in range(9)] == [1000 + i for i in range(9)]


def test_itc_counts_steps():
    m = new_machine()
    m.steps = 1000
    assert m.read_ar(44) == 1000
    m.write_ar(44, 5000)
    m.steps += 7
    assert m.read_ar(44) == 5007


def test_linux_kernel_entry_and_exit_switch_backing_stores():
    """The ivt.S SAVE_MIN / ia64_leave_kernel dance: cover, switch ar.bspstore to the
    kernel RBS (the user's dirty registers follow), run deep kernel calls, then loadrs
    the user's registers back, restore the user bspstore/rnat and rfi (facts §3.1)."""
    from oopsy.emu.machine import AR_BSPSTORE, AR_RNAT, CR_IFS

    user_rbs = RBS
    krbs = RBS + 0x100000 + 0x10 * 8
    m = new_machine()
    m.bsp = m.bspstore = user_rbs
    frame_bsps: list[int] = []
    m.alloc(0, 0, 1, 0)
    m.call()
    for depth in range(20):  # user frames, partly spilled to the user RBS already
        descend(m, depth, frame_bsps)
    syscall_pfs = m.alloc(1, 2, 3, 0)  # glibc's syscall frame: 1 in + 2 locals + 3 out
    m.gr[32:38] = [9001, 9002, 9003, 9004, 9005, 9006]
    m.nat[34] = 1
    user_sof_frame = list(m.gr[32:38])
    assert m.bspstore > user_rbs  # the oldest user registers are in the user RBS
    # -- entry
    m.cover()  # psr.ic is 0 here: cr.ifs records the syscall frame
    ifs = m.cr[CR_IFS]
    m.write_ar(AR_RSC, 0)
    user_bspstore = m.read_ar(AR_BSPSTORE)
    user_rnat = m.read_ar(AR_RNAT)
    m.write_ar(AR_BSPSTORE, krbs)
    dirty_bytes = m.bsp - krbs  # ivt.S: "r18=RSE.ndirty*8" = loadrs bytes
    # -- kernel work: deep enough to spill the user's registers into the kernel RBS
    for depth in range(40):
        m.gr[34] = m.alloc(0, 3, 1, 0)
        m.call()
    assert m.bspstore > krbs + dirty_bytes
    for _ in range(40):  # back to the first kernel frame (it never returns)
        m.ret()
        m.ar[AR_PFS] = m.gr[34]
    # -- exit (ia64_leave_kernel): empty frame, loadrs the user part, switch back, rfi
    m.alloc(0, 0, 0, 0)
    m.write_ar(AR_RSC, dirty_bytes << 16)
    m.loadrs()
    m.write_ar(AR_BSPSTORE, user_bspstore)
    m.write_ar(AR_RNAT, user_rnat)
    m.cr[CR_IFS] = ifs
    m.rfi()
    assert m.gr[32:38] == user_sof_frame and m.nat[34] == 1
    assert m.bsp == skip_regs(frame_bsps[-1], INS + LOCS)
    # the user's stack unwinds intact, through fills from the *user* backing store
    m.ar[AR_PFS] = syscall_pfs
    m.ret()
    for depth in reversed(range(20)):
        ascend(m, depth)
    m.flushrs()
    assert m.bspstore == m.bsp == RBS
