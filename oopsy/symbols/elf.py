"""ELF images through pyelftools: validation, sections, sorted symbol arrays, byte reads.

An `ElfImage` answers "which function holds this address" with a binary search over a
sorted array (functions first among symbols at the same address) and reads bytes at a
virtual address for the disassembler. On ia64 an ip carries the slot number in its low
two bits (facts §5); symbol lookups simply use the address as given, as kallsyms does.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import Path

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection

from oopsy.errors import OopsyError

_KIND_RANK = {"func": 0, "object": 1, "notype": 2}


@dataclass(frozen=True)
class Symbol:
    name: str
    address: int
    size: int
    kind: str  # func, object or notype
    section: str


class ElfImage:
    """A loaded ELF file (executable, vmlinux, or relocatable .o/.ko)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self._stream = open(self.path, "rb")
        except OSError as exc:
            raise OopsyError(f"cannot open: {exc.strerror}", source=str(path)) from None
        magic = self._stream.read(4)
        self._stream.seek(0)
        if magic != b"\x7fELF":
            self._stream.close()
            raise OopsyError("not an ELF file", source=str(path))
        try:
            self.elf = ELFFile(self._stream)
            self.sections = list(self.elf.iter_sections())
            self.symbols = self._load_symbols()
        except (ELFError, ValueError, OSError, AssertionError, KeyError) as exc:
            self._stream.close()
            raise OopsyError(f"corrupt or truncated ELF: {exc}", source=str(path)) from None
        self._addresses = [s.address for s in self.symbols]
        self._by_name: dict[str, Symbol] = {}
        for sym in self.symbols:
            self._by_name.setdefault(sym.name, sym)

    # -- identity -------------------------------------------------------------------
    @property
    def machine(self) -> str:
        return self.elf["e_machine"]

    @property
    def is_ia64(self) -> bool:
        return self.machine == "EM_IA_64"

    @property
    def is_relocatable(self) -> bool:
        return self.elf["e_type"] == "ET_REL"

    @property
    def has_dwarf(self) -> bool:
        return self.elf.get_section_by_name(".debug_info") is not None

    @property
    def build_id(self) -> str | None:
        """The GNU build-id note as hex, if the image has one."""
        for section in self.sections:
            if section["sh_type"] != "SHT_NOTE":
                continue
            for note in section.iter_notes():
                if note["n_type"] == "NT_GNU_BUILD_ID":
                    return note["n_desc"]
        return None

    def close(self) -> None:
        self._stream.close()

    # -- symbols --------------------------------------------------------------------
    def _load_symbols(self) -> list[Symbol]:
        found: list[Symbol] = []
        tables = [s for s in self.sections if isinstance(s, SymbolTableSection)]
        # .symtab when present, .dynsym otherwise (a stripped image).
        tables.sort(key=lambda s: s.name != ".symtab")
        for table in tables[:1]:
            for sym in table.iter_symbols():
                kind = {"STT_FUNC": "func", "STT_OBJECT": "object", "STT_NOTYPE": "notype"}.get(
                    sym["st_info"]["type"]
                )
                shndx = sym["st_shndx"]
                if kind is None or not sym.name or not isinstance(shndx, int):
                    continue
                section = self.sections[shndx]
                if not section["sh_flags"] & 0x2:  # SHF_ALLOC
                    continue
                if kind == "notype" and sym.name.startswith(("$", ".L")):
                    continue
                found.append(Symbol(sym.name, sym["st_value"], sym["st_size"], kind, section.name))
        found.sort(key=lambda s: (s.address, _KIND_RANK[s.kind], -s.size, s.name))
        return found

    def symbol(self, name: str) -> Symbol | None:
        return self._by_name.get(name)

    def lookup(self, address: int) -> tuple[Symbol, int] | None:
        """The symbol containing `address` and the offset into it, or None.

        Among symbols at the same address a function wins; a zero-size symbol covers up to
        the next symbol's address, as kallsyms assumes.
        """
        i = bisect.bisect_right(self._addresses, address) - 1
        if i < 0:
            return None
        start = self._addresses[i]
        first = bisect.bisect_left(self._addresses, start)
        sym = self.symbols[first]
        offset = address - sym.address
        if sym.size:
            if offset < sym.size:
                return sym, offset
            return None
        nxt = bisect.bisect_right(self._addresses, start)
        if nxt < len(self._addresses) and address >= self._addresses[nxt]:
            return None
        section = self.elf.get_section_by_name(sym.section)
        if section is not None and not self.is_relocatable:
            if address >= section["sh_addr"] + section["sh_size"]:
                return None
        return sym, offset

    def size_of(self, sym: Symbol) -> int:
        """Symbol size, or the distance to the next symbol when the ELF gives none."""
        if sym.size:
            return sym.size
        nxt = bisect.bisect_right(self._addresses, sym.address)
        if nxt < len(self._addresses):
            return self._addresses[nxt] - sym.address
        return 0

    # -- bytes ----------------------------------------------------------------------
    def section_at(self, address: int):
        """The allocated section whose [sh_addr, sh_addr+sh_size) holds `address`."""
        for section in self.sections:
            if not section["sh_flags"] & 0x2 or section["sh_type"] == "SHT_NOBITS":
                continue
            start = section["sh_addr"]
            if start <= address < start + section["sh_size"]:
                return section
        return None

    def read(self, address: int, size: int, section_name: str | None = None) -> bytes:
        """Bytes at virtual `address` (or at that offset of `section_name` in a .o)."""
        section = (
            self.elf.get_section_by_name(section_name) if section_name else self.section_at(address)
        )
        if section is None:
            raise OopsyError(f"address {address:#x} is in no loaded section", source=str(self.path))
        data = section.data()
        start = address - section["sh_addr"]
        if start < 0 or start >= len(data):
            raise OopsyError(
                f"address {address:#x} is outside section {section.name}", source=str(self.path)
            )
        return data[start : start + size]
