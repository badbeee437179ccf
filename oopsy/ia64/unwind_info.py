"""IA-64 unwind tables: .IA_64.unwind entries and .IA_64.unwind_info descriptor records.

Format (Itanium Software Conventions and Runtime Architecture Guide, ch. 11; the same
decoder tables as binutils' unwind-ia64.c, which `readelf -u` prints with):

- `.IA_64.unwind` is an array of [start, end, info] 64-bit triples, each relative to
  the base of the segment holding the table (readelf: the PT_LOAD segment containing
  the section), sorted by start.
- an info block starts with a header word: version (bits 48-63), flags (32-47: bit 0
  EHANDLER, bit 1 UHANDLER), length of the descriptor area in 8-byte words (0-31). The
  descriptors follow; with a handler flag a personality pointer follows them.
- descriptors are byte-coded records. Region headers R1-R3 start a prologue or body of
  `rlen` instruction slots; inside a prologue P1-P10 say where registers are saved and
  when (t = slot index inside the region); inside a body B1-B4 mark epilogues and
  label/copy states; X1-X4 (either region) describe spills of any register.
  The first byte's top three bits select the record family (prologue and body tables).

`evaluate(info, when_target)` runs the Linux kernel unwinder's state machine
(arch/ia64/kernel/unwind.c, facts §3.4) over the records to say where rp, ar.pfs, psp,
pr ... of a frame are at a given slot of the function.

Pure module: bytes in, dataclasses out. The ELF glue is oopsy.emu.loader.
"""

from __future__ import annotations

import bisect
import struct
from dataclasses import dataclass, field

from oopsy.errors import OopsyError

FLAG_EHANDLER = 1
FLAG_UHANDLER = 2

# P3 register codes, P7 / P8 record codes (unwind-ia64.c decoder tables).
P3_REGS = ("psp", "rp", "pfs", "pr", "unat", "lc", "rp_br", "rnat", "bsp", "bspstore", "fpsr", "priunat")
P7_RECORDS = (
    ("mem_stack_f", None), ("mem_stack_v", None), ("spill_base", None), ("psp", "sprel"),
    ("rp", "when"), ("rp", "psprel"), ("pfs", "when"), ("pfs", "psprel"),
    ("pr", "when"), ("pr", "psprel"), ("lc", "when"), ("lc", "psprel"),
    ("unat", "when"), ("unat", "psprel"), ("fpsr", "when"), ("fpsr", "psprel"),
)
P8_RECORDS = {
    1: ("rp", "sprel"), 2: ("pfs", "sprel"), 3: ("pr", "sprel"), 4: ("lc", "sprel"),
    5: ("unat", "sprel"), 6: ("fpsr", "sprel"), 7: ("bsp", "when"), 8: ("bsp", "psprel"),
    9: ("bsp", "sprel"), 10: ("bspstore", "when"), 11: ("bspstore", "psprel"),
    12: ("bspstore", "sprel"), 13: ("rnat", "when"), 14: ("rnat", "psprel"),
    15: ("rnat", "sprel"), 16: ("priunat", "when_gr"), 17: ("priunat", "psprel"),
    18: ("priunat", "sprel"), 19: ("priunat", "when_mem"),
}
# abreg special registers (X records), index = abreg & 0xf for abreg 0x60-0x6f.
ABREG_SPECIAL = ("pr", "psp", "priunat", "rp", "bsp", "bspstore", "rnat", "unat", "fpsr", "pfs", "lc")
ABREG_READELF = ("pr", "psp", "@priunat", "rp", "ar.bsp", "ar.bspstore", "ar.rnat", "ar.unat",
                 "ar.fpsr", "ar.pfs", "ar.lc")
# readelf's spelling of register names inside P3/P7/P8 record names.
READELF_REG = {"rp_br": "rp"}

SAVE_ORDER = ("rp", "pfs", "psp", "pr")  # R2 mask bits 8,4,2,1 / grsave order


