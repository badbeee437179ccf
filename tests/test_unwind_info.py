"""oopsy/ia64/unwind_info.py against `readelf -u` (golden file and live binutils)."""

from __future__ import annotations

import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from conftest import CORPUS, binutil, requires_binutils

from oopsy.emu.loader import unwind_table
from oopsy.errors import OopsyError
from oopsy.ia64.unwind_info import SaveLoc, evaluate, parse_info, render_entry, render_record
from oopsy.symbols.elf import ElfImage

FIXTURES = CORPUS / "programs" / "unwind"
ELF = FIXTURES / "frames.elf"


def our_rendering(path) -> str:
    image = ElfImage(path)
    table = unwind_table(image)
    lines = ["", f"Unwind section '.IA_64.unwind' at offset {_table_offset(image):#x} contains {len(table)} entries:"]
    for entry in table.entries:
        found = image.lookup(entry.start)
        name = found[0].name if found and found[1] == 0 else f"{entry.start:#x}"
        lines.append("")
        lines += render_entry(entry, name, table.segment_base)
    return "\n".join(lines) + "\n"


def _table_offset(image: ElfImage) -> int:
    return image.elf.get_section_by_name(".IA_64.unwind")["sh_offset"]


def test_rendering_matches_readelf_golden():
    assert our_rendering(ELF) == (FIXTURES / "frames.readelf-u.txt").read_text()


@requires_binutils
def test_rendering_matches_live_readelf():
    out = subprocess.run([binutil("readelf"), "-u", str(ELF)], capture_output=True, text=True, check=True)
    assert our_rendering(ELF) == out.stdout


def table():
    return unwind_table(ElfImage(ELF))


def entry_named(name: str):
    image = ElfImage(ELF)
    return table().lookup(image.symbol(name).address)


def test_table_lookup_and_leaf_without_entry():
    image = ElfImage(ELF)
    t = table()
    assert len(t) == 7
    assert t.lookup(image.symbol("bare").address) is None  # no .proc: no entry
    outer = t.lookup(image.symbol("outer").address + 0x12)
    assert outer.start == image.symbol("outer").address
    assert outer.info.regions[0].header.fmt == "R2"
    handled = entry_named("handled")
    assert handled.info.ehandler and handled.info.uhandler
    assert handled.info.personality is not None


def test_locations_in_prologue_body_and_epilogue():
    start = entry_named("_start")
    # slot 0: alloc not yet done; nothing saved, psp = sp, rp still in b0
    r = evaluate(start.info, 0)
    assert r.get("pfs") == SaveLoc("none") and r.get("rp").where == "br"
    assert "psp" not in r.regs
    # after the prologue (slot 3): pfs in r34, rp in r33, 32-byte frame
    r = evaluate(start.info, 3)
    assert (r.get("pfs").where, r.get("pfs").value) == ("gr", 34)
    assert (r.get("rp").where, r.get("rp").value) == ("gr", 33)
    assert (r.get("psp").where, r.get("psp").value) == ("none", 32)
    # inside the epilogue (sp restored: the last 7 slots of the body) the frame is gone
    body_end = 3 + 12
    r = evaluate(start.info, body_end - 1)
    assert "psp" not in r.regs and r.get("pfs").value == 34

    outer = entry_named("outer")
    r = evaluate(outer.info, 3)  # R2: rp, ar.pfs in r33, r34 at the prologue's last slot
    assert (r.get("rp").value, r.get("pfs").value, r.get("psp").value) == (33, 34, 64)
    r = evaluate(outer.info, 2)
    assert r.get("rp").where == "br" and r.get("pfs").where == "none"


def test_memory_saves_vframe_and_interrupt_frame():
    middle = entry_named("middle")
    r = evaluate(middle.info, 8)
    assert r.get("rp") == SaveLoc("sprel", 0x10, 3)
    assert (r.get("unat").value, r.get("pr").value, r.get("pfs").value) == (38, 39, 36)
    assert r.get("psp").value == 48
    # second body region copies the state labelled in the first
    r2 = evaluate(middle.info, 8 + 13 + 1)
    assert r2.get("rp") == SaveLoc("sprel", 0x10, 3) and r2.get("psp").value == 48

    vframe = entry_named("vframe")
    r = evaluate(vframe.info, 7)
    assert r.get("psp") == SaveLoc("gr", 35, 1)
    assert r.get("rp") == SaveLoc("psprel", 0x10 - 0x18, 3)

    intr = entry_named("intr")
    r = evaluate(intr.info, 1)
    assert r.interrupt_frame
    assert r.get("rp") == SaveLoc("sprel", 0x58, 0)
    assert r.get("pfs") == SaveLoc("sprel", 0x60, 0) and r.get("pr") == SaveLoc("sprel", 0x90, 0)
    assert r.get("psp").value == 464


def test_bad_info_is_an_oopsy_error():
    with pytest.raises(OopsyError):
        parse_info(b"\x00" * 4, 0)
    # header claims 2 words but the section ends after 1
    with pytest.raises(OopsyError):
        parse_info((1 << 48 | 2).to_bytes(8, "little") + b"\x00" * 8, 0)
    # a prologue descriptor before any region header
    with pytest.raises(OopsyError):
        parse_info((1 << 48 | 1).to_bytes(8, "little") + b"\xe6\x00" + b"\x00" * 6, 0)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(body=st.binary(max_size=64), flags=st.integers(0, 3), short=st.booleans())
def test_any_bytes_parse_or_raise_oopsy_error(body, flags, short):
    words = len(body) // 8 + (1 if short else 0)  # `short`: the header overstates the length
    header = (1 << 48) | (flags << 32) | words
    data = header.to_bytes(8, "little") + body
    try:
        info = parse_info(data, 0)
    except OopsyError:
        return
    for region in info.regions:
        render_record(region.header)
        for rec in region.records:
            render_record(rec, region.rlen)
    for when in (0, 5, 50):
        evaluate(info, when)
