"""The seed scenarios (oopsy/scenarios.py on corpus/kernels/): every buggy image shows
its bug and the fixed one does not; `oopsy diff` of the two traces stops at the fixed
instruction and `oopsy why` on the wrong value reaches the instruction that made it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest
from conftest import CORPUS, requires_binutils

from oopsy import scenarios as sc
from oopsy.report import decode_text
from oopsy.symbols.elf import ElfImage

NAMES = ["syscall-args", "syscall-error", "sigreturn-sp", "page-poison", "deferred-free"]


@pytest.fixture(scope="module")
def runs():
    """Every variant of every scenario, run unrecorded once."""
    return {(n, v): sc.run(n, v) for n in NAMES for v in sc.VARIANTS}


def console(runs, name, variant) -> str:
    return runs[name, variant].console.decode()


def syscall_blocks(text: str) -> list[dict[str, str]]:
    """The tracer's report per system call: {"via": ..., "nr": ..., "args[0]": ...}."""
    blocks = []
    for line in text.splitlines():
        m = re.match(r"ptrace: syscall entry via (\w+), nr: (0x[0-9a-f]+)", line)
        if m:
            blocks.append({"via": m[1], "nr": m[2]})
            continue
        m = re.match(r"ptrace: +(?:syscall exit, )?([\w\[\]. ]+?): (0x[0-9a-f]+)$", line)
        if m and blocks:
            blocks[-1][m[1]] = m[2]
    return blocks


def symbol(name: str, variant: str, sym: str) -> int:
    return ElfImage(sc.get(name).image(variant)).symbol(sym).address


# ------------------------------------------------------------------ registry -----

def test_registry_lists_the_five_seed_bugs_in_story_order():
    assert [s.name for s in sc.SCENARIOS] == NAMES
    lines = sc.listing()
    assert [line.split()[0] for line in lines] == NAMES
    assert all(len(line) < 100 for line in lines)
    assert {s.fix_symbol for s in sc.SCENARIOS} == {"FIX_ARGS", "FIX_ERROR", "FIX_SP", "FIX_POISON", "FIX_DEFERRED"}


def test_unknown_scenario_and_variant_are_one_line_errors():
    with pytest.raises(sc.OopsyError, match="no scenario 'nope'.*syscall-args"):
        sc.get("nope")
    with pytest.raises(sc.OopsyError, match="variant must be buggy or fixed"):
        sc.get("page-poison").image("broken")


@pytest.mark.parametrize("name", NAMES)
def test_variants_have_the_same_layout(name):
    """Only the fixed instruction differs: every symbol sits at the same address."""
    def table(variant):
        elf = ElfImage(sc.get(name).image(variant)).elf
        return {s.name: s["st_value"] for s in elf.get_section_by_name(".symtab").iter_symbols()
                if s.name and not s.name.startswith("FIX_")}
    buggy, fixed = table("buggy"), table("fixed")
    assert buggy == fixed
    assert "syscall_log" in buggy and "__kernel_syscall_via_epc" in buggy


@requires_binutils
def test_committed_images_are_what_build_sh_makes(tmp_path):
    work = tmp_path / "kernels"
    shutil.copytree(CORPUS / "kernels", work, ignore=shutil.ignore_patterns("*.elf"))
    subprocess.run(["bash", str(work / "build.sh")], check=True, capture_output=True)
    for name in NAMES:
        for variant in sc.VARIANTS:
            built = (work / variant / f"{name}.elf").read_bytes()
            assert built == sc.get(name).image(variant).read_bytes(), f"{variant}/{name}.elf is stale"


# ------------------------------------------------------- what each bug shows -----

