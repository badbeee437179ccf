"""Hints: short explanations of a crash, each with the evidence it rests on.

Every function looks at one aspect of an analysed report and returns zero or more
`Hint`s; `collect` runs them all in a fixed order so the output is stable.
"""

from __future__ import annotations

import string

from oopsy.ia64 import rse
from oopsy.report import poison
from oopsy.report.model import Hint, Report

PAGE_SIZE = 0x4000  # ia64 default 16 KiB pages: fault.c prints "NULL pointer" below PAGE_SIZE
MIN_TEXT_RUN = 4
PAGE_POISON = 0xAA  # facts §6.1-6.2


def collect(report: Report) -> list[Hint]:
    found: list[Hint] = []
    for producer in (_null_offset, _poison_address, _address_region, _poison_registers, _isr, _user_mode,
                     _earlier_oops, _deferred_context, _corruption, _bsp_chain, _panic, _truncated):
        found.extend(producer(report))
    return found


def _regs_equal(report: Report, value: int) -> list[str]:
    return [name for name, reg in report.registers.items()
            if reg == value and (name.startswith("r") or name.startswith("b"))]


def _null_offset(report: Report):
    addr = report.fault_address
    if addr is None or addr >= PAGE_SIZE or report.kind not in ("null-deref", "paging-request", "unaligned"):
        return
    match = poison.match(addr)
    if match and match.poison.code == "list-poison" and match.offset == 0:
        return  # reported as list poison instead
    evidence = {"address": addr, "offset": addr}
    text = (f"address {addr:#x} is NULL + {addr:#x}: a member at offset {addr:#x} of a structure "
            f"reached through a NULL pointer")
    holders = _regs_equal(report, addr)
    if holders:
        evidence["registers_holding_offset"] = holders
        text += f" ({', '.join(holders)} = {addr:#x}: likely the member offset or the computed address)"
    yield Hint("null-offset", text, evidence)


def _poison_address(report: Report):
    addr = report.fault_address
    if addr is None:
        return
    match = poison.match(addr)
    if match is None:
        return
    sign = "+" if match.offset >= 0 else "-"
    text = (f"fault address {addr:#018x} is {match.poison.name} ({match.poison.value:#x}) "
            f"{sign} {abs(match.offset):#x}: the pointer was read from {match.poison.meaning}")
    if match.poison.code == "page-poison":
        text += " (use after free of a page, or a page allocated without the zeroing it needed)"
    elif match.poison.code == "slab-free-poison":
        text += " (use after free)"
    evidence = {"address": addr, "pattern": match.poison.value, "offset": match.offset,
                "poison": match.poison.name}
    holders = _regs_equal(report, addr)
    if holders:
        evidence["registers_holding_address"] = holders
        text += f"; {', '.join(holders)} still holds it"
    yield Hint(match.poison.code, text, evidence)


# Linux ia64 address space: the region is the top 3 bits of an address.
REGIONS = {
    0: "user region 0 (IA-32 / low user mappings)",
    1: "user region 1 (shared libraries)",
    2: "user region 2 (program text)",
    3: "user region 3 (program data, heap)",
    4: "user region 4 (memory stack)",
    5: "kernel region 5 (kernel image, modules, vmalloc, gate page)",
    6: "kernel region 6 (uncached identity map)",
    7: "kernel region 7 (cached identity map: kmalloc memory, page frames, task stacks)",
}


def _address_region(report: Report):
    addr = report.fault_address
    if addr is None or addr < PAGE_SIZE or poison.match(addr) is not None:
        return
    region = addr >> 61
    text = f"fault address {addr:#018x} is in {REGIONS[region]}"
    evidence = {"address": addr, "region": region}
    holders = _regs_equal(report, addr)
    if holders:
        evidence["registers_holding_address"] = holders
        text += f"; {', '.join(holders)} holds it"
    psr = report.decoded.get("psr")
    if psr is not None and psr["cpl"] != 0 and region >= 5:
        text += " — a user-mode access to kernel space"
    yield Hint("address-region", text, evidence)


