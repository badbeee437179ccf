"""Random and mutated reports never make the decoder raise anything but OopsyError."""

from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import CORPUS
from oopsy.errors import OopsyError
from oopsy.report import decode_text

REPORTS = sorted((CORPUS / "reports").rglob("*.txt"))
TEXTS = [p.read_bytes() for p in REPORTS]


def _decode(data: bytes) -> None:
    try:
        result = decode_text(data, "fuzz")
    except OopsyError:
        return
    for report in result.reports:
        report.to_json()
        assert report.title


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes(data):
    _decode(data)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=500))
def test_random_text(text):
    _decode(text.encode("utf-8", "surrogatepass"))


@st.composite
def mutated_reports(draw):
    lines = draw(st.sampled_from(TEXTS)).split(b"\n")
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["drop", "dup", "cut", "flip", "insert", "swap", "join"]))
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        if op == "drop":
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "cut":
            lines[i] = lines[i][: draw(st.integers(0, max(0, len(lines[i]))))]
        elif op == "flip" and lines[i]:
            j = draw(st.integers(0, len(lines[i]) - 1))
            lines[i] = lines[i][:j] + bytes([draw(st.integers(0, 255))]) + lines[i][j + 1 :]
        elif op == "insert":
            lines.insert(i, draw(st.binary(max_size=80)))
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "join" and i + 1 < len(lines):
            lines[i : i + 2] = [lines[i] + lines[i + 1]]
    return b"\n".join(lines)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_reports())
def test_mutated_reports(data):
    _decode(data)


def test_every_truncation_of_a_report():
    text = (CORPUS / "reports" / "ia64" / "seed-ptrace-stop-null.txt").read_bytes()
    for end in range(0, len(text), 7):
        _decode(text[:end])
