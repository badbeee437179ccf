"""DWARF, one compilation unit at a time: line rows, function and inline ranges, struct members.

A vmlinux carries hundreds of megabytes of DWARF, far too much to walk with pyelftools on
every run. So the work is split: `cu_ranges` maps addresses to compilation units (from
.debug_aranges, falling back to each unit's own DW_AT_low_pc/high_pc/ranges), and
`read_unit` digests a single unit into flat rows (`UnitData`) that cache.py stores, so a
unit is parsed once per ELF, ever.

The rows follow binutils' addr2line (bfd/dwarf2.c) so answers agree with `addr2line -f -i`:
- a line row covers [its address, the next row's address) within its sequence; of rows at
  the same address the last one wins;
- the function at an address is the function-like DIE (subprogram, inlined subroutine,
  entry point) with the smallest range holding it, the later DIE on a tie;
- an inlined subroutine's caller is the nearest enclosing function-like DIE, and its
  DW_AT_call_file/DW_AT_call_line give the caller's location;
- file names are joined to the unit's comp_dir like binutils' concat_filename, and a
  DWARF 5 sequence uses file 0 until it sets one (binutils' reading of the initial state).
On ia64 the line rows are per instruction slot (address = bundle + slot, facts §5), so an ip
with its slot bits is looked up exactly as given: no masking.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from dataclasses import dataclass, field

from elftools.dwarf.die import DIE
from elftools.dwarf.dwarfinfo import DWARFInfo
from elftools.dwarf.ranges import BaseAddressEntry

from oopsy.symbols.diescan import UnsupportedForm, scope_dies
from oopsy.symbols.elf import PARSE_ERRORS
from oopsy.symbols.lines import decode_rows

FUNCTION_TAGS = frozenset({"DW_TAG_subprogram", "DW_TAG_inlined_subroutine", "DW_TAG_entry_point"})
# DIEs whose children may hold functions or inlined instances; others are skipped whole.
_SCOPE_TAGS = FUNCTION_TAGS | {
    "DW_TAG_lexical_block",
    "DW_TAG_namespace",
    "DW_TAG_module",
    "DW_TAG_try_block",
    "DW_TAG_catch_block",
}
_TRANSPARENT_TYPE_TAGS = frozenset(
    {
        "DW_TAG_typedef",
        "DW_TAG_const_type",
        "DW_TAG_volatile_type",
        "DW_TAG_restrict_type",
        "DW_TAG_atomic_type",
    }
)
_AGGREGATE_TAGS = frozenset({"DW_TAG_structure_type", "DW_TAG_union_type", "DW_TAG_class_type"})


def text(value) -> str:
    """A DWARF string attribute as str (pyelftools gives bytes)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


@dataclass
class Function:
    """One function-like DIE: its name and, for an inlined instance, where it was called."""

    die: int
    name: str | None
    caller: int | None = None
    call_file: str | None = None
    call_line: int = 0


@dataclass
class UnitData:
    """Everything address lookups need from one compilation unit, as flat rows."""

    offset: int
    files: list[str] = field(default_factory=list)
    # (low, high, file index into files, line, discriminator), ascending by low.
    lines: list[tuple[int, int, int, int, int]] = field(default_factory=list)
    functions: dict[int, Function] = field(default_factory=dict)
    # (low, high, die) for every range of every function.
    ranges: list[tuple[int, int, int]] = field(default_factory=list)


