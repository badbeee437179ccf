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