def test_syscall_args_break_path_reports_the_number_as_args0(runs):
    path = symbol("syscall-args", "buggy", "path")
    for variant in sc.VARIANTS:
        epc, brk, exit_ = syscall_blocks(console(runs, "syscall-args", variant))
        assert (epc["via"], epc["nr"], brk["via"], brk["nr"]) == ("epc", "0x40a", "break", "0x40a")
        assert epc["args[0]"] == hex(path) and epc["args[1]"] == "0xbad1fed1"  # no locals: right
        assert exit_["nr"] == "0x401"
    buggy = syscall_blocks(console(runs, "syscall-args", "buggy"))[1]
    fixed = syscall_blocks(console(runs, "syscall-args", "fixed"))[1]
    # facts §4.3 (b): before the fix the local (the number, r32) is read as args[0]
    assert [buggy[f"args[{i}]"] for i in range(3)] == ["0x40a", hex(path), "0xbad1fed1"]
    assert [fixed[f"args[{i}]"] for i in range(3)] == [hex(path), "0xbad1fed1", "0xbad2fed2"]
    assert fixed["args[5]"] == "0xbad5fed5"
    assert runs["syscall-args", "buggy"].exit_code == runs["syscall-args", "fixed"].exit_code == 0


def test_syscall_error_sign(runs):
    buggy = syscall_blocks(console(runs, "syscall-error", "buggy"))[0]
    fixed = syscall_blocks(console(runs, "syscall-error", "fixed"))[0]
    assert buggy["nr"] == fixed["nr"] == "0x40a"
    assert (buggy["rval"], buggy["is_error"]) == ("0x2", "0x1")
    assert (fixed["rval"], fixed["is_error"]) == ("0xfffffffffffffffe", "0x1")  # -ENOENT
    # the task itself saw r8 = ENOENT, r10 = -1 either way and exits with the errno
    assert runs["syscall-error", "buggy"].exit_code == runs["syscall-error", "fixed"].exit_code == 2


def test_sigreturn_sp_reports_the_backing_store(runs):
    rbs = symbol("sigreturn-sp", "buggy", "user_rbs")
    top = symbol("sigreturn-sp", "buggy", "user_stack_top")
    buggy = syscall_blocks(console(runs, "sigreturn-sp", "buggy"))[0]
    fixed = syscall_blocks(console(runs, "sigreturn-sp", "fixed"))[0]
    assert buggy["nr"] == fixed["nr"] == hex(1181)
    assert int(buggy["stack_pointer"], 16) == rbs  # ar.bspstore: nothing spilled yet
    assert int(fixed["stack_pointer"], 16) == top - 16 - 0x60  # r12 after the sigframe
    assert buggy["sigframe sc_mask at stack_pointer"] == "0x0"
    assert fixed["sigframe sc_mask at stack_pointer"] == "0x4000"
    for variant in sc.VARIANTS:  # the kernel itself restores the right mask
        assert "rt_sigreturn: blocked mask restored: 0x4000" in console(runs, "sigreturn-sp", variant)


def test_page_poison_oopses_and_decodes_as_page_poison(runs):
    res = runs["page-poison", "buggy"]
    assert res.status == "oops"
    assert res.text.startswith("Unable to handle kernel paging request at virtual address aaaaaaaaaaaaaab2\n")
    assert "ip is at handle_mm_fault+0x90/0xf0" in res.text
    report = decode_text(res.text.encode(), "page-poison").reports[0]
    assert report.kind == "paging-request"
    hint = next(h for h in report.hints if h.code == "page-poison")
    assert "PAGE_POISON 0xaa (0xaaaaaaaaaaaaaaaa) + 0x8" in hint.text
    fixed = runs["page-poison", "fixed"]
    assert fixed.status == "exit" and fixed.exit_code == 0
    assert "mm: pte installed: 0x" in console(runs, "page-poison", "fixed")


def test_deferred_free_oopses_in_the_rcu_callback_from_idle(runs):
    res = runs["deferred-free", "buggy"]
    assert res.status == "oops"
    assert res.text.startswith("Unable to handle kernel paging request at virtual address aaaaaaaaaaaaaab2\n")
    assert "Comm: deferred-free" in res.text
    frames = re.findall(r"\] (\w+)\+0x", res.text.split("Call Trace:")[1])
    assert frames == ["sk_filter_release_rcu", "rcu_core", "do_idle", "cpu_startup_entry"]
    report = decode_text(res.text.encode(), "deferred-free").reports[0]
    assert any(h.code == "page-poison" for h in report.hints)
    fixed = runs["deferred-free", "fixed"]
    assert fixed.status == "exit" and fixed.exit_code == 0
    assert "idle: deferred callbacks run: 0x1" in console(runs, "deferred-free", "fixed")


