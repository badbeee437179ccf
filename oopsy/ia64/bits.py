"""Field decoders for IA-64 control words: psr, cfm (cr.ifs, ar.pfs), cr.isr, ar.rsc.

Each register layout is a table of (name, low bit, width); `decode` turns a 64-bit value
into a dict of field values, and `describe` into a short human summary. Bit positions
follow ../shared/reference/ia64-facts.md §3.1 (kregs.h, Ski fields.h) and §5 (ISR bits).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    name: str
    lo: int
    width: int = 1
    meaning: str = ""

    def get(self, value: int) -> int:
        return (value >> self.lo) & ((1 << self.width) - 1)


def decode(layout: tuple[Field, ...], value: int) -> dict[str, int]:
    """Return every field of `layout` extracted from `value`."""
    return {f.name: f.get(value) for f in layout}


# facts §3.1: PSR bits from arch/ia64/include/asm/kregs.h
PSR = (
    Field("be", 1, 1, "big-endian memory access"),
    Field("up", 2, 1, "user performance monitor enable"),
    Field("ac", 3, 1, "alignment check"),
    Field("mfl", 4, 1, "lower fp registers written"),
    Field("mfh", 5, 1, "upper fp registers written"),
    Field("ic", 13, 1, "interruption collection"),
    Field("i", 14, 1, "interrupts enabled"),
    Field("pk", 15, 1, "protection key checking"),
    Field("dt", 17, 1, "data address translation"),
    Field("dfl", 18, 1, "disabled fp low"),
    Field("dfh", 19, 1, "disabled fp high"),
    Field("sp", 20, 1, "secure performance monitors"),
    Field("pp", 21, 1, "privileged performance monitor enable"),
    Field("di", 22, 1, "disable instruction set transition"),
    Field("si", 23, 1, "secure interval timer"),
    Field("db", 24, 1, "debug breakpoint fault"),
    Field("lp", 25, 1, "lower privilege transfer trap"),
    Field("tb", 26, 1, "taken branch trap"),
    Field("rt", 27, 1, "register stack translation"),
    Field("cpl", 32, 2, "current privilege level"),
    Field("is", 34, 1, "instruction set (1 = IA-32)"),
    Field("mc", 35, 1, "machine check abort mask"),
    Field("it", 36, 1, "instruction address translation"),
    Field("id", 37, 1, "instruction debug fault disable"),
    Field("da", 38, 1, "disable data access and dirty-bit faults"),
    Field("dd", 39, 1, "data debug fault disable"),
    Field("ss", 40, 1, "single step"),
    Field("ri", 41, 2, "restart instruction (slot)"),
    Field("ed", 43, 1, "exception deferral"),
    Field("bn", 44, 1, "register bank"),
    Field("ia", 45, 1, "disable instruction access-bit faults"),
    Field("vm", 46, 1, "virtual machine features"),
)

# facts §3.1: CFM = cr.ifs bits 0-37 = ar.pfs.pfm
CFM = (
    Field("sof", 0, 7, "size of frame"),
    Field("sol", 7, 7, "size of locals (inputs + locals)"),
    Field("sor", 14, 4, "size of rotating region / 8"),
    Field("rrb_gr", 18, 7, "GR rotating register base"),
    Field("rrb_fr", 25, 7, "FR rotating register base"),
    Field("rrb_pr", 32, 6, "PR rotating register base"),
)
CFM_MASK = (1 << 38) - 1

IFS = CFM + (Field("v", 63, 1, "valid"),)

PFS = CFM + (
    Field("pec", 52, 6, "previous epilogue count"),
    Field("ppl", 62, 2, "previous privilege level"),
)

# facts §5: ISR bit numbers from kregs.h (ni, ei, ed per the qemu-ia64 header)
ISR = (
    Field("code", 0, 16, "interruption code"),
    Field("vector", 16, 8, "IA-32 vector"),
    Field("x", 32, 1, "execute access"),
    Field("w", 33, 1, "write access"),
    Field("r", 34, 1, "read access"),
    Field("na", 35, 1, "non-access"),
    Field("sp", 36, 1, "speculative load exception"),
    Field("rs", 37, 1, "mandatory register-stack exception"),
    Field("ir", 38, 1, "invalid register frame"),
    Field("ni", 39, 1, "nested interruption"),
    Field("ei", 41, 2, "excepting instruction slot"),
    Field("ed", 43, 1, "exception deferral"),
)

# facts §3.1: ar.rsc
RSC = (
    Field("mode", 0, 2, "0 enforced lazy, 1 store intensive, 2 load intensive, 3 eager"),
    Field("pl", 2, 2, "privilege level"),
    Field("be", 4, 1, "big-endian"),
    Field("loadrs", 16, 14, "loadrs bytes"),
)


def decode_psr(value: int) -> dict[str, int]:
    return decode(PSR, value)


def _frame_fields(layout: tuple[Field, ...], value: int) -> dict[str, int]:
    fields = decode(layout, value)
    fields["sor"] *= 8  # the field counts groups of eight rotating registers
    return fields


def decode_ifs(value: int) -> dict[str, int]:
    return _frame_fields(IFS, value)


def decode_pfs(value: int) -> dict[str, int]:
    return _frame_fields(PFS, value)


def decode_isr(value: int) -> dict[str, int]:
    return decode(ISR, value & ((1 << 64) - 1))


def decode_rsc(value: int) -> dict[str, int]:
    return decode(RSC, value)


def frame_text(cfm: dict[str, int]) -> str:
    """`sof=11 sol=8 (8 in+local, 3 out)` for a decoded CFM."""
    out = cfm["sof"] - cfm["sol"]
    text = f"sof={cfm['sof']} sol={cfm['sol']} sor={cfm['sor']} ({cfm['sol']} in+local, {out} out)"
    rrb = [f"{k}={cfm[k]}" for k in ("rrb_gr", "rrb_fr", "rrb_pr") if cfm[k]]
    return " ".join([text] + rrb)


def isr_access_text(isr: dict[str, int]) -> str:
    """The access kind an ISR describes: `read`, `write`, `read+write`, `execute`, ..."""
    kinds = [name for name, bit in (("read", "r"), ("write", "w"), ("execute", "x")) if isr[bit]]
    text = "+".join(kinds) if kinds else "no access bits"
    if isr["na"]:
        text += ", non-access (probe/fc/lfetch/tpa)"
    if isr["sp"]:
        text += ", speculative"
    if isr["rs"]:
        text += ", register-stack (RSE) access"
    return text


def to_unsigned64(value: int) -> int:
    return value & ((1 << 64) - 1)
