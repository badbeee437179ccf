"""The fast line-program decoder agrees row for row with pyelftools on every fixture unit."""

from __future__ import annotations

import pytest
from conftest import CORPUS

from oopsy.symbols.elf import ElfImage
from oopsy.symbols.lines import decode_rows, pyelftools_rows

HERE = CORPUS / "programs" / "symbols"


@pytest.mark.parametrize(
    "elf", ["kernel.elf", "demo.ko", "x86/demo-dwarf4.elf", "x86/demo-dwarf5.elf"]
)
def test_fast_decoder_matches_pyelftools(elf):
    info = ElfImage(HERE / elf).dwarf_info()
    compared = 0
    for cu in info.iter_CUs():
        fast = list(decode_rows(info.line_program_for_CU(cu), info.config.little_endian))
        reference = list(pyelftools_rows(info.line_program_for_CU(cu)))
        assert fast == reference
        assert any(end for *_, end, _set in fast)
        compared += len(fast)
    assert compared > 10
