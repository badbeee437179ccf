#!/usr/bin/env python3
"""Write isa.S: every mnemonic family oopsy's ISA table covers, with varied operands.

Deterministic (fixed seed). Each family is one function so objdump's output groups by
symbol; operands sweep register ranges (r0..r127, p0..p63, b0..b7, f0..f127), immediate
extremes, negative displacements and every completer. GNU as (-xauto) picks templates
and inserts stops. The differential test compares oopsy's disassembly of the linked
image with `ia64-linux-gnu-objdump -d -z` line by line.
"""

from __future__ import annotations

import random
import sys

rng = random.Random(20261125)


def r(lo: int = 0, hi: int = 127) -> str:
    return f"r{rng.randint(lo, hi)}"


def rw() -> str:
    """A writable general register (r1..r127)."""
    return f"r{rng.randint(1, 127)}"


def dest_base() -> tuple[str, str]:
    """Distinct destination and post-incremented base registers (r1..r127)."""
    d, base = rng.sample(range(1, 128), 2)
    return f"r{d}", f"r{base}"


def f(lo: int = 0, hi: int = 127) -> str:
    return f"f{rng.randint(lo, hi)}"


def fw() -> str:
    return f"f{rng.randint(2, 127)}"


def p() -> str:
    return f"p{rng.randint(0, 63)}"


def b() -> str:
    return f"b{rng.randint(0, 7)}"


def pred() -> str:
    q = rng.choice([0, 0, rng.randint(1, 63)])
    return f"(p{q}) " if q else ""


def p2() -> tuple[str, str]:
    a = rng.randint(1, 63)
    c = rng.randint(1, 63)
    while c == a:
        c = rng.randint(1, 63)
    return f"p{a}", f"p{c}"


FUNCS: list[tuple[str, list[str]]] = []


def func(name: str):
    def deco(gen):
        FUNCS.append((name, list(gen())))
        return gen
    return deco


@func("alu")
def _alu():
    for op in ("add", "sub", "addp4", "and", "andcm", "or", "xor"):
        for _ in range(3):
            yield f"{pred()}{op} {rw()}={r()},{r()}"
    yield f"add {rw()}={r()},{r()},1"
    yield f"sub {rw()}={r()},{r()},1"
    for op in ("sub", "and", "andcm", "or", "xor"):
        for imm in (-128, 127, 0, -1, rng.randint(-128, 127)):
            yield f"{pred()}{op} {rw()}={imm},{r()}"
    for op in ("shladd", "shladdp4"):
        for cnt in (1, 2, 3, 4):
            yield f"{pred()}{op} {rw()}={r()},{cnt},{r()}"
    for imm in (-8192, 8191, 0, 1, -1, rng.randint(-8192, 8191)):
        yield f"{pred()}adds {rw()}={imm},{r()}"
        yield f"{pred()}addp4 {rw()}={imm},{r()}"
    for imm in (-2097152, 2097151, 0, 0x12345, -5):
        yield f"{pred()}addl {rw()}={imm},r{rng.randint(0, 3)}"
        yield f"{pred()}mov {rw()}={imm}"
    yield f"mov {rw()}={r()}"
    for op in ("padd1", "padd2", "padd4", "padd1.sss", "padd2.uuu", "padd2.uus", "psub1",
               "psub4", "psub2.sss", "pavg1", "pavg2.raz", "pavgsub1", "pcmp1.eq", "pcmp2.gt",
               "pcmp4.eq"):
        yield f"{pred()}{op} {rw()}={r()},{r()}"
    yield f"pshladd2 {rw()}={r()},3,{r()}"
    yield f"pshradd2 {rw()}={r()},1,{r()}"