# ------------------------------------------------------ why / diff on traces -----

@pytest.fixture(scope="module")
def traces(tmp_path_factory):
    pytest.importorskip("oopsy.trace.why")
    pytest.importorskip("oopsy.trace.diff")
    out = tmp_path_factory.mktemp("scenarios")
    paths = {}
    for name in NAMES:
        for variant in sc.VARIANTS:
            paths[name, variant] = out / f"{name}-{variant}.db"
            sc.record(name, variant, paths[name, variant])
    return paths


def why_chain(path, name):
    from oopsy.trace import why as why_mod
    from oopsy.trace.tracedb import Trace

    args = sc.get(name).why_args()
    register = args[1] if args[0] == "--register" else None
    address = args[1] if args[0] == "--address" else None
    with Trace(path) as t:
        loc, before, walker = why_mod.start_location(t, register, address, None)
        return walker.chain(loc, before)


# (step, where, buggy instruction, fixed instruction) of the first divergence
DIFFS = {
    "syscall-args": (16617, "syscall_get_arguments+0x71", "add r40=r38,r0", "add r40=r38,r16"),
    "syscall-error": (11731, "syscall_get_error+0x21", "(p06) add r8=r17,r0", "(p06) sub r8=r0,r17"),
    "sigreturn-sp": (11118, "user_stack_pointer+0x0", "adds r14=120,r32", "adds r14=160,r32"),
    "page-poison": (7548, "want_init_on_free+0x30", "add r8=r14,r0", "andcm r8=r14,r15"),
    "deferred-free": (28498, "sys_close+0x52", "br.call.sptk.many b0=0xa0000001000093e0", "nop.b 0x0"),
}


@pytest.mark.parametrize("name", NAMES)
def test_diff_stops_at_the_fix(traces, name):
    from oopsy.trace.diff import diff
    from oopsy.trace.tracedb import Trace

    with Trace(traces[name, "buggy"]) as a, Trace(traces[name, "fixed"]) as b:
        result = diff(a, b)
    step, where, buggy_insn, fixed_insn = DIFFS[name]
    assert result.step == step
    assert (result.a.where, result.a.insn) == (where, buggy_insn)
    assert (result.b.where, result.b.insn) == (where, fixed_insn)
    assert where.startswith(sc.get(name).fix_function + "+")
    assert sc.get(name).root_cause.startswith(sc.get(name).fix_function + ": ")
    assert result.initial_differences >= 1  # the instruction bytes themselves


def hops(chain):
    return [(h.where, h.insn) for h in chain.hops]


def test_why_syscall_args_reaches_the_local_spilled_by_flushrs(traces):
    chain = why_chain(traces["syscall-args", "buggy"], "syscall-args")
    spill = next(h for h in chain.hops if h.where == "syscall_get_arguments+0x10")
    assert spill.insn == "flushrs" and spill.value == 0x40a and "RSE spill" in spill.how
    # the spilled register is the glibc wrapper's local r32 (alloc r2=ar.pfs,1,0,8,0):
    # user_main's out0 = 1034, renamed by the br.call into the wrapper
    assert hops(chain)[-1] == ("user_main+0xa0", "mov r34=1034")
    assert chain.hops[-1].value == 0x40a


def test_why_syscall_args_reaches_the_flushrs_spill(traces):
    chain = why_chain(traces["syscall-args", "buggy"], "syscall-args")
    assert hops(chain)[:3] == [("syscall_get_arguments+0x110", "st8 [r15]=r14"),
                               ("syscall_get_arguments+0x100", "ld8 r14=[r8]"),
                               ("syscall_get_arguments+0x10", "flushrs")]
    assert [h.value for h in chain.hops[:3]] == [0x40a] * 3


def test_why_syscall_error_reaches_the_missing_negation(traces):
    chain = why_chain(traces["syscall-error", "buggy"], "syscall-error")
    assert ("syscall_get_error+0x21", "(p06) add r8=r17,r0") in hops(chain)
    assert hops(chain)[-1] == ("sys_chdir+0x0", "mov r8=-2")
    assert [h.value for h in chain.hops if h.where.startswith("syscall_get_error")] == [2, 2]


