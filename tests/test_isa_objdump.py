"""oopsy's disassembler against ia64-linux-gnu-objdump, line by line.

Golden comparisons (committed objdump output) always run; the live differential tests
regenerate the corpus with gen_isa.py, assemble and link it with binutils, and compare
again, and compare a fresh sample of random bundles — they need binutils (CI has it).
A coverage table of the formats and mnemonics the corpus exercises is printed.
"""

from __future__ import annotations

import collections
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CORPUS, binutil, requires_binutils

from oopsy.ia64 import isa
from oopsy.ia64.decode import decode_bundle
from oopsy.ia64.disasm import disassemble
from oopsy.symbols.disassemble import ObjdumpSymbolizer
from oopsy.symbols.elf import ElfImage

ISA_DIR = CORPUS / "programs" / "isa"
INSN_LINE = re.compile(r"^\s*[0-9a-f]+:\t")


def _norm(line: str) -> str:
    return " ".join(line.split())


def objdump_lines(text: str) -> list[str]:
    """The instruction lines of objdump -d output (no headers, no symbol labels)."""
    return [line for line in text.splitlines() if INSN_LINE.match(line)]


def _text_of(elf_path: Path) -> tuple[ElfImage, bytes, int]:
    image = ElfImage(elf_path)
    text = image.elf.get_section_by_name(".text")
    return image, text.data(), text["sh_addr"]


def _compare(ref: list[str], ours: list[str]) -> list[tuple[str, str]]:
    assert len(ref) == len(ours), f"objdump has {len(ref)} lines, oopsy {len(ours)}"
    return [(r, o) for r, o in zip(ref, ours) if _norm(r) != _norm(o)]


def _report(bad: list[tuple[str, str]]) -> str:
    return "\n".join(f"objdump: {_norm(r)}\n  oopsy: {_norm(o)}" for r, o in bad[:15])


def _disassemble_elf(path: Path) -> list[str]:
    image, data, addr = _text_of(path)
    try:
        return disassemble(data, addr, ObjdumpSymbolizer(image))
    finally:
        image.close()


def test_corpus_matches_committed_objdump():
    ref = objdump_lines((ISA_DIR / "isa.objdump.txt").read_text())
    ours = _disassemble_elf(ISA_DIR / "isa.elf")
    assert len(ref) > 2500
    bad = _compare(ref, ours)
    assert not bad, f"{len(bad)} of {len(ref)} lines differ:\n{_report(bad)}"


def test_random_bundles_match_committed_objdump():
    data = (ISA_DIR / "random.bin").read_bytes()
    ref = objdump_lines((ISA_DIR / "random.objdump.txt").read_text())
    ours = disassemble(data, 0)
    bad = _compare(ref, ours)
    assert not bad, f"{len(bad)} of {len(ref)} lines differ:\n{_report(bad)}"


