"""oopsy replay: checkpoint + re-execution reaches exactly the state an uninterrupted
run has at the same step; checkpoint hashes are checked."""

from __future__ import annotations

import sqlite3

import pytest
from trace_helpers import PROGRAMS, cli, record_to

from oopsy.emu.run import Emulator
from oopsy.trace import show
from oopsy.trace.replay import Replayer
from oopsy.trace.tracedb import Trace


@pytest.fixture(scope="module")
def chain_db(tmp_path_factory):
    return record_to(tmp_path_factory.mktemp("replay"), "kernel_chain.elf", checkpoint_interval=64)


@pytest.mark.parametrize("step", [0, 1, 63, 64, 65, 300, 656, 657])
def test_seek_matches_a_straight_run(chain_db, step):
    with Trace(chain_db) as t:
        rp = Replayer(t)
        got = rp.seek(step).machine.state_hash()
        assert rp.warnings == []
    ref = Emulator.from_elf(PROGRAMS / "kernel_chain.elf")
    ref.run(max_steps=step)
    assert ref.machine.steps == step
    assert got == ref.machine.state_hash()


def test_fault_state_and_sections(chain_db):
    with Trace(chain_db) as t:
        emu = Replayer(t).seek(t.fault_step())
        m = emu.machine
        assert (m.ip, m.slot, m.gr[18]) == (0xA000000100000070, 1, 0xDEAD0000BEF0)
        assert any("=> a000000100000076:" in line and "ld8 r19=[r18]" in line for line in show.code(emu))
        assert show.stack(emu)[0].startswith("#0  a000000100000071 _start+0x71")


def test_rse_section_names_slots_and_rnat(chain_db):
    with Trace(chain_db) as t:
        rp = Replayer(t)
        # the deepest point of the recursion: the largest ar.bsp
        (step,) = t.db.execute("SELECT step FROM reg_writes WHERE reg = 'ar.bsp' ORDER BY value DESC LIMIT 1").fetchone()
        emu = rp.seek(step + 1)
        lines = show.rse(emu)
        bsp0 = t.reg_value("ar.bsp", 0)
        assert f"ndirty {emu.machine.ndirty}" in lines[0]
        rows = {line.split()[0]: line.split() for line in lines[2:]}
        assert rows[f"{bsp0 + 8:016x}"][2] == "r33"        # _start's r33 ...
        assert rows[f"{bsp0 + 8:016x}"][3] == "memory"     # ... spilled
        rnat = f"{bsp0 | 0x1F8:016x}"
        assert rows[rnat][2] == "RNAT" and "NaT collection" in " ".join(rows[rnat])


def test_verify_and_hash_mismatch_is_loud(chain_db, tmp_path):
    res = cli("replay", chain_db, "--verify")
    assert res.returncode == 0 and "every checkpoint hash matches" in res.stdout
    bad = tmp_path / "bad.db"
    bad.write_bytes(chain_db.read_bytes())
    db = sqlite3.connect(bad)
    db.execute("UPDATE checkpoints SET hash = '0123' WHERE step = 128")
    db.commit()
    db.close()
    res = cli("replay", bad, "--step", 130)
    assert res.returncode == 0
    assert "WARNING: STATE HASH MISMATCH at checkpoint 128" in res.stderr
    res = cli("replay", bad, "--verify")
    assert res.returncode == 1 and "STATE HASH MISMATCH at step 128" in res.stderr


def test_cli_replay(chain_db):
    res = cli("replay", chain_db, "--fault", "--show", "regs,rse,stack,code")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("step 657 of 658 (crashed): 0xa000000100000071 _start+0x71  ld8 r19=[r18]")
    assert "r18 : 0000dead0000bef0" in res.stdout
    for section in ("--- regs ---", "--- rse ---", "--- stack ---", "--- code ---"):
        assert section in res.stdout
    res = cli("replay", chain_db, "--step", 658)
    assert res.returncode == 1
    assert res.stderr == f"oopsy: {chain_db}: step 658 is beyond the trace (steps 0..657)\n"
    res = cli("replay", chain_db, "--show", "regs,heap")
    assert res.returncode == 1 and "--show takes regs,rse,stack,code, not heap" in res.stderr
