"""Render a DecodeResult as readable text (rich; colour only on a terminal) or JSON."""

from __future__ import annotations

import json
from typing import IO

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from oopsy.ia64 import bits
from oopsy.report.model import DecodeResult, Report

_FP_REGISTERS = ("f6", "f7", "f8", "f9", "f10", "f11")
_REGISTER_ORDER = ("psr ifs ip unat pfs rsc rnat bsps pr ldrs ccv fpsr csd ssd b0 b6 b7 "
                   "f6 f7 f8 f9 f10 f11").split()


def emit(result: DecodeResult, fmt: str, out: IO[str]) -> None:
    if fmt == "json":
        json.dump(result.to_json(), out, indent=2)
        out.write("\n")
        return
    # A file or pipe gets no colour and a width that keeps call-trace columns whole.
    console = Console(file=out, highlight=False, width=None if out.isatty() else 160)
    count = len(result.reports)
    console.print(f"[bold]{escape(result.source)}[/]: {count} report{'s' if count != 1 else ''}, "
                  f"{result.total_lines} lines read, {result.unrelated_lines} unrelated")
    for note in result.notes:
        console.print(f"[yellow]note:[/] {escape(note)}")
    for index, report in enumerate(result.reports, start=1):
        console.print()
        render_report(console, report, index, count)


def render_report(console: Console, report: Report, index: int, count: int) -> None:
    span = report.lines
    console.rule(f"[bold]report {index}/{count}[/]  lines {span['first']}-{span['last']}", align="left")
    console.print(f"[bold red]{escape(report.title)}[/]")
    _summary(console, report)
    _registers(console, report)
    _frames(console, report)
    _corruption(console, report)
    _disassembly(console, report)
    _symbolization(console, report)
    if report.hints:
        console.print("\n[bold]Hints[/]")
        for hint in report.hints:
            console.print(f"  • [cyan]{hint.code}[/]: {escape(hint.text)}")
    if report.unparsed:
        console.print(f"\n[bold]Unparsed lines[/] ({len(report.unparsed)})")
        for line in report.unparsed:
            console.print(f"  {line.line}: {escape(line.text)}")


def _field(console: Console, name: str, value: str) -> None:
    console.print(f"  [dim]{name:<12}[/]{escape(value)}")


def _summary(console: Console, report: Report) -> None:
    _field(console, "kind", report.kind)
    if report.headline:
        _field(console, "headline", report.headline)
    if report.fault_address is not None:
        _field(console, "address", f"{report.fault_address:#018x}")
    if report.comm is not None or report.pid is not None:
        cpu = f" on cpu {report.cpu}" if report.cpu is not None else ""
        _field(console, "task", f"{report.comm} (pid {report.pid}){cpu}")
    if report.release:
        _field(console, "kernel", " ".join(x for x in (report.release, report.version) if x))
    if report.taint:
        if report.taint["tainted"]:
            letters = "; ".join(f"{f['letter']} {f['meaning']}" for f in report.taint["flags"])
            _field(console, "taint", letters)
        else:
            _field(console, "taint", "not tainted")
    if report.hardware:
        _field(console, "hardware", " ".join(report.hardware.split()))
    if report.die:
        die = report.die
        text = die["text"] if die["err"] is None else f"{die['text']}, error {die['err']}"
        isr = report.decoded.get("isr")
        if isr:
            text += f" = cr.isr {isr['value']:#x}"
        if die.get("counter") is not None:
            text += f", die counter {die['counter']}"
        _field(console, "die", text)
    if report.bug:
        _field(console, "BUG at", f"{report.bug['file']}:{report.bug['line']}")
    if report.warning:
        label = "checked at" if report.kind == "might-sleep" else "WARNING at"
        _field(console, label, f"{report.warning['file']}:{report.warning['line']} "
                               f"{report.warning.get('function') or ''}".strip())
        if report.warning.get("message"):
            _field(console, "message", report.warning["message"])
    if report.unaligned:
        u = report.unaligned
        _field(console, "unaligned", f"access to {u['address']:#x} at ip {u['ip']:#x} "
                                    f"(bundle {u['bundle']:#x} slot {u['slot']})")
    if report.ip:
        _field(console, "ip", _ip_text(report))
    if report.guilty:
        _field(console, "guilty", report.guilty)
    if report.modules is not None:
        names = " ".join(m["name"] + (f"({m['flags']})" if m["flags"] else "")
                         for m in report.modules["loaded"]) or "(none)"
        last = report.modules.get("last_unloaded")
        if last:
            names += f" [last unloaded: {last['name']}]"
        _field(console, "modules", names)
    if report.panic:
        _field(console, "panic", report.panic["message"])
    if report.page_owner:
        for line in report.page_owner["lines"]:
            _field(console, "page_owner", line)
        for entry in report.page_owner["stack"]:
            _field(console, "", entry)
    for line in report.info:
        _field(console, "info", line)


def _ip_text(report: Report) -> str:
    ip = report.ip
    sym = ip.get("symbol")
    sym_text = sym.text() if sym is not None else ""
    if ip.get("value") is None:
        return sym_text
    return f"{ip['value']:#018x} = bundle {ip['bundle']:#x} slot {ip['slot']}  {sym_text}"


def _flags(fields: dict[str, int], names: tuple[str, ...]) -> str:
    return " ".join(f"{n}={fields[n]}" for n in names if n in fields)


