"""``sharedsky tracks replay|list`` through CliRunner, against the real app."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from typer.testing import CliRunner, Result

from sharedsky.cli import app
from sharedsky.interop.sbs import SbsState, encode

if TYPE_CHECKING:
    from _support import Api


def run(api: Api, *args: str, party: str = "alpha") -> Result:
    return CliRunner().invoke(
        app,
        [*args, "--token", api.env.tokens[party]],
        obj={"http": api.client, "clock": api.env.clock},
        env={"COLUMNS": "200"},
    )


def capture(path: Path, seconds: int = 20) -> None:
    """Two aircraft recorded in 2019, one state each second, as an SBS-1 capture."""
    t0 = datetime(2019, 6, 1, 10, 0, tzinfo=UTC)
    lines: list[str] = []
    for k in range(seconds):
        for hexident, lat in (("4CA1F2", 34.5), ("738A01", 34.0)):
            state = SbsState(
                hexident, t0 + timedelta(seconds=k), lat, 36.0 + 0.002 * k, 9000.0, 230.0,
                90.0, 0.0,
            )  # fmt: skip
            lines += encode(state)
    path.write_text("\n".join(lines) + "\n", encoding="ascii")


def test_a_recorded_capture_replays_as_live_tracks(api: Api, tmp_path: Path) -> None:
    path = tmp_path / "capture.sbs"
    capture(path)
    result = run(api, "tracks", "replay", str(path), "--speed", "100")
    assert result.exit_code == 0, result.output
    assert "0 stale" in result.output
    listed = run(api, "tracks", "list", "--json")
    tracks = json.loads(listed.stdout)["tracks"]
    assert sorted(t["id"] for t in tracks) == ["4CA1F2", "738A01"]
    # re-stamped to the command's now, the last recorded state kept
    assert all(t["time"].startswith("2026-11-24T12:00:00.1") for t in tracks)  # 19 s at 100×
    assert {round(t["lon"], 3) for t in tracks} == {36.038}
    shown = run(api, "tracks", "list")
    assert "2 live tracks" in shown.output and "4CA1F2" in shown.output


def test_a_speed_outside_1_to_100_is_refused(api: Api, tmp_path: Path) -> None:
    path = tmp_path / "capture.sbs"
    capture(path, seconds=2)
    for speed in ("0.5", "101"):
        result = run(api, "tracks", "replay", str(path), "--speed", speed)
        assert result.exit_code == 2, result.output
    assert json.loads(run(api, "tracks", "list", "--json").stdout)["tracks"] == []


def test_conflicts_list_kind_tactical(api: Api) -> None:
    from sharedsky.service.tactical import tick

    for party, track, lon, trk in (("alpha", "A1", 36.0, 90), ("bravo", "B1", 36.6, 270)):
        body = {"tracks": [{"id": track, "time": "2026-11-24T12:00:00Z", "lat": 34.5, "lon": lon,
                            "alt_m": 7000, "gs_mps": 230, "trk_deg": trk}]}  # fmt: skip
        assert api.client.post("/v1/tracks", json=body, headers=api.as_(party)).is_success
    tick(api.env.deps, api.container.picture, api.container.board)
    shown = run(api, "conflicts", "list", "--kind", "tactical", party="bravo")
    assert shown.exit_code == 0, shown.output
    assert "separation" in shown.output and "CAUTION" in shown.output and "A1" in shown.output
    listed = json.loads(run(api, "conflicts", "list", "--kind", "tactical", "--json").stdout)
    assert [c["category"] for c in listed["conflicts"]] == ["separation"]
    assert (
        "no tactical conflicts"
        in run(api, "conflicts", "list", "--kind", "tactical", "--state", "resolved").output
    )
