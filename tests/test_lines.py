"""Every line format of facts §1 and §6 through the lark grammar (oopsy/report/lines.py)."""

import pytest

from oopsy.report.lines import parse_text

LINES = [
    ("Unable to handle kernel NULL pointer dereference (address 0000000000000338)",
     "alert_null", {"address": 0x338}),
    ("Unable to handle kernel paging request at virtual address aaaaaaaaaaaaaab2",
     "alert_paging", {"address": 0xAAAAAAAAAAAAAAB2}),
    ("sock_filter-v-X[6171]: Oops 11012296146944 [18]",
     "die_header", {"comm": "sock_filter-v-X", "pid": 6171, "text": "Oops", "err": 11012296146944, "counter": 18}),
    ("kworker/u8:2[77]: General Exception: IA-64 Illegal Operation fault 16 [1]",
     "die_header", {"comm": "kworker/u8:2", "text": "General Exception: IA-64 Illegal Operation fault", "err": 16}),
    ("insmod[1234]: bugcheck! 0 [1]", "die_header", {"text": "bugcheck!", "err": 0, "counter": 1}),
    ("foo[1]: Bad break -12 [2]", "die_header", {"text": "Bad break", "err": -12}),
    ("modprobe[99]: error during unaligned kernel access",
     "die_header_open", {"comm": "modprobe", "pid": 99, "text": "error during unaligned kernel access"}),
    ("-1 [1]", "die_error_tail", {"err": -1, "counter": 1}),
    ("kernel BUG at mm/slab.c:1234!", "bug_at", {"file": "mm/slab.c", "line": 1234}),
    ("kernel unaligned access to 0xe000000112345671, ip=0xa000000100123452",
     "kernel_unaligned", {"address": 0xE000000112345671, "ip": 0xA000000100123452}),
    ("sshd(4242): unaligned access to 0x6000000000012345, ip=0x4000000000004561",
     "user_unaligned", {"comm": "sshd", "pid": 4242, "address": 0x6000000000012345}),
    ("X(1): floating-point assist fault at ip 4000000000008081, isr 0000020000000008",
     "fp_assist", {"comm": "X", "ip": 0x4000000000008081, "isr": 0x20000000008}),
    ("Modules linked in: foo(POE) bar baz(+) [last unloaded: qux(E)]", "modules",
     {"loaded": [{"name": "foo", "flags": "POE"}, {"name": "bar", "flags": ""}, {"name": "baz", "flags": "+"}],
      "last_unloaded": {"name": "qux", "flags": "E"}}),
    ("Modules linked in:", "modules", {"loaded": [], "last_unloaded": None}),
    ("CPU: 0 PID: 6171 Comm: sock_filter-v-X Tainted: G    B D W         5.12.0-rc2-00003-g97669c51470e-dirty #85",
     "cpu_info", {"cpu": 0, "pid": 6171, "comm": "sock_filter-v-X", "taint": "Tainted: G    B D W         ",
                  "release": "5.12.0-rc2-00003-g97669c51470e-dirty", "version": "#85"}),
    ("CPU: 3 PID: 1 Comm: init 2 Kdump: loaded Not tainted 6.6.0 #1", "cpu_info",
     {"comm": "init 2", "kdump": True, "taint": "Not tainted", "release": "6.6.0"}),
    ("Pid: 6830, CPU 0, comm:            pushpatch", "old_pid_info", {"pid": 6830, "cpu": 0, "comm": "pushpatch"}),
    ("Hardware name: hp server rx3600                   , BIOS 04.03       04/08/2008", "hardware",
     {"name": "hp server rx3600                   , BIOS 04.03       04/08/2008"}),
    ("psr : 0000121008026010 ifs : 800000000000040b ip  : [<a00000010008d1f1>]    Tainted: G    B D W         (5.12.0-rc2)",
     "register_row", {"registers": {"psr": 0x121008026010, "ifs": 0x800000000000040B, "ip": 0xA00000010008D1F1},
                      "taint": "Tainted: G    B D W         ", "release": "5.12.0-rc2"}),
    ("psr : 00001010081a2018 ifs : 800000000000058d ip  : [<a00000010012f7c0>]    Not tainted",
     "register_row", {"registers": {"psr": 0x1010081A2018, "ifs": 0x800000000000058D, "ip": 0xA00000010012F7C0},
                      "taint": "Not tainted"}),
    ("ip is at ptrace_stop+0x2b1/0x860", "ip_is_at",
     {"symbol": {"name": "ptrace_stop", "offset": 0x2B1, "size": 0x860, "module": None}}),
    ("ip is at e1000_clean+0x31/0x400 [e1000]", "ip_is_at",
     {"symbol": {"name": "e1000_clean", "offset": 0x31, "size": 0x400, "module": "e1000"}}),
    ("ldrs: 0000000000000000 ccv : 00000000fffffa92 fpsr: 0009804c0270033f", "register_row",
     {"registers": {"ldrs": 0, "ccv": 0xFFFFFA92, "fpsr": 0x9804C0270033F}}),
    ("f6  : 000000000000000000000 f7  : 1003e8208208208208209", "register_row",
     {"registers": {"f6": 0, "f7": 0x1003E8208208208208209}}),
    ("r32 : 0000000000000001 r33 :*0000000000000000 r34 : 2000000000012345", "register_row",
     {"registers": {"r32": 1, "r33": 0, "r34": 0x2000000000012345}, "nat": ["r33"]}),
    ("r100: 0000000000000001", "register_row", {"registers": {"r100": 1}}),
    ("Call Trace:", "call_trace", {}),
    ("[<a000000100014d10>] show_stack+0x90/0xc0", "frame",
     {"ip": 0xA000000100014D10, "symbol": {"name": "show_stack", "offset": 0x90, "size": 0xC0, "module": None}}),
    ("[<a000000200034040>] foo_ioctl+0x40/0x3a0 [foo]", "frame", {"symbol": {"name": "foo_ioctl", "offset": 0x40, "size": 0x3A0, "module": "foo"}}),
    ("[<a000000100014d10>] 0xa000000100014d10", "frame",
     {"symbol": {"name": None, "offset": None, "size": None, "module": None, "address": 0xA000000100014D10}}),
    ("[<a000000100014d10>] show_stack+0x90/0xc0 sp=e00000010f2d54b0 bsp=e00000010f2d3738", "frame",
     {"sp": 0xE00000010F2D54B0, "bsp": 0xE00000010F2D3738}),
    ("sp=e00000010f2d54b0 bsp=e00000010f2d3738", "frame_stack", {"sp": 0xE00000010F2D54B0, "bsp": 0xE00000010F2D3738}),
    ("sp=e00000010f2d54b0", "frame_stack", {"sp": 0xE00000010F2D54B0}),
    ("bsp=e00000010f2d3738", "frame_bsp", {"bsp": 0xE00000010F2D3738}),
    ("Kernel panic - not syncing: Fatal exception", "panic", {"message": "Fatal exception"}),
    ("Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b", "panic",
     {"message": "Attempted to kill init! exitcode=0x0000000b"}),
    ("---[ end Kernel panic - not syncing: Fatal exception ]---", "panic_end", {"message": "Fatal exception"}),
    ("------------[ cut here ]------------", "cut_here", {}),
    ("WARNING: at kernel/softirq.c:137 local_bh_enable+0x3c/0x120()", "warning",
     {"file": "kernel/softirq.c", "line": 137, "function": "local_bh_enable+0x3c/0x120()", "cpu": None}),
    ("WARNING: CPU: 1 PID: 7 at mm/percpu.c:1482 pcpu_alloc+0x8d0/0xe20", "warning",
     {"cpu": 1, "pid": 7, "file": "mm/percpu.c", "line": 1482}),
    ("---[ end trace 3f5a9b2c1d0e4f67 ]---", "end_trace", {}),
    ("BUG: soft lockup - CPU#1 stuck for 22s! [kswapd0:167]", "generic_bug",
     {"message": "soft lockup - CPU#1 stuck for 22s! [kswapd0:167]"}),
    ("pagealloc: memory corruption", "pagealloc", {"what": "memory corruption"}),
    ("pagealloc: single bit error", "pagealloc", {"what": "single bit error"}),
    ("000000005fa7b069: aa aa aa aa aa aa aa aa 10 00 00 00              ............", "hexdump",
     {"address": 0x5FA7B069, "bytes": bytes([0xAA] * 8 + [0x10, 0, 0, 0])}),
    ("0000000000d45288: 20 4d 61 78 53 74 61 72 74 75 70 73 0d 0a 00 aa   MaxStartups....", "hexdump",
     {"bytes": b" MaxStartups\r\n\x00\xaa"}),
    ("Disabling lock debugging due to kernel taint", "info", {}),
]


@pytest.mark.parametrize("text,kind,fields", LINES, ids=[l[1] + "-" + str(i) for i, l in enumerate(LINES)])
def test_line_kinds(text, kind, fields):
    result = parse_text(text)
    assert result is not None, text
    assert result[0] == kind
    for key, value in fields.items():
        assert result[1][key] == value, key


@pytest.mark.parametrize("text", [
    "syscall_get_set_args_cb: krbs[0]: 0x40a",  # an ordinary printk, not a die() header
    "RIP: 0010:[<ffffffff8100a0b0>]  [<ffffffff8100a0b0>] foo+0x10/0x20",
    "It's a NULL pointer dereference. How hard could it be?",
    "r8  : 00000000b3a0d9d1 r9  : 000000000000",
])
def test_lines_that_are_not_report_lines(text):
    result = parse_text(text)
    assert result is None or result[0] == "die_header_open"
