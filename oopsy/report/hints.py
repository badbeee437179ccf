"""Hints: short explanations of a crash, each with the evidence it rests on.

Every function looks at one aspect of an analysed report and returns zero or more
`Hint`s; `collect` runs them all in a fixed order so the output is stable.
"""

from __future__ import annotations

import re
import string

from oopsy.ia64 import rse
from oopsy.report import poison
from oopsy.report.model import Hint, Report
from oopsy.report.plumbing import is_plumbing

PAGE_SIZE = 0x4000  # ia64 default 16 KiB pages: fault.c prints "NULL pointer" below PAGE_SIZE
MIN_TEXT_RUN = 4
PAGE_POISON = 0xAA  # facts §6.1-6.2


def collect(report: Report) -> list[Hint]:
    found: list[Hint] = []
    for producer in (_null_offset, _poison_address, _address_region, _poison_registers, _isr,
                     _user_mode, _earlier_oops, _deferred_context, _detector, _corruption,
                     _page_owner, _modules, _bsp_chain, _panic, _truncated):
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
    holders = _regs_equal(report, addr) if addr else []
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


IMPLEMENTED_VA_BITS = 51  # Itanium 2: IMPL_VA_MSB = 50

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
    if (addr & ((1 << 61) - 1)) >> IMPLEMENTED_VA_BITS:
        text += (f", but its offset in the region needs more than the {IMPLEMENTED_VA_BITS} "
                 "virtual-address bits Itanium 2 implements: a corrupted pointer, not a mapping")
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
        names = ", ".join(f"{n}={v['value']:#x} ({v['poison']})" for n, v in found.items())
        if all(v["poison"].startswith("LIST_POISON") for v in found.values()):
            meaning = "list_del() was poisoning an entry's pointers, or they were read back after it"
        else:
            meaning = "data was loaded from poisoned (freed or uninitialised) memory"
        yield Hint("poison-in-registers", f"registers hold poison values: {names} — {meaning}",
                   {"registers": found})


def _isr(report: Report):
    isr = report.decoded.get("isr")
    if isr is None:
        return
    text = f"cr.isr {isr['value']:#x}: {isr['access']}"
    evidence = {"isr": isr["value"], "code": isr["code"], "ei": isr["ei"]}
    slot = (report.ip or {}).get("slot")
    if slot is not None and (report.ip or {}).get("value") is not None:
        if isr["ei"] == slot:
            text += f", by the instruction in slot {slot} of the faulting bundle (isr.ei = ip slot)"
        else:
            text += f"; isr.ei={isr['ei']} differs from the ip slot {slot}"
    if "reason" in isr:
        text += f"; ISR.code{{7:4}}={isr['code'] >> 4 & 0xF}: {isr['reason']}"
    yield Hint("isr", text, evidence)


def _user_mode(report: Report):
    psr = report.decoded.get("psr")
    if psr is None or psr["cpl"] == 0:
        return
    stacked = sorted((n for n in report.registers if n[0] == "r" and n[1:].isdigit() and int(n[1:]) >= 32),
                     key=lambda n: int(n[1:]))
    text = f"the saved psr says privilege level {psr['cpl']} (user mode)"
    if report.die is not None:
        text += (": a fault in user mode normally ends in a signal, not a kernel oops, so this one "
                 "took the kernel's no_context path, or pt_regs are corrupt")
    if stacked:
        text += f"; {stacked[0]}..{stacked[-1]} printed after r31 are the user frame's stacked registers"
    yield Hint("user-mode", text, {"cpl": psr["cpl"], "stacked": stacked})


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
    frames = report.frames
    for index in range(report.guilty_frame + 1, len(frames)):
        name = frames[index].symbol.name if frames[index].symbol else None
        if name not in DEFERRED_RUNNERS:
            continue
        callback = frames[index - 1].symbol.name if frames[index - 1].symbol else "?"
        what = DEFERRED_RUNNERS[name]
        if callback == report.guilty:
            text = f"{report.guilty} ran as {what} (called from {name})"
        else:
            text = f"{report.guilty} ran inside {what}: {callback}, called from {name}"
        if report.kind in ("null-deref", "paging-request", "nat-consumption", "general-exception", "oops"):
            text += (": the object it used was handed over earlier by whoever queued the callback; "
                     "a freed or poisoned pointer here means it was freed before the callback ran")
        if report.pid == 0:
            text += f" (the victim task {report.comm} is only the idle task that ran it)"
        yield Hint("deferred-context", text, {"runner": name, "callback": callback})
        return


# Functions that find damage others did: the writer is not in their call trace.
DETECTORS = {
    "__kernel_unpoison_pages": "the page poison was checked when the page was allocated again",
    "kernel_poison_pages": "the page poison was checked when the page was allocated again",
    "check_poison_mem": "the page poison was checked when the page was allocated again",
    "print_bad_pte": "the page table entry was checked while unmapping",
    "bad_page": "the page flags were checked when the page was freed or allocated",
}


def _detector(report: Report):
    if report.guilty in DETECTORS:
        yield Hint("detector", f"{report.guilty} only detected the damage ({DETECTORS[report.guilty]}): "
                   "whoever caused it is not in this call trace", {"detector": report.guilty})


