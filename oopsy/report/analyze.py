"""Explain a parsed report: kind, title, guilty frame, decoded fields and hints.

Everything here is derived from what the report printed; nothing is guessed without
saying so in the hint text. Field layouts come from oopsy.ia64.bits (facts §3.1, §5),
backing-store arithmetic from oopsy.ia64.rse (facts §3.2).
"""

from __future__ import annotations

import re

from oopsy.ia64 import bits, rse
from oopsy.report import hints
from oopsy.report.plumbing import is_plumbing
from oopsy.report.model import Report

# facts §1.6: print_tainted() letters
TAINT_LETTERS = {
    "P": "proprietary module loaded",
    "G": "only GPL modules loaded",
    "F": "module force-loaded",
    "S": "CPU out of specification / SMP with unsafe CPUs",
    "R": "module force-unloaded",
    "M": "machine check happened",
    "B": "bad page referenced or unexpected page flags",
    "U": "taint requested by user space",
    "D": "kernel died recently (an earlier OOPS or BUG)",
    "A": "ACPI table overridden",
    "W": "a WARNING was issued earlier",
    "C": "staging driver loaded",
    "I": "platform firmware bug worked around",
    "O": "out-of-tree module loaded",
    "E": "unsigned module loaded",
    "L": "soft lockup happened earlier",
    "K": "kernel live-patched",
    "X": "auxiliary taint (distribution-defined)",
    "T": "built with struct randomization",
    "N": "test taint (kunit)",
    "J": "fwctl used",
}

# die() strings whose error value is cr.isr (fault.c / traps.c ia64_fault, facts §1.3-1.4)
_ISR_DIE_TEXTS = ("Oops", "General Exception", "NaT consumption", "Unsupported data reference",
                  "Fault ", "Disabled FPL fault", "Unimplemented Instruction Address fault",
                  "floating-point assist fault")

# facts §1.3: ia64_fault() General Exception reasons, indexed by (isr >> 4) & 0xf
GENERAL_EXCEPTION_REASONS = (
    "IA-64 Illegal Operation fault", "IA-64 Privileged Operation fault",
    "IA-64 Privileged Register fault", "IA-64 Reserved Register/Field fault",
    "Disabled Instruction Set Transition fault", "Unknown fault 5", "Unknown fault 6",
    "Unknown fault 7", "Illegal Hazard fault",
) + tuple(f"Unknown fault {n}" for n in range(9, 16))

# traps.c: ISR.code{7:4} of a NaT Consumption fault
NAT_CONSUMPTION_REASONS = {1: "register NaT consumption (a NaT register was used)",
                           2: "NaT page consumption (access to a NaT page)"}

MAX_FRAME_REGS = 96  # a register frame holds at most 96 stacked registers


def analyze(report: Report) -> Report:
    """Fill kind, title, decoded fields, frame annotations, guilty frame and hints."""
    _decode_taint(report)
    _decode_registers(report)
    _annotate_frames(report)
    report.kind = classify(report)
    _choose_guilty(report)
    report.title = make_title(report)
    report.hints = hints.collect(report)
    return report


# -- taint -------------------------------------------------------------------------
def _decode_taint(report: Report) -> None:
    if report.taint is None:
        return
    text = report.taint["text"]
    if re.match(r"Not ?tainted", text):  # 2.6.9 mail archives show "Nottainted"
        report.taint = {"text": text, "tainted": False, "flags": []}
        return
    letters = text.removeprefix("Tainted:").strip()
    flags = [{"letter": c, "meaning": TAINT_LETTERS.get(c, "unknown taint flag")}
             for c in letters if c != " "]
    report.taint = {"text": text.rstrip(), "tainted": True, "flags": flags}


