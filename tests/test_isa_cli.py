"""`oopsy disasm` end to end, against the committed objdump output of the ISA corpus."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import CORPUS, ROOT

ISA_DIR = CORPUS / "programs" / "isa"
ELF = ISA_DIR / "isa.elf"


def oopsy(*args):
    return subprocess.run([sys.executable, "-m", "oopsy.cli", *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)


def _norm(line: str) -> str:
    return " ".join(line.split())


def objdump_function(name: str) -> list[str]:
    """objdump's lines for one function (its <name>: header and instruction lines)."""
    text = (ISA_DIR / "isa.objdump.txt").read_text()
    block = text.split(f"<{name}>:\n", 1)[1].split("\n\n", 1)[0]
    header = re.search(rf"^([0-9a-f]+) <{name}>:$", text, re.M).group(0)
    return [header, *block.splitlines()]


def test_disasm_symbol_matches_objdump():
    proc = oopsy("disasm", ELF, "--symbol", "branches")
    assert proc.returncode == 0, proc.stderr
    got = [_norm(line) for line in proc.stdout.splitlines() if line.strip()]
    want = [_norm(line) for line in objdump_function("branches")]
    assert got == want
    assert any("<branches+0x" in line for line in got)  # symbolic branch targets


def test_disasm_address_and_count():
    want = objdump_function("loads")
    start = want[0].split()[0]
    proc = oopsy("disasm", ELF, "--address", f"0x{start}", "--count", "4")
    assert proc.returncode == 0, proc.stderr
    got = [_norm(line) for line in proc.stdout.splitlines() if line.strip()]
    assert got == [_norm(line) for line in want[:13]]


def test_disasm_bytes_from_the_issue():
    proc = oopsy("disasm", "--bytes", "08 10 25 0a 80 05 80 00 85 00 40 20 c1 61 fc 8c")
    assert proc.returncode == 0, proc.stderr
    assert [_norm(line) for line in proc.stdout.splitlines()] == [
        "0: 08 10 25 0a 80 05 [MMI] alloc r34=ar.pfs,9,5,0",
        "6: 80 00 85 00 40 20 add r8=r32,r33",
        "c: c1 61 fc 8c adds r9=-100,r12",
    ]


def test_disasm_bad_input_is_one_line_and_exit_1():
    for args in (["--bytes", "08 10 zz"], ["--bytes", "08 10"], [ELF, "--symbol", "nosuch"],
                 [ELF], [ISA_DIR / "gen_isa.py", "--symbol", "x"],
                 [ELF, "--address", "0x10", "--count", "1"]):
        proc = oopsy("disasm", *args)
        assert proc.returncode == 1, (args, proc.stdout)
        assert proc.stderr.startswith("oopsy: ") and proc.stderr.count("\n") == 1, proc.stderr
        assert "Traceback" not in proc.stderr


def test_around_ip_marks_the_faulting_slot_with_objdump_text():
    from oopsy.symbols.disassemble import around_ip
    from oopsy.symbols.elf import ElfImage

    want = objdump_function("stores")
    bundle = int(want[0].split()[0], 16) + 0x20   # third bundle of the function
    image = ElfImage(ELF)
    try:
        lines = around_ip(image, bundle + 2, before=2, after=1)
    finally:
        image.close()
    assert len(lines) == 12
    marked = [line for line in lines if line.startswith("=> ")]
    assert len(marked) == 1
    assert _norm(marked[0][3:]) == _norm(want[1 + 3 * 2 + 2])  # slot 2 of bundle 2
    unmarked = [_norm(line.removeprefix("=> ")) for line in lines]
    assert unmarked == [_norm(line) for line in want[1:13]]


def test_disasm_address_as_symbol_plus_offset_like_an_oops():
    want = objdump_function("stores")
    proc = oopsy("disasm", ELF, "--address", "stores+0x21", "--count", "2")
    assert proc.returncode == 0, proc.stderr
    got = [_norm(line) for line in proc.stdout.splitlines() if line.strip()]
    assert got == [_norm(line) for line in want[7:13]]  # bundles +0x20 and +0x30
