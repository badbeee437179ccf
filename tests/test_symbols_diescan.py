"""The fast DIE scanner finds exactly the functions the pyelftools walk finds."""

from __future__ import annotations

import pytest
from conftest import CORPUS

from oopsy.symbols import dwarf as dw
from oopsy.symbols.diescan import scope_dies
from oopsy.symbols.elf import ElfImage

HERE = CORPUS / "programs" / "symbols"


def both_ways(info, cu):
    top = cu.get_top_DIE()
    base = dw.unit_base(info, top)
    fast, slow = dw.UnitData(cu.cu_offset), dw.UnitData(cu.cu_offset)
    found = list(scope_dies(cu, info.debug_info_sec.stream.getbuffer(), dw._SCOPE_TAGS, dw.FUNCTION_TAGS))
    dw._record_functions(info, cu, found, base, None, fast)
    dw._walk_functions(info, top, base, None, slow)
    return fast, slow


@pytest.mark.parametrize("elf", ["kernel.elf", "demo.ko", "x86/demo-dwarf4.elf", "x86/demo-dwarf5.elf"])
def test_scanner_matches_pyelftools_walk(elf):
    info = ElfImage(HERE / elf).dwarf_info()
    functions = 0
    for cu in info.iter_CUs():
        fast, slow = both_ways(info, cu)
        assert fast.functions == slow.functions
        assert sorted(fast.ranges) == sorted(slow.ranges)
        functions += len(fast.functions)
    assert functions >= 3


def test_scanner_skips_subtrees_but_sees_nested_inlines():
    info = ElfImage(HERE / "x86/demo-dwarf5.elf").dwarf_info()
    inlined = [
        (tag, enclosing)
        for cu in info.iter_CUs()
        for _offset, tag, enclosing in scope_dies(cu, info.debug_info_sec.stream.getbuffer(), dw._SCOPE_TAGS, dw.FUNCTION_TAGS)
        if tag == "DW_TAG_inlined_subroutine"
    ]
    assert inlined and all(enclosing is not None for _tag, enclosing in inlined)