# -- registers ---------------------------------------------------------------------
def _decode_registers(report: Report) -> None:
    regs = report.registers
    decoded = report.decoded
    if "ip" in regs:
        ip = regs["ip"]
        report.ip = {"value": ip, "bundle": ip & ~0xF, "slot": ip & 0xF,
                     "symbol": (report.ip or {}).get("symbol")}
    elif report.ip is not None:
        report.ip = {"value": None, "bundle": None, "slot": None, "symbol": report.ip.get("symbol")}
    if "psr" in regs:
        decoded["psr"] = bits.decode_psr(regs["psr"])
    if "ifs" in regs:
        decoded["ifs"] = bits.decode_ifs(regs["ifs"])
    if "pfs" in regs:
        decoded["pfs"] = bits.decode_pfs(regs["pfs"])
    if "rsc" in regs:
        decoded["rsc"] = bits.decode_rsc(regs["rsc"])
    if "ldrs" in regs:
        # facts §3.1: pt_regs.loadrs = dirty bytes << 16
        decoded["ldrs"] = {"dirty_bytes": regs["ldrs"] >> 16, "dirty_slots": regs["ldrs"] >> 19}
    if "pr" in regs:
        decoded["pr"] = [f"p{n}" for n in range(64) if regs["pr"] >> n & 1]
    for name in ("f6", "f7", "f8", "f9", "f10", "f11"):
        if name in regs:
            decoded[name] = _fp_fields(regs[name])
    die = report.die
    if die and die.get("err") is not None and die["text"].startswith(_ISR_DIE_TEXTS):
        isr = bits.to_unsigned64(die["err"])
        fields = bits.decode_isr(isr)
        fields["value"] = isr
        fields["access"] = bits.isr_access_text(fields)
        if die["text"].startswith("General Exception"):
            fields["reason"] = GENERAL_EXCEPTION_REASONS[(isr >> 4) & 0xF]
        elif die["text"].startswith("NaT consumption"):
            fields["reason"] = NAT_CONSUMPTION_REASONS.get((isr >> 4) & 0xF, "unknown NaT consumption")
        decoded["isr"] = fields
    if report.unaligned is not None:
        ip = report.unaligned["ip"]
        report.unaligned.update({"bundle": ip & ~0xF, "slot": ip & 0xF})
        if report.ip is None:  # unaligned.c prints ip = cr.iip + psr.ri (facts §1.5)
            report.ip = {"value": ip, "bundle": ip & ~0xF, "slot": ip & 0xF, "symbol": None}


def _fp_fields(value: int) -> dict[str, int]:
    """show_regs prints %05lx%016lx: sign+17-bit exponent, then the 64-bit significand."""
    high, significand = value >> 64, value & ((1 << 64) - 1)
    fields = {"sign": (high >> 17) & 1, "exponent": high & 0x1FFFF, "significand": significand}
    if fields["exponent"] == 0x1003E:  # 2^63 scaling: an integer moved in by setf.sig
        fields["integer"] = significand
    return fields


# -- frames ------------------------------------------------------------------------
def _annotate_frames(report: Report) -> None:
    """rse_regs and reliability per frame.

    A frame's bsp points at its r32; the frame it called (the one printed above it) starts
    where its own stacked registers end. So the registers between its bsp and the bsp of
    the frame above are its own (its locals, or for an interrupted frame its whole
    sof), counted with rse.h ia64_rse_num_regs (NaT collection slots skipped).
    """
    frames = report.frames
    for callee, frame in zip(frames, frames[1:]):
        if frame.bsp is None or callee.bsp is None:
            continue
        if frame.bsp > callee.bsp:
            frame.reliable = False
            continue
        frame.rse_regs = rse.num_regs(frame.bsp, callee.bsp)
        if frame.rse_regs > MAX_FRAME_REGS:
            frame.reliable = False
    for frame in frames:
        sym = frame.symbol
        if frame.slot > 2 or (frame.bsp is not None and frame.bsp & 7):
            frame.reliable = False
        elif sym is not None and sym.offset is not None and sym.size and sym.offset >= sym.size:
            frame.reliable = False  # kallsyms named an address outside the symbol


# -- kind, guilty, title -------------------------------------------------------------
_DIE_KINDS = (
    ("bugcheck!", "bug"),
    ("Bad break", "bad-break"),
    ("General Exception", "general-exception"),
    ("NaT consumption", "nat-consumption"),
    ("IA-64 Illegal operation fault", "illegal-operation"),
    ("error during unaligned kernel access", "unaligned"),
    ("big-endian unaligned accesses are not supported", "unaligned"),
    ("Unsupported data reference", "unsupported-data-reference"),
    ("Unimplemented Instruction Address fault", "unimplemented-address"),
    ("floating-point assist fault", "fp-assist"),
    ("Oops", "oops"),
)