def _panic(report: Report):
    panic = report.panic
    if panic is None:
        return
    message = panic["message"]
    if message == "Fatal exception" and report.die is not None:
        # facts §1.3: die() -> panic("Fatal exception") when panic_on_oops is set
        yield Hint("panic-on-oops", "die() called panic(\"Fatal exception\") because panic_on_oops "
                   "is set: the oops above is the cause, the panic only stopped the machine",
                   {"message": message})
    elif message.startswith("Attempted to kill init!"):
        code = re.search(r"exitcode=(0x[0-9a-fA-F]+)", message)
        text = "the init process (pid 1) died"
        evidence = {"message": message}
        if code:
            status = int(code.group(1), 16)
            evidence["exit_status"] = status
            if status & 0x7F:
                text += f", killed by signal {status & 0x7F}"
            else:
                text += f", exiting with status {status >> 8}"
        if report.die is not None:
            text += ": the oops above killed it, so the oops is the cause"
        yield Hint("init-killed", text, evidence)
    elif message.startswith("Aiee, killing interrupt handler"):
        yield Hint("oops-in-interrupt", "the oops happened in interrupt context; the kernel cannot "
                   "kill an interrupt handler, so it panicked: the oops above is the cause",
                   {"message": message})


def _page_owner(report: Report):
    owner = report.page_owner
    if not owner:
        return
    state = next((re.sub("^page_owner tracks the page as ", "", l) for l in owner["lines"]
                  if l.startswith("page_owner tracks")), None)
    pid = next((m.group(1) for l in owner["lines"] for m in [re.search(r"\bpid (\d+)", l)] if m), None)
    stack = [re.sub(r"\+0x.*$", "", s) for s in owner["stack"]]
    callers = [s for s in stack if not s.startswith(("__reset_page_owner", "__set_page_owner"))]
    text = "page_owner"
    if state:
        text += f" says the page was {state}"
    if pid:
        text += f" by pid {pid}"
    if callers:
        text += " via " + " <- ".join(callers[:6])
    yield Hint("page-owner", text + ": that is the last recorded user of the page",
               {"state": state, "pid": int(pid) if pid else None, "stack": stack})


def _modules(report: Report):
    modules = report.modules or {}
    bad = [m["name"] for m in modules.get("loaded", []) if not re.fullmatch(r"[A-Za-z0-9_\-]+", m["name"])]
    if bad:
        yield Hint("module-list-damaged", f"module name(s) {', '.join(repr(b) for b in bad)} are not "
                   "valid module names: the module list in memory (or the console line) is damaged",
                   {"names": bad})


def _corruption(report: Report):
    corruption = report.corruption
    if corruption is None or not corruption.get("dump"):
        return
    data = b"".join(bytes.fromhex(row["bytes"]) for row in corruption["dump"])
    broken = [i for i, b in enumerate(data) if b != PAGE_POISON]
    runs = _runs(broken)
    corruption.update({"bytes": len(data), "poison": PAGE_POISON, "broken_bytes": len(broken),
                       "broken_runs": [{"offset": a, "length": b - a} for a, b in runs]})
    rows = corruption["dump"]
    hashed = all(row["address"] >> 32 == 0 for row in rows)
    if hashed:
        where = "%p hashing hides the addresses, so offsets count from the first corrupted byte"
    else:
        first = rows[0]["address"]
        where = f"the first corrupted byte is at {first:#x}, offset {first & (PAGE_SIZE - 1):#x} in its page"
    elided = any(u.text in ("...", "[...]") for u in report.unparsed)
    if elided:
        where += "; the poster elided part of the dump"
    corruption.update({"addresses_hashed": hashed, "elided": elided})
    yield Hint("corruption-bytes",
               f"{len(broken)} of {len(data)} dumped bytes differ from the page poison 0xaa "
               f"in {len(runs)} run(s): something wrote to the page after it was freed and poisoned "
               f"({where})",
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


# entry.S exits to an interrupted frame: the frame below them in a trace was interrupted
LEAVE_KERNEL = {"ia64_leave_kernel", "ia64_native_leave_kernel"}


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
        elif nxt.rse_regs is not None and nxt.rse_regs > 96:
            bad.append(f"{nxt.rse_regs} registers between {name} and its caller (more than 96)")
    if bad:
        yield Hint("bsp-chain", "inconsistent register backing store chain: " + "; ".join(bad) +
                   " — the unwind past this point is unreliable", {"problems": bad})
    sof = report.decoded.get("ifs", {}).get("sof")
    for index, frame in enumerate(report.frames[:-1]):
        if frame.symbol is None or frame.symbol.name not in LEAVE_KERNEL:
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
    if report.registers and "psr" in report.registers and "r31" not in report.registers:
        missing.append(f"the register dump stops after {len(report.registers)} registers")
    names = [f.symbol.name for f in report.frames if f.symbol is not None and f.symbol.name]
    if names and len(names) == len(report.frames) and all(is_plumbing(n, report.kind) for n in names):
        missing.append("the Call Trace stops inside the crash-reporting functions")
    if report.corruption is not None and not report.corruption.get("dump"):
        missing.append("no hex dump after the pagealloc line")
    if missing:
        yield Hint("truncated", "the report looks truncated: " + "; ".join(missing), {"missing": missing})
