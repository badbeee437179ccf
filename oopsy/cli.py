"""The `oopsy` command line: parses options, calls the library, renders. Nothing else."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from oopsy.errors import OopsyError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Crash-analysis workbench for Linux kernel developers (IA-64 first).",
)



@app.callback()
def _commands() -> None:
    """Crash-analysis workbench for Linux kernel developers (IA-64 first)."""


def _fail(message: str, code: int = 1) -> None:
    typer.echo(f"oopsy: {message}", err=True)
    raise typer.Exit(code)


@app.command()
def decode(
    report: str = typer.Argument(..., help="oops/panic text file, or - for standard input"),
    format: str = typer.Option("text", "--format", "-f", help="text or json"),
    vmlinux: Optional[Path] = typer.Option(None, "--vmlinux", help="kernel ELF to symbolize against"),
    system_map: Optional[Path] = typer.Option(None, "--system-map", help="System.map or /proc/kallsyms dump"),
    modules: Optional[Path] = typer.Option(None, "--modules", help="directory holding NAME.ko files"),
) -> None:
    """Parse, explain and (optionally) symbolize ia64 oops / panic / corruption reports."""
    from oopsy.report import decode_file, render

    if format not in ("text", "json"):
        _fail(f"--format must be text or json, not {format!r}", 2)
    result = decode_file(report, vmlinux=vmlinux, system_map=system_map, modules=modules)
    render.emit(result, format, sys.stdout)
    if not result.reports:
        raise typer.Exit(1)


@app.command()
def symbolize(
    elf: Optional[Path] = typer.Argument(None, help="kernel ELF (vmlinux), with or without DWARF"),
    addresses: Optional[list[str]] = typer.Argument(None, help="hex addresses or NAME+0xOFF; stdin if none"),
    system_map: Optional[Path] = typer.Option(None, "--system-map", help="System.map or /proc/kallsyms dump"),
    modules: Optional[Path] = typer.Option(None, "--modules", help="directory holding NAME.ko files"),
    module: Optional[str] = typer.Option(None, "--module", "-m", help="addresses are .text offsets in NAME.ko"),
    arch: Optional[str] = typer.Option(None, "--arch", help="refuse an ELF of another architecture (ia64, x86_64)"),
    format: str = typer.Option("text", "--format", "-f", help="text, json or addr2line (-f -i -a output)"),
    index_all: bool = typer.Option(False, "--index-all", help="digest all DWARF into the cache now"),
) -> None:
    """addr2line -f -i, faster: symbol+off/size, file:line and inlined chain per address."""
    import json

    from oopsy.symbols import resolve as rs

    if format not in ("text", "json", "addr2line"):
        _fail(f"--format must be text, json or addr2line, not {format!r}", 2)
    if elf is None and system_map is None:
        _fail("give an ELF or --system-map", 2)
    sym = rs.Symbolizer.open(vmlinux=elf, system_map=system_map, modules=modules, arch=arch)
    if index_all and sym.index is not None:
        sym.index.index_all()
    wanted = addresses or [w for line in sys.stdin for w in line.split()]
    numeric = []
    for text in wanted:
        try:
            numeric.append(int(text, 16))
        except ValueError:
            pass
    sym.prepare(numeric, module)  # digests the DWARF units these need, with a progress bar
    found = 0
    out = []
    for text in wanted:
        try:
            address, name, offset = rs.parse_address(text)
        except ValueError:
            _fail(f"not an address or NAME+0xOFF: {text!r}", 2)
        resolved = sym.resolve(address, module) if name is None else sym.resolve_symbol(name, offset, module)
        found += resolved is not None
        if address is None:
            if resolved is None:
                if format == "json":
                    out.append({"input": text, "symbol": None})
                else:
                    typer.echo(f"{text} ?? (no such symbol)")
                continue
            address = resolved.address
        if format == "json":
            out.append(rs.to_json(address, resolved))
        elif format == "addr2line":
            fallback = None if resolved and resolved.inlined else sym.nearest_code_symbol(address, module)
            typer.echo("\n".join([f"0x{address:016x}", *rs.addr2line_lines(resolved, fallback)]))
        else:
            typer.echo("\n".join(rs.describe(address, resolved)))
    if format == "json":
        typer.echo(json.dumps({"warnings": sym.warnings, "addresses": out}, indent=2))
    else:
        for warning in sym.warnings:
            typer.echo(f"oopsy: warning: {warning}", err=True)
    if wanted and not found:
        raise typer.Exit(1)


@app.command()
def disasm(
    elf: Optional[Path] = typer.Argument(None, help="ELF image (vmlinux, module, program)"),
    symbol: Optional[str] = typer.Option(None, "--symbol", "-s", help="disassemble this function"),
    address: Optional[str] = typer.Option(None, "--address", "-a", help="hex start address (bundle)"),
    count: Optional[int] = typer.Option(None, "--count", "-n", help="number of bundles"),
    hex_bytes: Optional[str] = typer.Option(None, "--bytes", help="raw bundle bytes in hex, e.g. '08 10 25 ...'"),
) -> None:
    """IA-64 disassembly in objdump -d format ([MII] templates, ;; stops, <func+0x40> targets)."""
    from oopsy.symbols.disassemble import disasm_command

    lines = disasm_command(str(elf) if elf is not None else None, symbol=symbol, address=address,
                           count=count, hex_bytes=hex_bytes)
    typer.echo("\n".join(lines))


@app.command()
def run(
    program: str = typer.Argument(..., help="ia64 ELF, or a .S source (assembled and linked with binutils)"),
    max_steps: Optional[int] = typer.Option(None, "--max-steps", help="stop after this many steps (slots)"),
    entry: Optional[str] = typer.Option(None, "--entry", help="start at this symbol (or 0x address) instead of the ELF entry"),
) -> None:
    """Emulate an ia64 program: prints its console output, and the oops if it dies."""
    from oopsy.emu.run import main_run

    raise typer.Exit(main_run(program, max_steps, entry))


@app.command()
def record(
    program: str = typer.Argument(..., help="ia64 ELF, or a .S source (assembled and linked with binutils)"),
    output: Path = typer.Option(..., "--output", "-o", help="trace database to write (replaced if it exists)"),
    max_steps: Optional[int] = typer.Option(None, "--max-steps", help="stop after this many steps"),
    entry: Optional[str] = typer.Option(None, "--entry", help="start at this symbol (or 0x address) instead of the ELF entry"),
    checkpoint_interval: int = typer.Option(20_000, "--checkpoint-interval", help="steps between checkpoints"),
) -> None:
    """Emulate a program and record every step into a SQLite trace; prints its console and oops."""
    from oopsy.trace.record import progress_reporter
    from oopsy.trace.record import record as record_trace

    callback, bar = progress_reporter(max_steps)
    try:
        if bar is not None:
            with bar:
                res = record_trace(program, output, max_steps=max_steps, entry=entry,
                                   checkpoint_interval=checkpoint_interval, console=sys.stdout, progress=callback)
        else:
            res = record_trace(program, output, max_steps=max_steps, entry=entry,
                               checkpoint_interval=checkpoint_interval, console=sys.stdout)
    except KeyboardInterrupt:
        _fail(f"interrupted: {output} is readable up to its last batch (status interrupted)", 130)
    if res.run is not None and res.run.status in ("oops", "signal"):
        sys.stdout.write(res.run.text)
    typer.echo(f"oopsy: recorded {res.steps} steps to {output} (status {res.status})", err=True)


@app.command()
def replay(
    trace: Path = typer.Argument(..., help="trace database (oopsy record)"),
    step: Optional[int] = typer.Option(None, "--step", help="show the machine as this step begins"),
    fault: bool = typer.Option(False, "--fault", help="go to the faulting step"),
    show: str = typer.Option("regs,code", "--show", help="sections: regs,rse,stack,code"),
    verify: bool = typer.Option(False, "--verify", help="re-run the whole trace checking every checkpoint hash"),
) -> None:
    """Rebuild the machine at a step (nearest checkpoint + re-execution) and show it."""
    from oopsy.trace import show as show_mod
    from oopsy.trace.replay import Replayer
    from oopsy.trace.tracedb import Trace

    sections = show_mod.parse_sections(show)
    with Trace(trace) as t:
        rp = Replayer(t)
        if verify:
            problems = rp.verify()
            for p in problems:
                typer.echo(f"oopsy: WARNING: {p}", err=True)
            typer.echo(f"verified {t.steps} steps: " + ("MISMATCH" if problems else "every checkpoint hash matches"))
            if problems:
                raise typer.Exit(1)
            if step is None and not fault:
                return
        if step is None:
            step = t.fault_step() if fault or t.meta.get("fault_step") is not None else t.steps - 1
        emu = rp.seek(step)
        for w in rp.warnings:
            typer.echo(f"oopsy: WARNING: {w}", err=True)
        ip, slot, qp = t.location(step)
        typer.echo(f"step {step} of {t.steps} ({t.status}): {ip | slot:#018x} {t.symbolize(ip | slot)}  "
                   f"{t.instruction_text(ip, slot)}" + ("" if qp else "  (predicate false)"))
        typer.echo("\n".join(show_mod.render(emu, sections, lambda a: t.symbolize(a))))


@app.command()
def why(
    trace: Path = typer.Argument(..., help="trace database (oopsy record)"),
    register: Optional[str] = typer.Option(None, "--register", "-r", help="register, e.g. r14, b0, ar.pfs"),
    address: Optional[str] = typer.Option(None, "--address", "-a", help="memory address (hex)"),
    step: Optional[int] = typer.Option(None, "--step", help="the value as this step begins (default: the fault)"),
    size: int = typer.Option(8, "--size", help="bytes at --address (1, 2, 4, 8)"),
    max_hops: int = typer.Option(32, "--max-hops", help="stop the chain after this many hops"),
    format: str = typer.Option("text", "--format", "-f", help="text or json"),
) -> None:
    """Where a register or memory value came from: the provenance chain, hop by hop."""
    from oopsy.trace import why as why_mod
    from oopsy.trace.tracedb import Trace

    if format not in ("text", "json"):
        _fail(f"--format must be text or json, not {format!r}", 2)
    if size not in (1, 2, 4, 8):
        _fail("--size must be 1, 2, 4 or 8", 2)
    with Trace(trace) as t:
        loc, before, walker = why_mod.start_location(t, register, address, step, size)
        chain = walker.chain(loc, before, max_hops)
        walker.save(chain)
        typer.echo(why_mod.to_json(chain) if format == "json" else "\n".join(why_mod.render(chain)))


@app.command()
def first(
    trace: Path = typer.Argument(..., help="trace database (oopsy record)"),
    pattern: str = typer.Option(..., "--pattern", "-p", help="hex value, e.g. 0xaaaaaaaaaaaaaaaa"),
) -> None:
    """The first step at which memory held a pattern, and where."""
    from oopsy.trace.query import first_pattern
    from oopsy.trace.tracedb import Trace

    with Trace(trace) as t:
        hit = first_pattern(t, pattern)
        if hit is None:
            typer.echo(f"{pattern} never written to memory in {t.steps} steps")
            raise typer.Exit(1)
        if hit.step < 0:
            typer.echo(f"{pattern} at {hit.addr:#018x} from the start ({hit.kind}: in the loaded image / setup)")
        else:
            typer.echo(f"step {hit.step}: {hit.addr:#018x} = {pattern} ({hit.size} bytes, {hit.kind}) "
                       f"by {hit.ip:#018x} {hit.where}  {hit.insn}")


@app.command(name="diff")
def diff_cmd(
    a: Path = typer.Argument(..., help="first trace"),
    b: Path = typer.Argument(..., help="second trace"),
) -> None:
    """The first step where two traces differ (ip, predicate or a written value), with both sides."""
    from oopsy.trace.diff import diff, render
    from oopsy.trace.tracedb import Trace

    with Trace(a) as ta, Trace(b) as tb:
        result = diff(ta, tb)
        typer.echo("\n".join(render(result, str(a), str(b))))
    if result.step is not None:
        raise typer.Exit(1)


@app.command()
def query(
    trace: Path = typer.Argument(..., help="trace database (oopsy record)"),
    sql: str = typer.Argument(..., help="SQL, e.g. \"SELECT * FROM mem_writes WHERE kind='rse_spill' LIMIT 5\""),
    format: str = typer.Option("table", "--format", "-f", help="table or json"),
) -> None:
    """Run SQL on a trace (read-only) and print the rows."""
    from oopsy.trace.query import render_json, render_table, run_query

    if format not in ("table", "json"):
        _fail(f"--format must be table or json, not {format!r}", 2)
    cols, rows = run_query(trace, sql)
    typer.echo(render_json(cols, rows) if format == "json" else "\n".join(render_table(cols, rows)))


@app.command()
def scenarios(
    name: Optional[str] = typer.Argument(None, help="scenario to show or record (none: list them)"),
    variant: str = typer.Option("buggy", "--variant", help="buggy or fixed"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="record the variant into this trace"),
) -> None:
    """The shipped seed-bug scenarios: list them, show one, or record one (-o)."""
    from oopsy import scenarios as sc

    if name is None:
        typer.echo("\n".join(sc.listing()))
        return
    if variant not in sc.VARIANTS:
        _fail(f"--variant must be buggy or fixed, not {variant!r}", 2)
    if output is None:
        typer.echo("\n".join(sc.describe(name)))
        return
    res = sc.record(name, variant, output, console=sys.stdout)
    if res.run is not None and res.run.status in ("oops", "signal"):
        sys.stdout.write(res.run.text)
    typer.echo(f"oopsy: recorded {res.steps} steps to {output} (status {res.status})", err=True)


def main() -> None:
    """Console-script entry: run the app, turning OopsyError into one line and exit 1."""
    try:
        app()
    except OopsyError as exc:
        typer.echo(f"oopsy: {exc}", err=True)
        sys.exit(1)
    except BrokenPipeError:
        sys.exit(1)
    except KeyboardInterrupt:
        typer.echo("oopsy: interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
