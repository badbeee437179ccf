"""Report decoding: log text -> cleaned lines -> parsed lines -> reports -> analysis."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from oopsy.errors import OopsyError
from oopsy.report.analyze import analyze
from oopsy.report.lines import parse_lines
from oopsy.report.model import DecodeResult
from oopsy.report.parse import build_report
from oopsy.report.segment import clean_lines, split_reports

# Lines that only another architecture prints (x86_64 show_regs / oops banner).
_OTHER_ARCH = re.compile(r"^(RIP: [0-9a-f]{4}:|RAX: [0-9a-f]{16}|Oops: [0-9a-f]{4} \[#\d+\]|"
                         r"pc : |lr : |x29: [0-9a-f]{16})")


# A module list, a hardware line or a "cut here" marker alone is not a report.
_CONTEXT_ONLY = {"modules", "hardware", "info", "cut_here", "end_trace", None}


def _substantive(group: list) -> bool:
    return any(line.kind not in _CONTEXT_ONLY for line in group)


def read_input(path: str) -> bytes:
    """Bytes of a file, or of standard input for `-`."""
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise OopsyError(f"cannot read: {exc.strerror}", source=path) from None


def decode_text(data: bytes, source: str) -> DecodeResult:
    """Find, parse and explain every ia64 report in `data`."""
    lines, notes = clean_lines(data, source)
    parsed = parse_lines(lines)
    groups, unrelated = split_reports(parsed)
    for group in [g for g in groups if not _substantive(g)]:
        groups.remove(group)
        unrelated += sum(line.joined for line in group)
    reports = [analyze(build_report(group)) for group in groups]
    total = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    if not reports:
        foreign = next((line for line in lines if _OTHER_ARCH.match(line.text)), None)
        if foreign is not None:
            raise OopsyError(f"this looks like a report from another architecture "
                             f"({foreign.text.split()[0]} line); oopsy decodes ia64 reports",
                             source=source, line=foreign.number)
        raise OopsyError(f"no ia64 oops, panic or corruption report found in {total} line(s)",
                         source=source, line=1)
    return DecodeResult(source=source, reports=reports, total_lines=total,
                        unrelated_lines=unrelated, notes=notes)


def decode_file(path: str, vmlinux=None, system_map=None, modules=None) -> DecodeResult:
    source = "<stdin>" if path == "-" else path
    result = decode_text(read_input(path), source)
    if vmlinux or system_map or modules:
        from oopsy.report.symbolize import symbolize_result

        symbolize_result(result, vmlinux=vmlinux, system_map=system_map, modules=modules)
    return result