# Everything the issue lists, as mnemonic families the corpus must exercise.
REQUIRED_MNEMONICS = [
    "add", "sub", "addp4", "and", "andcm", "or", "xor", "shladd", "shladdp4", "adds", "addl",
    "mov", "cmp.eq", "cmp.lt", "cmp.ltu", "cmp.eq.unc", "cmp.eq.and", "cmp.ne.or",
    "cmp.eq.or.andcm", "cmp.gt.and", "cmp.le.or", "cmp.ge.or.andcm", "cmp4.lt", "cmp4.eq.unc",
    "cmp4.ne.and", "shl", "shr", "shr.u", "dep", "dep.z", "extr", "extr.u", "shrp",
    "tbit.z", "tbit.z.unc", "tbit.nz.and", "tbit.z.or", "tbit.nz.or.andcm", "tnat.z",
    "tnat.nz.or", "zxt1", "zxt2", "zxt4", "sxt1", "sxt2", "sxt4", "czx1.l", "czx2.r", "mux1",
    "mux2", "mov.i", "mov.m", "mov.ret", "ld1", "ld2", "ld4", "ld8", "ld8.s", "ld8.a", "ld8.sa",
    "ld8.bias", "ld8.acq", "ld8.c.clr", "ld8.c.nc", "ld8.c.clr.acq", "ld4.nt1", "ld8.nta",
    "st1", "st2", "st4", "st8", "st8.rel", "st8.nta", "ld8.fill", "st8.spill", "cmpxchg8.acq",
    "cmpxchg4.rel", "xchg8", "fetchadd8.acq", "fetchadd4.rel", "alloc", "flushrs", "loadrs",
    "cover", "epc", "rfi", "break.m", "break.i", "break.b", "break.f", "break.x", "nop.m",
    "nop.i", "nop.b", "nop.f", "nop.x", "chk.s.i", "chk.s.m", "chk.s", "chk.a.nc",
    "chk.a.clr", "br.cond.sptk.few", "br.call.sptk.many", "br.ret.sptk.many", "br.ia.sptk.many",
    "br.cloop.sptk.few", "br.ctop.sptk.few", "br.wtop.sptk.few", "br.cexit.sptk.few",
    "br.wexit.sptk.few", "br.few", "brl.cond.sptk.many", "brl.call.sptk.many", "movl", "mf",
    "mf.a", "srlz.d", "srlz.i", "sync.i", "rsm", "ssm", "sum", "rum", "itc.d", "itc.i",
    "itr.d", "itr.i", "ptc.l", "ptc.g", "ptc.ga", "ptc.e", "ptr.d", "ptr.i", "probe.r",
    "probe.w", "probe.r.fault", "tpa", "tak", "thash", "ttag", "fc", "lfetch",
    "lfetch.fault.excl", "ldf.fill", "stf.spill", "ldfs", "ldfd", "ldf8", "ldfe", "stfs",
    "stfd", "stf8", "stfe", "ldfp8", "getf.sig", "getf.exp", "setf.sig", "setf.d", "fma.s1",
    "fma.d.s0", "fnma.s.s1", "fms.s0", "fmerge.s", "fmerge.ns", "fmerge.se", "fmpy.s1",
    "fadd.d.s0", "fnorm.s1", "xma.l", "xmpy.hu", "fcvt.fx.trunc.s1", "fcvt.xf", "frcpa.s0",
    "fcmp.eq.s0", "fclass.m", "fsetc.s0", "fclrf.s0", "fchkf.s0", "fabs", "fneg",
]


def _coverage(lines_by_bundle) -> tuple[collections.Counter, collections.Counter]:
    formats: collections.Counter = collections.Counter()
    mnemonics: collections.Counter = collections.Counter()
    for bundle in lines_by_bundle:
        for insn in bundle.instructions:
            if insn.op is not None:
                formats[insn.op.format] += 1
                mnemonics[insn.op.mnemonic] += 1
    return formats, mnemonics


def test_coverage_table_covers_the_issue_list(capsys):
    image, data, addr = _text_of(ISA_DIR / "isa.elf")
    image.close()
    bundles = [decode_bundle(data[i:i + 16], addr + i) for i in range(0, len(data), 16)]
    formats, mnemonics = _coverage(bundles)
    missing = [m for m in REQUIRED_MNEMONICS if m not in mnemonics]
    assert not missing, f"corpus lacks {missing}"
    table_formats = {op.format for op in isa.OPCODES}
    unused = sorted(table_formats - set(formats), key=lambda f: (f[0], int(f[1:])))
    # Formats the assembler will not emit here (hint.b) or that need exotic operands.
    assert not unused, f"formats never exercised: {unused}"
    with capsys.disabled():
        print("\nISA corpus coverage: formats exercised (instructions)")
        row = []
        for fmt in sorted(formats, key=lambda f: (f[0], int(f[1:]))):
            row.append(f"{fmt}:{formats[fmt]}")
        for i in range(0, len(row), 10):
            print("  " + "  ".join(f"{c:<9}" for c in row[i:i + 10]))
        by_family = collections.Counter()
        for m, n in mnemonics.items():
            by_family[m.split(".")[0]] += n
        print(f"mnemonics exercised: {len(mnemonics)} distinct "
              f"(of {len({op.mnemonic for op in isa.OPCODES})} in the table), "
              f"{len(by_family)} families; formats {len(formats)}/{len(table_formats)}"
              + (f"; not exercised: {', '.join(unused)}" if unused else ""))
        fams = sorted(by_family)
        for i in range(0, len(fams), 12):
            print("  " + " ".join(fams[i:i + 12]))


