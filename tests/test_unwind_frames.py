"""oopsy/ia64/unwind.py over a state built by running the fixture's prologues by hand on
the emulator's machine: every answer (ip, sp, bsp, cfm per frame) is known by
construction, with the backing store partly spilled, fully spilled, or not at all."""

from __future__ import annotations

import re

import pytest
from conftest import CORPUS

from oopsy.emu.loader import unwind_table
from oopsy.emu.machine import AR_PFS, CR_IFS, Machine, MachineFrameReader
from oopsy.emu.memory import PERM_RW, Memory
from oopsy.ia64.rse import skip_regs
from oopsy.ia64.unwind import PT_OFFSETS, DictFrameReader, TopState, call_trace_lines, check_bsp_chain, sol_from_code, unwind
from oopsy.symbols.elf import ElfImage

FIXTURES = CORPUS / "programs" / "unwind"
IMAGE = ElfImage(FIXTURES / "frames.elf")
TABLE = unwind_table(IMAGE)
STACK_TOP = 0x6000000000100000
RBS = 0x6000000000200000 + 0x3A * 8  # a few slots below an RNAT slot: the chain crosses it


def sym(name: str) -> int:
    return IMAGE.symbol(name).address


def return_address(caller: str) -> int:
    """The bundle after the br.call in `caller`, from the committed objdump listing."""
    text = (FIXTURES / "frames.objdump.txt").read_text()
    start, size = sym(caller), IMAGE.symbol(caller).size
    for m in re.finditer(r"^([0-9a-f]+):.*br\.call", text, re.M):
        addr = int(m.group(1), 16)
        if start <= addr < start + size:
            return (addr & ~0xF) + 16
    raise AssertionError(f"no br.call in {caller}")


class Scenario:
    """_start -> outer -> middle -> leaf, executed as the fixture code does."""

    def __init__(self, rbs: int = RBS, spill_all: bool = False):
        mem = Memory()
        mem.map(STACK_TOP - 0x8000, 0x8000, PERM_RW, pl=0)
        mem.map(rbs & ~0x3FFF, 0x8000, PERM_RW, pl=0)
        m = self.m = Machine(mem)
        m.bsp = m.bspstore = rbs
        m.gr[12] = STACK_TOP - 0x100
        self.expected = []  # (function, sp, bsp, cfm) of each caller frame, outermost first

        # _start: alloc r34=ar.pfs,0,3,1,0; mov r33=b0; adds r12=-32,r12; br.call outer
        m.gr[34] = m.alloc(0, 3, 1, 0)
        m.gr[33] = m.br[0]  # 0: _start has no caller
        m.gr[12] -= 32
        self.expected.append(("_start", m.gr[12], m.bsp, m.cfm))
        m.gr[35] = 7
        m.br[0] = return_address("_start")
        m.call()
        # outer: alloc r34=ar.pfs,1,3,1,0; mov r33=b0; adds r12=-64,r12; br.call middle
        m.gr[34] = m.alloc(1, 3, 1, 0)
        m.gr[33] = m.br[0]
        m.gr[12] -= 64
        self.expected.append(("outer", m.gr[12], m.bsp, m.cfm))
        m.gr[35] = m.gr[32] + 1
        m.br[0] = return_address("outer")
        m.call()
        # middle: alloc r36=ar.pfs,1,5,1,0; sp-=48; mov r37=b0; st8 [sp+16]=r37; unat, pr
        m.gr[36] = m.alloc(1, 5, 1, 0)
        m.gr[12] -= 48
        m.gr[37] = m.br[0]
        m.mem.write8(m.gr[12] + 16, m.gr[37])
        m.gr[38] = 0x1111
        m.gr[39] = m.read_pr()
        self.expected.append(("middle", m.gr[12], m.bsp, m.cfm))
        m.gr[40] = m.gr[32] + 2
        m.br[0] = return_address("middle")
        m.call()
        # leaf: .prologue/.body with nothing saved; stop at its second slot
        m.ip, m.slot = sym("leaf"), 1
        if spill_all:
            m.flushrs()

    def expected_frames(self):
        m = self.m
        frames = [(m.ip | m.slot, m.gr[12], m.bsp, m.cfm)]
        for (caller, sp, bsp, cfm) in reversed(self.expected):
            frames.append((return_address(caller), sp, bsp, cfm))
        return frames


def as_tuples(result):
    return [(f.ip, f.sp, f.bsp, f.cfm) for f in result.frames]


