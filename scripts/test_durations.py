"""Write tests/durations.json from a JUnit XML report of a whole `make test` run
(`pytest --junitxml=FILE`): each test file's seconds (files of 3 s or more), so that
tests/conftest.py can hand the longest files to the xdist workers first.

    .venv/bin/python scripts/test_durations.py /tmp/junit.xml
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tests" / "durations.json"
SHOWN_FROM_S = 3.0


def per_file(report: Path) -> dict[str, float]:
    """Seconds per test file (its path from the repository root), setup and teardown included."""
    seconds: dict[str, float] = defaultdict(float)
    for case in ET.parse(report).getroot().iter("testcase"):
        module = case.get("classname", "")
        # classname is the dotted path of the module (and class): tests.e2e.test_crash[.Class]
        parts = module.split(".")
        while parts and not parts[-1].startswith("test_"):
            parts.pop()
        if parts:
            seconds["/".join(parts) + ".py"] += float(case.get("time", "0"))
    return dict(seconds)


def main() -> None:
    found = per_file(Path(sys.argv[1]))
    kept = {
        f: round(s, 1) for f, s in sorted(found.items(), key=lambda i: -i[1]) if s >= SHOWN_FROM_S
    }
    OUT.write_text(json.dumps(kept, indent=1) + "\n", encoding="utf-8")
    print(f"{len(kept)} files of {len(found)} take {SHOWN_FROM_S:.0f} s or more: {OUT}")


if __name__ == "__main__":
    main()
