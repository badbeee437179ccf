"""ia64 field decoders and rse.h arithmetic, on values from real oopses (facts §3, §5)."""

from hypothesis import given, strategies as st

from oopsy.ia64 import bits, rse


def test_psr_of_the_seed_oops():
    # facts §3.1: psr 0000121008026010 -> ic=1, dt=1, cpl=0, ri=1
    psr = bits.decode_psr(0x0000121008026010)
    assert (psr["ic"], psr["i"], psr["dt"], psr["rt"], psr["it"], psr["bn"]) == (1, 1, 1, 1, 1, 1)
    assert psr["cpl"] == 0 and psr["ri"] == 1 and psr["be"] == 0


def test_ifs_and_pfs():
    ifs = bits.decode_ifs(0x800000000000040B)
    assert ifs == {"sof": 11, "sol": 8, "sor": 0, "rrb_gr": 0, "rrb_fr": 0, "rrb_pr": 0, "v": 1}
    pfs = bits.decode_pfs((2 << 62) | (5 << 52) | (3 << 14) | (4 << 7) | 20 | (7 << 18))
    assert (pfs["sof"], pfs["sol"], pfs["sor"], pfs["rrb_gr"], pfs["pec"], pfs["ppl"]) == (20, 4, 24, 7, 5, 2)


def test_isr_of_the_seed_die_error():
    # facts §5: 11012296146944 = 0xa0400000000 -> r=1, ei=1, ed=1
    isr = bits.decode_isr(11012296146944)
    assert (isr["r"], isr["w"], isr["x"], isr["na"], isr["ei"], isr["ed"], isr["code"]) == (1, 0, 0, 0, 1, 1, 0)
    assert bits.isr_access_text(isr) == "read"
    assert bits.decode_isr(8821862825984)["w"] == 1  # 0x80600000000: w+r


def test_rsc():
    assert bits.decode_rsc(0x3) == {"mode": 3, "pl": 0, "be": 0, "loadrs": 0}
    assert bits.decode_rsc((0x1234 << 16) | (1 << 4) | (2 << 2))["loadrs"] == 0x1234


def test_num_regs_crossing_a_nat_collection():
    # seed trace: die bsp=...3688, ia64_do_page_fault bsp=...35e8: 20 slots, one of them RNAT
    assert rse.num_regs(0xE00000010F2D35E8, 0xE00000010F2D3688) == 19
    assert rse.num_regs(0xE00000010F2D3590, 0xE00000010F2D35E8) == 11
    assert rse.is_rnat_slot(0xE00000010F2D35F8)
    assert rse.rnat_addr(0xE00000010F2D3600) == 0xE00000010F2D37F8


@given(base=st.integers(0, 2**40).map(lambda v: v * 8), count=st.integers(0, 500))
def test_skip_regs_inverts_num_regs(base, count):
    if rse.is_rnat_slot(base):
        base += 8
    end = rse.skip_regs(base, count)
    assert not rse.is_rnat_slot(end)
    assert rse.num_regs(base, end) == count
    assert rse.skip_regs(end, -count) == base
    assert (end - base) // 8 == count + rse.rnat_slots_between(base, end)
