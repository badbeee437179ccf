"""The decoder API: bundles, slots, operands, semantic attributes, illegal encodings.

Expected texts are objdump's (ia64-linux-gnu-objdump -D -b binary -m ia64) for the same
bytes; the hypothesis test throws arbitrary bundles at the decoder.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oopsy.errors import OopsyError
from oopsy.ia64 import isa
from oopsy.ia64.decode import decode_bundle, find_opcode, split_bundle
from oopsy.ia64.disasm import disassemble, disassemble_around

ISSUE_BYTES = bytes.fromhex("08 10 25 0a 80 05 80 00 85 00 40 20 c1 61 fc 8c")


def _bundle(template: int, s0: int, s1: int, s2: int) -> bytes:
    return (template | s0 << 5 | s1 << 46 | s2 << 87).to_bytes(16, "little")


def test_issue_example_matches_objdump():
    lines = [" ".join(line.split()) for line in disassemble(ISSUE_BYTES, 0)]
    assert lines == [
        "0: 08 10 25 0a 80 05 [MMI] alloc r34=ar.pfs,9,5,0",
        "6: 80 00 85 00 40 20 add r8=r32,r33",
        "c: c1 61 fc 8c adds r9=-100,r12",
    ]


def test_bundle_fields_and_operands():
    bundle = decode_bundle(ISSUE_BYTES, 0xA00000010008D1F0)
    assert bundle.name == "MMI" and bundle.units == "MMI" and bundle.template == 0x08
    assert bundle.stops == (False, False, False)
    alloc, add, adds = bundle.instructions
    assert alloc.address == 0xA00000010008D1F0 and add.address == 0xA00000010008D1F1
    assert adds.slot == 2 and adds.unit == "I" and adds.itype == "A"
    assert alloc.op.id == "alloc/M34" and alloc.operands == {"r1": 34, "sof": 9, "sol": 5, "sor": 0}
    assert add.operands == {"r1": 8, "r2": 32, "r3": 33}
    assert adds.operands == {"r1": 9, "imm14": -100, "r3": 12}
    assert adds.text == "adds r9=-100,r12"
    assert decode_bundle(ISSUE_BYTES, 0xA00000010008D1F0) is bundle  # memoised


def test_mlx_bundle_is_two_instructions_with_lx_at_slot_1():
    # movl r21=0x123456789abcdef0 as GNU as 2.40 encodes it (facts §2.8), with a stop.
    data = bytes.fromhex("05 00 00 00 01 80 9a 78 56 34 12 a0 02 97 f7 66")
    bundle = decode_bundle(data, 0x4000)
    assert bundle.is_mlx and bundle.stops == (False, False, True)
    nop, movl = bundle.instructions
    assert nop.mnemonic == "nop.m" and movl.slot == 1 and movl.address == 0x4001
    assert movl.op.id == "movl/X2" and movl.unit == "X"
    assert movl.operands == {"r1": 21, "immu64": 0x123456789ABCDEF0}
    assert bundle.at_slot(1) is movl and bundle.at_slot(2) is None
    lines = [" ".join(line.split()) for line in disassemble(data, 0x4000)]
    assert lines[1] == "4006: 9a 78 56 34 12 a0 movl r21=0x123456789abcdef0;;"
    assert lines[2] == "400c: 02 97 f7 66"


def test_brl_target_uses_imm39_from_bit_2_of_the_l_slot():
    # brl.call b0=target: facts §2.4 X4, target64 = IP + ((i<<59 | imm39<<20 | imm20b) << 4)
    imm39, imm20b = 0x12345, 0x00ABC
    x = 0xD << 37 | imm20b << 13
    data = _bundle(0x05, 1 << 27, imm39 << 2, x)
    (_, brl) = decode_bundle(data, 0x10000).instructions
    assert brl.op.mnemonic == "brl.call.sptk.few"
    assert brl.operands["tgt64"] == 0x10000 + ((imm39 << 20 | imm20b) << 4)


def test_reserved_template_and_illegal_slots_print_like_objdump():
    data = _bundle(0x06, 0x123, 0, 0x1FFFFFFFFFF)
    bundle = decode_bundle(data, 0)
    assert bundle.info is None and bundle.name == "-3-"
    assert all(i.illegal and i.op is None for i in bundle.instructions)
    lines = [" ".join(line.split()) for line in disassemble(data, 0)]
    assert lines[0].endswith("[-3-] data8 0x000000123")
    assert lines[1].endswith("data8 00000000000")
    assert lines[2].endswith("data8 0x1ffffffffff")


def test_predicate_and_stop_rendering():
    # (p6) add r8=r9,r10 in slot 1 of "M I ; I" (template 0x02: stop after slot 1)
    add = 8 << 37 | 10 << 20 | 9 << 13 | 8 << 6 | 6
    nop_m, nop_i = 1 << 27, 1 << 27
    lines = disassemble(_bundle(0x02, nop_m, add, nop_i), 0)
    assert lines[1].split("\t")[2] == "      (p06) add r8=r9,r10;;"
    assert decode_bundle(_bundle(0x02, nop_m, add, nop_i), 0).instructions[1].predicated


@pytest.mark.parametrize(
    "itype, slot, rid, attrs",
    [
        ("M", 4 << 37 | 0x17 << 30 | 1 << 28, "ld8.acq.nt1/M1",
         {"family": "ld", "size": 8, "kind": "acq", "postinc": None, "hint": 1}),
        ("M", 5 << 37 | 0x02 << 30, "ld4/M3", {"size": 4, "kind": "normal", "postinc": "imm"}),
        ("M", 4 << 37 | 1 << 36 | 0x1B << 30, "ld8.fill/M2", {"kind": "fill", "postinc": "reg"}),
        ("M", 4 << 37 | 0x3B << 30, "st8.spill/M4", {"family": "st", "kind": "spill", "size": 8}),
        ("M", 4 << 37 | 0x35 << 30, "st2.rel/M4", {"kind": "rel", "size": 2}),
        ("M", 4 << 37 | 1 << 27 | 0x03 << 30, "cmpxchg8.acq/M16", {"family": "cmpxchg"}),
        ("A", 0xC << 37 | 1 << 34 | 1 << 12, "cmp4.lt.unc/A6",
         {"family": "cmp", "rel": "lt", "cmp4": True, "ctype": "unc"}),
        ("A", 0xE << 37 | 1 << 36 | 1 << 33 | 1 << 12, "cmp.lt.or.andcm/A7",
         {"rel": "lt", "ctype": "or.andcm", "zero": True}),
        ("I", 5 << 37 | 1 << 33 | 1 << 12, "tbit.nz.or/I16", {"ctype": "or", "nz": True}),
        ("B", 5 << 37 | 1 << 12, "br.call.sptk.many/B3",
         {"family": "br", "btype": "call", "indirect": False}),
        ("B", 0x21 << 27 | 4 << 6 | 1 << 33, "br.ret.spnt.few/B4",
         {"btype": "ret", "indirect": True}),
        ("B", 4 << 37 | 5 << 6, "br.cloop.sptk.few/B2", {"btype": "cloop"}),
    ],
)
def test_semantic_attributes(itype, slot, rid, attrs):
    op = find_opcode(itype, slot)
    assert op is not None and op.id == rid
    for key, value in attrs.items():
        assert op.attrs[key] == value, key


def test_table_rows_are_distinct_and_well_formed():
    ids = [op.id for op in isa.OPCODES]
    assert len(ids) == len(set(ids))
    seen = set()
    for op in isa.OPCODES:
        assert op.value & ~op.mask == 0, op.id
        assert op.format in isa.FORMATS, op.id
        key = (op.type, op.mask, op.value, op.when)
        assert key not in seen, f"{op.id} can never be decoded"
        seen.add(key)
        assert all(name in isa.OPERANDS for name in op.operands)


def _satisfy(op, slot: int) -> int:
    """Adjust operand bits so a pseudo-op row's condition holds."""
    def put(name, value):
        lo, width = isa.FIELDS[name]
        mask = ((1 << width) - 1) << lo
        return (slot & ~mask) | ((value << lo) & mask)
    if op.when == "f2_eq_f3":
        slot = put("f2", (slot >> 20) & 0x7F)
    elif op.when == "f3_ne_f2":
        slot = put("f3", 5)
    elif op.when == "pos_len_64":
        slot = put("len6d", 63 - ((slot >> 14) & 0x3F))
    elif op.when == "shl_len":
        slot = put("len6d", 63 - (63 - ((slot >> 20) & 0x3F)))
    return slot


