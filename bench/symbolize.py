"""Benchmark: oopsy's symbolizer against `addr2line -f -i` on a real x86_64 vmlinux.

Downloads Debian's linux-image-*-cloud-amd64-dbg with `apt-get download` into
bench/.cache/ (gitignored; the tests never do this), extracts vmlinux and prints:
- cold: opening the ELF with an empty cache (symbols + unit table), then the first lookups
  of 40 addresses (each digests its compilation unit's DWARF once);
- warm: a fresh Symbolizer on the filled cache, the same 40 addresses, and lookups/s;
- addr2line: the same 40 addresses through one `addr2line -f -i` process, and the ratio;
- how many of the 40 answers agree with addr2line line for line.
`--full` then digests every unit (the whole cold index) and compares --check more addresses
with addr2line.

    /work/venv/bin/python bench/symbolize.py [--vmlinux PATH] [--full [--check 400]]
"""

from __future__ import annotations

import argparse
import glob
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
sys.path.insert(0, str(HERE.parent))

from oopsy.symbols.resolve import Symbolizer, addr2line_lines  # noqa: E402


def fetch_vmlinux() -> Path:
    found = sorted(CACHE.glob("vmlinux-*"))
    if found:
        return found[-1]
    CACHE.mkdir(parents=True, exist_ok=True)
    depends = subprocess.run(
        ["apt-cache", "depends", "linux-image-cloud-amd64-dbg"], capture_output=True, text=True, check=True
    ).stdout
    package = next(
        line.split(":", 1)[1].strip()
        for line in depends.splitlines()
        if "Depends:" in line and "cloud-amd64-dbg" in line
    )
    subprocess.run(["apt-get", "download", package], cwd=CACHE, check=True)
    deb = sorted(glob.glob(str(CACHE / f"{package}_*.deb")))[-1]
    listing = subprocess.run(["dpkg-deb", "-c", deb], capture_output=True, text=True, check=True).stdout
    member = next(
        line.split()[-1] for line in listing.splitlines() if "/boot/vmlinux-" in line and line.startswith("-")
    )
    target = CACHE / Path(member).name
    tar = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", deb], stdout=subprocess.PIPE)
    with open(target, "wb") as out:
        subprocess.run(["tar", "-x", "-O", member], stdin=tar.stdout, stdout=out, check=True)
    tar.wait()
    return target


