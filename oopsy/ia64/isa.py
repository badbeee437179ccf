"""The IA-64 instruction set as data: templates, formats, operands and every opcode row.

This module is the single source of truth for the decoder (`decode.py`), the
objdump-compatible disassembler (`disasm.py`) and the emulator's dispatch. Nothing here
does I/O; everything is a plain Python value built once at import.

Layout of the data (facts §2):

* `TEMPLATES` – the 32 five-bit template values: units per slot and stop positions
  (facts §2.1), reserved ones as ``None``.
* `FIELDS` – every named bit range of a 41-bit slot (``name -> (low bit, width)``),
  `FORMATS` – each instruction format as the list of fields it uses (facts §2.4).
* `OPERANDS` – operand kinds: which field(s) hold the value, how an immediate is
  assembled from its pieces (sign, scale, bias), and how objdump prints it (facts §2.2).
* `OPCODES` – the opcode rows. Each row has a stable ``id``, the instruction type it is
  decoded in (A/I/M/B/F/X; A rows live in both M and I slots, facts §2.1), the major
  opcode, the selector field values that identify it, the mnemonic with completers, its
  operands (outputs before ``=``), flags and semantic attributes (``attrs``) for the
  emulator: access size and load/store kind, compare relation and type, branch type…

Where two rows share an encoding, objdump's choice wins: the row with more selector bits
is tried first, and a row with an operand condition (``when``, e.g. ``extr`` with
pos+len = 64 printed as ``shr``) before the general row with the same selectors. The
decoder builds its lookup from exactly this data.

``attrs`` by ``family`` (what the emulator dispatches on; every key is always present
for its family):

* ``alu``: ``op`` (add, add1, sub, sub1, addp4, and, andcm, or, xor, shladd, shladdp4),
  ``imm`` (the first source is an immediate).
* ``cmp``: ``rel`` (eq ne lt le gt ge ltu), ``cmp4``, ``ctype`` (none unc and or
  or.andcm), ``imm``, ``zero`` (A7: r0 compared with r3); ``tbit``/``tnat``/``tf``:
  ``ctype``, ``nz``.
* ``ld``/``st``/``ldf``/``stf``/``ldfp``: ``size`` (bytes), ``kind`` (normal s a sa bias
  acq c.clr c.nc c.clr.acq fill spill rel), ``postinc`` (None, "reg", "imm", "pair"),
  ``hint``; FP forms add ``fp`` (s d 8 e fill spill). ``cmpxchg``/``xchg``/``fetchadd``/
  ``cmp8xchg16``: ``size``, ``kind`` (acq rel), ``hint``.
* ``br``: ``btype`` (cond ia ret call cloop ctop cexit wtop wexit), ``indirect``, and
  ``long`` for brl. ``chk``: ``kind`` (s a), ``clr`` for chk.a.
* ``extr``/``shr``: ``signed``; ``dep``/``depz``: ``imm``; ``zxt``/``sxt``/``czx``/``mux``:
  ``size``; ``mov_ar``/``mov_br``/``mov_cr``/``mov_pr``/``mov_psr``/``mov_ind``: ``dir``
  (to/from...), ``file`` for indirect register files.
* F-unit ``fma``/``fms``/``fnma`` (and their fmpy/fadd/fsub/fnorm/fnmpy spellings):
  ``precision`` (x s d).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from types import MappingProxyType

# --------------------------------------------------------------------------------------
# Templates (facts §2.1): 4-bit kind -> units and the in-bundle stop ("group boundary").
# --------------------------------------------------------------------------------------

_TEMPLATE_KINDS = (
    ("MII", 0), ("MII", 2), ("MLX", 0), None,
    ("MMI", 0), ("MMI", 1), ("MFI", 0), ("MMF", 0),
    ("MIB", 0), ("MBB", 0), None, ("BBB", 0),
    ("MMB", 0), None, ("MFB", 0), None,
)


@dataclass(frozen=True)
class Template:
    """One 5-bit template value: slot units, and after which slots a stop (;;) falls."""

    value: int
    name: str            # "MII", "MLX", ... as objdump prints it in brackets
    units: str           # per-slot unit letters; MLX is "MLX" (L slot holds immediates)
    stops: tuple[bool, bool, bool]

    @property
    def is_mlx(self) -> bool:
        return self.units == "MLX"


def _build_templates() -> tuple[Template | None, ...]:
    out: list[Template | None] = []
    for value in range(32):
        kind = _TEMPLATE_KINDS[value >> 1]
        if kind is None:
            out.append(None)
            continue
        units, boundary = kind
        stops = [False, False, False]
        if boundary:
            stops[boundary - 1] = True
        if value & 1:
            stops[2] = True
        out.append(Template(value, units, units, tuple(stops)))
    return tuple(out)


TEMPLATES: tuple[Template | None, ...] = _build_templates()

# objdump names the reserved kinds by their hex digit (facts §2.1 quote of ia64_templ_desc).
RESERVED_TEMPLATE_NAMES = {3: "-3-", 10: "-a-", 13: "-d-", 15: "-f-"}

# --------------------------------------------------------------------------------------
# Fields and formats (facts §2.2, §2.4, §2.5, §2.6, §2.7).
# --------------------------------------------------------------------------------------

FIELDS: dict[str, tuple[int, int]] = {
    # common
    "qp": (0, 6), "op": (37, 4),
    "r1": (6, 7), "r2": (13, 7), "r3": (20, 7), "r3_2": (20, 2),
    "f1": (6, 7), "f2": (13, 7), "f3": (20, 7), "f4": (27, 7),
    "p1": (6, 6), "p2": (27, 6), "b1": (6, 3), "b2": (13, 3),
    "s": (36, 1), "imm7a": (6, 7), "imm7b": (13, 7), "imm6d": (27, 6), "imm9d": (27, 9),
    "imm5c": (22, 5), "imm20a": (6, 20), "imm20b": (13, 20), "imm13c": (20, 13),
    "imm21a": (6, 21), "imm27a": (6, 27), "i": (36, 1), "ic": (21, 1), "vc": (20, 1),
    # A unit
    "x2a": (34, 2), "ve": (33, 1), "x4": (29, 4), "x2b": (27, 2), "ct2d": (27, 2),
    "tb": (36, 1), "x2": (34, 2), "ta": (33, 1), "c": (12, 1), "za": (36, 1), "zb": (33, 1),
    # I unit
    "x3": (33, 3), "x6": (27, 6), "y26": (26, 1), "y13": (13, 1), "x_i": (33, 1), "tf_b19": (19, 1),
    "count6d": (27, 6), "len6d": (27, 6), "pos6b": (14, 6), "cpos6c": (20, 6),
    "cpos6b": (14, 6), "cpos6d": (31, 6), "len4d": (27, 4), "timm9c": (24, 9),
    "ih": (23, 1), "x_mov": (22, 1), "wh_i": (20, 2), "mask8c": (24, 8), "mask7a": (6, 7),
    "ve_i": (32, 1), "x2a_i": (34, 2), "x2b_i": (28, 2), "x2c_i": (30, 2),
    "mbtype4": (20, 4), "mhtype8": (20, 8), "ct2d_i": (30, 2),
    # M unit
    "m": (36, 1), "x6a": (30, 6), "hint": (28, 2), "x_m": (27, 1), "x6b": (27, 6),
    "x4m": (27, 4), "x2m": (31, 2), "i2d": (31, 2), "sof": (13, 7), "sol": (20, 7),
    "sor": (27, 4), "immu2": (13, 2), "hint_b19": (19, 1), "hint_b12": (12, 1),
    "hint_b10": (10, 1), "hint_b11": (11, 1),
    # B unit
    "btype": (6, 3), "p_b": (12, 1), "wh_b": (33, 2), "d": (35, 1), "wh_b5": (32, 3),
    "ih_b": (35, 1), "t2e": (33, 2), "timm7a": (6, 7), "wh_brp": (3, 2),
    # F unit
    "x_f": (36, 1), "sf": (34, 2), "xb_f": (33, 1), "q_f": (36, 1), "x2_f": (34, 2),
    "ra_f": (33, 1), "rb_f": (36, 1), "ta_f": (12, 1), "fc2": (33, 2), "fclass7c": (20, 7),
    "omask7c": (20, 7), "amask7b": (13, 7),
}

# Every format as the fields it carries beyond the major opcode (Ski encoding.format,
# facts §2.4). The decoder does not need them (operands name their fields), but they
# document the layout and the coverage table of the tests reports by format.
FORMATS: dict[str, tuple[str, ...]] = {
    "A1": ("x2a", "ve", "x4", "x2b", "r3", "r2", "r1", "qp"),
    "A2": ("x2a", "ve", "x4", "ct2d", "r3", "r2", "r1", "qp"),
    "A3": ("s", "x2a", "ve", "x4", "x2b", "r3", "imm7b", "r1", "qp"),
    "A4": ("s", "x2a", "ve", "imm6d", "r3", "imm7b", "r1", "qp"),
    "A5": ("s", "imm9d", "imm5c", "r3_2", "imm7b", "r1", "qp"),
    "A6": ("tb", "x2", "ta", "p2", "r3", "r2", "c", "p1", "qp"),
    "A7": ("tb", "x2", "ta", "p2", "r3", "c", "p1", "qp"),
    "A8": ("s", "x2", "ta", "p2", "r3", "imm7b", "c", "p1", "qp"),
    "A9": ("za", "x2a", "zb", "x4", "x2b", "r3", "r2", "r1", "qp"),
    "A10": ("za", "x2a", "zb", "x4", "ct2d", "r3", "r2", "r1", "qp"),
    "I5": ("za", "x2a_i", "zb", "ve_i", "x2c_i", "x2b_i", "r3", "r2", "r1", "qp"),
    "I7": ("za", "x2a_i", "zb", "ve_i", "x2c_i", "x2b_i", "r3", "r2", "r1", "qp"),
    "I3": ("za", "x2a_i", "zb", "ve_i", "x2c_i", "x2b_i", "mbtype4", "r2", "r1", "qp"),
    "I4": ("za", "x2a_i", "zb", "ve_i", "x2c_i", "x2b_i", "mhtype8", "r2", "r1", "qp"),
    "I10": ("x2", "x_i", "count6d", "r3", "r2", "r1", "qp"),
    "I11": ("x2", "x_i", "len6d", "r3", "pos6b", "y13", "r1", "qp"),
    "I12": ("x2", "x_i", "len6d", "y26", "cpos6c", "r2", "r1", "qp"),
    "I13": ("s", "x2", "x_i", "len6d", "y26", "cpos6c", "imm7b", "r1", "qp"),
    "I14": ("s", "x2", "x_i", "len6d", "r3", "cpos6b", "r1", "qp"),
    "I15": ("cpos6d", "len4d", "r3", "r2", "r1", "qp"),
    "I16": ("tb", "x2", "ta", "p2", "r3", "pos6b", "y13", "c", "p1", "qp"),
    "I17": ("tb", "x2", "ta", "p2", "r3", "y13", "c", "p1", "qp"),
    "I18": ("i", "x3", "x6", "y26", "imm20a", "qp"),
    "I19": ("i", "x3", "x6", "imm20a", "qp"),
    "I20": ("s", "x3", "imm13c", "r2", "imm7a", "qp"),
    "I21": ("x3", "timm9c", "ih", "x_mov", "wh_i", "r2", "b1", "qp"),
    "I22": ("x3", "x6", "b2", "r1", "qp"),
    "I23": ("s", "x3", "mask8c", "r2", "mask7a", "qp"),
    "I24": ("s", "x3", "imm27a", "qp"),
    "I25": ("x3", "x6", "r1", "qp"),
    "I26": ("x3", "x6", "r3", "r2", "qp"),
    "I27": ("s", "x3", "x6", "r3", "imm7b", "qp"),
    "I28": ("x3", "x6", "r3", "r1", "qp"),
    "I29": ("x3", "x6", "r3", "r1", "qp"),
    "I30": ("tb", "x2", "ta", "p2", "tf_b19", "imm5b", "y13", "c", "p1", "qp"),  # imm5b: bits 14-18
    "I1": ("za", "x2a_i", "zb", "ve_i", "ct2d_i", "x2b_i", "r3", "r2", "r1", "qp"),
    "I2": ("za", "x2a_i", "zb", "ve_i", "x2c_i", "x2b_i", "r3", "r2", "r1", "qp"),
    "I6": ("za", "x2a_i", "zb", "ve_i", "x2c_i", "x2b_i", "r3", "count5b", "r1", "qp"),  # 14-18
    "I8": ("za", "x2a_i", "zb", "ve_i", "x2c_i", "x2b_i", "ccount5c", "r2", "r1", "qp"),  # 20-24
    "I9": ("za", "x2a_i", "zb", "ve_i", "x2c_i", "x2b_i", "r3", "r1", "qp"),
    "M1": ("m", "x6a", "hint", "x_m", "r3", "r1", "qp"),
    "M2": ("m", "x6a", "hint", "x_m", "r3", "r2", "r1", "qp"),
    "M3": ("s", "x6a", "hint", "i", "r3", "imm7b", "r1", "qp"),
    "M4": ("m", "x6a", "hint", "x_m", "r3", "r2", "qp"),
    "M5": ("s", "x6a", "hint", "i", "r3", "r2", "imm7a", "qp"),
    "M6": ("m", "x6a", "hint", "x_m", "r3", "f1", "qp"),
    "M7": ("m", "x6a", "hint", "x_m", "r3", "r2", "f1", "qp"),
    "M8": ("s", "x6a", "hint", "i", "r3", "imm7b", "f1", "qp"),
    "M9": ("m", "x6a", "hint", "x_m", "r3", "f2", "qp"),
    "M10": ("s", "x6a", "hint", "i", "r3", "f2", "imm7a", "qp"),
    "M11": ("m", "x6a", "hint", "x_m", "r3", "f2", "f1", "qp"),
    "M12": ("m", "x6a", "hint", "x_m", "r3", "f2", "f1", "qp"),
    "M13": ("m", "x6a", "hint", "x_m", "r3", "qp"),
    "M14": ("m", "x6a", "hint", "x_m", "r3", "r2", "qp"),
    "M15": ("s", "x6a", "hint", "i", "r3", "imm7b", "qp"),
    "M16": ("m", "x6a", "hint", "x_m", "r3", "r2", "r1", "qp"),
    "M17": ("m", "x6a", "hint", "x_m", "r3", "s", "r1", "qp"),
    "M18": ("m", "x6a", "x_m", "r2", "f1", "qp"),
    "M19": ("m", "x6a", "x_m", "f2", "r1", "qp"),
    "M20": ("s", "x3", "imm13c", "r2", "imm7a", "qp"),
    "M21": ("s", "x3", "imm13c", "f2", "imm7a", "qp"),
    "M22": ("s", "x3", "imm20b", "r1", "qp"),
    "M23": ("s", "x3", "imm20b", "f1", "qp"),
    "M24": ("x3", "x2m", "x4m", "qp"),
    "M25": ("x3", "x2m", "x4m"),
    "M26": ("x3", "x2m", "x4m", "r1", "qp"),
    "M27": ("x3", "x2m", "x4m", "f1", "qp"),
    "M28": ("x3", "x6b", "r3", "qp"),
    "M29": ("x3", "x6b", "r3", "r2", "qp"),
    "M30": ("s", "x3", "x2m", "x4m", "r3", "imm7b", "qp"),
    "M31": ("x3", "x6b", "r3", "r1", "qp"),
    "M32": ("x3", "x6b", "r3", "r2", "qp"),
    "M33": ("x3", "x6b", "r3", "r1", "qp"),
    "M34": ("x3", "sor", "sol", "sof", "r1", "qp"),
    "M35": ("x3", "x6b", "r2", "qp"),
    "M36": ("x3", "x6b", "r1", "qp"),
    "M37": ("i", "x3", "x2m", "x4m", "imm20a", "qp"),
    "M38": ("x3", "x6b", "r3", "r2", "r1", "qp"),
    "M39": ("x3", "x6b", "r3", "immu2", "r1", "qp"),
    "M40": ("x3", "x6b", "r3", "immu2", "qp"),
    "M41": ("x3", "x6b", "r2", "qp"),
    "M42": ("x3", "x6b", "r3", "r2", "qp"),
    "M43": ("x3", "x6b", "r3", "r1", "qp"),
    "M44": ("i", "x3", "i2d", "x4m", "imm21a", "qp"),
    "M45": ("x3", "x6b", "r3", "r2", "qp"),
    "M46": ("x3", "x6b", "r3", "r1", "qp"),
    "M48": ("i", "x3", "x2m", "x4m", "y26", "imm20a", "qp"),
    "M49": ("i", "x3", "x2m", "x4m", "y26", "hint_b10", "hint_b11", "qp"),
    "B1": ("s", "d", "wh_b", "imm20b", "p_b", "btype", "qp"),
    "B2": ("s", "d", "wh_b", "imm20b", "p_b", "btype"),
    "B3": ("s", "d", "wh_b", "imm20b", "p_b", "b1", "qp"),
    "B4": ("d", "wh_b", "x6", "b2", "p_b", "btype", "qp"),
    "B5": ("d", "wh_b5", "b2", "p_b", "b1", "qp"),
    "B6": ("s", "ih_b", "t2e", "imm20b", "timm7a", "wh_brp"),
    "B7": ("ih_b", "t2e", "x6", "b2", "timm7a", "wh_brp"),
    "B8": ("x6",),
    "B9": ("i", "x6", "imm20a", "qp"),
    "F1": ("x_f", "sf", "f4", "f3", "f2", "f1", "qp"),
    "F2": ("x_f", "x2_f", "f4", "f3", "f2", "f1", "qp"),
    "F3": ("x_f", "f4", "f3", "f2", "f1", "qp"),
    "F4": ("rb_f", "sf", "ra_f", "p2", "f3", "f2", "ta_f", "p1", "qp"),
    "F5": ("fc2", "p2", "fclass7c", "f2", "ta_f", "p1", "qp"),  # fclass7c is bits 20-26
    "F6": ("q_f", "sf", "xb_f", "p2", "f3", "f2", "f1", "qp"),
    "F7": ("q_f", "sf", "xb_f", "p2", "f3", "f1", "qp"),
    "F8": ("sf", "xb_f", "x6", "f3", "f2", "f1", "qp"),
    "F9": ("xb_f", "x6", "f3", "f2", "f1", "qp"),
    "F10": ("sf", "xb_f", "x6", "f2", "f1", "qp"),
    "F11": ("xb_f", "x6", "f2", "f1", "qp"),
    "F12": ("sf", "xb_f", "x6", "omask7c", "amask7b", "qp"),
    "F13": ("sf", "xb_f", "x6", "qp"),
    "F14": ("s", "sf", "xb_f", "x6", "imm20a", "qp"),
    "F15": ("i", "xb_f", "x6", "imm20a", "qp"),
    "F16": ("i", "xb_f", "x6", "y26", "imm20a", "qp"),
    "X1": ("i", "x3", "x6", "imm20a", "qp", "L:imm41"),
    "X2": ("i", "imm9d", "imm5c", "ic", "vc", "imm7b", "r1", "qp", "L:imm41"),
    "X3": ("i", "d", "wh_b", "imm20b", "p_b", "btype", "qp", "L:imm39"),
    "X4": ("i", "d", "wh_b", "imm20b", "p_b", "b1", "qp", "L:imm39"),
    "X5": ("i", "x3", "x6", "y26", "imm20a", "qp", "L:imm41"),
}

# --------------------------------------------------------------------------------------
# Operands (facts §2.2 and §2.4 immediate formation).
# --------------------------------------------------------------------------------------

AR_NAMES = {
    0: "ar.k0", 1: "ar.k1", 2: "ar.k2", 3: "ar.k3", 4: "ar.k4", 5: "ar.k5", 6: "ar.k6",
    7: "ar.k7", 16: "ar.rsc", 17: "ar.bsp", 18: "ar.bspstore", 19: "ar.rnat", 21: "ar.fcr",
    24: "ar.eflag", 25: "ar.csd", 26: "ar.ssd", 27: "ar.cflg", 28: "ar.fsr", 29: "ar.fir",
    30: "ar.fdr", 32: "ar.ccv", 36: "ar.unat", 40: "ar.fpsr", 44: "ar.itc", 45: "ar.ruc",
    64: "ar.pfs", 65: "ar.lc", 66: "ar.ec",
}
CR_NAMES = {
    0: "cr.dcr", 1: "cr.itm", 2: "cr.iva", 8: "cr.pta", 16: "cr.ipsr", 17: "cr.isr",
    19: "cr.iip", 20: "cr.ifa", 21: "cr.itir", 22: "cr.iipa", 23: "cr.ifs", 24: "cr.iim",
    25: "cr.iha", 26: "cr.iib0", 27: "cr.iib1", 64: "cr.lid", 65: "cr.ivr", 66: "cr.tpr",
    67: "cr.eoi", 68: "cr.irr0", 69: "cr.irr1", 70: "cr.irr2", 71: "cr.irr3", 72: "cr.itv",
    73: "cr.pmv", 74: "cr.cmcv", 80: "cr.lrr0", 81: "cr.lrr1",
}


@dataclass(frozen=True)
class Operand:
    """How one operand is extracted and printed.

    kind: ``reg`` (prefix + number), ``ar``/``cr`` (named registers), ``ind``
    (``prefix[rN]``), ``mem`` (``[rN]``), ``const`` (fixed text), ``imm`` (immediate),
    ``rel`` (IP-relative target: bundle address + value).
    pieces: ``((low bit, width), ...)`` low-order piece first; a piece ``(low, width, "L")``
    takes its bits from the L slot of an MLX bundle (facts §2.4 X formats).
    """

    name: str
    kind: str
    pieces: tuple[tuple, ...] = ()
    signed: bool = False
    scale: int = 0
    bias: int = 0
    complement: int = 0      # value = complement - raw  (dep cpos fields: 63 - cpos)
    # d = decimal, x = 0x-hex of the 64-bit value, mbtype = mux1's @brcst/@mix/...,
    # cnt2c = pmpyshr2's count (0, 7, 15, 16), inc3 = fetchadd's increment (±1/4/8/16)
    fmt: str = "d"
    text: str = ""           # prefix for reg/ind, literal text for const


def _reg(name: str, fld: str, prefix: str) -> Operand:
    return Operand(name, "reg", (FIELDS[fld],), text=prefix)


def _imm(name, pieces, signed=False, scale=0, bias=0, fmt="d", complement=0):
    return Operand(name, "imm", tuple(pieces), signed, scale, bias, complement, fmt)


def _rel(name, pieces):
    return Operand(name, "rel", tuple(pieces), True, 4)


def _ind(name, prefix):
    return Operand(name, "ind", (FIELDS["r3"],), text=prefix)


def _const(text):
    return Operand(text, "const", text=text)


_OPERAND_LIST = [
    _reg("r1", "r1", "r"), _reg("r2", "r2", "r"), _reg("r3", "r3", "r"),
    _reg("r3_2", "r3_2", "r"),
    _reg("f1", "f1", "f"), _reg("f2", "f2", "f"), _reg("f3", "f3", "f"), _reg("f4", "f4", "f"),
    _reg("p1", "p1", "p"), _reg("p2", "p2", "p"), _reg("b1", "b1", "b"), _reg("b2", "b2", "b"),
    Operand("ar3", "ar", (FIELDS["r3"],)), Operand("cr3", "cr", (FIELDS["r3"],)),
    Operand("[r3]", "mem", (FIELDS["r3"],)),
    _ind("rr[r3]", "rr"), _ind("dbr[r3]", "dbr"), _ind("ibr[r3]", "ibr"),
    _ind("pkr[r3]", "pkr"), _ind("pmc[r3]", "pmc"), _ind("pmd[r3]", "pmd"),
    _ind("msr[r3]", "msr"), _ind("dtr[r3]", "dtr"), _ind("itr[r3]", "itr"),
    _ind("cpuid[r3]", "cpuid"), _ind("dahr[r3]", "dahr"),
    # facts §2.2 immediates
    _imm("imm8", [(13, 7), (36, 1)], signed=True),
    _imm("imm14", [(13, 7), (27, 6), (36, 1)], signed=True),
    _imm("imm22", [(13, 7), (27, 9), (22, 5), (36, 1)], signed=True),
    _imm("imm9a", [(6, 7), (27, 1), (36, 1)], signed=True),
    _imm("imm9b", [(13, 7), (27, 1), (36, 1)], signed=True),
    _imm("immu21", [(6, 20), (36, 1)], fmt="x"),
    _imm("immu24", [(6, 21), (31, 2), (36, 1)], fmt="x"),
    _imm("imm17", [(6, 7), (24, 8), (36, 1)], signed=True, scale=1, fmt="x"),
    _imm("imm44", [(6, 27), (36, 1)], signed=True, scale=16, fmt="x"),
    _imm("imm1", [(36, 1)], signed=True),
    _imm("cnt2a", [(27, 2)], bias=1),
    _imm("cnt2b", [(27, 2)], bias=1),
    Operand("cnt2c", "imm", ((30, 2),), fmt="cnt2c"),
    _imm("cnt6", [(27, 6)]),
    _imm("len6", [(27, 6)], bias=1),
    _imm("len4", [(27, 4)], bias=1),
    _imm("pos6", [(14, 6)]),
    _imm("cpos6a", [(20, 6)], complement=63),
    _imm("cpos6b", [(14, 6)], complement=63),
    _imm("cpos6c", [(31, 6)], complement=63),
    _imm("count5a", [(14, 5)]),
    _imm("ccount5", [(20, 5)], complement=31),
    _imm("immu5b", [(14, 5)], bias=32),
    _imm("sof", [(13, 7)]),
    _imm("sol", [(20, 7)]),
    _imm("sor", [(27, 4)], scale=3),
    _imm("immu2", [(13, 2)]),
    _imm("cnt6a", [(6, 6)], bias=1),
    _imm("stride", [(13, 5)], signed=True, scale=6),
    _imm("immhint", [(6, 4), (12, 14), (36, 1)]),
    _imm("immdahr", [(6, 4), (12, 11), (36, 1)]),
    Operand("dahr", "reg", ((23, 3),), text="dahr"),
    _imm("immu7a", [(13, 7)], fmt="x"),
    _imm("immu7b", [(20, 7)], fmt="x"),
    _imm("mbtype4", [(20, 4)], fmt="mbtype"),
    Operand("inc3", "imm", ((13, 2), (15, 1)), fmt="inc3"),
    _imm("mhtype8", [(20, 8)], fmt="x"),
    _imm("fclass9", [(33, 2), (20, 7)], fmt="x"),
    # facts §2.4 X1/X2/X5: the L slot supplies imm41
    _imm("immu62", [(6, 20), (36, 1), (0, 41, "L")], fmt="x"),
    _imm("immu64", [(13, 7), (27, 9), (22, 5), (21, 1), (0, 41, "L"), (36, 1)], fmt="x"),
    _rel("tgt25", [(6, 20), (36, 1)]),
    _rel("tgt25b", [(6, 7), (20, 13), (36, 1)]),
    _rel("tgt25c", [(13, 20), (36, 1)]),
    _rel("tag13", [(24, 9)]),
    _rel("tag13b", [(6, 7), (33, 2)]),
    # facts §2.4 X3/X4 and the brl note: imm39 starts at bit 2 of the L slot
    _rel("tgt64", [(13, 20), (2, 39, "L"), (36, 1)]),
    _const("ar.pfs"), _const("ar.ccv"), _const("ar.csd"), _const("pr"), _const("pr.rot"),
    _const("ip"), _const("psr"), _const("psr.l"), _const("psr.um"), _const("r0"),
    _const("1"), _const("8"), _const("16"),
]
OPERANDS: dict[str, Operand] = {o.name: o for o in _OPERAND_LIST}

# --------------------------------------------------------------------------------------
# Opcode rows.
# --------------------------------------------------------------------------------------

def _bits(slot: int, name: str) -> int:
    lo, width = FIELDS[name]
    return (slot >> lo) & ((1 << width) - 1)


# Conditions on operand fields that select objdump's pseudo-op spelling of an encoding.
CONSTRAINTS = {
    "f2_eq_f3": lambda s: _bits(s, "f2") == _bits(s, "f3"),
    # fabs/fnegabs/fpnegabs (f2 = f0) lose to mov/fneg/fpneg when f3 is f0 as well
    "f3_ne_f2": lambda s: _bits(s, "f2") != _bits(s, "f3"),
    # extr with pos + len == 64 is shr / shr.u
    "pos_len_64": lambda s: _bits(s, "pos6b") + _bits(s, "len6d") + 1 == 64,
    # dep.z with len == 64 - pos is shl (pos = 63 - cpos6c)
    "shl_len": lambda s: _bits(s, "len6d") + 1 == 64 - (63 - _bits(s, "cpos6c")),
}

NO_PRED = "no_pred"      # objdump never prints a (pNN) predicate for these
PRIV = "priv"
FIRST = "first"          # must start an instruction group
LAST = "last"            # must end an instruction group


@dataclass(frozen=True)
class Opcode:
    """One opcode row: what identifies it and what it means."""

    id: str
    type: str                    # A, I, M, B, F or X (A rows sit in M and I slots)
    major: int
    format: str
    mnemonic: str                # with completers, exactly as objdump prints it
    operands: tuple[str, ...]    # keys of OPERANDS, outputs first
    outputs: int                 # how many operands stand before the '='
    match: tuple[tuple[str, int], ...]  # selector field values (FIELDS names)
    flags: frozenset = frozenset()
    attrs: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    when: str | None = None      # extra operand condition (key of CONSTRAINTS), for pseudo-ops
    mask: int = 0
    value: int = 0

    @property
    def family(self) -> str:
        return self.attrs.get("family", self.mnemonic.split(".")[0])


_rows: list[Opcode] = []
_ids: set[str] = set()


def _row(type_, major, fmt, mnemonic, operands="", *, flags=(), attrs=None, when=None, **match):
    """Append one row. `operands` is objdump's syntax with field names: "r1=r2,r3"."""
    if "=" in operands:
        outs, ins = operands.split("=", 1)
        out_list = [o for o in outs.split(",") if o]
        in_list = [o for o in ins.split(",") if o]
    else:
        out_list, in_list = [], [o for o in operands.split(",") if o]
    ops = tuple(out_list + in_list)
    for name in ops:
        if name not in OPERANDS:
            raise KeyError(f"unknown operand {name} in {mnemonic}")
    mask = 0xF << 37
    value = major << 37
    for fname, fval in match.items():
        lo, width = FIELDS[fname]
        fmask = ((1 << width) - 1) << lo
        if mask & fmask and (value & fmask) != ((fval << lo) & fmask):
            raise ValueError(f"conflicting selector {fname} in {mnemonic}")
        mask |= fmask
        value |= (fval << lo) & fmask
    base = f"{mnemonic}/{fmt}"
    rid, n = base, 2
    while rid in _ids:
        rid, n = f"{base}#{n}", n + 1
    _ids.add(rid)
    attrs = dict(attrs or {})
    _rows.append(Opcode(rid, type_, major, fmt, mnemonic, ops, len(out_list),
                        tuple(match.items()), frozenset(flags), MappingProxyType(attrs),
                        when, mask, value))


