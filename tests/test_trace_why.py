"""oopsy why on kernel_chain.elf and diff_a.elf, whose provenance chains are known by
construction (see the comments in corpus/programs/trace/*.S)."""

from __future__ import annotations

import json
import sqlite3

import pytest
from trace_helpers import cli, record_to

from oopsy.errors import OopsyError
from oopsy.trace.tracedb import Trace
from oopsy.trace.why import start_location

VALUE = 0xDEAD0000BEF0


@pytest.fixture(scope="module")
def traces(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("why")
    return {"chain": record_to(tmp, "kernel_chain.elf"), "diff_a": record_to(tmp, "diff_a.elf")}


def _chain(db, **kw):
    t = Trace(db)
    loc, before, walker = start_location(t, kw.get("register"), kw.get("address"), kw.get("step"))
    return t, walker.chain(loc, before)


def test_register_chain_through_rse_spill_and_fill(traces):
    t, chain = _chain(traces["chain"], register="r18")
    assert chain.before == t.fault_step()
    # _start's r33 lives in the backing-store slot after its r32: the initial ar.bsp + 8
    bsp0 = t.reg_value("ar.bsp", 0)
    r33_slot = f"r33@{bsp0 + 8:#x}"
    got = [(h.loc.text(), h.insn, h.value) for h in chain.hops]
    assert got == [
        ("r18", "mov r18=r33", VALUE),
        (r33_slot, "br.ret.sptk.many b0", VALUE),                    # mandatory fill
        (f"[{bsp0 + 8:#x}]", got[2][1], VALUE),                      # mandatory spill
        (r33_slot, "ld8 r33=[r17]", VALUE),
        ("[0xa000000100400000]", "st8 [r17]=r16", VALUE),
        ("r16", "adds r16=8,r15", VALUE),
        ("r15", "mov r15=r14", VALUE - 8),
        ("r14", "movl r14=0xdead0000bee8", VALUE - 8),
    ]
    hows = [h.how for h in chain.hops]
    assert hows[1].startswith("RSE fill of r33") and hows[2].startswith("RSE spill")
    assert chain.end == "immediate immu64=0xdead0000bee8"
    # the spill happened inside deep's call chain, the fill in deep's last return
    assert chain.hops[2].where.startswith("deep+") and chain.hops[1].where.startswith("deep+")
    steps = [h.step for h in chain.hops]
    assert steps == sorted(steps, reverse=True)


def test_address_chain_to_immediate(traces):
    _, chain = _chain(traces["chain"], address="0xa000000100400008")
    assert [(h.insn, h.value) for h in chain.hops] == [
        ("st8 [r9]=r8,8", 0xAAAAAAAAAAAAAAAA), ("movl r8=0xaaaaaaaaaaaaaaaa", 0xAAAAAAAAAAAAAAAA)]


def test_syscall_result_and_alu_inputs(traces):
    t, chain = _chain(traces["diff_a"], register="r17", step=None)
    assert t.status == "complete"
    assert [h.insn for h in chain.hops] == ["add r17=r16,r14", "mov r16=r8", "break.i 0x100000"]
    assert chain.hops[0].also == ["r14=0x5"]
    assert chain.hops[2].how.startswith("syscall result: write(0x1, 0x")
    assert chain.hops[2].value == 3


def test_before_a_step_and_initial_state(traces):
    t = Trace(traces["chain"])
    (ld_step,) = t.db.execute("SELECT step FROM steps WHERE ip = 0xa000000100000050 AND slot = 1").fetchone()
    loc, before, walker = start_location(t, "r17", None, ld_step)
    chain = walker.chain(loc, before)
    assert [h.insn for h in chain.hops] == ["movl r17=0xa000000100400000"]
    loc, before, walker = start_location(t, "r12", None, 5)
    chain = walker.chain(loc, before)
    assert chain.hops[0].step == -1 and chain.end == "the initial state set up by the emulated kernel"


def test_bad_questions(traces):
    t = Trace(traces["chain"])
    with pytest.raises(OopsyError, match="unknown register 'r200'"):
        start_location(t, "r200", None, None)
    with pytest.raises(OopsyError, match="beyond the trace"):
        start_location(t, "r1", None, 10**9)
    with pytest.raises(OopsyError, match="exactly one"):
        start_location(t, None, None, None)


def test_cli_why_and_origin_of_view(traces):
    db = traces["chain"]
    res = cli("why", db, "--register", "r18")
    assert res.returncode == 0, res.stderr
    assert "RSE fill of r33 from the backing store" in res.stdout
    assert "end: immediate immu64=0xdead0000bee8" in res.stdout
    res = cli("why", db, "--register", "r18", "--format", "json")
    hops = json.loads(res.stdout)["hops"]
    assert len(hops) == 8 and hops[-1]["instruction"] == "movl r14=0xdead0000bee8"
    # the chain is stored: origin_of walks it in plain SQL
    rows = sqlite3.connect(db).execute(
        "SELECT hop, location FROM origin_of WHERE start_location = 'r18' ORDER BY hop").fetchall()
    assert [r[1] for r in rows][:2] == ["r18", hops[1]["location"]] and len(rows) == 8
    res = cli("why", db, "--register", "q7")
    assert res.returncode == 1 and res.stderr.count("\n") == 1 and "unknown register 'q7'" in res.stderr


def test_alloc_target_is_a_write_even_when_unchanged(tmp_path):
    # loop.elf's deep() saves ar.pfs with `alloc r35=ar.pfs,...` in every frame; the
    # value is the same each time, and each alloc is still r35's writer
    from trace_helpers import PROGRAMS

    from oopsy.trace.record import record

    db = tmp_path / "loop.db"
    record(PROGRAMS / "loop.elf", db, max_steps=3000)
    t = Trace(db)
    allocs = [s for (s,) in t.db.execute("SELECT step FROM reg_writes WHERE reg = 'r35' AND step >= 0")
              if t.instruction_text(*t.location(s)[:2]).startswith("alloc r35=ar.pfs")]
    deep = t.elf.symbol("deep").address
    calls = t.db.execute("SELECT count(*) FROM runs WHERE ip = ?", (deep,)).fetchone()[0]
    assert len(allocs) == calls > 100  # one alloc per call of deep
    # and each br.call's b0, the same return address every time, is its own write
    call_b0 = [s for (s,) in t.db.execute("SELECT step FROM reg_writes WHERE reg = 'b0' AND step >= 0")
               if "br.call" in t.instruction_text(*t.location(s)[:2])]
    assert len(call_b0) == calls
    loc, before, walker = start_location(t, "r35", None, allocs[-1] + 1)
    chain = walker.chain(loc, before)
    assert chain.hops[0].step == allocs[-1] and chain.hops[0].insn.startswith("alloc r35=ar.pfs")
    assert chain.hops[1].loc.reg == "ar.pfs" and "br.call" in chain.hops[1].insn