@func("compares")
def _compares():
    rels = ("eq", "ne", "lt", "le", "gt", "ge", "ltu", "leu", "gtu", "geu")
    for cmp in ("cmp", "cmp4"):
        for rel in rels:
            for ctype in ("", ".unc"):
                a, c = p2()
                yield f"{pred()}{cmp}.{rel}{ctype} {a},{c}={r()},{r()}"
                a, c = p2()
                imm = rng.choice([-128, 127, 0, 5, -7])
                if rel in ("le", "gt"):
                    imm = rng.choice([-127, 0, 5, 127])  # assembled as imm-1
                if rel in ("leu", "gtu"):
                    imm = rng.choice([1, 5, 127])
                if cmp == "cmp4" and rel in ("ltu", "geu"):
                    imm = rng.choice([0, 5, 127])
                if cmp == "cmp4" and rel in ("leu", "gtu"):
                    imm = rng.choice([1, 5, 127])
                yield f"{pred()}{cmp}.{rel}{ctype} {a},{c}={imm},{r()}"
        for ptype in ("and", "or", "or.andcm"):
            for rel in ("eq", "ne"):
                a, c = p2()
                yield f"{pred()}{cmp}.{rel}.{ptype} {a},{c}={r()},{r()}"
                a, c = p2()
                yield f"{pred()}{cmp}.{rel}.{ptype} {a},{c}={rng.choice([-128, 0, 127, 9])},{r()}"
            for rel in ("gt", "le", "ge", "lt"):
                a, c = p2()
                yield f"{pred()}{cmp}.{rel}.{ptype} {a},{c}=r0,{r()}"


@func("deposit")
def _deposit():
    for _ in range(4):
        pos = rng.randint(0, 63)
        ln = rng.randint(1, 64 - pos)
        yield f"{pred()}extr {rw()}={r()},{pos},{ln}"
        yield f"{pred()}extr.u {rw()}={r()},{pos},{ln}"
    for pos in (0, 1, 63, 31):
        yield f"{pred()}extr {rw()}={r()},{pos},{64 - pos}"
        yield f"{pred()}extr.u {rw()}={r()},{pos},{64 - pos}"
        if pos:
            yield f"{pred()}shr {rw()}={r()},{pos}"
            yield f"{pred()}shr.u {rw()}={r()},{pos}"
            yield f"{pred()}shl {rw()}={r()},{pos}"
    for _ in range(4):
        pos = rng.randint(0, 63)
        ln = rng.randint(1, 64 - pos)
        yield f"{pred()}dep.z {rw()}={r()},{pos},{ln}"
        yield f"{pred()}dep.z {rw()}={rng.randint(-128, 127)},{pos},{ln}"
        yield f"{pred()}dep {rw()}={rng.choice([0, -1])},{r()},{pos},{ln}"
        yield f"{pred()}dep {rw()}={r()},{r()},{pos},{rng.randint(1, 16)}"
    yield f"dep.z {rw()}={r()},0,64"
    yield f"dep {rw()}={r()},{r()},63,1"
    for cnt in (0, 1, 63, 17):
        yield f"{pred()}shrp {rw()}={r()},{r()},{cnt}"
    for op in ("shl", "shr", "shr.u"):
        yield f"{pred()}{op} {rw()}={r()},{r()}"


@func("tests")
def _tests():
    for zc in ("z", "nz"):
        for ctype in ("", ".unc", ".and", ".or", ".or.andcm"):
            a, c = p2()
            yield f"{pred()}tbit.{zc}{ctype} {a},{c}={r()},{rng.randint(0, 63)}"
            a, c = p2()
            yield f"{pred()}tnat.{zc}{ctype} {a},{c}={r()}"
    for zc in ("z", "nz"):
        for ctype in ("", ".unc", ".and", ".or", ".or.andcm"):
            a, c = p2()
            yield f"{pred()}tf.{zc}{ctype} {a},{c}={rng.randint(32, 63)}"
    a, c = p2()
    yield f"tbit.z {a},{c}={r()},0"
    a, c = p2()
    yield f"tbit.z {a},{c}={r()},63"