@dataclass(frozen=True)
class Record:
    """One descriptor record.

    fmt: R1..R3, P1..P10, B1..B4, X1..X4. kind: what it says (e.g. `mem_stack_f`,
    `gr` (saved in a GR), `when`, `sprel`, `psprel`, `label_state`, `epilogue`,
    `spill_sprel`). reg: register it is about (rp, pfs, psp, pr, unat, lc, ... or an
    abreg name such as r4/b1/f2 for X records), or None. Numeric fields in `args`.
    """

    fmt: str
    kind: str
    reg: str | None = None
    args: tuple[tuple[str, int], ...] = ()

    def arg(self, name: str, default: int = 0) -> int:
        for key, value in self.args:
            if key == name:
                return value
        return default


@dataclass
class Region:
    """A prologue or body region: `rlen` slots, its header record and descriptors."""

    header: Record
    body: bool
    rlen: int
    records: list[Record] = field(default_factory=list)


@dataclass
class UnwindInfo:
    version: int
    flags: int
    length: int  # descriptor area, in 8-byte words
    regions: list[Region]
    personality: int | None = None

    @property
    def ehandler(self) -> bool:
        return bool(self.flags & FLAG_EHANDLER)

    @property
    def uhandler(self) -> bool:
        return bool(self.flags & FLAG_UHANDLER)


@dataclass
class UnwindEntry:
    start: int  # absolute addresses
    end: int
    info_addr: int
    info: UnwindInfo

    def when(self, ip: int) -> int:
        """Slot index of `ip` (bundle address + slot) from the function start."""
        return 3 * ((ip & ~0xF) - self.start) // 16 + (ip & 0xF)


class UnwindTable:
    """Entries sorted by start address, with a lookup by ip."""

    def __init__(self, entries: list[UnwindEntry], segment_base: int):
        self.entries = sorted(entries, key=lambda e: e.start)
        self.segment_base = segment_base
        self._starts = [e.start for e in self.entries]

    def lookup(self, ip: int) -> UnwindEntry | None:
        i = bisect.bisect_right(self._starts, ip) - 1
        if i >= 0 and self.entries[i].start <= ip < self.entries[i].end:
            return self.entries[i]
        return None

    def __len__(self) -> int:
        return len(self.entries)


# ================================================================== parsing ==========
class _Reader:
    def __init__(self, data: bytes, pos: int, end: int, where: str):
        self.data, self.pos, self.end, self.where = data, pos, end, where

    def byte(self) -> int:
        if self.pos >= self.end:
            raise OopsyError(f"unwind descriptor runs past its block ({self.where})")
        b = self.data[self.pos]
        self.pos += 1
        return b

    def uleb(self) -> int:
        result = shift = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                return result
            shift += 7


def _abreg_name(abreg: int) -> str:
    kind = (abreg >> 5) & 3
    if kind == 0:
        return f"r{abreg & 0x1F}"
    if kind == 1:
        return f"f{abreg & 0x1F}"
    if kind == 2:
        return f"b{abreg & 0x1F}"
    idx = abreg & 0xF
    return ABREG_SPECIAL[idx] if idx < len(ABREG_SPECIAL) else f"special{idx}"


def _xy_target(x: int, ytreg: int) -> tuple[str, int]:
    kind = (x << 1) | ((ytreg >> 7) & 1)
    return ("gr", "fr", "br", "?")[kind], ytreg & 0x7F


def _decode_x(code: int, r: _Reader) -> Record:
    fmt = code & 0x7
    if fmt == 1:  # X1: spill to memory
        byte1 = r.byte()
        t = r.uleb()
        off = r.uleb()
        kind = "spill_sprel" if byte1 & 0x80 else "spill_psprel"
        return Record("X1", kind, _abreg_name(byte1 & 0x7F), (("t", t), ("off", off), ("abreg", byte1 & 0x7F)))
    if fmt == 2:  # X2: spill to register, or restore
        byte1, byte2 = r.byte(), r.byte()
        t = r.uleb()
        abreg = byte1 & 0x7F
        x = (byte1 >> 7) & 1
        if not x and byte2 == 0:
            return Record("X2", "restore", _abreg_name(abreg), (("t", t), ("abreg", abreg)))
        tkind, treg = _xy_target(x, byte2)
        return Record("X2", "spill_reg", _abreg_name(abreg),
                      (("t", t), ("abreg", abreg), ("x", x), ("ytreg", byte2), ("treg", treg)))
    if fmt == 3:  # X3: predicated spill to memory
        byte1, byte2 = r.byte(), r.byte()
        t = r.uleb()
        off = r.uleb()
        kind = "spill_sprel_p" if byte1 & 0x80 else "spill_psprel_p"
        return Record("X3", kind, _abreg_name(byte2 & 0x7F),
                      (("qp", byte1 & 0x3F), ("t", t), ("off", off), ("abreg", byte2 & 0x7F)))
    if fmt == 4:  # X4: predicated spill to register, or restore
        byte1, byte2, byte3 = r.byte(), r.byte(), r.byte()
        t = r.uleb()
        abreg = byte2 & 0x7F
        x = (byte2 >> 7) & 1
        if not x and byte3 == 0:
            return Record("X4", "restore_p", _abreg_name(abreg), (("qp", byte1 & 0x3F), ("t", t), ("abreg", abreg)))
        tkind, treg = _xy_target(x, byte3)
        return Record("X4", "spill_reg_p", _abreg_name(abreg),
                      (("qp", byte1 & 0x3F), ("t", t), ("abreg", abreg), ("x", x), ("ytreg", byte3), ("treg", treg)))
    raise OopsyError(f"unknown unwind descriptor code {code:#04x} ({r.where})")


