"""Emulation speed, unrecorded: steps (executed slots) per second on a loop-heavy
program and on the deep recursion, best of a few runs. Prints figures; asserts nothing.

    python bench/emulate.py [--profile]

It also prints the speed of the recorded step loop with a recorder that does nothing
(the emulator's own share of `oopsy record`'s cost).

Programs (corpus/programs/emu): `loops.elf` entry `bench_loops` (a br.cloop loop of
simple ALU work, 1M+ steps) and `recursion.elf` entry `bench_start` (100 times a
300-deep recursion through RSE spills and fills), plus `loops.elf` entry `bench_memory`
(loads, stores, a compare and a predicated branch per trip). --profile prints the top
functions of a cProfile run of each.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from oopsy.emu.run import Emulator, NullRecorder  # noqa: E402

EMU = Path(__file__).resolve().parents[1] / "corpus" / "programs" / "emu"
CASES = (("loop-heavy (loops.elf bench_loops)", "loops.elf", "bench_loops"),
         ("deep recursion (recursion.elf bench_start)", "recursion.elf", "bench_start"),
         ("load/compare/store loop (loops.elf bench_memory)", "loops.elf", "bench_memory"))


def measure(elf: str, entry: str, repeat: int = 3, recorder=None) -> tuple[int, float]:
    best = None
    steps = 0
    for _ in range(repeat):
        emu = Emulator.from_elf(EMU / elf, entry=entry, console=io.StringIO(), recorder=recorder)
        t0 = time.perf_counter()
        result = emu.run()
        elapsed = time.perf_counter() - t0
        steps = result.steps
        best = elapsed if best is None else min(best, elapsed)
    return steps, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="also print a cProfile summary")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}")
    for title, elf, entry in CASES:
        steps, elapsed = measure(elf, entry)
        print(f"{title:64s} {steps:>10,d} steps  {elapsed:7.3f} s  {steps / elapsed / 1e6:6.2f} M steps/s")
    for title, elf, entry in CASES:
        steps, elapsed = measure(elf, entry, repeat=1, recorder=NullRecorder())
        print(f"{title + ', null recorder':64s} {steps:>10,d} steps  {elapsed:7.3f} s  "
              f"{steps / elapsed / 1e6:6.2f} M steps/s")
    if args.profile:
        for title, elf, entry in CASES:
            emu = Emulator.from_elf(EMU / elf, entry=entry, console=io.StringIO())
            prof = cProfile.Profile()
            prof.runcall(emu.run)
            print(f"\n== profile: {title}")
            pstats.Stats(prof, stream=sys.stdout).sort_stats("tottime").print_stats(12)


if __name__ == "__main__":
    main()