# ---- A unit (facts §2.3) ------------------------------------------------------------

def _a_unit() -> None:
    def alu(major, fmt, mnemonic, operands, op, **match):
        """Integer ALU row: family "alu", `op` names the operation for the emulator."""
        imm = fmt in ("A3", "A4", "A5")
        _row("A", major, fmt, mnemonic, operands,
             attrs={"family": "alu", "op": op, "imm": imm}, **match)

    reg = dict(x2a=0, ve=0)
    alu(8, "A1", "add", "r1=r2,r3", "add", x4=0, x2b=0, **reg)
    alu(8, "A1", "add", "r1=r2,r3,1", "add1", x4=0, x2b=1, **reg)
    alu(8, "A1", "sub", "r1=r2,r3", "sub", x4=1, x2b=1, **reg)
    alu(8, "A1", "sub", "r1=r2,r3,1", "sub1", x4=1, x2b=0, **reg)
    alu(8, "A1", "addp4", "r1=r2,r3", "addp4", x4=2, x2b=0, **reg)
    for x2b, name in enumerate(("and", "andcm", "or", "xor")):
        alu(8, "A1", name, "r1=r2,r3", name, x4=3, x2b=x2b, **reg)
    alu(8, "A2", "shladd", "r1=r2,cnt2a,r3", "shladd", x4=4, **reg)
    alu(8, "A2", "shladdp4", "r1=r2,cnt2a,r3", "shladdp4", x4=6, **reg)
    alu(8, "A3", "sub", "r1=imm8,r3", "sub", x4=9, x2b=1, **reg)
    for x2b, name in enumerate(("and", "andcm", "or", "xor")):
        alu(8, "A3", name, "r1=imm8,r3", name, x4=0xB, x2b=x2b, **reg)
    # adds with a zero immediate is printed as mov (objdump's row is more specific), as is
    # addl from r0.
    alu(8, "A4", "mov", "r1=r3", "add", x2a=2, ve=0, imm7b=0, imm6d=0, s=0)
    alu(8, "A4", "adds", "r1=imm14,r3", "add", x2a=2, ve=0)
    alu(8, "A4", "addp4", "r1=imm14,r3", "addp4", x2a=3, ve=0)
    alu(9, "A5", "mov", "r1=imm22", "add", r3_2=0)
    alu(9, "A5", "addl", "r1=imm22,r3_2", "add")
    _parallel_alu()
    _compares()


