"""Symbolizer API: struct members, mismatch detection, modules, symbol maps, bad input, CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import CORPUS, binutil, requires_binutils

from oopsy.errors import OopsyError
from oopsy.symbols.elf import ElfImage
from oopsy.symbols.kallsyms import SymbolMap
from oopsy.symbols.resolve import InlineFrame, Symbolizer

HERE = CORPUS / "programs" / "symbols"
KERNEL = HERE / "kernel.elf"


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))


@pytest.fixture
def kernel():
    sym = Symbolizer.open(vmlinux=KERNEL)
    yield sym
    sym.close()


def addr(name: str) -> int:
    return ElfImage(KERNEL).symbol(name).address


# -- resolve ----------------------------------------------------------------------------------
def test_resolve_gives_symbol_line_and_inline_chain(kernel):
    r = kernel.resolve(addr("ptrace_freeze") + 0x11)
    assert (r.name, r.offset, r.size, r.module) == ("ptrace_freeze", 0x11, 0x60, None)
    assert r.symbol == "ptrace_freeze+0x11/0x60"
    assert (r.file, r.line) == ("/usr/src/linux/include/linux/spinlock.h", 353)
    assert r.inlined == (
        InlineFrame("spin_lock", "/usr/src/linux/include/linux/spinlock.h", 353),
        InlineFrame("task_lock", "/usr/src/linux/include/linux/sched/task.h", 172),
        InlineFrame("ptrace_freeze", "/usr/src/linux/kernel/signal.c", 2202),
    )


def test_resolve_symbol_plus_offset_matches_resolve(kernel):
    assert kernel.resolve_symbol("ptrace_stop", 0x21) == kernel.resolve(addr("ptrace_stop") + 0x21)
    assert kernel.resolve_symbol("no_such_function", 0) is None


def test_address_outside_every_symbol_is_none(kernel):
    assert kernel.resolve(0x10) is None
    assert kernel.resolve(addr("ptrace_peek") + 0x40) is None  # past the last function


def test_symbols_only_elf_says_so():
    sym = Symbolizer.open(vmlinux=HERE / "kernel.nodbg")
    assert sym.symbols_only
    assert any("symbols only" in w for w in sym.warnings)
    r = sym.resolve(addr("ptrace_freeze") + 0x11)
    assert (r.symbol, r.file, r.inlined) == ("ptrace_freeze+0x11/0x60", None, ())


# -- struct members ---------------------------------------------------------------------------
def test_struct_members_from_hand_written_ia64_dwarf(kernel):
    assert kernel.struct_members_at("ptrace_freeze", 0x338) == ["task_struct.ptrace_message"]
    assert kernel.struct_members_at("ptrace_freeze", 0x33C) == ["task_struct.ptrace_message+0x4"]
    assert kernel.struct_members_at("ptrace_peek", 0x10) == ["task_struct.pid"]
    assert kernel.struct_members_at("ptrace_peek", 0x5C8) == ["task_struct.alloc_lock"]
    assert kernel.struct_members_at("ptrace_peek", 0x100) == []
    assert kernel.struct_members_at("ptrace_stop", 0x338) == []  # an assembler unit: no types


@pytest.mark.parametrize("version", [4, 5])
def test_struct_members_from_gcc_dwarf(version):
    # offsets follow the C layout of x86/include/sched.h on x86_64
    sym = Symbolizer.open(vmlinux=HERE / f"x86/demo-dwarf{version}.elf", arch="x86_64")
    assert sym.struct_members_at("ptrace_stop", 0x30) == ["task_struct.ptrace_message"]
    assert sym.struct_members_at("ptrace_stop", 0x3C) == ["task_struct.alloc_lock.owner"]
    assert sym.struct_members_at("ptrace_stop", 0x26) == ["task_struct.comm[6]"]
    assert sym.struct_members_at("ptrace_stop", 0x1A) == ["task_struct.tasks.prev+0x2"]
    assert sym.struct_members_at("ptrace_peek", 0x8) == ["task_struct.pid"]
    assert sym.struct_members_at("do_exit", 0x18) == ["task_struct.tasks.prev"]


def test_struct_members_are_cached(kernel, monkeypatch):
    first = kernel.struct_members_at("ptrace_freeze", 0x338)
    from oopsy.symbols import dwarf as dw

    monkeypatch.setattr(dw, "struct_members", lambda *a: pytest.fail("DWARF walked again"))
    again = Symbolizer.open(vmlinux=KERNEL)
    assert again.struct_members_at("ptrace_freeze", 0x338) == first


# -- mismatch ---------------------------------------------------------------------------------
def test_check_frames_accepts_matching_frames(kernel):
    frames = [
        (addr("ptrace_stop") + 0x20, "ptrace_stop", 0x20, 0x60),
        (addr("ptrace_notify") + 0x30, "ptrace_notify", 0x30, 0x50),
        (addr("ia64_leave_kernel"), "ia64_leave_kernel", 0, 0x20),  # no ELF size: distance
    ]
    result = kernel.check_frames(frames)
    assert result.matches and result.checked == 3 and result.message is None


def test_check_frames_reports_a_foreign_vmlinux(kernel):
    frames = [
        (addr("ptrace_stop") + 0x20, "ptrace_stop", 0x20, 0x60),
        (addr("ptrace_stop") + 0x20, "ptrace_stop", 0x2B0, 0x860),
        (addr("do_exit") + 0x10, "do_exit", 0x1540, 0x1700),
        (0x10, "die", 0x3B0, 0x3C0),
        (0x20, None, None, None),
    ]
    result = kernel.check_frames(frames)
    assert result.message == "vmlinux does not match: 3 of 4 frames differ"
    assert result.differing[0][1:] == ("ptrace_stop+0x2b0/0x860", "ptrace_stop+0x20/0x60")


# -- modules and maps -------------------------------------------------------------------------
def test_module_frames_use_name_ko_text_offsets():
    sym = Symbolizer.open(vmlinux=KERNEL, modules=HERE)
    r = sym.resolve(0x51, module="demo")  # .text offset: bundle 0x50, slot 1
    assert (r.symbol, r.module, r.line) == ("demo_poke+0x11/0x20 [demo]", "demo", 29)
    assert r.file == "/src/oopsy/symbols/mod.S"
    assert sym.resolve_symbol("demo_exit", 0x10, module="demo").line == 11
    assert sym.resolve(0x51, module="absent") is None
    assert any("absent.ko" in w for w in sym.warnings)


def test_system_map_sizes_come_from_the_next_symbol():
    smap = SymbolMap.load(HERE / "System.map")
    sym, offset = smap.lookup(addr("ptrace_stop") + 0x2B)
    assert (sym.name, offset, sym.size) == ("ptrace_stop", 0x2B, 0x60)
    assert smap.lookup(addr("copy_word") + 0x20)[0].name == "do_exit"


def test_kallsyms_dump_with_module_column():
    sym = Symbolizer.open(system_map=HERE / "kallsyms.txt")
    r = sym.resolve(0xA000000200010044)
    assert r.symbol == "demo_poke+0x4/0x20 [demo]"
    assert sym.resolve(addr("do_exit") + 8).symbol == "do_exit+0x8/0x60"
    assert sym.resolve(0xA000000200010044, module="demo").name == "demo_poke"
    assert sym.check_frames([(0xA000000200010044, "demo_poke", 4, 0x20)]).matches


def test_bad_symbol_maps(tmp_path):
    garbage = tmp_path / "garbage"
    garbage.write_text("hello\nworld\n")
    with pytest.raises(OopsyError, match="not a System.map") as info:
        SymbolMap.load(garbage)
    assert info.value.line == 1
    zeros = tmp_path / "kallsyms"
    zeros.write_text("0000000000000000 T _stext\n0000000000000000 t foo\t[bar]\n")
    with pytest.raises(OopsyError, match="kptr_restrict"):
        SymbolMap.load(zeros)
    with pytest.raises(OopsyError, match="ELF"):
        SymbolMap.load(KERNEL)


# -- bad ELF input ----------------------------------------------------------------------------
def test_non_elf_input(tmp_path):
    text = tmp_path / "vmlinux"
    text.write_text("not an elf\n")
    with pytest.raises(OopsyError, match="not an ELF file"):
        Symbolizer.open(vmlinux=text)


@pytest.mark.parametrize("keep", [64, 100, 4096, 40000])
def test_truncated_elf(tmp_path, keep):
    cut = tmp_path / "vmlinux"
    cut.write_bytes(KERNEL.read_bytes()[:keep])
    with pytest.raises(OopsyError, match="corrupt or truncated ELF"):
        Symbolizer.open(vmlinux=cut)


def test_elf_of_another_architecture():
    with pytest.raises(OopsyError, match="EM_X86_64, not ia64"):
        Symbolizer.open(vmlinux=HERE / "x86/demo-dwarf4.elf", arch="ia64")


def test_fully_stripped_elf():
    with pytest.raises(OopsyError, match="no symbols and no DWARF"):
        Symbolizer.open(vmlinux=HERE / "kernel.stripped")


def test_nothing_given():
    with pytest.raises(OopsyError, match="nothing to symbolize"):
        Symbolizer.open()


# -- CLI --------------------------------------------------------------------------------------
def oopsy(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    code = "from oopsy.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], input=stdin, capture_output=True, text=True
    )


def test_cli_symbolize_text():
    a = addr("ptrace_freeze") + 0x11
    out = oopsy("symbolize", str(KERNEL), hex(a), "ptrace_peek+0x11")
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""  # the progress bar only draws on a terminal
    assert out.stdout.splitlines() == [
        f"{a:#x} ptrace_freeze+0x11/0x60",
        "    spin_lock at /usr/src/linux/include/linux/spinlock.h:353",
        "    inlined by task_lock at /usr/src/linux/include/linux/sched/task.h:172",
        "    inlined by ptrace_freeze at /usr/src/linux/kernel/signal.c:2202",
        f"{addr('ptrace_peek') + 0x11:#x} ptrace_peek+0x11/0x40",
        "    spin_lock at /usr/src/linux/include/linux/spinlock.h:354",
        "    inlined by ptrace_peek at /usr/src/linux/kernel/signal.c:2222",
    ]


def test_cli_addr2line_format_matches_golden():
    golden = (HERE / "kernel.addr2line").read_text().splitlines()
    addresses = [line for line in golden if line.startswith("0x") and ":" not in line]
    out = oopsy("symbolize", str(KERNEL), "--format", "addr2line", stdin="\n".join(addresses))
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == golden


def test_cli_json_and_partial_results():
    out = oopsy("symbolize", str(KERNEL), "--format", "json", "0x10", hex(addr("do_exit")))
    assert out.returncode == 0
    data = json.loads(out.stdout)["addresses"]
    assert data[0] == {"address": 0x10, "symbol": None}
    assert (data[1]["symbol"], data[1]["offset"], data[1]["line"]) == ("do_exit", 0, 19)


def test_cli_exit_status_when_nothing_resolves():
    out = oopsy("symbolize", str(KERNEL), "0x10", "0x20")
    assert out.returncode == 1
    assert "?? (no symbol" in out.stdout


def test_cli_bad_input_is_one_line(tmp_path):
    bogus = tmp_path / "bogus"
    bogus.write_text("x")
    out = oopsy("symbolize", str(bogus), "0x10")
    assert out.returncode == 1
    assert out.stderr.strip() == f"oopsy: {bogus}: not an ELF file"
    out = oopsy("symbolize", str(KERNEL), "zzz")
    assert out.returncode == 2


def test_cli_stripped_warns_but_works():
    out = oopsy("symbolize", str(HERE / "kernel.nodbg"), hex(addr("do_exit") + 4))
    assert out.returncode == 0
    assert out.stdout.strip() == f"{addr('do_exit') + 4:#x} do_exit+0x4/0x60"
    assert "symbols only" in out.stderr


def test_dwarf5_sequence_without_set_file_uses_file_0_like_binutils(kernel):
    """The first function's rows are .loc 1 (a header) in a sequence that never sets the
    file; binutils (and so oopsy) reports them against file 0, the unit's primary file."""
    r = kernel.resolve(addr("__traceiter_signal_generate") + 1)
    assert r.inlined == (InlineFrame("__traceiter_signal_generate", "/usr/src/linux/kernel/signal.c", 50),)


