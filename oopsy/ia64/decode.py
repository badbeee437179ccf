"""Bundle -> instructions, driven entirely by the table in `isa.py`.

A 16-byte little-endian bundle holds a 5-bit template and three 41-bit slots (facts §2.1).
Each slot is decoded in the instruction type its unit implies (major opcodes >= 8 in an
M or I slot are A-type). The lookup structure is computed once at import from
`isa.OPCODES`: per (type, major opcode), the distinct selector masks, most specific
first, each with a dict from selector value to rows. Decoded slots are memoised, so the
emulator pays the table walk once per distinct encoding.

An encoding no row matches (or a reserved template) yields an `Instruction` whose `op`
is None; it prints as objdump prints it (``data8 0x...``) and never raises.
"""

from __future__ import annotations

from dataclasses import dataclass

from oopsy.ia64 import isa
from oopsy.ia64.isa import CONSTRAINTS, NO_PRED, OPERANDS, TEMPLATES, Opcode, Template

SLOT_MASK = (1 << 41) - 1
MASK64 = (1 << 64) - 1


def _popcount(x: int) -> int:
    return bin(x).count("1")


def _build_lookup() -> dict[tuple[str, int], list[tuple[int, dict[int, list[Opcode]]]]]:
    by_major: dict[tuple[str, int], dict[int, dict[int, list[Opcode]]]] = {}
    for op in isa.OPCODES:
        masks = by_major.setdefault((op.type, op.major), {})
        masks.setdefault(op.mask, {}).setdefault(op.value, []).append(op)
    lookup = {}
    for key, masks in by_major.items():
        for rows in masks.values():
            for value, cands in rows.items():
                # pseudo-op rows with an operand condition are tried before the general row
                rows[value] = sorted(cands, key=lambda op: op.when is None)
        order = sorted(masks, key=lambda m: -_popcount(m))
        lookup[key] = [(m, masks[m]) for m in order]
    return lookup


_LOOKUP = _build_lookup()


def find_opcode(itype: str, slot: int) -> Opcode | None:
    """The table row for a 41-bit slot decoded as instruction type `itype`, or None."""
    for mask, rows in _LOOKUP.get((itype, slot >> 37), ()):
        cands = rows.get(slot & mask)
        if cands:
            for op in cands:
                if op.when is None or CONSTRAINTS[op.when](slot):
                    return op
    return None


def _extract(opnd: isa.Operand, slot: int, lslot: int) -> int:
    """Assemble one operand value from its pieces (facts §2.2 ext_imms_scaled rule)."""
    val = 0
    total = 0
    for piece in opnd.pieces:
        lo, width = piece[0], piece[1]
        src = lslot if len(piece) == 3 else slot
        val |= ((src >> lo) & ((1 << width) - 1)) << total
        total += width
    if opnd.fmt == "cnt2c":
        return (0, 7, 15, 16)[val]
    if opnd.fmt == "inc3":
        mag = (16, 8, 4, 1)[val & 3]
        return -mag if val & 4 else mag
    if opnd.signed:
        sign = 1 << (total - 1)
        val = (val ^ sign) - sign
    if opnd.complement:
        val = opnd.complement - val
    return (val << opnd.scale) + opnd.bias


def _plan(op: Opcode) -> tuple[tuple, tuple[int, ...]]:
    """Per-row extraction plan: for each operand either (lo, mask) of a single-field
    value, the Operand for a composite immediate, or None for a constant; plus the
    indices of IP-relative operands."""
    steps = []
    rel = []
    for i, name in enumerate(op.operands):
        opnd = OPERANDS[name]
        if opnd.kind == "const":
            steps.append(None)
        elif (len(opnd.pieces) == 1 and len(opnd.pieces[0]) == 2 and not opnd.signed
              and not opnd.complement and not opnd.scale and not opnd.bias
              and opnd.fmt not in ("cnt2c", "inc3")):
            lo, width = opnd.pieces[0]
            steps.append((lo, (1 << width) - 1))
        else:
            steps.append(opnd)
        if opnd.kind == "rel":
            rel.append(i)
    return tuple(steps), tuple(rel)


_PLANS: dict[str, tuple[tuple, tuple[int, ...]]] = {op.id: _plan(op) for op in isa.OPCODES}
_TYPE_CODE = {"A": 0, "I": 1, "M": 2, "B": 3, "F": 4, "X": 5, "": 6}

# key (lslot << 48 | type << 41 | slot) -> (op, operand values, rel indices);
# rel operands hold the offset from the bundle address.
_SLOT_CACHE: dict[int, tuple[Opcode | None, tuple[int, ...], tuple[int, ...]]] = {}


def _decode_slot(itype: str, slot: int, lslot: int = 0):
    key = (lslot << 48) | (_TYPE_CODE[itype] << 41) | slot
    hit = _SLOT_CACHE.get(key)
    if hit is not None:
        return hit
    op = find_opcode(itype, slot)
    if op is None:
        hit = (None, (), ())
    else:
        steps, rel = _PLANS[op.id]
        values = tuple(
            0 if step is None else
            (slot >> step[0]) & step[1] if type(step) is tuple else
            _extract(step, slot, lslot)
            for step in steps
        )
        hit = (op, values, rel)
    if len(_SLOT_CACHE) > 1 << 20:
        _SLOT_CACHE.clear()
    _SLOT_CACHE[key] = hit
    return hit


def decode_slot(itype: str, slot: int, lslot: int = 0) -> tuple[Opcode | None, tuple[int, ...]]:
    """Decode one slot: the row and its operand values in row order (memoised)."""
    op, values, _ = _decode_slot(itype, slot, lslot)
    return op, values