def _parallel_alu() -> None:
    """A9/A10 multimedia ALU (x2a=1): padd/psub/pavg/pcmp/pshladd/pshradd."""
    sizes = {1: (0, 0), 2: (0, 1), 4: (1, 0)}   # size -> (za, zb)
    for x4, base, x2bs in (
        (0, "padd", {0: "", 1: ".sss", 2: ".uuu", 3: ".uus"}),
        (1, "psub", {0: "", 1: ".sss", 2: ".uuu", 3: ".uus"}),
        (2, "pavg", {2: "", 3: ".raz"}),
        (3, "pavgsub", {2: ""}),
        (9, "pcmp", {0: ".eq", 1: ".gt"}),
    ):
        for size, (za, zb) in sizes.items():
            for x2b, comp in x2bs.items():
                if size == 4 and (comp not in ("", ".eq", ".gt") or base in ("pavg", "pavgsub")):
                    continue
                _row("A", 8, "A9", f"{base}{size}{comp}", "r1=r2,r3",
                     attrs={"family": base, "size": size}, x2a=1, za=za, zb=zb, x4=x4, x2b=x2b)
    _row("A", 8, "A10", "pshladd2", "r1=r2,cnt2b,r3", x2a=1, za=0, zb=1, x4=4)
    _row("A", 8, "A10", "pshradd2", "r1=r2,cnt2b,r3", x2a=1, za=0, zb=1, x4=6)