@pytest.mark.parametrize("spill_all", [False, True])
def test_unwind_through_registers_and_backing_store(spill_all):
    sc = Scenario(spill_all=spill_all)
    result = unwind(sc.m.unwind_state(), TABLE, MachineFrameReader(sc.m))
    assert as_tuples(result) == sc.expected_frames()
    assert result.stop == "ip 0"  # _start's saved rp (r33) is 0
    # leaf's empty prologue gets no table entry: it is unwound as a leaf (rp in b0)
    assert [f.function for f in result.frames] == [None] + [sym(n) for n in ("middle", "outer", "_start")]
    # rse.h: each caller's bsp is skip_regs(callee bsp, -caller sol); one crosses an RNAT slot
    bsps = [f.bsp for f in result.frames]
    assert any((b >> 9) != (a >> 9) for a, b in zip(bsps, bsps[1:]))


def test_unwind_after_a_mandatory_spill():
    """A deeper call with a 95-register frame pushes the chain out of the 96-register file."""
    sc = Scenario()
    m = sc.m
    leaf_pfs = m.ar[AR_PFS]
    m.call()
    m.alloc(0, 95, 0, 0)
    assert m.bspstore > sc.expected[-1][2]  # middle's registers were spilled by the RSE
    m.ret()
    m.ar[AR_PFS] = leaf_pfs
    result = unwind(m.unwind_state(), TABLE, MachineFrameReader(m))
    assert as_tuples(result) == sc.expected_frames()


def test_unwind_from_a_memory_dump():
    sc = Scenario(spill_all=True)
    m = sc.m
    words = {}
    for base in (STACK_TOP - 0x8000, RBS & ~0x3FFF):
        for addr in range(base, base + 0x8000, 8):
            words[addr] = m.mem.peek8(addr)
    result = unwind(m.unwind_state(), TABLE, DictFrameReader(words))
    assert as_tuples(result) == sc.expected_frames()


def test_interrupt_frame_uses_pt_regs_and_ifs_sof():
    sc = Scenario()
    m = sc.m
    middle_sp, middle_bsp, middle_cfm = sc.expected[-1][1:]
    # undo the call into leaf: we are interrupted inside middle, after its prologue
    m.ar[AR_PFS] = middle_cfm
    m.ret()
    interrupted_ip = (sym("middle") + 0x30) & ~0xF
    m.cover()  # psr.ic = 0 here: cr.ifs = middle's frame, valid
    assert m.cr[CR_IFS] & 0x7F == middle_cfm & 0x7F
    # entry code: a pt_regs frame (464 bytes) below middle's sp, described by intr's info
    sp = middle_sp - 464
    pt = sp + 16
    values = {
        "cr_iip": interrupted_ip, "cr_ifs": m.cr[CR_IFS], "ar_pfs": 0xDEAD0000 & ~0xF,
        "pr": 1 | (1 << 5), "b0": 0x4000000000000aa0, "ar_unat": 0,
    }
    for name, value in values.items():
        m.mem.write8(pt + PT_OFFSETS[name], value)
    m.gr[12] = sp
    m.alloc(0, 4, 0, 0)
    m.ip, m.slot = sym("intr"), 1
    result = unwind(m.unwind_state(), TABLE, MachineFrameReader(m))
    frames = as_tuples(result)
    assert result.frames[0].interrupt
    # the interrupted frame: cr.iip, middle's sp, bsp moved back by ifs.sof, its cfm
    assert frames[1] == (interrupted_ip, middle_sp, middle_bsp, middle_cfm & 0x7FFFFFFFFF)
    assert frames[2:] == sc.expected_frames()[2:]

    # a syscall (pr bit 5 clear): no cover was taken, bsp stays where it is
    m.mem.write8(pt + PT_OFFSETS["pr"], 1 | (1 << 4))
    result = unwind(m.unwind_state(), TABLE, MachineFrameReader(m))
    assert result.frames[1].bsp == m.bsp


def test_stops():
    sc = Scenario()
    state = sc.m.unwind_state()
    result = unwind(state, TABLE, MachineFrameReader(sc.m), max_frames=2)
    assert len(result.frames) == 2 and result.stop == "frame limit"
    result = unwind(state, TABLE, MachineFrameReader(sc.m), bsp_limits=(sc.expected[-1][2], 1 << 64))
    assert result.stop.startswith("bsp") and len(result.frames) == 2
    # a return address that is not bundle aligned ends the walk
    bad = TopState(ip=sym("leaf"), sp=state.sp, bsp=state.bsp, cfm=state.cfm, pfs=state.pfs, br=[0x1234567] + [0] * 7)
    assert unwind(bad, TABLE, MachineFrameReader(sc.m)).stop.startswith("return address")
    # an ip with no unwind entry in a caller position: reported, then stop
    bare = TopState(ip=sym("leaf"), sp=state.sp, bsp=state.bsp, cfm=state.cfm, pfs=state.pfs,
                    br=[sym("bare")] + [0] * 7)
    result = unwind(bare, TABLE, MachineFrameReader(sc.m))
    assert result.stop == "no unwind information" and result.frames[-1].ip == sym("bare")


