"""Load an ia64 ELF executable into guest memory: PT_LOAD segments with permissions,
the entry point, and the unwind table (.IA_64.unwind + .IA_64.unwind_info).

Segment bytes are copied with writes of kind `loader`, so a trace sees where every
initial byte came from. Segments in region 5 or 7 (kernel addresses, facts §3.4) are
mapped privilege 0; everything else privilege 3.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from oopsy.emu.machine import AR_RSC, PSR_BN, PSR_IC, Machine
from oopsy.emu.memory import PERM_R, PERM_RW, PERM_W, PERM_X, Memory, region_of
from oopsy.errors import OopsyError
from oopsy.ia64.unwind_info import UnwindTable, parse_table
from oopsy.symbols.elf import ElfImage

_PF_X, _PF_W, _PF_R = 1, 2, 4
KERNEL_REGIONS = (5, 6, 7)


@dataclass
class Segment:
    vaddr: int
    memsz: int
    filesz: int
    perm: int
    pl: int


@dataclass
class LoadedImage:
    image: ElfImage
    entry: int
    segments: list[Segment]
    unwind: UnwindTable | None

    @property
    def kernel_mode(self) -> bool:
        """True when the entry point is at a kernel address (region 5-7)."""
        return region_of(self.entry) in KERNEL_REGIONS


def unwind_table(image: ElfImage) -> UnwindTable | None:
    """The image's unwind table, or None if it has no .IA_64.unwind section.

    Entries are relative to the PT_LOAD segment holding the table (as readelf computes
    `seg_base`), or to 0 for an image without program headers."""
    elf = image.elf
    table_sec = elf.get_section_by_name(".IA_64.unwind")
    info_sec = elf.get_section_by_name(".IA_64.unwind_info")
    if table_sec is None:
        return None
    if info_sec is None:
        raise OopsyError(".IA_64.unwind without .IA_64.unwind_info", source=str(image.path))
    base = 0
    addr, size = table_sec["sh_addr"], table_sec["sh_size"]
    for seg in elf.iter_segments():
        if seg["p_type"] == "PT_LOAD" and seg["p_vaddr"] <= addr and addr + size <= seg["p_vaddr"] + seg["p_memsz"]:
            base = seg["p_vaddr"]
            break
    try:
        return parse_table(table_sec.data(), info_sec.data(), info_sec["sh_addr"], base)
    except OopsyError as exc:
        raise OopsyError(exc.message, source=str(image.path)) from None


def load(path: str | Path, memory: Memory) -> LoadedImage:
    """Map and copy every PT_LOAD segment of the ia64 executable at `path`."""
    image = ElfImage(path)
    if not image.is_ia64:
        raise OopsyError(f"not an IA-64 ELF (machine {image.machine})", source=str(path))
    if image.is_relocatable:
        raise OopsyError("relocatable object: link it first (ia64-linux-gnu-ld)", source=str(path))
    segments = []
    for seg in image.elf.iter_segments():
        if seg["p_type"] != "PT_LOAD" or not seg["p_memsz"]:
            continue
        flags = seg["p_flags"]
        perm = (PERM_R if flags & _PF_R else 0) | (PERM_W if flags & _PF_W else 0) | (PERM_X if flags & _PF_X else 0)
        vaddr = seg["p_vaddr"]
        pl = 0 if region_of(vaddr) in KERNEL_REGIONS else 3
        memory.map(vaddr, seg["p_memsz"], perm, pl)
        data = seg.data()[: seg["p_filesz"]]
        memory.load_bytes(vaddr, data, kind="loader")
        segments.append(Segment(vaddr, seg["p_memsz"], seg["p_filesz"], perm, pl))
    if not segments:
        raise OopsyError("no loadable segment", source=str(path))
    return LoadedImage(image, image.elf["e_entry"], segments, unwind_table(image))


# psr bits for a running process: ic, i, dt, rt, it, bn (facts §3.1 kregs.h numbers)
PSR_RUNNING = PSR_IC | (1 << 14) | (1 << 17) | (1 << 27) | (1 << 36) | PSR_BN

# Where the emulator puts a user process's stacks: region 3, as Linux does; the memory
# stack grows down from USER_STACK_TOP, the register backing store grows up from
# USER_RBS_BOT (Linux: rbs_bot = STACK_TOP - stack size). Sizes are our choice.
USER_STACK_TOP = 0x6000100000000000
USER_STACK_SIZE = 256 << 10
USER_RBS_BOT = USER_STACK_TOP - (64 << 20)
USER_RBS_SIZE = 256 << 10

# A kernel-mode program runs on one "task" block in region 7 laid out like Linux's
# (facts §3.4): register stack growing up from task + KERNEL_RBS_OFFSET, memory stack
# growing down from task + KERNEL_STK_OFFSET with room for a pt_regs at the very top.
KERNEL_TASK = 0xE000000004000000
KERNEL_STK_OFFSET = 32 << 10
KERNEL_RBS_OFFSET = 0x1000
PT_REGS_SIZE = 0x1C0  # facts §4.2


def prepare_user_process(m: Machine, loaded: LoadedImage, argv: tuple[str, ...] = ("a.out",)) -> None:
    """Set `m` up to run `loaded` as a fresh Linux process at cpl 3: memory stack with
    argc/argv/envp (argc at r12+16: Linux start_thread's `regs->r12 = new_sp - 16`,
    "allocate 16 byte scratch area"), empty register stack, ar.rsc = 0xf (eager, pl 3),
    r1 = __gp when the image defines it, ip = the entry point."""
    mem = m.mem
    mem.map(USER_STACK_TOP - USER_STACK_SIZE, USER_STACK_SIZE, PERM_RW, pl=3)
    mem.map(USER_RBS_BOT, USER_RBS_SIZE, PERM_RW, pl=3)
    strings = b"".join(a.encode() + b"\0" for a in argv)
    top = USER_STACK_TOP - 16
    str_base = (top - len(strings)) & ~0xF
    mem.load_bytes(str_base, strings, kind="kernel")
    pointers = []
    at = str_base
    for a in argv:
        pointers.append(at)
        at += len(a.encode()) + 1
    # argc, argv[], NULL, envp[] = NULL, auxv = AT_NULL (0, 0)
    words = [len(argv), *pointers, 0, 0, 0, 0]
    sp = (str_base - 8 * len(words)) & ~0xF
    mem.load_bytes(sp, b"".join(w.to_bytes(8, "little") for w in words), kind="kernel")
    m.gr[12] = sp - 16
    m.bsp = m.bspstore = USER_RBS_BOT
    m.write_ar(AR_RSC, 0xF)
    gp = loaded.image.symbol("__gp")
    m.gr[1] = gp.address if gp is not None else 0
    m.set_psr(PSR_RUNNING | (3 << 32))
    m.ip, m.slot = loaded.entry & ~0xF, 0


def prepare_kernel_task(m: Machine, loaded: LoadedImage) -> None:
    """Set `m` up to run `loaded` in kernel mode (cpl 0) on a Linux-shaped task block."""
    m.mem.map(KERNEL_TASK, KERNEL_STK_OFFSET, PERM_RW, pl=0)
    m.gr[12] = KERNEL_TASK + KERNEL_STK_OFFSET - PT_REGS_SIZE - 16
    m.gr[13] = KERNEL_TASK  # Linux keeps `current` in r13
    m.bsp = m.bspstore = KERNEL_TASK + KERNEL_RBS_OFFSET
    m.write_ar(AR_RSC, 0x3)  # eager, pl 0 (ivt.S: "mov ar.rsc=0x3")
    gp = loaded.image.symbol("__gp")
    m.gr[1] = gp.address if gp is not None else 0
    m.set_psr(PSR_RUNNING)
    m.ip, m.slot = loaded.entry & ~0xF, 0
