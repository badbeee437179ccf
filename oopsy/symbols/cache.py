"""The persistent symbol index: one SQLite file per ELF, keyed by its build-id (or sha256).

Lives in $XDG_CACHE_HOME/oopsy (default ~/.cache/oopsy), named after the build-id and
the file size (a stripped copy shares the build-id), or the sha256 without a build-id. Opening an ELF the first time
stores its symbols and the address ranges of its compilation units (cheap); a unit's line
rows and function/inline ranges are digested by dwarf.py the first time an address falls
in it, then stored, so a later run against the same ELF answers from SQLite without
parsing any DWARF. `index_all` digests every unit up front (with a progress bar).
"""

from __future__ import annotations

import os
import sqlite3
import sys
from contextlib import contextmanager
from pathlib import Path

from oopsy.errors import OopsyError
from oopsy.symbols import dwarf as dw
from oopsy.symbols.elf import PARSE_ERRORS, ElfImage

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE sections(name TEXT, lo INTEGER, hi INTEGER);
-- one row per distinct symbol address: the symbol kallsyms-style lookups report there,
-- `span` = distance to the next symbol address, `hi` = end of the area it covers.
CREATE TABLE symbols(lo INTEGER PRIMARY KEY, name TEXT, size INTEGER, span INTEGER, hi INTEGER);
CREATE TABLE names(name TEXT PRIMARY KEY, lo INTEGER, size INTEGER, span INTEGER);
-- non-object symbols per section, the ones addr2line names a function after when DWARF
-- has none.
CREATE TABLE code_symbols(section TEXT, lo INTEGER, size INTEGER, name TEXT, file TEXT, seq INTEGER);
CREATE INDEX code_symbols_at ON code_symbols(section, lo);
CREATE TABLE units(lo INTEGER, hi INTEGER, unit INTEGER);
CREATE INDEX units_at ON units(lo);
CREATE TABLE units_done(unit INTEGER PRIMARY KEY, max_range INTEGER);
CREATE TABLE files(unit INTEGER, id INTEGER, path TEXT, PRIMARY KEY(unit, id));
CREATE TABLE lines(unit INTEGER, lo INTEGER, hi INTEGER, file INTEGER, line INTEGER, discriminator INTEGER);
CREATE INDEX lines_at ON lines(unit, lo);
CREATE TABLE functions(die INTEGER PRIMARY KEY, unit INTEGER, name TEXT, caller INTEGER, call_file TEXT, call_line INTEGER);
CREATE TABLE function_ranges(unit INTEGER, lo INTEGER, hi INTEGER, die INTEGER);
CREATE INDEX function_ranges_at ON function_ranges(unit, lo);
CREATE TABLE members(function TEXT, offset INTEGER, result TEXT, PRIMARY KEY(function, offset));
"""

# SQLite integers are signed 64-bit; kernel addresses are not. Store addresses biased.
_BIAS = 1 << 63


def _db(address: int) -> int:
    return address - _BIAS


def _host(value: int) -> int:
    return value + _BIAS


def _clamp(value: int) -> int:
    """A size or span as a storable non-negative integer."""
    return min(value, _BIAS - 1)


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "oopsy"


@contextmanager
def progress(description: str, total: int):
    """A rich progress bar on stderr when it is a terminal; a silent counter otherwise."""
    if not sys.stderr.isatty():
        yield lambda n=1: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    with bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)


class SymbolIndex:
    """SQLite-backed answers about one ELF: symbols, units, lines, functions."""

    def __init__(self, elf: ElfImage, directory: Path | None = None):
        self.elf = elf
        self._dwarf = None
        # A stripped copy keeps the build-id but not the symbols or DWARF: the file size
        # tells such copies apart.
        build_id = elf.build_id
        size = elf.path.stat().st_size
        self.key = f"{build_id}-{size:x}" if build_id else f"sha256-{elf.sha256}"
        directory = directory or cache_dir()
        self.path: Path | None = directory / f"{self.key}.v{SCHEMA_VERSION}.sqlite"
        self.warnings: list[str] = []
        try:
            directory.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
        except (OSError, sqlite3.Error) as exc:
            self.warnings.append(f"symbol cache unavailable ({exc}); using memory")
            self.path = None
            self.db = sqlite3.connect(":memory:", isolation_level=None)
        self.built_now = False
        if not self._complete():
            self._build()

    # -- building -------------------------------------------------------------------
    @contextmanager
    def _write(self):
        """One write transaction; IMMEDIATE so that concurrent oopsy runs building the
        same index take turns instead of interleaving."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def _complete(self) -> bool:
        try:
            row = self.db.execute("SELECT value FROM meta WHERE key='complete'").fetchone()
        except sqlite3.Error:
            return False
        return row is not None and row[0] == "1"

    def _build(self) -> None:
        elf = self.elf
        with self._write():
            if self._complete():  # another run finished it while we waited
                return
            for table in ("meta", "sections", "symbols", "names", "code_symbols", "units",
                          "units_done", "files", "lines", "functions", "function_ranges", "members"):
                self.db.execute(f"DROP TABLE IF EXISTS {table}")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self.db.execute(statement)
            sections = [
                (s.name, s["sh_addr"], s["sh_addr"] + s["sh_size"])
                for s in elf.sections
                if s["sh_flags"] & 0x2 and s.name
            ]
            self.db.executemany(
                "INSERT INTO sections VALUES (?,?,?)", [(n, _db(lo), _db(hi)) for n, lo, hi in sections]
            )
            with progress(f"indexing {elf.path.name}: symbols, units", 2) as advance:
                self._store_symbols(sections)
                advance()
                if elf.has_dwarf:
                    self._store_units()
                advance()
            self.db.execute("INSERT INTO meta VALUES ('path', ?)", (str(elf.path),))
            self.db.execute("INSERT INTO meta VALUES ('complete', '1')")
        self.built_now = True

    def _store_symbols(self, sections) -> None:
        elf = self.elf
        symbols = elf.symbols
        section_end = {name: hi for name, _lo, hi in sections}
        rows = []
        distinct = sorted({s.address for s in symbols})
        nxt_of = {a: (distinct[i + 1] if i + 1 < len(distinct) else None) for i, a in enumerate(distinct)}
        seen = set()
        for sym in symbols:  # sorted: the first at an address is the one lookups report
            if sym.address in seen:
                continue
            seen.add(sym.address)
            nxt = nxt_of[sym.address]
            span = (nxt - sym.address) if nxt is not None else 0
            if sym.size:
                hi = sym.address + sym.size
            else:
                hi = nxt if nxt is not None else (1 << 64) - 1
                if not elf.is_relocatable and sym.section in section_end:
                    hi = min(hi, section_end[sym.section])
            hi = min(hi, (1 << 64) - 1)
            rows.append((_db(sym.address), sym.name, _clamp(sym.size), _clamp(span), _db(hi)))
        self.db.executemany("INSERT INTO symbols VALUES (?,?,?,?,?)", rows)
        names = {}
        for sym in symbols:
            if sym.name not in names:
                nxt = nxt_of[sym.address]
                span = (nxt - sym.address) if nxt else 0
                names[sym.name] = (sym.name, _db(sym.address), _clamp(sym.size), _clamp(span))
        self.db.executemany("INSERT INTO names VALUES (?,?,?,?)", names.values())
        self.db.executemany(
            "INSERT INTO code_symbols VALUES (?,?,?,?,?,?)",
            [
                (section, _db(address), _clamp(size or 1), name, file, seq)
                for seq, (name, address, size, section, file) in enumerate(elf.code_symbols())
            ],
        )

    def _store_units(self) -> None:
        try:
            rows = [(_db(lo), _db(hi), unit) for lo, hi, unit in dw.cu_ranges(self.dwarf)]
        except PARSE_ERRORS as exc:
            self.warnings.append(f"{self.elf.path}: unreadable DWARF unit table ({exc})")
            rows = []
        self.db.executemany("INSERT INTO units VALUES (?,?,?)", rows)

    @property
    def dwarf(self):
        if self._dwarf is None:
            self._dwarf = self.elf.dwarf_info()
        return self._dwarf

    def index_all(self) -> int:
        """Digest every compilation unit now; returns how many were parsed."""
        units = [u for (u,) in self.db.execute(
            "SELECT DISTINCT unit FROM units WHERE unit NOT IN (SELECT unit FROM units_done)"
        )]
        with progress(f"indexing {self.elf.path.name}", len(units)) as advance:
            for unit in units:
                self.ensure_unit(unit)
                advance()
        return len(units)

    def prepare(self, addresses) -> int:
        """Digest the units holding `addresses` that are not indexed yet (progress bar)."""
        todo = []
        for address in addresses:
            for unit in self.units_at(address):
                if unit not in todo and not self.db.execute(
                    "SELECT 1 FROM units_done WHERE unit=?", (unit,)
                ).fetchone():
                    todo.append(unit)
        if todo:
            with progress(f"indexing {self.elf.path.name}", len(todo)) as advance:
                for unit in todo:
                    self.ensure_unit(unit)
                    advance()
        return len(todo)

    def ensure_unit(self, unit: int) -> bool:
        """Parse and store one unit unless it already is; False when its DWARF is broken."""
        if self.db.execute("SELECT 1 FROM units_done WHERE unit=?", (unit,)).fetchone():
            return True
        try:
            data = dw.read_unit(self.dwarf, unit)
        except OopsyError:
            raise
        except PARSE_ERRORS + (NotImplementedError, TypeError, AttributeError) as exc:
            self.warnings.append(f"{self.elf.path}: unit at {unit:#x} unreadable ({exc})")
            return False
        with self._write():
            if self.db.execute("SELECT 1 FROM units_done WHERE unit=?", (unit,)).fetchone():
                return True  # another run stored it meanwhile
            self.db.executemany(
                "INSERT INTO files VALUES (?,?,?)", [(unit, i, p) for i, p in enumerate(data.files)]
            )
            self.db.executemany(
                "INSERT INTO lines VALUES (?,?,?,?,?,?)",
                [(unit, _db(lo), _db(hi), f, ln, d) for lo, hi, f, ln, d in data.lines],
            )
            self.db.executemany(
                "INSERT OR REPLACE INTO functions VALUES (?,?,?,?,?,?)",
                [(f.die, unit, f.name, f.caller, f.call_file, f.call_line) for f in data.functions.values()],
            )
            self.db.executemany(
                "INSERT INTO function_ranges VALUES (?,?,?,?)",
                [(unit, _db(lo), _db(hi), die) for lo, hi, die in data.ranges],
            )
            longest = max((hi - lo for lo, hi, _ in data.ranges), default=0)
            self.db.execute("INSERT INTO units_done VALUES (?,?)", (unit, longest))
        return True

    # -- queries --------------------------------------------------------------------
    @property
    def has_symbols(self) -> bool:
        return self.db.execute("SELECT 1 FROM symbols LIMIT 1").fetchone() is not None

    def symbol_at(self, address: int) -> tuple[str, int, int, int] | None:
        """(name, start, size, span) of the symbol covering `address`, like ElfImage.lookup."""
        row = self.db.execute(
            "SELECT name, lo, size, span, hi FROM symbols WHERE lo <= ? ORDER BY lo DESC LIMIT 1",
            (_db(address),),
        ).fetchone()
        if row is None or address >= _host(row[4]):
            return None
        return row[0], _host(row[1]), row[2], row[3]

    def symbol_named(self, name: str) -> tuple[int, int, int] | None:
        row = self.db.execute("SELECT lo, size, span FROM names WHERE name=?", (name,)).fetchone()
        return (_host(row[0]), row[1], row[2]) if row else None

    def section_at(self, address: int) -> str | None:
        row = self.db.execute(
            "SELECT name FROM sections WHERE lo <= ? AND ? < hi ORDER BY lo DESC LIMIT 1",
            (_db(address), _db(address)),
        ).fetchone()
        return row[0] if row else None

    def code_symbol_before(self, address: int, section: str) -> tuple[str, str | None] | None:
        """addr2line's fallback (name, file): nearest non-object symbol at or below
        `address` in `section`, the larger on a tie, then the first in the table."""
        row = self.db.execute(
            "SELECT name, file FROM code_symbols WHERE section=? AND lo <= ? "
            "ORDER BY lo DESC, size DESC, seq ASC LIMIT 1",
            (section, _db(address)),
        ).fetchone()
        return (row[0], row[1]) if row else None

    def units_at(self, address: int) -> list[int]:
        rows = self.db.execute(
            "SELECT unit FROM units WHERE lo <= ? AND ? < hi ORDER BY lo DESC",
            (_db(address), _db(address)),
        ).fetchall()
        return list(dict.fromkeys(u for (u,) in rows))

    def line_at(self, unit: int, address: int) -> tuple[str, int, int] | None:
        row = self.db.execute(
            "SELECT l.hi, f.path, l.line, l.discriminator FROM lines l JOIN files f "
            "ON f.unit = l.unit AND f.id = l.file WHERE l.unit=? AND l.lo <= ? "
            "ORDER BY l.lo DESC LIMIT 1",
            (unit, _db(address)),
        ).fetchone()
        if row is None or address >= _host(row[0]):
            return None
        return row[1], row[2], row[3]

    def innermost_function(self, unit: int, address: int) -> int | None:
        """DIE offset of the smallest function range holding `address` (later DIE on ties)."""
        longest = self.db.execute("SELECT max_range FROM units_done WHERE unit=?", (unit,)).fetchone()
        if longest is None:
            return None
        a = _db(address)
        row = self.db.execute(
            "SELECT die FROM function_ranges WHERE unit=? AND lo <= ? AND lo >= ? AND hi > ? "
            "ORDER BY hi - lo ASC, die DESC LIMIT 1",
            (unit, a, max(a - longest[0], -_BIAS), a),
        ).fetchone()
        return row[0] if row else None

    def function(self, die: int) -> tuple[str | None, int | None, str | None, int]:
        row = self.db.execute(
            "SELECT name, caller, call_file, call_line FROM functions WHERE die=?", (die,)
        ).fetchone()
        return row if row else (None, None, None, 0)

    def cached_members(self, function: str, offset: int) -> list[str] | None:
        row = self.db.execute(
            "SELECT result FROM members WHERE function=? AND offset=?", (function, offset)
        ).fetchone()
        return None if row is None else [r for r in row[0].split("\n") if r]

    def store_members(self, function: str, offset: int, result: list[str]) -> None:
        with self._write():
            self.db.execute(
                "INSERT OR REPLACE INTO members VALUES (?,?,?)", (function, offset, "\n".join(result))
            )

    def close(self) -> None:
        self.db.close()