# -- units ----------------------------------------------------------------------------------
def die_ranges(dwarf: DWARFInfo, die: DIE, base: int) -> list[tuple[int, int]]:
    """[low, high) address ranges of a DIE from low_pc/high_pc or DW_AT_ranges."""
    attrs = die.attributes
    if "DW_AT_ranges" in attrs:
        rangelists = dwarf.range_lists()
        if rangelists is None:
            return []
        attr = attrs["DW_AT_ranges"]
        offset = attr.value
        if attr.form == "DW_FORM_rnglistx":
            offset = _rnglistx_offset(dwarf, die.cu, attr.value)
        out = []
        for entry in rangelists.get_range_list_at_offset(offset, cu=die.cu):
            if isinstance(entry, BaseAddressEntry):
                base = entry.base_address
            elif entry.is_absolute:
                out.append((entry.begin_offset, entry.end_offset))
            else:
                out.append((base + entry.begin_offset, base + entry.end_offset))
        return [(lo, hi) for lo, hi in out if hi > lo]
    if "DW_AT_low_pc" in attrs and "DW_AT_high_pc" in attrs:
        low = _address(dwarf, die, attrs["DW_AT_low_pc"])
        high_attr = attrs["DW_AT_high_pc"]
        if high_attr.form in ("DW_FORM_addr", "DW_FORM_addrx", "DW_FORM_addrx1", "DW_FORM_addrx2", "DW_FORM_addrx4"):
            high = _address(dwarf, die, high_attr)
        else:
            high = low + high_attr.value  # DWARF 4+: a length
        return [(low, high)] if high > low else []
    return []


def _address(dwarf: DWARFInfo, die: DIE, attr) -> int:
    if attr.form.startswith("DW_FORM_addrx") or attr.form == "DW_FORM_GNU_addr_index":
        return dwarf.get_addr(die.cu, attr.value)
    return attr.value


def _rnglistx_offset(dwarf: DWARFInfo, cu, index: int) -> int:
    top = cu.get_top_DIE()
    base = top.attributes["DW_AT_rnglists_base"].value if "DW_AT_rnglists_base" in top.attributes else 12
    stream = dwarf.debug_rnglists_sec.stream
    width = 8 if cu.structs.dwarf_format == 64 else 4
    stream.seek(base + index * width)
    return base + int.from_bytes(stream.read(width), "little" if dwarf.config.little_endian else "big")


def unit_base(dwarf: DWARFInfo, top: DIE) -> int:
    attr = top.attributes.get("DW_AT_low_pc")
    return _address(dwarf, top, attr) if attr is not None else 0


def cu_ranges(dwarf: DWARFInfo) -> Iterator[tuple[int, int, int]]:
    """(low, high, unit offset) for every unit: .debug_aranges first, unit DIEs for the rest."""
    covered: set[int] = set()
    aranges = dwarf.get_aranges() if dwarf.debug_aranges_sec is not None else None
    if aranges is not None:
        for entry in aranges.entries:
            if entry.length:
                covered.add(entry.info_offset)
                yield entry.begin_addr, entry.begin_addr + entry.length, entry.info_offset
    for cu in dwarf.iter_CUs():
        if cu.cu_offset in covered:
            continue
        top = cu.get_top_DIE()
        for low, high in die_ranges(dwarf, top, unit_base(dwarf, top)):
            yield low, high, cu.cu_offset


