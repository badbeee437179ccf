"""`oopsy why`: where did a value come from? A provenance chain, hop by hop.

Starting from a register or a memory address as it was when step N began, each hop
finds the last writer (tracedb's keyed lookups), decodes the writing instruction and
decides which input the value came from, using only the ISA table's operand lists
(`oopsy.ia64.isa`: operands, outputs first; `[r3]` is the address of a load's input
or of a store's output) and the instruction family (ld, st, alu...). No second table
of instructions lives here.

Stacked registers (r32-r127) are renamed at every call and return, so a stacked
register's identity is its backing-store address: r(32+i) of a frame is the slot
skip_regs(bsp, i) (facts §3.2). The walk follows that address back through frame
changes (br.call, br.ret, rfi: steps that write ar.bsp), through mandatory RSE fills
(a `rse_fill` row at the frame-change step: the value came from the backing store) and
spills (an `rse_spill` row: the value is the register whose slot that is), down to an
immediate, the loaded image, the emulated kernel (syscall results and data, process
setup) or the initial state.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from oopsy.errors import OopsyError
from oopsy.ia64.isa import OPERANDS
from oopsy.ia64.rse import num_regs, skip_regs
from oopsy.trace.names import REG_IDS, REG_NAMES, canonical_register, to_sql
from oopsy.trace.tracedb import Trace, Write

_BSP = REG_IDS["ar.bsp"]
_BSPSTORE = REG_IDS["ar.bspstore"]
_CFM = REG_IDS["cfm"]
_AR_BASE = REG_IDS["r0"] + 128 + 64 + 8
_CR_BASE = _AR_BASE + 128
MAX_INTERVALS = 100_000


@dataclass(frozen=True)
class Loc:
    """What holds a value: a register (`reg`), a stacked register by its backing-store
    slot (`slot`, with the name it had), or memory (`addr`, `size`)."""

    reg: str | None = None
    slot: int | None = None
    addr: int | None = None
    size: int = 8

    def text(self) -> str:
        if self.addr is not None:
            return f"[{self.addr:#x}]" if self.size == 8 else f"[{self.addr:#x}]/{self.size}"
        if self.slot is not None:
            return f"{self.reg}@{self.slot:#x}"
        return self.reg


@dataclass
class Hop:
    step: int  # the writer's step (-1: initial state)
    loc: Loc
    value: int
    how: str
    ip: int | None = None
    slot: int = 0
    where: str = ""
    insn: str = ""
    also: list[str] = field(default_factory=list)  # other inputs, "r3=0x..."
    next: tuple[Loc, int] | None = None  # (location, before step) the value came from


@dataclass
class Chain:
    start: Loc
    before: int
    hops: list[Hop]
    end: str  # why the walk stopped


class Why:
    """Provenance walker over one trace."""

    def __init__(self, trace: Trace):
        self.t = trace
        self._syscall_steps: dict[int, dict] | None = None

    # ----------------------------------------------------------- locations --------
    def bsp_at(self, step: int) -> int:
        """ar.bsp as the instruction at `step` sees it."""
        return self.t.reg_value(_BSP, step)

    def loc_of_reg(self, name: str, step: int) -> Loc:
        """The location register `name` denotes at `step` (stacked: by its slot)."""
        if name.startswith("r") and name[1:].isdigit() and int(name[1:]) >= 32:
            return Loc(reg=name, slot=skip_regs(self.bsp_at(step), int(name[1:]) - 32))
        return Loc(reg=name)

    def writer(self, loc: Loc, before: int) -> tuple[Write | None, str | None]:
        """The last write of `loc` before step `before`: (write, note). For a stacked
        register the note says "fill" when the write is an RSE fill into it."""
        if loc.addr is not None:
            return self.t.mem_before(loc.addr, loc.size, before), None
        if loc.slot is None:
            return self.t.reg_before(REG_IDS[loc.reg], before), None
        return self._stacked_writer(loc.slot, before)

    def _stacked_writer(self, slot: int, before: int) -> tuple[Write | None, str | None]:
        """Walk back interval by interval between ar.bsp changes; in each, the slot has
        one name (32 + num_regs(bsp, slot)) or none (an older frame's register)."""
        t = self.t
        s = before
        for _ in range(MAX_INTERVALS):
            change = t.reg_before(_BSP, s)
            f, bsp = (change.step, change.value) if change is not None else (-2, 0)
            if slot >= bsp:
                n = 32 + num_regs(bsp, slot)
                if n < 128:
                    w = t.reg_before(n, s, after=f)
                    if w is not None and w.step > f:
                        return w, None
            if f < 0:
                return None, None
            filled = t.fill_at(f, slot)
            if filled is not None:
                return Write(f, filled, reg=f"r{32 + num_regs(bsp, slot)}" if slot >= bsp else None,
                             addr=slot, kind="rse_fill"), "fill"
            slot = self._before_bspstore_switch(f, slot)
            s = f  # the frame change only renamed the register: look further back
        raise OopsyError(f"provenance walk for slot {slot:#x} exceeded {MAX_INTERVALS} frame changes",
                         source=t.source)

    def _before_bspstore_switch(self, step: int, slot: int) -> int:
        """The slot a dirty register had before `mov ar.bspstore` at `step` moved it.

        Writing ar.bspstore without a frame change keeps the dirty registers and gives
        them backing addresses from the new bspstore on (facts §3.3: BSP = bspstore +
        dirty registers and their NaT slots); so a slot at or above the new bspstore held,
        before that step, the register as many registers above the old bspstore.
        """
        t = self.t
        new = t.reg_before(_BSPSTORE, step + 1)
        if new is None or new.step != step:
            return slot
        cfm = t.reg_before(_CFM, step + 1)
        if cfm is not None and cfm.step == step:
            return slot
        old = t.reg_before(_BSPSTORE, step)
        if old is None or slot < new.value:
            return slot
        return skip_regs(old.value, num_regs(new.value, slot))

    def value_of(self, loc: Loc, step: int) -> int:
        w, _ = self.writer(loc, step)
        return 0 if w is None else w.value

    # ---------------------------------------------------------------- hops --------
    def syscall_at(self, step: int) -> dict | None:
        if self._syscall_steps is None:
            self._syscall_steps = {s: d for s, _, d in self.t.events("syscall")}
        return self._syscall_steps.get(step)

    def hop(self, loc: Loc, before: int) -> Hop:
        """Who wrote `loc` last before step `before`, and where the value came from."""
        w, note = self.writer(loc, before)
        if w is None:
            if loc.slot is not None:
                return Hop(-1, loc, 0, "never written since the start (undefined register of a new frame)")
            return Hop(-1, loc, 0, "never written: 0 since the start")
        if w.step == -1:
            what = "the loaded image" if w.kind == "loader" else "the initial state set up by the emulated kernel"
            return Hop(-1, loc, w.value, what)
        if loc.slot is not None and w.reg is not None:
            loc = Loc(reg=w.reg, slot=loc.slot)
        t = self.t
        ip, slot, _qp = t.location(w.step)
        hop = Hop(w.step, loc, w.value, "", ip, slot, t.symbolize(ip | slot), t.instruction_text(ip, slot))
        if note == "fill":
            hop.how = f"RSE fill of {w.reg or 'a stacked register'} from the backing store"
            hop.next = (Loc(addr=w.addr), w.step)
            return hop
        if loc.addr is not None:
            return self._mem_hop(hop, w)
        return self._reg_hop(hop, w)

    def _mem_hop(self, hop: Hop, w: Write) -> Hop:
        if w.addr != hop.loc.addr or w.size != hop.loc.size:
            hop.also.append(f"partial: the write was {w.size} bytes at {w.addr:#x}")
        if w.kind == "rse_spill":
            if (w.addr >> 3) & 0x3F == 0x3F:  # facts §3.2: every 64th slot is an RNAT collection
                hop.how = "RSE spill of an RNAT collection (NaT bits of the 63 slots below)"
                return hop
            hop.how = "RSE spill of the stacked register backed by this slot"
            hop.next = (Loc(reg="stacked", slot=w.addr), w.step)
            return hop
        if w.kind == "kernel":
            sc = self.syscall_at(w.step)
            hop.how = (f"input: written by the emulated kernel in syscall {_call(sc)}"
                       if sc else "written by the emulated kernel")
            return hop
        if w.kind == "loader":
            hop.how = "the loaded image"
            return hop
        insn = self.t.instruction(hop.ip, hop.slot)
        if insn is None or insn.op is None:
            hop.how = "store by an instruction outside the image"
            return hop
        inputs = self._inputs(insn, w.step)
        data = [(name, loc) for name, loc in inputs if name != "[r3]" and (loc.reg or "") not in ("r0",)]
        addr_reg = [loc for name, loc in inputs if name == "[r3]"]
        if data:
            hop.how = f"store of {data[0][1].reg}"
            hop.next = (data[0][1], w.step)
            hop.also = [f"{loc.reg}={self.value_of(loc, w.step):#x}" for _, loc in data[1:]]
        else:
            hop.how = f"store ({insn.op.family})"
        if addr_reg:
            hop.also.append(f"address {addr_reg[0].reg}={self.value_of(addr_reg[0], w.step):#x}")
        return hop

    def _reg_hop(self, hop: Hop, w: Write) -> Hop:
        t = self.t
        insn = t.instruction(hop.ip, hop.slot)
        name = w.reg
        sc = self.syscall_at(w.step)
        if sc is not None and name in ("r8", "r9", "r10"):
            hop.how = f"syscall result: {_call(sc)} returned in {name}"
            return hop
        if insn is None or insn.op is None:
            hop.how = "written by an instruction outside the image (gate page, vector)"
            return hop
        op = insn.op
        fam = op.family
        outputs = self._outputs(insn)
        if name not in outputs:
            if fam in ("ld", "st") and op.attrs.get("postinc") and name == f"r{insn.values[op.operands.index('[r3]')]}":
                base = self.loc_of_reg(name, w.step)
                hop.how = "post-increment of the address register"
                hop.next = (base, w.step)
                return hop
            events = [k for s, k, _ in t.events() if s == w.step]
            if fam == "alloc" and hop.loc.slot is not None:
                hop.how = "undefined: a register the frame gained at alloc (left over in the register file)"
            elif "interruption" in events:
                hop.how = "collected by the interruption delivered at this step"
            else:
                hop.how = f"side effect of {op.mnemonic.split('.')[0]} (frame or state change)"
            return hop
        if fam == "br" and op.attrs.get("btype") == "call":
            hop.how = "return address written by br.call"
            return hop
        inputs = self._inputs(insn, w.step)
        if fam == "ld":
            base = next(loc for n, loc in inputs if n == "[r3]")
            addr = self.value_of(base, w.step)
            size = op.attrs.get("size", 8)
            hop.how = f"load of {size} bytes from [{addr:#x}] (address in {base.reg})"
            hop.next = (Loc(addr=addr, size=min(size, 8)), w.step)
            return hop
        regs = [(n, loc) for n, loc in inputs if loc.reg not in ("r0", "p0")]
        imms = [f"{n}={v:#x}" for n, v in self._immediates(insn)]
        if not regs:
            hop.how = "immediate " + ", ".join(imms) if imms else f"constant ({op.mnemonic})"
            if op.mnemonic.startswith("mov") and "ip" in op.operands:
                hop.how = "computed from ip"
            return hop
        first = regs[0][1]
        hop.how = (f"copy of {first.reg}" if fam == "alu" and len(regs) == 1 and imms in ([], ["imm14=0x0"],
                   ["imm22=0x0"]) else f"{fam} result from {first.reg}")
        hop.next = (first, w.step)
        hop.also = [f"{loc.reg}={self.value_of(loc, w.step):#x}" for _, loc in regs[1:]] + imms
        return hop

    # ------------------------------------------------------ operand lists ---------
    def _reg_name(self, kind: str, name: str, value: int) -> str | None:
        o = OPERANDS[name]
        if kind == "reg":
            return f"{o.text}{value}" if o.text in ("r", "p", "b") else None
        if kind == "ar":
            return REG_NAMES[_AR_BASE + value]
        if kind == "cr":
            return REG_NAMES[_CR_BASE + value]
        if kind == "const" and name.startswith("ar."):
            return name
        if kind == "mem":
            return f"r{value}"
        return None

    def _outputs(self, insn) -> set[str]:
        out = set()
        op = insn.op
        for i in range(op.outputs):
            name = op.operands[i]
            kind = OPERANDS[name].kind
            if kind == "mem":
                continue
            reg = self._reg_name(kind, name, insn.values[i])
            if reg is not None:
                out.add(canonical_register(reg) or reg)
        return out

    def _inputs(self, insn, step: int) -> list[tuple[str, Loc]]:
        """Register inputs (operand name, location) in operand order; a store's `[r3]`
        output is an input too (its address register)."""
        op = insn.op
        res = []
        for i, name in enumerate(op.operands):
            kind = OPERANDS[name].kind
            if i < op.outputs and kind != "mem":
                continue
            reg = self._reg_name(kind, name, insn.values[i])
            if reg is None:
                continue
            reg = canonical_register(reg) or reg
            res.append((name, self.loc_of_reg(reg, step)))
        return res

    def _immediates(self, insn) -> list[tuple[str, int]]:
        op = insn.op
        return [(name, insn.values[i] & 0xFFFFFFFFFFFFFFFF) for i, name in enumerate(op.operands)
                if i >= op.outputs and OPERANDS[name].kind == "imm"]

    # --------------------------------------------------------------- chain --------
    def chain(self, start: Loc, before: int, max_hops: int = 32) -> Chain:
        hops: list[Hop] = []
        loc, at = start, before
        seen = set()
        for _ in range(max_hops):
            h = self.hop(loc, at)
            hops.append(h)
            if h.next is None:
                return Chain(start, before, hops, h.how)
            key = (h.next[0], h.next[1])
            if key in seen:
                return Chain(start, before, hops, "loop")
            seen.add(key)
            loc, at = h.next
        return Chain(start, before, hops, f"stopped after {max_hops} hops (--max-hops)")

    def save(self, chain: Chain) -> None:
        """Store the chain's hops in `provenance` (walked by the origin_of view)."""
        rows = []
        for i, h in enumerate(chain.hops):
            nxt = chain.hops[i + 1] if i + 1 < len(chain.hops) else None
            rows.append((h.step, h.loc.text(), to_sql(h.value), h.how,
                         nxt.step if nxt else None, nxt.loc.text() if nxt else None))
        try:
            with self.t.db:
                self.t.db.executemany("INSERT OR REPLACE INTO provenance VALUES (?, ?, ?, ?, ?, ?)", rows)
        except Exception:  # a read-only trace: the chain is still printed
            pass


def _call(sc: dict) -> str:
    """name(arg, ...) of a syscall event, arguments in hex (the first three: the
    trace does not know each call's arity)."""
    args = ", ".join(f"{a & 0xFFFFFFFFFFFFFFFF:#x}" for a in sc.get("args", [])[:3])
    return f"{sc.get('name', '?')}({args}, ...)"


def start_location(trace: Trace, register: str | None, address: str | None, step: int | None,
                   size: int = 8) -> tuple[Loc, int, Why]:
    """Parse the user's question: (location, before step, walker)."""
    if (register is None) == (address is None):
        raise OopsyError("give exactly one of --register and --address")
    why = Why(trace)
    if step is None:
        before = trace.fault_step() if trace.status == "crashed" or trace.meta.get("fault_step") else trace.steps
    else:
        if step < 0 or step > trace.steps:
            raise OopsyError(f"step {step} is beyond the trace (steps 0..{trace.steps})", source=trace.source)
        before = step
    if register is not None:
        canon = canonical_register(register)
        if canon is None:
            raise OopsyError(f"unknown register {register!r} (r0-r127, p0-p63, b0-b7, ar.NAME, cr.NAME, psr, cfm)",
                             source=trace.source)
        return why.loc_of_reg(canon, before), before, why
    try:
        addr = int(address, 0)
    except ValueError:
        raise OopsyError(f"not an address: {address!r}", source=trace.source) from None
    return Loc(addr=addr & 0xFFFFFFFFFFFFFFFF, size=size), before, why


def render(chain: Chain) -> list[str]:
    lines = [f"why {chain.start.text()} before step {chain.before}:"]
    for i, h in enumerate(chain.hops):
        if h.step < 0:
            lines.append(f"  #{i:<2} {'-':>8}  {h.loc.text()} = {h.value:#018x}  <- {h.how}")
            continue
        lines.append(f"  #{i:<2} step {h.step:<8} {h.ip | h.slot:#018x} {h.where:<20} {h.insn}")
        lines.append(f"       {h.loc.text()} = {h.value:#018x}  <- {h.how}")
        for a in h.also:
            lines.append(f"       ({a})")
    lines.append(f"  end: {chain.end}")
    return lines


def to_json(chain: Chain) -> str:
    return json.dumps({
        "location": chain.start.text(), "before_step": chain.before, "end": chain.end,
        "hops": [{"step": h.step, "location": h.loc.text(), "value": f"{h.value:#x}", "how": h.how,
                  "ip": None if h.ip is None else f"{h.ip | h.slot:#x}", "where": h.where,
                  "instruction": h.insn, "also": h.also} for h in chain.hops],
    }, indent=2)