def _poison_registers(report: Report):
    found = {}
    for name, value in report.registers.items():
        if not (name.startswith("r") or name.startswith("b")) or value == report.fault_address:
            continue
        match = poison.match(value)
        if match is None or match.poison.value < 0x10000:
            continue  # small constants are too common in registers to mean anything
        found[name] = {"value": value, "poison": match.poison.name, "offset": match.offset}
    if found:
        names = ", ".join(f"{n}={v['value']:#x}" for n, v in found.items())
        yield Hint("poison-in-registers",
                   f"registers hold poison patterns: {names} — data was loaded from poisoned memory",
                   {"registers": found})


def _isr(report: Report):
    isr = report.decoded.get("isr")
    if isr is None:
        return
    text = f"cr.isr {isr['value']:#x}: {isr['access']}"
    evidence = {"isr": isr["value"], "code": isr["code"], "ei": isr["ei"]}
    slot = (report.ip or {}).get("slot")
    if slot is not None and report.die and report.die["text"] == "Oops":
        if isr["ei"] == slot:
            text += f", by the instruction in slot {slot} of the faulting bundle (isr.ei = ip slot)"
        else:
            text += f"; isr.ei={isr['ei']} differs from the ip slot {slot}"
    if "reason" in isr:
        text += f"; General Exception code {isr['code'] >> 4 & 0xF}: {isr['reason']}"
    yield Hint("isr", text, evidence)


def _user_mode(report: Report):
    psr = report.decoded.get("psr")
    if psr is None or psr["cpl"] == 0:
        return
    yield Hint("user-mode", f"the fault was taken at privilege level {psr['cpl']} (user mode): "
               "the stacked registers printed after r31 belong to the user frame", {"cpl": psr["cpl"]})


def _earlier_oops(report: Report):
    evidence = {}
    reasons = []
    counter = (report.die or {}).get("counter")
    if counter is not None and counter > 1:
        evidence["die_counter"] = counter
        reasons.append(f"die() counter is {counter}")
    taint = report.taint or {}
    if any(flag["letter"] == "D" for flag in taint.get("flags", [])):
        evidence["taint"] = "D"
        reasons.append("taint flag D is set")
    names = [f.symbol.name if f.symbol else None for f in report.frames]
    if report.guilty_frame is not None and "die" in names[report.guilty_frame + 1 :]:
        evidence["die_below_fault"] = True
        reasons.append("die() is among the callers of the faulting function, so this happened "
                       "while the task was already dying from an earlier oops")
    if reasons:
        yield Hint("earlier-oops", "an earlier oops happened (" + "; ".join(reasons) +
                   "): this report may be a consequence — look at the first one", evidence)


# Callers that run work queued earlier by someone else: the state a crash there sees was
# prepared (and maybe freed) long before.
DEFERRED_RUNNERS = {
    "rcu_core": "an RCU callback", "rcu_do_batch": "an RCU callback",
    "rcu_process_callbacks": "an RCU callback", "__rcu_process_callbacks": "an RCU callback",
    "call_timer_fn": "a timer callback", "run_timer_softirq": "a timer callback",
    "process_one_work": "a workqueue item", "tasklet_action": "a tasklet",
    "__do_softirq": "softirq context",
}


def _deferred_context(report: Report):
    if report.guilty_frame is None:
        return
    for frame in report.frames[report.guilty_frame + 1 :]:
        name = frame.symbol.name if frame.symbol else None
        if name in DEFERRED_RUNNERS:
            what = DEFERRED_RUNNERS[name]
            text = (f"{report.guilty} ran as {what} (called from {name}): the object it uses was "
                    "handed over earlier by whoever queued the callback; a freed or poisoned pointer "
                    "here means it was freed before the callback ran")
            if report.pid == 0:
                text += f" (the victim task {report.comm} is only the idle task that ran it)"
            yield Hint("deferred-context", text, {"runner": name})
            return


def _panic(report: Report):
    panic = report.panic
    if panic is None or report.die is None:
        return
    if panic["message"] == "Fatal exception":
        yield Hint("panic-on-oops", "die() called panic(\"Fatal exception\"): panic_on_oops is set, "
                   "or the oops hit the idle task or an interrupt; the machine stopped here",
                   {"message": panic["message"]})


