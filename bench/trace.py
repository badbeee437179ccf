"""Trace benchmark: recording speed, bytes per step, seek, last writer, why, first.

    /work/venv/bin/python bench/trace.py [--steps 10000000] [--program PATH] [--keep DIR]

Records PROGRAM (default corpus/programs/trace/loop.elf: a call-heavy loop whose deep
recursion makes the RSE spill and fill on every round) for --steps steps, then prints
each figure next to its baseline measured in the same run:

* recording speed (steps/s) vs unrecorded emulation of the same steps;
* bytes per step of the trace file, per table (dbstat), vs the same write rows stored
  as heap tables in step order without any key (what an append-only log costs) and as
  heap tables plus a (location, step) index (the classic alternative to clustering);
* seek to a random step (restore the nearest checkpoint + re-execute), p50/p95, vs
  re-executing from step 0;
* last writer of a register / an address before a random step, p50/p95, vs a scan
  that cannot use the key;
* a 10-hop `why` (loop.elf: the loop counter r33 back through adds, RSE fills and
  spills; other programs: --why-register at random steps);
* `first --pattern` over the whole trace (a value never written: the worst case), vs a
  bare full scan of mem_write.

Targets (DESIGN.md): record >= 0.5 M steps/s, <= 16 bytes/step, seek <= 100 ms,
last writer <= 1 ms, 10-hop why <= 50 ms, first --pattern <= 1 s.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from oopsy.emu.run import Emulator  # noqa: E402
from oopsy.trace.record import record  # noqa: E402
from oopsy.trace.replay import Replayer  # noqa: E402
from oopsy.trace.tracedb import Trace  # noqa: E402
from oopsy.trace.why import Loc, Why  # noqa: E402


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def ms(x):
    return f"{x * 1000:.2f} ms"


def table_bytes(path) -> dict[str, int]:
    db = sqlite3.connect(path)
    rows = dict(db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"))
    db.close()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=10_000_000)
    ap.add_argument("--program", default=str(ROOT / "corpus/programs/trace/loop.elf"))
    ap.add_argument("--checkpoint-interval", type=int, default=20_000)
    ap.add_argument("--keep", default=None, help="directory to keep the trace in")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--why-register", default="r21", help="register for the why figure (not loop.elf)")
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    tmp = Path(args.keep or tempfile.mkdtemp(prefix="oopsy-bench-trace-"))
    tmp.mkdir(parents=True, exist_ok=True)
    db_path = tmp / "bench.db"
    n = args.steps
    print(f"program {args.program}, {n} steps, checkpoint every {args.checkpoint_interval}")

    # ------------------------------------------------------------ recording -------
    emu = Emulator.from_elf(args.program)
    t0 = time.perf_counter()
    res = emu.run(max_steps=n)
    plain = time.perf_counter() - t0
    t0 = time.perf_counter()
    rec = record(args.program, db_path, max_steps=n, checkpoint_interval=args.checkpoint_interval)
    recorded = time.perf_counter() - t0
    steps = rec.steps
    print(f"record:      {steps / recorded:>12,.0f} steps/s  (unrecorded emulation {res.steps / plain:,.0f} steps/s; "
          f"ratio {(steps / recorded) / (res.steps / plain):.2f}; target >= 500,000)")

    # ---------------------------------------------------------------- bytes -------
    size = os.path.getsize(db_path)
    tb = table_bytes(db_path)
    parts = ", ".join(f"{k} {v / steps:.2f}" for k, v in sorted(tb.items(), key=lambda kv: -kv[1]) if v / steps >= 0.05)
    db = sqlite3.connect(db_path)
    counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("runs", "reg_write", "mem_write")}
    db.close()
    heap = tmp / "heap.db"
    if heap.exists():
        heap.unlink()
    h = sqlite3.connect(heap)
    h.execute("ATTACH ? AS t", (str(db_path),))
    h.execute("CREATE TABLE reg_log AS SELECT step, reg, value, nat FROM t.reg_write ORDER BY step")
    h.execute("CREATE TABLE mem_log AS SELECT step, addr, kind, size, value FROM t.mem_write ORDER BY step")
    h.commit()
    hb = table_bytes(heap)
    heap_bytes = hb.get("reg_log", 0) + hb.get("mem_log", 0)
    h.execute("CREATE INDEX reg_log_key ON reg_log (reg, step)")
    h.execute("CREATE INDEX mem_log_key ON mem_log (addr, step)")
    h.commit()
    hb2 = table_bytes(heap)
    h.close()
    clustered = tb.get("reg_write", 0) + tb.get("mem_write", 0)
    indexed = sum(hb2.values()) - sum(v for k, v in hb2.items() if k.startswith("sqlite_"))
    print(f"bytes/step:  {size / steps:>12.2f}  total file ({size:,} bytes; target <= 16); by table: {parts}")
    print(f"             rows per step: runs {counts['runs'] / steps:.3f}, reg_write {counts['reg_write'] / steps:.3f}, "
          f"mem_write {counts['mem_write'] / steps:.3f}")
    print(f"             write rows clustered on their key (shipped): {clustered / steps:.2f} bytes/step; "
          f"baseline heap in step order, no index: {heap_bytes / steps:.2f}; heap + (key, step) indexes: "
          f"{indexed / steps:.2f}")
    heap.unlink()

    # ----------------------------------------------------------------- seek -------
    t = Trace(db_path)
    rp = Replayer(t)
    times = []
    for _ in range(30):
        target = rnd.randrange(steps)
        rp.step = None
        t0 = time.perf_counter()
        rp.seek(target)
        times.append(time.perf_counter() - t0)
    assert not rp.warnings, rp.warnings
    base = []
    for _ in range(2):
        target = rnd.randrange(steps // 4, steps // 2)
        rp._restore(0)
        t0 = time.perf_counter()
        rp._run_to(target)
        base.append((time.perf_counter() - t0) / target * (steps / 2))
    rp.step = None
    print(f"seek:        p50 {ms(pct(times, 50))}, p95 {ms(pct(times, 95))} over 30 random steps "
          f"(target <= 100 ms; baseline re-executing from step 0 to the middle: {ms(statistics.mean(base))})")

    # ---------------------------------------------------------- last writer -------
    regs = ["r8", "r15", "r16", "r33", "ar.bsp", "b0", "p6", "ar.pfs"]
    qt = []
    for _ in range(2000):
        t0 = time.perf_counter()
        t.reg_before(rnd.choice(regs), rnd.randrange(steps))
        qt.append(time.perf_counter() - t0)
    addrs = [a for (a,) in t.db.execute("SELECT addr FROM mem_write WHERE kind = 0 LIMIT 5000")]
    addrs += [a for (a,) in t.db.execute("SELECT addr FROM mem_write WHERE kind = 1 LIMIT 5000")]
    mt = []
    for _ in range(2000):
        a = rnd.choice(addrs) & 0xFFFFFFFFFFFFFFFF
        t0 = time.perf_counter()
        t.mem_before(a, 8, rnd.randrange(steps))
        mt.append(time.perf_counter() - t0)
    scan = []
    for _ in range(2):
        t0 = time.perf_counter()
        t.db.execute("SELECT step, value FROM reg_write WHERE +reg = ? AND step < ? ORDER BY step DESC LIMIT 1",
                     (33, steps // 2)).fetchone()
        scan.append(time.perf_counter() - t0)
    print(f"last writer: register p50 {ms(pct(qt, 50))}, p95 {ms(pct(qt, 95))}; address p50 {ms(pct(mt, 50))}, "
          f"p95 {ms(pct(mt, 95))} (target <= 1 ms; baseline scan without the key: {ms(min(scan))})")

    # ------------------------------------------------------------------ why -------
    # loop.elf: the loop counter, `adds r33=-1,r33` in _start, asked right after a
    # random round (its chain goes through RSE fills and spills every round); other
    # programs: --why-register at random steps in the second half
    w = Why(t)
    row = t.db.execute("SELECT ip FROM bundles WHERE 'adds r33=-1,r33' IN (slot0, slot1, slot2)").fetchone()
    counter_steps = []
    if row is not None:
        for (s,) in t.db.execute("SELECT step FROM reg_write WHERE reg = 33 AND step > ? ORDER BY step LIMIT 400",
                                 (steps // 2,)):
            if (t.location(s)[0] - row[0]) % (1 << 64) == 0:
                counter_steps.append(s + 1)
        why_reg = "r33"
    else:
        counter_steps = [rnd.randrange(steps // 2, steps) for _ in range(50)]
        why_reg = args.why_register
    wt, hops = [], []
    for _ in range(10):
        before = rnd.choice(counter_steps)
        loc = w.loc_of_reg(why_reg, before)
        t0 = time.perf_counter()
        chain = w.chain(loc, before, max_hops=10)
        wt.append(time.perf_counter() - t0)
        hops.append(len(chain.hops))
    kinds = sorted({h.how.split(" of ")[0].split(" from ")[0] for h in chain.hops})
    print(f"why:         10 hops p50 {ms(pct(wt, 50))}, p95 {ms(pct(wt, 95))} (target <= 50 ms; "
          f"{statistics.mean(hops):.0f} hops per chain; hop kinds: {', '.join(kinds)})")

    # ---------------------------------------------------------------- first -------
    from oopsy.trace.query import first_pattern

    t0 = time.perf_counter()
    hit = first_pattern(t, "0x5a5a5a5a5a5a5a5a")
    ft = time.perf_counter() - t0
    t0 = time.perf_counter()
    t.db.execute("SELECT count(*) FROM mem_write").fetchone()
    bare = time.perf_counter() - t0
    (late,) = t.db.execute("SELECT value FROM mem_write WHERE kind = 0 ORDER BY step DESC LIMIT 1").fetchone()
    t0 = time.perf_counter()
    hit2 = first_pattern(t, f"{late & 0xFFFFFFFFFFFFFFFF:#018x}")
    ft2 = time.perf_counter() - t0
    print(f"first:       {ms(ft)} for a pattern never written ({hit}), {ms(ft2)} for a late one (step {hit2.step}) "
          f"over {counts['mem_write']:,} memory writes (target <= 1 s; baseline bare count(*) scan {ms(bare)})")
    _ = Loc
    t.close()


if __name__ == "__main__":
    main()
