"""The Linux side of the emulated machine: process setup, system calls, die().

With no interruption vector table installed (cr.iva = 0) the emulator plays Linux:

* **Process setup** (`setup_user`): a user-mode image (entry below region 5) starts at
  cpl 3 with a memory stack holding argc/argv/envp/auxv (Linux start_thread leaves a
  16-byte scratch area below them: r12 = sp - 16), an empty register frame on a user
  backing store, ar.rsc eager at pl 3, and a gate page whose `__kernel_syscall_via_epc`
  address is passed in auxv AT_SYSINFO. A kernel-mode image (entry in region 5-7,
  `setup_kernel`) starts at cpl 0 on a kernel "task" area: backing store growing up
  from task + 0x1000, memory stack below task + IA64_STK_OFFSET minus pt_regs
  (facts §3.4).
* **System calls** (facts §4.1): `break 0x100000` with r15 = number (1024 + index),
  arguments in the caller's output registers r(32+sol).. (NaT inputs read as -1),
  results r8 (value or positive errno) and r10 (0 or -1). The gate page holds
  `__kernel_syscall_via_epc` as Linux's gate.S does: `mov r10=0; epc` (promotes to
  cpl 0 on the execute-only promote page), then the kernel entry (here a
  `break 0x100000` at cpl 0, served natively; the frame is the callee frame br.call
  made, sol = 0, so arguments start at r32), then `br.ret b6`, which demotes back to
  ar.pfs.ppl. Implemented: write, exit, exit_group, getpid, brk, anonymous mmap; any
  other number returns ENOSYS.
* **Fatal faults**: in kernel mode the run ends like die(): `oopsy.emu.oops` formats
  the oops (page-fault alert line with the address, die header with cr.isr as %ld,
  show_regs, Call Trace from `oopsy.ia64.unwind` over the machine and the image's
  unwind table); in user mode with a signal message. Misaligned integer loads and
  stores are emulated as Linux's unaligned handler does (warning line, then resume).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from oopsy.emu.execute import GuestExit
from oopsy.emu.faults import ISR_RS, GuestFault
from oopsy.emu.loader import LoadedImage
from oopsy.emu.machine import (
    AR_CCV,
    AR_CSD,
    AR_FPSR,
    AR_PFS,
    AR_RSC,
    AR_SSD,
    AR_UNAT,
    CR_IVA,
    Machine,
    MachineFrameReader,
)
from oopsy.emu.memory import PAGE_SHIFT, PAGE_SIZE, PERM_R, PERM_RW, PERM_W, PERM_X
from oopsy.emu.oops import OopsFrame, OopsState, format_oops
from oopsy.errors import OopsyError
from oopsy.ia64.decode import decode_bundle
from oopsy.ia64.unwind import unwind

M64 = (1 << 64) - 1

# facts §4.1: __IA64_BREAK_SYSCALL and syscall numbers (table index + 1024)
BREAK_SYSCALL = 0x100000
SYS_EXIT = 1025
SYS_WRITE = 1027
SYS_GETPID = 1041
SYS_BRK = 1060
SYS_MMAP = 1151
SYS_EXIT_GROUP = 1236
SYSCALL_NAMES = {SYS_EXIT: "exit", SYS_WRITE: "write", SYS_GETPID: "getpid", SYS_BRK: "brk",
                 SYS_MMAP: "mmap", SYS_EXIT_GROUP: "exit_group"}
ENOSYS, EBADF, EFAULT, EINVAL, ENOMEM = 38, 9, 14, 22, 12
MAP_FIXED, MAP_ANONYMOUS = 0x10, 0x20

# Address-space layout (16 KiB pages). User: region 3 stack as Linux's STACK_TOP
# (0x6000000000000000 + (1 << (4 * PAGE_SHIFT - 12))), the register backing store 16 MiB
# below it growing up; mmap from region 1; the gate page at GATE_ADDR (region 5).
STACK_TOP = 0x6000000000000000 + (1 << (4 * PAGE_SHIFT - 12))
STACK_SIZE = 1 << 20
RBS_BASE = STACK_TOP - (16 << 20)
RBS_SIZE = 1 << 20
MMAP_BASE = 0x2000000000000000
GATE_ADDR = 0xA000000000000000
KERNEL_TASK = 0xE000000004000000
KERNEL_STK_OFFSET = 0x8000  # facts §3.4: IA64_STK_OFFSET, 32 KiB with 16 KiB pages
KERNEL_RBS_OFFSET = 0x1000
PT_REGS_SIZE = 0x1C0  # facts §4.2

# psr: ic, i, dt, rt, it, bn, mfl (the real oops in facts §5 shows 0x121008026010 with ri=1)
PSR_KERNEL = 0x101008026010
PSR_USER = PSR_KERNEL | (3 << 32)
FPSR_DEFAULT = 0x9804C0270033F
RSC_USER = 0xF  # eager, pl 3
RSC_KERNEL = 0x3  # facts §3.1: "mov ar.rsc=0x3 // set eager mode, pl 0"

AT_NULL, AT_PAGESZ, AT_ENTRY, AT_SYSINFO = 0, 6, 9, 32

# General Exception reasons, facts §1.3 (ia64_fault)
_GE_REASONS = ("IA-64 Illegal Operation fault", "IA-64 Privileged Operation fault",
               "IA-64 Privileged Register fault", "IA-64 Reserved Register/Field fault",
               "Disabled Instruction Set Transition fault", "Unknown fault 5", "Unknown fault 6",
               "Unknown fault 7", "Illegal Hazard fault") + tuple(f"Unknown fault {n}" for n in range(9, 16))
PAGE_FAULT_KINDS = ("data_tlb", "instruction_tlb", "data_access_rights", "instruction_access_rights")
SIGNALS = {4: "SIGILL", 5: "SIGTRAP", 7: "SIGBUS", 8: "SIGFPE", 11: "SIGSEGV"}


def _gate_bundles() -> bytes:
    """The gate page's code, encoded through the ISA table (facts §4.1 gate.S).

    0x00 __kernel_syscall_via_epc: { .mib  nop.m 0 ; mov r10=0 ; epc }
    0x10 (kernel entry):           { .mib  break.m 0x100000 ; nop.i 0 ; br.ret.sptk.many b6 ;; }
    0x20 __kernel_syscall_via_break: the same bundle as 0x10, entered at cpl 3.
    """
    from oopsy.ia64.isa import OPCODES

    def enc(mnemonic: str, fmt: str, **fields) -> int:
        from oopsy.ia64.isa import FIELDS
        op = next(o for o in OPCODES if o.mnemonic == mnemonic and o.format == fmt)
        slot = op.value
        for name, value in fields.items():
            lo, width = FIELDS[name]
            slot |= (value & ((1 << width) - 1)) << lo
        return slot

    def bundle(template: int, s0: int, s1: int, s2: int) -> bytes:
        value = template | (s0 << 5) | (s1 << 46) | (s2 << 87)
        return value.to_bytes(16, "little")

    nop_m = enc("nop.m", "M48")
    nop_i = enc("nop.i", "I18")
    mov_r10 = enc("mov", "A5", r1=10)  # addl r10=0,r0
    epc = enc("epc", "B8")
    brk = enc("break.m", "M37", imm20a=BREAK_SYSCALL & 0xFFFFF, i=BREAK_SYSCALL >> 20)
    ret = enc("br.ret.sptk.many", "B4", b2=6)
    mib, mib_stop = 0x10, 0x11
    entry = bundle(mib_stop, brk, nop_i, ret)
    return bundle(mib, nop_m, mov_r10, epc) + entry + entry


GATE_EPC = GATE_ADDR
GATE_BREAK = GATE_ADDR + 0x20


@dataclass
class FatalEnd:
    """How a run ended on an unhandled fault."""

    kind: str  # "oops" or "signal"
    text: str  # the oops text or the signal message
    exit_status: int


class LinuxKernel:
    """Linux emulation for one process (or one kernel-mode image). See module docstring."""

    def __init__(self, machine: Machine, image: LoadedImage, *, comm: str | None = None, pid: int = 1,
                 console=None, event=None):
        self.m = machine
        self.image = image
        self.comm = (comm or Path(image.image.path).stem)[:15]
        self.pid = pid
        self.console = bytearray()
        self.console_stream = console  # optional text stream the guest's output goes to
        self.event = event or (lambda kind, detail: None)
        self.die_counter = 0
        self.unaligned_reports = 0
        self.brk_start = self.brk = self.brk_mapped = self._initial_brk()
        self.mmap_next = MMAP_BASE
        self.stack_limits = (0, M64)

    def snapshot(self) -> dict:
        return {"console": bytes(self.console), "brk": self.brk, "brk_mapped": self.brk_mapped,
                "mmap_next": self.mmap_next, "die_counter": self.die_counter,
                "unaligned_reports": self.unaligned_reports}

    def restore(self, snap: dict) -> None:
        self.console = bytearray(snap["console"])
        self.brk, self.brk_mapped = snap["brk"], snap["brk_mapped"]
        self.mmap_next, self.die_counter = snap["mmap_next"], snap["die_counter"]
        self.unaligned_reports = snap.get("unaligned_reports", 0)

    # ---------------------------------------------------------------- setup -------
    def _initial_brk(self) -> int:
        end = max(seg.vaddr + seg.memsz for seg in self.image.segments)
        return (end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1)

    def setup(self, entry: int | None = None, argv: list[str] | None = None) -> None:
        """Prepare the machine to start at `entry` (default: the ELF entry)."""
        entry = self.image.entry if entry is None else entry
        if self.image.kernel_mode:
            self.setup_kernel(entry)
        else:
            self.setup_user(entry, argv or [self.comm])

    def _common(self, entry: int, psr: int, rsc: int, rbs: int, sp: int) -> None:
        m = self.m
        m.ar[AR_RSC] = 0
        m.set_bspstore(rbs)
        m.ar[AR_RSC] = rsc
        m.ar[AR_FPSR] = FPSR_DEFAULT
        m.set_psr(psr)
        m.gr[12] = sp
        gp = self.image.image.symbol("__gp")
        if gp is not None:
            m.gr[1] = gp.address
        m.ip = entry & ~0xF
        m.slot = 0

    def setup_user(self, entry: int, argv: list[str]) -> None:
        mem = self.m.mem
        mem.map(STACK_TOP - STACK_SIZE, STACK_SIZE, PERM_RW, 3)
        mem.map(RBS_BASE, RBS_SIZE, PERM_RW, 3)
        mem.map_gate(GATE_ADDR, PAGE_SIZE, promote_to=0)
        mem.load_bytes(GATE_ADDR, _gate_bundles(), kind="kernel")
        # strings, then auxv/envp/argv/argc below them, 16-byte aligned (create_elf_tables)
        pos = STACK_TOP
        addrs = []
        for arg in argv:
            data = arg.encode() + b"\0"
            pos -= len(data)
            mem.load_bytes(pos, data, kind="kernel")
            addrs.append(pos)
        auxv = [AT_PAGESZ, PAGE_SIZE, AT_ENTRY, entry, AT_SYSINFO, GATE_EPC, AT_NULL, 0]
        words = [len(argv)] + addrs + [0] + [0] + auxv  # argc, argv..., NULL, envp NULL, auxv
        pos = (pos - 8 * len(words)) & ~0xF
        mem.load_bytes(pos, b"".join(w.to_bytes(8, "little") for w in words), kind="kernel")
        self.stack_limits = (RBS_BASE, RBS_BASE + RBS_SIZE)
        self._common(entry, PSR_USER, RSC_USER, RBS_BASE, pos - 16)

    def setup_kernel(self, entry: int) -> None:
        mem = self.m.mem
        mem.map(KERNEL_TASK, KERNEL_STK_OFFSET, PERM_RW, 0)
        # A kernel image that brings its own gate page marks it __gate_start..__gate_end
        # (corpus/kernels/kernel.lds): mapped execute-only, promoting epc to cpl 0.
        gate_start, gate_end = self.image.image.symbol("__gate_start"), self.image.image.symbol("__gate_end")
        if gate_start is not None and gate_end is not None and gate_end.address > gate_start.address:
            mem.map_gate(gate_start.address, gate_end.address - gate_start.address, promote_to=0)
        rbs = KERNEL_TASK + KERNEL_RBS_OFFSET
        sp = KERNEL_TASK + KERNEL_STK_OFFSET - PT_REGS_SIZE - 16
        self.stack_limits = (rbs, KERNEL_TASK + KERNEL_STK_OFFSET)
        self._common(entry, PSR_KERNEL, RSC_KERNEL, rbs, sp)

    # ------------------------------------------------------------- syscalls -------
    def on_break(self, imm: int, ip: int) -> None:
        """A `break imm` executed (qp true). Syscalls are served here when no vector
        table is installed; everything else becomes a Break Instruction fault."""
        m = self.m
        if imm == BREAK_SYSCALL and not m.cr[CR_IVA]:
            self.syscall(via="epc" if m.cpl == 0 and m.mem.epc_privilege(ip) is not None else "break")
            return
        fault = GuestFault("break", detail=f"break {imm:#x}")
        fault.iim = imm
        raise fault

    def _args(self) -> list[int]:
        m = self.m
        base = 32 + m.sol
        out = []
        for i in range(8):
            r = base + i
            if r < 32 + m.sof:
                out.append(M64 if m.nat[r] else m.gr[r])  # facts §4.1: NaT inputs become -1
            else:
                out.append(0)
        return out

    def syscall(self, via: str = "break") -> None:
        m = self.m
        nr = m.gr[15]
        args = self._args()
        handler = {SYS_WRITE: self.sys_write, SYS_EXIT: self.sys_exit, SYS_EXIT_GROUP: self.sys_exit,
                   SYS_GETPID: self.sys_getpid, SYS_BRK: self.sys_brk, SYS_MMAP: self.sys_mmap}.get(nr)
        self.event("syscall", {"nr": nr, "name": SYSCALL_NAMES.get(nr, "unknown"), "args": args, "via": via})
        if handler is None:
            value, error = ENOSYS, True
        else:
            value, error = handler(*args)
        # facts §4.1: r8 = value or positive errno, r10 = 0 / -1
        m.gr[8] = value & M64
        m.gr[10] = M64 if error else 0
        m.nat[8] = m.nat[10] = 0
        self.event("syscall_return", {"nr": nr, "r8": m.gr[8], "r10": m.gr[10]})

    def sys_write(self, fd, buf, count, *_):
        if fd not in (1, 2):
            return EBADF, True
        try:
            data = self.m.mem.read_bytes(buf, count) if count else b""
        except GuestFault:
            return EFAULT, True
        self._console(data)
        self.event("console", {"fd": fd, "data": data})
        return count, False

    def sys_exit(self, code, *_):
        raise GuestExit(code & 0xFF)

    def sys_getpid(self, *_):
        return self.pid, False

    def sys_brk(self, addr, *_):
        """brk: the break moves within [end of the image, +4 GiB); growing maps zero
        pages (lazily); shrinking keeps them mapped. brk(0) returns the current break."""
        if addr < self.brk_start or addr > self.brk_start + (1 << 32):
            return self.brk, False
        top = (addr + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1)
        if top > self.brk_mapped:
            self.m.mem.map(self.brk_mapped, top - self.brk_mapped, PERM_RW, 3, lazy=True)
            self.brk_mapped = top
        self.brk = addr
        return addr, False

    def sys_mmap(self, addr, length, prot, flags, fd, offset, *_):
        if not flags & MAP_ANONYMOUS:
            return EBADF, True
        if length == 0 or length > 1 << 32:
            return EINVAL, True
        size = (length + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1)
        if flags & MAP_FIXED:
            if addr & (PAGE_SIZE - 1):
                return EINVAL, True
            base = addr
        else:
            base = self.mmap_next
            self.mmap_next += size
        perm = (PERM_R if prot & 1 else 0) | (PERM_W if prot & 2 else 0) | (PERM_X if prot & 4 else 0)
        mem = self.m.mem
        mem.unmap(base, size)
        mem.map(base, size, perm, 3, lazy=True)  # pages appear (zeroed) on first touch
        return base, False

    # ------------------------------------------------------- unaligned accesses -----
    def emulate_unaligned(self, fault: GuestFault) -> bool:
        """Linux's unaligned-reference handler (facts §1.5): print the (rate-limited)
        warning, do the misaligned integer load or store byte-wise, update the base
        register, and resume after the instruction. ld8.fill/st8.spill, ld16/st16 and
        the semaphores are not emulated (False: the caller ends the run)."""
        m = self.m
        data = m.mem.peek(m.ip, 16)
        if data is None:
            return False
        insn = decode_bundle(data, m.ip).at_slot(m.slot)
        op = insn.op if insn is not None else None
        if op is None or op.family not in ("ld", "st"):
            return False
        attrs = op.attrs
        if attrs["kind"] in ("fill", "spill") or attrs["size"] == 16:
            return False
        ops = insn.operands
        size, r3 = attrs["size"], ops["[r3]"]
        addr = m.gr[r3]
        ip = m.ip | m.slot
        if self.unaligned_reports < 5:  # __ratelimit: 5 messages (per 5*HZ in Linux)
            self.unaligned_reports += 1
            if m.cpl:
                line = f"{self.comm}({self.pid}): unaligned access to 0x{addr:016x}, ip=0x{ip:016x}\n"
            else:
                line = f"kernel unaligned access to 0x{addr:016x}, ip=0x{ip:016x}\n"
            self._console(line.encode())
        try:
            if op.family == "ld":
                value = int.from_bytes(m.mem.read_bytes(addr, size), "little")
            else:
                value = m.gr[ops["r2"]] & ((1 << (8 * size)) - 1)
                m.mem.write_bytes(addr, value.to_bytes(size, "little"), kind="cpu")
        except GuestFault:
            return False
        if op.family == "ld":
            r1 = ops["r1"]
            m.gr[r1], m.nat[r1] = value, 0
        postinc = attrs.get("postinc")
        if postinc == "reg":
            r2 = ops["r2"]
            m.gr[r3] = (addr + m.gr[r2]) & M64
            m.nat[r3] |= m.nat[r2]
        elif postinc == "imm":
            m.gr[r3] = (addr + ops.get("imm9b", ops.get("imm9a", 0))) & M64
        self.event("unaligned", {"addr": addr, "ip": ip, "size": size, "store": op.family == "st"})
        last = len(decode_bundle(data, m.ip).instructions) - 1
        m.ip, m.slot = (m.ip + 16, 0) if m.slot >= last else (m.ip, m.slot + 1)
        return True

    def _console(self, data: bytes) -> None:
        self.console += data
        if self.console_stream is not None:
            self.console_stream.write(data.decode("utf-8", "replace"))
            self.console_stream.flush()

    # ---------------------------------------------------------------- faults ------
    def symbolize(self, ip: int) -> str:
        """%pS: name+0xoff/0xsize, or 0x<hex> (facts §1.6)."""
        hit = self.image.image.lookup(ip)
        if hit is None:
            return f"{ip:#x}"
        sym, off = hit
        return f"{sym.name}+{off:#x}/{self.image.image.size_of(sym):#x}"

    def fatal(self, fault: GuestFault) -> FatalEnd:
        """End the run on an unhandled fault at m.ip/m.slot (kernel: oops, user: signal)."""
        m = self.m
        if m.cpl == 0:
            text = self.oops_text(fault)
            self.event("oops", {"text": text})
            return FatalEnd("oops", text, 1)
        signo, what = self._signal_for(fault)
        ip = m.ip | m.slot
        where = f" at {fault.ifa:016x}" if fault.ifa is not None else ""
        text = (f"{self.comm}[{self.pid}]: {SIGNALS[signo]} ({what}){where} ip {ip:016x} "
                f"{self.symbolize(ip)}: {fault.detail or fault.kind}\n")
        self.event("signal", {"signo": signo, "text": text})
        return FatalEnd("signal", text, 128 + signo)

    def _signal_for(self, fault: GuestFault) -> tuple[int, str]:
        kind = fault.kind
        if kind in PAGE_FAULT_KINDS:
            return 11, "SEGV_MAPERR" if kind.endswith("tlb") else "SEGV_ACCERR"
        if kind == "unaligned_reference":
            return 7, "BUS_ADRALN"
        if kind == "break":  # facts §1.3 ia64_bad_break
            imm = getattr(fault, "iim", 0)
            if imm >= 0x80000:
                return 5, "TRAP_BRKPT"
            if imm in (1, 2, 3):
                return 8, "FPE_INTDIV" if imm == 1 else "FPE"
            return 4, "ILL_ILLOPC"
        return 4, "ILL_ILLOPC" if kind == "general_exception" else "ILL_ILLOPN"

    def _die_text(self, fault: GuestFault) -> tuple[str, int, int | None, list[str]]:
        """(die string, err, fault address for the alert line, lines printed before)."""
        kind, isr = fault.kind, fault.isr
        if kind in PAGE_FAULT_KINDS:
            return "Oops", isr, fault.ifa, []
        if kind == "nat_consumption":
            return "NaT consumption", isr, None, []
        if kind == "general_exception":
            code = (isr >> 4) & 0xF
            reason = _GE_REASONS[code]
            if code == 3:
                reason += " (RSE access)" if isr & ISR_RS else " (data access)"
            return f"General Exception: {reason}", isr, None, []
        if kind == "break":
            imm = getattr(fault, "iim", 0)
            return ("bugcheck!", 0, None, []) if imm == 0 else ("Bad break", imm, None, [])
        if kind == "unaligned_reference":  # facts §1.5: kernel unaligned access, then die
            ip = self.m.ip | self.m.slot
            return ("error during unaligned kernel access\n", -1, None,
                    [f"kernel unaligned access to 0x{fault.ifa:016x}, ip=0x{ip:016x}"])
        return f"Fault {fault.vector >> 8}", isr, None, []

    def pt_regs(self) -> dict[str, int]:
        """The pt_regs fields show_regs prints, as the interruption would save them."""
        m = self.m
        pt = {
            "cr_ipsr": (m.psr & ~(3 << 41)) | (m.slot << 41),
            "cr_iip": m.ip,
            "cr_ifs": (1 << 63) | m.cfm,  # the handler's cover: valid bit + interrupted CFM
            "ar_unat": m.ar[AR_UNAT], "ar_pfs": m.ar[AR_PFS], "ar_rsc": m.ar[AR_RSC],
            "ar_rnat": m.rnat, "ar_bspstore": m.bspstore, "pr": m.read_pr(), "loadrs": 0,
            "ar_ccv": m.ar[AR_CCV], "ar_fpsr": m.ar[AR_FPSR], "ar_csd": m.ar[AR_CSD],
            "ar_ssd": m.ar[AR_SSD], "b0": m.br[0], "b6": m.br[6], "b7": m.br[7],
        }
        for n in range(1, 32):
            pt[f"r{n}"] = m.gr[n]
        return pt

    def call_trace(self) -> list[OopsFrame]:
        """Frames from the interrupted one outwards (ips bundle-aligned, facts §5)."""
        m = self.m
        top = m.unwind_state()
        if self.image.unwind is None:
            return [OopsFrame(m.ip, m.gr[12], m.bsp)]
        try:
            walked = unwind(top, self.image.unwind, MachineFrameReader(m), bsp_limits=self.stack_limits)
        except (OopsyError, ValueError, KeyError, IndexError):  # unreadable unwind info: top frame only
            return [OopsFrame(m.ip, m.gr[12], m.bsp)]
        return [OopsFrame(f.ip & ~0xF, f.sp, f.bsp) for f in walked.frames]

    def oops_text(self, fault: GuestFault) -> str:
        self.die_counter += 1
        die_text, err, address, before = self._die_text(fault)
        state = OopsState(comm=self.comm, pid=self.pid, die_text=die_text, err=err, pt=self.pt_regs(),
                          counter=self.die_counter, fault_address=address, frames=self.call_trace())
        text = format_oops(state, self.symbolize)
        return "".join(line + "\n" for line in before) + text


__all__ = ["LinuxKernel", "FatalEnd", "GATE_EPC", "GATE_BREAK"]