def _decode_header(code: int, r: _Reader) -> Record | None:
    """R1/R2/R3 region headers, or None when `code` is not one."""
    top = code >> 5
    if top in (0, 1):
        return Record("R1", "body" if code & 0x20 else "prologue", None, (("rlen", code & 0x1F),))
    if top == 2:
        if code & 0x18:
            raise OopsyError(f"unknown unwind descriptor code {code:#04x} ({r.where})")
        byte1 = r.byte()
        mask = ((code & 0x7) << 1) | (byte1 >> 7)
        rlen = r.uleb()
        return Record("R2", "prologue_gr", None, (("mask", mask), ("grsave", byte1 & 0x7F), ("rlen", rlen)))
    if top == 3:
        rlen = r.uleb()
        return Record("R3", "body" if (code & 3) == 1 else "prologue", None, (("rlen", rlen),))
    return None


def _decode_prologue(code: int, r: _Reader, rlen: int) -> Record:
    top = code >> 5
    if top == 4:  # P1
        return Record("P1", "br_mem", None, (("brmask", code & 0x1F),))
    if top == 5:
        if not code & 0x10:  # P2
            byte1 = r.byte()
            return Record("P2", "br_gr", None, (("brmask", ((code & 0xF) << 1) | (byte1 >> 7)), ("gr", byte1 & 0x7F)))
        if not code & 0x08:  # P3
            byte1 = r.byte()
            which = ((code & 0x7) << 1) | (byte1 >> 7)
            if which >= len(P3_REGS):
                raise OopsyError(f"unknown P3 register code {which} ({r.where})")
            reg = P3_REGS[which]
            if reg == "rp_br":
                return Record("P3", "br", "rp", (("reg", byte1 & 0x7F),))
            return Record("P3", "gr", reg, (("reg", byte1 & 0x7F),))
        if code & 0x7 == 0:  # P4: spill mask, 2 bits per slot of the region
            nbytes = (2 * rlen + 7) // 8
            mask = bytes(r.byte() for _ in range(nbytes))
            return Record("P4", "spill_mask", None, (("imask", int.from_bytes(mask, "big")), ("nbytes", nbytes)))
        if code & 0x7 == 1:  # P5
            b1, b2, b3 = r.byte(), r.byte(), r.byte()
            return Record("P5", "frgr_mem", None, (("grmask", b1 >> 4), ("frmask", ((b1 & 0xF) << 16) | (b2 << 8) | b3)))
        raise OopsyError(f"unknown unwind descriptor code {code:#04x} ({r.where})")
    if top == 6:  # P6
        return Record("P6", "gr_mem" if code & 0x10 else "fr_mem", None, (("mask", code & 0xF),))
    # top == 7
    if not code & 0x10:  # P7
        reg, kind = P7_RECORDS[code & 0xF]
        t = r.uleb()
        if reg == "mem_stack_f":
            return Record("P7", "mem_stack_f", "psp", (("t", t), ("size", r.uleb())))
        if reg == "mem_stack_v":
            return Record("P7", "mem_stack_v", "psp", (("t", t),))
        if reg == "spill_base":
            return Record("P7", "spill_base", None, (("pspoff", t),))
        name = {"when": "t", "psprel": "pspoff", "sprel": "spoff"}[kind]
        return Record("P7", kind, reg, ((name, t),))
    low = code & 0xF
    if low == 0:  # P8
        which = r.byte()
        value = r.uleb()
        if which not in P8_RECORDS:
            raise OopsyError(f"unknown P8 record {which} ({r.where})")
        reg, kind = P8_RECORDS[which]
        name = {"when": "t", "when_gr": "t", "when_mem": "t", "psprel": "pspoff", "sprel": "spoff"}[kind]
        return Record("P8", kind, reg, ((name, value),))
    if low == 1:  # P9
        b1, b2 = r.byte(), r.byte()
        return Record("P9", "gr_gr", None, (("grmask", b1 & 0xF), ("gr", b2 & 0x7F)))
    if low == 0xF:  # P10
        abi, context = r.byte(), r.byte()
        return Record("P10", "unwabi", None, (("abi", abi), ("context", context)))
    return _decode_x(code, r)


