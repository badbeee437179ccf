"""The step loop and the `oopsy run` front end.

One *step* executes one instruction slot: nops, predicated-off instructions and a
faulting instruction each count as one step (as Ski counts), an MLX bundle is two steps
(slot 0, and the L+X instruction at slot 1, facts §5). ar.itc is the step count; nothing
reads host time, so two runs of the same image reach the same `Machine.state_hash()`
after every step.

Usage::

    emu = Emulator.from_elf("prog.elf")          # loads, sets up Linux or kernel mode
    result = emu.run(max_steps=10_000_000)        # resumable: run() again continues
    result.status  # "exit" | "oops" | "signal" | "limit"
    emu.snapshot() / emu.restore(snap)            # checkpoints (machine, memory, kernel)

`IMPLEMENTATION` lists the choices the architecture leaves open (ALAT, RSE eagerness,
speculation, step counting) for a trace header.

Recorder hook API (for `oopsy record`; stable)
----------------------------------------------
Pass ``recorder=`` to `Emulator` (or `Emulator.from_elf`). A recorder is any object
with these methods; the emulator calls them synchronously and never keeps their results:

``begin(emu)``
    once, before the first step; the image is loaded and the initial state set up
    (`emu.machine`, `emu.image`, `emu.kernel`, `emu.translator` are available; memory
    written by the loader and the process setup was reported through ``mem`` already,
    before ``begin``, with kinds ``loader`` / ``kernel``).
``step(step, ip, slot, qp)``
    at the start of every step: step number (0-based, the value ar.itc reads), bundle
    address, slot (0-2), and the qualifying predicate's value (1/0; 1 for instructions
    without one). Every ``reg``/``mem``/``event`` call until the next ``step`` belongs
    to this step.
``reg(name, value, nat)``
    a register the step wrote, with its new value: ``r0``-``r127`` (stacked registers
    by their name in the current frame, after the step's frame change; nat 0/1),
    ``p0``-``p63``, ``b0``-``b7``, ``ar.<name>`` (``ar.pfs``, ``ar.lc``, ``ar.ec``,
    ``ar.bsp``, ``ar.bspstore``, ``ar.rnat``, ``ar.unat``, ``ar.ccv``, ``ar.rsc``,
    ``ar.csd`` ...; ``ar<n>`` for unnamed ones), ``cr.<name>`` (``cr.ipsr``, ``cr.isr``,
    ``cr.iip``, ``cr.ifa``, ``cr.iim``, ``cr.ifs``, ``cr.iva`` ...), ``psr``, ``cfm``.
    Instructions report their outputs when their qp is true (unc compares and loop
    branches also when it is false). Frame changes report the renamed registers too:
    alloc, br.call, br.ret and clrrrb report every stacked register of the frame current
    after the step plus cfm and the RSE registers they move (ar.bsp, ar.bspstore,
    ar.rnat, ar.pfs, ar.ec, psr for a privilege demotion); loop branches with rotation
    report ar.lc/ar.ec, cfm, the rotating registers r32..r32+sor-1 and p16-p63. A few
    rare instructions (break and the syscalls it makes, rfi, moves to ar.rsc/bsp/
    bspstore/rnat) and interruption delivery report every register whose value changed,
    found by comparing the register state before and after the step. A recorder that
    applies every report to a copy of the initial registers ends with the machine's
    final registers (tests/test_emu_programs.py checks this for every program).
    ar.itc is never reported (it is the step number).
``mem(addr, size, value, kind)``
    memory written (little-endian value of `size` bytes), kind ``cpu`` (stores,
    semaphores), ``rse_spill`` (the RSE storing a register or an RNAT word into the
    backing store), ``kernel`` (the emulated kernel: process setup), ``loader``; and
    kind ``rse_fill`` for a backing-store word the RSE loaded into the register file
    (memory is unchanged; it says where a register's value came from).
``event(kind, detail)``
    ``interruption`` {vector, name, iip, slot, ifa, isr, iim, detail}, ``syscall`` {nr, name,
    args, via}, ``syscall_return`` {nr, r8, r10}, ``console`` {fd, data}, ``exit``
    {code}, ``oops`` {text}, ``signal`` {signo, text}, ``limit`` {steps},
    ``unaligned`` {addr, ip, size, store} (a misaligned access the kernel emulated).
``end(result)``
    once, when `run()` returns (also for a step limit).

Cost: with no recorder the step loop runs the handler tuples of translated bundles
(`translate.py`) with no per-step allocation and no hook checks; the recorded loop is a
separate function that calls the hooks, so recording costs nothing when it is off.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from oopsy.emu.execute import Context, GuestExit
from oopsy.emu.faults import ISR_EI_SHIFT, GuestFault, illegal_operation
from oopsy.emu.kernel import LinuxKernel
from oopsy.emu.loader import LoadedImage, load
from oopsy.emu.machine import AR_NAMES, CR_IVA, CR_NAMES, Machine
from oopsy.emu.memory import Memory
from oopsy.emu.translate import Translator
from oopsy.errors import OopsyError

M64 = (1 << 64) - 1

# Implementation choices a trace header records (the architecture leaves them open).
IMPLEMENTATION = {
    "alat": "always miss (ld.a is a plain load, ld.c always reloads, chk.a always branches)",
    "rse": "lazy: mandatory spills and fills only, 96 physical stacked registers",
    "speculation": "ld.s / ld.sa defer every fault into a NaT",
    "steps": "one per slot; an MLX bundle is two (slot 0, L+X at slot 1)",
    "itc": "ar.itc = step number (+ the offset a mov to ar.itc wrote)",
    "page_size": "16 KiB",
}


class NullRecorder:
    """A recorder (the hook API above) that does nothing: a base to override hooks on."""

    def begin(self, emu) -> None:
        pass

    def step(self, step: int, ip: int, slot: int, qp: int) -> None:
        pass

    def reg(self, name: str, value: int, nat: int) -> None:
        pass

    def mem(self, addr: int, size: int, value: int, kind: str) -> None:
        pass

    def event(self, kind: str, detail: dict) -> None:
        pass

    def end(self, result) -> None:
        pass


@dataclass
class RunResult:
    status: str  # exit | oops | signal | limit
    steps: int
    exit_code: int | None = None  # guest exit code (status exit)
    text: str = ""  # oops text or signal message
    console: bytes = b""
    exit_status: int = 0  # what `oopsy run` exits with
    events: list = field(default_factory=list)
    fault: str = ""  # the emulator's explanation of the fatal fault (e.g. the mnemonic)


# ============================================================ register snapshots ====

def _reg_names() -> list[str]:
    names = [f"r{i}" for i in range(128)] + [f"p{i}" for i in range(64)] + [f"b{i}" for i in range(8)]
    names += [f"ar.{AR_NAMES[i]}" if i in AR_NAMES else f"ar{i}" for i in range(128)]
    names += [f"cr.{CR_NAMES[i]}" if i in CR_NAMES else f"cr{i}" for i in range(128)]
    return names + ["psr", "cfm"]


_REG_NAMES = _reg_names()


def register_state(m: Machine) -> list[list[int]]:
    """Every architectural register, in sections (names: `_SECTION_NAMES`): gr, nat, pr,
    br, ar (ar.bsp/bspstore/rnat from the RSE, ar.itc left at 0), cr, [psr, cfm]."""
    ar = list(m.ar)
    ar[17], ar[18], ar[19], ar[44] = m.bsp, m.bspstore, m.rnat, 0
    return [list(m.gr), list(m.nat), list(m.pr), list(m.br), ar, list(m.cr), [m.psr, m.cfm]]


_SECTION_NAMES = (
    tuple(f"r{i}" for i in range(128)), None, tuple(f"p{i}" for i in range(64)),
    tuple(f"b{i}" for i in range(8)), tuple(_REG_NAMES[200 + i] for i in range(128)),
    tuple(_REG_NAMES[328 + i] for i in range(128)), ("psr", "cfm"),
)


def _report_diff(rec, before: list[list[int]], after: list[list[int]], skip: tuple[int, ...] = ()) -> None:
    """Report the registers whose value (or NaT) differs; sections compare at C speed."""
    gb, ga, nb, na = before[0], after[0], before[1], after[1]
    if gb != ga or nb != na:
        names = _SECTION_NAMES[0]
        for i in range(128):
            if (gb[i] != ga[i] or nb[i] != na[i]) and i not in skip:
                rec.reg(names[i], ga[i], na[i])
    for k in (2, 3, 4, 5, 6):
        b, a = before[k], after[k]
        if b != a:
            names = _SECTION_NAMES[k]
            for i in range(len(a)):
                if b[i] != a[i]:
                    rec.reg(names[i], a[i], 0)


# ================================================================== emulator ========

class Emulator:
    """A machine, its memory, the loaded image, the emulated Linux and the step loop."""

    def __init__(self, image: LoadedImage, machine: Machine, *, recorder=None, console=None,
                 comm: str | None = None):
        self.image = image
        self.machine = machine
        self.recorder = recorder
        self.events: list = []
        self.kernel = LinuxKernel(machine, image, comm=comm, console=console, event=self._event)
        self.context = Context(machine, self.kernel.on_break)
        self.translator = Translator(self.context)
        self.result: RunResult | None = None

    @classmethod
    def from_elf(cls, path: str | Path, *, entry: str | int | None = None, recorder=None, console=None,
                 argv: list[str] | None = None) -> Emulator:
        """Load an ia64 ELF and set up the process (user image) or kernel context."""
        memory = Memory()
        if recorder is not None:
            memory.write_hook = recorder.mem
        image = load(path, memory)
        emu = cls(image, Machine(memory), recorder=recorder, console=console)
        start = None
        if isinstance(entry, str) and entry.lower().startswith("0x"):
            try:
                start = int(entry, 16)
            except ValueError:
                raise OopsyError(f"--entry {entry!r} is not a hex address", source=str(path)) from None
        elif isinstance(entry, str):
            sym = image.image.symbol(entry)
            if sym is None:
                raise OopsyError(f"no symbol {entry!r} for --entry", source=str(path))
            start = sym.address
        elif entry is not None:
            start = entry
        emu.kernel.setup(start, argv)
        if recorder is not None:
            report = recorder.mem

            def fills(addr, size, value, kind):  # only RSE fills: other reads are not writes
                if kind == "rse_fill":
                    report(addr, size, value, kind)
            memory.read_hook = fills
            recorder.begin(emu)
        return emu

    def snapshot(self) -> dict:
        """Everything needed to resume here later: machine (with memory) and the emulated
        kernel's own state (console, brk, mmap cursor, die counter). For checkpoints."""
        return {"machine": self.machine.snapshot(include_memory=True), "kernel": self.kernel.snapshot()}

    def restore(self, snap: dict) -> None:
        """Return to a `snapshot()`; translations stay valid (code is not rewritten)."""
        self.machine.restore(snap["machine"])
        self.kernel.restore(snap["kernel"])
        self.result = None

    def _event(self, kind: str, detail: dict) -> None:
        self.events.append((self.machine.steps, kind, detail))
        if self.recorder is not None:
            self.recorder.event(kind, detail)

    # --------------------------------------------------------------- running ------
    def run(self, max_steps: int | None = None) -> RunResult:
        """Run until the program exits, dies, or the step counter reaches `max_steps`."""
        if self.result is not None and self.result.status != "limit":
            return self.result
        limit = (1 << 62) if max_steps is None else max_steps
        if self.recorder is None:
            outcome = self._loop_fast(limit)
        else:
            outcome = self._loop_recorded(limit)
        self.result = self._finish(outcome)
        if self.recorder is not None:
            self.recorder.end(self.result)
        return self.result

    def _finish(self, outcome) -> RunResult:
        m, k = self.machine, self.kernel
        kind, value = outcome
        if kind == "exit":
            self._event("exit", {"code": value})
            return RunResult("exit", m.steps, value, "", bytes(k.console), value, self.events)
        if kind == "limit":
            self._event("limit", {"steps": m.steps})
            return RunResult("limit", m.steps, None, "", bytes(k.console), 0, self.events)
        end = value
        last = next((d for _, kind_, d in reversed(self.events) if kind_ == "interruption"), {})
        return RunResult(end.kind, m.steps, None, end.text, bytes(k.console), end.exit_status, self.events,
                         f"{last.get('name', '')}: {last.get('detail', '')}" if last else "")

    def _interrupt(self, fault: GuestFault, ip: int, slot: int):
        """An interruption at (ip, slot): deliver it through cr.iva, or end the run.
        Returns None when delivered, else the ("fatal", FatalEnd) outcome."""
        m = self.machine
        m.ip, m.slot = ip, slot
        fault.at_slot(slot)  # ISR.ei (facts §5)
        iim = getattr(fault, "iim", None)
        self._event("interruption", {"vector": fault.vector, "name": fault.kind, "iip": ip, "slot": slot,
                                     "ifa": fault.ifa, "isr": fault.isr, "iim": iim,
                                     "detail": fault.detail})
        if not m.cr[CR_IVA]:
            if fault.kind == "unaligned_reference" and self.kernel.emulate_unaligned(fault):
                return None  # Linux emulated the access; m.ip/m.slot are past it
            return ("fatal", self.kernel.fatal(fault))
        m.interrupt(fault, iim=iim)  # psr.ic collection, psr.bn = 0, ip = iva + vector
        return None

    def _loop_fast(self, limit: int):
        """The unrecorded loop: a bundle's handlers run back to back."""
        m = self.machine
        translator = self.translator
        fns_cache = translator.fns
        handlers = translator.handlers
        steps = m.steps
        ip, slot = m.ip, m.slot
        while steps < limit:
            s = slot
            try:
                hs = fns_cache.get(ip | m.cpl)
                if hs is None:
                    hs = handlers(ip)
                n = len(hs)
                if slot >= n:
                    raise illegal_operation("slot 2 of an MLX bundle")
                m.steps = steps
                m.slot = slot
                if n == 3 and slot == 0 and limit - steps >= 3:
                    # the common case unrolled: a whole 3-slot bundle from slot 0
                    h0, h1, h2 = hs
                    nxt = h0()
                    if nxt is None:
                        s = 1
                        nxt = h1()
                        if nxt is None:
                            s = 2
                            nxt = h2()
                    s += 1
                else:
                    end = n if limit - steps >= n - slot else slot + (limit - steps)
                    nxt = None
                    while s < end:
                        nxt = hs[s]()
                        s += 1
                        if nxt is not None:
                            break
                steps += s - slot
                if nxt is not None:
                    ip = nxt & ~0xF
                    slot = nxt & 3
                elif s < n:
                    slot = s
                else:
                    ip += 16
                    slot = 0
            except GuestFault as fault:  # raised before `s += 1`: s is the faulting slot
                steps += s - slot + 1
                m.steps = steps
                outcome = self._interrupt(fault, ip, s)
                if outcome is not None:
                    return outcome
                ip, slot = m.ip, m.slot
            except GuestExit as exit_:
                steps += s - slot + 1
                m.steps = steps
                m.ip, m.slot = (ip + 16, 0) if s + 1 >= n else (ip, s + 1)
                return ("exit", exit_.code)
        m.steps = steps
        m.ip, m.slot = ip, slot
        return ("limit", None)

    def _loop_recorded(self, limit: int):
        """The recorded loop: bundle by bundle like the fast loop, reporting each slot."""
        m = self.machine
        rec = self.recorder
        step_hook = rec.step
        pr = m.pr
        cache = self.translator.cache
        get = self.translator.get
        steps = m.steps
        ip, slot = m.ip, m.slot
        while steps < limit:
            s = slot
            c = None
            try:
                tb = cache.get(ip | m.cpl)
                if tb is None:
                    tb = get(ip)
                comp = tb.compiled
                n = len(comp)
                if slot >= n:
                    raise illegal_operation("slot 2 of an MLX bundle")
                end = n if limit - steps >= n - slot else slot + (limit - steps)
                nxt = None
                while s < end:
                    c = comp[s]
                    q = pr[c.qp]
                    step_hook(steps, ip, s, q)
                    m.steps = steps
                    m.slot = s
                    if c.diff:
                        before = register_state(m)
                        nxt = c.fn()
                        if c.emit is not None and q:
                            c.emit(rec)
                        _report_diff(rec, before, register_state(m), c.outs if q else ())
                    else:
                        nxt = c.fn()
                        if q or c.always:
                            c.emit(rec)
                    steps += 1
                    s += 1
                    c = None
                    if nxt is not None:
                        break
                if nxt is not None:
                    ip = nxt & ~0xF
                    slot = nxt & 3
                elif s < n:
                    slot = s
                else:
                    ip += 16
                    slot = 0
            except GuestFault as fault:  # c is None: the fault came before slot s started
                if c is None:
                    step_hook(steps, ip, s, 1)
                steps += 1
                m.steps = steps
                outcome = self._interrupt_recorded(fault, ip, s)
                if outcome is not None:
                    return outcome
                ip, slot = m.ip, m.slot
            except GuestExit as exit_:
                steps += 1
                m.steps = steps
                if c is not None and c.diff:
                    _report_diff(rec, before, register_state(m), c.outs)
                m.ip, m.slot = (ip + 16, 0) if s + 1 >= n else (ip, s + 1)
                return ("exit", exit_.code)
        m.steps = steps
        m.ip, m.slot = ip, slot
        return ("limit", None)

    def _interrupt_recorded(self, fault, ip, slot, before=None):
        if before is None:
            before = register_state(self.machine)
        outcome = self._interrupt(fault, ip, slot)
        _report_diff(self.recorder, before, register_state(self.machine))
        return outcome


