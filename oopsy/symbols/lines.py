"""A fast decoder for DWARF 2-5 line-number programs (DWARF 5 standard, section 6.2).

pyelftools parses the header (directory and file tables, in every version's format);
this module runs the state machine over the opcode bytes directly, several times faster
than pyelftools' per-opcode construct parsing, which dominated indexing a vmlinux.
It yields only what symbolization needs: rows (address, file, line, discriminator,
end_sequence, file_was_set). Tests check it row for row against pyelftools.
"""

from __future__ import annotations

from collections.abc import Iterator

from oopsy.symbols.diescan import uleb128

# Standard opcodes (section 6.2.5.2) and extended opcodes (6.2.5.3).
_COPY, _ADVANCE_PC, _ADVANCE_LINE, _SET_FILE, _SET_COLUMN = 1, 2, 3, 4, 5
_NEGATE_STMT, _SET_BASIC_BLOCK, _CONST_ADD_PC, _FIXED_ADVANCE_PC = 6, 7, 8, 9
_SET_PROLOGUE_END, _SET_EPILOGUE_BEGIN, _SET_ISA = 10, 11, 12
_END_SEQUENCE, _SET_ADDRESS, _DEFINE_FILE, _SET_DISCRIMINATOR = 1, 2, 3, 4

Row = tuple[int, int, int, int, bool, bool]


def _sleb(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            if byte & 0x40:
                result -= 1 << shift
            return result, pos


def decode_rows(program, little_endian: bool = True) -> Iterator[Row]:
    """Rows of a pyelftools LineProgram: (address, file, line, discriminator,
    end_sequence, file_set), where file_set says DW_LNS_set_file ran in this sequence.

    DW_LNE_define_file entries are appended to the header's file table, as pyelftools
    does, so file indices keep their meaning.
    """
    header = program.header
    if header.get("maximum_operations_per_instruction", 1) > 1:  # VLIW op_index: rare
        yield from pyelftools_rows(program)
        return
    stream = program.stream
    stream.seek(program.program_start_offset)
    data = stream.read(program.program_end_offset - program.program_start_offset)
    min_length = header["minimum_instruction_length"]
    line_base = header["line_base"]
    line_range = header["line_range"]
    opcode_base = header["opcode_base"]
    lengths = list(header["standard_opcode_lengths"])
    order = "little" if little_endian else "big"
    const_add = ((255 - opcode_base) // line_range) * min_length
    mask = (1 << 64) - 1

    address, file, line, discriminator, file_set = 0, 1, 1, 0, False
    pos, end = 0, len(data)
    while pos < end:
        op = data[pos]
        pos += 1
        if op >= opcode_base:
            adjusted = op - opcode_base
            address = (address + (adjusted // line_range) * min_length) & mask
            line += line_base + adjusted % line_range
            yield address, file, line, discriminator, False, file_set
            discriminator = 0
        elif op == 0:
            length, pos = uleb128(data, pos)
            if length == 0:
                continue
            sub, body, pos = data[pos], pos + 1, pos + length
            if sub == _END_SEQUENCE:
                yield address, file, line, discriminator, True, file_set
                address, file, line, discriminator, file_set = 0, 1, 1, 0, False
            elif sub == _SET_ADDRESS:
                address = int.from_bytes(data[body:pos], order)
            elif sub == _SET_DISCRIMINATOR:
                discriminator, _ = uleb128(data, body)
            elif sub == _DEFINE_FILE:
                name_end = data.index(b"\0", body)
                dir_index, _ = uleb128(data, name_end + 1)
                header["file_entry"].append({"name": data[body:name_end], "dir_index": dir_index})
        elif op == _COPY:
            yield address, file, line, discriminator, False, file_set
            discriminator = 0
        elif op == _ADVANCE_PC:
            step, pos = uleb128(data, pos)
            address = (address + step * min_length) & mask
        elif op == _ADVANCE_LINE:
            step, pos = _sleb(data, pos)
            line += step
        elif op == _SET_FILE:
            file, pos = uleb128(data, pos)
            file_set = True
        elif op == _CONST_ADD_PC:
            address = (address + const_add) & mask
        elif op == _FIXED_ADVANCE_PC:
            address = (address + int.from_bytes(data[pos : pos + 2], order)) & mask
            pos += 2
        elif op in (_NEGATE_STMT, _SET_BASIC_BLOCK, _SET_PROLOGUE_END, _SET_EPILOGUE_BEGIN):
            pass
        else:  # set_column, set_isa and any opcode this version does not define
            for _ in range(lengths[op - 1] if op - 1 < len(lengths) else 0):
                _, pos = uleb128(data, pos)


def pyelftools_rows(program) -> Iterator[Row]:
    """The same rows through pyelftools' own decoder (the reference, and the fallback
    for programs with op_index, which the fast path does not model)."""
    file_set = False
    for entry in program.get_entries():
        if entry.command == _SET_FILE and not entry.is_extended:
            file_set = True
        state = entry.state
        if state is None:
            continue
        yield state.address, state.file, state.line, state.discriminator, state.end_sequence, file_set
        if state.end_sequence:
            file_set = False
