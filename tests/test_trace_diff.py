"""oopsy diff on two builds that differ in one immediate (diff_a.S / diff_b.S)."""

from __future__ import annotations

import pytest
from trace_helpers import cli, record_to

from oopsy.trace.diff import diff
from oopsy.trace.tracedb import Trace


@pytest.fixture(scope="module")
def dbs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("diff")
    a = record_to(tmp, "diff_a.elf")
    b = record_to(tmp, "diff_b.elf")
    (tmp / "again").mkdir()
    a2 = record_to(tmp / "again", "diff_a.elf")
    return a, b, a2


def test_first_divergent_write(dbs):
    a, b, _ = dbs
    with Trace(a) as ta, Trace(b) as tb:
        r = diff(ta, tb)
        (mov,) = ta.db.execute(
            "SELECT s.step FROM steps AS s JOIN bundles AS b ON b.ip = s.ip "
            "WHERE 'mov r14=5' = CASE s.slot WHEN 0 THEN b.slot0 WHEN 1 THEN b.slot1 ELSE b.slot2 END").fetchone()
    assert r.step == mov
    assert r.reasons == ["register write"]
    assert (r.a.insn, r.b.insn) == ("mov r14=5", "mov r14=6")
    assert r.a.writes == ["r14=0x5"] and r.b.writes == ["r14=0x6"]
    # the loaded bundle holding mov r14: its slot 1 straddles both 8-byte halves
    assert r.initial_differences == 2


def test_identical_runs(dbs):
    a, _, a2 = dbs
    with Trace(a) as ta, Trace(a2) as tb:
        r = diff(ta, tb)
    assert r.step is None and r.initial_differences == 0
    res = cli("diff", a, a2)
    assert res.returncode == 0 and res.stdout.strip() == f"no difference in {r.steps[0]} steps"


def test_cli_diff(dbs):
    a, b, _ = dbs
    res = cli("diff", a, b)
    assert res.returncode == 1
    lines = res.stdout.splitlines()
    assert lines[0] == "note: the traces are of different images (sha256 differs)"
    assert lines[1] == "initial state: 2 memory words differ (loaded image / setup)"
    assert lines[2].startswith("first difference at step ") and lines[2].endswith(": register write")
    assert "mov r14=5" in lines[3] and lines[4].strip() == "wrote: r14=0x5"
    assert "mov r14=6" in lines[5] and lines[6].strip() == "wrote: r14=0x6"


def test_control_flow_divergence_on_the_same_image(tmp_path):
    # the same image started at _start and at poison: they part at step 0
    from oopsy.trace.record import record
    from trace_helpers import PROGRAMS

    a, b = tmp_path / "start.db", tmp_path / "poison.db"
    record(PROGRAMS / "kernel_chain.elf", a, max_steps=50)
    record(PROGRAMS / "kernel_chain.elf", b, max_steps=50, entry="poison")
    with Trace(a) as ta, Trace(b) as tb:
        r = diff(ta, tb)
    assert r.same_image and r.step == 0
    assert "control flow" in r.reasons
    assert (r.a.where, r.b.where) == ("_start+0x0", "poison+0x0")
    assert r.a.insn.startswith("alloc r32=ar.pfs") and r.b.insn == "nop.m 0x0"
