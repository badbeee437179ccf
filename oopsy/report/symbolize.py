"""Symbolize decoded reports against a vmlinux / System.map / module directory.

Per frame: `function+off/size` re-derived from the ELF, file:line and the inlined chain;
for the faulting ip also the disassembled bundle and its neighbours. For a NULL+offset or
poison+offset fault, the struct members at that offset in the guilty function's pointer
parameters. And a warning when the ELF does not belong to the oops.
"""

from __future__ import annotations

from oopsy.errors import OopsyError
from oopsy.report import poison
from oopsy.ia64.unwind import check_bsp_chain, sol_from_code
from oopsy.report.hints import LEAVE_KERNEL, PAGE_SIZE
from oopsy.report.model import DecodeResult, Hint, Report, SourceInfo, SymbolRef
from oopsy.symbols.resolve import Resolved, Symbolizer

DISASSEMBLY_CONTEXT = 2  # bundles before and after the faulting one


def symbolize_result(result: DecodeResult, vmlinux=None, system_map=None, modules=None,
                     arch: str | None = "ia64") -> None:
    """Symbolize every report; `arch` is the reports' architecture (None: accept any ELF,
    for benchmarks on another architecture's vmlinux)."""
    symbolizer = Symbolizer.open(vmlinux=vmlinux, system_map=system_map, modules=modules, arch=arch)
    try:
        for report in result.reports:
            symbolize_report(report, symbolizer)
        result.notes.extend(symbolizer.warnings)
    finally:
        symbolizer.close()


def _source(resolved: Resolved | None) -> SourceInfo | None:
    if resolved is None:
        return None
    return SourceInfo(
        function=resolved.name, file=resolved.file, line=resolved.line,
        inlined=[{"function": f.function, "file": f.file, "line": f.line} for f in resolved.inlined],
    )


def _resolve(symbolizer: Symbolizer, address: int, symbol: SymbolRef | None,
             return_address: bool = False) -> Resolved | None:
    module = symbol.module if symbol is not None else None
    if module is not None and symbol.name is not None:
        return symbolizer.resolve_symbol(symbol.name, symbol.offset, module)
    return symbolizer.resolve(address, return_address=return_address)


def _is_return_address(report: Report, index: int) -> bool:
    """Trace ips are return addresses (the bundle after the br.call, facts §5), except
    the first frame and a frame interrupted under ia64_leave_kernel (its cr.iip)."""
    if index == 0:
        return False
    above = report.frames[index - 1].symbol
    return not (above is not None and above.name in LEAVE_KERNEL)


def symbolize_report(report: Report, symbolizer: Symbolizer) -> None:
    symbolizer.prepare([f.ip for f in report.frames if f.symbol is None or f.symbol.module is None])
    resolved_count = 0
    for index, frame in enumerate(report.frames):
        resolved = _resolve(symbolizer, frame.ip, frame.symbol, _is_return_address(report, index))
        frame.source = _source(resolved)
        if resolved is not None:
            resolved_count += 1
            if frame.symbol is None or frame.symbol.name is None:
                frame.symbol = SymbolRef(resolved.name, resolved.offset, resolved.size, resolved.module)
    info: dict = {"frames": len(report.frames), "frames_resolved": resolved_count}

    ip = (report.ip or {}).get("value")
    if ip is not None:
        resolved = _resolve(symbolizer, ip, report.ip.get("symbol"))
        report.ip["source"] = _source(resolved)
        if report.ip.get("symbol") is None and resolved is not None:
            report.ip["symbol"] = SymbolRef(resolved.name, resolved.offset, resolved.size, resolved.module)
        report.disassembly = _disassemble(symbolizer, ip, report.ip.get("symbol"))

    printed = [(f.ip, f.symbol.name, f.symbol.offset, f.symbol.size) for f in report.frames
               if f.symbol is not None and f.symbol.name is not None and f.symbol.module is None]
    sym = (report.ip or {}).get("symbol")
    if ip is not None and sym is not None and sym.name is not None and sym.module is None:
        printed.insert(0, (ip, sym.name, sym.offset, sym.size))
    mismatch = symbolizer.check_frames(printed)
    info.update({"checked": mismatch.checked, "differing": len(mismatch.differing),
                 "matches": mismatch.matches})
    if not mismatch.matches:
        info["message"] = mismatch.message
        report.hints.append(Hint("vmlinux-mismatch", mismatch.message + ": symbols, lines and "
                                 "disassembly below are from another build than the oops",
                                 {"differing": [{"ip": ip_, "printed": p, "vmlinux": d}
                                                for ip_, p, d in mismatch.differing]}))
    _member_hint(report, symbolizer)
    _bsp_chain_hint(report, symbolizer, info)
    report.symbolization = info


