"""Several processes over one database share the live picture and the tactical board: tracks
posted to one are ticked by the duty holder, and the others answer with the alerts and the
figures of its last tick (``follow``). The processes share the in-memory unit of work and live
tables (``tests/store/test_live.py`` and the contract test hold those to the SQL ones)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import pytest
from _support import T0, Env
from fastapi import FastAPI
from fastapi.testclient import TestClient

from sharedsky.api.app import create_app
from sharedsky.bootstrap import Container
from sharedsky.service.tactical import TacticalBoard, follow, tick
from sharedsky.service.tracks import SharedPicture
from sharedsky.testing.memory import MemoryLiveTables


def state(track_id: str, lon: float, trk: float) -> dict[str, Any]:
    return {
        "id": track_id,
        "time": T0.isoformat(),
        "lat": 34.5,
        "lon": lon,
        "alt_m": 7600.0,
        "gs_mps": 230.0,
        "trk_deg": trk,
        "vs_mps": 0,
    }


@pytest.fixture
def live() -> MemoryLiveTables:
    """The live tables the processes share."""
    return MemoryLiveTables()


@pytest.fixture
def two_processes(env: Env, live: MemoryLiveTables) -> Iterator[tuple[TestClient, TestClient]]:
    """Two apps over one database, each with its own shared picture and board (as two
    ``serve`` processes over PostgreSQL have); the first holds the duties."""
    apps = [
        create_app(Container.for_deps(env.deps, picture=SharedPicture(live), board=TacticalBoard()))
        for _ in range(2)
    ]
    with TestClient(apps[0]) as holder, TestClient(apps[1]) as standby:
        yield holder, standby


def parts(client: TestClient) -> Container:
    """The container of the app behind ``client``."""
    return cast(Container, cast(FastAPI, client.app).state.container)


def as_(env: Env, party: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {env.tokens[party]}"}


def test_tracks_posted_to_either_process_raise_one_alert_that_both_show_alike(
    env: Env, two_processes: tuple[TestClient, TestClient], live: MemoryLiveTables
) -> None:
    """R-TACT-2 with several processes: one alert, the same figures from each."""
    holder, standby = two_processes
    posted = standby.post(
        "/v1/tracks", json={"tracks": [state("A1", 36.0, 90.0)]}, headers=as_(env, "alpha")
    )
    assert posted.status_code == 202 and posted.json() == {"accepted": 1, "stale": 0}
    posted = holder.post(
        "/v1/tracks", json={"tracks": [state("B1", 36.6, 270.0)]}, headers=as_(env, "bravo")
    )
    assert posted.status_code == 202
    for client in (holder, standby):  # the host sees the whole picture from either
        seen = client.get("/v1/tracks", headers=as_(env, "host")).json()["tracks"]
        assert sorted(t["id"] for t in seen) == ["A1", "B1"]
    held = parts(holder)
    report = tick(env.deps, held.picture, held.board, live)
    assert (report.tracks, report.opened) == (2, 1)
    board = parts(standby).board
    assert follow(env.deps, board, live) == 1
    alerts = [
        client.get("/v1/conflicts?kind=tactical", headers=as_(env, "bravo")).json()["conflicts"]
        for client in (holder, standby)
    ]
    assert alerts[0] == alerts[1] and len(alerts[0]) == 1
    # bravo sees alpha's track under conflicts_only from either process: the alert names it
    for client in (holder, standby):
        seen = client.get("/v1/tracks", headers=as_(env, "bravo")).json()["tracks"]
        assert sorted(t["id"] for t in seen) == ["A1", "B1"]
    # the next ticks move the figures on; the standby follows; no second alert
    env.clock.advance(5)
    report = tick(env.deps, held.picture, held.board, live)
    assert report.opened == 0
    follow(env.deps, board, live)
    again = [
        client.get("/v1/conflicts?kind=tactical", headers=as_(env, "bravo")).json()["conflicts"]
        for client in (holder, standby)
    ]
    assert again[0] == again[1]
    assert again[0][0]["figures"]["t_in_s"] < alerts[0][0]["figures"]["t_in_s"]
    ledger = holder.get("/v1/ledger", headers=as_(env, "host")).text
    assert ledger.count('"tactical.detected"') == 1


def test_old_tracks_leave_the_shared_picture_at_the_holders_tick(
    env: Env, two_processes: tuple[TestClient, TestClient], live: MemoryLiveTables
) -> None:
    """R-TACT-1: a track not updated for ``track_max_age_s`` leaves the picture."""
    holder, standby = two_processes
    standby.post(
        "/v1/tracks", json={"tracks": [state("A1", 36.0, 90.0)]}, headers=as_(env, "alpha")
    )
    env.clock.advance(21)
    held = parts(holder)
    assert tick(env.deps, held.picture, held.board, live).tracks == 0
    assert parts(standby).picture.live(0.0) == 0
