"""`oopsy record`: run a program in the emulator and write every step to SQLite.

The `Recorder` implements the emulator's recorder hooks (`oopsy.emu.run` docstring):
the hooks only append tuples to lists; every `batch` steps the lists go to the
database in one transaction (`executemany`), and every `checkpoint_interval` steps a
full machine checkpoint is stored. The database says `status = interrupted` from the
first commit on, and `steps` counts the steps committed so far, so a run that is
killed, interrupted (Ctrl-C) or stopped by a step limit leaves a readable trace up to
its last batch; a run that ends normally is marked `complete` (exit) or `crashed`
(oops, fatal signal).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import oopsy
from oopsy.emu.memory import PAGE_SIZE
from oopsy.emu.run import Emulator, RunResult, assemble
from oopsy.errors import OopsyError
from oopsy.ia64.disasm import render_instruction
from oopsy.ia64.isa import OPERANDS
from oopsy.trace import state
from oopsy.trace.names import KIND_IDS, KIND_NAMES, REG_IDS, REG_NAMES

SCHEMA_VERSION = 1
DEFAULT_CHECKPOINT_INTERVAL = 20_000
DEFAULT_BATCH = 50_000
_TWO64 = 1 << 64
_MAXS = (1 << 63) - 1
_MLX_TEMPLATES = (4, 5)
_BSP_ID = REG_IDS["ar.bsp"]
_CFM_ID = REG_IDS["cfm"]
# registers the emulator reports for frame operations when they *may* have changed
_FRAME_BOOKKEEPING = frozenset(REG_IDS[n] for n in ("ar.bspstore", "ar.rnat", "ar.ec", "psr"))


def schema_sql() -> str:
    return resources.files("oopsy.trace").joinpath("schema.sql").read_text()


def _json_default(obj):
    if isinstance(obj, (bytes, bytearray)):
        return bytes(obj).decode("utf-8", "replace")
    return str(obj)


class Recorder:
    """Recorder hooks writing to an open trace database (see the module docstring)."""

    def __init__(self, db: sqlite3.Connection, *, checkpoint_interval: int = DEFAULT_CHECKPOINT_INTERVAL,
                 batch: int = DEFAULT_BATCH, progress=None):
        self.db = db
        self.interval = checkpoint_interval
        self.batch = batch
        self.progress = progress  # callable(steps) or None
        self.emu: Emulator | None = None
        self.cur = -1  # the step the hooks' reports belong to (-1: before the first)
        self.committed = 0  # steps fully written
        self.runs: list = []
        self.skipped: list = []
        self.regw: list = []
        self.memw: list = []
        self.events: list = []
        self.fault_step: int | None = None
        self._ip = -1
        self._slot = -1
        self._mlx: dict[int, bool] = {}
        self._next_flush = 0
        self._next_checkpoint = 0
        self._bundles_written: set[int] = set()
        self._reg_ids = REG_IDS
        self._frame_op = False
        self._shadow: dict[int, object] = {}
        self._unchanged: set[int] = set()
        self._explicit: dict[tuple[int, int], tuple[int, ...]] = {}
        self._kind_ids = KIND_IDS

    # ------------------------------------------------------------- hooks ----------
    def begin(self, emu: Emulator) -> None:
        self.emu = emu
        m = emu.machine
        ar = list(m.ar)
        ar[17], ar[18], ar[19], ar[44] = m.bsp, m.bspstore, m.rnat, 0  # ar.itc is the step
        values = list(m.gr) + list(m.pr) + list(m.br) + ar + list(m.cr) + [m.psr, m.cfm]
        nats = list(m.nat) + [0] * (len(values) - 128)
        for i, (v, nat) in enumerate(zip(values, nats)):
            if v or nat:
                sv = v - _TWO64 if v > _MAXS else v
                self.regw.append((i, -1, sv, nat))
                self._shadow[i] = (sv, 1) if nat else sv
        self._flush(0)

    def step(self, step: int, ip: int, slot: int, qp: int) -> None:
        if self._frame_op:
            self._settle()
        if step >= self._next_flush:
            self._at_boundary(step, ip, slot)
        self.cur = step
        if not qp:
            self.skipped.append((step,))
        pip = self._ip
        if ip == pip:
            if slot == self._slot + 1:
                self._slot = slot
                return
        elif slot == 0 and ip == pip + 16:
            ps = self._slot
            if ps == 2 or (ps == 1 and self._is_mlx(pip)):
                self._ip = ip
                self._slot = 0
                return
        self.runs.append((step, ip - _TWO64 if ip > _MAXS else ip, slot))
        self._ip = ip
        self._slot = slot

    def reg(self, name: str, value: int, nat: int) -> None:
        rid = self._reg_ids[name]
        if value > _MAXS:
            value -= _TWO64
        sv = (value, 1) if nat else value
        shadow = self._shadow
        if shadow.get(rid, 0) == sv:
            self._unchanged.add(len(self.regw))
        shadow[rid] = sv
        if rid >= _BSP_ID and (rid == _BSP_ID or rid == _CFM_ID):
            self._frame_op = True
        self.regw.append((rid, self.cur, value, nat))

    def _settle(self) -> None:
        """Post-process the rows of the step just finished (all at the end of `regw`).

        For a frame operation (a step that reports cfm or ar.bsp: alloc, br.call,
        br.ret, cover, rfi, loop rotation) the emulator reports a superset of what
        changed, by name. Two kinds of rows are not stored: stacked names at a step that
        moves ar.bsp (renames: the physical register keeps its value and identity, its
        backing-store slot, which is how `why` follows it; fills are rse_fill rows), and
        rows of stacked registers and of the RSE / frame bookkeeping (ar.bspstore,
        ar.rnat, ar.ec, psr) whose value and NaT equal what the name held before
        (nothing changed). Explicit outputs in the ISA operand list (alloc's r1,
        br.call's b1) and everything else reported (ar.pfs of a call ...) are kept.
        `reg` tracks every name's reported value (renames included) in `_shadow` and
        notes the rows that repeat it in `_unchanged`."""
        lst, cur, unchanged = self.regw, self.cur, self._unchanged
        i = len(lst)
        while i and lst[i - 1][1] == cur:
            i -= 1
        rows = lst[i:]
        moved = any(r[0] == _BSP_ID for r in rows)
        explicit = self._explicit_outputs(self._ip, self._slot)
        lst[i:] = [r for k, r in enumerate(rows, i)
                   if r[0] in explicit
                   or not ((moved and 32 <= r[0] < 128)
                           or ((32 <= r[0] < 128 or r[0] in _FRAME_BOOKKEEPING) and k in unchanged))]
        unchanged.clear()
        self._frame_op = False

    def mem(self, addr: int, size: int, value: int, kind: str) -> None:
        if size == 16:  # st16 / ld16: two 8-byte rows, so every row fits a SQLite integer
            self.mem(addr, 8, value & 0xFFFFFFFFFFFFFFFF, kind)
            self.mem(addr + 8, 8, value >> 64, kind)
            return
        self.memw.append((addr - _TWO64 if addr > _MAXS else addr, self.cur, self._kind_ids[kind], size,
                          value - _TWO64 if value > _MAXS else value))

    def event(self, kind: str, detail: dict) -> None:
        if kind == "interruption":
            self.fault_step = self.cur
        self.events.append((self.cur, kind, json.dumps(detail, default=_json_default)))

    def end(self, result: RunResult) -> None:
        if self._frame_op:
            self._settle()
        self._flush(result.steps)

    # ------------------------------------------------------------ writing ---------
    def _explicit_outputs(self, ip: int, slot: int) -> tuple[int, ...]:
        """Register ids the instruction at (ip, slot) names as outputs in the ISA table
        (`alloc r1=...`, `br.call b1=...`): explicit writes, stored even when the name
        held the same value."""
        key = (ip, slot)
        hit = self._explicit.get(key)
        if hit is None:
            hit = ()
            tb = self.emu.translator.cache.get(ip | self.emu.machine.cpl)
            insn = tb.bundle.at_slot(slot) if tb is not None else None
            if insn is not None and insn.op is not None:
                op = insn.op
                names = [f"{OPERANDS[o].text}{v}" for o, v in zip(op.operands[: op.outputs], insn.values)
                         if OPERANDS[o].kind == "reg" and OPERANDS[o].text in ("r", "p", "b")]
                hit = tuple(REG_IDS[n] for n in names if n in REG_IDS)
            self._explicit[key] = hit
        return hit

    def _is_mlx(self, ip: int) -> bool:
        hit = self._mlx.get(ip)
        if hit is None:
            data = self.emu.machine.mem.peek(ip, 1)
            hit = self._mlx[ip] = data is not None and (data[0] & 0x1F) >> 1 in _MLX_TEMPLATES
        return hit

    def _at_boundary(self, step: int, ip: int, slot: int) -> None:
        if step >= self._next_checkpoint:
            self._flush(step, checkpoint=(ip, slot))
            self._next_checkpoint = step + self.interval
        else:
            self._flush(step)
        self._next_flush = min(step + self.batch, self._next_checkpoint)

    def _flush(self, steps_done: int, checkpoint: tuple[int, int] | None = None) -> None:
        """Write everything reported for steps < steps_done in one transaction, and a
        checkpoint of the machine about to run step `steps_done` at `checkpoint` =
        (ip, slot) when given."""
        db = self.db
        with db:
            db.executemany("INSERT OR REPLACE INTO runs VALUES (?, ?, ?)", self.runs)
            db.executemany("INSERT OR REPLACE INTO skipped VALUES (?)", self.skipped)
            db.executemany("INSERT OR REPLACE INTO reg_write VALUES (?, ?, ?, ?)", self.regw)
            db.executemany("INSERT OR REPLACE INTO mem_write VALUES (?, ?, ?, ?, ?)", self.memw)
            db.executemany("INSERT INTO events (step, kind, detail) VALUES (?, ?, ?)", self.events)
            self._write_bundles()
            if checkpoint is not None:
                db.execute("INSERT OR REPLACE INTO checkpoints VALUES (?, ?, ?)",
                           (steps_done, *self._checkpoint(steps_done, *checkpoint)))
            db.execute("UPDATE meta SET value = ? WHERE key = 'steps'", (steps_done,))
        self.runs, self.skipped, self.regw, self.memw, self.events = [], [], [], [], []
        self._unchanged.clear()
        self.committed = steps_done
        if self.progress is not None:
            self.progress(steps_done)

    def _checkpoint(self, step: int, ip: int, slot: int) -> tuple[str, bytes]:
        """(state hash, blob) of the machine about to run `step` at (ip, slot). The step
        loop keeps ip/slot/steps in locals while it runs, so they are set for the
        capture and put back afterwards: the run itself sees no change."""
        m = self.emu.machine
        saved = m.ip, m.slot, m.steps
        m.ip, m.slot, m.steps = ip, slot, step
        try:
            return m.state_hash(), state.capture(self.emu)
        finally:
            m.ip, m.slot, m.steps = saved

    def _write_bundles(self) -> None:
        rows = []
        for key, tb in list(self.emu.translator.cache.items()):
            addr = tb.address
            if addr in self._bundles_written:
                continue
            self._bundles_written.add(addr)
            texts = [render_instruction(i) for i in tb.bundle.instructions] + [None, None]
            rows.append((addr - _TWO64 if addr > _MAXS else addr, len(tb.compiled) - 1, texts[0], texts[1],
                         texts[2] if len(tb.compiled) == 3 else None))
        self.db.executemany("INSERT OR IGNORE INTO bundles VALUES (?, ?, ?, ?, ?)", rows)

    def drop_partial(self) -> None:
        """Forget what the step in progress reported (after an interruption mid-step)."""
        cur = self.cur
        self.runs = [r for r in self.runs if r[0] < cur]
        self.skipped = [r for r in self.skipped if r[0] < cur]
        self.regw = [r for r in self.regw if r[1] < cur]
        self.memw = [r for r in self.memw if r[1] < cur]
        self.events = [r for r in self.events if r[0] < cur]


# ================================================================= the command ======

@dataclass
class RecordResult:
    path: Path
    status: str  # complete | crashed | interrupted
    steps: int
    run: RunResult | None


def create_trace(out: Path, elf: Path, meta: dict) -> sqlite3.Connection:
    """A fresh trace database at `out` (replacing any file there) with the schema, the
    image and the meta rows; committed, status `interrupted` until the run ends."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        p = Path(str(out) + suffix)
        if p.exists():
            p.unlink()
    try:
        db = sqlite3.connect(out, isolation_level=None)
    except sqlite3.Error as exc:
        raise OopsyError(f"cannot create the trace: {exc}", source=str(out)) from None
    db.isolation_level = "DEFERRED"
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = OFF")
    db.execute("PRAGMA cache_size = -262144")
    data = elf.read_bytes()
    with db:
        db.executescript("BEGIN;" + schema_sql() + "COMMIT;")
    with db:
        db.executemany("INSERT INTO registers VALUES (?, ?)", list(enumerate(REG_NAMES)))
        db.executemany("INSERT INTO writer_kinds VALUES (?, ?)", list(enumerate(KIND_NAMES)))
        db.execute("INSERT INTO image VALUES (?, ?, ?)", (elf.name, hashlib.sha256(data).hexdigest(), data))
        rows = {
            "schema_version": SCHEMA_VERSION,
            "oopsy_version": getattr(oopsy, "__version__", "0.1.0"),
            "image_name": elf.name,
            "image_sha256": hashlib.sha256(data).hexdigest(),
            "status": "interrupted",
            "steps": 0,
            # fixed implementation choices of the emulator this trace depends on
            "rse": "lazy (mandatory spills and fills only)",
            "rse_physical_stacked": 96,
            "page_size": PAGE_SIZE,
            "alat": "always-miss",
            **meta,
        }
        db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                       [(k, v if isinstance(v, (int, str)) or v is None else json.dumps(v)) for k, v in rows.items()])
    return db