def instruction_type(unit: str, slot: int) -> str:
    """Unit letter -> instruction type (facts §2.1 unit_to_type)."""
    if unit in "MI" and (slot >> 37) >= 8:
        return "A"
    return unit


@dataclass(slots=True)
class Instruction:
    """One decoded instruction.

    `address` is bundle address + slot, as Linux writes an ip (facts §5); an MLX bundle's
    L+X instruction is slot 1. `op` is the table row, None for an illegal encoding.
    `values` holds operand values in row order; for IP-relative operands the absolute
    target address.
    """

    address: int
    slot: int
    unit: str            # M, I, B, F, or X (the L+X pair of an MLX bundle)
    itype: str           # instruction type: A, I, M, B, F, X
    raw: int             # the 41-bit slot (X: the slot-2 half)
    lslot: int           # the L slot of an MLX bundle, else 0
    op: Opcode | None
    values: tuple[int, ...]

    @property
    def bundle_address(self) -> int:
        return self.address & ~0xF

    @property
    def qp(self) -> int:
        return self.raw & 0x3F

    @property
    def illegal(self) -> bool:
        return self.op is None

    @property
    def mnemonic(self) -> str:
        return "data8" if self.op is None else self.op.mnemonic

    @property
    def operands(self) -> dict[str, int]:
        """Operand values by operand name (register numbers, immediates, targets)."""
        if self.op is None:
            return {}
        return {name: val for name, val in zip(self.op.operands, self.values)
                if OPERANDS[name].kind != "const"}

    @property
    def predicated(self) -> bool:
        return self.op is not None and self.qp != 0 and NO_PRED not in self.op.flags

    def render(self, symbolizer=None) -> str:
        from oopsy.ia64.disasm import render_instruction
        return render_instruction(self, symbolizer)

    @property
    def text(self) -> str:
        """objdump-style text: predicate, mnemonic, operands (no stop marker)."""
        return self.render()


@dataclass(slots=True)
class Bundle:
    """A decoded bundle. `instructions` holds 3 entries, or 2 for MLX (M, then L+X at
    slot 1). `stops[i]` says a stop (;;) follows slot i."""

    address: int
    template: int
    info: Template | None
    instructions: tuple[Instruction, ...]
    slots: tuple[int, int, int]

    @property
    def name(self) -> str:
        if self.info is not None:
            return self.info.name
        return isa.RESERVED_TEMPLATE_NAMES[self.template >> 1]

    @property
    def units(self) -> str:
        return self.info.units if self.info is not None else ""

    @property
    def stops(self) -> tuple[bool, bool, bool]:
        return self.info.stops if self.info is not None else (False, False, False)

    @property
    def is_mlx(self) -> bool:
        return self.info is not None and self.info.is_mlx

    def at_slot(self, slot: int) -> Instruction | None:
        """The instruction an ip with this slot number names (None: MLX slot 2)."""
        if slot < len(self.instructions):
            return self.instructions[slot]
        return None


def split_bundle(data: bytes) -> tuple[int, int, int, int]:
    """(template, slot0, slot1, slot2) of a 16-byte little-endian bundle (facts §2.1)."""
    t0 = int.from_bytes(data[0:8], "little")
    t1 = int.from_bytes(data[8:16], "little")
    return (
        t0 & 0x1F,
        (t0 >> 5) & SLOT_MASK,
        ((t0 >> 46) & 0x3FFFF) | ((t1 & 0x7FFFFF) << 18),
        (t1 >> 23) & SLOT_MASK,
    )


_BUNDLE_CACHE: dict[tuple[bytes, int], Bundle] = {}


def _instruction(address: int, slot_no: int, unit: str, itype: str, raw: int, lslot: int,
                 bundle: int) -> Instruction:
    op, values, rel = _decode_slot(itype, raw, lslot)
    if rel:
        values = list(values)
        for i in rel:
            values[i] = (bundle + values[i]) & MASK64
        values = tuple(values)
    return Instruction(address, slot_no, unit, itype, raw, lslot, op, values)


def decode_bundle(data: bytes, address: int) -> Bundle:
    """Decode the 16 bytes of one bundle located at `address` (16-byte aligned)."""
    if type(data) is not bytes or len(data) != 16:
        data = bytes(data[:16])
        if len(data) != 16:
            raise ValueError("a bundle is 16 bytes")
    key = (data, address)
    hit = _BUNDLE_CACHE.get(key)
    if hit is not None:
        return hit
    address &= ~0xF
    word = int.from_bytes(data, "little")
    template = word & 0x1F
    s0 = (word >> 5) & SLOT_MASK
    s1 = (word >> 46) & SLOT_MASK
    s2 = word >> 87
    info = TEMPLATES[template]
    if info is None:
        insns = tuple(Instruction(address + i, i, "", "", raw, 0, None, ())
                      for i, raw in enumerate((s0, s1, s2)))
    elif info.is_mlx:
        insns = (_instruction(address, 0, "M", "A" if s0 >> 40 else "M", s0, 0, address),
                 _instruction(address + 1, 1, "X", "X", s2, s1, address))
    else:
        units = info.units
        insns = tuple(
            _instruction(address + i, i, units[i],
                         # major opcode >= 8 (bit 40) in an M or I slot is A-type (facts §2.1)
                         "A" if (raw >> 40 and units[i] in "MI") else units[i], raw, 0, address)
            for i, raw in enumerate((s0, s1, s2)))
    bundle = Bundle(address, template, info, insns, (s0, s1, s2))
    if len(_BUNDLE_CACHE) > 1 << 18:
        _BUNDLE_CACHE.clear()
    _BUNDLE_CACHE[key] = bundle
    return bundle
