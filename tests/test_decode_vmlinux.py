"""`oopsy decode --vmlinux` on oopses the emulator printed for images we built: the closed loop."""

import json
import subprocess
import sys

from conftest import CORPUS, ROOT

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