def _decode_body(code: int, r: _Reader) -> Record:
    top = code >> 5
    if top in (4, 5):  # B1
        return Record("B1", "copy_state" if code & 0x20 else "label_state", None, (("label", code & 0x1F),))
    if top == 6:  # B2
        t = r.uleb()
        return Record("B2", "epilogue", None, (("t", t), ("ecount", code & 0x1F)))
    if not code & 0x10:  # B3
        t = r.uleb()
        ecount = r.uleb()
        return Record("B3", "epilogue", None, (("t", t), ("ecount", ecount)))
    if code & 0x7 == 0:  # B4
        label = r.uleb()
        return Record("B4", "copy_state" if code & 0x08 else "label_state", None, (("label", label),))
    return _decode_x(code, r)


def parse_info(data: bytes, offset: int, where: str = "unwind info") -> UnwindInfo:
    """Parse the info block at `offset` of `data` (the .IA_64.unwind_info contents)."""
    if offset < 0 or offset + 8 > len(data):
        raise OopsyError(f"unwind info offset {offset:#x} outside the section ({where})")
    (header,) = struct.unpack_from("<Q", data, offset)
    version = header >> 48
    flags = (header >> 32) & 0xFFFF
    length = header & 0xFFFFFFFF
    start = offset + 8
    end = start + 8 * length
    if end > len(data):
        raise OopsyError(f"unwind info block of {length} words runs past the section ({where})")
    r = _Reader(data, start, end, where)
    regions: list[Region] = []
    current: Region | None = None
    while r.pos < end:
        code = r.byte()
        header_rec = _decode_header(code, r)
        if header_rec is not None:
            current = Region(header_rec, header_rec.kind == "body", header_rec.arg("rlen"))
            regions.append(current)
            continue
        if current is None:
            raise OopsyError(f"unwind descriptor {code:#04x} before any region header ({where})")
        if current.body:
            current.records.append(_decode_body(code, r))
        else:
            current.records.append(_decode_prologue(code, r, current.rlen))
    personality = None
    if flags & (FLAG_EHANDLER | FLAG_UHANDLER) and end + 8 <= len(data):
        (personality,) = struct.unpack_from("<Q", data, end)
    return UnwindInfo(version, flags, length, regions, personality)


def parse_table(
    table: bytes, info_data: bytes, info_addr: int, segment_base: int, where: str = ".IA_64.unwind"
) -> UnwindTable:
    """Parse .IA_64.unwind (`table`) whose info blocks live in `info_data`, the
    .IA_64.unwind_info section loaded at `info_addr`; entries are relative to
    `segment_base` (the PT_LOAD segment holding the table)."""
    if len(table) % 24:
        raise OopsyError(f"unwind table size {len(table)} is not a multiple of 24 ({where})")
    entries = []
    for i in range(0, len(table), 24):
        start, end, info = struct.unpack_from("<QQQ", table, i)
        if start == 0 and end == 0 and info == 0:
            continue  # an empty slot left by the linker
        absolute = segment_base + info
        parsed = parse_info(info_data, absolute - info_addr, f"{where} entry {i // 24}")
        entries.append(UnwindEntry(segment_base + start, segment_base + end, absolute, parsed))
    return UnwindTable(entries, segment_base)