@pytest.mark.parametrize("elf", ["kernel.elf", "demo.ko", "x86/demo-dwarf5.elf"])
def test_fast_symbol_table_reader_agrees_with_pyelftools(elf):
    image = ElfImage(HERE / elf)
    table = image.elf.get_section_by_name(".symtab")
    expected = [
        (s.name, s["st_value"], s["st_size"], s["st_shndx"]) for s in table.iter_symbols()
    ]
    raw = [(n, v, size, shndx) for n, v, size, _k, _b, shndx in image._raw_symbols()]
    special = {"SHN_UNDEF": 0, "SHN_ABS": 0xFFF1, "SHN_COMMON": 0xFFF2}
    assert raw == [(n, v, size, special.get(x, x)) for n, v, size, x in expected]


def test_read_code_gives_the_bundle_for_the_disassembler(kernel):
    ip = addr("ptrace_freeze") + 0x11  # bundle 0x10, slot 1
    bundle = kernel.read_code(ip & ~0xF)
    assert bundle == kernel.elf.read(addr("ptrace_freeze") + 0x10, 16)
    assert len(bundle) == 16 and bundle[0] & 0x1F == 0x0B  # MMI with stop, as objdump shows
    assert kernel.read_code(0x10) is None
    sym = Symbolizer.open(vmlinux=KERNEL, modules=HERE)
    assert sym.read_code(0x40, module="demo") == sym.elf_for("demo").read(0x40, 16, ".text")