def classify(report: Report) -> str:
    headline = report.headline or ""
    if report.corruption is not None:
        return "memory-corruption"
    if headline.startswith(("Debug: sleeping function", "BUG: sleeping function")):
        return "might-sleep"
    if "scheduling while atomic" in headline and report.die is None:
        return "scheduling-while-atomic"
    if headline.startswith("BUG: Bad page map"):
        return "bad-page-map"
    if headline.startswith("Unable to handle kernel NULL pointer"):
        return "null-deref"
    if headline.startswith("Unable to handle kernel paging request"):
        return "paging-request"
    if report.bug is not None:
        return "bug"
    if report.die is not None:
        for prefix, kind in _DIE_KINDS:
            if report.die["text"].startswith(prefix):
                return kind
        return "die"
    if report.unaligned is not None:
        return "unaligned"
    if report.warning is not None:
        return "warning"
    if headline.startswith("BUG: soft lockup"):
        return "soft-lockup"
    if headline.startswith("BUG:"):
        return "bug"
    if report.panic is not None:
        return "panic"
    names = {f.symbol.name for f in report.frames if f.symbol is not None}
    if report.registers or report.ip is not None or names & {"die", "die_if_kernel"}:
        return "oops"  # a fragment: the register dump or die() survived, its header did not
    if report.frames:
        return "stack-dump"
    return "unknown"


def _choose_guilty(report: Report) -> None:
    ip_sym = (report.ip or {}).get("symbol")
    for index, frame in enumerate(report.frames):
        if frame.symbol and frame.symbol.name and not is_plumbing(frame.symbol.name, report.kind):
            report.guilty_frame = index
            break
    if ip_sym is not None and ip_sym.name and not is_plumbing(ip_sym.name, report.kind):
        report.guilty = ip_sym.name
    elif report.guilty_frame is not None:
        report.guilty = report.frames[report.guilty_frame].symbol.name
    if report.guilty_frame is not None and report.guilty == report.frames[report.guilty_frame].symbol.name:
        report.guilty_module = report.frames[report.guilty_frame].symbol.module
    elif ip_sym is not None and report.guilty == ip_sym.name:
        report.guilty_module = ip_sym.module
    elif report.warning is not None and report.warning.get("function"):
        report.guilty = _bare_function(report.warning["function"])


def _bare_function(text: str) -> str:
    return re.sub(r"(\+0x[0-9a-f]+/0x[0-9a-f]+)?(\(\))?$", "", text)


def make_title(report: Report) -> str:
    """One stable line for deduplication: no addresses, pids or counters."""
    where = f" in {report.guilty}" if report.guilty else ""
    if report.guilty and report.guilty_module:
        where += f" [{report.guilty_module}]"
    kind = report.kind
    if kind == "null-deref":
        return "Unable to handle kernel NULL pointer dereference" + where
    if kind == "paging-request":
        return "Unable to handle kernel paging request" + where
    if kind == "scheduling-while-atomic":
        return "scheduling while atomic" + where
    if kind == "bug" and report.bug is not None:
        return f"kernel BUG at {report.bug['file']}:{report.bug['line']}" + where
    if kind == "memory-corruption":
        detector = f" detected in {report.guilty}" if report.guilty else ""
        return f"pagealloc: {report.corruption.get('what') or 'memory corruption'}{detector}"
    if kind == "bad-page-map":
        return "BUG: Bad page map" + where
    if kind == "might-sleep":
        return "sleeping function called from invalid context" + where
    if kind == "bug" and (report.headline or "").startswith("usercopy:"):
        # usercopy_abort()'s message says more than its "bugcheck!"; drop the numbers
        return _stable(re.sub(r" \(offset .*$", "", report.headline)) + where
    if kind == "warning":
        warning = report.warning
        function = _bare_function(warning["function"]) if warning.get("function") else report.guilty
        at = f" in {function}" if function else ""
        return f"WARNING at {warning['file']}:{warning['line']}{at}"
    if kind == "unaligned" and report.die is None:
        who = "kernel" if not report.unaligned["user"] else "user"
        return f"{who} unaligned access" + where
    if report.die is not None:
        text = report.die["text"]
        if kind == "bug":
            text = "kernel BUG (bugcheck!)"
        return text + where
    if kind == "panic":
        return f"Kernel panic - not syncing: {_stable(report.panic['message'])}"
    if kind == "oops":
        return "oops" + where
    if report.headline:
        # "BUG: ... pte:... pmd:...": details follow two blanks
        return _stable(report.headline.split("  ")[0]) + where
    if kind == "stack-dump":
        return "stack dump" + where
    return "unrecognised report"


def _stable(text: str) -> str:
    """Drop hex numbers and long decimals so equal crashes get equal titles."""
    text = re.sub(r"0x[0-9a-fA-F]+|\b[0-9a-f]{8,16}\b", "ADDR", text)
    return re.sub(r"\b\d{2,}\b", "N", text).strip()