def _decoded_text(report: Report, name: str) -> str:
    d = report.decoded
    if name == "psr" and "psr" in d:
        psr = d["psr"]
        on = [f.name for f in bits.PSR if f.width == 1 and psr[f.name]]
        return f"cpl={psr['cpl']} ri={psr['ri']} on: {' '.join(on) or '-'}"
    if name == "ifs" and "ifs" in d:
        return f"v={d['ifs']['v']} " + bits.frame_text(d["ifs"])
    if name == "pfs" and "pfs" in d:
        pfs = d["pfs"]
        return f"pfm: {bits.frame_text(pfs)}; pec={pfs['pec']} ppl={pfs['ppl']}"
    if name == "rsc" and "rsc" in d:
        return _flags(d["rsc"], ("mode", "pl", "be", "loadrs"))
    if name == "ldrs" and "ldrs" in d:
        return f"{d['ldrs']['dirty_bytes']} dirty bytes = {d['ldrs']['dirty_slots']} slots"
    if name == "pr" and "pr" in d:
        return "set: " + " ".join(d["pr"])
    if name in _FP_REGISTERS and name in d:
        f = d[name]
        if "integer" in f:
            return f"integer {f['integer']:#x}"
        return f"sign={f['sign']} exp={f['exponent']:#x} significand={f['significand']:#x}"
    return ""


def _registers(console: Console, report: Report) -> None:
    regs = report.registers
    if not regs:
        return
    console.print("\n[bold]Registers[/]")
    width = 21 if any(n in regs for n in _FP_REGISTERS) else 16
    for name in _REGISTER_ORDER:
        if name in regs:
            value = f"{regs[name]:0{21 if name in _FP_REGISTERS else 16}x}"
            console.print(f"  {name:<5}{value:<{width}}  {escape(_decoded_text(report, name))}")
    isr = report.decoded.get("isr")
    if isr:
        console.print(f"  {'isr':<5}{isr['value']:016x}{'':<{width - 16}}  "
                      f"{_flags(isr, ('code', 'x', 'w', 'r', 'na', 'sp', 'rs', 'ir', 'ni', 'ei', 'ed'))} "
                      f"({escape(isr['access'])})")
    general = sorted((n for n in regs if n.startswith("r") and n[1:].isdigit()), key=lambda n: int(n[1:]))
    for row in range(0, len(general), 3):
        cells = []
        for name in general[row : row + 3]:
            nat = "*" if name in report.nat_registers else " "
            cells.append(f"{name:<4}{nat}{regs[name]:016x}")
        console.print("  " + "  ".join(cells))


def _frames(console: Console, report: Report) -> None:
    if not report.frames:
        return
    console.print("\n[bold]Call Trace[/]  (regs: the frame's own stacked registers, "
                  "between its bsp and the bsp of the frame above it)")
    table = Table(box=None, padding=(0, 1), show_edge=False)
    for column in ("#", "ip", "slot", "function", "sp", "bsp", "regs"):
        table.add_column(column, justify="right" if column in ("#", "regs") else "left")
    for index, frame in enumerate(report.frames):
        mark = "▶" if index == report.guilty_frame else ""
        name = frame.symbol.text() if frame.symbol else "?"
        if frame.source and frame.source.file:
            name += f"  {frame.source.file}:{frame.source.line}"
        style = "bold" if mark else ("dim" if not frame.reliable else "")
        table.add_row(f"{mark}{index}", f"{frame.bundle:016x}", str(frame.slot), escape(name),
                      f"{frame.sp:016x}" if frame.sp is not None else "",
                      f"{frame.bsp:016x}" if frame.bsp is not None else "",
                      str(frame.rse_regs) if frame.rse_regs is not None else "",
                      style=style)
    console.print(table)


def _corruption(console: Console, report: Report) -> None:
    corruption = report.corruption
    if not corruption or not corruption.get("dump"):
        return
    console.print(f"\n[bold]Corrupted bytes[/] ({corruption.get('broken_bytes')} of {corruption.get('bytes')} "
                  "differ from poison 0xaa)")
    offset = 0
    for row in corruption["dump"]:
        data = bytes.fromhex(row["bytes"])
        cells = " ".join(f"[dim]{b:02x}[/]" if b == 0xAA else f"[bold]{b:02x}[/]" for b in data)
        console.print(f"  +{offset:04x}: {cells}")
        offset += len(data)


def _disassembly(console: Console, report: Report) -> None:
    if not report.disassembly:
        return
    console.print("\n[bold]Code[/] (=> marks the faulting slot)")
    for line in report.disassembly:
        console.print("  " + escape(line))


def _symbolization(console: Console, report: Report) -> None:
    info = report.symbolization
    if not info:
        return
    console.print("\n[bold]Symbolization[/]")
    verdict = info.get("message") or f"all {info['checked']} printed symbols agree with the vmlinux"
    _field(console, "frames", f"{info['frames_resolved']} of {info['frames']} resolved; {verdict}")
    source = (report.ip or {}).get("source")
    if source is not None and (source.file or source.inlined):
        _inline_chain(console, "ip", source)
    for index, frame in enumerate(report.frames):
        if frame.source is not None and frame.source.inlined:
            _inline_chain(console, f"#{index}", frame.source)


def _inline_chain(console: Console, label: str, source) -> None:
    chain = source.inlined or [{"function": source.function, "file": source.file, "line": source.line}]
    for depth, level in enumerate(chain):
        where = f"{level['file'] or '??'}:{level['line'] or '?'}"
        note = " (inlined)" if depth < len(chain) - 1 else ""
        _field(console, label if depth == 0 else "", f"{level['function'] or '??'} at {where}{note}")
