"""Register and writer-kind ids of a trace (the `registers` and `writer_kinds` tables).

The register order is the emulator's flat register state (`oopsy.emu.run.register_state`):
r0-r127, p0-p63, b0-b7, ar0-ar127, cr0-cr127, psr, cfm; ARs and CRs with a name use
it (ar.bsp, cr.iip ...), the others are ar<n> / cr<n>.
"""

from __future__ import annotations

from oopsy.emu.machine import AR_NAMES, CR_NAMES
from oopsy.emu.memory import WRITE_KINDS


def _names() -> list[str]:
    names = [f"r{i}" for i in range(128)] + [f"p{i}" for i in range(64)] + [f"b{i}" for i in range(8)]
    names += [f"ar.{AR_NAMES[i]}" if i in AR_NAMES else f"ar{i}" for i in range(128)]
    names += [f"cr.{CR_NAMES[i]}" if i in CR_NAMES else f"cr{i}" for i in range(128)]
    return names + ["psr", "cfm"]


REG_NAMES: list[str] = _names()
REG_IDS: dict[str, int] = {name: i for i, name in enumerate(REG_NAMES)}
# ar.N / cr.N spellings of named registers are accepted as well (ar17 = ar.bsp)
_ALIASES = {f"ar{n}": f"ar.{name}" for n, name in AR_NAMES.items()}
_ALIASES.update({f"cr{n}": f"cr.{name}" for n, name in CR_NAMES.items()})
_ALIASES.update({"ar.k0": "ar0", "rp": "b0", "sp": "r12", "gp": "r1", "tp": "r13"})

KIND_IDS: dict[str, int] = {kind: i for i, kind in enumerate(WRITE_KINDS)}
KIND_NAMES: list[str] = list(WRITE_KINDS)

M64 = (1 << 64) - 1


def canonical_register(name: str) -> str | None:
    """The trace's name for a register the user typed (r14, R14, ar.bsp, ar17, rp), or None."""
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    return key if key in REG_IDS else None


def to_sql(value: int) -> int:
    """A 64-bit unsigned value as SQLite's signed integer (two's complement)."""
    return value - (1 << 64) if value >> 63 else value


def from_sql(value: int | None) -> int | None:
    return None if value is None else value & M64
