"""Load an ia64 ELF executable into guest memory: PT_LOAD segments with permissions,
the entry point, and the unwind table (.IA_64.unwind + .IA_64.unwind_info).

Segment bytes are copied with writes of kind `loader`, so a trace sees where every
initial byte came from. Segments in region 5 or 7 (kernel addresses, facts §3.4) are
mapped privilege 0; everything else privilege 3.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from oopsy.emu.memory import PERM_R, PERM_W, PERM_X, Memory, region_of
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
