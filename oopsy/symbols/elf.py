"""ELF images through pyelftools: validation, sections, sorted symbol arrays, byte reads.

An `ElfImage` answers "which function holds this address" with a binary search over a
sorted array (functions first among symbols at the same address) and reads bytes at a
virtual address for the disassembler. On ia64 an ip carries the slot number in its low
two bits (facts §5); symbol lookups simply use the address as given, as kallsyms does.
"""

from __future__ import annotations

import bisect
import hashlib
import struct
from dataclasses import dataclass
from pathlib import Path

from elftools.common.exceptions import DWARFError, ELFError, ELFParseError, ELFRelocationError
from elftools.dwarf.dwarfinfo import DWARFInfo
from elftools.elf.elffile import ELFFile
from elftools.elf.relocation import RelocationSection

from oopsy.errors import OopsyError

_KIND_RANK = {"func": 0, "object": 1, "notype": 2}

#: Errors pyelftools raises on malformed or truncated input.
PARSE_ERRORS = (
    ELFError, DWARFError, ELFParseError, ValueError, OSError, AssertionError, KeyError,
    IndexError, EOFError, struct.error,
)

# ia64 relocation types found in the debug sections of `as -g` objects and `ld -r` modules
# (binutils include/elf/ia64.h): value = S + A, written little-endian.
_IA64_DEBUG_RELOCS = {
    0x25: 4,  # R_IA64_DIR32LSB
    0x27: 8,  # R_IA64_DIR64LSB
    0x65: 4,  # R_IA64_SECREL32LSB (debug sections of a relocatable sit at address 0)
    0x67: 8,  # R_IA64_SECREL64LSB
}


@dataclass(frozen=True)
class Symbol:
    name: str
    address: int
    size: int
    kind: str  # func, object or notype
    section: str


class _ElfFile(ELFFile):
    """ELFFile that also relocates the debug sections of ia64 relocatable objects."""

    def _read_dwarf_section(self, section, relocate_dwarf_sections):
        if not (relocate_dwarf_sections and self["e_machine"] == "EM_IA_64"):
            return super()._read_dwarf_section(section, relocate_dwarf_sections)
        descriptor = super()._read_dwarf_section(section, False)
        data = _ia64_relocated(self, section, descriptor.stream.getvalue())
        descriptor.stream.seek(0)
        descriptor.stream.write(data)
        descriptor.stream.seek(0)
        return descriptor