def finish_trace(db: sqlite3.Connection, status: str, extra: dict) -> None:
    with db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'status'", (status,))
        db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", list(extra.items()))
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("PRAGMA journal_mode = DELETE")
    # the write tables grow at hundreds of insertion points (one per register or
    # address): VACUUM rewrites them with full pages
    db.execute("VACUUM")
    db.close()


def record(program: str | Path, out: str | Path, *, max_steps: int | None = None, entry: str | None = None,
           checkpoint_interval: int = DEFAULT_CHECKPOINT_INTERVAL, batch: int = DEFAULT_BATCH,
           console=None, progress=None) -> RecordResult:
    """Record `program` (an ia64 ELF, or a .S assembled first) into the trace `out`."""
    program, out = Path(program), Path(out)
    if not program.exists():
        raise OopsyError("no such file", source=str(program))
    if checkpoint_interval < 1 or batch < 1:
        raise OopsyError("checkpoint interval and batch must be positive")
    with tempfile.TemporaryDirectory(prefix="oopsy-record-") as tmp:
        elf = assemble(program, Path(tmp)) if program.suffix in (".S", ".s") else program
        comm = program.stem[:15]
        meta = {"entry_option": entry, "comm": comm, "checkpoint_interval": checkpoint_interval,
                "max_steps": max_steps}
        db = create_trace(out, elf, meta)
        rec = Recorder(db, checkpoint_interval=checkpoint_interval, batch=batch, progress=progress)
        status, result = "interrupted", None
        try:
            emu = Emulator.from_elf(elf, entry=entry, recorder=rec, console=console)
            emu.kernel.comm = comm
            with db:
                db.execute("INSERT OR REPLACE INTO meta VALUES ('entry', ?)", (f"{emu.machine.ip:#x}",))
            result = emu.run(max_steps)
            status = {"exit": "complete", "oops": "crashed", "signal": "crashed"}.get(result.status, "interrupted")
            extra = {"result": result.status, "exit_status": result.exit_status,
                     "end_hash": emu.machine.state_hash()}
            if result.status in ("oops", "signal") and rec.fault_step is not None:
                extra["fault_step"] = rec.fault_step
            finish_trace(db, status, extra)
        except KeyboardInterrupt:
            # The interrupt may land inside a batch's commit: never go back behind what
            # the database already holds.
            (committed,) = db.execute("SELECT value FROM meta WHERE key = 'steps'").fetchone()
            rec.cur = max(rec.cur, int(committed), 0)
            rec.drop_partial()
            rec._flush(rec.cur)
            finish_trace(db, "interrupted", {"result": "interrupted"})
            raise
        except BaseException:
            db.close()
            raise
    return RecordResult(out, status, rec.committed, result)


def progress_reporter(total: int | None, stream=None):
    """A rich progress bar on stderr when it is a terminal, else None. Returns
    (callback, context manager)."""
    stream = stream or sys.stderr
    if not stream.isatty() or os.environ.get("TERM") == "dumb":
        return None, None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("recording"), BarColumn(), MofNCompleteColumn(), TextColumn("steps"),
                   TimeElapsedColumn(), console=Console(file=stream), transient=True)
    task = bar.add_task("record", total=total)
    return (lambda steps: bar.update(task, completed=steps)), bar


__all__ = ["record", "Recorder", "RecordResult", "SCHEMA_VERSION", "schema_sql", "progress_reporter"]