_REL_BY_MAJOR = {0xC: "lt", 0xD: "ltu", 0xE: "eq"}
_PARALLEL_BY_MAJOR = {0xC: "and", 0xD: "or", 0xE: "or.andcm"}


def _compares() -> None:
    """A6/A7/A8 integer compares (facts §2.3 decoding rule)."""
    for major in (0xC, 0xD, 0xE):
        rel = _REL_BY_MAJOR[major]
        ptype = _PARALLEL_BY_MAJOR[major]
        for x2, width in ((0, 64), (1, 32)):
            cmp = "cmp" if width == 64 else "cmp4"
            for c, ctype in ((0, "none"), (1, "unc")):
                comp = "" if c == 0 else ".unc"
                _row("A", major, "A6", f"{cmp}.{rel}{comp}", "p1,p2=r2,r3",
                     attrs={"family": "cmp", "rel": rel, "cmp4": width == 32, "ctype": ctype},
                     x2=x2, tb=0, ta=0, c=c)
            for c, prel in ((0, "eq"), (1, "ne")):
                _row("A", major, "A6", f"{cmp}.{prel}.{ptype}", "p1,p2=r2,r3",
                     attrs={"family": "cmp", "rel": prel, "cmp4": width == 32, "ctype": ptype},
                     x2=x2, tb=0, ta=1, c=c)
            for (ta, c), zrel in {(0, 0): "gt", (0, 1): "le", (1, 0): "ge", (1, 1): "lt"}.items():
                _row("A", major, "A7", f"{cmp}.{zrel}.{ptype}", "p1,p2=r0,r3",
                     attrs={"family": "cmp", "rel": zrel, "cmp4": width == 32, "ctype": ptype,
                            "zero": True},
                     x2=x2, tb=1, ta=ta, c=c)
        for x2, width in ((2, 64), (3, 32)):
            cmp = "cmp" if width == 64 else "cmp4"
            for c, ctype in ((0, "none"), (1, "unc")):
                comp = "" if c == 0 else ".unc"
                _row("A", major, "A8", f"{cmp}.{rel}{comp}", "p1,p2=imm8,r3",
                     attrs={"family": "cmp", "rel": rel, "cmp4": width == 32, "ctype": ctype,
                            "imm": True},
                     x2=x2, ta=0, c=c)
            for c, prel in ((0, "eq"), (1, "ne")):
                _row("A", major, "A8", f"{cmp}.{prel}.{ptype}", "p1,p2=imm8,r3",
                     attrs={"family": "cmp", "rel": prel, "cmp4": width == 32, "ctype": ptype,
                            "imm": True},
                     x2=x2, ta=1, c=c)


# ---- I unit (facts §2.5) ------------------------------------------------------------

def _i_unit() -> None:
    _row("I", 0, "I19", "break.i", "immu21", attrs={"family": "break"}, x3=0, x6=0)
    _row("I", 0, "I18", "nop.i", "immu21", attrs={"family": "nop"}, x3=0, x6=1, y26=0)
    _row("I", 0, "I18", "hint.i", "immu21", attrs={"family": "nop"}, x3=0, x6=1, y26=1)
    _row("I", 0, "I20", "chk.s.i", "r2,tgt25b", attrs={"family": "chk", "kind": "s"}, x3=1)
    _row("I", 0, "I27", "mov.i", "ar3=imm8", attrs={"family": "mov_ar", "dir": "to", "imm": True},
         x3=0, x6=0x0A)
    for x6, name in ((0x10, "zxt1"), (0x11, "zxt2"), (0x12, "zxt4"),
                     (0x14, "sxt1"), (0x15, "sxt2"), (0x16, "sxt4"),
                     (0x18, "czx1.l"), (0x19, "czx2.l"), (0x1C, "czx1.r"), (0x1D, "czx2.r")):
        _row("I", 0, "I29", name, "r1=r3", attrs={"family": name[:3], "size": 1 << (x6 & 3)},
             x3=0, x6=x6)
    _row("I", 0, "I26", "mov.i", "ar3=r2", attrs={"family": "mov_ar", "dir": "to"}, x3=0, x6=0x2A)
    _row("I", 0, "I25", "mov", "r1=ip", attrs={"family": "mov_ip"}, x3=0, x6=0x30)
    _row("I", 0, "I22", "mov", "r1=b2", attrs={"family": "mov_br", "dir": "from"}, x3=0, x6=0x31)
    _row("I", 0, "I28", "mov.i", "r1=ar3", attrs={"family": "mov_ar", "dir": "from"}, x3=0, x6=0x32)
    _row("I", 0, "I25", "mov", "r1=pr", attrs={"family": "mov_pr", "dir": "from"}, x3=0, x6=0x33)
    _row("I", 0, "I24", "mov", "pr.rot=imm44", attrs={"family": "mov_pr", "dir": "rot"}, x3=2)
    _row("I", 0, "I23", "mov", "pr=r2,imm17", attrs={"family": "mov_pr", "dir": "to"}, x3=3)
    # I21 mov to branch register; whether hint completers print depends on wh/ih/x.
    _row("I", 0, "I21", "mov", "b1=r2", attrs={"family": "mov_br", "dir": "to"},
         x3=7, wh_i=1, x_mov=0, ih=0)
    for x_mov, base in ((0, "mov"), (1, "mov.ret")):
        for wh, whc in ((0, ".sptk"), (1, ""), (2, ".dptk")):
            for ih, ihc in ((0, ""), (1, ".imp")):
                if x_mov == 0 and wh == 1 and ih == 0:
                    continue
                _row("I", 0, "I21", f"{base}{whc}{ihc}", "b1=r2,tag13",
                     attrs={"family": "mov_br", "dir": "to", "ret": bool(x_mov)},
                     x3=7, wh_i=wh, x_mov=x_mov, ih=ih)
    # major 4: dep (I15)
    _row("I", 4, "I15", "dep", "r1=r2,r3,cpos6c,len4", attrs={"family": "dep"})
    # major 5 (I10-I17)
    for (ta, tb), ptype in {(0, 1): "and", (1, 0): "or", (1, 1): "or.andcm"}.items():
        for c, zc in ((0, "z"), (1, "nz")):
            _row("I", 5, "I16", f"tbit.{zc}.{ptype}", "p1,p2=r3,pos6",
                 attrs={"family": "tbit", "ctype": ptype, "nz": bool(c)},
                 x2=0, ta=ta, tb=tb, y13=0, c=c)
            _row("I", 5, "I30", f"tf.{zc}.{ptype}", "p1,p2=immu5b",
                 attrs={"family": "tf", "ctype": ptype, "nz": bool(c)},
                 x2=0, ta=ta, tb=tb, y13=1, tf_b19=1, c=c)
            _row("I", 5, "I17", f"tnat.{zc}.{ptype}", "p1,p2=r3",
                 attrs={"family": "tnat", "ctype": ptype, "nz": bool(c)},
                 x2=0, ta=ta, tb=tb, y13=1, c=c)
    for c, comp, ctype in ((0, "", "none"), (1, ".unc", "unc")):
        _row("I", 5, "I16", f"tbit.z{comp}", "p1,p2=r3,pos6",
             attrs={"family": "tbit", "ctype": ctype, "nz": False}, x2=0, ta=0, tb=0, y13=0, c=c)
        _row("I", 5, "I30", f"tf.z{comp}", "p1,p2=immu5b",
             attrs={"family": "tf", "ctype": ctype, "nz": False},
             x2=0, ta=0, tb=0, y13=1, tf_b19=1, c=c)
        _row("I", 5, "I17", f"tnat.z{comp}", "p1,p2=r3",
             attrs={"family": "tnat", "ctype": ctype, "nz": False}, x2=0, ta=0, tb=0, y13=1, c=c)
    _row("I", 5, "I11", "shr.u", "r1=r3,pos6", attrs={"family": "extr", "signed": False},
         when="pos_len_64", x2=1, x_i=0, y13=0)
    _row("I", 5, "I11", "shr", "r1=r3,pos6", attrs={"family": "extr", "signed": True},
         when="pos_len_64", x2=1, x_i=0, y13=1)
    _row("I", 5, "I12", "shl", "r1=r2,cpos6a", attrs={"family": "depz"},
         when="shl_len", x2=1, x_i=1, y26=0)
    _row("I", 5, "I11", "extr.u", "r1=r3,pos6,len6", attrs={"family": "extr", "signed": False},
         x2=1, x_i=0, y13=0)
    _row("I", 5, "I11", "extr", "r1=r3,pos6,len6", attrs={"family": "extr", "signed": True},
         x2=1, x_i=0, y13=1)
    _row("I", 5, "I12", "dep.z", "r1=r2,cpos6a,len6", attrs={"family": "depz"}, x2=1, x_i=1, y26=0)
    _row("I", 5, "I13", "dep.z", "r1=imm8,cpos6a,len6", attrs={"family": "depz", "imm": True},
         x2=1, x_i=1, y26=1)
    _row("I", 5, "I10", "shrp", "r1=r2,r3,cnt6", attrs={"family": "shrp"}, x2=3, x_i=0)
    _row("I", 5, "I14", "dep", "r1=imm1,r3,cpos6b,len6", attrs={"family": "dep", "imm": True},
         x2=3, x_i=1)
    _multimedia_i()


