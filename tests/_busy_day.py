"""A busy day over the API, for the tests that rebuild the state tables from the ledger:
filings that clash, an amendment, a cancellation, a zone, messages, acknowledgements, a
delivery, a tactical alert opened and cleared, and escalations up to the host."""

from __future__ import annotations

from _bodies import notice, square, zone
from _support import Api

from sharedsky.service.deadlines import tick
from sharedsky.service.stream import StreamEvent, record_deliveries


def busy_day(api: Api) -> None:
    """Filings that clash, an amendment, a cancellation, a zone, messages, acknowledgements,
    a delivery and escalations."""
    alpha, bravo = api.as_("alpha"), api.as_("bravo")
    first = api.client.post("/v1/notices", json=notice(square(36.1, 34.5)), headers=alpha)
    assert first.status_code == 201, first.text
    notice_id = first.json()["id"]
    clash = api.client.post("/v1/notices", json=notice(square(36.3, 34.5)), headers=bravo)
    assert clash.status_code == 201 and clash.json()["conflicts"], clash.text
    amended = api.client.put(
        f"/v1/notices/{notice_id}",
        json=notice(square(36.15, 34.5)),
        headers={**alpha, "If-Match": "1"},
    )
    assert amended.status_code == 200, amended.text
    declared = api.client.post("/v1/zones", json=zone(square(35.0, 33.0)), headers=bravo)
    assert declared.status_code == 201, declared.text
    other = api.client.post("/v1/notices", json=notice(square(30.0, 30.0)), headers=alpha)
    assert api.client.post(f"/v1/notices/{other.json()['id']}/cancel", headers=alpha).is_success
    sent = api.client.post(
        "/v1/messages",
        json={"to": "bravo", "priority": "flash", "template": "request_delay",
              "params": {"minutes": 20}},
        headers=alpha,
    )  # fmt: skip
    assert sent.status_code == 201, sent.text
    conflict_id = clash.json()["conflicts"][0]["id"]
    assert api.client.post(f"/v1/conflicts/{conflict_id}/ack", headers=bravo).is_success
    assert api.client.post(f"/v1/messages/{sent.json()['id']}/ack", headers=bravo).is_success
    from sharedsky.domain.ids import PartyId
    from sharedsky.domain.visibility import Viewer

    event = StreamEvent(
        2,
        api.env.clock.now(),
        "notice.filed",
        "alpha-duty",
        {"notice": notice_id, "party": "alpha"},
    )
    record_deliveries(api.env.deps, Viewer(PartyId("bravo"), False), [event])
    tracks_clash(api)
    incidents(api, notice_id, conflict_id, declared.json()["id"])
    api.env.clock.advance(3600)  # every other acknowledgement falls due: escalations
    assert tick(api.env.deps).escalated > 0
    api.env.clock.advance(7200)  # … up to the host, where they stay pending (ack.parked)
    tick(api.env.deps)


def incidents(api: Api, notice_id: str, conflict_id: str, zone_id: str) -> None:
    """Alpha files an incident about its notice, the clash and a track, which bravo
    acknowledges; the host files one about bravo's zone, left unacknowledged (it escalates)."""
    at = api.env.clock.now().isoformat()
    body = {"time": at, "position": [36.3, 34.6], "narrative": "near miss over the ridge",
            "notices": [notice_id], "conflicts": [conflict_id], "tracks": ["A1"]}  # fmt: skip
    filed = api.client.post("/v1/incidents", json=body, headers=api.as_("alpha"))
    assert filed.status_code == 201, filed.text
    acked = api.client.post(f"/v1/incidents/{filed.json()['id']}/ack", headers=api.as_("bravo"))
    assert acked.status_code == 200, acked.text
    body = {"time": at, "position": [35.2, 33.2], "narrative": "aircraft over the hospital",
            "zones": [zone_id]}  # fmt: skip
    hosted = api.client.post("/v1/incidents", json=body, headers=api.as_("host"))
    assert hosted.status_code == 201 and hosted.json()["parties"] == ["bravo"], hosted.text


def tracks_clash(api: Api) -> None:
    """Two tracks head-on: a tactical alert opens, and clears once they are gone."""
    from sharedsky.service.tactical import tick as tactical_tick

    at = api.env.clock.now().isoformat()
    for party, track, lon, trk in (("alpha", "A1", 36.0, 90), ("bravo", "B1", 36.5, 270)):
        body = {"tracks": [{"id": track, "time": at, "lat": 34.5, "lon": lon, "alt_m": 7000,
                            "gs_mps": 230, "trk_deg": trk}]}  # fmt: skip
        assert api.client.post("/v1/tracks", json=body, headers=api.as_(party)).is_success
    parts = api.container
    assert tactical_tick(api.env.deps, parts.picture, parts.board).opened == 1
    api.env.clock.advance(31)
    assert tactical_tick(api.env.deps, parts.picture, parts.board).cleared == 1