def _disassemble(symbolizer: Symbolizer, ip: int, symbol: SymbolRef | None) -> list[str]:
    if symbolizer.elf is None or (symbol is not None and symbol.module is not None):
        return []
    from oopsy.ia64.disasm import disassemble_around

    def name_of(address: int) -> str | None:
        found = symbolizer.resolve(address)
        return f"{found.name}+{found.offset:#x}" if found is not None and found.name else None

    try:
        return disassemble_around(symbolizer.elf.read, ip, DISASSEMBLY_CONTEXT, DISASSEMBLY_CONTEXT, name_of)
    except (OopsyError, ValueError):
        return []


def _bsp_chain_hint(report: Report, symbolizer: Symbolizer, info: dict) -> None:
    """Check each caller's bsp against its callee's and the caller's own alloc (facts §3.4).

    A frame interrupted under ia64_leave_kernel follows the cover rule instead (its whole
    sof, checked against cr.ifs by the interrupted-frame hint), so the chain is checked in
    the stretches between such frames.
    """
    if symbolizer.elf is None:
        return

    def read(address: int, size: int) -> bytes | None:
        try:
            return symbolizer.elf.read(address, size)
        except OopsyError:
            return None

    sols: dict[int, int | None] = {}

    def sol_of(ip: int) -> int | None:
        if ip not in sols:
            found = symbolizer.resolve(ip)
            known = found is not None and found.name is not None and found.module is None
            sols[ip] = sol_from_code(read, ip - found.offset, ip) if known else None
        return sols[ip]

    stretches, current = [], []
    for index, frame in enumerate(report.frames):
        if frame.bsp is None:
            current = []
            continue
        current.append((index, frame))
        if frame.symbol is not None and frame.symbol.name in LEAVE_KERNEL:
            stretches.append(current)
            current = []
    stretches.append(current)
    checked, bad = 0, []
    for stretch in stretches:
        pairs = [(frame.ip, frame.bsp) for _, frame in stretch]
        checked += sum(1 for _, frame in stretch[1:] if sol_of(frame.ip) is not None)
        for position, expected, reported in check_bsp_chain(pairs, sol_of):
            index, frame = stretch[position]
            frame.reliable = False
            name = frame.symbol.name if frame.symbol else f"{frame.ip:#x}"
            bad.append({"frame": index, "function": name, "expected_bsp": expected, "bsp": reported})
    info["bsp_pairs_checked"] = checked
    info["bsp_mismatches"] = len(bad)
    if bad:
        listed = "; ".join(f"#{b['frame']} {b['function']}: bsp {b['bsp']:#x}, its alloc says "
                           f"{b['expected_bsp']:#x}" for b in bad)
        report.hints.append(Hint("bsp-chain-vmlinux", "the bsp chain disagrees with the frame sizes "
                                 f"the vmlinux's alloc instructions give: {listed}", {"mismatches": bad}))
    elif checked:
        report.hints.append(Hint("bsp-chain-vmlinux", f"the bsp chain agrees with the vmlinux: for all "
                                 f"{checked} caller frames, bsp = the callee's bsp minus the caller's "
                                 "size of locals from its alloc", {"checked": checked}))


def _member_hint(report: Report, symbolizer: Symbolizer) -> None:
    """Name the struct member a NULL+offset or poison+offset fault was reaching for."""
    addr = report.fault_address
    if addr is None or report.guilty is None:
        return
    if addr < PAGE_SIZE:
        offset = addr
    else:
        match = poison.match(addr)
        if match is None or match.offset <= 0:
            return
        offset = match.offset
    members = symbolizer.struct_members_at(report.guilty, offset)
    if members:
        report.hints.append(Hint("struct-member", f"{offset:#x} is {', or '.join(members)} "
                                 f"(pointer parameters of {report.guilty})",
                                 {"offset": offset, "members": members}))
