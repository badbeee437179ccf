"""What `oopsy replay --show regs,rse,stack,code` prints for the machine at a step."""

from __future__ import annotations

from oopsy.emu.machine import AR_PFS, MachineFrameReader
from oopsy.emu.run import Emulator
from oopsy.errors import OopsyError
from oopsy.ia64.disasm import disassemble_around
from oopsy.ia64.rse import is_rnat_slot, num_regs, skip_regs
from oopsy.ia64.unwind import unwind

SECTIONS = ("regs", "rse", "stack", "code")


def _frames(emu: Emulator):
    m = emu.machine
    if emu.image.unwind is None:
        return []
    return unwind(m.unwind_state(), emu.image.unwind, MachineFrameReader(m),
                  bsp_limits=emu.kernel.stack_limits).frames


def regs(emu: Emulator) -> list[str]:
    m = emu.machine
    lines = [f"ip  : {m.ip | m.slot:016x}  {emu.kernel.symbolize(m.ip | m.slot)}   step {m.steps}",
             f"psr : {m.psr:016x} cpl {m.cpl}   cfm : {m.cfm:016x} (sof {m.sof} sol {m.sol} sor {m.sor})",
             f"pfs : {m.ar[AR_PFS]:016x}   bsp : {m.bsp:016x}   bspstore : {m.bspstore:016x}",
             "b0-b7: " + " ".join(f"{v:016x}" for v in m.br)]
    pr = "".join(str(p) for p in m.pr[:64])
    lines.append(f"pr  : {m.read_pr():016x}  set: " + ",".join(f"p{i}" for i, c in enumerate(pr) if c == "1"))
    row = []
    for n in range(1, 32 + m.sof):
        nat = "*" if m.nat[n] else " "
        row.append(f"r{n:<3}: {m.gr[n]:016x}{nat}")
        if len(row) == 3:
            lines.append("  ".join(row))
            row = []
    if row:
        lines.append("  ".join(row))
    if any(m.nat[n] for n in range(1, 32 + m.sof)):
        lines.append("(* = NaT)")
    return lines


def rse(emu: Emulator, max_slots: int = 512) -> list[str]:
    """Every backing-store slot from the outermost frame to the current one: address,
    value, the register it holds (r32... of which frame), where it lives now (memory,
    dirty in the register file, or the current frame), RNAT collection slots marked."""
    m = emu.machine
    frames = _frames(emu)
    top = skip_regs(m.bsp, m.sof)
    low = min([f.bsp for f in frames] + [m.bspstore, m.bsp])
    if num_regs(low, top) > max_slots:
        low = skip_regs(top, -max_slots)
    # frame boundaries: each frame's r32 slot, innermost first, with its size
    bounds = [(m.bsp, m.sof, emu.kernel.symbolize(m.ip | m.slot))]
    for inner, outer in zip(frames, frames[1:]):
        bounds.append((outer.bsp, num_regs(outer.bsp, inner.bsp), emu.kernel.symbolize(outer.ip)))
    lines = [f"bsp {m.bsp:016x}  bspstore {m.bspstore:016x}  ndirty {m.ndirty} "
             f"({num_regs(m.bspstore, m.bsp)} slots + RNAT)  nclean {m.nclean}  rnat {m.rnat:016x}  "
             f"sof {m.sof} sol {m.sol}",
             f"{'address':<18} {'value':<18} {'reg':<6} {'where':<8} frame"]
    addr = low & ~7
    while addr < top:
        if is_rnat_slot(addr):
            where = "memory" if addr < m.bspstore else "ar.rnat"
            value = m.mem.peek8(addr) if addr < m.bspstore else m.rnat
            lines.append(f"{addr:016x}   {(value or 0):016x}   {'RNAT':<6} {where:<8} NaT collection")
            addr += 8
            continue
        name, frame = "?", ""
        for base, size, fname in bounds:
            if base <= addr:
                i = num_regs(base, addr)
                if i < max(size, 1):
                    name, frame = f"r{32 + i}", fname
                break
        try:
            value, nat = m.stacked_slot(addr)
        except Exception:
            value, nat = 0, 0
        where = "memory" if addr < m.bspstore else ("dirty" if addr < m.bsp else "frame")
        lines.append(f"{addr:016x}   {value:016x}{'*' if nat else ' '}  {name:<6} {where:<8} {frame}")
        addr += 8
    return lines


def stack(emu: Emulator) -> list[str]:
    frames = _frames(emu)
    if not frames:
        return ["(no unwind information)"]
    lines = []
    for i, f in enumerate(frames):
        sof, sol = f.cfm & 0x7F, (f.cfm >> 7) & 0x7F
        lines.append(f"#{i:<2} {f.ip:016x} {emu.kernel.symbolize(f.ip):<28} sp {f.sp:016x} bsp {f.bsp:016x} "
                     f"sof {sof} sol {sol}" + ("  [interrupt]" if f.interrupt else ""))
    return lines


def code(emu: Emulator, symbolize=None) -> list[str]:
    m = emu.machine

    def read(addr: int, size: int) -> bytes:
        data = m.mem.peek(addr, size)
        if data is None:
            raise OopsyError(f"no code at {addr:#x}")
        return data

    return disassemble_around(read, m.ip | m.slot, symbolizer=symbolize)


def parse_sections(text: str) -> list[str]:
    wanted = [s.strip() for s in text.split(",") if s.strip()]
    bad = [s for s in wanted if s not in SECTIONS]
    if bad:
        raise OopsyError(f"--show takes {','.join(SECTIONS)}, not {','.join(bad)}")
    return wanted


def render(emu: Emulator, sections: list[str], symbolize=None) -> list[str]:
    out = []
    for s in sections:
        out.append(f"--- {s} ---")
        if s == "regs":
            out += regs(emu)
        elif s == "rse":
            out += rse(emu)
        elif s == "stack":
            out += stack(emu)
        elif s == "code":
            out += code(emu, symbolize)
    return out
