"""Rebuild the emulated machine at any step of a trace.

`Replayer.seek(N)` restores the nearest checkpoint at or before N and re-executes with
the unrecorded emulator up to N (at most one checkpoint interval). The emulator reads
no host time (ar.itc is the step count), so re-execution is exact; the state hash
stored with each checkpoint is compared after every restore, and `verify()` re-runs
the whole trace checking every checkpoint and the end state. A mismatch is collected in
`warnings` (the CLI prints it loudly): the trace was recorded by an emulator that
behaves differently, or the file was changed.
"""

from __future__ import annotations

from oopsy.emu.run import Emulator
from oopsy.errors import OopsyError
from oopsy.trace import state
from oopsy.trace.tracedb import Trace


class Replayer:
    """An emulator positioned at a step of a trace."""

    def __init__(self, trace: Trace):
        self.trace = trace
        entry = trace.meta.get("entry_option") or None
        self.emu = Emulator.from_elf(trace.image_path(), entry=entry)
        self.emu.kernel.comm = trace.meta.get("comm") or self.emu.kernel.comm
        self.warnings: list[str] = []
        self.step: int | None = None

    @property
    def machine(self):
        return self.emu.machine

    def _restore(self, at_or_before: int) -> int:
        row = self.trace.db.execute(
            "SELECT step, hash, state FROM checkpoints WHERE step <= ? ORDER BY step DESC LIMIT 1",
            (at_or_before,)).fetchone()
        if row is None:
            raise OopsyError("the trace has no checkpoint to start from", source=self.trace.source)
        step, digest, blob = row
        state.restore(self.emu, blob, self.trace.source)
        self.emu.result = None
        got = self.machine.state_hash()
        if got != digest:
            self.warnings.append(f"STATE HASH MISMATCH at checkpoint {step}: trace {digest}, restored {got}")
        return step

    def seek(self, step: int) -> Emulator:
        """The machine as it is when `step` begins (before its instruction runs)."""
        self.trace.check_step(step)
        current = self.machine.steps if self.step is not None else None
        if current is None or current > step or step - current > int(self.trace.meta.get("checkpoint_interval", 1)):
            self._restore(step)
        self._run_to(step)
        self.step = step
        return self.emu

    def _run_to(self, step: int) -> None:
        if self.machine.steps < step:
            result = self.emu.run(max_steps=step)
            if result.status != "limit" or self.machine.steps != step:
                raise OopsyError(f"replay ended at step {self.machine.steps} ({result.status}) before step {step}:"
                                 " the emulator does not reproduce this trace", source=self.trace.source)
            self.emu.result = None

    def verify(self) -> list[str]:
        """Re-run the whole trace from its first checkpoint, comparing the state hash at
        every checkpoint and at the end; returns the mismatches (also in `warnings`)."""
        db = self.trace.db
        rows = db.execute("SELECT step, hash FROM checkpoints ORDER BY step").fetchall()
        if not rows:
            raise OopsyError("the trace has no checkpoint", source=self.trace.source)
        problems = []
        self._restore(rows[0][0])
        for step, digest in rows[1:]:
            self._run_to(step)
            got = self.machine.state_hash()
            if got != digest:
                problems.append(f"STATE HASH MISMATCH at step {step}: trace {digest}, replay {got}")
        end_hash = self.trace.meta.get("end_hash")
        if end_hash and self.trace.status != "interrupted":
            self.emu.result = None
            self.emu.run(max_steps=self.trace.steps)
            got = self.machine.state_hash()
            if got != end_hash:
                problems.append(f"STATE HASH MISMATCH at the end (step {self.trace.steps}): trace {end_hash}, replay {got}")
        self.warnings.extend(problems)
        self.step = None
        return problems