@requires_binutils
def test_live_corpus_differential(tmp_path):
    """Regenerate, assemble and link the corpus, then compare with a fresh objdump."""
    src = tmp_path / "isa.S"
    gen = subprocess.run([sys.executable, str(ISA_DIR / "gen_isa.py")], check=True,
                         capture_output=True, text=True)
    src.write_text(gen.stdout)
    obj, elf = tmp_path / "isa.o", tmp_path / "isa.elf"
    subprocess.run([binutil("as"), "-xauto", "-o", str(obj), str(src)], check=True,
                   capture_output=True)
    subprocess.run([binutil("ld"), "-o", str(elf), str(obj)], check=True, capture_output=True)
    out = subprocess.run([binutil("objdump"), "-d", "-z", str(elf)], check=True,
                         capture_output=True, text=True).stdout
    ref = objdump_lines(out)
    bad = _compare(ref, _disassemble_elf(elf))
    assert not bad, f"{len(bad)} of {len(ref)} lines differ:\n{_report(bad)}"


@requires_binutils
def test_live_random_bundles_differential(tmp_path):
    """Random bundles (a fixed seed other than the committed golden's), objdump as oracle."""
    rng = random.Random(0x1A64)
    data = b"".join(rng.getrandbits(128).to_bytes(16, "little") for _ in range(3000))
    path = tmp_path / "random.bin"
    path.write_bytes(data)
    out = subprocess.run([binutil("objdump"), "-D", "-z", "-b", "binary", "-m", "ia64",
                          str(path)], check=True, capture_output=True, text=True).stdout
    ref = objdump_lines(out)
    bad = _compare(ref, disassemble(data, 0))
    assert not bad, f"{len(bad)} of {len(ref)} lines differ:\n{_report(bad)}"


def _sections_of(objdump_text: str) -> dict[str, list[str]]:
    """objdump -d output split per 'Disassembly of section NAME:' block."""
    blocks: dict[str, list[str]] = {}
    current = None
    for line in objdump_text.splitlines():
        m = re.match(r"^Disassembly of section (\S+):$", line)
        if m:
            current = blocks.setdefault(m.group(1), [])
        elif current is not None and INSN_LINE.match(line):
            current.append(line)
    return blocks


@requires_binutils
@pytest.mark.parametrize("path", sorted(
    p.relative_to(CORPUS) for p in (CORPUS / "programs").rglob("*")
    if p.suffix in (".elf", ".ko", ".stripped", ".nodbg")
), ids=str)
def test_every_corpus_image_matches_objdump(path):
    """Every ia64 ELF in the corpus (other fixtures too), each code section, line by line."""
    full = CORPUS / path
    image = ElfImage(full)
    if not image.is_ia64:
        image.close()
        pytest.skip("not an ia64 image")
    out = subprocess.run([binutil("objdump"), "-d", "-z", str(full)], check=True,
                         capture_output=True, text=True).stdout
    try:
        for name, ref in _sections_of(out).items():
            section = image.elf.get_section_by_name(name)
            data = section.data()
            whole = len(data) - len(data) % 16
            sym = ObjdumpSymbolizer(image, name if image.is_relocatable else None)
            ours = disassemble(data[:whole], section["sh_addr"], sym)
            bad = _compare(ref[:len(ours)], ours)
            assert not bad, f"{path} {name}: {len(bad)} lines differ:\n{_report(bad)}"
    finally:
        image.close()