# -- one unit ---------------------------------------------------------------------------------
def read_unit(dwarf: DWARFInfo, offset: int) -> UnitData:
    """Digest the unit at `offset` of .debug_info into `UnitData` rows.

    pyelftools keeps every parsed unit (and its DIEs) cached; indexing a whole vmlinux
    would hold gigabytes, so the caches are dropped after each unit. The cyclic garbage
    collector is paused meanwhile: it rescans those many young objects for nothing and
    costs about half the time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _read_unit(dwarf, offset)
    finally:
        for cache in ("_cu_cache", "_cu_offsets_map"):
            if isinstance(getattr(dwarf, cache, None), list):
                getattr(dwarf, cache).clear()
        if isinstance(getattr(dwarf, "_linetable_cache", None), dict):
            dwarf._linetable_cache.clear()
        if enabled:
            gc.enable()


def _read_unit(dwarf: DWARFInfo, offset: int) -> UnitData:
    cu = dwarf.get_CU_at(offset)
    top = cu.get_top_DIE()
    comp_dir = text(top.attributes["DW_AT_comp_dir"].value) if "DW_AT_comp_dir" in top.attributes else None
    unit = UnitData(offset=offset)
    program = dwarf.line_program_for_CU(cu)
    namer = _FileNamer(program, comp_dir) if program is not None else None
    if program is not None:
        _read_lines(program, namer, unit, dwarf.config.little_endian)
    _read_functions(dwarf, top, unit_base(dwarf, top), namer, unit)
    return unit


class _FileNamer:
    """File index -> path, as binutils' concat_filename builds it."""

    def __init__(self, program, comp_dir: str | None):
        header = program.header
        self.version = header["version"]
        self.files = header["file_entry"]
        self.dirs = [text(d) for d in header["include_directory"]]
        self.comp_dir = comp_dir
        self.paths: list[str] = []
        self.by_index: dict[int, int] = {}

    def path(self, index: int) -> str:
        if self.version < 5:  # before DWARF 5, file 0 means none and entries count from 1
            if index == 0:
                return "<unknown>"
            index -= 1
        if index < 0 or index >= len(self.files):
            return "<unknown>"
        entry = self.files[index]
        name = text(entry["name"])
        if name.startswith("/"):
            return name
        dir_index = entry["dir_index"]
        subdir = None
        if dir_index and self.dirs:
            if self.version >= 5 and dir_index <= len(self.dirs) - 1:
                subdir = self.dirs[dir_index]
            elif self.version < 5 and dir_index <= len(self.dirs):
                subdir = self.dirs[dir_index - 1]
        dir_name = self.comp_dir if (subdir is None or not subdir.startswith("/")) else None
        if dir_name is None:
            dir_name, subdir = subdir, None
        if dir_name is None:
            return name
        if subdir is not None:
            return f"{dir_name}/{subdir}/{name}"
        return f"{dir_name}/{name}"

    def file_id(self, index: int) -> int:
        """Our dense numbering of the files this unit's rows use."""
        found = self.by_index.get(index)
        if found is None:
            found = self.by_index[index] = len(self.paths)
            self.paths.append(self.path(index))
        return found


def _read_lines(program, namer: _FileNamer, unit: UnitData, little_endian: bool) -> None:
    sequence: list[tuple[int, int, int, int]] = []  # (address, file, line, discriminator)
    # binutils starts every DWARF 5 sequence at file 0 (the unit's primary file), not at
    # the standard's file 1, until DW_LNS_set_file: follow it to agree with addr2line.
    dwarf5 = namer.version >= 5
    for address, file, line, discriminator, end, file_set in decode_rows(program, little_endian):
        if end:
            _close_sequence(sequence, address, namer, unit)
            sequence = []
            continue
        if dwarf5 and not file_set:
            file = 0
        row = (address, file, line, discriminator)
        if sequence and sequence[-1][0] == address:
            sequence[-1] = row  # binutils keeps the last row at an address
        else:
            sequence.append(row)
    unit.files = namer.paths
    unit.lines.sort()


def _close_sequence(rows, end: int, namer: _FileNamer, unit: UnitData) -> None:
    for i, (address, file, line, discriminator) in enumerate(rows):
        high = rows[i + 1][0] if i + 1 < len(rows) else end
        if high > address:
            unit.lines.append((address, high, namer.file_id(file), line, discriminator))


def function_name(die: DIE, depth: int = 0) -> str | None:
    """Linkage name, else name, following abstract_origin/specification (as binutils)."""
    attrs = die.attributes
    for key in ("DW_AT_linkage_name", "DW_AT_MIPS_linkage_name", "DW_AT_name"):
        if key in attrs and isinstance(attrs[key].value, (bytes, str)):
            return text(attrs[key].value)
    if depth < 8:
        for key in ("DW_AT_abstract_origin", "DW_AT_specification"):
            if key in attrs:
                try:
                    origin = die.get_DIE_from_attribute(key)
                except PARSE_ERRORS:  # a dangling reference: binutils gives no name either
                    return None
                return function_name(origin, depth + 1)
    return None


def _read_functions(dwarf: DWARFInfo, top: DIE, base: int, namer, unit: UnitData) -> None:
    if dwarf.config.little_endian:
        try:
            data = dwarf.debug_info_sec.stream.getbuffer()
            found = list(scope_dies(top.cu, data, _SCOPE_TAGS, FUNCTION_TAGS))
        except (UnsupportedForm, IndexError, KeyError, AttributeError):
            found = None
        if found is not None:
            _record_functions(dwarf, top.cu, found, base, namer, unit)
            return
    _walk_functions(dwarf, top, base, namer, unit)


