"""The shipped emulator programs (corpus/programs/emu): console output, exit status and
final registers against their expected files; the RSE backing store against rse.h; the
oops round trip through `oopsy decode`; the `oopsy run` command."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys

import pytest
from conftest import CORPUS, requires_binutils

from oopsy.emu.kernel import RBS_BASE
from oopsy.emu.run import Emulator, NullRecorder, run_program
from oopsy.errors import OopsyError
from oopsy.ia64 import rse
from oopsy.report import decode_text

EMU = CORPUS / "programs" / "emu"
PROGRAMS = sorted(p.stem for p in EMU.glob("*.S"))


def _expected(name: str) -> dict[str, str]:
    out = {}
    for line in (EMU / f"{name}.expected").read_text().splitlines():
        if line and not line.startswith("#"):
            key, value = line.split(None, 1)
            out[key] = value
    return out


def _register(m, name: str) -> str:
    if name == "bsp":
        return f"{m.bsp:#x}"
    if name == "bspstore":
        return f"{m.bspstore:#x}"
    if name == "pr":
        return f"{m.read_pr():#x}"
    if name == "cfm":
        return f"{m.cfm:#x}"
    if name == "ar.ccv":
        return f"{m.ar[32]:#x}"
    if name.startswith("b"):
        return f"{m.br[int(name[1:])]:#x}"
    n = int(name[1:])
    return f"{m.gr[n]:#x}" + (" nat" if m.nat[n] else "")


def test_every_program_has_expectations():
    assert set(PROGRAMS) >= {"hello", "hello_epc", "arith", "loops", "predication", "recursion", "flushrs",
                             "kernel_null", "kernel_paging"}
    for name in PROGRAMS:
        assert (EMU / f"{name}.elf").exists() and (EMU / f"{name}.expected").exists(), name


@pytest.mark.parametrize("name", PROGRAMS)
def test_program(name):
    expected = _expected(name)
    console = io.StringIO()
    emu = Emulator.from_elf(EMU / f"{name}.elf", console=console)
    result = emu.run(max_steps=2_000_000)
    assert result.status == expected.pop("status")
    assert result.exit_status == int(expected.pop("exit_status"))
    assert result.steps == int(expected.pop("steps"))
    shown = console.getvalue() + (result.text if result.status in ("oops", "signal") else "")
    assert shown == (EMU / f"{name}.expected.out").read_text()
    for reg, value in expected.items():
        assert _register(emu.machine, reg) == value, reg
    assert emu.machine.invariants() == []


def test_recursion_spills_and_fills_through_the_backing_store():
    """At the deepest call, every frame's `n` sits where rse.h puts it: frame d (n =
    300 - d) has its r32 at skip_regs(base, 1 + 5 d) and its local copy of n (r35, set
    in frames that recursed) three registers above; the spilled part is in memory."""

    class Counter:
        def __init__(self):
            self.kinds = {}
            self.deepest = None

        def begin(self, emu):
            self.sum_done = emu.image.image.symbol("sum").address

        def step(self, step, ip, slot, qp):
            self.last = (step, ip, slot, qp)

        def reg(self, name, value, nat):
            if name == "r8" and value == 0 and self.deepest is None:
                self.deepest = self.last[0]

        def mem(self, addr, size, value, kind):
            self.kinds[kind] = self.kinds.get(kind, 0) + 1

        def event(self, kind, detail):
            pass

        def end(self, result):
            pass

    counter = Counter()
    Emulator.from_elf(EMU / "recursion.elf", recorder=counter, console=io.StringIO()).run()
    assert counter.kinds.get("rse_spill", 0) > 1200 and counter.kinds.get("rse_fill", 0) > 1200
    emu = Emulator.from_elf(EMU / "recursion.elf", console=io.StringIO())
    emu.run(max_steps=counter.deepest + 1)
    m = emu.machine
    assert m.gr[8] == 0 and m.gr[32] == 0  # sum(0) just returned its base case
    base = RBS_BASE
    assert m.bspstore > base + 8 * 64 * 10  # most of the stack left the register file
    for d in range(300):
        bsp_d = rse.skip_regs(base, 1 + 5 * d)
        addr = rse.skip_regs(bsp_d, 3)
        value, nat = m.stacked_slot(addr)
        assert (value, nat) == (300 - d, 0), d
        if addr < m.bspstore:
            assert m.mem.peek8(addr) == 300 - d
            assert not rse.is_rnat_slot(addr)
    for slot_addr in range(base + 0x1F8, m.bspstore, 0x200):  # NaT collections: no NaTs here
        assert m.mem.peek8(slot_addr) == 0
    assert m.bsp == rse.skip_regs(base, 1 + 5 * 300)


def test_flushrs_layout_matches_rse_h():
    emu = Emulator.from_elf(EMU / "flushrs.elf", console=io.StringIO())
    emu.run()
    m = emu.machine
    base = RBS_BASE
    for i in range(1, 70):
        addr = rse.skip_regs(base, i)
        assert m.mem.peek8(addr) == (0 if i == 8 else 0x1000 + i), i
    assert m.mem.peek8(base + 0x1F8) == 1 << 8  # r40's NaT in the collection word
    assert m.gr[18] == rse.skip_regs(base, 70) == base + 8 * 71


@pytest.mark.parametrize("name", ["kernel_null", "kernel_paging"])
def test_oops_round_trip(name):
    emu = Emulator.from_elf(EMU / f"{name}.elf", console=io.StringIO())
    result = emu.run()
    (report,) = decode_text(result.text.encode(), name).reports
    m = emu.machine
    assert report.registers["ip"] == m.ip | m.slot
    assert report.ip["slot"] == m.slot
    for n in (1, 2, 3) + tuple(range(8, 32)):
        assert report.registers[f"r{n}"] == m.gr[n], n
    assert report.registers["b0"] == m.br[0] and report.registers["pr"] == m.read_pr()
    assert report.registers["ifs"] == (1 << 63) | m.cfm
    frames = emu.kernel.call_trace()
    assert len(frames) >= 2
    assert [(f.ip, f.sp, f.bsp) for f in report.frames] == [(f.ip, f.sp, f.bsp) for f in frames]
    assert [f.symbol.name for f in report.frames][:2] == (
        ["read_status", "probe_device"] if name == "kernel_null" else ["list_del_entry", "start_kernel"])
    assert report.fault_address == (0x338 if name == "kernel_null" else 0xDEAD000000000100)
    assert report.kind == ("null-deref" if name == "kernel_null" else "paging-request")


def test_cli_run_elf_and_exit_status():
    proc = subprocess.run([sys.executable, "-m", "oopsy.cli", "run", str(EMU / "hello_epc.elf")],
                          capture_output=True, text=True)
    assert (proc.returncode, proc.stdout) == (3, "Hello via epc!\n")
    proc = subprocess.run([sys.executable, "-m", "oopsy.cli", "run", str(EMU / "kernel_null.elf")],
                          capture_output=True, text=True)
    assert proc.returncode == 1 and proc.stdout == (EMU / "kernel_null.expected.out").read_text()
    assert "died at step 14: data_tlb: read of unmapped 0x338" in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "oopsy.cli", "run", str(EMU / "recursion.elf"),
                           "--max-steps", "100"], capture_output=True, text=True)
    assert proc.returncode == 0 and "stopped after 100 steps" in proc.stderr


def test_cli_entry_symbol_and_bad_input(tmp_path):
    result = run_program(EMU / "recursion.elf", entry="bench_start", max_steps=50_000)
    assert result.status == "limit" and result.steps == 50_000
    with pytest.raises(Exception, match="no symbol"):
        run_program(EMU / "recursion.elf", entry="nosuch")
    from oopsy.symbols.elf import ElfImage

    bench = ElfImage(EMU / "recursion.elf").symbol("bench_start").address
    by_address = run_program(EMU / "recursion.elf", entry=f"{bench:#x}", max_steps=50_000)
    assert by_address.steps == 50_000
    bad = tmp_path / "bad.elf"
    bad.write_bytes(b"not an elf")
    proc = subprocess.run([sys.executable, "-m", "oopsy.cli", "run", str(bad)], capture_output=True, text=True)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and proc.stderr.startswith("oopsy:")


def test_run_source_without_binutils_is_a_clear_error(tmp_path, monkeypatch):
    import oopsy.emu.run as run_module

    src = tmp_path / "prog.S"
    src.write_text("\tnop.m 0\n")
    monkeypatch.setattr(run_module.shutil, "which", lambda name: None)
    with pytest.raises(OopsyError, match="binutils-ia64-linux-gnu"):
        run_program(src)


@requires_binutils
def test_run_assembles_a_source(tmp_path):
    src = tmp_path / "prog.S"
    shutil.copy(EMU / "hello.S", src)
    result = run_program(src, console=io.StringIO())
    assert (result.status, result.console) == ("exit", b"Hello from ia64!\n")
    kernel = tmp_path / "crash.S"  # defines start_kernel: linked as a kernel image, runs at cpl 0
    shutil.copy(EMU / "kernel_null.S", kernel)
    result = run_program(kernel)
    assert result.status == "oops"
    assert result.text.replace("crash[1]", "kernel_null[1]").replace("Comm: crash ", "Comm: kernel_null ") == (
        EMU / "kernel_null.expected.out").read_text()
    broken = tmp_path / "broken.S"
    broken.write_text("\tnot_an_instruction r1\n")
    with pytest.raises(Exception, match="ia64-linux-gnu-as"):
        run_program(broken)


class ShadowRecorder(NullRecorder):
    """Rebuilds the register file from the hook's reports alone."""

    def begin(self, emu):
        m = emu.machine
        self.shadow = _named_registers(m)
        self.steps = 0

    def step(self, step, ip, slot, qp):
        assert step == self.steps
        self.steps += 1

    def reg(self, name, value, nat):
        self.shadow[name] = (value, nat)


