"""objdump-compatible text for decoded bundles, driven by the operand table in `isa.py`.

`disassemble()` produces the instruction lines of ``ia64-linux-gnu-objdump -d``: one line
per slot at bundle + 6*slot, six bytes per line (the last line of a bundle shows four),
``[MII]`` on slot 0, ``(pNN)`` predicates, ``;;`` after a slot followed by a stop, and
``data8 0x...`` for encodings no row matches (binutils ia64-dis.c, facts §2.1). The L+X
pair of an MLX bundle prints on slot 1's line, followed by a bytes-only line.
"""

from __future__ import annotations

from typing import Callable, Optional

from oopsy.errors import OopsyError
from oopsy.ia64.decode import MASK64, Bundle, Instruction, decode_bundle
from oopsy.ia64.isa import AR_NAMES, CR_NAMES, OPERANDS

Symbolizer = Optional[Callable[[int], Optional[str]]]

_MBTYPE = {0x0: "@brcst", 0x8: "@mix", 0x9: "@shuf", 0xA: "@alt", 0xB: "@rev"}


def _format_operand(name: str, value: int, symbolizer: Symbolizer) -> str:
    opnd = OPERANDS[name]
    kind = opnd.kind
    if kind == "reg":
        return f"{opnd.text}{value}"
    if kind == "mem":
        return f"[r{value}]"
    if kind == "ind":
        return f"{opnd.text}[r{value}]"
    if kind == "const":
        return opnd.text
    if kind == "ar":
        return AR_NAMES.get(value, f"ar{value}")
    if kind == "cr":
        return CR_NAMES.get(value, f"cr{value}")
    if kind == "rel":
        return format_address(value, symbolizer)
    fmt = opnd.fmt
    if fmt == "x":
        return f"0x{value & MASK64:x}"
    if fmt == "mbtype":
        return _MBTYPE.get(value, f"0x{value:x}")
    return str(value)


def format_address(address: int, symbolizer: Symbolizer = None) -> str:
    """A branch target as objdump prints it: ``50 <f+0x50>`` with symbols, else ``0x50``."""
    if symbolizer is not None:
        name = symbolizer(address)
        if name:
            return f"{address:x} <{name}>"
    return f"0x{address:x}"


def _data8(raw: int) -> str:
    # C's "%#011llx": zero gets no 0x prefix, just zero padding.
    return "data8 " + ("0" * 11 if raw == 0 else f"0x{raw:09x}")


# Rendered text of instructions without IP-relative operands, by encoding.
_TEXT_CACHE: dict[tuple[str, int, int], str] = {}


def render_instruction(insn: Instruction, symbolizer: Symbolizer = None) -> str:
    """Predicate + mnemonic + operands, objdump style (without the stop marker)."""
    op = insn.op
    if op is None:
        return _data8(insn.raw)
    key = (insn.itype, insn.raw, insn.lslot)
    text = _TEXT_CACHE.get(key)
    if text is not None:
        return text
    text = _render(insn, symbolizer)
    if not any(OPERANDS[name].kind == "rel" for name in op.operands):
        if len(_TEXT_CACHE) > 1 << 18:
            _TEXT_CACHE.clear()
        _TEXT_CACHE[key] = text
    return text


def _render(insn: Instruction, symbolizer: Symbolizer) -> str:
    op = insn.op
    parts = []
    for i, (name, value) in enumerate(zip(op.operands, insn.values)):
        parts.append(_format_operand(name, value, symbolizer))
    if op.outputs:
        ops = ",".join(parts[: op.outputs]) + "=" + ",".join(parts[op.outputs:])
    else:
        ops = ",".join(parts)
    text = f"{op.mnemonic} {ops}" if parts else op.mnemonic
    if insn.predicated:
        return f"({'p%02d' % insn.qp}) {text}"
    return text


def _bytes(chunk: bytes, pad: bool) -> str:
    text = chunk.hex(" ") + " "
    return text.ljust(18) if pad else text


def bundle_lines(bundle: Bundle, data: bytes, symbolizer: Symbolizer = None,
                 width: int = 4, marks: dict[int, str] | None = None) -> list[str]:
    """The objdump -d lines of one bundle (three, or three for MLX with a bytes-only line)."""
    lines = []
    addr = bundle.address
    stops = bundle.stops
    for i in range(3):
        line_addr = addr + 6 * i
        chunk = data[6 * i: 6 * i + 6] if i < 2 else data[12:16]
        prefix = f"{line_addr:>{width}x}:\t{_bytes(chunk, True)}\t"
        marker = f"[{bundle.name}] " if i == 0 else "      "
        if bundle.is_mlx and i == 2:
            lines.append(f"{line_addr:>{width}x}:\t{_bytes(chunk, False)}")
            continue
        insn = bundle.instructions[i]
        if insn.op is None:
            body = "      " + _data8(insn.raw)
        else:
            text = render_instruction(insn, symbolizer)
            body = text if insn.predicated else "      " + text
            slot_of_stop = 2 if bundle.is_mlx and i == 1 else i
            if stops[slot_of_stop]:
                body += ";;"
        line = prefix + marker + body
        if marks and i in marks:
            line = marks[i] + line
        lines.append(line)
    return lines


def disassemble(data: bytes, address: int, symbolizer: Symbolizer = None) -> list[str]:
    """objdump ``-d`` instruction lines for whole bundles in `data` starting at `address`."""
    lines: list[str] = []
    end = address + len(data) - 1
    width = max(4, len(f"{end:x}"))
    for off in range(0, len(data) - len(data) % 16, 16):
        chunk = data[off:off + 16]
        bundle = decode_bundle(chunk, address + off)
        lines.extend(bundle_lines(bundle, chunk, symbolizer, width))
    return lines


def disassemble_around(read_bytes: Callable[[int, int], bytes], ip: int, before: int = 2,
                       after: int = 2, symbolizer: Symbolizer = None,
                       marker: str = "=> ") -> list[str]:
    """The bundle holding `ip` (bundle + slot, facts §5) and its neighbours.

    The faulting slot's line starts with `marker`; other lines are indented by as much.
    Neighbouring bundles that cannot be read are left out; the faulting bundle must be
    readable (read_bytes' own error propagates).
    """
    bundle_addr = ip & ~0xF
    slot = ip & 0x3
    pad = " " * len(marker)
    width = len(f"{bundle_addr + 16 * (after + 1):x}")
    lines: list[str] = []
    for k in range(-before, after + 1):
        addr = (bundle_addr + 16 * k) & MASK64
        if k == 0:
            data = read_bytes(addr, 16)
        else:
            try:
                data = read_bytes(addr, 16)
            except Exception:  # a neighbour outside the image: just leave it out
                continue
        if len(data) < 16:
            if k == 0:
                raise OopsyError(f"cannot read the bundle at {addr:#x}")
            continue
        bundle = decode_bundle(data, addr)
        marks = None
        if k == 0:
            line_slot = slot
            marks = {line_slot: marker}
        out = bundle_lines(bundle, data, symbolizer, width, marks)
        lines.extend(line if (marks and line.startswith(marker)) else pad + line for line in out)
    return lines