def _corruption(report: Report):
    corruption = report.corruption
    if corruption is None or not corruption.get("dump"):
        return
    data = b"".join(bytes.fromhex(row["bytes"]) for row in corruption["dump"])
    broken = [i for i, b in enumerate(data) if b != PAGE_POISON]
    runs = _runs(broken)
    corruption.update({"bytes": len(data), "poison": PAGE_POISON, "broken_bytes": len(broken),
                       "broken_runs": [{"offset": a, "length": b - a} for a, b in runs]})
    yield Hint("corruption-bytes",
               f"{len(broken)} of {len(data)} dumped bytes differ from the page poison 0xaa "
               f"in {len(runs)} run(s): something wrote to the page after it was freed and poisoned "
               "(offsets are relative to the first corrupted byte; %p hashing hides the addresses)",
               {"bytes": len(data), "broken": len(broken), "runs": len(runs)})
    if corruption.get("what") == "single bit error" and len(broken) == 1:
        flipped = data[broken[0]] ^ PAGE_POISON
        yield Hint("single-bit-error", f"one bit flipped (mask {flipped:#04x}): a hardware memory "
                   "error is more likely than a software bug", {"mask": flipped})
    texts = _printable_runs(data)
    if texts:
        corruption["text"] = texts
        quoted = ", ".join(repr(t) for t in texts)
        yield Hint("corruption-text", f"printable text inside the corrupted bytes: {quoted} — "
                   "find who writes this string: that code wrote into a freed page", {"text": texts})


def _runs(indexes: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for i in indexes:
        if runs and runs[-1][1] == i:
            runs[-1] = (runs[-1][0], i + 1)
        else:
            runs.append((i, i + 1))
    return runs


def _printable_runs(data: bytes) -> list[str]:
    printable = set(string.printable.encode()) - set(b"\t\n\r\x0b\x0c")
    found, current = [], bytearray()
    for byte in data + b"\x00":
        if byte in printable:
            current.append(byte)
            continue
        text = current.decode("ascii").strip()
        if len(text) >= MIN_TEXT_RUN and any(c.isalpha() for c in text):
            found.append(text)
        current.clear()
    return found


def _bsp_chain(report: Report):
    frames = [f for f in report.frames if f.bsp is not None]
    if len(frames) < 2:
        return
    bad = []
    for this, nxt in zip(report.frames, report.frames[1:]):
        if this.bsp is None or nxt.bsp is None:
            continue
        name = this.symbol.name if this.symbol else f"{this.ip:#x}"
        if nxt.bsp > this.bsp:
            bad.append(f"bsp grows from {this.bsp:#x} ({name}) to {nxt.bsp:#x} in its caller")
        elif this.rse_regs is not None and this.rse_regs > 96:
            bad.append(f"{this.rse_regs} registers between {name} and its caller (more than 96)")
    if bad:
        yield Hint("bsp-chain", "inconsistent register backing store chain: " + "; ".join(bad) +
                   " — the unwind past this point is unreliable", {"problems": bad})
    sof = report.decoded.get("ifs", {}).get("sof")
    for index, frame in enumerate(report.frames[:-1]):
        if frame.symbol is None or frame.symbol.name != "ia64_leave_kernel":
            continue
        interrupted = report.frames[index + 1]
        if frame.bsp is None or interrupted.bsp is None or sof is None:
            continue
        count = rse.num_regs(interrupted.bsp, frame.bsp)
        name = interrupted.symbol.name if interrupted.symbol else f"{interrupted.ip:#x}"
        if count == sof:
            text = (f"the interrupted frame {name} holds {count} stacked registers, equal to "
                    f"cr.ifs.sof={sof}: the bsp chain is consistent with the register dump")
        else:
            text = (f"the interrupted frame {name} holds {count} stacked registers but "
                    f"cr.ifs.sof={sof}: the bsp chain and the register dump disagree")
        yield Hint("interrupted-frame", text, {"frame": name, "registers": count, "ifs_sof": sof})
        break


def _truncated(report: Report):
    missing = []
    if report.die is not None and not report.registers:
        missing.append("no register dump after the die() header")
    psr = report.decoded.get("psr")
    kernel_mode = psr is not None and psr["cpl"] == 0
    if kernel_mode and not report.frames:
        missing.append("no Call Trace after a kernel-mode register dump")
    if report.corruption is not None and not report.corruption.get("dump"):
        missing.append("no hex dump after the pagealloc line")
    if missing:
        yield Hint("truncated", "the report looks truncated: " + "; ".join(missing), {"missing": missing})