def test_every_row_is_reachable():
    """Each row wins for some encoding: no row is shadowed by another."""
    rng = random.Random(41)
    unreachable = []
    for op in isa.OPCODES:
        for _ in range(40):
            slot = _satisfy(op, (rng.getrandbits(41) & ~op.mask) | op.value)
            if find_opcode(op.type, slot) is op:
                break
        else:
            unreachable.append(op.id)
    assert not unreachable


def test_disassemble_around_marks_the_faulting_slot():
    image = {0x1000 + 16 * k: ISSUE_BYTES for k in range(3)}

    def read(addr, n):
        if addr not in image:
            raise OopsyError(f"{addr:#x} unmapped")
        return image[addr][:n]

    lines = disassemble_around(read, 0x1011, before=2, after=2)
    assert len(lines) == 9  # bundles 0x1000..0x1020; 0xfe0/0xff0/0x1030/0x1040 unreadable
    marked = [line for line in lines if line.startswith("=> ")]
    assert len(marked) == 1 and "add r8=r32,r33" in marked[0] and "1016:" in marked[0]
    with pytest.raises(OopsyError):
        disassemble_around(read, 0x2000)


def test_split_bundle_layout():
    t, s0, s1, s2 = split_bundle(_bundle(0x1D, 0x1ABCDEF0123, 0x0FEDCBA9876, 0x13579BDF024))
    assert (t, s0, s1, s2) == (0x1D, 0x1ABCDEF0123, 0x0FEDCBA9876, 0x13579BDF024)


@settings(max_examples=400, deadline=None)
@given(data=st.binary(min_size=16, max_size=16),
       address=st.integers(min_value=0, max_value=(1 << 60)).map(lambda a: a & ~0xF))
def test_random_bundles_never_raise(data, address):
    bundle = decode_bundle(data, address)
    assert len(bundle.instructions) == (2 if bundle.is_mlx else 3)
    for insn in bundle.instructions:
        if insn.op is not None:
            assert insn.raw & insn.op.mask == insn.op.value
        assert isinstance(insn.text, str) and insn.text
    lines = disassemble(data, address, symbolizer=lambda a: None)
    assert len(lines) == 3