def _record_functions(dwarf, cu, found, base: int, namer, unit: UnitData) -> None:
    """Functions from the scanner's (offset, tag, enclosing function) list."""
    dead: set[int] = set()  # function DIEs without code: declarations, abstract roots
    for offset, tag, enclosing in found:
        if tag not in FUNCTION_TAGS:
            continue
        if enclosing in dead:
            dead.add(offset)
            continue
        die = cu.get_DIE_from_refaddr(offset)
        ranges = die_ranges(dwarf, die, base)
        if not ranges:
            dead.add(offset)
            continue
        unit.functions[offset] = _function(die, enclosing, namer)
        unit.ranges.extend((low, high, offset) for low, high in ranges)


def _function(die: DIE, enclosing: int | None, namer) -> Function:
    func = Function(die=die.offset, name=function_name(die))
    if die.tag == "DW_TAG_inlined_subroutine" and enclosing is not None:
        func.caller = enclosing
        attrs = die.attributes
        if "DW_AT_call_file" in attrs and namer is not None:
            func.call_file = namer.path(attrs["DW_AT_call_file"].value)
        if "DW_AT_call_line" in attrs:
            func.call_line = attrs["DW_AT_call_line"].value
    return func


def _walk_functions(dwarf: DWARFInfo, top: DIE, base: int, namer, unit: UnitData) -> None:
    """The same through pyelftools' DIE objects: the reference, and the fallback."""
    # Iterative walk; the stack holds (die, nearest enclosing function DIE offset).
    stack: list[tuple[DIE, int | None]] = [(child, None) for child in reversed(list(top.iter_children()))]
    while stack:
        die, enclosing = stack.pop()
        tag = die.tag
        if tag not in _SCOPE_TAGS:
            continue
        inner = enclosing
        if tag in FUNCTION_TAGS:
            ranges = die_ranges(dwarf, die, base)
            if not ranges:
                # A declaration or an abstract inline root: no code, and nothing inside
                # it has code either, so its subtree is skipped whole.
                continue
            unit.functions[die.offset] = _function(die, enclosing, namer)
            unit.ranges.extend((low, high, die.offset) for low, high in ranges)
            inner = die.offset
        if die.has_children:
            stack.extend((child, inner) for child in reversed(list(die.iter_children())))


# -- struct members -------------------------------------------------------------------------
def find_function_die(dwarf: DWARFInfo, unit_offset: int, name: str, address: int | None) -> DIE | None:
    """The concrete subprogram DIE named `name` (or starting at `address`) in a unit."""
    cu = dwarf.get_CU_at(unit_offset)
    top = cu.get_top_DIE()
    base = unit_base(dwarf, top)
    fallback = None
    for die in top.iter_children():
        if die.tag != "DW_TAG_subprogram":
            continue
        ranges = die_ranges(dwarf, die, base)
        if not ranges:
            continue
        if address is not None and any(lo <= address < hi for lo, hi in ranges):
            return die
        if fallback is None and function_name(die) == name:
            fallback = die
    return fallback


def parameters(die: DIE) -> list[tuple[str, DIE | None]]:
    """(name, type DIE) of a subprogram's formal parameters, through abstract origins."""
    out = []
    for child in die.iter_children():
        if child.tag != "DW_TAG_formal_parameter":
            continue
        source = child
        if "DW_AT_type" not in child.attributes and "DW_AT_abstract_origin" in child.attributes:
            source = child.get_DIE_from_attribute("DW_AT_abstract_origin")
        ptype = source.get_DIE_from_attribute("DW_AT_type") if "DW_AT_type" in source.attributes else None
        out.append((function_name(source) or "?", ptype))
    if not out and "DW_AT_abstract_origin" in die.attributes:
        return parameters(die.get_DIE_from_attribute("DW_AT_abstract_origin"))
    return out


