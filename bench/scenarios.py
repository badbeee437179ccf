"""Seed scenarios: recording time, steps and trace size of every scenario variant, and
the time of the `why` and `diff` questions the README walkthrough asks.

Prints figures; asserts nothing.

    python bench/scenarios.py [--rounds N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from oopsy import scenarios as sc  # noqa: E402
from oopsy.trace import why as why_mod  # noqa: E402
from oopsy.trace.diff import diff  # noqa: E402
from oopsy.trace.tracedb import Trace  # noqa: E402


def best_of(fn, rounds: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(rounds):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    print(f"{'scenario':<14} {'variant':<6} {'status':<9} {'steps':>7} {'record s':>9} {'steps/s':>9} "
          f"{'trace KiB':>10} {'B/step':>7} {'why ms':>7} {'diff ms':>8}")
    with tempfile.TemporaryDirectory(prefix="oopsy-bench-") as tmp:
        for s in sc.SCENARIOS:
            paths = {}
            for variant in sc.VARIANTS:
                path = Path(tmp) / f"{s.name}-{variant}.db"
                secs, res = best_of(lambda: sc.record(s.name, variant, path), args.rounds)
                paths[variant] = path
                size = path.stat().st_size
                why_args = s.why_args(variant)

                def ask():
                    with Trace(path) as t:
                        reg = why_args[1] if why_args[0] == "--register" else None
                        addr = why_args[1] if why_args[0] == "--address" else None
                        loc, before, walker = why_mod.start_location(t, reg, addr, None)
                        return walker.chain(loc, before)

                why_s, _ = best_of(ask, args.rounds)

                def compare():
                    with Trace(paths["buggy"]) as a, Trace(paths["fixed"]) as b:
                        return diff(a, b)

                diff_ms = f"{best_of(compare, args.rounds)[0] * 1000:8.1f}" if variant == "fixed" else f"{'':>8}"
                print(f"{s.name:<14} {variant:<6} {res.status:<9} {res.steps:>7} {secs:>9.3f} "
                      f"{res.steps / secs:>9.0f} {size / 1024:>10.0f} {size / res.steps:>7.1f} "
                      f"{why_s * 1000:>7.1f} {diff_ms}")
    print(f"(best of {args.rounds}; trace size is the SQLite file after the run; "
          "why: the scenario's question; diff: buggy vs fixed)")


if __name__ == "__main__":
    main()
