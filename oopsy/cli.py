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
    entry: Optional[str] = typer.Option(None, "--entry", help="start at this symbol instead of the ELF entry"),
) -> None:
    """Emulate an ia64 program: prints its console output, and the oops if it dies."""
    from oopsy.emu.run import main_run

    raise typer.Exit(main_run(program, max_steps, entry))


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
