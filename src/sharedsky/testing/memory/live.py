"""MemoryLiveTables: the live tables (``store/live.py``) in memory."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence

import orjson

from sharedsky.domain.tactical import LiveFigures
from sharedsky.domain.tracks import TrackRow
from sharedsky.store.mapping import figures_text


class MemoryLiveTables:
    """The live tables in memory (``service.ports.LiveTables``, ``store/live.py``): each
    method one transaction of its own. Share one between the containers that stand for
    several processes over one database."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tracks: dict[tuple[str, str], TrackRow] = {}
        self._figures: dict[str, LiveFigures] = {}

    def upsert_tracks(self, rows: Sequence[TrackRow]) -> int:
        kept = 0
        with self._lock:
            for row in sorted(rows, key=lambda r: (r[0], r[1])):
                held = self._tracks.get((row[0], row[1]))
                if held is None or held[2] <= row[2]:
                    self._tracks[(row[0], row[1])] = _track(row)
                    kept += 1
        return kept

    def fresh_tracks(self, oldest_s: float) -> list[TrackRow]:
        with self._lock:
            return [self._tracks[k] for k in sorted(self._tracks) if self._tracks[k][2] >= oldest_s]

    def count_fresh(self, oldest_s: float) -> int:
        with self._lock:
            return sum(row[2] >= oldest_s for row in self._tracks.values())

    def prune_tracks(self, oldest_s: float) -> int:
        with self._lock:
            old = [k for k, row in self._tracks.items() if row[2] < oldest_s]
            for key in old:
                del self._tracks[key]
            return len(old)

    def clear_tracks(self) -> None:
        with self._lock:
            self._tracks.clear()

    def replace_figures(self, figures: Mapping[str, LiveFigures]) -> None:
        kept = {
            alert_id: LiveFigures(f.severity, orjson.loads(figures_text(f.figures)), f.found_us)
            for alert_id, f in sorted(figures.items())
        }
        with self._lock:
            self._figures = kept

    def all_figures(self) -> dict[str, LiveFigures]:
        with self._lock:
            return dict(self._figures)


def _track(row: TrackRow) -> TrackRow:
    """A state as the table holds it (floats where the columns are)."""
    party, track_id, time_s, lat, lon, alt, gs, trk, vs, notice_id, callsign, alt_ref = row
    floats = (float(v) for v in (time_s, lat, lon, alt, gs, trk, vs))
    kept = (str(party), str(track_id), *floats, notice_id, callsign, str(alt_ref))
    return kept  # type: ignore[return-value]  # the starred floats' count is unknown to mypy
