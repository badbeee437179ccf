"""oopsy/emu/memory.py: paged little-endian memory, permissions, guest faults."""

from __future__ import annotations

import pytest

from oopsy.emu.faults import ISR_NA, ISR_R, ISR_W, ISR_X, GuestFault
from oopsy.emu.memory import PAGE_SIZE, PERM_R, PERM_RW, PERM_RX, Memory, region_of
from oopsy.errors import OopsyError

USER = 0x2000000000004000
KERNEL = 0xA000000100000000


def test_little_endian_sizes_and_page_crossing_bulk():
    mem = Memory()
    mem.map(USER, 2 * PAGE_SIZE, PERM_RW)
    mem.set_privilege(3)
    mem.write8(USER, 0x1122334455667788)
    assert mem.read1(USER) == 0x88
    assert mem.read2(USER + 2) == 0x5566
    assert mem.read4(USER + 4) == 0x11223344
    mem.write16(USER + 16, (0xAB << 120) | 0xCD)
    assert mem.read16(USER + 16) == (0xAB << 120) | 0xCD
    assert mem.read1(USER + 31) == 0xAB
    mem.write(USER + 40, 2, 0x12345)  # truncated to the access size
    assert mem.read2(USER + 40) == 0x2345
    edge = USER + PAGE_SIZE - 3
    mem.load_bytes(edge, b"abcdef", kind="kernel")
    assert mem.read_bytes(edge, 6) == b"abcdef"


def test_unmapped_access_is_a_guest_fault_with_ifa_and_isr():
    mem = Memory()
    with pytest.raises(GuestFault) as info:
        mem.read8(0x338)
    fault = info.value
    assert fault.kind == "data_tlb" and fault.vector == 0x0800
    assert fault.ifa == 0x338 and fault.isr == ISR_R
    # facts §5: the real oops has isr 0xa0400000000 = r | ei=1 | ed
    assert fault.at_slot(1).isr == ISR_R | (1 << 41)
    with pytest.raises(GuestFault) as info:
        mem.write4(0x1000, 5)
    assert info.value.isr == ISR_W
    with pytest.raises(GuestFault) as info:
        mem.fetch(KERNEL)
    assert info.value.kind == "instruction_tlb" and info.value.isr == ISR_X


def test_permissions_and_privilege():
    mem = Memory()
    mem.map(KERNEL, PAGE_SIZE, PERM_RX, pl=0)
    mem.map(USER, PAGE_SIZE, PERM_R, pl=3)
    mem.load_bytes(KERNEL, bytes(range(16)))
    assert mem.fetch(KERNEL) == bytes(range(16))
    with pytest.raises(GuestFault) as info:
        mem.write8(KERNEL, 1)
    assert info.value.kind == "data_access_rights" and info.value.vector == 0x5300
    mem.set_privilege(3)
    with pytest.raises(GuestFault) as info:
        mem.read8(KERNEL)
    assert info.value.kind == "data_access_rights" and "cpl 3" in info.value.detail
    with pytest.raises(GuestFault) as info:
        mem.fetch(USER)
    assert info.value.kind == "instruction_access_rights"
    assert mem.read8(USER) == 0
    mem.protect(USER, PAGE_SIZE, PERM_RW)
    mem.write8(USER, 7)
    assert mem.read8(USER) == 7
    assert mem.probe_fault(KERNEL, write=False).isr == ISR_NA | ISR_R
    assert mem.probe_fault(USER, write=True) is None


def test_misaligned_access_faults():
    mem = Memory()
    mem.map(USER, PAGE_SIZE, PERM_RW)
    with pytest.raises(GuestFault) as info:
        mem.read8(USER + 4)
    assert info.value.kind == "unaligned_reference" and info.value.ifa == USER + 4
    with pytest.raises(GuestFault):
        mem.write8(USER + 1, 0)


def test_write_hook_sees_every_write_with_its_kind():
    mem = Memory()
    mem.map(USER, PAGE_SIZE, PERM_RW)
    seen = []
    mem.write_hook = lambda addr, size, value, kind: seen.append((addr, size, value, kind))
    mem.write8(USER, 0xAAAAAAAAAAAAAAAA)
    mem.write1(USER + 9, 0x1FF)
    mem.rse_write8(USER + 16, 3, pl=0)
    mem.load_bytes(USER + 32, b"\x01\x02", kind="loader")
    assert seen == [
        (USER, 8, 0xAAAAAAAAAAAAAAAA, "cpu"),
        (USER + 9, 1, 0xFF, "cpu"),
        (USER + 16, 8, 3, "rse_spill"),
        (USER + 32, 2, 0x0201, "loader"),
    ]


