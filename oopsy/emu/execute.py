"""Instruction semantics: one decoded instruction -> one ready-to-call handler.

`compile_instruction(insn, ctx)` turns an `oopsy.ia64.decode.Instruction` into a
`Compiled`: a zero-argument closure with the operands, the machine's register lists
and the qualifying predicate bound, plus what the trace recorder needs to know about it
(the registers it writes). Dispatch is by the ISA table's ``family`` and ``attrs``
(`oopsy.ia64.isa`), never by re-decoding bits.

Handler protocol (the step loop in `run.py` relies on it):

* it returns ``None`` to fall through to the next slot, or the next ip as
  ``bundle_address | slot`` (slot in bits 0-1) when control transfers (a taken branch,
  rfi, a chk that branches);
* it raises `GuestFault` for an interruption (the loop adds ISR.ei and delivers it),
  `GuestExit` when the emulated kernel ends the program;
* it never allocates beyond the integers it computes.

Semantics follow Ski (facts §2.3, §2.9, §3.3): ALU results propagate NaT; compares of
every type (normal, unc, and, or, or.andcm; cmp4; tbit; tnat); loads zero-extend and
fault on a NaT address; `ld.s` defers every fault into a NaT; the ALAT always misses
(`ld.a` is a plain load, `ld.c` always reloads, `chk.a` always branches); loop branches
update lc/ec and rotate as Ski's brCtopEx/brCexitEx/brWtopEx/brWexitEx/brCloopEx; the
parallel (multimedia) integer instructions follow Ski's lane patterns (mm_exec).
Anything the decoder knows but this module does not execute compiles to a handler that
raises the guest's Illegal Operation fault naming the mnemonic (`UNEXECUTED` lists
the families), so a program never sees a Python exception.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from oopsy.emu.faults import GuestFault, illegal_operation
from oopsy.emu.machine import (
    AR_CCV,
    AR_CSD,
    AR_EC,
    AR_ITC,
    AR_LC,
    AR_NAMES,
    AR_UNAT,
    CR_IFS,
    CR_NAMES,
    Machine,
)
from oopsy.ia64.decode import Instruction
from oopsy.ia64.isa import NO_PRED

M64 = (1 << 64) - 1
SIGN64 = 1 << 63


class GuestExit(Exception):
    """The emulated kernel ended the program (exit / exit_group)."""

    def __init__(self, code: int):
        super().__init__(f"exit {code}")
        self.code = code


def nat_consumption(detail: str, isr: int = 0) -> GuestFault:
    """Register NaT Consumption fault (ISR.code 1: register NaT consumption)."""
    return GuestFault("nat_consumption", isr=0x1 | isr, detail=detail)


def privileged_operation(detail: str) -> GuestFault:
    """General Exception, Privileged Operation fault (ISR.code 0x10, facts §1.3)."""
    return GuestFault("general_exception", isr=0x10, detail=detail)


def _sext(value: int, bits: int) -> int:
    sign = 1 << (bits - 1)
    return ((value & ((1 << bits) - 1)) ^ sign) - sign


def _s64(value: int) -> int:
    return value - (1 << 64) if value & SIGN64 else value


# Families the decoder knows and this executor deliberately does not implement: every
# instruction in them raises the guest's Illegal Operation fault naming its mnemonic.
UNEXECUTED = frozenset({
    # floating point (no FP register file is modelled)
    "ldf", "ldfp", "stf", "setf", "getf", "fma", "fms", "fnma", "fpma", "fpms", "fpnma", "xma",
    "fselect", "fcmp", "fclass", "frcpa", "frsqrta", "fprcpa", "fprsqrta", "fmin", "fmax",
    "famin", "famax", "fpmin", "fpmax", "fpamin", "fpamax", "fpcmp", "fcvt", "fpcvt", "fmerge",
    "fpmerge", "fmix", "fsxt", "fpack", "fswap", "fand", "fandcm", "for", "fxor", "fsetc",
    "fclrf", "fchkf",
    # parallel (multimedia) integer without a model here (rounding/saturation rules)
    "pavg", "pavgsub", "pshladd2", "mpy", "mpyshl",
    # system instructions with no model behind them
    "vmsw", "probe", "mov_ind", "thash", "ttag", "tak", "mov_dahr", "tf",
    "cmp8xchg16",
})


MULTIMEDIA = frozenset({"padd", "psub", "pcmp", "pmin", "pmax", "psad", "mix", "unpack", "pack", "mux",
                        "pshl", "pshr", "pshradd2", "pmpy", "pmpyshr"})


@dataclass(slots=True)
class Compiled:
    """One executable slot.

    fn: the handler (see the module docstring). qp: its qualifying predicate (0 for
    instructions that are not predicated). always: it writes state even when its qp is
    false (unc compares, loop branches). emit: for the recorder, reports the registers
    the instruction wrote as ``rec.reg(name, value, nat)`` calls; None means "unknown
    statically": the recorder diffs the whole register state around the step
    (`diff` is then True, and `emit`, if set, still reports the explicit outputs `outs`,
    so a write of an unchanged value is not lost).
    """

    fn: Callable[[], int | None]
    qp: int
    always: bool
    emit: Callable | None
    mnemonic: str
    diff: bool = False  # the recorder also diffs the register state around the step
    outs: tuple[int, ...] = ()  # general registers `emit` reports (skipped by the diff)


class Context:
    """What handlers need besides the decoded instruction: the machine and the
    environment (the emulated kernel's break/epc hooks)."""

    def __init__(self, machine: Machine, on_break: Callable[[int, int], None]):
        self.m = machine
        self.on_break = on_break  # (imm, ip) -> None, or raises GuestFault/GuestExit


# ====================================================================== helpers ====

def _illegal(mnemonic: str, why: str) -> Callable[[], None]:
    def h():
        raise illegal_operation(f"{mnemonic}: {why}")
    return h


def _gr_emitter(m: Machine, regs: tuple[int, ...], prs: tuple[int, ...] = (), brs: tuple[int, ...] = ()):
    """Report general (with NaT), predicate and branch registers after the step."""
    gr, nat, pr, br = m.gr, m.nat, m.pr, m.br
    if len(regs) == 1 and not (prs or brs):
        (r,) = regs
        name = GR_NAMES[r]

        def emit1(rec):
            rec.reg(name, gr[r], nat[r])
        return emit1

    def emit(rec):
        for r in regs:
            rec.reg(GR_NAMES[r], gr[r], nat[r])
        for p in prs:
            rec.reg(PR_NAMES[p], pr[p], 0)
        for b in brs:
            rec.reg(BR_NAMES[b], br[b], 0)
    return emit


def ar_name(n: int) -> str:
    return f"ar.{AR_NAMES[n]}" if n in AR_NAMES else f"ar{n}"


def cr_name(n: int) -> str:
    return f"cr.{CR_NAMES[n]}" if n in CR_NAMES else f"cr{n}"


GR_NAMES = tuple(f"r{i}" for i in range(128))
PR_NAMES = tuple(f"p{i}" for i in range(64))
BR_NAMES = tuple(f"b{i}" for i in range(8))
AR_REG_NAMES = tuple(ar_name(i) for i in range(128))
CR_REG_NAMES = tuple(cr_name(i) for i in range(128))
_AR_BSP, _AR_BSPSTORE, _AR_RNAT = 17, 18, 19


class Spec:
    """The registers an instruction writes, for the recorder: explicit general, predicate,
    branch, application and control registers; `psr`, `cfm`; `frame`: every stacked
    register of the frame current after the step (frame changes rename them); `rot`:
    the rotating registers and predicates (loop branches)."""

    __slots__ = ("grs", "prs", "brs", "ars", "crs", "psr", "cfm", "frame", "rot")

    def __init__(self, grs=(), prs=(), brs=(), ars=(), crs=(), psr=False, cfm=False, frame=False, rot=False):
        self.grs, self.prs, self.brs, self.ars, self.crs = tuple(grs), tuple(prs), tuple(brs), tuple(ars), tuple(crs)
        self.psr, self.cfm, self.frame, self.rot = psr, cfm, frame, rot


def _spec_emitter(m: Machine, spec: Spec):
    gr, nat, pr, br, ar, cr = m.gr, m.nat, m.pr, m.br, m.ar, m.cr
    grs, prs, brs, crs = spec.grs, spec.prs, spec.brs, spec.crs
    # the RSE keeps ar.bsp/bspstore/rnat outside m.ar
    rse_ars = tuple(a for a in spec.ars if a in (_AR_BSP, _AR_BSPSTORE, _AR_RNAT))
    plain_ars = tuple(a for a in spec.ars if a not in rse_ars)
    want_psr, want_cfm, frame, rot = spec.psr, spec.cfm, spec.frame, spec.rot

    def emit(rec):
        reg = rec.reg
        for r in grs:
            reg(GR_NAMES[r], gr[r], nat[r])
        if frame:
            for r in range(32, 32 + m.sof):
                reg(GR_NAMES[r], gr[r], nat[r])
        if rot:
            for r in range(32, 32 + m.sor):
                reg(GR_NAMES[r], gr[r], nat[r])
            for p in range(16, 64):
                reg(PR_NAMES[p], pr[p], 0)
        for p in prs:
            reg(PR_NAMES[p], pr[p], 0)
        for b in brs:
            reg(BR_NAMES[b], br[b], 0)
        for a in plain_ars:
            reg(AR_REG_NAMES[a], ar[a], 0)
        for a in rse_ars:
            reg(AR_REG_NAMES[a], m.bsp if a == _AR_BSP else m.bspstore if a == _AR_BSPSTORE else m.rnat, 0)
        for c in crs:
            reg(CR_REG_NAMES[c], cr[c], 0)
        if want_psr:
            reg("psr", m.psr, 0)
        if want_cfm:
            reg("cfm", m.cfm, 0)
    return emit


# ======================================================================= ALU ======

_ALU_EXPR = {
    "add": "(a + b) & M64",
    "add1": "(a + b + 1) & M64",
    "sub": "(a - b) & M64",
    "sub1": "(a - b - 1) & M64",
    "addp4": "(((b >> 30) & 3) << 61) | ((a + b) & 0xFFFFFFFF)",  # facts §2.9 addp4Ex
    "and": "a & b",
    "andcm": "a & ~b & M64",
    "or": "a | b",
    "xor": "a ^ b",
    "shladd": "((a << cnt) + b) & M64",
    "shladdp4": "((((a << cnt) + b) & 0xFFFFFFFF) | (((b >> 30) & 3) << 61))",
}

_ALU_TEMPLATE = """
def factory(gr, nat, pr, m, qp, r1, r2, r3, imm, cnt, check):
    if r2 is None:
        def h():
            if pr[qp]:
                if check and (r1 >= m.sof + 32 or r3 >= m.sof + 32):
                    raise illegal_operation("register out of frame")
                a = imm
                b = gr[r3]
                gr[r1] = {expr}
                nat[r1] = nat[r3]
    else:
        def h():
            if pr[qp]:
                if check and (r1 >= m.sof + 32 or r2 >= m.sof + 32 or r3 >= m.sof + 32):
                    raise illegal_operation("register out of frame")
                a = gr[r2]
                b = gr[r3]
                gr[r1] = {expr}
                nat[r1] = nat[r2] | nat[r3]
    return h
"""

_ALU_FACTORIES: dict[str, Callable] = {}
for _name, _expr in _ALU_EXPR.items():
    _ns = {"M64": M64, "illegal_operation": illegal_operation}
    exec(compile(_ALU_TEMPLATE.replace("{expr}", _expr), f"<alu {_name}>", "exec"), _ns)
    _ALU_FACTORIES[_name] = _ns["factory"]


def _stacked(*regs) -> bool:
    return any(r is not None and r >= 32 for r in regs)


def _c_alu(insn, ops, m, qp):
    a = insn.op.attrs
    r1 = ops["r1"]
    imm = None
    for key in ("imm8", "imm14", "imm22"):
        if key in ops:
            imm = ops[key] & M64
    r3 = ops.get("r3", ops.get("r3_2", 0))
    r2 = ops.get("r2")
    opname = a["op"]  # add, add1 (r2+r3+1), sub, sub1, addp4, and ... (isa.py attrs)
    if r2 is None and imm is None:
        imm = 0  # `mov r1=r3` (adds with 0) and `mov r1=imm22` handled by imm
    if "imm22" in ops and "r3_2" not in ops:
        r3 = 0
    cnt = ops.get("cnt2a", 0)
    if r1 == 0:
        return _illegal(insn.mnemonic, "write to r0"), ()
    fn = _ALU_FACTORIES[opname](m.gr, m.nat, m.pr, m, qp, r1, r2, r3, imm, cnt, _stacked(r1, r2, r3))
    return fn, (r1,)


# ===================================================================== compares ===

def _rel_fn(rel: str, cmp4: bool):
    if cmp4:
        def s32(x):
            x &= 0xFFFFFFFF
            return x - (1 << 32) if x & 0x80000000 else x
        rels = {
            "lt": lambda a, b: s32(a) < s32(b), "ltu": lambda a, b: (a & 0xFFFFFFFF) < (b & 0xFFFFFFFF),
            "eq": lambda a, b: (a & 0xFFFFFFFF) == (b & 0xFFFFFFFF),
            "ne": lambda a, b: (a & 0xFFFFFFFF) != (b & 0xFFFFFFFF),
            "gt": lambda a, b: s32(a) > s32(b), "le": lambda a, b: s32(a) <= s32(b),
            "ge": lambda a, b: s32(a) >= s32(b),
        }
    else:
        rels = {
            "lt": lambda a, b: _s64(a) < _s64(b), "ltu": lambda a, b: a < b,
            "eq": lambda a, b: a == b, "ne": lambda a, b: a != b,
            "gt": lambda a, b: _s64(a) > _s64(b), "le": lambda a, b: _s64(a) <= _s64(b),
            "ge": lambda a, b: _s64(a) >= _s64(b),
        }
    return rels[rel]


def _pred_writer(pr, p1, p2, ctype, qp):
    """The predicate write of a compare of type `ctype` (facts §2.3 twoPr*Wrt): a
    function (res, natted) -> None, run only when the compare executes."""
    w1 = p1 != 0
    w2 = p2 != 0

    if ctype in ("none", "unc"):
        def write(res, natted):
            if natted:
                res1 = res2 = 0
            else:
                res1, res2 = (1, 0) if res else (0, 1)
            if w1:
                pr[p1] = res1
            if w2:
                pr[p2] = res2
    elif ctype == "and":
        def write(res, natted):
            if not res or natted:
                if w1:
                    pr[p1] = 0
                if w2:
                    pr[p2] = 0
    elif ctype == "or":
        def write(res, natted):
            if res and not natted:
                if w1:
                    pr[p1] = 1
                if w2:
                    pr[p2] = 1
    else:  # or.andcm
        def write(res, natted):
            if res and not natted:
                if w1:
                    pr[p1] = 1
                if w2:
                    pr[p2] = 0
    return write


def _compare_handler(pr, qp, ctype, p1, p2, test, write, m, check):
    """Wrap `test() -> (res, natted)` with the qp rules: normal/parallel compares do
    nothing when qp is false; .unc clears both targets (facts §2.3 cmpuncRd)."""
    if ctype == "unc":
        def h():
            if check and check >= m.sof + 32:
                raise illegal_operation("register out of frame")
            if pr[qp]:
                res, natted = test()
                write(res, natted)
            else:
                if p1:
                    pr[p1] = 0
                if p2:
                    pr[p2] = 0
    else:
        def h():
            if pr[qp]:
                if check and check >= m.sof + 32:
                    raise illegal_operation("register out of frame")
                res, natted = test()
                write(res, natted)
    return h


def _frame_check(m, *regs) -> int:
    """The highest stacked register among `regs` (0 if none): handlers test
    ``check and check >= m.sof + 32`` to fault on an out-of-frame register."""
    stacked = [r for r in regs if r is not None and r >= 32]
    return max(stacked) if stacked else 0


# Normal and .unc compares (the ones in every loop) compile from source with the
# relation inlined; a and b are unsigned 64-bit, so a signed compare flips the sign bit.
_CMP_REL = {
    "lt": "(A ^ S) < (B ^ S)", "ltu": "A < B", "eq": "A == B", "ne": "A != B",
    "gt": "(A ^ S) > (B ^ S)", "le": "(A ^ S) <= (B ^ S)", "ge": "(A ^ S) >= (B ^ S)",
}
_CMP_TEMPLATE = """
def factory(gr, nat, pr, m, qp, p1, p2, r2, r3, imm, top):
    def h():
        if top and top >= m.sof + 32:
            raise illegal_operation("register out of frame")
        if pr[qp]:
            a = {a}
            b = gr[r3]
            if {natted}:
                {w1_0}
                {w2_0}
            elif {cond}:
                {w1_1}
                {w2_0}
            else:
                {w1_0}
                {w2_1}
        {unc}
    return h
"""
_CMP_FACTORIES: dict[tuple, Callable] = {}


def _fast_compare(key: tuple) -> Callable:
    """The factory for (relation, cmp4, imm form, unc, writes p1, writes p2)."""
    factory = _CMP_FACTORIES.get(key)
    if factory is not None:
        return factory
    rel, cmp4, imm_form, unc, w1, w2 = key
    if cmp4:
        cond = _CMP_REL[rel].replace("A", "(a & 0xFFFFFFFF)").replace("B", "(b & 0xFFFFFFFF)")
        cond = cond.replace("S", "0x80000000")
    else:
        cond = _CMP_REL[rel].replace("A", "a").replace("B", "b").replace("S", "0x8000000000000000")

    def write(which, value):
        on = w1 if which == "p1" else w2
        return f"pr[{which}] = {value}" if on else "pass"
    text = _CMP_TEMPLATE.format(
        a="imm" if imm_form else "gr[r2]",
        natted="nat[r3]" if imm_form else "nat[r2] or nat[r3]",
        cond=cond,
        w1_0=write("p1", 0), w1_1=write("p1", 1), w2_0=write("p2", 0), w2_1=write("p2", 1),
        unc=("else:\n            " + write("p1", 0) + "\n            " + write("p2", 0)) if unc else "",
    )
    ns = {"illegal_operation": illegal_operation}
    exec(compile(text, f"<cmp {key}>", "exec"), ns)
    factory = _CMP_FACTORIES[key] = ns["factory"]
    return factory


def _c_cmp(insn, ops, m, qp):
    a = insn.op.attrs
    gr, nat, pr = m.gr, m.nat, m.pr
    p1, p2, r3 = ops["p1"], ops["p2"], ops["r3"]
    rel = _rel_fn(a["rel"], a["cmp4"])
    ctype = a["ctype"]
    if p1 == p2 and ctype in ("none", "unc"):
        return _illegal(insn.mnemonic, "p1 == p2"), ()
    if ctype in ("none", "unc"):
        imm_form = "imm8" in ops
        r2 = None if imm_form else ops["r2"]
        stacked = [r for r in (r2, r3) if r is not None and r >= 32]
        factory = _fast_compare((a["rel"], a["cmp4"], imm_form, ctype == "unc", p1 != 0, p2 != 0))
        fn = factory(gr, nat, pr, m, qp, p1, p2, r2, r3, ops["imm8"] & M64 if imm_form else 0,
                     max(stacked) if stacked else 0)
        return fn, ("p", p1, p2)
    if "imm8" in ops:
        imm = ops["imm8"] & M64

        def test():
            return rel(imm, gr[r3]), nat[r3]
        check = _frame_check(m, r3)
    elif a.get("zero"):
        def test():
            return rel(0, gr[r3]), nat[r3]
        check = _frame_check(m, r3)
    else:
        r2 = ops["r2"]

        def test():
            return rel(gr[r2], gr[r3]), nat[r2] | nat[r3]
        check = _frame_check(m, r2, r3)
    write = _pred_writer(pr, p1, p2, ctype, qp)
    return _compare_handler(pr, qp, ctype, p1, p2, test, write, m, check), ("p", p1, p2)


def _c_tbit(insn, ops, m, qp):
    a = insn.op.attrs
    gr, nat, pr = m.gr, m.nat, m.pr
    p1, p2, r3 = ops["p1"], ops["p2"], ops["r3"]
    ctype = a["ctype"]
    nz = a["nz"]
    if insn.op.family == "tbit":
        bit = 1 << ops["pos6"]
        if ctype in ("none", "unc"):
            def test():  # tbit.z: true when the bit is clear
                return not gr[r3] & bit, nat[r3]
        else:
            def test():
                set_ = bool(gr[r3] & bit)
                return (set_ if nz else not set_), nat[r3]
    else:  # tnat never NaT-clears its targets: the NaT bit is the tested value
        if ctype in ("none", "unc"):
            def test():
                return not nat[r3], 0
        else:
            def test():
                return (bool(nat[r3]) if nz else not nat[r3]), 0
    write = _pred_writer(pr, p1, p2, ctype, qp)
    return _compare_handler(pr, qp, ctype, p1, p2, test, write, m, _frame_check(m, r3)), ("p", p1, p2)


# ================================================================= I-unit ALU =====

def _unary(m, qp, r1, srcs, compute, mnemonic):
    """r1 = compute(*source values); NaT = OR of the sources' NaTs."""
    gr, nat, pr = m.gr, m.nat, m.pr
    if r1 == 0:
        return _illegal(mnemonic, "write to r0")
    check = _frame_check(m, r1, *srcs)
    if len(srcs) == 1:
        (s,) = srcs

        def h():
            if pr[qp]:
                if check and check >= m.sof + 32:
                    raise illegal_operation("register out of frame")
                gr[r1] = compute(gr[s])
                nat[r1] = nat[s]
    elif len(srcs) == 2:
        s, t = srcs

        def h():
            if pr[qp]:
                if check and check >= m.sof + 32:
                    raise illegal_operation("register out of frame")
                gr[r1] = compute(gr[s], gr[t])
                nat[r1] = nat[s] | nat[t]
    else:
        def h():
            if pr[qp]:
                if check and check >= m.sof + 32:
                    raise illegal_operation("register out of frame")
                gr[r1] = compute()
                nat[r1] = 0
    return h


def _czx(size: int, left: bool):
    def f(x):
        width = 8 * size
        n = 64 // width
        mask = (1 << width) - 1
        for i in range(n):
            shift = (64 - width * (i + 1)) if left else width * i
            if not (x >> shift) & mask:
                return i
        return n
    return f


def _c_ialu(insn, ops, m, qp):
    fam = insn.op.family
    a = insn.op.attrs
    r1 = ops.get("r1")
    mn = insn.mnemonic
    if fam == "zxt":
        mask = (1 << (8 * a["size"])) - 1
        return _unary(m, qp, r1, (ops["r3"],), lambda x: x & mask, mn), (r1,)
    if fam == "sxt":
        bits = 8 * a["size"]
        return _unary(m, qp, r1, (ops["r3"],), lambda x: _sext(x, bits) & M64, mn), (r1,)
    if fam == "czx":
        return _unary(m, qp, r1, (ops["r3"],), _czx(a["size"], mn.endswith(".l")), mn), (r1,)
    if fam == "popcnt":
        return _unary(m, qp, r1, (ops["r3"],), lambda x: bin(x).count("1"), mn), (r1,)
    if fam == "clz":
        return _unary(m, qp, r1, (ops["r3"],), lambda x: 64 - x.bit_length(), mn), (r1,)
    if fam == "extr":  # facts §2.9 extrEx / extruEx
        pos = ops["pos6"]
        length = ops.get("len6", 64 - pos)
        if pos + length > 64:
            length = 64 - pos
        lmask = (1 << length) - 1
        if a["signed"]:
            f = lambda x: _sext((x >> pos) & lmask, length) & M64  # noqa: E731
        else:
            f = lambda x: (x >> pos) & lmask  # noqa: E731
        return _unary(m, qp, r1, (ops["r3"],), f, mn), (r1,)
    if fam == "depz":  # depzEx: (src & ONES(len)) << pos
        pos = ops["cpos6a"]
        length = ops.get("len6", 64 - pos)
        lmask = (1 << length) - 1
        if "imm8_dep" in ops:
            value = ((ops["imm8_dep"] & lmask) << pos) & M64
            return _unary(m, qp, r1, (), lambda: value, mn), (r1,)
        return _unary(m, qp, r1, (ops["r2"],), lambda x: ((x & lmask) << pos) & M64, mn), (r1,)
    if fam == "dep":  # depEx: (SRC2 & ~(ONES(LEN) << POS)) | ((SRC1 & ONES(LEN)) << POS)
        if "imm1" in ops:
            pos, length = ops["cpos6b"], ops["len6"]
            lmask = (1 << length) - 1
            field = ((ops["imm1"] & lmask) << pos) & M64
            hole = ~(lmask << pos) & M64
            return _unary(m, qp, r1, (ops["r3"],), lambda y: (y & hole) | field, mn), (r1,)
        pos, length = ops["cpos6c"], ops["len4"]
        lmask = (1 << length) - 1
        hole = ~(lmask << pos) & M64
        return _unary(m, qp, r1, (ops["r2"], ops["r3"]),
                      lambda x, y: ((y & hole) | ((x & lmask) << pos)) & M64, mn), (r1,)
    if fam == "shrp":
        cnt = ops["cnt6"]
        return _unary(m, qp, r1, (ops["r2"], ops["r3"]),
                      lambda x, y: (((x << 64) | y) >> cnt) & M64, mn), (r1,)
    if fam == "shl":  # facts §2.9 shlEx (I7: shl r1=r2,r3)
        return _unary(m, qp, r1, (ops["r2"], ops["r3"]),
                      lambda x, c: (x << c) & M64 if c < 64 else 0, mn), (r1,)
    if fam == "shr":  # shrEx / shruEx (I5: shr r1=r3,r2)
        if a["signed"]:
            f = lambda x, c: (_s64(x) >> (c if c < 64 else 63)) & M64  # noqa: E731
        else:
            f = lambda x, c: x >> c if c < 64 else 0  # noqa: E731
        return _unary(m, qp, r1, (ops["r3"], ops["r2"]), f, mn), (r1,)
    raise AssertionError(fam)


# ==================================================================== memory =====

def _c_ld(insn, ops, m, qp):
    a = insn.op.attrs
    size, kind, postinc = a["size"], a["kind"], a["postinc"]
    gr, nat, pr, ar = m.gr, m.nat, m.pr, m.ar
    mem = m.mem
    r1, r3 = ops["r1"], ops["[r3]"]
    if r1 == 0:
        return _illegal(insn.mnemonic, "load into r0"), ()
    if postinc and r1 == r3:
        return _illegal(insn.mnemonic, "r1 == r3 with base update"), ()
    read = {1: mem.read1, 2: mem.read2, 4: mem.read4, 8: mem.read8, 16: mem.read16}[size]
    speculative = kind in ("s", "sa")
    fill = kind == "fill"
    inc_reg = ops.get("r2") if postinc == "reg" else None
    inc_imm = (ops.get("imm9b", 0) & M64) if postinc == "imm" else 0
    check = _frame_check(m, r1, r3, inc_reg)
    wide = size == 16

    def h():
        if pr[qp]:
            if check and check >= m.sof + 32:
                raise illegal_operation("register out of frame")
            addr = gr[r3]
            if nat[r3]:
                if not speculative:
                    raise nat_consumption(f"load through NaT r{r3}", isr=1 << 34)
                gr[r1] = 0
                nat[r1] = 1
            elif speculative:
                try:
                    value = read(addr)
                except GuestFault:
                    gr[r1] = 0
                    nat[r1] = 1
                else:
                    gr[r1] = value & M64
                    nat[r1] = 0
            else:
                value = read(addr)
                if wide:
                    gr[r1] = value & M64
                    ar[AR_CSD] = value >> 64
                    nat[r1] = 0
                else:
                    gr[r1] = value
                    nat[r1] = (ar[AR_UNAT] >> ((addr >> 3) & 63)) & 1 if fill else 0
            if postinc:
                if inc_reg is not None:
                    gr[r3] = (addr + gr[inc_reg]) & M64
                    nat[r3] = nat[r3] | nat[inc_reg]
                else:
                    gr[r3] = (addr + inc_imm) & M64
    writes = (r1, r3) if postinc else (r1,)
    return h, writes


def _c_st(insn, ops, m, qp):
    a = insn.op.attrs
    size, kind, postinc = a["size"], a["kind"], a["postinc"]
    gr, nat, pr, ar = m.gr, m.nat, m.pr, m.ar
    mem = m.mem
    r2, r3 = ops["r2"], ops["[r3]"]
    inc_imm = (ops.get("imm9a", 0) & M64) if postinc == "imm" else 0
    spill = kind == "spill"
    wide = size == 16
    check = _frame_check(m, r2, r3)
    write = mem.write

    def h():
        if pr[qp]:
            if check and check >= m.sof + 32:
                raise illegal_operation("register out of frame")
            addr = gr[r3]
            if nat[r3]:
                raise nat_consumption(f"store through NaT r{r3}", isr=1 << 33)
            if spill:  # facts §2.6: the NaT goes to ar.unat bit (addr >> 3) & 63
                write(addr, 8, gr[r2])
                bit = 1 << ((addr >> 3) & 63)
                ar[AR_UNAT] = (ar[AR_UNAT] | bit) if nat[r2] else (ar[AR_UNAT] & ~bit)
            else:
                if nat[r2]:
                    raise nat_consumption(f"store of NaT r{r2}", isr=1 << 33)
                if wide:
                    write(addr, 16, gr[r2] | (ar[AR_CSD] << 64))
                else:
                    write(addr, size, gr[r2])
            if postinc:
                gr[r3] = (addr + inc_imm) & M64
    writes = (r3,) if postinc else ()
    return h, writes, spill


def _c_atomic(insn, ops, m, qp):
    a = insn.op.attrs
    fam, size = insn.op.family, a["size"]
    gr, nat, pr, ar = m.gr, m.nat, m.pr, m.ar
    mem = m.mem
    r1, r3 = ops["r1"], ops["[r3]"]
    r2 = ops.get("r2")
    if r1 == 0:
        return _illegal(insn.mnemonic, "write to r0"), ()
    smask = (1 << (8 * size)) - 1
    inc = ops.get("inc3", 0) & M64
    check = _frame_check(m, r1, r2, r3)

    def h():
        if pr[qp]:
            if check and check >= m.sof + 32:
                raise illegal_operation("register out of frame")
            addr = gr[r3]
            if nat[r3] or (r2 is not None and nat[r2]):
                raise nat_consumption(f"{fam} with a NaT operand", isr=(1 << 34) | (1 << 33))
            old = mem.read(addr, size)
            if fam == "cmpxchg":
                if old == ar[AR_CCV] & smask:
                    mem.write(addr, size, gr[r2])
            elif fam == "xchg":
                mem.write(addr, size, gr[r2])
            else:  # fetchadd
                mem.write(addr, size, (old + inc) & smask)
            gr[r1] = old
            nat[r1] = 0
    return h, (r1,)


# ================================================================ branches ========

def _c_branch(insn, ops, m, qp, ctx):
    a = insn.op.attrs
    btype = a["btype"]
    pr, br, ar = m.pr, m.br, m.ar
    bundle = insn.address & ~0xF
    if a["indirect"]:
        b2 = ops["b2"]
        target = None
    else:
        target = ops.get("tgt25c", ops.get("tgt64"))
    if btype == "cond":
        if target is None:
            def h():
                if pr[qp]:
                    return br[b2] & ~0xF
        else:
            def h():
                if pr[qp]:
                    return target
        return h, (), False
    if btype == "call":
        b1 = ops["b1"]
        link = bundle + 16

        def h():
            if pr[qp]:
                dest = (br[b2] & ~0xF) if target is None else target
                br[b1] = link
                m.call()
                return dest
        return h, Spec(brs=(b1,), ars=(64, _AR_BSP), cfm=True, frame=True), False
    if btype == "ret":
        def h():
            if pr[qp]:
                dest = br[b2] & ~0xF
                ppl = m.ret()
                if ppl > m.cpl:  # facts §3.3: privilege may only be demoted
                    m.set_cpl(ppl)
                return dest
        return h, Spec(ars=(AR_EC, _AR_BSP, _AR_BSPSTORE, _AR_RNAT), psr=True, cfm=True, frame=True), False
    if btype == "cloop":  # Ski brCloopEx
        def h():
            if ar[AR_LC]:
                ar[AR_LC] -= 1
                return target
        return h, Spec(ars=(AR_LC,)), True
    if btype in ("ctop", "cexit"):  # Ski brCtopEx / brCexitEx
        top = btype == "ctop"

        def h():
            lc, ec = ar[AR_LC], ar[AR_EC]
            taken = lc > 0 or ec > 1
            if lc:
                ar[AR_LC] = lc - 1
                pr[63] = 1
                m.rotate()
            elif ec:
                ar[AR_EC] = ec - 1
                pr[63] = 0
                m.rotate()
            else:
                pr[63] = 0
            if taken == top:
                return target
        return h, Spec(ars=(AR_LC, AR_EC), cfm=True, rot=True), True
    if btype in ("wtop", "wexit"):  # Ski brWtopEx / brWexitEx (qp is the condition)
        top = btype == "wtop"

        def h():
            cond = pr[qp]
            ec = ar[AR_EC]
            taken = bool(cond) or ec > 1
            pr[63] = 0
            if cond:
                m.rotate()
            elif ec:
                ar[AR_EC] = ec - 1
                m.rotate()
            if taken == top:
                return target
        return h, Spec(ars=(AR_EC,), cfm=True, rot=True), True
    return _illegal(insn.mnemonic, f"branch type {btype} is not executed"), (), False


# ============================================================ system / moves ======

def _priv_check(m, mnemonic):
    def check():
        if m.cpl:
            raise privileged_operation(f"{mnemonic} at cpl {m.cpl}")
    return check


def _c_system(insn, ops, m, qp, ctx):
    """Returns (handler, writes or None, always)."""
    fam = insn.op.family
    mn = insn.mnemonic
    gr, nat, pr, br, ar, cr = m.gr, m.nat, m.pr, m.br, m.ar, m.cr
    bundle = insn.address & ~0xF
    slot = insn.slot

    if fam == "break":
        imm = ops.get("immu21", ops.get("immu62", 0))
        on_break = ctx.on_break
        ip = insn.address

        def h():
            if pr[qp]:
                on_break(imm, ip)
        return h, None, False

    if fam in ("nop", "brp", "srlz", "sync", "mf", "fwb", "invala", "fc"):
        def h():
            if pr[qp]:
                return None
        return h, (), False

    if fam == "lfetch":
        postinc = insn.op.attrs.get("postinc")
        r3 = ops["[r3]"]
        if not postinc:
            return (lambda: None), (), False
        r2 = ops.get("r2")
        inc = ops.get("imm9b", 0) & M64

        def h():
            if pr[qp]:
                gr[r3] = (gr[r3] + (gr[r2] if r2 is not None else inc)) & M64
                if r2 is not None:
                    nat[r3] |= nat[r2]
        return h, (r3,), False

    if fam == "mov_ip":
        r1 = ops["r1"]
        return _unary(m, qp, r1, (), lambda: bundle, mn), (r1,), False

    if fam == "movl":
        r1 = ops["r1"]
        value = ops["immu64"] & M64
        return _unary(m, qp, r1, (), lambda: value, mn), (r1,), False

    if fam == "mov_br":
        if insn.op.attrs["dir"] == "from":
            r1, b2 = ops["r1"], ops["b2"]
            return _unary(m, qp, r1, (), lambda: br[b2], mn), (r1,), False
        b1, r2 = ops["b1"], ops["r2"]
        check = _frame_check(m, r2)

        def h():
            if pr[qp]:
                if check and check >= m.sof + 32:
                    raise illegal_operation("register out of frame")
                if nat[r2]:
                    raise nat_consumption(f"mov b{b1}=r{r2} of a NaT")
                br[b1] = gr[r2]
        return h, ("b", b1), False

    if fam == "mov_pr":
        d = insn.op.attrs["dir"]
        if d == "from":
            r1 = ops["r1"]
            return _unary(m, qp, r1, (), m.read_pr, mn), (r1,), False
        if d == "rot":
            value = ops["imm44"] & M64

            def h():
                if pr[qp]:
                    m.write_pr_rot(value)
            return h, Spec(prs=range(16, 64)), False
        r2, mask = ops["r2"], ops["imm17"] & M64

        def h():
            if pr[qp]:
                if nat[r2]:
                    raise nat_consumption(f"mov pr=r{r2} of a NaT")
                m.write_pr(gr[r2], mask)
        return h, Spec(prs=[i for i in range(1, 64) if (mask >> i) & 1]), False

    if fam == "mov_ar":
        d = insn.op.attrs["dir"]
        n = ops["ar3"]
        if d == "from":
            r1 = ops["r1"]
            if n == AR_ITC:  # facts: ar.itc derives from the step count
                def h():  # the step loop keeps m.steps/m.slot at the bundle's entry
                    if pr[qp]:
                        gr[r1] = (m.steps + slot - m.slot + ar[AR_ITC]) & M64
                        nat[r1] = 0
                return h, (r1,), False
            check = _frame_check(m, r1)

            def h():
                if pr[qp]:
                    if check and check >= m.sof + 32:
                        raise illegal_operation("register out of frame")
                    gr[r1] = m.read_ar(n)
                    nat[r1] = 0
            return h, (r1,), False
        privileged = n == AR_ITC or n <= 7
        if "imm8" in ops:
            value = ops["imm8"] & M64

            def h():
                if pr[qp]:
                    if privileged and m.cpl:
                        raise GuestFault("general_exception", isr=0x20, detail=f"write of {ar_name(n)}")
                    m.write_ar(n, value)
            return h, (None if n in (16, 17, 18, 19) else Spec(ars=(n,))), False
        r2 = ops["r2"]

        def h():
            if pr[qp]:
                if nat[r2]:
                    raise nat_consumption(f"mov {ar_name(n)}=r{r2} of a NaT")
                if privileged and m.cpl:
                    raise GuestFault("general_exception", isr=0x20, detail=f"write of {ar_name(n)}")
                m.write_ar(n, gr[r2])
        return h, (None if n in (16, 17, 18, 19) else Spec(ars=(n,))), False

    if fam == "mov_cr":
        n = ops["cr3"]
        priv = _priv_check(m, mn)
        if insn.op.attrs["dir"] == "from":
            r1 = ops["r1"]

            def h():
                if pr[qp]:
                    priv()
                    gr[r1] = cr[n]
                    nat[r1] = 0
            return h, (r1,), False
        r2 = ops["r2"]

        def h():
            if pr[qp]:
                priv()
                if nat[r2]:
                    raise nat_consumption(f"mov {cr_name(n)}=r{r2} of a NaT")
                cr[n] = gr[r2]
        return h, Spec(crs=(n,)), False

    if fam == "mov_psr":
        d = insn.op.attrs["dir"]
        priv = _priv_check(m, mn)
        if d == "from":  # psr{36:35} and psr{31:0}
            r1 = ops["r1"]

            def h():
                if pr[qp]:
                    priv()
                    gr[r1] = m.psr & 0x1800FFFFFFFF
                    nat[r1] = 0
            return h, (r1,), False
        if d == "from_um":
            r1 = ops["r1"]
            return _unary(m, qp, r1, (), lambda: m.psr & 0x3F, mn), (r1,), False
        r2 = ops["r2"]
        keep = ~0xFFFFFFFF & M64 if d == "to" else ~0x3E & M64
        take = 0xFFFFFFFF if d == "to" else 0x3E

        def h():
            if pr[qp]:
                if d == "to":
                    priv()
                if nat[r2]:
                    raise nat_consumption(f"{mn} of a NaT")
                m.set_psr((m.psr & keep) | (gr[r2] & take))
        return h, Spec(psr=True), False

    if fam == "psr_mask":  # sum/rum (user mask bits 1-5), ssm/rsm (privileged)
        imm = ops["immu24"]
        name = insn.op.mnemonic
        user = name in ("sum", "rum")
        bits = imm & (0x3E if user else 0xFFFFFF)
        setting = name in ("sum", "ssm")
        priv = _priv_check(m, mn)

        def h():
            if pr[qp]:
                if not user:
                    priv()
                m.set_psr((m.psr | bits) if setting else (m.psr & ~bits))
        return h, Spec(psr=True), False

    if fam == "alloc":  # facts §3.3: r1 is written in the new frame
        r1 = ops["r1"]
        sof, sol, sor = ops["sof"], ops["sol"], ops["sor"]

        def h():
            pfs = m.alloc(sol, 0, sof - sol, sor)
            if r1 >= 32 + m.sof or r1 == 0:
                raise illegal_operation(f"alloc target r{r1} outside the new frame")
            gr[r1] = pfs
            nat[r1] = 0
        return h, Spec(grs=() if r1 >= 32 else (r1,), ars=(_AR_BSPSTORE, _AR_RNAT), cfm=True, frame=True), False

    if fam == "flushrs":
        return (lambda: m.flushrs()), Spec(ars=(_AR_BSPSTORE, _AR_RNAT)), False
    if fam == "loadrs":
        return (lambda: m.loadrs()), Spec(ars=(_AR_BSPSTORE, _AR_RNAT)), False
    if fam == "cover":
        return (lambda: m.cover()), Spec(ars=(_AR_BSP,), crs=(CR_IFS,), cfm=True), False
    if fam == "clrrrb":
        pr_only = mn.endswith(".pr")
        return (lambda: m.clrrrb(pr_only)), Spec(prs=range(16, 64), cfm=True, frame=True), False

    if fam == "rfi":  # facts §3.3 rfiEx: frame from cr.ifs, psr <- cr.ipsr, ip <- cr.iip + ri
        priv = _priv_check(m, mn)

        def h():
            priv()
            m.rfi()
            return m.ip | m.slot
        return h, None, False

    if fam == "epc":  # facts §3.3: promote to the page's privilege on a gate page
        mem = m.mem
        ip = insn.address

        def h():
            if (ar[64] >> 62) < m.cpl:
                raise illegal_operation("epc with ar.pfs.ppl < cpl")
            pl = mem.epc_privilege(ip)
            if pl is not None and pl < m.cpl:
                m.set_cpl(pl)
        return h, Spec(psr=True), False

    if fam == "bsw":  # r16-r31 bank switch (psr.bn)
        priv = _priv_check(m, mn)
        bank = 1 if mn.endswith("1") else 0

        def h():
            priv()
            m.bank_switch(bank)
        return h, Spec(grs=range(16, 32), psr=True), False

    if fam == "mov_ind" and insn.op.attrs["file"] == "rr":  # region registers (stored only)
        priv = _priv_check(m, mn)
        r3 = ops["rr[r3]"]
        if insn.op.attrs["dir"] == "to":
            r2 = ops["r2"]

            def h():
                if pr[qp]:
                    priv()
                    if nat[r2] or nat[r3]:
                        raise nat_consumption(f"{mn} with a NaT operand")
                    m.rr[gr[r3] >> 61] = gr[r2]
            return h, (), False
        r1 = ops["r1"]

        def h():
            if pr[qp]:
                priv()
                if nat[r3]:
                    raise nat_consumption(f"{mn} with a NaT operand")
                gr[r1] = m.rr[gr[r3] >> 61]
                nat[r1] = 0
        return h, (r1,), False

    if fam == "chk":
        kind = insn.op.attrs["kind"]
        target = ops.get("tgt25b", ops.get("tgt25c"))
        if kind == "a":  # the ALAT always misses: chk.a always branches
            def h():
                if pr[qp]:
                    return target
            return h, (), False
        if "f2" in ops:
            return _illegal(mn, "FP registers are not modelled"), (), False
        r2 = ops["r2"]

        def h():
            if pr[qp] and nat[r2]:
                return target
        return h, (), False

    if fam in ("itc", "itr", "ptc", "ptr"):  # identity translation: nothing to insert/purge
        priv = _priv_check(m, mn)

        def h():
            if pr[qp]:
                priv()
        return h, (), False

    if fam == "tpa":  # identity translation
        r1, r3 = ops["r1"], ops["r3"]
        priv = _priv_check(m, mn)
        inner = _unary(m, qp, r1, (r3,), lambda x: x, mn)

        def h():
            if pr[qp]:
                priv()
            inner()
        return h, (r1,), False

    return None


# ================================================================ entry point =====

def compile_instruction(insn: Instruction, ctx: Context) -> Compiled:
    """Compile one decoded instruction into a handler bound to `ctx.m`."""
    m = ctx.m
    op = insn.op
    if op is None:
        return Compiled(_illegal(f"data8 {insn.raw:#x}", "no such encoding"), 0, False, None, "data8")
    mn = op.mnemonic
    fam = op.family
    qp = 0 if NO_PRED in op.flags else insn.qp
    ops = insn.operands
    if fam in UNEXECUTED and not (fam == "mov_ind" and op.attrs.get("file") == "rr"):
        return Compiled(_illegal(mn, "not executed by the emulator"), qp, False, None, mn)
    always = False
    writes: tuple | None
    try:
        if "op" in op.attrs and op.type == "A":
            fn, writes = _c_alu(insn, ops, m, qp)
        elif fam == "cmp":
            fn, writes = _c_cmp(insn, ops, m, qp)
            always = op.attrs["ctype"] == "unc"
        elif fam in ("tbit", "tnat"):
            fn, writes = _c_tbit(insn, ops, m, qp)
            always = op.attrs["ctype"] == "unc"
        elif fam in ("zxt", "sxt", "czx", "popcnt", "clz", "extr", "depz", "dep", "shrp", "shl", "shr"):
            fn, writes = _c_ialu(insn, ops, m, qp)
        elif fam in MULTIMEDIA:
            got = _multimedia(insn, ops, m, qp)
            if got is None:
                return Compiled(_illegal(mn, "not executed by the emulator"), qp, False, None, mn)
            fn, writes = got
        elif fam == "ld":
            fn, writes = _c_ld(insn, ops, m, qp)
            if op.attrs["size"] == 16:
                writes = Spec(grs=writes, ars=(AR_CSD,))
        elif fam == "st":
            fn, writes, spill = _c_st(insn, ops, m, qp)
            if spill:
                writes = Spec(grs=writes, ars=(AR_UNAT,))
        elif fam in ("cmpxchg", "xchg", "fetchadd"):
            fn, writes = _c_atomic(insn, ops, m, qp)
        elif fam == "br":
            fn, writes, always = _c_branch(insn, ops, m, qp, ctx)
        else:
            got = _c_system(insn, ops, m, qp, ctx)
            if got is None:
                return Compiled(_illegal(mn, "not executed by the emulator"), qp, False, None, mn)
            fn, writes, always = got
    except KeyError as exc:  # an operand shape this executor does not know
        return Compiled(_illegal(mn, f"operand {exc} not handled"), qp, False, None, mn)
    if writes is None:  # explicit r1 output (alloc, moves from ar/cr/psr ...) plus a diff
        outs = (ops["r1"],) if op.outputs and op.operands[0] == "r1" else ()
        emit = _gr_emitter(m, outs) if outs else None
        return Compiled(fn, qp, always, emit, mn, True, outs)
    emit = _emitter_for(m, writes)
    return Compiled(fn, qp, always, emit, mn)


def _emitter_for(m: Machine, writes) -> Callable | None:
    """writes: () nothing, (n, ...) general registers, ("p", p1, p2) predicates,
    ("b", b1) a branch register, None: unknown (the recorder diffs)."""
    if writes is None:
        return None
    if isinstance(writes, Spec):
        return _spec_emitter(m, writes)
    if not writes:
        return lambda rec: None
    if writes[0] == "b":
        return _gr_emitter(m, (), brs=(writes[1],))
    if writes[0] == "p":
        return _gr_emitter(m, (), prs=tuple(p for p in writes[1:] if p))
    return _gr_emitter(m, tuple(writes))


# ============================================================== multimedia =======
# Parallel integer instructions (A9/A10, I1-I8). Lanes are numbered as Ski numbers them
# (B0..B7, HW0..HW3, WD0..WD1: lane 0 is the most significant), so each pattern below
# is a direct transcription of Ski's mm_exec routines; values are unsigned per lane.

def _lanes(x: int, width: int) -> list[int]:
    n = 64 // width
    mask = (1 << width) - 1
    return [(x >> (width * (n - 1 - i))) & mask for i in range(n)]


def _join(lanes: list[int], width: int) -> int:
    out = 0
    mask = (1 << width) - 1
    for v in lanes:
        out = (out << width) | (v & mask)
    return out


def _sx(v: int, width: int) -> int:
    return v - (1 << width) if v >> (width - 1) else v


def _sat_s(v: int, width: int) -> int:
    lo, hi = -(1 << (width - 1)), (1 << (width - 1)) - 1
    return min(max(v, lo), hi)


def _sat_u(v: int, width: int) -> int:
    return min(max(v, 0), (1 << width) - 1)


def _lanewise(width: int, fn):
    def op(a, b):
        return _join([fn(x, y) for x, y in zip(_lanes(a, width), _lanes(b, width))], width)
    return op


def _padd_psub(name: str, width: int, comp: str):
    sub = name == "psub"

    def lane(x, y):
        if comp == "":
            return x - y if sub else x + y
        if comp == ".sss":
            xs, ys = _sx(x, width), _sx(y, width)
            return _sat_s(xs - ys if sub else xs + ys, width)
        if comp == ".uuu":
            return _sat_u(x - y if sub else x + y, width)
        ys = _sx(y, width)  # .uus: unsigned first operand, signed second
        return _sat_u(x - ys if sub else x + ys, width)
    return _lanewise(width, lane)


_MUX1 = {  # mbtype -> source lane for each result lane (Ski mux1Ex)
    0x0: (7, 7, 7, 7, 7, 7, 7, 7), 0x8: (0, 4, 2, 6, 1, 5, 3, 7), 0x9: (0, 4, 1, 5, 2, 6, 3, 7),
    0xA: (0, 2, 4, 6, 1, 3, 5, 7), 0xB: (7, 6, 5, 4, 3, 2, 1, 0),
}


def _multimedia(insn, ops, m, qp):
    """(handler, writes) for the parallel integer instructions, or None if not modelled."""
    name = insn.op.mnemonic
    base = name.split(".")[0]
    comp = name[len(base):]
    size = int(base[-1]) if base[-1] in "1248" else 0
    width = 8 * size
    r1 = ops.get("r1")
    mn = insn.mnemonic
    if base in ("padd1", "padd2", "padd4", "psub1", "psub2", "psub4"):
        return _unary(m, qp, r1, (ops["r2"], ops["r3"]), _padd_psub(base[:-1], width, comp), mn), (r1,)
    if base in ("pcmp1", "pcmp2", "pcmp4"):
        ones = (1 << width) - 1
        if comp == ".eq":
            lane = lambda x, y: ones if x == y else 0  # noqa: E731
        else:
            lane = lambda x, y: ones if _sx(x, width) > _sx(y, width) else 0  # noqa: E731
        return _unary(m, qp, r1, (ops["r2"], ops["r3"]), _lanewise(width, lane), mn), (r1,)
    if name in ("pmin1.u", "pmax1.u"):
        pick = min if base == "pmin1" else max
        return _unary(m, qp, r1, (ops["r2"], ops["r3"]), _lanewise(8, pick), mn), (r1,)
    if name in ("pmin2", "pmax2"):
        pick = min if base == "pmin2" else max
        lane = lambda x, y: pick(_sx(x, 16), _sx(y, 16))  # noqa: E731
        return _unary(m, qp, r1, (ops["r2"], ops["r3"]), _lanewise(16, lane), mn), (r1,)
    if name == "psad1":
        def psad(a, b):
            return sum(abs(x - y) for x, y in zip(_lanes(a, 8), _lanes(b, 8)))
        return _unary(m, qp, r1, (ops["r2"], ops["r3"]), psad, mn), (r1,)
    if base in ("mix1", "mix2", "mix4", "unpack1", "unpack2", "unpack4"):
        n = 64 // width
        if base.startswith("mix"):  # .l: even lanes of each; .r: odd lanes (Ski mix*Ex)
            start = 0 if comp == ".l" else 1
            order = [(src, 2 * (i // 2) + start) for i, src in zip(range(n), [0, 1] * n)]
        else:  # unpack .h: the high halves interleaved; .l: the low halves
            start = 0 if comp == ".h" else n // 2
            order = [(i % 2, start + i // 2) for i in range(n)]

        def mix(a, b, order=order, width=width):
            srcs = (_lanes(a, width), _lanes(b, width))
            return _join([srcs[s][i] for s, i in order], width)
        return _unary(m, qp, r1, (ops["r2"], ops["r3"]), mix, mn), (r1,)
    if base in ("pack2", "pack4"):
        half = 8 if base == "pack2" else 16
        sat = (lambda v: _sat_s(v, half)) if comp.endswith("sss") else (lambda v: _sat_u(v, half))
        src_w = 2 * half

        def pack(a, b):  # Ski pack*Ex: lanes of r3 first (high), then r2
            lanes = [sat(_sx(v, src_w)) for v in _lanes(b, src_w) + _lanes(a, src_w)]
            return _join(lanes, half)
        return _unary(m, qp, r1, (ops["r2"], ops["r3"]), pack, mn), (r1,)
    if name == "mux1":
        order = _MUX1.get(ops["mbtype4"])
        if order is None:
            return _illegal(mn, f"reserved mbtype {ops['mbtype4']:#x}"), ()
        return _unary(m, qp, r1, (ops["r2"],),
                      lambda a: _join([_lanes(a, 8)[i] for i in order], 8), mn), (r1,)
    if name == "mux2":  # SDM: result halfword i = source halfword mhtype{2i+1:2i}
        sel = ops["mhtype8"]
        picks = [(sel >> (2 * i)) & 3 for i in range(4)]
        return _unary(m, qp, r1, (ops["r2"],),
                      lambda a: sum(((a >> (16 * p)) & 0xFFFF) << (16 * i) for i, p in enumerate(picks)),
                      mn), (r1,)
    if base in ("pshl2", "pshl4", "pshr2", "pshr4"):
        right = base.startswith("pshr")
        unsigned = comp == ".u"
        if "r2" in ops:
            srcs = (ops["r3"], ops["r2"]) if right else (ops["r2"], ops["r3"])
            fixed = None
        else:
            srcs = (ops["r3"],) if right else (ops["r2"],)
            fixed = ops["count5a"] if right else ops["ccount5"]

        def shift(a, c=None, fixed=fixed, width=width):
            count = fixed if c is None else c
            if not right:
                return 0 if count >= width else _join([v << count for v in _lanes(a, width)], width)
            if unsigned:
                return 0 if count >= width else _join([v >> count for v in _lanes(a, width)], width)
            return _join([_sx(v, width) >> min(count, width) for v in _lanes(a, width)], width)
        if fixed is None:
            return _unary(m, qp, r1, srcs, lambda a, c: shift(a, c), mn), (r1,)
        return _unary(m, qp, r1, srcs, lambda a: shift(a), mn), (r1,)
    if name == "pshradd2":
        cnt = ops["cnt2b"]

        def pshradd(a, b):
            return _join([_sat_s((_sx(x, 16) >> cnt) + _sx(y, 16), 16)
                          for x, y in zip(_lanes(a, 16), _lanes(b, 16))], 16)
        return _unary(m, qp, r1, (ops["r2"], ops["r3"]), pshradd, mn), (r1,)
    if base == "pmpy2":  # Ski pmpy2lEx/rEx: products of the even (.l) or odd (.r) lanes
        first = 0 if comp == ".l" else 1

        def pmpy(a, b):
            x, y = _lanes(a, 16), _lanes(b, 16)
            return _join([_sx(x[first], 16) * _sx(y[first], 16),
                          _sx(x[first + 2], 16) * _sx(y[first + 2], 16)], 32)
        return _unary(m, qp, r1, (ops["r2"], ops["r3"]), pmpy, mn), (r1,)
    if base == "pmpyshr2":
        cnt = ops["cnt2c"]
        conv = (lambda v: v) if comp == ".u" else (lambda v: _sx(v, 16))
        return _unary(m, qp, r1, (ops["r2"], ops["r3"]),
                      _lanewise(16, lambda x, y: (conv(x) * conv(y)) >> cnt), mn), (r1,)
    return None