def _ia64_relocated(elf: ELFFile, target, data: bytes) -> bytes:
    """`data` of debug section `target` with its RELA entries applied (S + A)."""
    patched = bytearray(data)
    symtab = elf.get_section_by_name(".symtab")
    for reloc_section in elf.iter_sections():
        if not isinstance(reloc_section, RelocationSection) or not reloc_section.is_RELA():
            continue
        if elf.get_section(reloc_section["sh_info"]).name != target.name:
            continue
        for reloc in reloc_section.iter_relocations():
            kind = reloc["r_info_type"]
            width = _IA64_DEBUG_RELOCS.get(kind)
            if width is None:
                raise ELFRelocationError(f"unsupported ia64 relocation type {kind:#x}")
            sym = symtab.get_symbol(reloc["r_info_sym"])
            value = (sym["st_value"] + reloc["r_addend"]) & ((1 << (8 * width)) - 1)
            offset = reloc["r_offset"]
            patched[offset : offset + width] = value.to_bytes(width, "little")
    return bytes(patched)


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
            self.elf = _ElfFile(self._stream)
            self.sections = list(self.elf.iter_sections())
            for section in self.sections:
                if section["sh_type"] != "SHT_NOBITS" and (
                    section["sh_offset"] + section["sh_size"] > self.elf.stream_len
                ):
                    raise ELFError(f"section {section.name} runs past the end of the file")
        except PARSE_ERRORS as exc:
            self._stream.close()
            raise OopsyError(f"corrupt or truncated ELF: {exc}", source=str(path)) from None
        self._symbols: list[Symbol] | None = None

    @property
    def symbols(self) -> list[Symbol]:
        """All allocated func/object/notype symbols, sorted; loaded on first use."""
        if self._symbols is None:
            try:
                symbols = self._load_symbols()
            except PARSE_ERRORS as exc:
                raise OopsyError(
                    f"corrupt symbol table: {exc}", source=str(self.path)
                ) from None
            self._addresses = [s.address for s in symbols]
            self._by_name: dict[str, Symbol] = {}
            for sym in symbols:
                self._by_name.setdefault(sym.name, sym)
            self._symbols = symbols
        return self._symbols

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
    def has_symtab(self) -> bool:
        return self.elf.get_section_by_name(".symtab") is not None

    @property
    def sha256(self) -> str:
        digest = hashlib.sha256()
        self._stream.seek(0)
        for block in iter(lambda: self._stream.read(1 << 20), b""):
            digest.update(block)
        return digest.hexdigest()

    @property
    def build_id(self) -> str | None:
        """The GNU build-id note as hex, if the image has one.

        Only a note owned by "GNU" counts: type 3 means something else to other owners
        (a vmlinux carries Xen notes, where 3 is XEN_ELFNOTE_VIRT_BASE).
        """
        for section in self.sections:
            if section["sh_type"] != "SHT_NOTE":
                continue
            for note in section.iter_notes():
                if note["n_name"] == "GNU" and note["n_type"] == "NT_GNU_BUILD_ID":
                    desc = note["n_desc"]
                    return desc.hex() if isinstance(desc, bytes) else desc
        return None

    def close(self) -> None:
        self._stream.close()

    # -- symbols --------------------------------------------------------------------
    def _symbol_table(self):
        """.symtab when present, .dynsym otherwise (a stripped image), or None."""
        return self.elf.get_section_by_name(".symtab") or self.elf.get_section_by_name(".dynsym")

    def _raw_symbols(self):
        """(name, value, size, type, bind, shndx) per symbol-table entry, index order.

        Unpacked with struct rather than pyelftools' per-symbol parser: a vmlinux has
        ~100k symbols and this is the bulk of opening it cold.
        """
        table = self._symbol_table()
        if table is None:
            return
        data = table.data()
        strtab = self.sections[table["sh_link"]].data()
        endian = "<" if self.elf.little_endian else ">"
        if self.elf.elfclass == 64:
            layout, fields = struct.Struct(endian + "IBBHQQ"), lambda e: (e[0], e[4], e[5], e[1], e[3])
        else:
            layout, fields = struct.Struct(endian + "IIIBBH"), lambda e: (e[0], e[1], e[2], e[3], e[5])
        usable = len(data) - len(data) % layout.size
        for entry in layout.iter_unpack(data[:usable]):
            name_at, value, size, info, shndx = fields(entry)
            end = strtab.find(b"\0", name_at)
            name = strtab[name_at : end if end >= 0 else len(strtab)].decode("utf-8", "replace")
            yield name, value, size, info & 0xF, info >> 4, shndx

    def _load_symbols(self) -> list[Symbol]:
        found: list[Symbol] = []
        kinds = {2: "func", 1: "object", 0: "notype"}  # STT_FUNC, STT_OBJECT, STT_NOTYPE
        for name, value, size, kind, _bind, shndx in self._raw_symbols():
            kind = kinds.get(kind)
            if kind is None or not name or shndx == 0 or shndx >= 0xFF00:  # SHN_UNDEF, reserved
                continue
            section = self.sections[shndx]
            if not section["sh_flags"] & 0x2:  # SHF_ALLOC
                continue
            if kind == "notype" and name.startswith(("$", ".L")):
                continue
            found.append(Symbol(name, value, size, kind, section.name))
        found.sort(key=lambda s: (s.address, _KIND_RANK[s.kind], -s.size, s.name))
        return found

    def code_symbols(self) -> list[tuple[str, int, int, str, str | None]]:
        """(name, address, size, section, file) of every symbol addr2line may name a
        function after when DWARF has none, in symbol-table order.

        Mirrors binutils' _bfd_elf_find_function: object, section, file and TLS symbols
        are skipped; `file` is the STT_FILE name it reports with the symbol (the last
        file symbol before it, for a local symbol or before any other symbol was seen).
        """
        out = []
        file = None
        state = "nothing"
        for index, (name, value, size, kind, bind, shndx) in enumerate(self._raw_symbols()):
            if index == 0:
                continue
            if kind == 4:  # STT_FILE
                file = name
                if state == "symbol":
                    state = "file_after_symbol"
                continue
            if state == "nothing":
                state = "symbol"
            if kind in (1, 3, 6) or shndx == 0 or shndx >= 0xFF00:  # OBJECT, SECTION, TLS
                continue
            local = bind == 0  # STB_LOCAL
            named_file = file if file is not None and (local or state != "file_after_symbol") else None
            out.append((name, value, size, self.sections[shndx].name, named_file))
        return out

    def symbol(self, name: str) -> Symbol | None:
        self.symbols
        return self._by_name.get(name)

    def lookup(self, address: int) -> tuple[Symbol, int] | None:
        """The symbol containing `address` and the offset into it, or None.

        Among symbols at the same address a function wins; a zero-size symbol covers up to
        the next symbol's address, as kallsyms assumes.
        """
        self.symbols
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
        return self.distance_to_next(sym)

    def distance_to_next(self, sym: Symbol) -> int:
        """Bytes from `sym` to the next higher symbol address: the size kallsyms prints."""
        self.symbols
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
        start = address - section["sh_addr"]
        if start < 0 or start >= section["sh_size"]:
            raise OopsyError(
                f"address {address:#x} is outside section {section.name}", source=str(self.path)
            )
        if section["sh_flags"] & 0x800:  # SHF_COMPRESSED: pyelftools inflates it
            return section.data()[start : start + size]
        # read just these bytes: a vmlinux .text is tens of MB
        self._stream.seek(section["sh_offset"] + start)
        return self._stream.read(min(size, section["sh_size"] - start))

    # -- DWARF ----------------------------------------------------------------------
    def dwarf_info(self) -> DWARFInfo:
        """pyelftools' DWARFInfo with the relocations a relocatable object needs.

        A linked image (vmlinux may keep `.rela.debug_*` from --emit-relocs) is read as
        linked. A relocatable object gets its debug relocations applied: by pyelftools
        where it knows the machine, by `_ia64_relocated` for ia64, which it lacks.
        """
        if not self.has_dwarf:
            raise OopsyError("no DWARF debug information", source=str(self.path))
        try:
            if not self.is_relocatable:
                return self.elf.get_dwarf_info(relocate_dwarf_sections=False)
            if not self.is_ia64:
                return self.elf.get_dwarf_info(relocate_dwarf_sections=True)
            return self.elf.get_dwarf_info(relocate_dwarf_sections=True)
        except (ELFRelocationError, *PARSE_ERRORS) as exc:
            raise OopsyError(f"unreadable DWARF: {exc}", source=str(self.path)) from None