# ================================================================ front end =========

KERNEL_TEXT = 0xA000000100000000  # where Linux links ia64 vmlinux text (region 5)
KERNEL_DATA = 0xA000000100400000


def assemble(source: Path, workdir: Path) -> Path:
    """Assemble and link an ia64 `.S` file with binutils; returns the ELF path.

    A source that defines `start_kernel` and no `_start` is linked as a kernel-mode
    image (entry start_kernel, text at the kernel's region-5 address, so it runs at
    cpl 0), the way corpus/programs/emu/build.sh links kernel_*.S; anything else at
    ld's default user addresses."""
    asm = shutil.which("ia64-linux-gnu-as")
    ld = shutil.which("ia64-linux-gnu-ld")
    if asm is None or ld is None:
        raise OopsyError("ia64-linux-gnu-as/ld not found: install binutils-ia64-linux-gnu to run .S files",
                         source=str(source))
    obj = workdir / (source.stem + ".o")
    elf = workdir / (source.stem + ".elf")
    _tool([asm, "-o", str(obj), str(source)], source)
    from oopsy.symbols.elf import ElfImage

    names = {sym.name for sym in ElfImage(obj).symbols}
    if "start_kernel" in names and "_start" not in names:
        link = [ld, "-e", "start_kernel", f"-Ttext={KERNEL_TEXT:#x}", f"-Tdata={KERNEL_DATA:#x}"]
    else:
        link = [ld]
    _tool(link + ["-o", str(elf), str(obj)], source)
    return elf


