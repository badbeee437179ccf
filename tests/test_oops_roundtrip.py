"""The emulator's oops text reads back through `oopsy decode` to the same values."""

from hypothesis import given, settings, strategies as st

from oopsy.emu.oops import PT_GENERAL, OopsFrame, OopsState, format_oops
from oopsy.ia64 import rse
from oopsy.report import decode_text

U64 = st.integers(0, 2**64 - 1)
PT_NAMES = ("cr_ifs ar_unat ar_pfs ar_rsc ar_rnat ar_bspstore pr loadrs ar_ccv ar_fpsr ar_csd "
            "ar_ssd b0 b6 b7").split()
SYMBOLS = {0xA000000100000000: ("ptrace_stop", 0x60), 0xA000000100000060: ("ptrace_do_notify", 0x30)}


def symbolize(ip: int) -> str:
    for start, (name, size) in SYMBOLS.items():
        if start <= ip < start + size:
            return f"{name}+{ip - start:#x}/{size:#x}"
    return f"{ip:#x}"


@st.composite
def oops_states(draw):
    pt = {name: draw(U64) for name in PT_NAMES}
    pt.update({f"r{n}": draw(U64) for n in PT_GENERAL})
    pt.update({f"f{n}": draw(st.integers(0, 2**82 - 1)) for n in range(6, 12)})
    user = draw(st.booleans())
    psr = draw(U64) & ~(3 << 32) & ~(3 << 41) | (draw(st.integers(0, 2)) << 41)
    pt["cr_ipsr"] = psr | ((3 << 32) if user else 0)
    pt["cr_iip"] = draw(st.sampled_from([0xA000000100000010, 0xA000000100000070, 0xA000000100001000]))
    bsp = 0xE000000100001000 + 8 * draw(st.integers(0, 200))
    frames = []
    for _ in range(draw(st.integers(0, 6))):
        frames.append(OopsFrame(draw(st.sampled_from(list(SYMBOLS))) + 16 * draw(st.integers(0, 2)),
                                0xE000000100007000 + 16 * draw(st.integers(0, 50)), bsp))
        bsp = rse.skip_regs(bsp, -draw(st.integers(0, 20)))
    stacked = [(draw(U64), draw(st.booleans())) for _ in range(draw(st.integers(0, 10)))]
    return OopsState(comm=draw(st.sampled_from(["swapper/0", "crash", "sock_filter-v-X"])),
                     pid=draw(st.integers(0, 99999)), die_text="Oops", err=draw(st.integers(0, 2**44)),
                     counter=draw(st.integers(1, 20)), pt=pt,
                     fault_address=draw(st.one_of(st.none(), U64)),
                     frames=frames if not user else (), stacked=stacked if user else ())


@settings(max_examples=60, deadline=None)
@given(oops_states())
def test_roundtrip(state):
    text = format_oops(state, symbolize)
    (report,) = decode_text(text.encode(), "emulator").reports
    pt = state.pt
    ip = pt["cr_iip"] + ((pt["cr_ipsr"] >> 41) & 3)
    assert report.registers["ip"] == ip and report.ip["slot"] == ip & 3
    assert report.registers["psr"] == pt["cr_ipsr"] and report.registers["ifs"] == pt["cr_ifs"]
    for label, name in (("unat", "ar_unat"), ("pfs", "ar_pfs"), ("rsc", "ar_rsc"), ("rnat", "ar_rnat"),
                        ("bsps", "ar_bspstore"), ("pr", "pr"), ("ldrs", "loadrs"), ("ccv", "ar_ccv"),
                        ("fpsr", "ar_fpsr"), ("csd", "ar_csd"), ("ssd", "ar_ssd"), ("b0", "b0"),
                        ("b6", "b6"), ("b7", "b7")):
        assert report.registers[label] == pt[name], label
    for n in PT_GENERAL:
        assert report.registers[f"r{n}"] == pt[f"r{n}"]
    for n in range(6, 12):
        assert report.registers[f"f{n}"] == pt[f"f{n}"]
    assert (report.comm, report.pid, report.die["err"], report.die["counter"]) == (
        state.comm, state.pid, state.err, state.counter)
    assert report.fault_address == state.fault_address
    assert [(f.ip, f.sp, f.bsp) for f in report.frames] == [(f.ip, f.sp, f.bsp) for f in state.frames]
    for i, (value, nat) in enumerate(state.stacked):
        assert report.registers[f"r{32 + i}"] == value
        assert (f"r{32 + i}" in report.nat_registers) == nat
    assert not report.unparsed
