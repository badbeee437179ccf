"""Kernel poison values (include/linux/poison.h, facts §6.1) and matching against values.

A fault address or register that equals a poison pattern plus a small offset says what
the pointer was read from: freed page (0xaa), freed slab object (0x6b), uninitialised
slab object (0x5a), a list_del()'d entry (LIST_POISON1/2), and so on.
"""

from __future__ import annotations

from dataclasses import dataclass

# How far from a pattern a value may be and still be "pattern + member offset".
MAX_OFFSET = 0x1000
_BYTES8 = 0x0101010101010101
_BYTES4 = 0x01010101


@dataclass(frozen=True)
class Poison:
    code: str  # hint code
    name: str  # the poison.h name
    value: int  # the full 64-bit pattern (or the small constant)
    meaning: str


# facts §6.1: byte patterns, repeated over the whole word by memset()
BYTE_POISONS = {
    0xAA: ("page-poison", "PAGE_POISON", "a page freed with page poisoning / init_on_free"),
    0x6B: ("slab-free-poison", "POISON_FREE", "a slab object used after kfree()"),
    0x5A: ("slab-inuse-poison", "POISON_INUSE", "a slab object used before initialisation"),
    0xA5: ("slab-end-poison", "POISON_END", "the end byte of a poisoned slab object"),
    0xCC: ("redzone-poison", "SLUB_RED_ACTIVE / POISON_FREE_INITMEM", "a slub red zone or freed init memory"),
    0xBB: ("redzone-poison", "SLUB_RED_INACTIVE", "an inactive slub red zone"),
    0xA7: ("pool-poison", "POOL_POISON_FREED", "a freed dma_pool block"),
    0xA9: ("pool-poison", "POOL_POISON_ALLOCATED", "an allocated but uninitialised dma_pool block"),
    0x5B: ("jbd-poison", "JBD_POISON_FREE", "a freed jbd buffer"),
    0x5C: ("jbd-poison", "JBD2_POISON_FREE", "a freed jbd2 buffer"),
    0xBD: ("key-poison", "KEY_DESTROY", "a destroyed key"),
    0x22: ("mutex-poison", "MUTEX_DEBUG_FREE", "a freed debug mutex"),
    0x11: ("mutex-poison", "MUTEX_DEBUG_INIT", "a debug mutex initialised but not locked"),
}

# facts §6.1: word patterns and small constants (POISON_POINTER_DELTA is 0 on ia64)
WORD_POISONS = (
    Poison("redzone-poison", "RED_INACTIVE", 0x09F911029D74E35B, "an inactive slab red zone word"),
    Poison("redzone-poison", "RED_ACTIVE", 0xD84156C5635688C0, "an active slab red zone word"),
    Poison("list-poison", "LIST_POISON1", 0x100, "the next pointer of a list_del()'d entry"),
    Poison("list-poison", "LIST_POISON2", 0x122, "the prev pointer of a list_del()'d entry"),
    Poison("list-poison", "LIST_POISON2 (before 4.x)", 0x200, "the prev pointer of a list_del()'d entry"),
    Poison("list-poison", "LIST_POISON1 (2.6)", 0x00100100, "the next pointer of a list_del()'d entry"),
    Poison("list-poison", "LIST_POISON2 (2.6)", 0x00200200, "the prev pointer of a list_del()'d entry"),
    Poison("timer-poison", "TIMER_ENTRY_STATIC", 0x300, "a static timer's entry"),
    Poison("tail-mapping-poison", "TAIL_MAPPING", 0x400, "a compound page's tail mapping"),
    Poison("mutex-poison", "MUTEX_POISON_WW_CTX", 0x500, "a ww_mutex context"),
    Poison("atm-poison", "ATM_POISON", 0xDEADBEEF, "a freed ATM object"),
)
# Small constants are matched exactly or plus a word: they sit below PAGE_SIZE, where
# any NULL + offset also lands.
_SMALL_SLACK = 0x10


@dataclass(frozen=True)
class PoisonMatch:
    poison: Poison
    offset: int  # value - pattern
    width: int  # 8 or 4: whether the whole word or only its low 32 bits carry the pattern


def match(value: int) -> PoisonMatch | None:
    """The poison pattern `value` is (plus a small offset), if any."""
    value &= (1 << 64) - 1
    if value == 0:
        return None
    for poison in WORD_POISONS:
        slack = _SMALL_SLACK if poison.value < 0x10000 else MAX_OFFSET
        if 0 <= value - poison.value < slack:
            return PoisonMatch(poison, value - poison.value, 8)
    top = value >> 56
    low_top = (value >> 24) & 0xFF
    for byte, width, pattern in ((top, 8, top * _BYTES8), (low_top, 4, low_top * _BYTES4)):
        if byte not in BYTE_POISONS:
            continue
        if width == 4 and value >> 32:
            continue
        offset = value - pattern
        if -MAX_OFFSET < offset < MAX_OFFSET:
            code, name, meaning = BYTE_POISONS[byte]
            return PoisonMatch(Poison(code, f"{name} 0x{byte:02x}", pattern, meaning), offset, width)
    return None
