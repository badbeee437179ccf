"""`oopsy diff`: the first step at which two traces part ways.

Two traces diverge where the control flow differs (a `runs` row — a taken branch or an
interruption — present in one and not the other, or a predicate that differs: the
`skipped` table) or where a step writes a different value (or a different set of
registers / memory words). Both are found in SQLite with the second trace ATTACHed:
an EXCEPT in both directions over each table, bounded by the shorter trace, so the
work happens in C over the clustered keys. Step -1 (the loaded image and the initial
state) is compared separately: two builds of a program differ there by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

from oopsy.errors import OopsyError
from oopsy.trace.names import KIND_NAMES, REG_NAMES
from oopsy.trace.tracedb import Trace

_M64 = (1 << 64) - 1

_TABLES = (
    ("runs", "step, ip, slot", "control flow"),
    ("skipped", "step", "predicate"),
    ("reg_write", "step, reg, value, nat", "register write"),
    ("mem_write", "step, addr, kind, size, value", "memory write"),
)


@dataclass
class Side:
    step: int
    ip: int
    slot: int
    qp: int
    where: str
    insn: str
    writes: list[str]


@dataclass
class DiffResult:
    step: int | None  # first divergent step (None: identical up to the shorter end)
    reasons: list[str]
    a: Side | None
    b: Side | None
    initial_differences: int
    steps: tuple[int, int]
    same_image: bool = True


def _first_difference(db, table: str, cols: str, limit: int) -> int | None:
    sql = (f"SELECT min(step) FROM (SELECT {cols} FROM main.{table} WHERE step >= 0 AND step < :n "
           f"EXCEPT SELECT {cols} FROM other.{table} WHERE step >= 0 AND step < :n)")
    m1 = db.execute(sql, {"n": limit}).fetchone()[0]
    sql2 = sql.replace("main.", "@@").replace("other.", "main.").replace("@@", "other.")
    m2 = db.execute(sql2, {"n": limit}).fetchone()[0]
    found = [m for m in (m1, m2) if m is not None]
    return min(found) if found else None


def _writes(trace: Trace, step: int) -> list[str]:
    out = []
    for reg, value, nat in trace.db.execute(
            "SELECT reg, value, nat FROM reg_write WHERE reg IN (SELECT id FROM registers) AND step = ?", (step,)):
        out.append(f"{REG_NAMES[reg]}={value & _M64:#x}" + (" NaT" if nat else ""))
    return out


def _mem_writes(db, schema: str, step: int) -> list[str]:
    return [f"[{a & _M64:#x}]/{z}={v & _M64:#x} ({KIND_NAMES[k]})" for a, k, z, v in db.execute(
        f"SELECT addr, kind, size, value FROM {schema}.mem_write WHERE step = ? ORDER BY addr", (step,))]


def _side(trace: Trace, step: int, mem: list[str]) -> Side | None:
    if step >= trace.steps:
        return None
    ip, slot, qp = trace.location(step)
    return Side(step, ip, slot, qp, trace.symbolize(ip | slot), trace.instruction_text(ip, slot),
                _writes(trace, step) + mem)


def diff(a: Trace, b: Trace) -> DiffResult:
    db = a.db
    try:
        db.execute("ATTACH DATABASE ? AS other", (f"file:{b.path}?mode=ro",))
    except Exception as exc:
        raise OopsyError(f"cannot attach: {exc}", source=b.source) from None
    try:
        limit = min(a.steps, b.steps)
        firsts = {}
        for table, cols, what in _TABLES:
            m = _first_difference(db, table, cols, limit)
            if m is not None:
                firsts[what] = m
        initial = db.execute(
            "SELECT count(*) FROM (SELECT addr, kind, size, value FROM main.mem_write WHERE step = -1 "
            "EXCEPT SELECT addr, kind, size, value FROM other.mem_write WHERE step = -1)").fetchone()[0]
        step = min(firsts.values()) if firsts else (limit if a.steps != b.steps else None)
        if step is None:
            return DiffResult(None, [], None, None, initial, (a.steps, b.steps),
                              a.meta.get("image_sha256") == b.meta.get("image_sha256"))
        reasons = sorted(what for what, m in firsts.items() if m == step)
        if not reasons:
            reasons = [f"one trace ends at step {limit}"]
        mem_a = _mem_writes(db, "main", step)
        mem_b = _mem_writes(db, "other", step)
    finally:
        db.execute("DETACH DATABASE other")
    same = a.meta.get("image_sha256") == b.meta.get("image_sha256")
    return DiffResult(step, reasons, _side(a, step, mem_a), _side(b, step, mem_b), initial, (a.steps, b.steps), same)


def render(result: DiffResult, name_a: str, name_b: str) -> list[str]:
    lines = []
    if not result.same_image:
        lines.append("note: the traces are of different images (sha256 differs)")
    if result.initial_differences:
        lines.append(f"initial state: {result.initial_differences} memory words differ (loaded image / setup)")
    if result.step is None:
        lines.append(f"no difference in {result.steps[0]} steps")
        return lines
    lines.append(f"first difference at step {result.step}: {', '.join(result.reasons)}")
    for name, side in ((name_a, result.a), (name_b, result.b)):
        if side is None:
            lines.append(f"  {name}: (the trace has ended)")
            continue
        pred = "" if side.qp else "  (predicate false)"
        lines.append(f"  {name}: {side.ip | side.slot:#018x} {side.where:<20} {side.insn}{pred}")
        lines.append(f"      wrote: {', '.join(side.writes) if side.writes else '(nothing)'}")
    return lines
