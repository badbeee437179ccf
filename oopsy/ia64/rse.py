"""Register backing store arithmetic, a port of arch/ia64/include/uapi/asm/rse.h.

Addresses are byte addresses; the kernel's `unsigned long *` arithmetic counts 8-byte
slots. Every 64th slot (slot number 0x3f) holds a NaT collection (RNAT) word
(facts §3.2).
"""

from __future__ import annotations

SLOT_BYTES = 8
RNAT_SLOT = 0x3F


def _c_div(a: int, b: int) -> int:
    """C integer division: truncates toward zero (facts §3.2: not Python's floor)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def slot_num(addr: int) -> int:
    """rse.h ia64_rse_slot_num: slot index of `addr` within its 64-slot group."""
    return (addr >> 3) & 0x3F


def is_rnat_slot(addr: int) -> bool:
    """rse.h ia64_rse_is_rnat_slot."""
    return slot_num(addr) == RNAT_SLOT


def rnat_addr(slot_addr: int) -> int:
    """rse.h ia64_rse_rnat_addr: the RNAT slot that covers `slot_addr`."""
    return slot_addr | (RNAT_SLOT << 3)


def num_regs(bspstore: int, bsp: int) -> int:
    """rse.h ia64_rse_num_regs: registers (not slots) between bspstore and bsp."""
    slots = (bsp - bspstore) // SLOT_BYTES if bsp >= bspstore else -((bspstore - bsp) // SLOT_BYTES)
    return slots - _c_div(slot_num(bspstore) + slots, 0x40)


def skip_regs(addr: int, count: int) -> int:
    """rse.h ia64_rse_skip_regs: address `count` registers away, RNAT slots skipped."""
    delta = slot_num(addr) + count
    if count < 0:
        delta -= 0x3E
    return addr + (count + _c_div(delta, 0x3F)) * SLOT_BYTES


def rnat_slots_between(start: int, end: int) -> int:
    """Number of RNAT slots in [start, end) of a backing store (end >= start)."""
    return (end - start) // SLOT_BYTES - num_regs(start, end)
