"""oopsy/emu/loader.py: PT_LOAD segments into guest memory with permissions."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import CORPUS, binutil, requires_binutils

from oopsy.emu.faults import GuestFault
from oopsy.emu.loader import load
from oopsy.emu.memory import PERM_RW, PERM_RX, Memory
from oopsy.errors import OopsyError

ELF = CORPUS / "programs" / "unwind" / "frames.elf"


def test_segments_land_with_bytes_permissions_and_loader_writes():
    mem = Memory()
    writes = []
    mem.write_hook = lambda addr, size, value, kind: writes.append((addr, kind))
    loaded = load(ELF, mem)
    image = loaded.image
    assert loaded.entry == image.symbol("_start").address
    assert not loaded.kernel_mode
    text = image.elf.get_section_by_name(".text")
    assert mem.peek(text["sh_addr"], text["sh_size"]) == text.data()
    assert [(s.perm, s.pl) for s in loaded.segments] == [(PERM_RX, 3), (PERM_RW, 3)]
    assert writes and {kind for _, kind in writes} == {"loader"}
    mem.set_privilege(3)
    assert mem.read8(image.symbol("counter").address) == 0x1122334455667788
    assert mem.fetch(loaded.entry) == text.data()[:16]
    with pytest.raises(GuestFault) as info:
        mem.write8(loaded.entry, 0)  # text is not writable
    assert info.value.kind == "data_access_rights"
    assert len(loaded.unwind) == 7
    assert loaded.unwind.lookup(loaded.entry).start == loaded.entry


def test_not_ia64_or_not_elf(tmp_path):
    bogus = tmp_path / "x.elf"
    bogus.write_bytes(b"not an elf at all")
    with pytest.raises(OopsyError):
        load(bogus, Memory())
    with pytest.raises(OopsyError) as info:
        load(os.path.realpath(sys.executable), Memory())  # the host's own ELF
    assert "IA-64" in str(info.value)


@requires_binutils
def test_relocatable_object_is_refused(tmp_path):
    obj = tmp_path / "frames.o"
    subprocess.run([binutil("as"), "-o", str(obj), str(CORPUS / "programs" / "unwind" / "frames.S")], check=True)
    with pytest.raises(OopsyError) as info:
        load(obj, Memory())
    assert "relocatable" in str(info.value)


def test_prepare_user_process_stack_and_registers():
    from oopsy.emu.loader import USER_RBS_BOT, prepare_user_process
    from oopsy.emu.machine import AR_RSC, Machine

    m = Machine(Memory())
    loaded = load(ELF, m.mem)
    prepare_user_process(m, loaded, argv=("frames", "-v"))
    assert m.cpl == 3 and m.mem.cpl == 3
    assert (m.ip, m.slot) == (loaded.entry, 0)
    assert m.read_ar(AR_RSC) == 0xF and m.bsp == m.bspstore == USER_RBS_BOT
    sp = m.gr[12]
    assert sp % 16 == 0
    assert m.mem.read8(sp + 16) == 2  # argc above the 16-byte scratch area
    argv0, argv1 = m.mem.read8(sp + 24), m.mem.read8(sp + 32)
    assert m.mem.read_bytes(argv0, 7) == b"frames\0" and m.mem.read_bytes(argv1, 3) == b"-v\0"
    assert m.mem.read8(sp + 40) == 0  # argv terminator
    # the register stack works at pl 3: a frame bigger than the file forces spills
    for _ in range(3):
        m.alloc(0, 60, 1, 0)
        m.call()
    assert m.bspstore > USER_RBS_BOT


def test_prepare_kernel_task():
    from oopsy.emu.loader import KERNEL_TASK, prepare_kernel_task
    from oopsy.emu.machine import Machine

    m = Machine(Memory())
    loaded = load(ELF, m.mem)
    prepare_kernel_task(m, loaded)
    assert m.cpl == 0 and m.gr[13] == KERNEL_TASK
    assert KERNEL_TASK < m.bsp < m.gr[12] < KERNEL_TASK + (32 << 10)
    m.mem.write8(m.gr[12], 5)  # the kernel stack is writable at cpl 0
    m.set_cpl(3)
    with pytest.raises(GuestFault):
        m.mem.read8(m.gr[12])  # and not at cpl 3
