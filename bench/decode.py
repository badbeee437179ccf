"""Decode throughput: reports per second over the corpus, and the time of a 40-frame report.

Prints figures; asserts nothing. The 40-frame input is the seed's ptrace_stop oops whose
real call-trace frames are repeated (as a deeper stack would print them) until there are
40 frames: real lines, only more of them.

    python bench/decode.py [--rounds N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from oopsy.report import decode_text  # noqa: E402
from oopsy.report.lines import grammar  # noqa: E402

REPORTS = ROOT / "corpus" / "reports" / "ia64"


def forty_frame_report() -> bytes:
    lines = (REPORTS / "seed-ptrace-stop-null.txt").read_text().splitlines()
    start = lines.index("Call Trace:") + 1
    head, frames = lines[:start], lines[start:]
    pairs = [frames[i : i + 2] for i in range(0, len(frames), 2)]
    repeated = [pairs[i % len(pairs)] for i in range(40)]
    return ("\n".join(head + [line for pair in repeated for line in pair]) + "\n").encode()


def timed(fn, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()

    start = time.perf_counter()
    grammar()
    print(f"grammar build (LALR tables, once per process): {(time.perf_counter() - start) * 1000:.1f} ms")

    corpus = [(p.name, p.read_bytes()) for p in sorted(REPORTS.glob("*.txt"))]
    count = sum(len(decode_text(data, name).reports) for name, data in corpus)
    lines = sum(data.count(b"\n") for _, data in corpus)
    times = timed(lambda: [decode_text(data, name) for name, data in corpus], args.rounds)
    best = min(times)
    print(f"corpus: {len(corpus)} files, {count} reports, {lines} lines")
    print(f"  {count / best:.0f} reports/s, {lines / best:.0f} lines/s "
          f"(best of {args.rounds}; median {count / statistics.median(times):.0f} reports/s)")

    data = forty_frame_report()
    (report,) = decode_text(data, "forty").reports
    assert len(report.frames) == 40
    times = timed(lambda: decode_text(data, "forty"), args.rounds * 5)
    nlines = data.count(b"\n")
    print(f"40-frame oops ({nlines} lines): {min(times) * 1000:.2f} ms best, "
          f"{statistics.median(times) * 1000:.2f} ms median per report (in process)")

    path = ROOT / "bench" / ".cache" / "forty-frames.txt"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "oopsy.cli", "decode", str(path)], check=True,
                       capture_output=True, cwd=ROOT)
        runs.append(time.perf_counter() - start)
    print(f"`oopsy decode` of it as a new process (import + grammar + decode + render): "
          f"{min(runs) * 1000:.0f} ms best of 5")


if __name__ == "__main__":
    main()
