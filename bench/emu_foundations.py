"""Throughput of the emulator's foundations: memory fast path, RSE frame operations,
state hashing. Prints figures; asserts nothing.

    /work/venv/bin/python bench/emu_foundations.py
"""

from __future__ import annotations

import time

from oopsy.emu.machine import AR_PFS, Machine
from oopsy.emu.memory import PERM_RW, Memory

RBS = 0x6000000000400000
DATA = 0x6000000001000000


def rate(label: str, count: int, seconds: float, unit: str = "ops") -> None:
    print(f"{label:48s} {count / seconds / 1e6:8.2f} M{unit}/s  ({count} in {seconds:.3f} s)")


def bench_memory() -> None:
    mem = Memory()
    mem.map(DATA, 1 << 20, PERM_RW)
    n = 1_000_000
    addrs = [DATA + (i * 8 & 0xFFFF8) for i in range(1024)]
    read8, write8 = mem.read8, mem.write8
    t = time.perf_counter()
    for i in range(n):
        write8(addrs[i & 1023], i)
    rate("memory write8 (no hook)", n, time.perf_counter() - t)
    t = time.perf_counter()
    total = 0
    for i in range(n):
        total += read8(addrs[i & 1023])
    rate("memory read8", n, time.perf_counter() - t)
    log = []
    mem.write_hook = lambda a, s, v, k: log.append((a, v))
    t = time.perf_counter()
    for i in range(n):
        write8(addrs[i & 1023], i)
    rate("memory write8 (list-append hook)", n, time.perf_counter() - t)


def new_machine() -> Machine:
    mem = Memory()
    mem.map(RBS, 8 << 20, PERM_RW, pl=0)
    m = Machine(mem)
    m.bsp = m.bspstore = RBS
    return m


def recursion(m: Machine, depth: int, frame: tuple[int, int, int]) -> int:
    """`depth` x (alloc + br.call), then br.ret all the way back; returns the op count."""
    ins, locs, outs = frame
    pfs_reg = 32 + ins + locs - 1
    for _ in range(depth):
        m.gr[pfs_reg] = m.alloc(ins, locs, outs, 0)
        m.call()
    m.ret()
    for _ in range(depth):
        m.ar[AR_PFS] = m.gr[pfs_reg]
        m.ret()
    m.alloc(0, 0, 0, 0)
    return 2 * depth + 1


def bench_rse() -> None:
    m = new_machine()
    t = time.perf_counter()
    ops = sum(recursion(m, 15, (1, 3, 1)) for _ in range(2000))
    rate("alloc+br.call or br.ret, within the 96 registers", ops, time.perf_counter() - t)
    m = new_machine()
    t = time.perf_counter()
    ops = recursion(m, 20000, (1, 6, 2))
    rate("same, 20000 deep: 7 spills + 7 fills per frame", ops, time.perf_counter() - t)


def bench_hash() -> None:
    mem = Memory()
    mem.map(DATA, 64 << 20 >> 4, PERM_RW)  # 4 MiB = 256 pages
    m = Machine(mem)
    t = time.perf_counter()
    for _ in range(20):
        m.state_hash()
    secs = (time.perf_counter() - t) / 20
    print(f"{'state_hash, 256 pages (4 MiB) mapped':48s} {secs * 1e3:8.2f} ms per hash")


if __name__ == "__main__":
    bench_memory()
    bench_rse()
    bench_hash()