# ================================================================ rendering ==========
def _mask_list(mask: int, names: list[str]) -> str:
    return ",".join(name for i, name in enumerate(names) if mask >> i & 1)


_GR_NAMES = [f"r{i}" for i in range(4, 8)]
_BR_NAMES = [f"b{i}" for i in range(1, 6)]
_FR_NAMES = [f"f{i}" for i in range(2, 6)] + [f"f{i}" for i in range(16, 32)]


def _readelf_abreg(abreg: int) -> str:
    if (abreg >> 5) & 3 == 3:
        idx = abreg & 0xF
        return ABREG_READELF[idx] if idx < len(ABREG_READELF) else f"Unknown{idx}"
    return _abreg_name(abreg)


def _readelf_xyreg(x: int, ytreg: int) -> str:
    kind = (x << 1) | ((ytreg >> 7) & 1)
    return ("r", "f", "b", "?")[kind] + str(ytreg & 0x1F)  # readelf prints 5 bits


def render_record(rec: Record, rlen: int = 0) -> str:
    """One descriptor the way `readelf -u` prints it (without indentation)."""
    a = rec.arg
    f = rec.fmt
    if f in ("R1", "R3"):
        return f"{f}:{rec.kind}(rlen={a('rlen')})"
    if f == "R2":
        mask = a("mask")
        names = [n for bit, n in ((8, "rp"), (4, "ar.pfs"), (2, "psp"), (1, "pr")) if mask & bit]
        return f"R2:prologue_gr(mask=[{','.join(names)}],grsave=r{a('grsave')},rlen={a('rlen')})"
    if f == "P1":
        return f"P1:br_mem(brmask=[{_mask_list(a('brmask'), _BR_NAMES)}])"
    if f == "P2":
        return f"P2:br_gr(brmask=[{_mask_list(a('brmask'), _BR_NAMES)}],gr=r{a('gr')})"
    if f == "P3":
        if rec.kind == "br":
            return f"P3:rp_br(reg=b{a('reg')})"
        return f"P3:{rec.reg}_gr(reg=r{a('reg')})"
    if f == "P4":
        imask, nbytes = a("imask"), a("nbytes")
        chars = []
        for slot in range(rlen):
            if slot > 0 and slot % 3 == 0:
                chars.append(",")
            bits = (imask >> (8 * nbytes - 2 - 2 * slot)) & 3
            chars.append("-frb"[bits])
        return f"P4:spill_mask(imask=[{''.join(chars)}])"
    if f == "P5":
        return f"P5:frgr_mem(grmask=[{_mask_list(a('grmask'), _GR_NAMES)}],frmask=[{_mask_list(a('frmask'), _FR_NAMES)}])"
    if f == "P6":
        names = _GR_NAMES if rec.kind == "gr_mem" else _FR_NAMES
        key = "grmask" if rec.kind == "gr_mem" else "frmask"
        return f"P6:{rec.kind}({key}=[{_mask_list(a('mask'), names)}])"
    if f in ("P7", "P8"):
        if rec.kind == "mem_stack_f":
            return f"P7:mem_stack_f(t={a('t')},size={16 * a('size')})"
        if rec.kind == "mem_stack_v":
            return f"P7:mem_stack_v(t={a('t')})"
        if rec.kind == "spill_base":
            return f"P7:spill_base(pspoff=0x10-0x{4 * a('pspoff'):x})"
        reg = rec.reg
        if rec.kind == "when_gr":
            return f"{f}:priunat_when_gr(t={a('t')})"
        if rec.kind == "when_mem":
            return f"{f}:priunat_when_mem(t={a('t')})"
        if rec.kind == "when":
            return f"{f}:{reg}_when(t={a('t')})"
        if rec.kind == "psprel":
            return f"{f}:{reg}_psprel(pspoff=0x10-0x{4 * a('pspoff'):x})"
        return f"{f}:{reg}_sprel(spoff=0x{4 * a('spoff'):x})"
    if f == "P9":
        return f"P9:gr_gr(grmask=[{_mask_list(a('grmask'), _GR_NAMES)}],r{a('gr')})"
    if f == "P10":
        abi = a("abi")
        abistr = ("@svr4", "@hpux", "@nt")[abi] if abi < 3 else f"0x{abi:x}"
        return f"P10:unwabi(abi={abistr},context=0x{a('context'):02x})"
    if f in ("B1", "B4"):
        return f"{f}:{rec.kind}(label={a('label')})"
    if f in ("B2", "B3"):
        return f"{f}:epilogue(t={a('t')},ecount={a('ecount')})"
    reg = _readelf_abreg(a("abreg"))
    if rec.kind == "spill_sprel":
        return f"X1:spill_sprel(reg={reg},t={a('t')},spoff=0x{4 * a('off'):x})"
    if rec.kind == "spill_psprel":
        return f"X1:spill_psprel(reg={reg},t={a('t')},pspoff=0x10-0x{4 * a('off'):x})"
    if rec.kind == "restore":
        return f"X2:restore(t={a('t')},reg={reg})"
    if rec.kind == "spill_reg":
        return f"X2:spill_reg(t={a('t')},reg={reg},treg={_readelf_xyreg(a('x'), a('ytreg'))})"
    if rec.kind == "spill_sprel_p":
        return f"X3:spill_sprel_p(qp=p{a('qp')},t={a('t')},reg={reg},spoff=0x{4 * a('off'):x})"
    if rec.kind == "spill_psprel_p":
        return f"X3:spill_psprel_p(qp=p{a('qp')},t={a('t')},reg={reg},pspoff=0x10-0x{4 * a('off'):x})"
    if rec.kind == "restore_p":
        return f"X4:restore_p(qp=p{a('qp')},t={a('t')},reg={reg})"
    return f"X4:spill_reg_p(qp=p{a('qp')},t={a('t')},reg={reg},treg={_readelf_xyreg(a('x'), a('ytreg'))})"