@func("integer_misc")
def _integer_misc():
    for op in ("zxt1", "zxt2", "zxt4", "sxt1", "sxt2", "sxt4", "czx1.l", "czx2.l", "czx1.r",
               "czx2.r", "popcnt"):
        yield f"{pred()}{op} {rw()}={r()}"
    for mb in ("@brcst", "@mix", "@shuf", "@alt", "@rev"):
        yield f"{pred()}mux1 {rw()}={r()},{mb}"
    for mh in (0, 0xFF, 0x1B, 0x44):
        yield f"{pred()}mux2 {rw()}={r()},{mh}"
    for op in ("pmpy2.r", "pmpy2.l", "mix1.r", "mix2.l", "mix4.r", "pack2.uss", "pack2.sss",
               "pack4.sss", "unpack1.h", "unpack2.l", "unpack4.h", "pmin1.u", "pmax2", "psad1",
               "pshl2", "pshr4.u", "mpy4", "mpyshl4"):
        yield f"{pred()}{op} {rw()}={r()},{r()}"
    for cnt in (0, 7, 15, 16):
        yield f"pmpyshr2 {rw()}={r()},{r()},{cnt}"
        yield f"pmpyshr2.u {rw()}={r()},{r()},{cnt}"
    yield f"pshr2 {rw()}={r()},5"
    yield f"pshl4 {rw()}={r()},31"


@func("branch_regs")
def _branch_regs():
    for _ in range(3):
        yield f"{pred()}mov {rw()}={b()}"
    for comp in ("", ".sptk", ".dptk", ".imp", ".sptk.imp", ".dptk.imp"):
        for ret in ("", ".ret"):
            yield f"{pred()}mov{ret}{comp} {b()}={r()},.Lmov_tag"
    yield f"mov {b()}={r()}"
    yield ".Lmov_tag:"
    yield f"{pred()}mov {rw()}=ip"


@func("predicates")
def _predicates():
    yield f"{pred()}mov {rw()}=pr"
    yield f"mov pr={r()},-1"
    yield f"mov pr={r()},0x1234e"
    yield f"mov pr={r()},-2"
    yield f"mov pr={r()},0"
    yield "mov pr.rot=0x10000"
    yield "mov pr.rot=-65536"
    yield "mov pr.rot=0x7fff0000000"
    yield "mov pr.rot=-0x80000000000"


@func("app_regs")
def _app_regs():
    for ar in ("ar.pfs", "ar.lc", "ar.ec"):
        yield f"{pred()}mov.i {rw()}={ar}"
        yield f"{pred()}mov.i {ar}={r()}"
        yield f"{pred()}mov.i {ar}={rng.randint(-128, 127)}"
    for ar in ("ar.k0", "ar.k7", "ar.rsc", "ar.bsp", "ar.bspstore", "ar.rnat", "ar.ccv",
               "ar.unat", "ar.fpsr", "ar.itc", "ar.csd", "ar.ssd", "ar.fcr", "ar.eflag",
               "ar.cflg", "ar.fsr", "ar.fir", "ar.fdr", "ar.ruc", "ar48", "ar127"):
        yield f"{pred()}mov.m {rw()}={ar}"
        if ar not in ("ar.bsp",):
            yield f"{pred()}mov.m {ar}={r()}"
            yield f"{pred()}mov.m {ar}={rng.choice([-128, 127, 0, 3])}"


@func("control_regs")
def _control_regs():
    for cr in ("cr.dcr", "cr.itm", "cr.iva", "cr.pta", "cr.ipsr", "cr.isr", "cr.iip", "cr.ifa",
               "cr.itir", "cr.iipa", "cr.ifs", "cr.iim", "cr.iha", "cr.lid", "cr.tpr",
               "cr.itv", "cr.pmv", "cr.cmcv", "cr.lrr0", "cr.lrr1", "cr.irr0", "cr.irr3",
               "cr.ivr", "cr.eoi"):
        if cr not in ("cr.ivr", "cr.irr0", "cr.irr3"):
            yield f"{pred()}mov {cr}={r()}"
        if cr != "cr.eoi":
            yield f"{pred()}mov {rw()}={cr}"
    yield f"mov {rw()}=psr"
    yield f"mov {rw()}=psr.um"
    yield f"mov psr.l={r()}"
    yield f"mov psr.um={r()}"
    for ind in ("rr", "dbr", "ibr", "pkr", "pmc", "pmd"):
        yield f"{pred()}mov {ind}[{r()}]={r()}"
        yield f"{pred()}mov {rw()}={ind}[{r()}]"
    yield f"mov {rw()}=cpuid[{r()}]"
    yield f"mov {rw()}=dahr[{r()}]"
    for d, imm in ((0, 0), (3, 5), (7, 0xFFFF)):
        yield f"mov dahr{d}={imm}"
    yield f"mov msr[{r()}]={r()}"
    yield f"mov {rw()}=msr[{r()}]"
    for mask in ("0x4000", "0x2000", "0x6000", "0xffffff", "0x1"):
        yield f"{pred()}rsm {mask}"
        yield f"{pred()}ssm {mask}"
    for mask in ("0x2", "0x3e", "0x0"):
        yield f"sum {mask}"
        yield f"rum {mask}"


