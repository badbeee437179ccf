"""The step loop, the recorder hook API and determinism, on the shipped programs."""

from __future__ import annotations

import io

import pytest
from conftest import CORPUS

from oopsy.emu.run import Emulator

EMU = CORPUS / "programs" / "emu"


class ListRecorder:
    """Collects every hook call (the API documented in oopsy/emu/run.py)."""

    def __init__(self):
        self.steps, self.regs, self.mems, self.events = [], [], [], []
        self.begun = self.ended = None

    def begin(self, emu):
        self.begun = emu

    def step(self, step, ip, slot, qp):
        self.steps.append((step, ip, slot, qp))

    def reg(self, name, value, nat):
        self.regs.append((len(self.steps) - 1, name, value, nat))

    def mem(self, addr, size, value, kind):
        self.mems.append((len(self.steps) - 1, addr, size, value, kind))

    def event(self, kind, detail):
        self.events.append((len(self.steps) - 1, kind, detail))

    def end(self, result):
        self.ended = result


def test_hello_runs_and_counts_every_slot():
    out = io.StringIO()
    emu = Emulator.from_elf(EMU / "hello.elf", console=out)
    result = emu.run()
    assert out.getvalue() == "Hello from ia64!\n"
    assert (result.status, result.exit_code, result.exit_status) == ("exit", 0, 0)
    # 4 bundles before the exit break: MII, MLX (2 slots), MII, MII, then slot 1 of MMI
    assert result.steps == 3 + 2 + 3 + 3 + 2
    assert emu.machine.gr[16] == 17 and emu.machine.gr[17] == 0


def test_recorder_sees_every_step_and_the_writes():
    rec = ListRecorder()
    emu = Emulator.from_elf(EMU / "hello.elf", recorder=rec, console=io.StringIO())
    result = emu.run()
    assert rec.begun is emu and rec.ended is result
    assert [s[0] for s in rec.steps] == list(range(result.steps))
    start = emu.image.entry
    assert rec.steps[0] == (0, start, 0, 1)
    assert rec.steps[4] == (4, start + 0x10, 1, 1)  # movl is slot 1 of the MLX bundle
    names = {(step, name): value for step, name, value, nat in rec.regs}
    assert names[(4, "r34")] == emu.image.image.symbol("msg").address
    assert names[(0, "r32")] == 0  # alloc r32=ar.pfs (pfs was 0 at entry)
    assert (0, "cfm") in names and names[(0, "cfm")] == 4 | (1 << 7)
    kinds = [e[1] for e in rec.events]
    assert kinds[:3] == ["syscall", "console", "syscall_return"] and kinds[-1] == "exit"
    syscall = rec.events[0][2]
    assert syscall["nr"] == 1027 and syscall["args"][:3] == [1, names[(4, "r34")], 17]
    assert ("r8" in {n for s, n, v, _ in rec.regs if s == rec.events[0][0]})
    loader = [m for m in rec.mems if m[4] == "loader"]
    assert loader and all(m[0] == -1 for m in loader)


def test_recorded_and_unrecorded_runs_agree():
    fast = Emulator.from_elf(EMU / "hello.elf", console=io.StringIO())
    slow = Emulator.from_elf(EMU / "hello.elf", recorder=ListRecorder(), console=io.StringIO())
    a, b = fast.run(), slow.run()
    assert (a.steps, a.exit_code) == (b.steps, b.exit_code)
    assert fast.machine.state_hash() == slow.machine.state_hash()


def test_state_hash_is_deterministic_at_every_step():
    a = Emulator.from_elf(EMU / "hello.elf", console=io.StringIO())
    b = Emulator.from_elf(EMU / "hello.elf", console=io.StringIO())
    hashes = []
    for n in range(1, 14):
        ra, rb = a.run(n), b.run(n)
        assert ra.steps == rb.steps
        ha, hb = a.machine.state_hash(), b.machine.state_hash()
        assert ha == hb
        hashes.append(ha)
    assert len(set(hashes)) == len(hashes)  # every step changed something (ip at least)


def test_snapshot_restore_replays_to_the_same_state():
    emu = Emulator.from_elf(EMU / "recursion.elf", console=io.StringIO())
    emu.run(2000)
    snap = emu.snapshot()
    first = emu.run(4000)
    digest = emu.machine.state_hash()
    emu.restore(snap)
    assert emu.machine.steps == 2000
    again = emu.run(4000)
    assert (again.steps, emu.machine.state_hash()) == (first.steps, digest)
    end = emu.run()
    assert (end.status, end.exit_code) == ("exit", 94)


def test_itc_counts_steps():
    """ar.itc reads the step number of the reading instruction (facts: no host time)."""
    from oopsy.emu.execute import Context, compile_instruction
    from oopsy.ia64 import isa
    from oopsy.ia64.decode import Instruction, decode_slot

    emu = Emulator.from_elf(EMU / "hello.elf", console=io.StringIO())
    m = emu.machine
    op = next(o for o in isa.OPCODES if o.mnemonic == "mov.m" and o.operands == ("r1", "ar3"))
    raw = op.value | (14 << 6) | (44 << 20)
    got, values = decode_slot("M", raw)
    insn = Instruction(0x4000000000000002, 2, "M", "M", raw, 0, got, values)
    fn = compile_instruction(insn, Context(m, lambda imm, ip: None)).fn
    m.steps, m.slot = 1000, 0  # the loop's view: the bundle was entered at slot 0, step 1000
    fn()
    assert m.gr[14] == 1002


class HashingRecorder(ListRecorder):
    """The state hash before every step (registers and RSE; memory at the end)."""

    def begin(self, emu):
        super().begin(emu)
        self.hashes = []

    def step(self, step, ip, slot, qp):
        super().step(step, ip, slot, qp)
        self.hashes.append(self.begun.machine.state_hash(include_memory=False))



@pytest.mark.parametrize("name", ["predication", "hello_epc", "kernel_ivt", "flushrs"])
def test_two_runs_agree_at_every_step(name):
    runs = []
    for _ in range(2):
        rec = HashingRecorder()
        emu = Emulator.from_elf(EMU / f"{name}.elf", recorder=rec, console=io.StringIO())
        result = emu.run()
        runs.append((rec.hashes, result.steps, emu.machine.state_hash()))
    assert runs[0] == runs[1]
    assert len(runs[0][0]) == runs[0][1] and len(set(runs[0][0])) > runs[0][1] // 2