def _multimedia_i() -> None:
    """Major 7 (I1-I9): variable shifts, mux, and the parallel multimedia group."""
    def mm(fmt, name, ops, za, zb, x2a, x2b, x2c=None, **kw):
        sel = dict(za=za, zb=zb, ve_i=0, x2a_i=x2a, x2b_i=x2b)
        if x2c is not None:
            sel["x2c_i"] = x2c
        kw.setdefault("attrs", {"family": name.split(".")[0].rstrip("1248")})
        _row("I", 7, fmt, name, ops, **sel, **kw)

    mm("I1", "pmpyshr2", "r1=r2,r3,cnt2c", 0, 1, 0, 3)
    mm("I1", "pmpyshr2.u", "r1=r2,r3,cnt2c", 0, 1, 0, 1)
    for name, za, zb, x2a, x2b, x2c in (
        ("pmpy2.r", 0, 1, 2, 1, 3), ("pmpy2.l", 0, 1, 2, 3, 3),
        ("mix1.r", 0, 0, 2, 0, 2), ("mix2.r", 0, 1, 2, 0, 2), ("mix4.r", 1, 0, 2, 0, 2),
        ("mix1.l", 0, 0, 2, 2, 2), ("mix2.l", 0, 1, 2, 2, 2), ("mix4.l", 1, 0, 2, 2, 2),
        ("pack2.uss", 0, 1, 2, 0, 0), ("pack2.sss", 0, 1, 2, 2, 0), ("pack4.sss", 1, 0, 2, 2, 0),
        ("unpack1.h", 0, 0, 2, 0, 1), ("unpack2.h", 0, 1, 2, 0, 1), ("unpack4.h", 1, 0, 2, 0, 1),
        ("unpack1.l", 0, 0, 2, 2, 1), ("unpack2.l", 0, 1, 2, 2, 1), ("unpack4.l", 1, 0, 2, 2, 1),
        ("pmin1.u", 0, 0, 2, 1, 0), ("pmax1.u", 0, 0, 2, 1, 1), ("pmin2", 0, 1, 2, 3, 0),
        ("pmax2", 0, 1, 2, 3, 1), ("psad1", 0, 0, 2, 3, 2),
        ("pshl2", 0, 1, 0, 0, 1), ("pshl4", 1, 0, 0, 0, 1),
        ("mpy4", 1, 0, 0, 1, 3), ("mpyshl4", 1, 0, 0, 3, 3),
    ):
        mm("I2", name, "r1=r2,r3", za, zb, x2a, x2b, x2c)
    mm("I3", "mux1", "r1=r2,mbtype4", 0, 0, 3, 2, 2, attrs={"family": "mux", "size": 1})
    mm("I4", "mux2", "r1=r2,mhtype8", 0, 1, 3, 2, 2, attrs={"family": "mux", "size": 2})
    for name, za, zb, x2b in (("pshr2", 0, 1, 2), ("pshr4", 1, 0, 2), ("pshr2.u", 0, 1, 0),
                              ("pshr4.u", 1, 0, 0)):
        mm("I5", name, "r1=r3,r2", za, zb, 0, x2b, 0)
    mm("I5", "shr", "r1=r3,r2", 1, 1, 0, 2, 0, attrs={"family": "shr", "signed": True})
    mm("I5", "shr.u", "r1=r3,r2", 1, 1, 0, 0, 0, attrs={"family": "shr", "signed": False})
    for name, za, zb, x2b in (("pshr2", 0, 1, 3), ("pshr4", 1, 0, 3), ("pshr2.u", 0, 1, 1),
                              ("pshr4.u", 1, 0, 1)):
        mm("I6", name, "r1=r3,count5a", za, zb, 1, x2b, 0)
    mm("I7", "shl", "r1=r2,r3", 1, 1, 0, 0, 1, attrs={"family": "shl"})
    mm("I8", "pshl2", "r1=r2,ccount5", 0, 1, 3, 1, 1)
    mm("I8", "pshl4", "r1=r2,ccount5", 1, 0, 3, 1, 1)
    mm("I9", "popcnt", "r1=r3", 0, 1, 1, 1, 2)
    mm("I9", "clz", "r1=r3", 0, 1, 1, 1, 3)


# ---- M unit (facts §2.6) ------------------------------------------------------------

_LD_KINDS = (
    (0x00, "", "normal"), (0x04, ".s", "s"), (0x08, ".a", "a"), (0x0C, ".sa", "sa"),
    (0x10, ".bias", "bias"), (0x14, ".acq", "acq"), (0x20, ".c.clr", "c.clr"),
    (0x24, ".c.nc", "c.nc"), (0x28, ".c.clr.acq", "c.clr.acq"),
)
_HINTS = ((0, ""), (1, ".nt1"), (3, ".nta"))
_ST_HINTS = ((0, ""), (3, ".nta"))
# Forms without a post-increment register have a third hint bit (bit 19 for loads, bit 12
# for stores and lfetch); objdump names the extra values .d1/.d2/.d4-.d7.
_LD_HINTS3 = tuple(enumerate(("", ".nt1", ".d2", ".nta", ".d4", ".d5", ".d6", ".d7")))
_ST_HINTS3 = tuple(enumerate(("", ".d1", ".d2", ".nta", ".d4", ".d5", ".d6", ".d7")))
_LFETCH_HINTS3 = tuple(enumerate(("", ".nt1", ".nt2", ".nta", ".d4", ".d5", ".d6", ".d7")))


def _hint3(hint: int, bit: str) -> dict:
    return {"hint": hint & 3, bit: hint >> 2}


def _m_unit() -> None:
    _m_system()
    _m_int_memory()
    _m_fp_memory()


def _m_system() -> None:
    for x3, name, reg in ((4, "chk.a.nc", "r1"), (5, "chk.a.clr", "r1"),
                          (6, "chk.a.nc", "f1"), (7, "chk.a.clr", "f1")):
        _row("M", 0, "M22" if reg == "r1" else "M23", name, f"{reg},tgt25c",
             attrs={"family": "chk", "kind": "a", "clr": "clr" in name}, x3=x3)
    for x4, x2, name in ((0, 1, "invala"), (0, 2, "fwb"), (2, 2, "mf"), (3, 2, "mf.a"),
                         (0, 3, "srlz.d"), (1, 3, "srlz.i"), (3, 3, "sync.i")):
        _row("M", 0, "M24", name, "", attrs={"family": name.split(".")[0]}, x3=0, x4m=x4, x2m=x2)
    _row("M", 0, "M25", "flushrs", "", flags=(FIRST, NO_PRED), x3=0, x4m=0xC, x2m=0)
    _row("M", 0, "M25", "loadrs", "", flags=(FIRST, NO_PRED), x3=0, x4m=0xA, x2m=0)
    _row("M", 0, "M26", "invala.e", "r1", attrs={"family": "invala"}, x3=0, x4m=2, x2m=1)
    _row("M", 0, "M27", "invala.e", "f1", attrs={"family": "invala"}, x3=0, x4m=3, x2m=1)
    _row("M", 0, "M30", "mov.m", "ar3=imm8", attrs={"family": "mov_ar", "dir": "to", "imm": True},
         x3=0, x4m=8, x2m=2)
    _row("M", 0, "M37", "break.m", "immu21", attrs={"family": "break"}, x3=0, x4m=0, x2m=0)
    _row("M", 0, "M48", "nop.m", "immu21", attrs={"family": "nop"}, x3=0, x4m=1, x2m=0, y26=0)
    _row("M", 0, "M48", "hint.m", "immhint", attrs={"family": "nop"}, x3=0, x4m=1, x2m=0, y26=1,
         hint_b10=0, hint_b11=0)
    _row("M", 0, "M49", "mov", "dahr=immdahr", attrs={"family": "mov_dahr"}, x3=0, x4m=1, x2m=0,
         y26=1, hint_b10=1, hint_b11=0)
    for x4, name, flags in ((4, "sum", ()), (5, "rum", ()), (6, "ssm", (PRIV,)),
                            (7, "rsm", (PRIV,))):
        _row("M", 0, "M44", name, "immu24", flags=flags, attrs={"family": "psr_mask"}, x3=0, x4m=x4)
    # major 1
    _row("M", 1, "M29", "mov.m", "ar3=r2", attrs={"family": "mov_ar", "dir": "to"}, x3=0, x6b=0x2A)
    _row("M", 1, "M31", "mov.m", "r1=ar3", attrs={"family": "mov_ar", "dir": "from"},
         x3=0, x6b=0x22)
    _row("M", 1, "M32", "mov", "cr3=r2", flags=(PRIV,), attrs={"family": "mov_cr", "dir": "to"},
         x3=0, x6b=0x2C)
    _row("M", 1, "M33", "mov", "r1=cr3", flags=(PRIV,), attrs={"family": "mov_cr", "dir": "from"},
         x3=0, x6b=0x24)
    _row("M", 1, "M34", "alloc", "r1=ar.pfs,sof,sol,sor", flags=(FIRST, NO_PRED),
         attrs={"family": "alloc"}, x3=6)
    _row("M", 1, "M35", "mov", "psr.l=r2", flags=(PRIV,), attrs={"family": "mov_psr", "dir": "to"},
         x3=0, x6b=0x2D)
    _row("M", 1, "M35", "mov", "psr.um=r2", attrs={"family": "mov_psr", "dir": "to_um"},
         x3=0, x6b=0x29)
    _row("M", 1, "M36", "mov", "r1=psr", flags=(PRIV,), attrs={"family": "mov_psr", "dir": "from"},
         x3=0, x6b=0x25)
    _row("M", 1, "M36", "mov", "r1=psr.um", attrs={"family": "mov_psr", "dir": "from_um"},
         x3=0, x6b=0x21)
    _row("M", 1, "M38", "probe.r", "r1=r3,r2", attrs={"family": "probe"}, x3=0, x6b=0x38)
    _row("M", 1, "M38", "probe.w", "r1=r3,r2", attrs={"family": "probe"}, x3=0, x6b=0x39)
    _row("M", 1, "M39", "probe.r", "r1=r3,immu2", attrs={"family": "probe"}, x3=0, x6b=0x18)
    _row("M", 1, "M39", "probe.w", "r1=r3,immu2", attrs={"family": "probe"}, x3=0, x6b=0x19)
    _row("M", 1, "M40", "probe.rw.fault", "r3,immu2", attrs={"family": "probe"}, x3=0, x6b=0x31)
    _row("M", 1, "M40", "probe.r.fault", "r3,immu2", attrs={"family": "probe"}, x3=0, x6b=0x32)
    _row("M", 1, "M40", "probe.w.fault", "r3,immu2", attrs={"family": "probe"}, x3=0, x6b=0x33)
    _row("M", 1, "M41", "itc.d", "r2", flags=(LAST, PRIV), attrs={"family": "itc"}, x3=0, x6b=0x2E)
    _row("M", 1, "M41", "itc.i", "r2", flags=(LAST, PRIV), attrs={"family": "itc"}, x3=0, x6b=0x2F)
    for x6, ind in enumerate(("rr", "dbr", "ibr", "pkr", "pmc", "pmd", "msr")):
        _row("M", 1, "M42", "mov", f"{ind}[r3]=r2", flags=(PRIV,),
             attrs={"family": "mov_ind", "dir": "to", "file": ind}, x3=0, x6b=x6)
    for x6, name, tr in ((0x0E, "itr.d", "dtr"), (0x0F, "itr.i", "itr")):
        _row("M", 1, "M42", name, f"{tr}[r3]=r2", flags=(PRIV,), attrs={"family": "itr"},
             x3=0, x6b=x6)
    for x6, ind in enumerate(("rr", "dbr", "ibr", "pkr", "pmc", "pmd", "msr", "cpuid")):
        _row("M", 1, "M43", "mov", f"r1={ind}[r3]",
             flags=() if ind in ("pmd", "cpuid") else (PRIV,),
             attrs={"family": "mov_ind", "dir": "from", "file": ind}, x3=0, x6b=0x10 + x6)
    _row("M", 1, "M43", "mov", "r1=dahr[r3]",
         attrs={"family": "mov_ind", "dir": "from", "file": "dahr"},
         x3=0, x6b=0x20)
    for x6, name, flags in ((0x09, "ptc.l", (PRIV,)), (0x0A, "ptc.g", (LAST, PRIV)),
                            (0x0B, "ptc.ga", (LAST, PRIV)), (0x0C, "ptr.d", (PRIV,)),
                            (0x0D, "ptr.i", (PRIV,))):
        _row("M", 1, "M45", name, "r3,r2", flags=flags, attrs={"family": name[:3]}, x3=0, x6b=x6)
    for x6, name, flags in ((0x1A, "thash", ()), (0x1B, "ttag", ()), (0x1E, "tpa", (PRIV,)),
                            (0x1F, "tak", (PRIV,))):
        _row("M", 1, "M46", name, "r1=r3", flags=flags, attrs={"family": name}, x3=0, x6b=x6)
    _row("M", 1, "M20", "chk.s.m", "r2,tgt25b", attrs={"family": "chk", "kind": "s"}, x3=1)
    _row("M", 1, "M21", "chk.s", "f2,tgt25b", attrs={"family": "chk", "kind": "s"}, x3=3)
    _row("M", 1, "M28", "fc", "r3", attrs={"family": "fc"}, x3=0, x6b=0x30, i=0)
    _row("M", 1, "M28", "fc.i", "r3", attrs={"family": "fc"}, x3=0, x6b=0x30, i=1)
    _row("M", 1, "M28", "ptc.e", "r3", flags=(PRIV,), attrs={"family": "ptc"}, x3=0, x6b=0x34)