def test_regions_and_bad_protect():
    assert region_of(KERNEL) == 5 and region_of(0xE000000000000000) == 7 and region_of(USER) == 1
    mem = Memory()
    mem.map(USER, 1, PERM_R)
    mem.map(KERNEL, 1, PERM_R, pl=0)
    assert mem.regions() == {1: 1, 5: 1}
    with pytest.raises(OopsyError):
        mem.protect(0x4000, 1, PERM_R)
    mem.unmap(USER, 1)
    assert not mem.is_mapped(USER)


def test_write_bytes_checks_the_whole_range_first():
    mem = Memory()
    mem.map(USER, PAGE_SIZE, PERM_RW)
    mem.set_privilege(3)
    seen = []
    mem.write_hook = lambda addr, size, value, kind: seen.append((addr, size, kind))
    mem.write_bytes(USER + PAGE_SIZE - 12, b"hello, world")
    assert mem.read_bytes(USER + PAGE_SIZE - 12, 12) == b"hello, world"
    assert seen == [(USER + PAGE_SIZE - 12, 8, "kernel"), (USER + PAGE_SIZE - 4, 4, "kernel")]
    with pytest.raises(GuestFault) as info:
        mem.write_bytes(USER + PAGE_SIZE - 4, b"spills over")  # next page unmapped
    assert info.value.ifa == USER + PAGE_SIZE and info.value.isr == ISR_W
    assert mem.read_bytes(USER + PAGE_SIZE - 4, 4) == b"orld"  # nothing written


def test_gate_page_and_epc_privilege():
    gate = 0xA000000000010000
    mem = Memory()
    mem.map_gate(gate, PAGE_SIZE)
    mem.map(USER, PAGE_SIZE, PERM_RX)
    mem.load_bytes(gate, b"\x11" * 16)
    mem.set_privilege(3)
    assert mem.fetch(gate) == b"\x11" * 16  # executable from user mode
    with pytest.raises(GuestFault):
        mem.read8(gate)  # but not readable
    assert mem.epc_privilege(gate + 0x20) == 0
    assert mem.epc_privilege(USER) is None


def test_snapshot_restore_round_trip():
    mem = Memory()
    mem.map(USER, PAGE_SIZE, PERM_RW)
    mem.write8(USER, 42)
    snap = mem.snapshot()
    mem.write8(USER, 43)
    mem.map(KERNEL, PAGE_SIZE, PERM_R, pl=0)
    mem.restore(snap)
    assert mem.read8(USER) == 42 and not mem.is_mapped(KERNEL)
    mem.write8(USER + 8, 1)  # pages are live bytearrays again, views rebuilt
    assert mem.read8(USER + 8) == 1


def test_lazy_map_materializes_pages_on_first_touch():
    mem = Memory()
    base = 0x2000000100000000
    mem.map(base, 1 << 30, PERM_RW, lazy=True)  # 1 GiB costs nothing up front
    assert not mem.pages and mem.is_mapped(base + (1 << 29))
    mem.set_privilege(3)
    mem.write8(base + (1 << 30) - 8, 7)
    assert mem.read8(base + (1 << 30) - 8) == 7
    assert mem.read4(base + 0x100) == 0
    assert len(mem.pages) == 2
    mem.unmap(base + (1 << 20), 1 << 20)  # a hole in the middle
    with pytest.raises(GuestFault) as info:
        mem.read8(base + (1 << 20) + 64)
    assert info.value.kind == "data_tlb"
    mem.protect(base + (2 << 20), PAGE_SIZE, PERM_R)
    assert mem.read8(base + (2 << 20)) == 0
    with pytest.raises(GuestFault) as info:
        mem.write8(base + (2 << 20) + 8, 1)
    assert info.value.kind == "data_access_rights"
    mem.write8(base + (2 << 20) + PAGE_SIZE, 1)  # the next page keeps rw
    h = Memory()
    h.map(base, 1 << 30, PERM_RW, lazy=True)
    import hashlib

    a, b = hashlib.sha256(), hashlib.sha256()
    h.digest_into(a)
    Memory().digest_into(b)
    assert a.digest() != b.digest()  # a reservation is part of the state
    snap = mem.snapshot()
    fresh = Memory()
    fresh.restore(snap)
    fresh.set_privilege(3)
    assert fresh.read8(base + (1 << 30) - 8) == 7 and fresh.read8(base + (3 << 20)) == 0
