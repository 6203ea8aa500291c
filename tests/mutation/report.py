"""The mutation report of the safety core: a score per module and every surviving mutant.

Run by ``make mutation`` after ``mutmut run`` (from the repository root, where ``mutants/`` is):
it reads mutmut's per-file results (``mutants/src/**/*.py.meta``), prints one line per module
(killed, survived, timeout, no tests, score) and then each surviving mutant with its diff,
marked ``equivalent`` when ``tests/mutation/equivalent.md`` lists it with a reason. It exits 1
while a surviving mutant is not listed there: the target is that no mutant that can change
behaviour survives.

The score counts a mutant as caught when a test failed (killed) or it ran past its time limit
(an endless loop is caught too); mutants no test reaches and those whose run crashed
(suspicious) count against it; mutants not run yet do not count.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code  # mutmut's own verdict per exit code

_ROOT = Path(__file__).resolve().parents[2]
_EQUIVALENT = Path(__file__).with_name("equivalent.md")
_LISTED = re.compile(r"^\|\s*`([\w.]+__mutmut_\d+)`")


def equivalent_mutants(text: str) -> set[str]:
    """The mutant names listed in equivalent.md's tables (first column, in backticks)."""
    return {m.group(1) for line in text.splitlines() if (m := _LISTED.match(line))}


def main() -> int:
    metas = sorted((_ROOT / "mutants" / "src").rglob("*.py.meta"))
    if not metas:
        print("no results: run `make mutation` (mutmut run) first", file=sys.stderr)
        return 2
    listed = equivalent_mutants(_EQUIVALENT.read_text("utf-8"))
    survivors: list[str] = []
    print(
        f"{'module':40} {'killed':>6} {'t/o':>4} {'surv.':>5} {'equiv':>5} {'none':>4}"
        f" {'susp.':>5} {'todo':>5} score"
    )
    totals: Counter[str] = Counter()
    for meta in metas:
        results = json.loads(meta.read_text("utf-8"))["exit_code_by_key"]
        if not results:
            continue
        module = str(meta.relative_to(_ROOT / "mutants" / "src")).removesuffix(".py.meta")
        counts = Counter(status_by_exit_code[code] for code in results.values())
        alive = sorted(k for k, code in results.items() if status_by_exit_code[code] == "survived")
        equivalent = [k for k in alive if k in listed]
        survivors += alive
        caught = counts["killed"] + counts["timeout"]
        judged = sum(counts.values()) - counts["skipped"] - counts["not checked"] - len(equivalent)
        score = f"{100.0 * caught / judged:5.1f} %" if judged else "  -"
        print(
            f"{module.replace('/', '.'):40} {counts['killed']:6} {counts['timeout']:4}"
            f" {len(alive) - len(equivalent):5} {len(equivalent):5} {counts['no tests']:4}"
            f" {counts['suspicious']:5} {counts['not checked']:5} {score}"
        )
        totals.update(counts)
        totals["equivalent"] += len(equivalent)
    unlisted = [name for name in survivors if name not in listed]
    print(
        f"\n{sum(totals.values()) - totals['equivalent']} mutants: {totals['killed']} killed,"
        f" {totals['timeout']} timed out, {len(unlisted)} survived, {totals['equivalent']}"
        f" equivalent (tests/mutation/equivalent.md), {totals['no tests']} reached by no test,"
        f" {totals['suspicious']} suspicious (the test run crashed), {totals['not checked']} not"
        " yet run"
    )
    for name in survivors:
        mark = "equivalent" if name in listed else "SURVIVED"
        diff = subprocess.run(
            [sys.executable, "-m", "mutmut", "show", name],
            capture_output=True,
            text=True,
            cwd=_ROOT,
        ).stdout
        print(f"\n── {mark}: {name}\n{diff.strip()}")
    stale = listed - set(survivors)
    for name in sorted(stale):
        print(f"\nnote: {name} is listed as equivalent but did not survive (or no longer exists)")
    return 1 if unlisted else 0


if __name__ == "__main__":
    sys.exit(main())