def _tool(cmd: list[str], source: Path) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode:
        first = next((line for line in proc.stderr.splitlines() if "Error" in line or "error" in line),
                     (proc.stderr.strip().splitlines() or ["failed"])[0])
        raise OopsyError(f"{Path(cmd[0]).name}: {first}", source=str(source))


def run_program(path: str | Path, *, max_steps: int | None = None, entry: str | None = None,
                console=None, recorder=None) -> RunResult:
    """`oopsy run`: load (assembling a .S first), run, return the result. The guest's
    console output goes to `console` (a text stream) as it is written."""
    path = Path(path)
    if not path.exists():
        raise OopsyError("no such file", source=str(path))
    if path.suffix in (".S", ".s"):
        with tempfile.TemporaryDirectory(prefix="oopsy-run-") as tmp:
            elf = assemble(path, Path(tmp))
            emu = Emulator.from_elf(elf, entry=entry, console=console, recorder=recorder)
            emu.kernel.comm = path.stem[:15]
            return emu.run(max_steps)
    emu = Emulator.from_elf(path, entry=entry, console=console, recorder=recorder)
    return emu.run(max_steps)


def main_run(path: str, max_steps: int | None, entry: str | None) -> int:
    """The `oopsy run` command body: prints console output and the oops; exit status."""
    result = run_program(path, max_steps=max_steps, entry=entry, console=sys.stdout)
    if result.status in ("oops", "signal"):
        sys.stdout.write(result.text)
        sys.stderr.write(f"oopsy: the guest died at step {result.steps}: {result.fault}\n")
    elif result.status == "limit":
        sys.stderr.write(f"oopsy: stopped after {result.steps} steps (--max-steps)\n")
    return result.exit_status


__all__ = ["Emulator", "RunResult", "run_program", "register_state", "ISR_EI_SHIFT"]
