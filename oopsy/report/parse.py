"""Parsed lines of one report -> `Report` model. Unknown lines are kept with their numbers."""

from __future__ import annotations

from oopsy.report.lines import ParsedLine
from oopsy.report.model import Frame, Report, SymbolRef, UnparsedLine


def _symbol_ref(data: dict | None) -> SymbolRef | None:
    if not data:
        return None
    return SymbolRef(data["name"], data["offset"], data["size"], data["module"])


def build_report(lines: list[ParsedLine]) -> Report:
    """Fill a Report with what the lines say, in order; no interpretation here."""
    report = Report()
    report.lines = {"first": lines[0].number, "last": lines[-1].number + lines[-1].joined - 1}
    dump: list[dict] = []
    pending_die: dict | None = None

    warning_at = -2
    for index, line in enumerate(lines):
        kind, data = line.kind, line.data
        if kind is None:
            if warning_at == index - 1 and report.warning["message"] is None:
                report.warning["message"] = line.text  # __warn() prints the WARN() format here
            else:
                report.unparsed.append(UnparsedLine(line.number, line.text))
        elif kind in ("alert_null", "alert_paging"):
            report.headline = report.headline or line.text
            report.fault_address = data["address"]
        elif kind == "die_header":
            report.die = {"text": data["text"], "err": data["err"], "counter": data["counter"]}
            report.comm, report.pid = data["comm"], data["pid"]
        elif kind == "die_header_open":
            pending_die = data
        elif kind == "die_error_tail":
            if pending_die is not None:
                report.die = {"text": pending_die["text"], "err": data["err"], "counter": data["counter"]}
                report.comm, report.pid = pending_die["comm"], pending_die["pid"]
                pending_die = None
            else:
                report.unparsed.append(UnparsedLine(line.number, line.text))
        elif kind == "bug_at":
            report.bug = {"file": data["file"], "line": data["line"]}
            report.headline = report.headline or line.text
        elif kind in ("kernel_unaligned", "user_unaligned"):
            report.unaligned = {"address": data["address"], "ip": data["ip"],
                                "user": kind == "user_unaligned"}
            if kind == "user_unaligned":
                report.comm, report.pid = data["comm"], data["pid"]
            report.headline = report.headline or line.text
            report.fault_address = data["address"]
        elif kind == "fp_assist":
            report.headline = report.headline or line.text
            report.comm, report.pid = data["comm"], data["pid"]
            report.registers.setdefault("ip", data["ip"])
            report.die = {"text": "floating-point assist fault", "err": data["isr"], "counter": None}
        elif kind == "modules":
            report.modules = {"loaded": data["loaded"], "last_unloaded": data["last_unloaded"]}
        elif kind == "cpu_info":
            report.cpu, report.pid, report.comm = data["cpu"], data["pid"], data["comm"]
            report.release, report.version = data["release"], data["version"]
            report.taint = {"text": data["taint"]}
        elif kind == "old_pid_info":
            report.cpu, report.pid = data["cpu"], data["pid"]
            report.comm = data["comm"] or report.comm
        elif kind == "hardware":
            report.hardware = data["name"]
        elif kind == "register_row":
            report.registers.update(data["registers"])
            report.nat_registers.extend(data["nat"])
            if "taint" in data and report.taint is None:
                report.taint = {"text": data["taint"]}
            if "release" in data and report.release is None:
                report.release = data["release"]
        elif kind == "ip_is_at":
            report.ip = {"symbol": _symbol_ref(data["symbol"])}
        elif kind == "frame":
            ip = data["ip"]
            report.frames.append(Frame(ip=ip, bundle=ip & ~0xF, slot=ip & 0x3,
                                       symbol=_symbol_ref(data["symbol"]),
                                       sp=data.get("sp"), bsp=data.get("bsp"), line=line.number))
        elif kind in ("call_trace", "frame_list"):
            for ip in data["frames"]:  # 2.4-era address-only frames
                report.frames.append(Frame(ip=ip, bundle=ip & ~0xF, slot=ip & 0x3, symbol=None,
                                           line=line.number))
        elif kind in ("frame_stack", "frame_bsp"):
            if report.frames and report.frames[-1].bsp is None:
                frame = report.frames[-1]
                frame.sp = data.get("sp", frame.sp)
                frame.bsp = data.get("bsp")
            else:
                report.unparsed.append(UnparsedLine(line.number, line.text))
        elif kind == "panic":
            report.panic = {"message": data["message"], "end_marker": False}
        elif kind == "panic_end":
            if report.panic is None:
                report.panic = {"message": data["message"], "end_marker": True}
            report.panic["end_marker"] = True
        elif kind == "warning":
            report.warning = {k: data[k] for k in ("file", "line", "function", "message", "cpu", "pid")}
            report.headline = report.headline or line.text
            warning_at = index
        elif kind == "might_sleep":
            report.warning = {"file": data["file"], "line": data["line"], "function": None,
                              "message": "sleeping function called from invalid context",
                              "cpu": None, "pid": None}
            report.headline = report.headline or line.text
        elif kind == "usercopy":
            report.headline = report.headline or line.text
        elif kind == "page_owner":
            report.page_owner = report.page_owner or {"lines": [], "stack": []}
            report.page_owner["lines"].append(line.text)
        elif kind == "stack_entry":
            if report.page_owner is not None:
                report.page_owner["stack"].append(_symbol_ref(data["symbol"]).text())
            else:
                report.info.append(line.text)
        elif kind == "sched_atomic":
            report.headline = report.headline or line.text
        elif kind == "generic_bug":
            report.headline = report.headline or line.text
        elif kind == "pagealloc":
            if report.corruption is None:
                report.corruption = {"what": data["what"]}
                report.headline = report.headline or line.text
        elif kind == "hexdump":
            dump.append({"line": line.number, "address": data["address"], "bytes": data["bytes"].hex(" ")})
        elif kind in ("info", "end_trace", "atomic_state", "task_info", "mm_detail", "workqueue"):
            report.info.append(line.text)
    if pending_die is not None:
        report.die = {"text": pending_die["text"], "err": None, "counter": None}
        report.comm, report.pid = pending_die["comm"], pending_die["pid"]
    if dump:
        report.corruption = report.corruption or {"what": None}
        report.corruption["dump"] = dump
    return report
