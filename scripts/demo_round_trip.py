"""The demo scenario's export → import round trip, issue 17's closing figure: each party's
notices and zones of the Levant demo, filed in an in-process mechanism, exported in each format
that imports (geojson, kml, ed318 with notices, f3548) and imported into a fresh mechanism; one
JSON line per format: objects and volumes compared, the largest outline, band and window gaps
(metres, seconds), how far F3548's ellipsoid band reaches beyond the band filed, and the
features refused.

    .venv/bin/python scripts/demo_round_trip.py

The comparison is the tests' own (``tests/_round_trip.py``, which
``tests/api/test_demo_round_trip.py`` holds to 1 m and 1 s).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from _round_trip import demo_round_trip
from _support import T0

from sharedsky.sim.scenarios import levant


def main() -> None:
    for figure in demo_round_trip(levant(T0)):
        print(figure.json_line())


if __name__ == "__main__":
    main()
