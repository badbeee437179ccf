"""oopsy query / first, the shipped views from plain sqlite3, and bad trace files."""

from __future__ import annotations

import json
import sqlite3

import pytest
from trace_helpers import cli, record_to

from oopsy.trace.query import first_pattern
from oopsy.trace.tracedb import Trace


@pytest.fixture(scope="module")
def chain_db(tmp_path_factory):
    return record_to(tmp_path_factory.mktemp("query"), "kernel_chain.elf")


def test_first_pattern(chain_db):
    with Trace(chain_db) as t:
        hit = first_pattern(t, "0xaaaaaaaaaaaaaaaa")
        (store,) = t.db.execute("SELECT min(step) FROM steps WHERE ip = 0xa0000001000000d0 AND slot = 0").fetchone()
        assert (hit.step, hit.addr, hit.kind, hit.insn) == (store, 0xA000000100400008, "cpu", "st8 [r9]=r8,8")
        assert first_pattern(t, "0xaaaaaaaa").step == store  # a 4-byte pattern repeated in a word
        assert first_pattern(t, "0x5a5a5a5a5a5a5a5a") is None
    res = cli("first", chain_db, "--pattern", "0xaaaaaaaaaaaaaaaa")
    assert res.returncode == 0
    assert res.stdout.startswith(f"step {store}: 0xa000000100400008 = 0xaaaaaaaaaaaaaaaa (8 bytes, cpu)")
    res = cli("first", chain_db, "--pattern", "0x5a5a5a5a5a5a5a5a")
    assert res.returncode == 1


def test_views_from_plain_sqlite(chain_db):
    db = sqlite3.connect(chain_db)
    # first_pattern
    (step, addr) = db.execute("SELECT step, printf('%x', addr) FROM first_pattern "
                              "WHERE value = 0xaaaaaaaaaaaaaaaa").fetchone()
    assert addr == "a000000100400008"
    # last_writer of r14 before the fault: the movl
    fault = db.execute("SELECT value FROM meta WHERE key = 'fault_step'").fetchone()[0]
    row = db.execute("SELECT step, printf('%x', value) FROM last_writer WHERE reg = 'r14' AND step < ? "
                     "ORDER BY step DESC LIMIT 1", (fault,)).fetchone()
    (movl,) = db.execute("SELECT step FROM steps WHERE ip = 0xa000000100000020 AND slot = 1").fetchone()
    assert row == (movl, "dead0000bee8")
    # last_mem_writer of the slot the chain goes through: the st8
    row = db.execute("SELECT kind, printf('%x', value), until FROM last_mem_writer WHERE addr = 0xa000000100400000 "
                     "AND step < ? ORDER BY step DESC LIMIT 1", (fault,)).fetchone()
    assert row == ("cpu", "dead0000bef0", 1 << 62)  # never written again
    # live ranges: r17 is written once (the movl before the ld8) and never again
    (ld,) = db.execute("SELECT step FROM steps WHERE ip = 0xa000000100000050 AND slot = 1").fetchone()
    rows = db.execute("SELECT step, until FROM last_writer WHERE reg = 'r17' ORDER BY step").fetchall()
    assert rows[-1][1] == 1 << 62 and rows[-1][0] < ld


def test_query_table_and_json(chain_db):
    res = cli("query", chain_db, "SELECT step, addr, value FROM mem_writes WHERE kind='rse_spill' ORDER BY step, addr LIMIT 2")
    assert res.returncode == 0
    lines = res.stdout.splitlines()
    assert lines[0].split() == ["step", "addr", "value"] and lines[-1] == "(2 rows)"
    res = cli("query", chain_db, "SELECT reg, value FROM reg_writes WHERE reg = 'r14' AND step >= 0", "--format", "json")
    assert json.loads(res.stdout) == [{"reg": "r14", "value": 0xDEAD0000BEE8}]


def test_bad_sql_and_bad_files(chain_db, tmp_path):
    res = cli("query", chain_db, "SELECT nope FROM steps")
    assert res.returncode == 1 and res.stderr == f"oopsy: {chain_db}: SQL error: no such column: nope\n"
    text = tmp_path / "notes.txt"
    text.write_text("hello\n" * 100)
    res = cli("query", text, "SELECT 1")
    assert res.returncode == 1 and res.stderr.startswith(f"oopsy: {text}: not an oopsy trace")
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)")
    res = cli("why", other, "-r", "r1")
    assert res.returncode == 1 and res.stderr == f"oopsy: {other}: not an oopsy trace (no meta table)\n"
    newer = tmp_path / "newer.db"
    newer.write_bytes(chain_db.read_bytes())
    db = sqlite3.connect(newer)
    db.execute("UPDATE meta SET value = 99 WHERE key = 'schema_version'")
    db.commit()
    res = cli("replay", newer)
    assert res.returncode == 1
    assert res.stderr == f"oopsy: {newer}: trace schema version 99 is newer than this oopsy reads (1): upgrade oopsy\n"
    res = cli("first", tmp_path / "missing.db", "--pattern", "0x1")
    assert res.returncode == 1 and res.stderr == f"oopsy: {tmp_path / 'missing.db'}: no such trace file\n"
