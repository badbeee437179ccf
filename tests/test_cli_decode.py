"""`oopsy decode` end to end: real reports, stdin, JSON, and bad input (one line, exit 1)."""

import json
import subprocess
import sys

import pytest

from conftest import CORPUS, ROOT

SEED = CORPUS / "reports" / "ia64"


def oopsy(*args, stdin: bytes | None = None):
    return subprocess.run([sys.executable, "-m", "oopsy.cli", *map(str, args)], input=stdin,
                          capture_output=True, cwd=ROOT, timeout=120)


def test_decode_text_of_the_seed_oops():
    proc = oopsy("decode", SEED / "seed-ptrace-stop-null.txt")
    out = proc.stdout.decode()
    assert proc.returncode == 0, proc.stderr
    assert "Unable to handle kernel NULL pointer dereference in ptrace_stop" in out
    assert "0xa00000010008d1f1 = bundle 0xa00000010008d1f0 slot 1  ptrace_stop+0x2b1/0x860" in out
    assert "v=1 sof=11 sol=8 sor=0 (8 in+local, 3 out)" in out
    assert "code=0 x=0 w=0 r=1 na=0 sp=0 rs=0 ir=0 ni=0 ei=1 ed=1 (read)" in out
    assert "D kernel died recently (an earlier OOPS or BUG)" in out
    assert "\x1b[" not in out  # no colour when not on a terminal


def test_decode_json_from_stdin():
    data = (SEED / "seed-sk-filter-poison-panic.txt").read_bytes()
    proc = oopsy("decode", "--format", "json", "-", stdin=data)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["schema"] == "oopsy.report/1" and doc["source"] == "<stdin>"
    (report,) = doc["reports"]
    assert report["kind"] == "paging-request"
    assert report["title"] == "Unable to handle kernel paging request in sk_filter_release_rcu"
    assert report["fault_address"] == 0xAAAAAAAAAAAAAAB2
    poison = next(h for h in report["hints"] if h["code"] == "page-poison")
    assert poison["evidence"] == {"address": 0xAAAAAAAAAAAAAAB2, "pattern": 0xAAAAAAAAAAAAAAAA, "offset": 8,
                                  "poison": "PAGE_POISON 0xaa", "registers_holding_address": ["r8"]}
    assert report["panic"] == {"message": "Fatal exception", "end_marker": True}


@pytest.mark.parametrize("name,data,message", [
    ("empty.txt", b"", "empty.txt:1: empty input"),
    ("garbage.bin", bytes(range(256)) * 8, "garbage.bin:1: binary data, not a kernel log"),
    ("prose.txt", b"just some\ntext without an oops\n", "prose.txt:1: no ia64 oops, panic or corruption report found"),
])
def test_bad_input_gets_one_line_and_exit_1(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    proc = oopsy("decode", path)
    err = proc.stderr.decode()
    assert proc.returncode == 1
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("oopsy: " + str(path).replace(name, "") + message)


def test_other_architecture(tmp_path):
    proc = oopsy("decode", CORPUS / "reports" / "other" / "x86_64-2006-check-slabp-bug-quoted.txt")
    err = proc.stderr.decode()
    assert proc.returncode == 1 and "Traceback" not in err
    assert "another architecture" in err and err.count("\n") == 1


def test_missing_file_and_bad_format(tmp_path):
    proc = oopsy("decode", tmp_path / "nope.txt")
    assert proc.returncode == 1 and "cannot read" in proc.stderr.decode()
    proc = oopsy("decode", "--format", "xml", SEED / "seed-ptrace-stop-null.txt")
    assert proc.returncode == 2


def test_truncated_report_is_shown_with_a_hint(tmp_path):
    lines = (SEED / "seed-ptrace-stop-null.txt").read_text().splitlines()
    path = tmp_path / "cut.txt"
    path.write_text("\n".join(lines[:3]) + "\n")
    proc = oopsy("decode", "--format", "json", path)
    assert proc.returncode == 0
    (report,) = json.loads(proc.stdout)["reports"]
    assert report["kind"] == "null-deref" and report["registers"] == {}
    assert any(h["code"] == "truncated" for h in report["hints"])
