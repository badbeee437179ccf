"""oopsy's symbolizer against addr2line -f -i on every address of the symbol fixtures.

The fixtures (corpus/programs/symbols/build.sh) are ia64 objects assembled by gas -g with
DWARF 2, 3, 4 and 5 line tables, a unit with hand-written inlined-subroutine DWARF, a
relocatable module, and x86_64 C built by gcc -O2 -g (DWARF 4 and 5). The goldens are
addr2line's output for every slot of every .text bundle / every instruction and every
line-table address; when binutils is installed the goldens are re-checked against it.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
from conftest import CORPUS, binutil, requires_binutils

from oopsy.symbols import dwarf as dw
from oopsy.symbols.elf import ElfImage
from oopsy.symbols.resolve import Symbolizer, addr2line_lines

HERE = CORPUS / "programs" / "symbols"

CASES = [  # (ELF, golden, module, addr2line extra args)
    ("kernel.elf", "kernel.addr2line", None, []),
    ("kernel.nodbg", "kernel.nodbg.addr2line", None, []),
    ("demo.ko", "demo.addr2line", "demo", ["-j", ".text"]),
    ("x86/demo-dwarf4.elf", "x86/demo-dwarf4.addr2line", None, []),
    ("x86/demo-dwarf5.elf", "x86/demo-dwarf5.addr2line", None, []),
]


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))


def parse_golden(text: str) -> dict[int, list[str]]:
    """addr2line -a output -> {address: the lines after it}."""
    answers: dict[int, list[str]] = {}
    current = None
    for line in text.splitlines():
        if line.startswith("0x") and ":" not in line:
            current = int(line, 16)
            answers[current] = []
        else:
            answers[current].append(line)
    return answers


def oopsy_answers(elf: str, addresses, module: str | None) -> dict[int, list[str]]:
    path = HERE / elf
    if module:
        sym = Symbolizer.open(modules=path.parent, arch=None)
    else:
        sym = Symbolizer.open(vmlinux=path, arch=None)
    out = {}
    for address in addresses:
        resolved = sym.resolve(address, module)
        fallback = None if resolved and resolved.inlined else sym.nearest_code_symbol(address, module)
        out[address] = addr2line_lines(resolved, fallback)
    sym.close()
    return out


@pytest.mark.parametrize("elf,golden,module,_args", CASES, ids=[c[0] for c in CASES])
def test_every_fixture_address_agrees_with_addr2line(elf, golden, module, _args):
    expected = parse_golden((HERE / golden).read_text())
    assert len(expected) > 20
    mine = oopsy_answers(elf, expected, module)
    differing = {hex(a): (mine[a], expected[a]) for a in expected if mine[a] != expected[a]}
    assert differing == {}


def test_fixtures_exercise_inlining_and_every_dwarf_version():
    kernel = parse_golden((HERE / "kernel.addr2line").read_text())
    x86 = parse_golden((HERE / "x86/demo-dwarf5.addr2line").read_text())
    assert max(len(v) for v in kernel.values()) == 6  # three levels: spin_lock < task_lock < ptrace_freeze
    assert max(len(v) for v in x86.values()) >= 6
    assert any("discriminator" in line for v in x86.values() for line in v)
    unit_versions, line_versions = set(), set()
    for elf in ("kernel.elf", "demo.ko", "x86/demo-dwarf4.elf", "x86/demo-dwarf5.elf"):
        info = ElfImage(HERE / elf).dwarf_info()
        for cu in info.iter_CUs():
            unit_versions.add(cu.header["version"])
            line_versions.add(info.line_program_for_CU(cu).header["version"])
    # gas writes a version 3 line table even for --gdwarf-2 (the formats are the same).
    assert unit_versions == {2, 3, 4, 5}
    assert line_versions == {3, 4, 5}


@requires_binutils
@pytest.mark.parametrize("elf,golden,_module,args", CASES[:3], ids=[c[0] for c in CASES[:3]])
def test_ia64_goldens_are_addr2line_output_now(elf, golden, _module, args):
    text = (HERE / golden).read_text()
    addresses = "".join(f"{a:#x}\n" for a in parse_golden(text))
    live = subprocess.run(
        [binutil("addr2line"), "-f", "-i", "-a", *args, "-e", str(HERE / elf)],
        input=addresses, capture_output=True, text=True, check=True,
    ).stdout
    assert parse_golden(live) == parse_golden(text)


@requires_binutils
def test_every_line_table_address_is_covered():
    for elf, addrs in (("kernel.elf", "kernel.addrs"), ("demo.ko", "demo.addrs")):
        dump = subprocess.run(
            [binutil("readelf"), "--debug-dump=decodedline", str(HERE / elf)],
            capture_output=True, text=True, check=True,
        ).stdout
        table = {int(f[2], 16) for f in (line.split() for line in dump.splitlines()) if len(f) > 2 and f[2].startswith("0x")}
        listed = {int(a, 16) for a in (HERE / addrs).read_text().split()}
        assert table and table <= listed


@pytest.mark.skipif(shutil.which("addr2line") is None, reason="host binutils absent")
@pytest.mark.parametrize("version", [4, 5])
def test_x86_goldens_are_host_addr2line_output_now(version):
    golden = (HERE / f"x86/demo-dwarf{version}.addr2line").read_text()
    addresses = "".join(f"{a:#x}\n" for a in parse_golden(golden))
    live = subprocess.run(
        ["addr2line", "-f", "-i", "-a", "-e", str(HERE / f"x86/demo-dwarf{version}.elf")],
        input=addresses, capture_output=True, text=True, check=True,
    ).stdout
    assert parse_golden(live) == parse_golden(golden)


def test_ia64_line_rows_are_per_slot():
    """ip = bundle + slot (facts §5): slots of one bundle map to different source lines."""
    sym = Symbolizer.open(vmlinux=HERE / "kernel.elf")
    bundle = sym.elf.symbol("ptrace_freeze").address + 0x10
    lines = [sym.resolve(bundle + slot).line for slot in range(3)]
    assert lines == [352, 353, 353]
    assert sym.resolve(bundle + 0x10).line == 354


def test_warm_cache_answers_without_parsing_dwarf(tmp_path, monkeypatch):
    expected = parse_golden((HERE / "kernel.addr2line").read_text())
    first = oopsy_answers("kernel.elf", expected, None)

    def no_dwarf(*_args, **_kwargs):
        raise AssertionError("DWARF parsed on a warm cache")

    monkeypatch.setattr(dw, "read_unit", no_dwarf)
    monkeypatch.setattr(dw, "cu_ranges", no_dwarf)
    monkeypatch.setattr(ElfImage, "dwarf_info", no_dwarf)
    assert oopsy_answers("kernel.elf", expected, None) == first
    assert list((tmp_path / "xdg" / "oopsy").glob("*.sqlite"))