def _m_int_memory() -> None:
    sizes = (1, 2, 4, 8)
    # loads: M1 (no update), M2 (post-increment by register), M3 (post-increment by imm9)
    for base, kname, kind in _LD_KINDS:
        for idx, size in enumerate(sizes):
            x6 = base + idx
            for hint, hc in _LD_HINTS3:
                attrs = {"family": "ld", "size": size, "kind": kind, "hint": hint}
                _row("M", 4, "M1", f"ld{size}{kname}{hc}", "r1=[r3]",
                     attrs={**attrs, "postinc": None}, m=0, x_m=0, x6a=x6,
                     **_hint3(hint, "hint_b19"))
            for hint, hc in _HINTS:
                name = f"ld{size}{kname}{hc}"
                attrs = {"family": "ld", "size": size, "kind": kind, "hint": hint}
                _row("M", 4, "M2", name, "r1=[r3],r2", attrs={**attrs, "postinc": "reg"},
                     m=1, x_m=0, x6a=x6, hint=hint)
                _row("M", 5, "M3", name, "r1=[r3],imm9b", attrs={**attrs, "postinc": "imm"},
                     x6a=x6, hint=hint)
    for hint, hc in _LD_HINTS3:
        _row("M", 4, "M1", f"ld8.fill{hc}", "r1=[r3]",
             attrs={"family": "ld", "size": 8, "kind": "fill", "hint": hint, "postinc": None},
             m=0, x_m=0, x6a=0x1B, **_hint3(hint, "hint_b19"))
    for hint, hc in _HINTS:
        attrs = {"family": "ld", "size": 8, "kind": "fill", "hint": hint}
        _row("M", 4, "M2", f"ld8.fill{hc}", "r1=[r3],r2", attrs={**attrs, "postinc": "reg"},
             m=1, x_m=0, x6a=0x1B, hint=hint)
        _row("M", 5, "M3", f"ld8.fill{hc}", "r1=[r3],imm9b", attrs={**attrs, "postinc": "imm"},
             x6a=0x1B, hint=hint)
    # stores: M4 and M5 (post-increment by imm9)
    for base, kname, kind in ((0x30, "", "normal"), (0x34, ".rel", "rel")):
        for idx, size in enumerate(sizes):
            for hint, hc in _ST_HINTS3:
                _row("M", 4, "M4", f"st{size}{kname}{hc}", "[r3]=r2",
                     attrs={"family": "st", "size": size, "kind": kind, "hint": hint,
                            "postinc": None},
                     m=0, x_m=0, x6a=base + idx, **_hint3(hint, "hint_b12"))
            for hint, hc in _ST_HINTS:
                attrs = {"family": "st", "size": size, "kind": kind, "hint": hint}
                _row("M", 5, "M5", f"st{size}{kname}{hc}", "[r3]=r2,imm9a",
                     attrs={**attrs, "postinc": "imm"}, x6a=base + idx, hint=hint)
    for hint, hc in _ST_HINTS3:
        _row("M", 4, "M4", f"st8.spill{hc}", "[r3]=r2",
             attrs={"family": "st", "size": 8, "kind": "spill", "hint": hint, "postinc": None},
             m=0, x_m=0, x6a=0x3B, **_hint3(hint, "hint_b12"))
    for hint, hc in _ST_HINTS:
        attrs = {"family": "st", "size": 8, "kind": "spill", "hint": hint}
        _row("M", 5, "M5", f"st8.spill{hc}", "[r3]=r2,imm9a", attrs={**attrs, "postinc": "imm"},
             x6a=0x3B, hint=hint)
    # semaphores (M16/M17) and getf (M19): m=0, x=1
    for idx, size in enumerate(sizes):
        for hint, hc in _HINTS:
            for base, sem in ((0x00, "acq"), (0x04, "rel")):
                _row("M", 4, "M16", f"cmpxchg{size}.{sem}{hc}", "r1=[r3],r2,ar.ccv",
                     attrs={"family": "cmpxchg", "size": size, "kind": sem, "hint": hint},
                     m=0, x_m=1, x6a=base + idx, hint=hint)
            _row("M", 4, "M16", f"xchg{size}{hc}", "r1=[r3],r2",
                 attrs={"family": "xchg", "size": size, "kind": "acq", "hint": hint},
                 m=0, x_m=1, x6a=0x08 + idx, hint=hint)
    for size, off in ((4, 2), (8, 3)):
        for hint, hc in _HINTS:
            for base, sem in ((0x10, "acq"), (0x14, "rel")):
                _row("M", 4, "M17", f"fetchadd{size}.{sem}{hc}", "r1=[r3],inc3",
                     attrs={"family": "fetchadd", "size": size, "kind": sem, "hint": hint},
                     m=0, x_m=1, x6a=base + off, hint=hint)
    for x6, kind in ((0x28, "normal"), (0x2C, "acq")):
        for hint, hc in _LD_HINTS3:
            comp = "" if kind == "normal" else ".acq"
            _row("M", 4, "M1", f"ld16{comp}{hc}", "r1,ar.csd=[r3]",
                 attrs={"family": "ld", "size": 16, "kind": kind, "hint": hint, "postinc": None},
                 m=0, x_m=1, x6a=x6, **_hint3(hint, "hint_b19"))
    for x6, kind in ((0x30, "normal"), (0x34, "rel")):
        for hint, hc in _ST_HINTS3:
            comp = "" if kind == "normal" else ".rel"
            _row("M", 4, "M4", f"st16{comp}{hc}", "[r3]=r2,ar.csd",
                 attrs={"family": "st", "size": 16, "kind": kind, "hint": hint, "postinc": None},
                 m=0, x_m=1, x6a=x6, **_hint3(hint, "hint_b12"))
    for x6, sem in ((0x20, "acq"), (0x24, "rel")):
        for hint, hc in _HINTS:
            _row("M", 4, "M16", f"cmp8xchg16.{sem}{hc}", "r1=[r3],r2,ar.csd,ar.ccv",
                 attrs={"family": "cmp8xchg16", "size": 16, "kind": sem, "hint": hint},
                 m=0, x_m=1, x6a=x6, hint=hint)
    for x6, kind in ((0x1C, "sig"), (0x1D, "exp"), (0x1E, "s"), (0x1F, "d")):
        _row("M", 4, "M19", f"getf.{kind}", "r1=f2", attrs={"family": "getf", "kind": kind},
             m=0, x_m=1, x6a=x6)


_FP_SIZES = ((0, "e", 10), (1, "8", 8), (2, "s", 4), (3, "d", 8))
_LDF_KINDS = ((0x00, "", "normal"), (0x04, ".s", "s"), (0x08, ".a", "a"), (0x0C, ".sa", "sa"),
              (0x20, ".c.clr", "c.clr"), (0x24, ".c.nc", "c.nc"))


