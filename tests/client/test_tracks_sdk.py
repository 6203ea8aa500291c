"""The SDK reaches the tracks, tactical, filing-check and escalation routes."""

from __future__ import annotations

import _bodies as bodies
import pytest
from _support import Api

from sharedsky.client import Client, ClientError
from sharedsky.service.tactical import tick
from sharedsky.wire import v1


def sdk(api: Api, party: str) -> Client:
    return Client("http://testserver", api.env.tokens[party], http=api.client)


def state(track_id: str, lon: float, trk: float) -> dict[str, object]:
    return {"id": track_id, "time": "2026-11-24T12:00:00Z", "lat": 34.5, "lon": lon,
            "alt_m": 7600, "gs_mps": 230, "trk_deg": trk}  # fmt: skip


def test_tracks_in_alerts_out(api: Api) -> None:
    alpha, bravo = sdk(api, "alpha"), sdk(api, "bravo")
    assert alpha.post_tracks([state("A1", 36.0, 90)]).accepted == 1
    columns = {"id": ["B1"], "time": ["2026-11-24T12:00:00Z"], "lat": [34.5], "lon": [36.6],
               "alt_m": [7600], "gs_mps": [230], "trk_deg": [270]}  # fmt: skip
    assert bravo.post_track_columns(columns).accepted == 1
    assert [t.id for t in alpha.live_tracks().tracks] == ["A1"]
    tick(api.env.deps, api.container.picture, api.container.board)
    (alert,) = bravo.tactical_conflicts()
    assert alert.category == "separation" and alert.severity == "caution"
    assert bravo.ack_conflict(alert.id).status == "acknowledged"
    assert alpha.tactical_conflicts("cleared") == []
    with pytest.raises(ValueError, match="trk_deg"):  # checked before sending
        alpha.post_tracks([{**state("A2", 36.0, 90), "trk_deg": 400}])
    with pytest.raises(ClientError) as late:  # checked by the server against its clock
        alpha.post_tracks([{**state("A2", 36.0, 90), "time": "2026-11-24T13:00:00Z"}])
    assert late.value.status == 422 and late.value.path == ("tracks", 0, "time")


def test_check_and_escalations(api: Api) -> None:
    alpha = sdk(api, "alpha")
    notice = v1.NoticeIn.model_validate(bodies.notice())
    assert alpha.check_notice(notice).conflicts == []
    assert alpha.escalations() == []