def render_entry(entry: UnwindEntry, name: str, segment_base: int) -> list[str]:
    """The lines `readelf -u` prints for one table entry (function named `name`)."""
    info = entry.info
    flag_names = (" ehandler" if info.ehandler else "") + (" uhandler" if info.uhandler else "")
    lines = [
        f"<{name}>: [0x{entry.start:x}-0x{entry.end:x}], info at +0x{entry.info_addr - segment_base:x}",
        f"  v{info.version}, flags=0x{info.flags:x} ({flag_names}), len={8 * info.length} bytes",
    ]
    for region in info.regions:
        lines.append("    " + render_record(region.header))
        for rec in region.records:
            lines.append("\t" + render_record(rec, region.rlen))
    return lines


# =============================================================== evaluation ==========
WHEN_NEVER = 1 << 62


@dataclass(frozen=True)
class SaveLoc:
    """Where a register's value for the caller is, at the target slot.

    where: `none` (still in the register itself; for psp: sp + value), `gr` (general
    register number `value`), `br` (branch register `value`), `sprel` (memory at
    sp + value), `psprel` (memory at psp + value)."""

    where: str
    value: int = 0
    when: int = WHEN_NEVER


@dataclass
class FrameRules:
    """Result of `evaluate`: save locations in effect at the target slot."""

    regs: dict[str, SaveLoc]
    interrupt_frame: bool = False

    def get(self, reg: str) -> SaveLoc:
        return self.regs.get(reg, SaveLoc("none"))


def _set_reg(state: dict, reg: str, where: str, when: int, value: int) -> None:
    """unwind.c set_reg: the location changes; the time only if none was given yet."""
    old = state.get(reg)
    old_when = WHEN_NEVER if old is None else old.when
    state[reg] = SaveLoc(where, value, when if old_when == WHEN_NEVER else old_when)