@func("tlb")
def _tlb():
    yield f"itr.d dtr[{r()}]={r()}"
    yield f"itr.i itr[{r()}]={r()}"
    yield f"itc.d {r()}"
    yield f"itc.i {r()}"
    for op in ("ptc.l", "ptr.d", "ptr.i"):
        yield f"{pred()}{op} {r()},{r()}"
    yield f"ptc.g {r()},{r()}"
    yield f"ptc.ga {r()},{r()}"
    yield f"ptc.e {r()}"
    for op in ("thash", "ttag", "tpa", "tak"):
        yield f"{pred()}{op} {rw()}={r()}"
    for op in ("probe.r", "probe.w"):
        yield f"{pred()}{op} {rw()}={r()},{r()}"
        yield f"{pred()}{op} {rw()}={r()},{rng.randint(0, 3)}"
    for op in ("probe.r.fault", "probe.w.fault", "probe.rw.fault"):
        yield f"{pred()}{op} {r()},{rng.randint(0, 3)}"
    yield f"fc {r()}"
    yield f"fc.i {r()}"


@func("memory_sync")
def _memory_sync():
    for op in ("mf", "mf.a", "srlz.d", "srlz.i", "sync.i", "invala", "fwb"):
        yield f"{pred()}{op}"
        yield f"invala.e {r()}"
    yield f"invala.e {f()}"
    yield "flushrs"
    yield "loadrs"
    yield "cover"


@func("loads")
def _loads():
    kinds = ("", ".s", ".a", ".sa", ".bias", ".acq", ".c.clr", ".c.nc", ".c.clr.acq")
    for size in (1, 2, 4, 8):
        for kind in kinds:
            for hint in ("", ".nt1", ".nta"):
                yield f"{pred()}ld{size}{kind}{hint} {rw()}=[{r()}]"
            d, base = dest_base()
            yield f"{pred()}ld{size}{kind} {d}=[{base}],{r()}"
            d, base = dest_base()
            hint = rng.choice(["", ".nt1", ".nta"])
            yield f"{pred()}ld{size}{kind}{hint} {d}=[{base}],{rng.choice([-256, 255, -8, 8, 1])}"
    for hint in ("", ".nt1", ".nta"):
        yield f"{pred()}ld8.fill{hint} {rw()}=[{r()}]"
    d, base = dest_base()
    yield f"ld8.fill {d}=[{base}],{r()}"
    d, base = dest_base()
    yield f"ld8.fill {d}=[{base}],-256"
    yield f"ld16 {rw()},ar.csd=[{r()}]"
    yield f"ld16.acq.nta {rw()},ar.csd=[{r()}]"


@func("stores")
def _stores():
    for size in (1, 2, 4, 8):
        for kind in ("", ".rel"):
            for hint in ("", ".nta"):
                yield f"{pred()}st{size}{kind}{hint} [{r()}]={r()}"
            yield f"{pred()}st{size}{kind} [{rw()}]={r()},{rng.choice([-256, 255, -16, 16])}"
    yield f"st8.spill [{r()}]={r()}"
    yield f"st8.spill.nta [{rw()}]={r()},-32"
    yield f"st16 [{r()}]={r()},ar.csd"
    yield f"st16.rel [{r()}]={r()},ar.csd"


