"""Crash plumbing: functions that report a crash rather than cause it."""

from __future__ import annotations

import re

# Crash plumbing: frames that report a crash rather than cause it.
PLUMBING = frozenset("""
show_stack show_regs die die_if_kernel ia64_bad_break ia64_do_page_fault ia64_leave_kernel
ia64_native_leave_kernel dump_stack dump_stack_lvl ia64_do_show_stack unw_init_running
ia64_fault ia64_handle_unaligned ia64_prepare_handle_unaligned ia64_illegal_op_fault
ia64_handle_exception panic __warn warn_slowpath_common warn_slowpath_fmt warn_slowpath_null
report_bug __bug_table print_modules show_regs_print_info __might_sleep ___might_sleep
__might_resched
""".split())

# Frames that are where a check fired, not what was wrong, for some kinds.
_KIND_PLUMBING = {"scheduling-while-atomic": frozenset({"schedule", "__schedule", "schedule_debug"})}


def is_plumbing(name: str, kind: str = "") -> bool:
    """Crash plumbing, also as a compiler clone (`show_stack.part.0`, `die.isra.3`)."""
    base = re.sub(r"(\.(part|isra|constprop|cold|lto_priv)(\.\d+)?)+$", "", name)
    return base in PLUMBING or base in _KIND_PLUMBING.get(kind, ())