def test_caller_frames_take_the_line_of_the_call(kernel):
    source = (HERE / "core.S").read_text().splitlines()
    call_line = source.index("\tbr.call.sptk.many b0 = ptrace_do_notify") + 1
    start = addr("ptrace_stop")
    call_bundle = next(  # the bundle whose slot 2 is the br.call
        b for b in range(start, start + 0x60, 16) if kernel.resolve(b + 2).line == call_line
    )
    ret = call_bundle + 0x10  # what the unwinder prints for the caller frame
    r = kernel.resolve(ret, return_address=True)
    assert (r.name, r.offset) == ("ptrace_stop", ret - start)
    assert kernel.call_site(ret) == call_bundle + 2
    assert r.line == call_line
    assert kernel.resolve(ret).line == source.index("\tcmp.eq p6, p7 = 0, r8") + 1


def test_prepare_digests_units_once(kernel):
    frames = [addr("ptrace_freeze") + 0x11, addr("do_exit"), addr("ptrace_stop")]
    assert kernel.prepare(frames) == 3
    assert kernel.prepare(frames) == 0


def test_compressed_and_broken_modules(tmp_path):
    import gzip
    import lzma

    mods = tmp_path / "lib" / "modules" / "6.1" / "kernel"
    mods.mkdir(parents=True)
    (mods / "demo.ko.xz").write_bytes(lzma.compress((HERE / "demo.ko").read_bytes()))
    (mods / "other-mod.ko.gz").write_bytes(gzip.compress((HERE / "demo.ko").read_bytes()))
    (mods / "broken.ko").write_text("not an elf")
    sym = Symbolizer.open(vmlinux=KERNEL, modules=tmp_path / "lib")
    assert sym.resolve(0x51, module="demo").symbol == "demo_poke+0x11/0x20 [demo]"
    assert sym.resolve(0x51, module="other_mod").line == 29
    assert sym.resolve(0x51, module="broken") is None
    assert any("broken" in w and "not an ELF" in w for w in sym.warnings)