@func("atomics")
def _atomics():
    for size in (1, 2, 4, 8):
        for sem in ("acq", "rel"):
            for hint in ("", ".nt1", ".nta"):
                yield f"{pred()}cmpxchg{size}.{sem}{hint} {rw()}=[{r()}],{r()},ar.ccv"
        for hint in ("", ".nt1", ".nta"):
            yield f"{pred()}xchg{size}{hint} {rw()}=[{r()}],{r()}"
    for size in (4, 8):
        for sem in ("acq", "rel"):
            for inc in (-16, -8, -4, -1, 1, 4, 8, 16):
                yield f"{pred()}fetchadd{size}.{sem} {rw()}=[{r()}],{inc}"
    yield f"cmp8xchg16.acq {rw()}=[{r()}],{r()},ar.csd,ar.ccv"
    yield f"cmp8xchg16.rel.nta {rw()}=[{r()}],{r()},ar.csd,ar.ccv"


@func("fp_memory")
def _fp_memory():
    for sz in ("s", "d", "8", "e"):
        for kind in ("", ".s", ".a", ".sa", ".c.clr", ".c.nc"):
            yield f"{pred()}ldf{sz}{kind}{rng.choice(['', '.nt1', '.nta'])} {fw()}=[{r()}]"
            yield f"{pred()}ldf{sz}{kind} {fw()}=[{rw()}],{r()}"
            yield f"{pred()}ldf{sz}{kind} {fw()}=[{rw()}],{rng.choice([-256, 255, 8])}"
        yield f"{pred()}stf{sz} [{r()}]={f()}"
        yield f"{pred()}stf{sz}.nta [{rw()}]={f()},{rng.choice([-256, 255, -8])}"
    for hint in ("", ".nt1", ".nta"):
        yield f"{pred()}ldf.fill{hint} {fw()}=[{r()}]"
    yield f"ldf.fill {fw()}=[{rw()}],{r()}"
    yield f"ldf.fill {fw()}=[{rw()}],16"
    yield f"stf.spill [{r()}]={f()}"
    yield f"stf.spill.nta [{rw()}]={f()},-16"
    for sz, inc in (("s", 8), ("d", 16), ("8", 16)):
        for kind in ("", ".s", ".a", ".sa", ".c.clr", ".c.nc"):
            # a pair never straddles f31/f32 (a "dangerous" pair for the assembler)
            a = rng.choice([rng.randint(1, 14) * 2, rng.randint(16, 62) * 2])
            yield f"{pred()}ldfp{sz}{kind} f{a},f{a + 1}=[{r()}]"
            a = rng.choice([rng.randint(1, 14) * 2 + 1, rng.randint(16, 62) * 2 + 1])
            yield f"{pred()}ldfp{sz}{kind} f{a},f{a + 1}=[{rw()}],{inc}"
    for kind in ("sig", "exp", "s", "d"):
        yield f"{pred()}getf.{kind} {rw()}={f()}"
        yield f"{pred()}setf.{kind} {fw()}={r()}"
    for comp in ("", ".excl", ".fault", ".fault.excl"):
        for hint in ("", ".nt1", ".nt2", ".nta"):
            yield f"{pred()}lfetch{comp}{hint} [{r()}]"
        yield f"{pred()}lfetch{comp} [{rw()}],{r()}"
        yield f"{pred()}lfetch{comp} [{rw()}],{rng.choice([-256, 255, 64])}"


