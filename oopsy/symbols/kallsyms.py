"""System.map and /proc/kallsyms dumps: `ADDRESS TYPE NAME [MODULE]`, one symbol a line.

Neither format has sizes, so a symbol's size is the distance to the next higher address
(within the same module), which is what the kernel's kallsyms prints after the slash of
`func+0x2b0/0x860`. Absolute, undefined and weak-undefined symbols are skipped; a dump
whose addresses are all zero (kptr_restrict) is rejected with a hint.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from pathlib import Path

from oopsy.errors import OopsyError

_LINE = re.compile(r"^([0-9A-Fa-f]{1,16})\s+([A-Za-z?-])\s+(\S+)(?:\s+\[([^\]\s]+)\])?\s*$")
_SKIP_TYPES = set("aAUwvN?-")


@dataclass(frozen=True)
class MapSymbol:
    address: int
    kind: str
    name: str
    module: str | None
    size: int  # distance to the next symbol of the same image; 0 for the last one


class SymbolMap:
    """A parsed System.map or kallsyms dump with kallsyms-style address lookups."""

    def __init__(self, path: str | Path, symbols: list[MapSymbol]):
        self.path = Path(path)
        self.symbols = symbols
        self._addresses = [s.address for s in symbols]
        self._by_name: dict[tuple[str | None, str], MapSymbol] = {}
        for sym in symbols:
            self._by_name.setdefault((sym.module, sym.name), sym)
        self.modules = sorted({s.module for s in symbols if s.module})

    @classmethod
    def load(cls, path: str | Path) -> SymbolMap:
        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            raise OopsyError(f"cannot read: {exc.strerror}", source=str(path)) from None
        if raw.startswith(b"\x7fELF"):
            raise OopsyError("this is an ELF file; pass it with --vmlinux", source=str(path))
        entries: list[tuple[int, str, str, str | None]] = []
        bad: list[int] = []
        for number, line in enumerate(raw.decode("utf-8", errors="replace").splitlines(), 1):
            if not line.strip():
                continue
            match = _LINE.match(line)
            if match is None:
                bad.append(number)
                continue
            address, kind, name, module = match.groups()
            if kind in _SKIP_TYPES:
                continue
            entries.append((int(address, 16), kind, name, module))
        if not entries:
            line = bad[0] if bad else None
            raise OopsyError(
                "not a System.map or kallsyms dump (expected 'ADDRESS TYPE NAME' lines)",
                source=str(path),
                line=line,
            )
        if len(bad) > len(entries):
            raise OopsyError(
                "mostly unreadable as a System.map or kallsyms dump", source=str(path), line=bad[0]
            )
        if all(address == 0 for address, *_ in entries):
            raise OopsyError(
                "every address is zero (kptr_restrict); dump /proc/kallsyms as root",
                source=str(path),
            )
        entries.sort(key=lambda e: (e[0], e[1] not in "Tt", e[2]))
        symbols = []
        by_module: dict[str | None, list[tuple[int, str, str]]] = {}
        for address, kind, name, module in entries:
            by_module.setdefault(module, []).append((address, kind, name))
        for module, items in by_module.items():
            distinct = sorted({a for a, _k, _n in items})
            following = {a: distinct[i + 1] if i + 1 < len(distinct) else None for i, a in enumerate(distinct)}
            for address, kind, name in items:
                nxt = following[address]
                symbols.append(MapSymbol(address, kind, name, module, nxt - address if nxt else 0))
        symbols.sort(key=lambda s: (s.address, s.kind not in "Tt", s.name))
        return cls(path, symbols)

    def symbol(self, name: str, module: str | None = None) -> MapSymbol | None:
        return self._by_name.get((module, name))

    def lookup(self, address: int, module: str | None = None) -> tuple[MapSymbol, int] | None:
        """The symbol at or below `address` and the offset into it, as kallsyms finds it.

        The last symbol of an image (size 0) covers nothing past its own address.
        """
        i = bisect.bisect_right(self._addresses, address) - 1
        while i >= 0:
            start = self._addresses[i]
            first = bisect.bisect_left(self._addresses, start)
            candidates = [s for s in self.symbols[first : i + 1] if module is None or s.module == module]
            if candidates:
                sym = candidates[0]
                offset = address - sym.address
                if offset < sym.size or offset == 0:
                    return sym, offset
                return None
            i = first - 1
        return None
