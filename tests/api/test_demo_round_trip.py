"""The demo scenario's export → import round trip (issue 17's closing figure): each party's
notices and zones, exported in each format that imports, come back in a fresh mechanism as the
same volumes within 1 m and 1 s; F3548, which holds notices only and says ellipsoid heights
only, brings back each band as a W84 band that holds it (docs/formats.md). The figure itself:
``scripts/demo_round_trip.py``."""

from __future__ import annotations

from _round_trip import METRE_TOLERANCE, SECOND_TOLERANCE, STAND_IN_TOLERANCE_M, demo_round_trip
from _support import T0

from sharedsky.sim.scenarios import levant


def test_the_demo_scenario_comes_back_from_every_format_as_it_was_filed() -> None:
    scenario = levant(T0)
    zones = sum(1 for item in scenario.items if item.kind == "zone")
    figures = {figure.format: figure for figure in demo_round_trip(scenario)}
    assert sorted(figures) == ["ed318", "f3548", "geojson", "kml"]
    for name, figure in figures.items():
        lines = figure.json_line()
        assert figure.problems == 0, lines
        assert figure.objects == len(scenario.items) - (zones if name == "f3548" else 0), lines
        # kml and ed318 write a circle's exact parameters but F3548 none for a corridor
        assert figure.outline_m <= max(METRE_TOLERANCE, STAND_IN_TOLERANCE_M), lines
        assert figure.band_m <= METRE_TOLERANCE, lines
        assert figure.time_s <= SECOND_TOLERANCE, lines
    assert all(figures[n].widened_m == 0.0 for n in ("geojson", "kml", "ed318"))
    # the ellipsoid band holds the band with the geoid under it, not the world's range
    assert 0.0 < figures["f3548"].widened_m < 100.0