@func("fp_arith")
def _fp_arith():
    for sf in (".s0", ".s1", ".s2", ".s3"):
        for prec in ("", ".s", ".d"):
            for op in ("fma", "fms", "fnma"):
                yield f"{pred()}{op}{prec}{sf} {fw()}={f()},{f(2)},{f(2)}"
            yield f"{pred()}fmpy{prec}{sf} {fw()}={f()},{f(2)}"
            yield f"{pred()}fadd{prec}{sf} {fw()}={f()},{f(2)}"
            yield f"{pred()}fsub{prec}{sf} {fw()}={f()},{f(2)}"
            yield f"{pred()}fnmpy{prec}{sf} {fw()}={f()},{f(2)}"
            yield f"{pred()}fnorm{prec}{sf} {fw()}={f()}"
        for op in ("fpma", "fpms", "fpnma"):
            yield f"{pred()}{op}{sf} {fw()}={f()},{f(2)},{f(2)}"
        yield f"{pred()}fpmpy{sf} {fw()}={f()},{f(2)}"
        for op in ("fmin", "fmax", "famin", "famax", "fpmin", "fpmax", "fpcmp.eq", "fpcmp.lt",
                   "fpcmp.le", "fpcmp.unord", "fpcmp.neq", "fpcmp.nlt", "fpcmp.nle",
                   "fpcmp.ord"):
            yield f"{pred()}{op}{sf} {fw()}={f()},{f()}"
        for op in ("fcvt.fx", "fcvt.fxu", "fcvt.fx.trunc", "fcvt.fxu.trunc", "fpcvt.fx"):
            yield f"{pred()}{op}{sf} {fw()}={f()}"
        a, c = p2()
        yield f"{pred()}frcpa{sf} {fw()},{a}={f()},{f()}"
        yield f"{pred()}frsqrta{sf} {fw()},{c}={f()}"
        yield f"{pred()}fprcpa{sf} {fw()},{a}={f()},{f()}"
        yield f"fsetc{sf} {rng.randint(0, 127):#x},{rng.randint(0, 127):#x}"
        yield f"fclrf{sf}"
        yield f"fchkf{sf} .Lfp_target"
        for rel in ("eq", "lt", "le", "unord"):
            for unc in ("", ".unc"):
                a, c = p2()
                yield f"{pred()}fcmp.{rel}{unc}{sf} {a},{c}={f()},{f()}"
    for op in ("fmerge.s", "fmerge.ns", "fmerge.se", "fmix.lr", "fmix.r", "fmix.l", "fsxt.r",
               "fsxt.l", "fpack", "fswap", "fswap.nl", "fswap.nr", "fand", "fandcm", "for",
               "fxor", "fpmerge.s", "fpmerge.ns", "fpmerge.se"):
        yield f"{pred()}{op} {fw()}={f(1)},{f()}"
    yield f"mov {fw()}={f()}"
    yield f"fabs {fw()}={f(1)}"
    yield f"fneg {fw()}={f(1)}"
    yield f"fnegabs {fw()}={f(1)}"
    yield f"fcvt.xf {fw()}={f()}"
    for unc in ("", ".unc"):
        a, c = p2()
        fclass = rng.choice(["0x1ff", "0x80", "0x3", "@nat", "@qnan|@snan"])
        yield f"fclass.m{unc} {a},{c}={f()},{fclass}"
    for op in ("xma.l", "xma.h", "xma.hu"):
        yield f"{pred()}{op} {fw()}={f()},{f()},{f(1)}"
    for op in ("xmpy.l", "xmpy.h", "xmpy.hu"):
        yield f"{pred()}{op} {fw()}={f()},{f()}"
    yield f"fselect {fw()}={f()},{f()},{f()}"
    yield ".Lfp_target:"


