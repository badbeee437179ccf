"""A fast scan of a unit's DIE tree that finds the DIEs symbolization needs.

pyelftools builds a full DIE object, attributes and all, for every entry it walks past;
most entries of a kernel unit are types, variables and parameters that symbolization
never looks at. This scanner reads the abbreviation codes and skips attribute values by
their form (DWARF 5 standard, section 7.5.6), so only the scope DIEs it reports
(functions, inlined subroutines, lexical blocks, ...) are handed to pyelftools.
"""

from __future__ import annotations

from collections.abc import Iterator

# Fixed-size forms, by their size in bytes.
_FIXED = {
    "DW_FORM_data1": 1, "DW_FORM_ref1": 1, "DW_FORM_flag": 1, "DW_FORM_strx1": 1, "DW_FORM_addrx1": 1,
    "DW_FORM_data2": 2, "DW_FORM_ref2": 2, "DW_FORM_strx2": 2, "DW_FORM_addrx2": 2,
    "DW_FORM_strx3": 3, "DW_FORM_addrx3": 3,
    "DW_FORM_data4": 4, "DW_FORM_ref4": 4, "DW_FORM_strx4": 4, "DW_FORM_addrx4": 4, "DW_FORM_ref_sup4": 4,
    "DW_FORM_data8": 8, "DW_FORM_ref8": 8, "DW_FORM_ref_sig8": 8, "DW_FORM_ref_sup8": 8,
    "DW_FORM_data16": 16,
    "DW_FORM_flag_present": 0, "DW_FORM_implicit_const": 0,
}
_LEB = {
    "DW_FORM_sdata", "DW_FORM_udata", "DW_FORM_ref_udata", "DW_FORM_strx", "DW_FORM_addrx",
    "DW_FORM_loclistx", "DW_FORM_rnglistx", "DW_FORM_GNU_addr_index", "DW_FORM_GNU_str_index",
}
_OFFSET = {
    "DW_FORM_strp", "DW_FORM_line_strp", "DW_FORM_sec_offset", "DW_FORM_strp_sup",
    "DW_FORM_GNU_ref_alt", "DW_FORM_GNU_strp_alt",
}
_BLOCK_LENGTH = {"DW_FORM_block1": 1, "DW_FORM_block2": 2, "DW_FORM_block4": 4}
_UNIT_REFS = {"DW_FORM_ref1", "DW_FORM_ref2", "DW_FORM_ref4", "DW_FORM_ref8", "DW_FORM_ref_udata"}
# DW_FORM_indirect's operand is a form code; the few that matter here.
_FORM_CODES = {
    0x01: "DW_FORM_addr", 0x03: "DW_FORM_block2", 0x04: "DW_FORM_block4", 0x05: "DW_FORM_data2",
    0x06: "DW_FORM_data4", 0x07: "DW_FORM_data8", 0x08: "DW_FORM_string", 0x09: "DW_FORM_block",
    0x0A: "DW_FORM_block1", 0x0B: "DW_FORM_data1", 0x0C: "DW_FORM_flag", 0x0D: "DW_FORM_sdata",
    0x0E: "DW_FORM_strp", 0x0F: "DW_FORM_udata", 0x10: "DW_FORM_ref_addr", 0x11: "DW_FORM_ref1",
    0x12: "DW_FORM_ref2", 0x13: "DW_FORM_ref4", 0x14: "DW_FORM_ref8", 0x15: "DW_FORM_ref_udata",
    0x17: "DW_FORM_sec_offset", 0x18: "DW_FORM_exprloc", 0x19: "DW_FORM_flag_present",
}


class UnsupportedForm(Exception):
    """A form the scanner cannot size; the caller falls back to pyelftools."""


def uleb128(data, pos: int) -> tuple[int, int]:
    """An unsigned LEB128 at `pos`: (value, position after it)."""
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7


def scope_dies(
    cu, data, wanted: frozenset[str], functions: frozenset[str]
) -> Iterator[tuple[int, str, int | None]]:
    """(DIE offset, tag, offset of the nearest enclosing function DIE) for every DIE whose
    tag is in `wanted`, reached only through `wanted` DIEs (other subtrees are skipped).

    `data` is the whole little-endian .debug_info section (bytes or memoryview). Raises
    UnsupportedForm when an attribute form has no known size.
    """
    abbrevs = cu.get_abbrev_table()._abbrev_map
    address_size = cu["address_size"]
    offset_size = 8 if cu.structs.dwarf_format == 64 else 4
    ref_addr_size = address_size if cu["version"] == 2 else offset_size
    cu_offset = cu.cu_offset
    end = cu_offset + cu.size
    compiled: dict[int, tuple[str, bool, list[tuple[str, str]]]] = {}

    pos = cu.cu_die_offset
    code, pos = uleb128(data, pos)  # the unit DIE itself: skip its attributes, walk its children
    # stack entries: (walking this subtree?, enclosing function offset)
    stack: list[tuple[bool, int | None]] = []
    tag, has_children, specs = _compile(abbrevs, compiled, code)
    pos, _ = _skip_attributes(data, pos, specs, address_size, offset_size, ref_addr_size, cu_offset)
    if has_children:
        stack.append((True, None))
    while stack and pos < end:
        start = pos
        code, pos = uleb128(data, pos)
        if code == 0:
            stack.pop()
            continue
        tag, has_children, specs = _compile(abbrevs, compiled, code)
        pos, sibling = _skip_attributes(data, pos, specs, address_size, offset_size, ref_addr_size, cu_offset)
        walking, enclosing = stack[-1]
        interesting = walking and tag in wanted
        if interesting:
            yield start, tag, enclosing
        if not has_children:
            continue
        if not interesting and sibling is not None and sibling > pos:
            pos = sibling  # skip the subtree whole
            continue
        stack.append((interesting, start if interesting and tag in functions else enclosing))


def _compile(abbrevs, compiled, code):
    found = compiled.get(code)
    if found is None:
        decl = abbrevs[code]
        found = compiled[code] = (decl["tag"], decl.has_children(), list(decl.iter_attr_specs()))
    return found


def _skip_attributes(data, pos, specs, address_size, offset_size, ref_addr_size, cu_offset):
    sibling = None
    for name, form in specs:
        if form == "DW_FORM_indirect":
            code, pos = uleb128(data, pos)
            form = _FORM_CODES.get(code)
            if form is None:
                raise UnsupportedForm(f"indirect form {code:#x}")
        start = pos
        size = _FIXED.get(form)
        if size is not None:
            pos += size
        elif form in _LEB:
            while data[pos] & 0x80:
                pos += 1
            pos += 1
        elif form in _OFFSET:
            pos += offset_size
        elif form == "DW_FORM_addr":
            pos += address_size
        elif form == "DW_FORM_ref_addr":
            pos += ref_addr_size
        elif form == "DW_FORM_string":
            while data[pos]:
                pos += 1
            pos += 1
        elif form in _BLOCK_LENGTH:
            width = _BLOCK_LENGTH[form]
            pos += width + int.from_bytes(data[pos : pos + width], "little")
        elif form in ("DW_FORM_block", "DW_FORM_exprloc"):
            length, pos = uleb128(data, pos)
            pos += length
        else:
            raise UnsupportedForm(form)
        if name == "DW_AT_sibling":
            if form in _UNIT_REFS:
                value = uleb128(data, start)[0] if form == "DW_FORM_ref_udata" else int.from_bytes(data[start:pos], "little")
                sibling = cu_offset + value
            elif form == "DW_FORM_ref_addr":
                sibling = int.from_bytes(data[start:pos], "little")
    return pos, sibling
