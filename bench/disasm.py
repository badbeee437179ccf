#!/usr/bin/env python3
"""Disassembler throughput: oopsy vs ia64-linux-gnu-objdump on the same bytes.

Prints figures, asserts nothing about time. Three runs:
  1. the ISA corpus ELF (corpus/programs/isa/isa.elf): objdump -d -z vs oopsy's
     decode + objdump-format text, bundles per second;
  2. N seeded random bundles written to a raw file: objdump -D -b binary vs oopsy text,
     and the line agreement between the two;
  3. the same N random bundles through decode_bundle only (cold caches): bundles per
     second, exceptions (must be 0), illegal slots.

Usage: python bench/disasm.py [--random N]   (default N = 100000)
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from oopsy.ia64 import decode as dec  # noqa: E402
from oopsy.ia64 import disasm as dis  # noqa: E402
from oopsy.ia64.disasm import disassemble  # noqa: E402
from oopsy.symbols.disassemble import ObjdumpSymbolizer  # noqa: E402
from oopsy.symbols.elf import ElfImage  # noqa: E402

OBJDUMP = shutil.which("ia64-linux-gnu-objdump")
INSN = re.compile(r"^\s*[0-9a-f]+:\t")


def _cold() -> None:
    dec._SLOT_CACHE.clear()
    dec._BUNDLE_CACHE.clear()
    dis._TEXT_CACHE.clear()


def _objdump(args: list[str]) -> tuple[float, list[str]]:
    t0 = time.perf_counter()
    out = subprocess.run([OBJDUMP, *args], check=True, capture_output=True, text=True).stdout
    return time.perf_counter() - t0, [line for line in out.splitlines() if INSN.match(line)]


def _rate(n: int, seconds: float) -> str:
    return f"{n / seconds:>12,.0f} bundles/s  ({seconds * 1000:8.1f} ms for {n:,})"


def bench_elf() -> None:
    path = ROOT / "corpus" / "programs" / "isa" / "isa.elf"
    image = ElfImage(path)
    text = image.elf.get_section_by_name(".text")
    data, addr = text.data(), text["sh_addr"]
    n = len(data) // 16
    symbolizer = ObjdumpSymbolizer(image)
    _cold()
    t0 = time.perf_counter()
    disassemble(data, addr, symbolizer)
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    disassemble(data, addr, symbolizer)
    warm = time.perf_counter() - t0
    print(f"[1] {path.relative_to(ROOT)} .text, {n:,} bundles")
    print(f"    oopsy disassemble (cold caches)  {_rate(n, cold)}")
    print(f"    oopsy disassemble (warm caches)  {_rate(n, warm)}")
    if OBJDUMP:
        secs, _ = _objdump(["-d", "-z", str(path)])
        print(f"    objdump -d -z (whole process)    {_rate(n, secs)}")
    image.close()


def bench_random(count: int) -> None:
    rng = random.Random(0x0DDB1A5)
    data = b"".join(rng.getrandbits(128).to_bytes(16, "little") for _ in range(count))
    norm = " ".join
    _cold()
    t0 = time.perf_counter()
    ours = disassemble(data, 0)
    secs = time.perf_counter() - t0
    print(f"[2] {count:,} seeded random bundles (seed 0x0DDB1A5), raw bytes")
    print(f"    oopsy disassemble (cold caches)  {_rate(count, secs)}")
    if OBJDUMP:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "random.bin"
            path.write_bytes(data)
            osecs, ref = _objdump(["-D", "-z", "-b", "binary", "-m", "ia64", str(path)])
        print(f"    objdump -D -b binary -m ia64     {_rate(count, osecs)}")
        same = sum(norm(a.split()) == norm(b.split()) for a, b in zip(ref, ours))
        print(f"    line agreement with objdump      {same:,}/{len(ref):,}"
              f" ({100.0 * same / max(1, len(ref)):.3f}%), line counts {len(ref):,}/{len(ours):,}")
    _cold()
    errors = illegal = 0
    t0 = time.perf_counter()
    for i in range(count):
        try:
            bundle = dec.decode_bundle(data[16 * i:16 * i + 16], 16 * i)
        except Exception:  # the point of the run: there must be none
            errors += 1
            continue
        illegal += sum(insn.op is None for insn in bundle.instructions)
    secs = time.perf_counter() - t0
    print(f"[3] decode_bundle on the same {count:,} bundles (cold caches)")
    print(f"    decode only                       {_rate(count, secs)}")
    print(f"    exceptions: {errors}   illegal/reserved slots: {illegal:,}")
    _cold()
    real = (ROOT / "corpus" / "programs" / "isa" / "isa.elf")
    image = ElfImage(real)
    text = image.elf.get_section_by_name(".text").data()
    image.close()
    bundles = [text[i:i + 16] for i in range(0, len(text), 16)]
    for b in bundles:
        dec.decode_bundle(b, 0)
    reps = max(1, count // len(bundles))
    t0 = time.perf_counter()
    for _ in range(reps):
        for b in bundles:
            dec.decode_bundle(b, 0)
    secs = time.perf_counter() - t0
    print(f"    warm re-decode of corpus bundles  {_rate(reps * len(bundles), secs)}"
          "  (the emulator's case: same bundles again)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--random", type=int, default=100_000,
                        help="random bundles (default 100000)")
    args = parser.parse_args()
    if not OBJDUMP:
        print("(ia64-linux-gnu-objdump not found: oopsy figures only)")
    bench_elf()
    bench_random(args.random)


if __name__ == "__main__":
    main()