def pick_addresses(vmlinux: Path, count: int = 40, seed: int = 20260101) -> list[int]:
    from oopsy.symbols.elf import ElfImage

    elf = ElfImage(vmlinux)
    funcs = [s for s in elf.symbols if s.kind == "func" and s.section == ".text" and s.size >= 32]
    rng = random.Random(seed + count)
    chosen = sorted(rng.sample(funcs, count), key=lambda s: s.address)
    elf.close()
    return [s.address + rng.randrange(s.size // 4, s.size // 2) for s in chosen]


def lookup_all(symbolizer: Symbolizer, addresses: list[int]) -> list[list[str]]:
    out = []
    for address in addresses:
        resolved = symbolizer.resolve(address)
        fallback = None if resolved and resolved.inlined else symbolizer.nearest_code_symbol(address)
        out.append(addr2line_lines(resolved, fallback))
    return out


def addr2line(vmlinux: Path, addresses: list[int]) -> tuple[float, list[list[str]]]:
    start = time.perf_counter()
    proc = subprocess.run(
        ["addr2line", "-f", "-i", "-a", "-e", str(vmlinux)],
        input="".join(f"{a:#x}\n" for a in addresses),
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed = time.perf_counter() - start
    answers: list[list[str]] = []
    for line in proc.stdout.splitlines():
        if line.startswith("0x") and ":" not in line:
            answers.append([])
        else:
            answers[-1].append(line)
    return elapsed, answers


def forty_frame_oops(vmlinux: Path, addresses: list[int]) -> bytes:
    """An oops in the kernel's own text format (oopsy.emu.oops) whose 40 frames are the
    benchmark's addresses in this vmlinux: the input `oopsy decode --vmlinux` meets."""
    from oopsy.emu.oops import PT_GENERAL, OopsFrame, OopsState, format_oops
    from oopsy.symbols.elf import ElfImage

    elf = ElfImage(vmlinux)

    def symbolize(ip: int) -> str:
        found = elf.lookup(ip)
        return f"{found[0].name}+{found[1]:#x}/{elf.size_of(found[0]):#x}" if found else f"{ip:#x}"

    frames = [OopsFrame(ip, 0xE000000100007E00, 0xE000000100001000 - 8 * i) for i, ip in enumerate(addresses)]
    pt = {n: 0 for n in ("cr_ifs ar_unat ar_pfs ar_rsc ar_rnat ar_bspstore pr loadrs ar_ccv ar_fpsr "
                         "ar_csd ar_ssd b0 b6 b7").split()}
    pt.update({f"r{n}": 0 for n in PT_GENERAL}, cr_ipsr=0x121008026010, cr_iip=addresses[0] & ~0xF)
    text = format_oops(OopsState(comm="bench", pid=1, die_text="Oops", err=0, pt=pt,
                                 fault_address=0x338, frames=frames), symbolize)
    elf.close()
    return text.encode()


def decode_end_to_end(vmlinux: Path, addresses: list[int]) -> None:
    """decode + symbolize a 40-frame oops against the vmlinux, cold (empty index) and warm."""
    import os

    from oopsy.report import decode_text
    from oopsy.report.symbolize import symbolize_result

    data = forty_frame_oops(vmlinux, addresses)
    cache = tempfile.mkdtemp(prefix="oopsy-bench-decode-")
    os.environ["XDG_CACHE_HOME"] = cache
    times = []
    for _ in range(3):
        start = time.perf_counter()
        result = decode_text(data, "forty")
        symbolize_result(result, vmlinux=vmlinux, arch=None)  # an x86_64 vmlinux: any arch
        times.append(time.perf_counter() - start)
    frames = result.reports[0].frames
    resolved = sum(1 for f in frames if f.source is not None and f.source.file)
    print(f"oopsy decode --vmlinux, 40-frame oops: cold (empty index) {times[0]:.2f} s, "
          f"warm {min(times[1:]) * 1000:.0f} ms ({resolved} of {len(frames)} frames with file:line)")
    shutil.rmtree(cache, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vmlinux", type=Path)
    parser.add_argument("--full", action="store_true", help="also index every unit, then check --check addresses")
    parser.add_argument("--check", type=int, default=400, help="addresses compared after --full")
    args = parser.parse_args()
    vmlinux = args.vmlinux or fetch_vmlinux()
    print(f"vmlinux: {vmlinux} ({vmlinux.stat().st_size / 1e6:.0f} MB)")
    addresses = pick_addresses(vmlinux)

    cache = tempfile.mkdtemp(prefix="oopsy-bench-")
    t0 = time.perf_counter()
    cold = Symbolizer.open(vmlinux=vmlinux, arch=None, cache_dir=cache)
    t1 = time.perf_counter()
    cold_answers = lookup_all(cold, addresses)
    t2 = time.perf_counter()
    cold_total = t2 - t0
    units = cold._kernel.index.db.execute("SELECT count(DISTINCT unit) FROM units").fetchone()[0]
    print(f"cold open (symbols + unit table, {units} units): {t1 - t0:.2f} s")
    print(f"cold first lookup of 40 addresses (digests their units): {t2 - t1:.2f} s")
    print(f"cold total: {t2 - t0:.2f} s")
    cold.close()

    t0 = time.perf_counter()
    warm = Symbolizer.open(vmlinux=vmlinux, arch=None, cache_dir=cache)
    warm_answers = lookup_all(warm, addresses)
    t1 = time.perf_counter()
    rounds = 50
    for _ in range(rounds):
        lookup_all(warm, addresses)
    t2 = time.perf_counter()
    warm_total = t1 - t0
    print(f"warm open + 40 lookups: {warm_total * 1000:.1f} ms")
    print(f"warm lookups per second: {rounds * len(addresses) / (t2 - t1):.0f}")

    runs = [addr2line(vmlinux, addresses) for _ in range(3)]
    a2l_time, a2l_answers = min(runs, key=lambda r: r[0])
    print(f"addr2line -f -i, 40 addresses in one process: best {a2l_time:.2f} s, "
          f"worst {max(r[0] for r in runs):.2f} s of 3 runs")
    print(f"ratio addr2line / oopsy warm: {a2l_time / warm_total:.1f}x")
    print(f"ratio addr2line / oopsy cold (empty cache, open + 40 lookups): {a2l_time / cold_total:.2f}x")
    agree = sum(1 for mine, theirs in zip(warm_answers, a2l_answers) if mine == theirs)
    print(f"agreement with addr2line: {agree} of {len(addresses)} addresses")
    for address, mine, theirs in zip(addresses, warm_answers, a2l_answers):
        if mine != theirs:
            print(f"  {address:#x}: oopsy {mine} addr2line {theirs}")
    assert cold_answers == warm_answers, "cold and warm answers differ"

    decode_end_to_end(vmlinux, addresses)

    if args.full:
        index = warm._kernel.index
        start = time.perf_counter()
        parsed = index.index_all()
        print(f"full index of the remaining {parsed} units (index_all): {time.perf_counter() - start:.1f} s")
        many = pick_addresses(vmlinux, args.check)
        mine = lookup_all(warm, many)
        _elapsed, theirs = addr2line(vmlinux, many)
        agree = sum(1 for a, b in zip(mine, theirs) if a == b)
        print(f"agreement with addr2line on {len(many)} more addresses: {agree} of {len(many)}")
        for address, a, b in zip(many, mine, theirs):
            if a != b:
                print(f"  {address:#x}: oopsy {a} addr2line {b}")
    warm.close()
    shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
