"""`oopsy decode --vmlinux` on oopses the emulator printed for images we built: the closed loop."""

import json
import subprocess
import sys

from conftest import CORPUS, ROOT, binutil, requires_binutils

EMU = CORPUS / "programs" / "emu"
SEED = CORPUS / "reports" / "ia64"


def decode(*args, env_cache):
    proc = subprocess.run([sys.executable, "-m", "oopsy.cli", "decode", "--format", "json", *map(str, args)],
                          capture_output=True, cwd=ROOT, timeout=120, env=env_cache)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _env(tmp_path):
    import os

    return {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}


def test_emulator_oops_against_its_image(tmp_path):
    doc = decode(EMU / "kernel_null.expected.out", "--vmlinux", EMU / "kernel_null.elf", env_cache=_env(tmp_path))
    (report,) = doc["reports"]
    assert report["symbolization"] == {"frames": 3, "frames_resolved": 3, "checked": 4, "differing": 0,
                                       "matches": True, "bsp_pairs_checked": 2, "bsp_mismatches": 0}
    faulting = [line for line in report["disassembly"] if line.startswith("=> ")]
    assert len(faulting) == 1 and faulting[0].startswith("=> a000000100000086:")
    assert faulting[0].endswith("ld8 r8=[r32]")
    codes = [h["code"] for h in report["hints"]]
    assert "bsp-chain-vmlinux" in codes and "vmlinux-mismatch" not in codes
    assert [f["reliable"] for f in report["frames"]] == [True, True, True]


def test_wrong_vmlinux_is_detected(tmp_path):
    doc = decode(SEED / "seed-ptrace-stop-null.txt", "--vmlinux", EMU / "kernel_null.elf", env_cache=_env(tmp_path))
    (report,) = doc["reports"]
    assert report["symbolization"]["matches"] is False
    mismatch = next(h for h in report["hints"] if h["code"] == "vmlinux-mismatch")
    assert mismatch["text"].startswith("vmlinux does not match: 11 of 11 frames differ")


def test_vmlinux_of_another_architecture_is_refused(tmp_path):
    x86 = next((CORPUS / "programs" / "symbols" / "x86").glob("*.elf"), None) or sys.executable
    proc = subprocess.run([sys.executable, "-m", "oopsy.cli", "decode", str(SEED / "seed-ptrace-stop-null.txt"),
                           "--vmlinux", str(x86)], capture_output=True, cwd=ROOT, timeout=120, env=_env(tmp_path))
    err = proc.stderr.decode()
    assert proc.returncode == 1 and "Traceback" not in err and "not ia64" in err


SYMBOLS = CORPUS / "programs" / "symbols"


@requires_binutils
def test_frames_get_addr2line_lines(tmp_path):
    """Frames of an oops in kernel.elf (DWARF from gas -g) get addr2line's file:line; caller
    frames, whose ips are return addresses, get the line of their br.call (previous bundle)."""
    from oopsy.emu.oops import PT_GENERAL, OopsFrame, OopsState, format_oops
    from oopsy.symbols.elf import ElfImage

    elf = ElfImage(SYMBOLS / "kernel.elf")
    names = ["ia64_leave_kernel", "ptrace_stop", "ptrace_do_notify", "ptrace_notify", "do_exit"]
    ips = [elf.symbol(names[0]).address, elf.symbol("ptrace_stop").address + 0x20] + \
          [elf.symbol(n).address + 0x20 for n in names[2:]]
    bsp = 0xE000000100001000
    frames = [OopsFrame(ip, 0xE000000100007E00, bsp - 8 * i) for i, ip in enumerate(ips)]
    pt = {n: 0 for n in ("cr_ifs ar_unat ar_pfs ar_rsc ar_rnat ar_bspstore pr loadrs ar_ccv ar_fpsr "
                         "ar_csd ar_ssd b0 b6 b7").split()}
    pt.update({f"r{n}": 0 for n in PT_GENERAL}, cr_ipsr=0x121008026010, cr_iip=ips[1])

    def symbolize(ip):
        found = elf.lookup(ip)
        return f"{found[0].name}+{found[1]:#x}/{elf.size_of(found[0]):#x}" if found else f"{ip:#x}"

    text = format_oops(OopsState(comm="t", pid=1, die_text="Oops", err=0, pt=pt, fault_address=0x338,
                                 frames=frames), symbolize)
    oops = tmp_path / "oops.txt"
    oops.write_text(text)
    (report,) = decode(oops, "--vmlinux", SYMBOLS / "kernel.elf", env_cache=_env(tmp_path))["reports"]
    # which address addr2line must be asked: the ip, or the br.call slot before a return address
    queries = [ips[0], ips[1]] + [(ip & ~0xF) - 16 + 2 for ip in ips[2:]]
    out = subprocess.run([binutil("addr2line"), "-f", "-e", str(SYMBOLS / "kernel.elf"),
                          *[hex(q) for q in queries]], capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    expected = [(lines[2 * i], lines[2 * i + 1]) for i in range(len(queries))]
    got = [(f["source"]["inlined"][-1]["function"], f"{f['source']['file']}:{f['source']['line']}")
           for f in report["frames"]]
    assert got == expected
