"""The decoded report: dataclasses whose `to_json()` is the `oopsy.report/1` contract.

Integers stay integers in JSON (registers, addresses); the text renderer formats them.
Every field a report may lack is None (or an empty list), never invented.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

SCHEMA = "oopsy.report/1"


@dataclass
class SymbolRef:
    """`name+0xoff/0xsize [module]` as kallsyms prints it, or a bare address."""

    name: str | None
    offset: int | None = None
    size: int | None = None
    module: str | None = None

    def text(self) -> str:
        if self.name is None:
            return "?"
        if self.offset is None:
            return self.name
        mod = f" [{self.module}]" if self.module else ""
        return f"{self.name}+{self.offset:#x}/{self.size:#x}{mod}"


@dataclass
class SourceInfo:
    """Where an address comes from in the source, when symbolized against a vmlinux."""

    function: str | None
    file: str | None
    line: int | None
    inlined: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Frame:
    ip: int
    bundle: int
    slot: int
    symbol: SymbolRef | None
    sp: int | None = None
    bsp: int | None = None
    rse_regs: int | None = None  # stacked registers between this frame's bsp and the next's
    reliable: bool = True
    line: int | None = None
    source: SourceInfo | None = None


@dataclass
class Hint:
    code: str
    text: str
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass
class UnparsedLine:
    line: int
    text: str


@dataclass
class Report:
    arch: str = "ia64"
    kind: str = "unknown"
    title: str = ""
    headline: str | None = None
    fault_address: int | None = None
    comm: str | None = None
    pid: int | None = None
    cpu: int | None = None
    release: str | None = None
    version: str | None = None
    taint: dict[str, Any] | None = None
    hardware: str | None = None
    modules: dict[str, Any] | None = None
    die: dict[str, Any] | None = None
    bug: dict[str, Any] | None = None
    warning: dict[str, Any] | None = None
    unaligned: dict[str, Any] | None = None
    registers: dict[str, int] = field(default_factory=dict)
    nat_registers: list[str] = field(default_factory=list)
    decoded: dict[str, Any] = field(default_factory=dict)
    ip: dict[str, Any] | None = None
    frames: list[Frame] = field(default_factory=list)
    guilty_frame: int | None = None  # index into frames, or None when the ip is used
    guilty: str | None = None
    guilty_module: str | None = None
    corruption: dict[str, Any] | None = None
    page_owner: dict[str, Any] | None = None
    panic: dict[str, Any] | None = None
    info: list[str] = field(default_factory=list)
    hints: list[Hint] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)
    unparsed: list[UnparsedLine] = field(default_factory=list)
    symbolization: dict[str, Any] | None = None
    disassembly: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class DecodeResult:
    """Everything one input gave: its reports plus what was not part of any report."""

    source: str
    reports: list[Report]
    total_lines: int
    unrelated_lines: int
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "source": self.source,
            "total_lines": self.total_lines,
            "unrelated_lines": self.unrelated_lines,
            "notes": list(self.notes),
            "reports": [r.to_json() for r in self.reports],
        }
