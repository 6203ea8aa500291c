"""The live tables on both backends: a track keeps its newest state, old states are pruned,
and the alert figures the duty holder writes are read back whole."""

from __future__ import annotations

from sharedsky.domain.tactical import LiveFigures
from sharedsky.domain.tracks import TrackRow
from sharedsky.store.live import (
    LiveStore,
    all_figures,
    clear_tracks,
    count_fresh,
    fresh_tracks,
    prune_tracks,
    replace_figures,
    upsert_tracks,
)
from sharedsky.store.uow import Database


def row(
    party: str,
    track: str,
    time_s: float,
    lat: float = 34.5,
    callsign: str | None = None,
    alt_ref: str = "AMSL",
) -> TrackRow:
    return (party, track, time_s, lat, 36.0, 7600.0, 230.0, 90.0, 0.0, None, callsign, alt_ref)


def test_a_track_keeps_its_newest_state_and_an_older_one_is_refused(database: Database) -> None:
    live = LiveStore(database.engine)
    kept = live.run(
        lambda c: upsert_tracks(c, [row("alpha", "A1", 100.0), row("bravo", "B1", 100.0)])
    )
    assert kept == 2
    assert live.run(lambda c: upsert_tracks(c, [row("alpha", "A1", 99.0, lat=1.0)])) == 0
    newer = row("alpha", "A1", 101.0, lat=2.0, callsign="ALP 12", alt_ref="STD")
    assert live.run(lambda c: upsert_tracks(c, [newer])) == 1
    assert live.run(lambda c: upsert_tracks(c, [])) == 0
    stored = live.run(lambda c: fresh_tracks(c, 0.0))
    # the callsign and the altitude's reference kept with their state
    assert stored == [newer, row("bravo", "B1", 100.0)]


def test_fresh_states_are_counted_and_old_ones_pruned(database: Database) -> None:
    live = LiveStore(database.engine)
    live.run(lambda c: upsert_tracks(c, [row("alpha", f"A{i}", 100.0 + i) for i in range(5)]))
    assert live.run(lambda c: count_fresh(c, 102.0)) == 3
    assert [r[1] for r in live.run(lambda c: fresh_tracks(c, 103.0))] == ["A3", "A4"]
    assert live.run(lambda c: prune_tracks(c, 102.0)) == 2
    assert live.run(lambda c: count_fresh(c, 0.0)) == 3
    live.run(clear_tracks)
    assert live.run(lambda c: fresh_tracks(c, 0.0)) == []


def test_the_figures_written_replace_the_previous_ones_whole(database: Database) -> None:
    live = LiveStore(database.engine)
    first = {
        "tac-1": LiveFigures("caution", {"tcpa_s": 90.0}, 1),
        "tac-2": LiveFigures("advisory", {}, 1),
    }
    live.run(lambda c: replace_figures(c, first))
    assert live.run(all_figures) == first
    second = {"tac-2": LiveFigures("warning", {"tcpa_s": 40.5, "a": [1.0, 2.0]}, 2)}
    live.run(lambda c: replace_figures(c, second))
    assert live.run(all_figures) == second
    live.run(lambda c: replace_figures(c, {}))
    assert live.run(all_figures) == {}
