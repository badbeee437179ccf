"""Shared fixtures' helpers for the trace tests: record the corpus/programs/trace
programs into real SQLite files, and run the CLI as a user would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import CORPUS

PROGRAMS = CORPUS / "programs" / "trace"


def cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "oopsy.cli", *map(str, args)], capture_output=True, text=True)


def record_to(tmp: Path, name: str, **kw) -> Path:
    from oopsy.trace.record import record

    out = tmp / (Path(name).stem + ".db")
    record(PROGRAMS / name, out, **kw)
    return out
