"""ELF front end for the IA-64 disassembler: bytes from an image, objdump-style symbols.

`oopsy disasm` and `oopsy decode --vmlinux` read code through an `ElfImage` and print it
with `oopsy.ia64.disasm`. Branch targets are named the way objdump names them: the
nearest symbol at or below the target (``<func+0x40>``), or the first symbol above it
with a negative offset when none lies below.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from oopsy.errors import OopsyError
from oopsy.ia64.disasm import disassemble, disassemble_around
from oopsy.symbols.elf import ElfImage

_KIND_RANK = {"func": 0, "object": 1, "notype": 2}


class ObjdumpSymbolizer:
    """addr -> "name+0xoff" following objdump's nearest-symbol rule.

    Only symbols in executable sections are used, so data objects never name code.
    """

    def __init__(self, image: ElfImage, section: str | None = None):
        code = {s.name for s in image.sections
                if s["sh_flags"] & 0x4 and s["sh_flags"] & 0x2}  # SHF_EXECINSTR, SHF_ALLOC
        if section is not None:  # a relocatable file: every section starts at 0
            code &= {section}
        best: dict[int, tuple] = {}
        for sym in image.symbols:
            if sym.section not in code:
                continue
            rank = (_KIND_RANK.get(sym.kind, 3), sym.name)
            if sym.address not in best or rank < best[sym.address][0]:
                best[sym.address] = (rank, sym.name)
        self._addresses = sorted(best)
        self._names = [best[a][1] for a in self._addresses]

    def __call__(self, address: int) -> str | None:
        if not self._addresses:
            return None
        i = bisect.bisect_right(self._addresses, address) - 1
        if i < 0:
            base, name = self._addresses[0], self._names[0]
            return f"{name}-0x{base - address:x}"
        base, name = self._addresses[i], self._names[i]
        return name if address == base else f"{name}+0x{address - base:x}"

    def label_at(self, address: int) -> str | None:
        """The symbol starting exactly at `address`, for ``<name>:`` header lines."""
        i = bisect.bisect_left(self._addresses, address)
        if i < len(self._addresses) and self._addresses[i] == address:
            return self._names[i]
        return None


@dataclass
class Listing:
    """Disassembly lines plus where they came from (for the CLI's header line)."""

    start: int
    bundles: int
    lines: list[str]


def _code_bytes(image: ElfImage, address: int, size: int, section: str | None) -> bytes:
    data = image.read(address, size, section)
    whole = len(data) - len(data) % 16
    if whole == 0:
        raise OopsyError(f"no complete bundle at {address:#x}", source=str(image.path))
    return data[:whole]


def disassemble_image(image: ElfImage, *, symbol: str | None = None,
                      address: int | None = None, count: int | None = None) -> Listing:
    """Disassemble a function (`symbol`) or `count` bundles from `address`.

    Lines are objdump ``-d`` instruction lines; a ``<name>:`` header precedes every bundle
    where a code symbol starts, as objdump prints it. In a relocatable file (.o, .ko)
    addresses are offsets into the symbol's section (``.text`` for `address`).
    """
    section = None
    if (symbol is None) == (address is None):
        raise OopsyError("give either a symbol or an address", source=str(image.path))
    if symbol is not None:
        sym = image.symbol(symbol)
        if sym is None:
            raise OopsyError(f"no symbol named {symbol!r}", source=str(image.path))
        if image.is_relocatable:
            section = sym.section
        start = sym.address & ~0xF
        size = image.size_of(sym) or 16
        size = ((sym.address + size - start) + 15) & ~0xF
        if count is not None:
            size = min(size, 16 * count)
    else:
        if image.is_relocatable:
            section = ".text"
        start = address & ~0xF
        size = 16 * (count if count is not None else 8)
    data = _code_bytes(image, start, size, section)
    symbolizer = ObjdumpSymbolizer(image, section)
    lines: list[str] = []
    body = disassemble(data, start, symbolizer)
    for i in range(0, len(data), 16):
        label = symbolizer.label_at(start + i)
        if label is not None:
            if lines:
                lines.append("")
            lines.append(f"{start + i:016x} <{label}>:")
        lines.extend(body[3 * (i // 16): 3 * (i // 16) + 3])
    return Listing(start, len(data) // 16, lines)


def parse_hex_bytes(text: str) -> bytes:
    """'08 10 25 0a ...' (spaces or commas between bytes, or one hex run) -> bytes."""
    tokens = text.replace(",", " ").split()
    try:
        if all(len(tok) <= 2 for tok in tokens):
            data = bytes(int(tok, 16) for tok in tokens)
        else:
            data = bytes.fromhex("".join(tokens))
    except ValueError:
        raise OopsyError(f"--bytes: not hex bytes: {text!r}") from None
    if not data or len(data) % 16:
        raise OopsyError(f"--bytes: need whole 16-byte bundles, got {len(data)} bytes")
    return data


def disassemble_bytes(data: bytes, address: int = 0) -> list[str]:
    """objdump lines for raw bundle bytes (no symbols: targets print as 0x...)."""
    return disassemble(data, address)


def around_ip(image: ElfImage, ip: int, before: int = 2, after: int = 2) -> list[str]:
    """The faulting bundle of `ip` (bundle + slot) and its neighbours, slot marked."""
    return disassemble_around(lambda a, n: image.read(a, n), ip, before, after,
                              ObjdumpSymbolizer(image))


_SYM_OFFSET = re.compile(r"^([A-Za-z_.$][\w.$]*)(?:\+(0x[0-9a-fA-F]+|\d+))?$")


def parse_address(text: str, image: ElfImage | None = None) -> int:
    """'0xa00000010008d1f0', 'a00000010008d1f0', or (with an image) 'ptrace_stop+0x2b1'
    as an oops prints it -> int."""
    try:
        return int(text, 16)
    except ValueError:
        pass
    m = _SYM_OFFSET.match(text.strip())
    if image is not None and m:
        sym = image.symbol(m.group(1))
        if sym is None:
            raise OopsyError(f"no symbol named {m.group(1)!r}", source=str(image.path))
        return sym.address + (int(m.group(2), 0) if m.group(2) else 0)
    raise OopsyError(f"not a hex address{' or NAME+0xOFF' if image else ''}: {text!r}")


def disasm_command(elf: str | None, *, symbol: str | None = None, address: str | None = None,
                   count: int | None = None, hex_bytes: str | None = None) -> list[str]:
    """What `oopsy disasm` prints: objdump -d style lines for a symbol, an address range
    of an ELF, or raw bundle bytes given on the command line."""
    if count is not None and count < 1:
        raise OopsyError("--count must be at least 1")
    if hex_bytes is not None:
        if elf is not None or symbol is not None:
            raise OopsyError("--bytes takes no ELF and no --symbol")
        start = parse_address(address) if address is not None else 0
        data = parse_hex_bytes(hex_bytes)
        return disassemble_bytes(data, start & ~0xF)
    if elf is None:
        raise OopsyError("give an ELF (with --symbol or --address) or --bytes")
    if (symbol is None) == (address is None):
        raise OopsyError("give exactly one of --symbol and --address")
    image = ElfImage(elf)
    try:
        listing = disassemble_image(
            image, symbol=symbol,
            address=parse_address(address, image) if address is not None else None, count=count)
    finally:
        image.close()
    return listing.lines
