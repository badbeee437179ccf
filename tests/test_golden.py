"""Every corpus report decodes to its hand-checked golden JSON, compared whole."""

import json

import pytest

from golden import REPORTS, decode_json, expected_path

CORPUS_FILES = sorted(REPORTS.glob("*.txt"))


def test_corpus_is_large_enough():
    assert len(CORPUS_FILES) >= 15
    for path in CORPUS_FILES:
        assert path.with_suffix(".source.md").exists(), f"{path.name} has no source sidecar"


@pytest.mark.parametrize("path", CORPUS_FILES, ids=[p.stem for p in CORPUS_FILES])
def test_golden(path):
    expected = json.loads(expected_path(path).read_text())
    assert decode_json(path) == expected