def test_why_sigreturn_sp_shows_ar_bspstore_fed_it(traces):
    chain = why_chain(traces["sigreturn-sp", "buggy"], "sigreturn-sp")
    rbs = symbol("sigreturn-sp", "buggy", "user_rbs")
    assert hops(chain)[1:4] == [("user_stack_pointer+0x1", "ld8 r8=[r14]"),
                                ("syscall_common+0x41", "st8 [r20]=r18"),
                                ("syscall_common+0x11", "mov.m r18=ar.bspstore")]
    assert all(h.value == rbs for h in chain.hops[:4])


def test_why_page_poison_reaches_the_poisoning_memset(traces):
    from oopsy.trace.query import first_pattern
    from oopsy.trace.tracedb import Trace

    path = traces["page-poison", "buggy"]
    chain = why_chain(path, "page-poison")
    assert hops(chain)[:2] == [("handle_mm_fault+0x40", "ld8 r36=[r35]"),
                               ("kernel_poison_pages+0x30", "st8 [r32]=r14,8")]
    assert chain.hops[1].value == 0xAAAAAAAAAAAAAAAA
    assert "immediate" in chain.end and "0xaaaaaaaaaaaaaaaa" in chain.end
    with Trace(path) as t:
        hit = first_pattern(t, "0xaaaaaaaaaaaaaaaa")
        boot_done = min(s for s, kind, d in t.events("interruption"))  # the first syscall
    assert hit.where == "kernel_poison_pages+0x30"
    assert hit.step < chain.hops[1].step < boot_done  # poisoned at boot, the pgd never zeroed


def test_why_deferred_free_points_at_the_early_free(traces):
    chain = why_chain(traces["deferred-free", "buggy"], "deferred-free")
    assert hops(chain)[:3] == [("sk_filter_release_rcu+0x11", "adds r15=8,r35"),
                               ("sk_filter_release_rcu+0x10", "ld8 r35=[r14]"),
                               ("kernel_poison_pages+0x30", "st8 [r32]=r14,8")]
    early_free = DIFFS["deferred-free"][0]  # sys_close's br.call page_free
    # the poison came from the page_free that call made (one page: 128 stores) ...
    assert early_free < chain.hops[2].step < early_free + 500
    # ... as the stack at that step says
    proc = oopsy("replay", traces["deferred-free", "buggy"], "--step", chain.hops[2].step, "--show", "stack")
    assert proc.returncode == 0, proc.stderr
    frames = re.findall(r"^#\d+\s+[0-9a-f]+ (\w+)\+", proc.stdout, re.M)
    assert frames[:3] == ["kernel_poison_pages", "page_free", "sys_close"]


# ---------------------------------------------------------------------- CLI ------

def oopsy(*args):
    return subprocess.run([sys.executable, "-m", "oopsy.cli", *map(str, args)], capture_output=True, text=True)


def test_cli_lists_and_describes():
    proc = oopsy("scenarios")
    assert proc.returncode == 0
    assert [line.split()[0] for line in proc.stdout.splitlines()] == NAMES
    proc = oopsy("scenarios", "page-poison")
    assert proc.returncode == 0
    assert "oopsy first page-poison-buggy.db --pattern 0xaaaaaaaaaaaaaaaa" in proc.stdout
    assert "oopsy why page-poison-buggy.db --register r36" in proc.stdout
    proc = oopsy("scenarios", "nope")
    assert proc.returncode == 1 and proc.stderr.startswith("oopsy: no scenario 'nope'")
    proc = oopsy("scenarios", "page-poison", "--variant", "sideways", "-o", "x.db")
    assert proc.returncode == 2


def test_cli_records_a_variant(tmp_path):
    pytest.importorskip("oopsy.trace.record")
    out = tmp_path / "err.db"
    proc = oopsy("scenarios", "syscall-error", "--variant", "buggy", "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert "ptrace: syscall exit, rval: 0x2\n" in proc.stdout
    assert re.search(r"recorded \d+ steps to .*err\.db \(status complete\)", proc.stderr)
    assert out.stat().st_size > 0
