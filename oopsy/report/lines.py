"""One cleaned log line -> (kind, fields), using the lark grammar in grammars/ia64.lark.

The grammar describes every kind of line an ia64 report contains; this module loads it
(LALR, contextual lexer), turns each parse tree into a `ParsedLine`, and rejoins lines a
mailer or console wrapped by asking the grammar whether the joined text parses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer
from lark.exceptions import LarkError

from oopsy.errors import OopsyError
from oopsy.report.segment import SourceLine

GRAMMARS = Path(__file__).resolve().parents[2] / "grammars"

# Lines long enough to have been wrapped by a mailer (72-80 columns) or a console.
WRAP_WIDTH = 60
# Kinds whose text may continue on the next physical line, and when that is plausible:
# the grammar constrains what these kinds may hold, so a successful join is evidence...
_WRAPPABLE = {"modules", "cpu_info", "register_row", "frame"}
# ...while these end in free text, so they only take a tail they visibly lack.
_INCOMPLETE = {
    "hardware": lambda data: not re.search(r"\d\d/\d\d/\d{4}$", data["name"]),
    "warning": lambda data: data["function"] is None,
    "panic_end": lambda data: not data["closed"],
}
# Kinds a wrapped tail may look like on its own ("__layout_sections+0x370/0x3c0").
_WEAK = {"stack_entry"}
# Known line starts that console garbage may precede ("Starting HAkernel BUG at ...").
_RESYNC = re.compile(r"kernel BUG at |Unable to handle kernel |Kernel panic - not syncing|Call Trace:|"
                     r"Modules linked in:|ip is at |psr : |[^\s\[\]<>:]+\[\d+\]: \S.* -?\d+ \[\d+\]$")


@dataclass
class ParsedLine:
    number: int
    text: str
    kind: str | None  # None: the grammar does not know this line
    data: dict[str, Any] = field(default_factory=dict)
    joined: int = 1  # physical lines this logical line was made of


def _hex(tok: Token) -> int:
    return int(str(tok), 16)


def _symbol(items: list) -> dict[str, Any]:
    for item in items:
        if isinstance(item, dict) and "symbol" in item:
            return item["symbol"]
    return None


class _ToLine(Transformer):
    """Parse tree -> (kind, fields) for every line rule of ia64.lark."""

    def alert_null(self, items):
        return "alert_null", {"address": _hex(items[0])}

    def alert_paging(self, items):
        return "alert_paging", {"address": _hex(items[0])}

    def die_header(self, items):
        comm_pid, text, err, counter = items
        return "die_header", {**_comm_pid(comm_pid), "text": str(text).strip(),
                              "err": int(err), "counter": int(counter)}

    def die_header_2_4(self, items):
        comm_pid, text, err = items
        return "die_header", {**_comm_pid(comm_pid), "text": str(text).strip(), "err": int(err),
                              "counter": None}

    def die_header_open(self, items):
        comm_pid, text = items
        return "die_header_open", {**_comm_pid(comm_pid), "text": str(text).strip()}

    def die_error_tail(self, items):
        return "die_error_tail", {"err": int(items[0]), "counter": int(items[1])}

    def bug_at(self, items):
        path, _, line = str(items[0]).rpartition(":")
        return "bug_at", {"file": path, "line": int(line)}

    def kernel_unaligned(self, items):
        return "kernel_unaligned", {"address": int(items[0], 16), "ip": int(items[1], 16)}

    def user_unaligned(self, items):
        return "user_unaligned", {**_comm_paren(items[0]), "address": int(items[1], 16),
                                  "ip": int(items[2], 16)}

    def fp_assist(self, items):
        return "fp_assist", {**_comm_paren(items[0]), "ip": _hex(items[1]), "isr": _hex(items[2])}

    def module(self, items):
        return {"name": str(items[0]), "flags": str(items[1])[1:-1] if len(items) > 1 else ""}

    def last_unloaded(self, items):
        return ("last", self.module(items))

    def modules(self, items):
        loaded = [i for i in items if isinstance(i, dict)]
        last = next((i[1] for i in items if isinstance(i, tuple)), None)
        return "modules", {"loaded": loaded, "last_unloaded": last}

    def taint(self, items):
        return ("taint", str(items[0]))

    def cpu_info(self, items):
        data: dict[str, Any] = {"cpu": int(items[0]), "pid": int(items[1]), "comm": str(items[2]),
                                "kdump": False, "version": None, "build_id": None}
        for item in items[3:]:
            if isinstance(item, tuple):
                data["taint"] = item[1]
            elif item.type == "KDUMP":
                data["kdump"] = True
            elif item.type == "RELEASE":
                data["release"] = str(item)
            elif item.type == "VERSION":
                version, _, build_id = str(item).rpartition(" ")
                if re.fullmatch(r"[0-9a-f]{40}", build_id):
                    data["version"], data["build_id"] = version, build_id
                else:
                    data["version"] = str(item)
        return "cpu_info", data

    def old_pid_info(self, items):
        return "old_pid_info", {"pid": int(items[0]), "cpu": int(items[1]),
                                "comm": str(items[2]).strip() if len(items) > 2 else ""}

    def might_sleep(self, items):
        path, _, line = str(items[0]).rpartition(":")
        return "might_sleep", {"file": path, "line": int(line)}

    def atomic_state(self, items):
        return "atomic_state", {"text": str(items[0])}

    def task_info(self, items):
        return "task_info", {"task": _hex(items[0]), "thread_info": _hex(items[1])}

    def mm_detail(self, items):
        return "mm_detail", {"field": str(items[0])[:-1], "text": str(items[1]) if len(items) > 1 else ""}

    def hardware(self, items):
        return "hardware", {"name": str(items[0]) if items else ""}

    def register(self, items):
        label = str(items[0]).rstrip(":").strip()
        nat = len(items) == 3
        return (label, _hex(items[-1]), nat)

    def ip_register(self, items):
        return ("ip", _hex(items[1]), False)

    def release_paren(self, items):
        return ("release", str(items[0])[1:-1])

    def register_row(self, items):
        regs, nat, extra = {}, [], {}
        for item in items:
            if item[0] == "taint":
                extra["taint"] = item[1]
            elif item[0] == "release":
                extra["release"] = item[1]
            else:
                label, value, is_nat = item
                regs[label] = value
                if is_nat:
                    nat.append(label)
        return "register_row", {"registers": regs, "nat": nat, **extra}

    def symbol(self, items):
        name_off, _, size = str(items[0]).rpartition("/0x")
        name, _, off = name_off.rpartition("+0x")
        module = str(items[1])[1:-1].split(" ")[0] if len(items) > 1 else None
        return {"symbol": {"name": name, "offset": int(off, 16), "size": int(size, 16), "module": module}}

    def bare_address(self, items):
        return {"symbol": {"name": None, "offset": None, "size": None, "module": None,
                           "address": int(items[0], 16)}}

    def ip_is_at(self, items):
        return "ip_is_at", {"symbol": items[0]["symbol"]}

    def frame_address(self, items):
        return _hex(items[0])

    def call_trace(self, items):
        return "call_trace", {"frames": list(items)}

    def frame_list(self, items):
        return "frame_list", {"frames": list(items)}

    def sched_atomic(self, items):
        return "sched_atomic", {}

    def workqueue(self, items):
        return "workqueue", {"text": str(items[0])}

    def usercopy(self, items):
        return "usercopy", {"message": str(items[0])}

    def page_owner(self, items):
        return "page_owner", {"text": " ".join(str(i) for i in items)}

    def stack_entry(self, items):
        return "stack_entry", {"symbol": items[0]["symbol"]}

    def frame_stack(self, items):
        data = {"sp": _hex(items[0])}
        if len(items) > 1:
            data["bsp"] = _hex(items[1])
        return "frame_stack", data

    def frame_bsp(self, items):
        return "frame_bsp", {"bsp": _hex(items[0])}

    def frame(self, items):
        data: dict[str, Any] = {"ip": items[0], "symbol": _symbol(items[1:])}
        for item in items[1:]:
            if isinstance(item, tuple) and item[0] == "frame_stack":
                data.update(item[1])
        return "frame", data

    def panic(self, items):
        return "panic", {"message": str(items[0]) if items else ""}

    def panic_end(self, items):
        closed = bool(items) and items[-1].type == "PANIC_END_CLOSE"
        text = [str(i) for i in items if i.type == "PANIC_END_TEXT"]
        return "panic_end", {"message": text[0] if text else "", "closed": closed}

    def cut_here(self, items):
        return "cut_here", {}

    def warning(self, items):
        data: dict[str, Any] = {"cpu": None, "pid": None}
        rest = list(items)
        if len(rest) >= 3 and rest[0].type == "INT":
            data["cpu"], data["pid"] = int(rest[0]), int(rest[1])
            rest = rest[2:]
        path, _, line = str(rest[0]).rpartition(":")
        data["file"], data["line"] = path, int(line)
        tail = str(rest[1]).split(None, 1) if len(rest) > 1 else []
        data["function"] = tail[0] if tail else None
        data["message"] = tail[1] if len(tail) > 1 else None
        return "warning", data

    def end_trace(self, items):
        return "end_trace", {"text": str(items[0])}

    def generic_bug(self, items):
        return "generic_bug", {"message": str(items[0])}

    def pagealloc(self, items):
        return "pagealloc", {"what": str(items[0])}

    def hexdump(self, items):
        data = bytes(int(b, 16) for b in str(items[1]).split())
        return "hexdump", {"address": int(str(items[0])[:-1], 16), "bytes": data}

    def info(self, items):
        return "info", {"text": str(items[0])}


def _comm_pid(token: Token) -> dict[str, Any]:
    comm, _, pid = str(token)[:-2].rpartition("[")
    return {"comm": comm, "pid": int(pid)}


def _comm_paren(token: Token) -> dict[str, Any]:
    comm, _, pid = str(token)[:-2].rpartition("(")
    return {"comm": comm, "pid": int(pid)}


@lru_cache(maxsize=None)
def grammar(arch: str = "ia64") -> Lark:
    path = GRAMMARS / f"{arch}.lark"
    if not path.exists():
        raise OopsyError(f"no grammar for architecture {arch!r}", source=str(path))
    return Lark.open(str(path), parser="lalr", lexer="contextual", start="line",
                     transformer=_ToLine(), maybe_placeholders=False)


def parse_text(text: str) -> tuple[str, dict[str, Any]] | None:
    """(kind, fields) of one line of text, or None when the grammar does not match it."""
    try:
        return grammar().parse(text)
    except LarkError:
        return None
    except (ValueError, IndexError):
        return None


def _join(first: SourceLine, second: SourceLine, kind: str | None):
    """The parse of `first` continued by `second`, if the grammar accepts it (as `kind`)."""
    for sep in (" ", ""):
        text = first.text + sep + second.text
        joined = parse_text(text)
        if joined is not None and (kind is None or joined[0] == kind):
            return joined, SourceLine(first.number, text)
    return None


def _may_continue(result) -> bool:
    kind, data = result
    return kind in _WRAPPABLE or (kind in _INCOMPLETE and _INCOMPLETE[kind](data))


def _resync(line: SourceLine):
    """Parse a line from a known report line start that garbage on the console preceded."""
    for match in _RESYNC.finditer(line.text, 1):
        result = parse_text(line.text[match.start():])
        if result is not None:
            return result, SourceLine(line.number, line.text[match.start():])
    return None, line


def parse_lines(lines: list[SourceLine]) -> list[ParsedLine]:
    """Parse every line; rejoin a wrapped line with its continuation when that parses.

    An unknown line is first tried as the head of a wrapped line (joined with the next);
    a line of a kind that may continue takes the following unknown lines as its tail,
    unless such a line is itself the head of a wrapped line.
    """
    out: list[ParsedLine] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        result = parse_text(line.text)
        used = 1
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if result is None and nxt is not None and nxt.number == line.number + 1:
            joined = _join(line, nxt, None)
            if joined is not None:
                result, line = joined
                used = 2
        while result is not None and i + used < len(lines) and _may_continue(result):
            nxt = lines[i + used]
            after = lines[i + used + 1] if i + used + 1 < len(lines) else None
            alone = parse_text(nxt.text)
            if nxt.number != lines[i + used - 1].number + 1 or (alone is not None and alone[0] not in _WEAK):
                break
            if after is not None and after.number == nxt.number + 1 and _join(nxt, after, None):
                break  # the next line is the head of a wrapped line of its own
            joined = _join(line, nxt, result[0])
            if joined is None:
                break
            result, line = joined
            used += 1
        if result is None:
            result, line = _resync(line)
        if result is None:
            out.append(ParsedLine(line.number, line.text, None, {}, used))
        else:
            out.append(ParsedLine(line.number, line.text, result[0], result[1], used))
        i += used
    return out
