"""oopsy record: the trace of kernel_chain.elf against the emulator's own hook calls."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from trace_helpers import PROGRAMS, cli, record_to

from oopsy.emu.run import Emulator
from oopsy.trace.names import from_sql
from oopsy.trace.tracedb import Trace


class Probe:
    """A recorder that keeps the raw hook calls (the reference the trace must match)."""

    def __init__(self):
        self.steps, self.regs, self.mems = [], [], []
        self.cur = -1

    def begin(self, emu):
        pass

    def step(self, step, ip, slot, qp):
        self.cur = step
        self.steps.append((step, ip, slot, qp))

    def reg(self, name, value, nat):
        self.regs.append((self.cur, name, value, nat))

    def mem(self, addr, size, value, kind):
        self.mems.append((self.cur, addr, size, value, kind))

    def event(self, kind, detail):
        pass

    def end(self, result):
        self.result = result


@pytest.fixture(scope="module")
def chain_db(tmp_path_factory):
    return record_to(tmp_path_factory.mktemp("rec"), "kernel_chain.elf", checkpoint_interval=100, batch=64)


@pytest.fixture(scope="module")
def probe():
    p = Probe()
    Emulator.from_elf(PROGRAMS / "kernel_chain.elf", recorder=p).run()
    return p


def test_meta_and_status(chain_db, probe):
    with Trace(chain_db) as t:
        assert t.status == "crashed"
        assert t.steps == probe.result.steps
        assert t.meta["result"] == "oops"
        assert t.meta["schema_version"] == 1
        assert t.meta["alat"] == "always-miss"
        assert t.meta["rse_physical_stacked"] == 96
        assert t.meta["page_size"] == 16384
        assert t.meta["checkpoint_interval"] == 100
        assert t.meta["entry"] == "0xa000000100000000"
        oops = t.events("oops")
        assert len(oops) == 1 and "Unable to handle kernel paging request at virtual address 0000dead0000bef0" in oops[0][2]["text"]
        assert t.fault_step() == t.steps - 1


def test_steps_view_expands_to_every_hook_step(chain_db, probe):
    db = sqlite3.connect(chain_db)
    rows = [(s, from_sql(ip), slot, qp) for s, ip, slot, qp in db.execute("SELECT step, ip, slot, qp FROM steps")]
    assert rows == probe.steps
    # predicated-off slots exist (deep's (p7) pair in its last frame) and are marked
    assert any(qp == 0 for *_, qp in rows)
    # far fewer run rows than steps: only taken branches start a run
    runs = db.execute("SELECT count(*) FROM runs").fetchone()[0]
    assert runs < len(rows) / 4


def test_reg_and_mem_writes_match_hooks(chain_db, probe):
    db = sqlite3.connect(chain_db)
    regs = {(s, r, v & (2**64 - 1), n) for s, r, v, n in db.execute("SELECT step, reg, value, nat FROM reg_writes WHERE step >= 0")}
    # frame operations (steps reporting cfm or ar.bsp) are reported as a superset by
    # name; the trace leaves out stacked renames at steps that move ar.bsp and rows
    # that did not change the name's value. Everything else is stored as reported.
    frame_steps = {s for s, name, *_ in probe.regs if name in ("cfm", "ar.bsp")}
    bsp_steps = {s for s, name, *_ in probe.regs if name == "ar.bsp"}
    assert regs <= set(probe.regs)
    previous = {r: (v & (2**64 - 1), n) for r, v, n in db.execute("SELECT reg, value, nat FROM reg_writes WHERE step = -1")}
    dropped = 0
    for s, name, v, n in probe.regs:
        if (s, name, v, n) not in regs:
            assert s in frame_steps, (s, name)
            stacked = name[0] == "r" and int(name[1:]) >= 32
            assert (stacked and s in bsp_steps) or previous.get(name, (0, 0)) == (v, n), (s, name)
            dropped += 1
        previous[name] = (v, n)
    assert dropped > 0
    mems = {(s, a & (2**64 - 1), z, v & (2**64 - 1), k) for s, a, z, v, k in
            db.execute("SELECT step, addr, size, value, kind FROM mem_writes WHERE step >= 0")}
    assert mems == {m for m in probe.mems if m[0] >= 0}
    kinds = dict(db.execute("SELECT kind, count(*) FROM mem_writes GROUP BY kind"))
    assert kinds["rse_spill"] > 0 and kinds["rse_fill"] > 0 and kinds["loader"] > 0 and kinds["cpu"] == 4 + 1


def test_known_writes_by_construction(chain_db):
    db = sqlite3.connect(chain_db)
    # movl r14 = 0xdead0000bee8 is slot 1 of _start+0x20 (an MLX bundle)
    (step,) = db.execute("SELECT step FROM steps WHERE ip = 0xa000000100000020 AND slot = 1").fetchone()
    assert db.execute("SELECT reg, printf('%x', value) FROM reg_writes WHERE step = ?", (step,)).fetchall() == [("r14", "dead0000bee8")]
    # poison's four stores of the pattern, 8 bytes apart from pad (slot + 8)
    rows = db.execute("SELECT printf('%x', addr) FROM mem_writes WHERE kind = 'cpu' AND value = 0xaaaaaaaaaaaaaaaa "
                      "ORDER BY step").fetchall()
    assert [r[0] for r in rows] == ["a000000100400008", "a000000100400010", "a000000100400018", "a000000100400020"]
    # every RSE spill lands in the kernel task's backing store, 8-byte aligned
    bad = db.execute("SELECT count(*) FROM mem_writes WHERE kind = 'rse_spill' AND (addr & 7 OR "
                     "printf('%x', addr) NOT LIKE 'e0000000040%')").fetchone()[0]
    assert bad == 0


def test_step_limit_leaves_interrupted_trace(tmp_path):
    db = record_to(tmp_path, "kernel_chain.elf", max_steps=100, checkpoint_interval=30)
    with Trace(db) as t:
        assert t.status == "interrupted" and t.steps == 100
        assert t.db.execute("SELECT max(step) FROM reg_write").fetchone()[0] < 100
        assert [s for (s,) in t.db.execute("SELECT step FROM checkpoints")] == [0, 30, 60, 90]


def _wait_for_steps(path, minimum, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            row = db.execute("SELECT value FROM meta WHERE key = 'steps'").fetchone()
            db.close()
            if row and row[0] >= minimum:
                return row[0]
        except sqlite3.Error:
            pass
        time.sleep(0.05)
    raise AssertionError("the recording made no progress")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_killed_recording_is_readable(tmp_path, sig):
    out = tmp_path / "killed.db"
    code = ("import sys; from oopsy.trace.record import record; "
            f"record({str(PROGRAMS / 'loop.elf')!r}, {str(out)!r}, batch=2000, checkpoint_interval=5000)")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for_steps(out, 12000)
        os.kill(proc.pid, sig)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    with Trace(out) as t:
        assert t.status == "interrupted"
        assert t.steps >= 12000
        assert t.db.execute("SELECT max(step) FROM reg_write").fetchone()[0] < t.steps
        assert t.db.execute("SELECT max(step) FROM checkpoints").fetchone()[0] <= t.steps
        ip, slot, _ = t.location(t.steps - 1)
        assert t.symbolize(ip).startswith(("_start", "deep"))
    # and the trace replays to its last step
    res = cli("replay", out, "--step", t.steps - 1, "--show", "regs")
    assert res.returncode == 0, res.stderr
    assert f"step {t.steps - 1} of {t.steps} (interrupted)" in res.stdout


def test_cli_record_prints_oops_and_summary(tmp_path):
    out = tmp_path / "run.db"
    res = cli("record", PROGRAMS / "kernel_chain.elf", "-o", out)
    assert res.returncode == 0
    assert "Unable to handle kernel paging request at virtual address 0000dead0000bef0" in res.stdout
    assert f"recorded 658 steps to {out} (status crashed)" in res.stderr
    assert not (tmp_path / "run.db-wal").exists()


def test_cli_record_bad_program(tmp_path):
    res = cli("record", tmp_path / "nope.elf", "-o", tmp_path / "x.db")
    assert res.returncode == 1
    assert res.stderr.strip() == f"oopsy: {tmp_path / 'nope.elf'}: no such file"
