"""``sharedsky tracks replay|sbs|list`` through CliRunner, against the real app (``sbs`` reads
a BaseStation feed served on a local port by the test)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from typer.testing import CliRunner, Result

from sharedsky.cli import app
from sharedsky.cli.demo import free_port
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


def test_for_replays_only_the_first_seconds_times_the_speed(api: Api, tmp_path: Path) -> None:
    path = tmp_path / "capture.sbs"
    capture(path)  # 20 s recorded
    started = time.monotonic()
    result = run(api, "tracks", "replay", str(path), "--speed", "10", "--for", "1s")
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started < 5.0
    assert "(9 s recorded)" in result.output  # the first 10 s: states at 0 … 9 s
    tracks = json.loads(run(api, "tracks", "list", "--json").stdout)["tracks"]
    assert {round(t["lon"], 3) for t in tracks} == {36.018}
    refused = run(api, "tracks", "replay", str(path), "--for", "soon")
    assert refused.exit_code == 2 and "not a duration" in refused.output


@contextmanager
def feed(lines: list[str]) -> Iterator[int]:
    """A BaseStation feed on a local port: sends ``lines`` to the first client, then stays
    connected and silent (as a receiver with no traffic in range) until the block ends."""
    server = socket.create_server(("127.0.0.1", 0))
    done = threading.Event()

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            conn.sendall(("\r\n".join(lines) + "\r\n").encode("ascii"))
            done.wait(30.0)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        done.set()
        thread.join(10.0)
        server.close()


def test_sbs_forwards_a_silent_feed_until_for_runs_out(api: Api) -> None:
    now = api.env.clock.now()
    lines = [
        line
        for k in range(3)
        for hexident, lat in (("4CA1F2", 34.5), ("738A01", 34.0))
        for line in encode(
            SbsState(hexident, now - timedelta(seconds=3 - k), lat, 36.0, 9000.0, 230.0, 90.0, 0.0)
        )
    ]
    with feed(lines) as port:
        started = time.monotonic()
        result = run(api, "tracks", "sbs", f"127.0.0.1:{port}", "--for", "1s")
        waited_s = time.monotonic() - started
    assert result.exit_code == 0, result.output
    assert 0.9 < waited_s < 10.0
    text = " ".join(result.output.split())
    assert "12 lines (0 malformed) in 1 connections, 2 states accepted in 1 posts" in text
    tracks = json.loads(run(api, "tracks", "list", "--json").stdout)["tracks"]
    assert sorted(t["id"] for t in tracks) == ["4CA1F2", "738A01"]


def test_sbs_with_no_feed_answering_exits_1_after_for(api: Api) -> None:
    port = free_port()  # nothing listens there
    result = run(api, "tracks", "sbs", f"127.0.0.1:{port}", "--for", "0.5")
    assert result.exit_code == 1, result.output
    assert f"no BaseStation feed answered at 127.0.0.1:{port}" in result.stderr


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