def evaluate(info: UnwindInfo, when_target: int) -> FrameRules:
    """Save locations at slot `when_target` of the function (facts §3.4: the rules of
    Linux unwind.c build_script, desc_* and compile_reg)."""
    state: dict[str, SaveLoc] = {}
    stack: list[dict] = []
    labels: dict[int, tuple[dict, list]] = {}
    region_start = region_len = 0
    epilogue_start = WHEN_NEVER
    epilogue_count = 0
    return_link = 0
    interrupt = False
    gr_save = 0
    in_prologue = False
    for region in info.regions:
        if in_prologue:
            gr_save = _finish_prologue(state, gr_save)
        if when_target < region_start + region_len:
            break
        start = region_start + region_len
        for _ in range(epilogue_count):
            if stack:
                state = stack.pop()
        epilogue_count = 0
        epilogue_start = WHEN_NEVER
        region_start, region_len = start, region.rlen
        in_prologue = not region.body
        hdr = region.header
        if in_prologue:
            stack.append(dict(state))
            gr_save = 0
            if hdr.fmt == "R2":
                mask, gr_save = hdr.arg("mask"), hdr.arg("grsave")
                for reg in SAVE_ORDER:
                    if mask & 0x8:
                        _set_reg(state, reg, "gr", region_start + region_len - 1, gr_save)
                        gr_save += 1
                    mask <<= 1
        last = region_start + max(region_len - 1, 0)

        def at(t: int) -> int:
            return region_start + min(t, max(region_len - 1, 0))

        for rec in region.records:
            k, reg = rec.kind, rec.reg
            if k == "mem_stack_f":
                _set_reg(state, "psp", "none", at(rec.arg("t")), 16 * rec.arg("size"))
            elif k == "mem_stack_v":
                old = state.get("psp", SaveLoc("none"))
                state["psp"] = SaveLoc(old.where, old.value, at(rec.arg("t")))
            elif k == "gr" and rec.fmt == "P3":
                _set_reg(state, reg, "gr", last, rec.arg("reg"))
            elif k == "br" and rec.fmt == "P3":
                return_link = rec.arg("reg")
            elif k == "when":
                old = state.get(reg)
                where, value = ("gr_save", 0) if old is None or old.where == "none" else (old.where, old.value)
                state[reg] = SaveLoc(where, value, at(rec.arg("t")))
            elif k == "psprel":
                _set_reg(state, reg, "psprel", last, 0x10 - 4 * rec.arg("pspoff"))
            elif k == "sprel":
                _set_reg(state, reg, "sprel", last, 4 * rec.arg("spoff"))
            elif k in ("spill_sprel", "spill_sprel_p"):
                state[reg] = SaveLoc("sprel", 4 * rec.arg("off"), at(rec.arg("t")))
            elif k in ("spill_psprel", "spill_psprel_p"):
                state[reg] = SaveLoc("psprel", 0x10 - 4 * rec.arg("off"), at(rec.arg("t")))
            elif k in ("spill_reg", "spill_reg_p"):
                tkind, treg = _xy_target(rec.arg("x"), rec.arg("ytreg"))
                state[reg] = SaveLoc(tkind, treg, at(rec.arg("t")))
            elif k in ("restore", "restore_p"):
                state.pop(reg, None)
            elif k == "unwabi":
                if rec.arg("abi") == 3 and rec.arg("context") == ord("i"):
                    interrupt = True
            elif k == "epilogue":
                epilogue_start = region_start + region_len - 1 - rec.arg("t")
                epilogue_count = rec.arg("ecount") + 1
            elif k == "label_state":
                labels[rec.arg("label")] = (dict(state), [dict(x) for x in stack])
            elif k == "copy_state":
                saved = labels.get(rec.arg("label"))
                if saved is not None:
                    state = dict(saved[0])
                    stack = [dict(x) for x in saved[1]]
    else:
        if in_prologue:
            _finish_prologue(state, gr_save)
    if when_target > epilogue_start:
        # sp restored: psp = sp, and everything below psp+16 on the memory stack is gone
        state.pop("psp", None)
        for reg, loc in list(state.items()):
            if (loc.where == "psprel" and loc.value <= 0x10) or loc.where == "sprel":
                del state[reg]
    # compile_reg: a save that has not happened yet leaves the value where it was
    effective = {
        reg: loc
        for reg, loc in state.items()
        if loc.where != "gr_save" and loc.when < when_target
        and not (loc.where == "none" and reg != "psp")
    }
    if "rp" not in effective:
        effective["rp"] = SaveLoc("br", return_link, -1)
    return FrameRules(effective, interrupt)


def _finish_prologue(state: dict, gr_save: int) -> int:
    """unwind.c finish_prologue: a *_when without a location means the next register
    after the R2 grsave ones, in SAVE_ORDER."""
    for reg in SAVE_ORDER:
        loc = state.get(reg)
        if loc is not None and loc.where == "gr_save":
            state[reg] = SaveLoc("gr", gr_save, loc.when)
            gr_save += 1
    return gr_save