def _named_registers(m) -> dict[str, tuple[int, int]]:
    from oopsy.emu.run import _SECTION_NAMES, register_state

    state = register_state(m)
    out = {}
    for k, names in enumerate(_SECTION_NAMES):
        if names is None:
            continue
        for i, name in enumerate(names):
            out[name] = (state[k][i], state[1][i] if k == 0 else 0)
    return out


@pytest.mark.parametrize("name", PROGRAMS)
def test_recorded_run_matches_and_reports_every_write(name):
    fast = Emulator.from_elf(EMU / f"{name}.elf", console=io.StringIO())
    rec = ShadowRecorder()
    slow = Emulator.from_elf(EMU / f"{name}.elf", recorder=rec, console=io.StringIO())
    a, b = fast.run(max_steps=2_000_000), slow.run(max_steps=2_000_000)
    assert (a.status, a.steps, a.exit_status, a.text) == (b.status, b.steps, b.exit_status, b.text)
    assert fast.machine.state_hash() == slow.machine.state_hash()
    assert rec.steps == b.steps
    final = _named_registers(slow.machine)
    live = {f"r{i}" for i in range(32 + slow.machine.sof)}
    for reg, value in final.items():
        if reg.startswith("r") and reg not in live or reg == "ar.itc":
            continue
        assert rec.shadow[reg] == value, reg


def test_unaligned_emulation_is_recorded_as_the_store():
    class Rec(ShadowRecorder):
        def __init__(self):
            self.mems, self.events, self.steps = [], [], 0

        def mem(self, addr, size, value, kind):
            self.mems.append((self.steps - 1, addr, size, value, kind))

        def event(self, kind, detail):
            self.events.append((self.steps - 1, kind, detail))

    rec = Rec()
    emu = Emulator.from_elf(EMU / "unaligned.elf", recorder=rec, console=io.StringIO())
    emu.run()
    buf = emu.image.image.symbol("buf").address
    unaligned = [(step, d["addr"], d["store"]) for step, kind, d in rec.events if kind == "unaligned"]
    assert [(a - buf, store) for _, a, store in unaligned] == [(1, False), (10, True), (11, False)]
    store_step = unaligned[1][0]
    assert [(a - buf, size, value, kind) for step, a, size, value, kind in rec.mems if step == store_step] == [
        (10, 4, 0x01020304, "cpu")]
