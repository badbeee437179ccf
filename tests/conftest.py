"""Shared test helpers: repository paths and the binutils oracle's availability."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
BINUTILS_PREFIX = "ia64-linux-gnu-"


def binutil(tool: str) -> str | None:
    """Path of ia64-linux-gnu-<tool>, or None when binutils-ia64-linux-gnu is absent."""
    return shutil.which(BINUTILS_PREFIX + tool)


requires_binutils = pytest.mark.skipif(
    binutil("objdump") is None or binutil("as") is None,
    reason="binutils-ia64-linux-gnu not installed (CI installs it)",
)