def test_unusable_cache_directory_falls_back_to_memory(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    sym = Symbolizer.open(vmlinux=KERNEL)
    assert any("symbol cache unavailable" in w for w in sym.warnings)
    assert sym.resolve(addr("ptrace_freeze") + 0x11).line == 353


def test_cache_lives_under_xdg_cache_home(tmp_path):
    Symbolizer.open(vmlinux=KERNEL).close()
    build_id = ElfImage(KERNEL).build_id
    files = [p.name for p in (tmp_path / "xdg" / "oopsy").iterdir()]
    assert any(name.startswith(build_id) and name.endswith(".sqlite") for name in files)
    import hashlib

    Symbolizer.open(modules=HERE).resolve(0x51, module="demo")  # demo.ko has no build-id
    digest = hashlib.sha256((HERE / "demo.ko").read_bytes()).hexdigest()
    assert (tmp_path / "xdg" / "oopsy" / f"sha256-{digest}.v1.sqlite").exists()


def test_concurrent_runs_share_one_index(tmp_path):
    """Several processes building the same cold index at once all answer correctly."""
    code = (
        "import sys; from oopsy.symbols.resolve import Symbolizer;"
        "s = Symbolizer.open(vmlinux=sys.argv[1]);"
        "s.prepare([int(a, 16) for a in sys.argv[2:]]);"
        "print(s.resolve(int(sys.argv[2], 16)).location)"
    )
    args = [str(KERNEL), hex(addr("ptrace_freeze") + 0x11), hex(addr("do_exit")), hex(addr("ptrace_stop"))]
    procs = [subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, text=True) for _ in range(4)]
    outs = [p.communicate()[0].strip() for p in procs]
    assert [p.returncode for p in procs] == [0] * 4
    assert outs == ["/usr/src/linux/include/linux/spinlock.h:353"] * 4


def test_build_id_ignores_notes_of_other_owners():
    image = ElfImage(KERNEL)
    notes = [n for s in image.sections if s["sh_type"] == "SHT_NOTE" for n in s.iter_notes()]
    assert [(n["n_name"], n["n_type"]) for n in notes] == [("Xen", "NT_GNU_BUILD_ID"), ("GNU", "NT_GNU_BUILD_ID")]
    assert image.build_id == notes[1]["n_desc"] and len(image.build_id) == 40


@requires_binutils
def test_build_id_is_what_readelf_shows():
    shown = subprocess.run(
        [binutil("readelf"), "-n", str(KERNEL)], capture_output=True, text=True, check=True
    ).stdout
    assert f"Build ID: {ElfImage(KERNEL).build_id}" in shown


def test_module_base_from_kallsyms_turns_runtime_ips_into_text_offsets():
    sym = Symbolizer.open(system_map=HERE / "kallsyms.txt", modules=HERE)
    base = sym.module_base("demo")
    assert base == 0xA000000200010000  # where build.sh placed demo.ko in the dump
    ip = 0xA000000200010051
    r = sym.resolve(ip - base, module="demo")
    assert (r.symbol, r.line) == ("demo_poke+0x11/0x20 [demo]", 29)
    assert sym.module_base("absent") is None
