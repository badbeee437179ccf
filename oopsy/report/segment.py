"""Turn a messy log into clean, numbered lines, and cut it into reports.

Real logs carry printk timestamps (`[   31.915749] `), `<4>` log levels, syslog and
journal prefixes, CRLF line ends, mail quoting and quoted-printable `=3D`, and bytes that
are not UTF-8. `clean_lines` removes all of that while remembering each line's number in
the input; `split_reports` groups the parsed lines into reports and leaves unrelated
lines out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from oopsy.errors import OopsyError


@dataclass
class SourceLine:
    number: int  # 1-based line number in the input
    text: str  # the line with prefixes and surrounding blanks removed


_PREFIXES = [
    re.compile(r"^(?:> ?)+(?=[^\]]|$)"),  # mail quoting (not the ">]" of a wrapped "[<ip>]")
    re.compile(r"^[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d \S+ kernel: ?"),  # syslog
    re.compile(r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d\S* \S+ kernel: ?"),  # ISO syslog/journal
    re.compile(r"^<\d>"),  # printk level
    re.compile(r"^\[?\s*\d+\.\d{6}\]\s?|^\[\s*\d+\.\d+\]\s?"),  # printk timestamp (its "[" may be cut)
    re.compile(r"^\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}\]\s?"),  # dmesg -T
    re.compile(r"^\[\s*[CT]\d+\]\s?"),  # printk caller id
    re.compile(r"^kernel: "),
]
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_QP_ESCAPE = re.compile(r"=([0-9A-F]{2})")


def _decode(raw: bytes) -> tuple[str, bool]:
    try:
        return raw.decode("utf-8"), True
    except UnicodeDecodeError:
        return raw.decode("latin-1"), False


def _looks_binary(data: bytes) -> int | None:
    """1-based line number of the first NUL or control-byte-heavy line, if the data is binary."""
    sample = data[:65536]
    if b"\x00" in sample:
        return sample[: sample.index(b"\x00")].count(b"\n") + 1
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32 or b == 127)
    if sample and controls > len(sample) // 20:
        return 1
    return None


def strip_prefixes(text: str) -> str:
    """Remove log decorations from the front of one line until none is left."""
    while True:
        text = text.strip()
        before = text
        for pattern in _PREFIXES:
            text = pattern.sub("", text, count=1)
        if text == before:
            return text


def clean_lines(data: bytes, source: str) -> tuple[list[SourceLine], list[str]]:
    """Decode and clean `data`; returns the non-blank lines and notes about the input."""
    if not data.strip():
        raise OopsyError("empty input: nothing to decode", source=source, line=1)
    bad_line = _looks_binary(data)
    if bad_line is not None:
        raise OopsyError("binary data, not a kernel log", source=source, line=bad_line)

    notes: list[str] = []
    raw_lines = data.split(b"\n")
    non_utf8 = []
    texts: list[tuple[int, str]] = []
    for number, raw in enumerate(raw_lines, start=1):
        text, ok = _decode(raw.rstrip(b"\r"))
        text = _ANSI_ESCAPE.sub("", text)
        if text.endswith("^M"):  # a carriage return as a mail archive printed it
            text = text[:-2]
        if not ok:
            non_utf8.append(number)
        texts.append((number, text))
    if non_utf8:
        notes.append(f"{len(non_utf8)} line(s) not UTF-8, read as Latin-1 (first: line {non_utf8[0]})")

    if any("=3D" in text for _, text in texts):
        texts = _undo_quoted_printable(texts)
        notes.append("quoted-printable encoding undone (=3D)")

    lines = []
    for number, text in texts:
        text = strip_prefixes(text.rstrip()).strip()
        if text:
            lines.append(SourceLine(number, text))
    return lines, notes


def _undo_quoted_printable(texts: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Join soft line breaks (a trailing `=`) and decode `=XX` escapes."""
    joined: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for number, text in texts:
        if pending is not None:
            number, text = pending[0], pending[1] + text
            pending = None
        if text.endswith("=") and not text.endswith("]---="):
            pending = (number, text[:-1])
            continue
        joined.append((number, text))
    if pending is not None:
        joined.append(pending)
    return [(n, _QP_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), t)) for n, t in joined]


# Kinds of parsed line (see oopsy/report/lines.py) and how they delimit reports.
_STARTERS = {"alert_null", "alert_paging", "bug_at", "cut_here", "pagealloc", "generic_bug",
             "kernel_unaligned", "user_unaligned", "fp_assist", "might_sleep", "sched_atomic",
             "usercopy"}
# die() strings that end in a newline, so that " ERR [N]" follows on the next line
_OPEN_DIE_TEXTS = ("error during unaligned kernel access",)
_ONCE = {"die_header", "cpu_info", "old_pid_info", "call_trace", "panic", "warning", "hardware"}
_MAY_OPEN = {"die_header", "cpu_info", "old_pid_info", "call_trace", "panic", "warning",
             "modules", "register_row", "ip_is_at", "frame", "hexdump"}
_NEVER_OPEN = {"info", "panic_end", "end_trace", "die_error_tail", "frame_stack", "frame_bsp",
               "die_header_open", "workqueue", "page_owner", "stack_entry"}
# Unknown lines tolerated inside a report when report lines follow them.
LOOKAHEAD = 4


def split_reports(parsed: list) -> tuple[list[list], int]:
    """Group parsed lines (objects with .kind) into reports.

    Returns the groups and the number of input lines that belong to no report. Unknown
    lines inside a report are kept in it (they are reported as unparsed); unknown lines
    after its end are left out.
    """
    groups: list[list] = []
    current: list | None = None
    seen: set[str] = set()
    unrelated = 0
    i = 0
    n = len(parsed)

    def close():
        nonlocal current
        if current:
            groups.append(current)
        current = None
        seen.clear()

    _demote_printk_lines(parsed)
    while i < n:
        line = parsed[i]
        kind = "die_header" if line.kind == "die_header_open" else line.kind

        if kind is None:
            if current is not None and _report_continues(parsed, i):
                current.append(line)
            else:
                close()
                unrelated += line.joined
            i += 1
            continue

        starts_new = (
            kind in _STARTERS
            or (kind in _ONCE and kind in seen)
            or (kind == "die_header" and ({"register_row", "call_trace"} & seen))
        )
        if kind == "pagealloc" and current is not None and line.data.get("what") == "corrupted page details":
            starts_new = False  # dump_page() after the dump of the same report
        if current is None or starts_new:
            if kind in _NEVER_OPEN:
                close()
                unrelated += line.joined
                i += 1
                continue
            close()
            current = []
        current.append(line)
        seen.add(kind)
        if kind == "panic_end":
            close()
        i += 1
    close()
    return groups, unrelated


def _demote_printk_lines(parsed: list) -> None:
    """Only the unaligned-access die string ends in a newline: a "name[N]: text" line
    without the " ERR [n]" tail on the next line is an ordinary printk, not die()."""
    for i, line in enumerate(parsed):
        if line.kind != "die_header_open":
            continue
        nxt = parsed[i + 1] if i + 1 < len(parsed) else None
        if not ((nxt is not None and nxt.kind == "die_error_tail") or line.data["text"] in _OPEN_DIE_TEXTS):
            line.kind = None


def _report_continues(parsed: list, i: int) -> bool:
    """Whether a report line (not a new report's first line) follows soon after line i."""
    for line in parsed[i + 1 : i + 1 + LOOKAHEAD]:
        if line.kind is None:
            continue
        if line.kind == "die_header_open":
            return True
        return line.kind not in _STARTERS
    return False
