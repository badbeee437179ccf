"""Golden files for the report corpus: NAME.txt -> NAME.expected.json.

`python tests/golden.py NAME...` (or `--all`) rewrites the expected JSON from the current
decoder; review the diff by hand against NAME.source.md before committing it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "corpus" / "reports" / "ia64"


def decode_json(path: Path) -> dict:
    """The decoder's JSON for a corpus file, with the source named relative to the repo."""
    from oopsy.report import decode_text

    result = decode_text(path.read_bytes(), str(path.relative_to(ROOT)))
    return json.loads(json.dumps(result.to_json()))


def expected_path(path: Path) -> Path:
    return path.with_suffix(".expected.json")


def write(path: Path) -> None:
    text = json.dumps(decode_json(path), indent=1, sort_keys=True) + "\n"
    expected_path(path).write_text(text)


def main(argv: list[str]) -> int:
    names = [p.stem for p in sorted(REPORTS.glob("*.txt"))] if argv == ["--all"] else argv
    if not names:
        print(__doc__)
        return 2
    for name in names:
        path = REPORTS / f"{name.removesuffix('.txt')}.txt"
        write(path)
        print(f"wrote {expected_path(path).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1:]))