@func("system")
def _system():
    for imm in (0, 1, 0x100000, 0x1FFFFF, 0x12345):
        yield f"{pred()}break.m {imm:#x}"
        yield f"{pred()}break.i {imm:#x}"
        yield f"{pred()}break.b {imm:#x}"
        yield f"{pred()}break.f {imm:#x}"
        yield f"{pred()}nop.m {imm:#x}"
        yield f"{pred()}nop.i {imm:#x}"
        yield f"{pred()}nop.b {imm:#x}"
        yield f"{pred()}nop.f {imm:#x}"
    for imm in (0, 0x100000, 0x3FFFFFFFFFFFFFFF, 0x123456789AB):
        yield f"{pred()}break.x {imm:#x}"
        yield f"{pred()}nop.x {imm:#x}"
    for imm in (0, 1, 63):
        yield f"hint.i {imm}"
        yield f"hint.f {imm}"
        yield f"hint.m {imm}"
        yield f"hint.x {imm}"
    for imm in (0, 1, -1, 0x123456789ABCDEF0, -0x8000000000000000, 0x7FFFFFFFFFFFFFFF):
        yield f"{pred()}movl {rw()}={imm}"
    yield "epc"
    yield "clrrrb"
    yield "clrrrb.pr"
    yield "rfi"
    yield "bsw.0"
    yield "bsw.1"
    yield f"chk.s.i {r()},.Lsys_recover"
    yield f"chk.s.m {r()},.Lsys_recover"
    yield f"chk.s {f()},.Lsys_recover"
    yield f"chk.a.nc {r()},.Lsys_recover"
    yield f"chk.a.clr {r()},.Lsys_recover"
    yield f"chk.a.nc {f()},.Lsys_recover"
    yield f"chk.a.clr {f()},.Lsys_recover"
    yield ".Lsys_recover:"


@func("alloc")
def _alloc():
    for ins, loc, out, rot in ((0, 0, 0, 0), (3, 2, 4, 0), (8, 0, 8, 8), (0, 96, 0, 96),
                               (1, 1, 1, 0), (8, 8, 8, 16), (0, 0, 96, 0)):
        yield f"alloc {rw()}=ar.pfs,{ins},{loc},{out},{rot}"
    

@func("branches")
def _branches():
    yield ".Lbr_back:"
    for wh in (".sptk", ".dptk", ".loop", ".exit"):
        for imp in ("", ".imp"):
            yield f"brp{wh}{imp} .Lbr_back,.Lbr_tag"
    for wh in (".sptk", ".dptk"):
        for imp in ("", ".imp"):
            yield f"brp{wh}{imp} {b()},.Lbr_tag"
            yield f"brp.ret{wh}{imp} {b()},.Lbr_tag"
    yield ".Lbr_tag:"
    hints = [f"{wh}{ph}{dh}" for wh in (".sptk", ".spnt", ".dptk", ".dpnt")
             for ph in (".few", ".many") for dh in ("", ".clr")]
    for h in hints:
        yield f"{pred()}br.cond{h} .Lbr_fwd"
        yield f"{pred()}br.call{h} {b()}=.Lbr_back"
        yield f"{pred()}br.cond{h} {b()}"
        yield f"{pred()}br.call{h} {b()}={b()}"
        yield f"{pred()}br.ret{h} {b()}"
        yield f"br.ia{h} {b()}"
        yield f"{pred()}brl.cond{h} .Lbr_back"
        yield f"{pred()}brl.call{h} {b()}=.Lbr_fwd"
    for kind in ("cloop", "ctop", "cexit"):
        yield f"br.{kind}.sptk.few .Lbr_back"
        yield f"br.{kind}{rng.choice(hints)} .Lbr_back"
    for kind in ("wtop", "wexit"):
        yield f"(p{rng.randint(1, 63)}) br.{kind}.sptk.few .Lbr_fwd"
        yield f"{pred()}br.{kind}{rng.choice(hints)} .Lbr_fwd"
    yield "(p7) brl.cond.sptk.many .Lbr_back"
    yield "(p9) br.cond.sptk.few .Lbr_back"
    yield "br.few .Lbr_back"
    yield "br.many .Lbr_fwd"
    yield f"br.sptk.few {b()}"
    yield "brl.many .Lbr_back"
    yield "nop.b 0"
    yield ".Lbr_fwd:"
    yield "nop.m 0"


def main() -> None:
    out = sys.stdout
    out.write("// Generated by gen_isa.py: every instruction family in oopsy's ISA table.\n")
    out.write("\t.text\n")
    out.write("\t.global _start\n_start:\n")
    for name, lines in FUNCS:
        out.write(f"\t.global {name}\n\t.proc {name}\n{name}:\n")
        for line in lines:
            if line.endswith(":"):
                out.write(f"{line}\n")
            else:
                out.write(f"\t{line}\n")
        out.write(f"\t.endp {name}\n")


if __name__ == "__main__":
    main()