def test_check_bsp_chain():
    sc = Scenario()
    frames = [(ip, bsp) for ip, _, bsp, _ in sc.expected_frames()]
    def sol_of(ip):
        entry = TABLE.lookup(ip)
        return sol_from_code(IMAGE.read, entry.start, ip) if entry else None

    # the decoder reads each caller's alloc: middle 1+5, outer 1+3, _start 0+3
    assert [sol_of(ip) for ip, _ in frames[1:]] == [6, 4, 3]

    assert check_bsp_chain(frames, sol_of, TABLE) == []
    broken = list(frames)
    broken[2] = (broken[2][0], broken[2][1] + 8)
    assert check_bsp_chain(broken, sol_of, TABLE) == [(2, frames[2][1], frames[2][1] + 8), (3, skip_regs(frames[2][1] + 8, -3), frames[3][1])]


def test_call_trace_text_in_linux_format():
    sc = Scenario()
    result = unwind(sc.m.unwind_state(), TABLE, MachineFrameReader(sc.m))

    def symbolize(ip):
        found = IMAGE.lookup(ip)
        if found is None:
            return None
        symbol, offset = found
        return f"{symbol.name}+{offset:#x}/{IMAGE.size_of(symbol):#x}"

    lines = call_trace_lines(result.frames, symbolize)
    assert lines[:2] == ["", "Call Trace:"]
    leaf = result.frames[0]
    assert lines[2] == f" [<{leaf.ip:016x}>] leaf+0x1/0x10"
    assert lines[3] == " " * 32 + f"sp={leaf.sp:016x} bsp={leaf.bsp:016x}"
    ret_middle = return_address("middle") - sym("middle")
    assert lines[4] == f" [<{return_address('middle'):016x}>] middle+{ret_middle:#x}/{IMAGE.symbol('middle').size:#x}"
    assert len(lines) == 2 + 2 * len(result.frames)


def test_vframe_function_on_top():
    """psp kept in a stacked register (.vframe r35), rp saved psp-relative (psp - 8)."""
    sc = Scenario()
    m = sc.m
    # middle's br.call went to vframe instead of leaf; run vframe's prologue
    m.gr[33] = m.alloc(1, 4, 0, 0)  # alloc r33=ar.pfs,1,4,0,0
    m.gr[35] = m.gr[12]  # mov r35=r12 (.vframe r35)
    m.gr[12] -= 128
    m.gr[34] = m.br[0]
    m.mem.write8(m.gr[35] - 8, m.gr[34])  # st8 [r35-8]=b0 (.savepsp rp, 8)
    m.br[0] = 0x4000000000000ff0  # b0 reused after the save: the unwinder must not use it
    m.ar[AR_PFS] = 0  # likewise ar.pfs (saved in r33)
    vframe = IMAGE.symbol("vframe").address
    m.ip, m.slot = vframe + 0x30, 0  # in the body, after the prologue's 7 slots
    result = unwind(m.unwind_state(), TABLE, MachineFrameReader(m))
    frames = as_tuples(result)
    assert frames[0] == (vframe + 0x30, m.gr[12], m.bsp, m.cfm)
    assert frames[1:] == sc.expected_frames()[1:]
    assert result.stop == "ip 0"


def test_interrupted_function_without_unwind_info():
    """A fault in `bare` (no table entry): after the interrupt frame its b0 and ar.pfs
    come from pt_regs, so the leaf rules still find its caller."""
    sc = Scenario()
    m = sc.m
    middle_sp = sc.expected[-1][1]
    leaf_bsp, leaf_cfm, leaf_pfs = m.bsp, m.cfm, m.ar[AR_PFS]
    bare = sym("bare")
    m.cover()
    sp = middle_sp - 464
    pt = sp + 16
    for name, value in {
        "cr_iip": bare, "cr_ifs": m.cr[CR_IFS], "ar_pfs": leaf_pfs, "pr": 1 | (1 << 5),
        "b0": return_address("middle"),
    }.items():
        m.mem.write8(pt + PT_OFFSETS[name], value)
    m.gr[12] = sp
    m.alloc(0, 4, 0, 0)
    m.ip, m.slot = sym("intr"), 1
    frames = as_tuples(unwind(m.unwind_state(), TABLE, MachineFrameReader(m)))
    assert frames[1] == (bare, middle_sp, leaf_bsp, leaf_cfm)
    assert frames[2:] == sc.expected_frames()[1:]
