"""Messy logs: prefixes, encodings, wrapping, several reports, unrelated lines."""

import pytest

from conftest import CORPUS
from oopsy.errors import OopsyError
from oopsy.report import decode_text
from oopsy.report.segment import clean_lines, strip_prefixes

SEED = CORPUS / "reports" / "ia64"
PTRACE = (SEED / "seed-ptrace-stop-null.txt").read_text()
POISON = (SEED / "seed-sk-filter-poison-panic.txt").read_text()


def _summary(result):
    return [(r.kind, r.title, len(r.frames), len(r.registers), r.fault_address) for r in result.reports]


CLEAN = _summary(decode_text(PTRACE.encode(), "clean"))


@pytest.mark.parametrize("prefix", [
    "[   31.915749] ",
    "<4>",
    "<4>[   31.915749] ",
    "Aug  7 12:01:02 guppy kernel: ",
    "Aug  7 12:01:02 guppy kernel: [   31.915749] ",
    "2021-08-07T12:01:02.123456+00:00 guppy kernel: ",
    "> ",
    "> > ",
    "[Sat Aug  7 12:01:02 2021] ",
])
def test_prefixes_are_stripped(prefix):
    text = "".join(prefix + line + "\n" for line in PTRACE.splitlines())
    assert _summary(decode_text(text.encode(), "x")) == CLEAN


def test_strip_prefixes_keeps_the_message():
    assert strip_prefixes("<1>[  1.5] Unable to handle kernel") == "Unable to handle kernel"


def test_crlf_and_non_utf8():
    data = PTRACE.replace("\n", "\r\n").encode()
    data = data.replace(b"Hardware name: hp server", b"Hardware name: hp \xe9server")
    result = decode_text(data, "x")
    assert _summary(result) == CLEAN
    assert result.reports[0].hardware.startswith("hp \xe9server")
    assert any("not UTF-8" in note for note in result.notes)


def test_wrapped_bsp_lines_and_long_lines_are_rejoined():
    lines = []
    for line in PTRACE.splitlines():
        if "bsp=" in line and "sp=" in line:
            sp, bsp = line.split(" bsp=")
            lines += [sp, "bsp=" + bsp]  # a mailer put bsp= on its own line
        elif line.startswith("psr :"):
            lines += [line[:70], line[70:]]  # wrapped psr/ifs/ip line
        elif line.startswith("r8 "):
            lines += [line[:38], line[38:]]  # a register row cut inside a value
        else:
            lines.append(line)
    result = decode_text("\n".join(lines).encode(), "x")
    assert _summary(result) == CLEAN
    report = result.reports[0]
    assert report.frames[5].bsp == 0xE00000010F2D3590
    assert report.registers["r9"] == 0x59D0
    assert report.release == "5.12.0-rc2-00003-g97669c51470e-dirty"
    assert not report.unparsed


def test_quoted_printable_mail():
    text = PTRACE.replace("sp=", "sp=3D").replace("bsp=3D", "bsp=3D")
    result = decode_text(text.encode(), "mail")
    assert _summary(result) == CLEAN
    assert any("quoted-printable" in note for note in result.notes)


def test_several_reports_and_unrelated_lines():
    log = ("systemd[1]: Started foo.\nrandom noise line\n" + PTRACE +
           "\nsshd[99]: Accepted publickey for root\nmore noise\n" + POISON + "\ntrailing noise\n")
    result = decode_text(log.encode(), "log")
    kinds = [r.kind for r in result.reports]
    assert kinds == ["null-deref", "paging-request"]
    assert result.unrelated_lines == 5
    assert not result.reports[0].unparsed and not result.reports[1].unparsed
    assert result.reports[0].lines["first"] == 3


def test_unknown_line_inside_a_report_is_kept_with_its_number():
    lines = PTRACE.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("r11"))
    lines.insert(at, "some interleaved printk from another cpu")
    result = decode_text("\n".join(lines).encode(), "x")
    report = result.reports[0]
    assert [(u.line, u.text) for u in report.unparsed] == [(at + 1, "some interleaved printk from another cpu")]
    assert report.registers["r11"] == 1


@pytest.mark.parametrize("data,message", [
    (b"", "empty input"),
    (b"   \n\n", "empty input"),
    (b"\x7fELF\x02\x01\x01\x00\x00\x00", "binary data"),
    (b"hello\nworld\n", "no ia64 oops"),
])
def test_inputs_without_reports(data, message):
    with pytest.raises(OopsyError, match=message):
        clean_lines(data, "f") if message in ("empty input", "binary data") else decode_text(data, "f")