def _m_fp_memory() -> None:
    for base, kname, kind in _LDF_KINDS:
        for off, sz, size in _FP_SIZES:
            for hint, hc in _LD_HINTS3:
                _row("M", 6, "M6", f"ldf{sz}{kname}{hc}", "f1=[r3]",
                     attrs={"family": "ldf", "size": size, "fp": sz, "kind": kind, "hint": hint,
                            "postinc": None},
                     m=0, x_m=0, x6a=base + off, **_hint3(hint, "hint_b19"))
            for hint, hc in _HINTS:
                name = f"ldf{sz}{kname}{hc}"
                attrs = {"family": "ldf", "size": size, "fp": sz, "kind": kind, "hint": hint}
                _row("M", 6, "M7", name, "f1=[r3],r2", attrs={**attrs, "postinc": "reg"},
                     m=1, x_m=0, x6a=base + off, hint=hint)
                _row("M", 7, "M8", name, "f1=[r3],imm9b", attrs={**attrs, "postinc": "imm"},
                     x6a=base + off, hint=hint)
    for hint, hc in _LD_HINTS3:
        _row("M", 6, "M6", f"ldf.fill{hc}", "f1=[r3]",
             attrs={"family": "ldf", "size": 16, "fp": "fill", "kind": "fill", "hint": hint,
                    "postinc": None},
             m=0, x_m=0, x6a=0x1B, **_hint3(hint, "hint_b19"))
    for hint, hc in _HINTS:
        attrs = {"family": "ldf", "size": 16, "fp": "fill", "kind": "fill", "hint": hint}
        _row("M", 6, "M7", f"ldf.fill{hc}", "f1=[r3],r2", attrs={**attrs, "postinc": "reg"},
             m=1, x_m=0, x6a=0x1B, hint=hint)
        _row("M", 7, "M8", f"ldf.fill{hc}", "f1=[r3],imm9b", attrs={**attrs, "postinc": "imm"},
             x6a=0x1B, hint=hint)
    for off, sz, size in _FP_SIZES:
        for hint, hc in _ST_HINTS3:
            _row("M", 6, "M9", f"stf{sz}{hc}", "[r3]=f2",
                 attrs={"family": "stf", "size": size, "fp": sz, "kind": "normal", "hint": hint,
                        "postinc": None},
                 m=0, x_m=0, x6a=0x30 + off, **_hint3(hint, "hint_b12"))
        for hint, hc in _ST_HINTS:
            attrs = {"family": "stf", "size": size, "fp": sz, "kind": "normal", "hint": hint}
            _row("M", 7, "M10", f"stf{sz}{hc}", "[r3]=f2,imm9a", attrs={**attrs, "postinc": "imm"},
                 x6a=0x30 + off, hint=hint)
    for hint, hc in _ST_HINTS3:
        _row("M", 6, "M9", f"stf.spill{hc}", "[r3]=f2",
             attrs={"family": "stf", "size": 16, "fp": "spill", "kind": "spill", "hint": hint,
                    "postinc": None},
             m=0, x_m=0, x6a=0x3B, **_hint3(hint, "hint_b12"))
    for hint, hc in _ST_HINTS:
        attrs = {"family": "stf", "size": 16, "fp": "spill", "kind": "spill", "hint": hint}
        _row("M", 7, "M10", f"stf.spill{hc}", "[r3]=f2,imm9a", attrs={**attrs, "postinc": "imm"},
             x6a=0x3B, hint=hint)
    # lfetch (M13/M14/M15)
    for x6, comp in ((0x2C, ""), (0x2D, ".excl"), (0x2E, ".fault"), (0x2F, ".fault.excl")):
        for hint, hc in _LFETCH_HINTS3:
            name = f"lfetch{comp}{hc}"
            h3 = _hint3(hint, "hint_b12")
            extra = {"hint_b19": 0} if x6 == 0x2C else {}
            _row("M", 6, "M13", name, "[r3]", attrs={"family": "lfetch", "postinc": None},
                 m=0, x_m=0, x6a=x6, **extra, **h3)
            if x6 == 0x2C:
                _row("M", 6, "M13", f"lfetch.count{hc}", "[r3],cnt6a,stride",
                     attrs={"family": "lfetch", "postinc": None, "count": True},
                     m=0, x_m=0, x6a=x6, hint_b19=1, **h3)
            _row("M", 6, "M14", name, "[r3],r2", attrs={"family": "lfetch", "postinc": "reg"},
                 m=1, x_m=0, x6a=x6, **h3)
            _row("M", 7, "M15", name, "[r3],imm9b", attrs={"family": "lfetch", "postinc": "imm"},
                 x6a=x6, **h3)
    # ldfp pairs (M11, M12: post-increment by the pair size)
    for base, kname, kind in _LDF_KINDS:
        for off, sz, size in ((1, "8", 8), (2, "s", 4), (3, "d", 8)):
            for hint, hc in _HINTS:
                name = f"ldfp{sz}{kname}{hc}"
                attrs = {"family": "ldfp", "size": size, "fp": sz, "kind": kind, "hint": hint}
                _row("M", 6, "M11", name, "f1,f2=[r3]", attrs={**attrs, "postinc": None},
                     m=0, x_m=1, x6a=base + off, hint=hint)
                _row("M", 6, "M12", name, f"f1,f2=[r3],{2 * size}",
                     attrs={**attrs, "postinc": "pair"}, m=1, x_m=1, x6a=base + off, hint=hint)
    # setf (M18)
    for x6, kind in ((0x1C, "sig"), (0x1D, "exp"), (0x1E, "s"), (0x1F, "d")):
        _row("M", 6, "M18", f"setf.{kind}", "f1=r2", attrs={"family": "setf", "kind": kind},
             m=0, x_m=1, x6a=x6)


# ---- B unit (facts §2.7) ------------------------------------------------------------

_WH = ((0, ".sptk"), (1, ".spnt"), (2, ".dptk"), (3, ".dpnt"))
_WH5 = ((1, ".sptk"), (3, ".spnt"), (5, ".dptk"), (7, ".dpnt"))
_PH = ((0, ".few"), (1, ".many"))
_DH = ((0, ""), (1, ".clr"))


def _b_unit() -> None:
    _row("B", 0, "B9", "break.b", "immu21", attrs={"family": "break"}, x6=0)
    for x6, name, flags in ((0x02, "cover", (NO_PRED, LAST)), (0x04, "clrrrb", (NO_PRED, LAST)),
                            (0x05, "clrrrb.pr", (NO_PRED, LAST)),
                            (0x08, "rfi", (NO_PRED, LAST, PRIV)),
                            (0x0C, "bsw.0", (NO_PRED, LAST, PRIV)),
                            (0x0D, "bsw.1", (NO_PRED, LAST, PRIV)),
                            (0x10, "epc", (NO_PRED,)), (0x18, "vmsw.0", (NO_PRED, PRIV)),
                            (0x19, "vmsw.1", (NO_PRED, PRIV))):
        _row("B", 0, "B8", name, "", flags=flags, attrs={"family": name.split(".")[0]}, x6=x6)
    # An unpredicated static-taken br.cond is printed as plain "br" (also brl below).
    for ph, phc in _PH:
        for dh, dhc in _DH:
            _row("B", 0, "B4", f"br{phc}{dhc}", "b2",
                 attrs={"family": "br", "btype": "cond", "indirect": True},
                 x6=0x20, btype=0, wh_b=0, p_b=ph, d=dh, qp=0)
            _row("B", 4, "B1", f"br{phc}{dhc}", "tgt25c",
                 attrs={"family": "br", "btype": "cond", "indirect": False},
                 btype=0, wh_b=0, p_b=ph, d=dh, qp=0)
            _row("X", 0xC, "X3", f"brl{phc}{dhc}", "tgt64",
                 attrs={"family": "br", "btype": "cond", "indirect": False, "long": True},
                 btype=0, wh_b=0, p_b=ph, d=dh, qp=0)
    for x6, btype, bname in ((0x20, 0, "br.cond"), (0x20, 1, "br.ia"), (0x21, 4, "br.ret")):
        for wh, whc in _WH:
            for ph, phc in _PH:
                for dh, dhc in _DH:
                    _row("B", 0, "B4", f"{bname}{whc}{phc}{dhc}", "b2",
                         attrs={"family": "br", "btype": bname[3:], "indirect": True},
                         x6=x6, btype=btype, wh_b=wh, p_b=ph, d=dh)
    for wh, whc in _WH5:
        for ph, phc in _PH:
            for dh, dhc in _DH:
                _row("B", 1, "B5", f"br.call{whc}{phc}{dhc}", "b1=b2",
                     attrs={"family": "br", "btype": "call", "indirect": True},
                     wh_b5=wh, p_b=ph, d=dh)
    _row("B", 2, "B9", "nop.b", "immu21", attrs={"family": "nop"}, x6=0)
    _row("B", 2, "B9", "hint.b", "immu21", attrs={"family": "nop"}, x6=1)
    for x6, ret in ((0x10, ""), (0x11, ".ret")):
        for wh, whc in ((0, ".sptk"), (2, ".dptk")):
            for ih, ihc in ((0, ""), (1, ".imp")):
                _row("B", 2, "B7", f"brp{ret}{whc}{ihc}", "b2,tag13b",
                     flags=(NO_PRED,), attrs={"family": "brp"}, x6=x6, wh_brp=wh, ih_b=ih)
    for btype, bname in ((0, "cond"), (2, "wexit"), (3, "wtop"), (5, "cloop"), (6, "cexit"),
                         (7, "ctop")):
        flags = () if btype in (0, 2, 3) else (NO_PRED,)
        for wh, whc in _WH:
            for ph, phc in _PH:
                for dh, dhc in _DH:
                    _row("B", 4, "B1" if not flags else "B2", f"br.{bname}{whc}{phc}{dhc}",
                         "tgt25c", flags=flags,
                         attrs={"family": "br", "btype": bname, "indirect": False},
                         btype=btype, wh_b=wh, p_b=ph, d=dh)
    for wh, whc in _WH:
        for ph, phc in _PH:
            for dh, dhc in _DH:
                _row("B", 5, "B3", f"br.call{whc}{phc}{dhc}", "b1=tgt25c",
                     attrs={"family": "br", "btype": "call", "indirect": False},
                     wh_b=wh, p_b=ph, d=dh)
    for wh, whc in ((0, ".sptk"), (1, ".loop"), (2, ".dptk"), (3, ".exit")):
        for ih, ihc in ((0, ""), (1, ".imp")):
            _row("B", 7, "B6", f"brp{whc}{ihc}", "tgt25c,tag13b", flags=(NO_PRED,),
                 attrs={"family": "brp"}, wh_brp=wh, ih_b=ih)


# ---- X unit (facts §2.7) ------------------------------------------------------------

def _x_unit() -> None:
    _row("X", 0, "X1", "break.x", "immu62", attrs={"family": "break"}, x3=0, x6=0)
    _row("X", 0, "X5", "nop.x", "immu62", attrs={"family": "nop"}, x3=0, x6=1, y26=0)
    _row("X", 0, "X5", "hint.x", "immu62", attrs={"family": "nop"}, x3=0, x6=1, y26=1)
    _row("X", 6, "X2", "movl", "r1=immu64", attrs={"family": "movl"}, vc=0)
    for wh, whc in _WH:
        for ph, phc in _PH:
            for dh, dhc in _DH:
                _row("X", 0xC, "X3", f"brl.cond{whc}{phc}{dhc}", "tgt64",
                     attrs={"family": "br", "btype": "cond", "indirect": False, "long": True},
                     btype=0, wh_b=wh, p_b=ph, d=dh)
                _row("X", 0xD, "X4", f"brl.call{whc}{phc}{dhc}", "b1=tgt64",
                     attrs={"family": "br", "btype": "call", "indirect": False, "long": True},
                     wh_b=wh, p_b=ph, d=dh)