def strip_type(die: DIE | None) -> DIE | None:
    while die is not None and die.tag in _TRANSPARENT_TYPE_TAGS:
        die = die.get_DIE_from_attribute("DW_AT_type") if "DW_AT_type" in die.attributes else None
    return die


def type_size(die: DIE | None) -> int | None:
    die = strip_type(die)
    if die is None:
        return None
    if "DW_AT_byte_size" in die.attributes:
        return die.attributes["DW_AT_byte_size"].value
    if die.tag == "DW_TAG_array_type":
        element = type_size(die.get_DIE_from_attribute("DW_AT_type"))
        count = 1
        for sub in die.iter_children():
            if sub.tag == "DW_TAG_subrange_type":
                if "DW_AT_count" in sub.attributes:
                    count *= sub.attributes["DW_AT_count"].value
                elif "DW_AT_upper_bound" in sub.attributes:
                    count *= sub.attributes["DW_AT_upper_bound"].value + 1
        return element * count if element is not None else None
    if die.tag == "DW_TAG_pointer_type":
        return die.cu["address_size"]
    return None


def _member_offset(member: DIE) -> int | None:
    attr = member.attributes.get("DW_AT_data_member_location")
    if attr is None:
        return 0 if member.get_parent() is not None and member.get_parent().tag == "DW_TAG_union_type" else None
    if isinstance(attr.value, int):
        return attr.value
    block = list(attr.value)  # DWARF 2 style: DW_OP_plus_uconst ULEB
    if block and block[0] == 0x23:
        value, shift = 0, 0
        for byte in block[1:]:
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        return value
    return None


def aggregate_name(die: DIE) -> str:
    kind = {"DW_TAG_union_type": "union "}.get(die.tag, "")
    name = text(die.attributes["DW_AT_name"].value) if "DW_AT_name" in die.attributes else "<anonymous>"
    return kind + name if kind and name == "<anonymous>" else name


def members_at(aggregate: DIE, offset: int, depth: int = 0) -> list[str]:
    """Dotted member paths inside `aggregate` that hold byte `offset` ("ptrace_message")."""
    found = []
    for member in aggregate.iter_children():
        if member.tag != "DW_TAG_member":
            continue
        start = _member_offset(member)
        if start is None or offset < start:
            continue
        mtype = member.get_DIE_from_attribute("DW_AT_type") if "DW_AT_type" in member.attributes else None
        size = type_size(mtype)
        if size is None or offset >= start + size:
            continue
        name = text(member.attributes["DW_AT_name"].value) if "DW_AT_name" in member.attributes else None
        inner_type = strip_type(mtype)
        rel = offset - start
        if inner_type is not None and inner_type.tag in _AGGREGATE_TAGS and depth < 8:
            inner = members_at(inner_type, rel, depth + 1)
            if inner:
                found.extend(f"{name}.{path}" if name else path for path in inner)
                continue
        if inner_type is not None and inner_type.tag == "DW_TAG_array_type":
            element = type_size(inner_type.get_DIE_from_attribute("DW_AT_type"))
            if element:
                index, rel = divmod(rel, element)
                label = f"{name}[{index}]"
                found.append(label if rel == 0 else f"{label}+{rel:#x}")
                continue
        label = name or "<anonymous>"
        found.append(label if rel == 0 else f"{label}+{rel:#x}")
    return found


def struct_members(function: DIE, offset: int) -> list[str]:
    """"type.member" for every pointer parameter whose pointee has a member at `offset`."""
    out: list[str] = []
    for _name, ptype in parameters(function):
        ptype = strip_type(ptype)
        if ptype is None or ptype.tag != "DW_TAG_pointer_type" or "DW_AT_type" not in ptype.attributes:
            continue
        pointee = strip_type(ptype.get_DIE_from_attribute("DW_AT_type"))
        if pointee is None or pointee.tag not in _AGGREGATE_TAGS:
            continue
        for path in members_at(pointee, offset):
            label = f"{aggregate_name(pointee)}.{path}"
            if label not in out:
                out.append(label)
    return out
