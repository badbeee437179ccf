"""Open a recorded trace and answer the elementary questions every command builds on:
where was step N (ip, slot, qp), which instruction is that, who last wrote a register
or a memory address before step N, what did step N write.

All lookups are single B-tree descents on the clustered keys of schema.sql:
runs(step), reg_write(reg, step), mem_write(addr, step, kind).
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from oopsy.errors import OopsyError
from oopsy.ia64.decode import Instruction, decode_bundle
from oopsy.trace.names import KIND_NAMES, REG_IDS, REG_NAMES, canonical_register, from_sql, to_sql
from oopsy.trace.record import SCHEMA_VERSION

_RSE_FILL = KIND_NAMES.index("rse_fill")


@dataclass(frozen=True)
class Write:
    """One recorded write: a register (`reg` name) or memory (`addr`, `size`, `kind`)."""

    step: int
    value: int
    reg: str | None = None
    nat: int = 0
    addr: int | None = None
    size: int = 8
    kind: str = ""

    @property
    def location(self) -> str:
        return self.reg if self.reg is not None else f"[{self.addr:#x}]"


class Trace:
    """A trace database opened for reading (and for `why`'s provenance rows)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.source = str(path)
        if not self.path.is_file():
            raise OopsyError("no such trace file", source=self.source)
        try:
            self.db = sqlite3.connect(f"file:{self.path}?mode=rw", uri=True, isolation_level=None)
            rows = self.db.execute("SELECT key, value FROM meta").fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                raise OopsyError("not an oopsy trace (no meta table)", source=self.source) from None
            raise OopsyError(f"cannot open the trace: {exc}", source=self.source) from None
        except sqlite3.DatabaseError as exc:
            raise OopsyError(f"not an oopsy trace ({exc})", source=self.source) from None
        self.meta = dict(rows)
        version = self.meta.get("schema_version")
        if not isinstance(version, int):
            raise OopsyError("not an oopsy trace (no schema_version in meta)", source=self.source)
        if version > SCHEMA_VERSION:
            raise OopsyError(f"trace schema version {version} is newer than this oopsy reads "
                             f"({SCHEMA_VERSION}): upgrade oopsy", source=self.source)
        self.steps: int = int(self.meta.get("steps", 0))
        self.status: str = self.meta.get("status", "interrupted")
        self._tmp: tempfile.TemporaryDirectory | None = None
        self._elf = None
        self._last_slot: dict[int, int] = {}

    def close(self) -> None:
        self.db.close()
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ------------------------------------------------------------------ image -----
    def image_path(self) -> Path:
        """The recorded ELF, written out once to a temporary file."""
        if self._tmp is None:
            row = self.db.execute("SELECT name, data FROM image").fetchone()
            if row is None:
                raise OopsyError("the trace holds no image", source=self.source)
            self._tmp = tempfile.TemporaryDirectory(prefix="oopsy-trace-")
            (Path(self._tmp.name) / row[0]).write_bytes(row[1])
            self._image_file = Path(self._tmp.name) / row[0]
        return self._image_file

    @property
    def elf(self):
        if self._elf is None:
            from oopsy.symbols.elf import ElfImage

            self._elf = ElfImage(self.image_path())
        return self._elf

    def symbolize(self, ip: int) -> str:
        """sym+0xoff for an address of the image, else its hex."""
        hit = self.elf.lookup(ip & ~0xF)
        if hit is None:
            return f"{ip:#x}"
        sym, off = hit
        return f"{sym.name}+{off + (ip & 0xF):#x}"

    @lru_cache(maxsize=4096)
    def bundle(self, ip: int):
        """The decoded bundle at `ip`, from the image (or None if outside it)."""
        data = None
        try:
            data = self.elf.read(ip, 16)
        except OopsyError:
            data = None
        if data is None or len(data) < 16:
            return None
        return decode_bundle(data, ip)

    def instruction(self, ip: int, slot: int) -> Instruction | None:
        b = self.bundle(ip)
        return None if b is None else b.at_slot(slot)

    def instruction_text(self, ip: int, slot: int) -> str:
        row = self.db.execute("SELECT slot0, slot1, slot2 FROM bundles WHERE ip = ?", (to_sql(ip),)).fetchone()
        if row is not None and slot < 3 and row[slot] is not None:
            return row[slot]
        insn = self.instruction(ip, slot)
        return insn.text if insn is not None else "??"

    def _last_slot_of(self, ip: int) -> int:
        hit = self._last_slot.get(ip)
        if hit is None:
            row = self.db.execute("SELECT last_slot FROM bundles WHERE ip = ?", (to_sql(ip),)).fetchone()
            if row is not None:
                hit = row[0]
            else:
                b = self.bundle(ip)
                hit = 1 if b is not None and b.is_mlx else 2
            self._last_slot[ip] = hit
        return hit

    # ------------------------------------------------------------------ steps -----
    def check_step(self, step: int) -> int:
        if step < 0 or step >= self.steps:
            raise OopsyError(f"step {step} is beyond the trace (steps 0..{self.steps - 1})"
                             if self.steps else "the trace has no steps", source=self.source)
        return step

    def location(self, step: int) -> tuple[int, int, int]:
        """(bundle ip, slot, qp) of `step`."""
        self.check_step(step)
        row = self.db.execute("SELECT step, ip, slot FROM runs WHERE step <= ? ORDER BY step DESC LIMIT 1",
                              (step,)).fetchone()
        if row is None:
            raise OopsyError(f"no run covers step {step}", source=self.source)
        at, ip, slot = row[0], from_sql(row[1]), row[2]
        while at < step:
            if slot < self._last_slot_of(ip):
                slot += 1
            else:
                ip, slot = ip + 16, 0
            at += 1
        skipped = self.db.execute("SELECT 1 FROM skipped WHERE step = ?", (step,)).fetchone()
        return ip, slot, 0 if skipped else 1

    def fault_step(self) -> int:
        """The step of the interruption that ended the run (oops / fatal signal)."""
        fs = self.meta.get("fault_step")
        if fs is not None:
            return int(fs)
        row = self.db.execute("SELECT max(step) FROM events WHERE kind = 'interruption'").fetchone()
        if row[0] is None:
            raise OopsyError(f"the run did not fault (status {self.status}); give --step", source=self.source)
        return int(row[0])

    def events(self, kind: str | None = None) -> list[tuple[int, str, dict]]:
        sql = "SELECT step, kind, detail FROM events" + (" WHERE kind = ?" if kind else "") + " ORDER BY id"
        return [(s, k, json.loads(d)) for s, k, d in self.db.execute(sql, (kind,) if kind else ())]

    # ----------------------------------------------------------------- writes -----
    def register_id(self, name: str) -> int:
        canon = canonical_register(name)
        if canon is None:
            raise OopsyError(f"unknown register {name!r} (r0-r127, p0-p63, b0-b7, ar.NAME, cr.NAME, psr, cfm)",
                             source=self.source)
        return REG_IDS[canon]

    def reg_before(self, reg: int | str, step: int, after: int = -2) -> Write | None:
        """The last write of register `reg` at a step in (after, step), or None."""
        rid = reg if isinstance(reg, int) else self.register_id(reg)
        row = self.db.execute(
            "SELECT step, value, nat FROM reg_write WHERE reg = ? AND step < ? AND step > ? "
            "ORDER BY step DESC LIMIT 1", (rid, step, after)).fetchone()
        if row is None:
            return None
        return Write(row[0], row[1] & 0xFFFFFFFFFFFFFFFF, reg=REG_NAMES[rid], nat=row[2])

    def reg_value(self, reg: int | str, step: int) -> int:
        """The register's value when step `step` begins (0 if never written)."""
        w = self.reg_before(reg, step)
        return 0 if w is None else w.value

    def mem_before(self, addr: int, size: int, step: int) -> Write | None:
        """The most recent write (not an RSE fill) overlapping [addr, addr+size) before
        `step`. One keyed lookup per possible start address of an overlapping write."""
        best = None
        q = ("SELECT step, kind, size, value FROM mem_write WHERE addr = ? AND step < ? "
             "AND kind <> ? ORDER BY step DESC LIMIT 1")
        for start in range(addr - 7, addr + size):
            row = self.db.execute(q, (to_sql(start & 0xFFFFFFFFFFFFFFFF), step, _RSE_FILL)).fetchone()
            if row is None or start + row[2] <= addr:
                continue
            if best is None or row[0] > best.step:
                best = Write(row[0], row[3] & 0xFFFFFFFFFFFFFFFF, addr=start, size=row[2], kind=KIND_NAMES[row[1]])
        return best

    def writes_at(self, step: int) -> tuple[list[Write], list[Write]]:
        """(register writes, memory writes) reported at `step`. Scans by step: the keys
        are clustered by location, so this reads the whole table (diff and show use it
        for one step at a time)."""
        regs = [Write(s, v & 0xFFFFFFFFFFFFFFFF, reg=REG_NAMES[r], nat=n) for r, s, v, n in self.db.execute(
            "SELECT reg, step, value, nat FROM reg_write WHERE step = ? ORDER BY reg", (step,))]
        mems = [Write(s, v & 0xFFFFFFFFFFFFFFFF, addr=a & 0xFFFFFFFFFFFFFFFF, size=z, kind=KIND_NAMES[k])
                for a, s, k, z, v in self.db.execute(
                    "SELECT addr, step, kind, size, value FROM mem_write WHERE step = ? ORDER BY addr", (step,))]
        return regs, mems

    def fill_at(self, step: int, addr: int) -> int | None:
        """The value the RSE filled from backing-store slot `addr` at `step`, if it did."""
        row = self.db.execute("SELECT value FROM mem_write WHERE addr = ? AND step = ? AND kind = ?",
                              (to_sql(addr), step, _RSE_FILL)).fetchone()
        return None if row is None else row[0] & 0xFFFFFFFFFFFFFFFF


def open_trace(path: str | Path) -> Trace:
    return Trace(path)