# ---- F unit ---------------------------------------------------------------------------

_SF = ((0, ".s0"), (1, ".s1"), (2, ".s2"), (3, ".s3"))


def _f_unit() -> None:
    _row("F", 0, "F15", "break.f", "immu21", attrs={"family": "break"}, xb_f=0, x6=0)
    _row("F", 0, "F16", "nop.f", "immu21", attrs={"family": "nop"}, xb_f=0, x6=1, y26=0)
    _row("F", 0, "F16", "hint.f", "immu21", attrs={"family": "nop"}, xb_f=0, x6=1, y26=1)
    for sf, sfc in _SF:
        _row("F", 0, "F6", f"frcpa{sfc}", "f1,p2=f2,f3", attrs={"family": "frcpa"},
             xb_f=1, q_f=0, sf=sf)
        _row("F", 0, "F7", f"frsqrta{sfc}", "f1,p2=f3", attrs={"family": "frsqrta"},
             xb_f=1, q_f=1, sf=sf)
        for x6, name in ((0x14, "fmin"), (0x15, "fmax"), (0x16, "famin"), (0x17, "famax")):
            _row("F", 0, "F8", f"{name}{sfc}", "f1=f2,f3", attrs={"family": name},
                 xb_f=0, x6=x6, sf=sf)
        for x6, name in ((0x18, "fcvt.fx"), (0x19, "fcvt.fxu"), (0x1A, "fcvt.fx.trunc"),
                         (0x1B, "fcvt.fxu.trunc")):
            _row("F", 0, "F10", f"{name}{sfc}", "f1=f2", attrs={"family": "fcvt"},
                 xb_f=0, x6=x6, sf=sf)
        _row("F", 0, "F12", f"fsetc{sfc}", "immu7a,immu7b", attrs={"family": "fsetc"},
             xb_f=0, x6=4, sf=sf)
        _row("F", 0, "F13", f"fclrf{sfc}", "", attrs={"family": "fclrf"}, xb_f=0, x6=5, sf=sf)
        _row("F", 0, "F14", f"fchkf{sfc}", "tgt25", attrs={"family": "fchkf"}, xb_f=0, x6=8, sf=sf)
    # fmerge and its pseudo-ops as objdump prints them (mov/fabs/fneg/fnegabs).
    _row("F", 0, "F9", "fabs", "f1=f3", attrs={"family": "fmerge"}, when="f3_ne_f2",
         xb_f=0, x6=0x10, f2=0)
    _row("F", 0, "F9", "fnegabs", "f1=f3", attrs={"family": "fmerge"}, when="f3_ne_f2",
         xb_f=0, x6=0x11, f2=0)
    _row("F", 0, "F9", "fmerge.s", "f1=f2,f3", attrs={"family": "fmerge"}, xb_f=0, x6=0x10)
    _row("F", 0, "F9", "fmerge.ns", "f1=f2,f3", attrs={"family": "fmerge"}, xb_f=0, x6=0x11)
    for x6, name in ((0x12, "fmerge.se"), (0x39, "fmix.lr"), (0x3A, "fmix.r"), (0x3B, "fmix.l"),
                     (0x3C, "fsxt.r"), (0x3D, "fsxt.l"), (0x28, "fpack"), (0x34, "fswap"),
                     (0x35, "fswap.nl"), (0x36, "fswap.nr"), (0x2C, "fand"), (0x2D, "fandcm"),
                     (0x2E, "for"), (0x2F, "fxor")):
        _row("F", 0, "F9", name, "f1=f2,f3", attrs={"family": name.split(".")[0]}, xb_f=0, x6=x6)
    _row("F", 0, "F11", "fcvt.xf", "f1=f2", attrs={"family": "fcvt"}, xb_f=0, x6=0x1C)
    # fcmp (F4)
    for (ra, rb), rel in {(0, 0): "eq", (0, 1): "lt", (1, 0): "le", (1, 1): "unord"}.items():
        for ta, tc in ((0, ""), (1, ".unc")):
            for sf, sfc in _SF:
                _row("F", 4, "F4", f"fcmp.{rel}{tc}{sfc}", "p1,p2=f2,f3",
                     attrs={"family": "fcmp", "rel": rel}, ra_f=ra, rb_f=rb, ta_f=ta, sf=sf)
    for ta, tc in ((0, ""), (1, ".unc")):
        _row("F", 5, "F5", f"fclass.m{tc}", "p1,p2=f2,fclass9", attrs={"family": "fclass"}, ta_f=ta)
    # fmerge pseudo-ops and parallel FP (major 1) mirror major 0.
    _row("F", 0, "F9", "mov", "f1=f3", attrs={"family": "fmerge"}, when="f2_eq_f3",
         xb_f=0, x6=0x10)
    _row("F", 0, "F9", "fneg", "f1=f3", attrs={"family": "fmerge"}, when="f2_eq_f3",
         xb_f=0, x6=0x11)
    _row("F", 1, "F9", "fpabs", "f1=f3", attrs={"family": "fpmerge"}, xb_f=0, x6=0x10, f2=0)
    _row("F", 1, "F9", "fpneg", "f1=f3", attrs={"family": "fpmerge"}, when="f2_eq_f3",
         xb_f=0, x6=0x11)
    _row("F", 1, "F9", "fpnegabs", "f1=f3", attrs={"family": "fpmerge"}, when="f3_ne_f2",
         xb_f=0, x6=0x11, f2=0)
    for x6, name in ((0x10, "fpmerge.s"), (0x11, "fpmerge.ns"), (0x12, "fpmerge.se")):
        _row("F", 1, "F9", name, "f1=f2,f3", attrs={"family": "fpmerge"}, xb_f=0, x6=x6)
    for sf, sfc in _SF:
        _row("F", 1, "F6", f"fprcpa{sfc}", "f1,p2=f2,f3", attrs={"family": "fprcpa"},
             xb_f=1, q_f=0, sf=sf)
        _row("F", 1, "F7", f"fprsqrta{sfc}", "f1,p2=f3", attrs={"family": "fprsqrta"},
             xb_f=1, q_f=1, sf=sf)
        for x6, name in ((0x14, "fpmin"), (0x15, "fpmax"), (0x16, "fpamin"), (0x17, "fpamax"),
                         (0x30, "fpcmp.eq"), (0x31, "fpcmp.lt"), (0x32, "fpcmp.le"),
                         (0x33, "fpcmp.unord"), (0x34, "fpcmp.neq"), (0x35, "fpcmp.nlt"),
                         (0x36, "fpcmp.nle"), (0x37, "fpcmp.ord")):
            _row("F", 1, "F8", f"{name}{sfc}", "f1=f2,f3", attrs={"family": name.split(".")[0]},
                 xb_f=0, x6=x6, sf=sf)
        for x6, name in ((0x18, "fpcvt.fx"), (0x19, "fpcvt.fxu"), (0x1A, "fpcvt.fx.trunc"),
                         (0x1B, "fpcvt.fxu.trunc")):
            _row("F", 1, "F10", f"{name}{sfc}", "f1=f2", attrs={"family": "fpcvt"},
                 xb_f=0, x6=x6, sf=sf)
    # fma family (F1): x selects single (.s) on majors 8/A/C; majors 9/B/D with x=0 are
    # double (.d) and with x=1 the parallel fpma/fpms/fpnma. objdump prints the
    # pseudo-ops fnorm (f2=f0, f4=f1), fmpy (f2=f0), fadd/fsub (f4=f1), fnmpy (f2=f0).
    for major, x, base, prec in ((8, 0, "fma", ""), (8, 1, "fma", ".s"), (9, 0, "fma", ".d"),
                                 (0xA, 0, "fms", ""), (0xA, 1, "fms", ".s"), (0xB, 0, "fms", ".d"),
                                 (0xC, 0, "fnma", ""), (0xC, 1, "fnma", ".s"),
                                 (0xD, 0, "fnma", ".d"),
                                 (9, 1, "fpma", ""), (0xB, 1, "fpms", ""), (0xD, 1, "fpnma", "")):
        attrs = {"family": base, "precision": prec.strip(".") or ("p" if base[1] == "p" else "x")}
        for sf, sfc in _SF:
            if base == "fma":
                _row("F", major, "F1", f"fnorm{prec}{sfc}", "f1=f3", attrs=attrs,
                     x_f=x, sf=sf, f2=0, f4=1)
                _row("F", major, "F1", f"fmpy{prec}{sfc}", "f1=f3,f4", attrs=attrs,
                     x_f=x, sf=sf, f2=0)
                _row("F", major, "F1", f"fadd{prec}{sfc}", "f1=f3,f2", attrs=attrs,
                     x_f=x, sf=sf, f4=1)
            elif base == "fms":
                _row("F", major, "F1", f"fsub{prec}{sfc}", "f1=f3,f2", attrs=attrs,
                     x_f=x, sf=sf, f4=1)
            elif base in ("fnma", "fpma", "fpnma"):
                pseudo = {"fnma": "fnmpy", "fpma": "fpmpy", "fpnma": "fpnmpy"}[base]
                _row("F", major, "F1", f"{pseudo}{prec}{sfc}", "f1=f3,f4", attrs=attrs,
                     x_f=x, sf=sf, f2=0)
            _row("F", major, "F1", f"{base}{prec}{sfc}", "f1=f3,f4,f2", attrs=attrs, x_f=x, sf=sf)
    # xma (F2) and fselect (F3)
    for x2, name in ((0, "l"), (3, "h"), (2, "hu")):
        _row("F", 0xE, "F2", f"xmpy.{name}", "f1=f3,f4", attrs={"family": "xma"},
             x_f=1, x2_f=x2, f2=0)
        _row("F", 0xE, "F2", f"xma.{name}", "f1=f3,f4,f2", attrs={"family": "xma"}, x_f=1, x2_f=x2)
    _row("F", 0xE, "F3", "fselect", "f1=f3,f4,f2", attrs={"family": "fselect"}, x_f=0)


_a_unit()
_i_unit()
_m_unit()
_b_unit()
_x_unit()
_f_unit()



def _complete_attrs(rows: list[Opcode]) -> list[Opcode]:
    """Give every row of a family the same attribute keys (False/None when absent)."""
    boolean = {"imm", "zero", "long", "count", "ret", "clr", "cmp4", "nz", "signed",
               "indirect"}
    keys: dict[str, set[str]] = {}
    for op in rows:
        keys.setdefault(op.family, set()).update(op.attrs)
    out = []
    for op in rows:
        missing = keys[op.family] - set(op.attrs)
        if missing:
            attrs = dict(op.attrs)
            for key in missing:
                attrs[key] = False if key in boolean else None
            op = replace(op, attrs=MappingProxyType(attrs))
        out.append(op)
    return out


OPCODES: tuple[Opcode, ...] = tuple(_complete_attrs(_rows))
OPCODES_BY_ID: dict[str, Opcode] = {op.id: op for op in OPCODES}
del _rows, _ids
