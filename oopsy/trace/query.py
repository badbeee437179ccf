"""`oopsy query` (any SQL over a trace, read-only) and `oopsy first` (the first step at
which memory held a pattern)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from oopsy.errors import OopsyError
from oopsy.trace.names import KIND_IDS, to_sql
from oopsy.trace.tracedb import Trace


def run_query(path: str | Path, sql: str) -> tuple[list[str], list[tuple]]:
    """(column names, rows) of `sql` on the trace, opened read-only."""
    trace = Trace(path)  # validates that it is a trace
    trace.close()
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        cur = db.execute(sql)
        rows = cur.fetchall()
        cols = [d[0] for d in cur.description] if cur.description else []
    except sqlite3.Warning as exc:
        raise OopsyError(f"SQL: {exc}", source=str(path)) from None
    except sqlite3.Error as exc:
        raise OopsyError(f"SQL error: {exc}", source=str(path)) from None
    finally:
        db.close()
    return cols, rows


def _cell(v) -> str:
    if v is None:
        return "NULL"
    if isinstance(v, bytes):
        return f"<{len(v)} bytes>"
    return str(v)


def render_table(cols: list[str], rows: list[tuple]) -> list[str]:
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(cols)]
    numeric = [all(isinstance(r[i], (int, float)) or r[i] is None for r in rows) for i in range(len(cols))]
    def fmt(row):
        return "  ".join(v.rjust(w) if num else v.ljust(w) for v, w, num in zip(row, widths, numeric)).rstrip()
    lines = [fmt(cols), "  ".join("-" * w for w in widths)]
    lines += [fmt(r) for r in cells]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return lines


def render_json(cols: list[str], rows: list[tuple]) -> str:
    def conv(v):
        return f"<{len(v)} bytes>" if isinstance(v, bytes) else v
    return json.dumps([{c: conv(v) for c, v in zip(cols, row)} for row in rows], indent=2)


# ============================================================== first --pattern =====

@dataclass
class PatternHit:
    step: int  # -1: present in the loaded image / initial state
    addr: int
    size: int
    kind: str
    ip: int | None
    where: str
    insn: str


def parse_pattern(text: str) -> tuple[int, int]:
    """(value, size in bytes) of a hex pattern: 0xaaaa... -> size from the digits."""
    t = text.strip().lower()
    try:
        value = int(t, 16)
    except ValueError:
        raise OopsyError(f"not a hex pattern: {text!r}") from None
    digits = len(t[2:] if t.startswith("0x") else t)
    size = next(s for s in (1, 2, 4, 8) if digits <= 2 * s) if digits <= 16 else 0
    if not size or value >> 64:
        raise OopsyError(f"pattern {text!r} is wider than 64 bits")
    return value, size


def first_pattern(trace: Trace, pattern: str) -> PatternHit | None:
    """The first write that left `pattern` in memory (an aligned write of exactly that
    value, or of an 8-byte word made of the pattern repeated)."""
    value, size = parse_pattern(pattern)
    wanted = [(to_sql(value), size)]
    if size < 8:
        rep = int.from_bytes(value.to_bytes(size, "little") * (8 // size), "little")
        wanted.append((to_sql(rep), 8))
    best = None
    for v, z in wanted:
        row = trace.db.execute(
            "SELECT step, addr, size, kind FROM mem_write WHERE value = ? AND size = ? AND kind <> ? "
            "ORDER BY step LIMIT 1", (v, z, KIND_IDS["rse_fill"])).fetchone()
        if row is not None and (best is None or row[0] < best[0]):
            best = row
    if best is None:
        return None
    step, addr, size, kind = best
    from oopsy.trace.names import KIND_NAMES

    hit = PatternHit(step, addr & 0xFFFFFFFFFFFFFFFF, size, KIND_NAMES[kind], None, "", "")
    if step >= 0:
        ip, slot, _ = trace.location(step)
        hit.ip, hit.where, hit.insn = ip | slot, trace.symbolize(ip | slot), trace.instruction_text(ip, slot)
    return hit
