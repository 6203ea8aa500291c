"""The SDK against the real app: every method round-trips, errors map to their exception."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx
import pytest

import sharedsky.client
from sharedsky.client import (
    AuthError,
    Client,
    ClientError,
    NotFoundError,
    StaleVersionError,
    UnreachableError,
)
from sharedsky.wire import v1

if TYPE_CHECKING:
    from _support import Api


def sdk(api: Api, party: str, http: httpx.Client | None = None) -> Client:
    """An SDK client of ``party`` over the in-process app."""
    return Client("http://testserver", api.env.tokens[party], http=http or api.client)


def square(lon: float, lat: float, size_deg: float = 0.4) -> v1.PolygonOutline:
    """A square outline with its south-west corner at (lon, lat), in degrees."""
    ring = [
        (lon, lat),
        (lon + size_deg, lat),
        (lon + size_deg, lat + size_deg),
        (lon, lat + size_deg),
        (lon, lat),
    ]
    return v1.PolygonOutline(type="Polygon", coordinates=[ring])


def volume(
    outline: v1.Outline,
    lower_m: float = 3000,
    upper_m: float = 9000,
    start: str = "2026-11-24T15:00:00Z",
    end: str | None = "2026-11-24T17:00:00Z",
) -> v1.Volume:
    """A Volume4D; the default window is 15:00–17:00Z on the fake clock's day."""
    return v1.Volume.model_validate(
        {
            "outline": outline.model_dump(),
            "altitude": {"lower_m": lower_m, "upper_m": upper_m},
            "time": {"start": start, "end": end},
        }
    )


def notice(outline: v1.Outline | None = None, title: str = "CAP north", **kw: Any) -> v1.NoticeIn:
    """A one-volume air sortie notice."""
    vol = volume(outline or square(36.1, 34.5), **kw)
    return v1.NoticeIn(kind="air_sortie", title=title, volumes=[vol], contact="duty line 2")


def zone(outline: v1.Outline, title: str = "Hospital") -> v1.ZoneIn:
    """An open-ended protected zone from the ground to 3000 m."""
    vol = volume(outline, lower_m=0, upper_m=3000, start="2026-11-24T12:00:00Z", end=None)
    return v1.ZoneIn(kind="protected", title=title, volume=vol)


def test_public_api_is_pinned() -> None:
    assert sharedsky.client.__all__ == [
        "AuthError",
        "Client",
        "ClientError",
        "NotFoundError",
        "StaleVersionError",
        "UnreachableError",
    ]


def test_the_sdk_imports_neither_the_server_nor_its_frameworks() -> None:
    code = (
        "import sys, sharedsky.client\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('fastapi', 'starlette', 'sqlalchemy')"
        " or m.startswith(('sharedsky.api', 'sharedsky.service', 'sharedsky.store'))]\n"
        "print(','.join(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_me_and_mechanism_describe_the_token_and_its_mechanism(api: Api) -> None:
    me = sdk(api, "bravo").me()
    assert (me.party, me.is_host, me.mechanism) == ("bravo", False, "levant-deconfliction")
    mech = sdk(api, "host").mechanism()
    assert [p.id for p in mech.parties] == ["alpha", "bravo"]
    assert mech.channels[0].sharing == "conflicts_only"


def test_the_mechanism_gives_each_party_and_the_host_a_colour_of_its_own(api: Api) -> None:
    """R-MECH-3: the demo file declares no colour, so the palette's first two are handed out
    in declaration order, and the host is black."""
    mech = sdk(api, "alpha").mechanism()
    assert [(p.id, p.colour) for p in mech.parties] == [
        ("alpha", "#0072B2"),
        ("bravo", "#E69F00"),
    ]
    assert mech.host.colour == "#000000"


def test_a_filed_notice_round_trips_through_get_and_list(api: Api) -> None:
    alpha = sdk(api, "alpha")
    filed = alpha.file_notice(notice())
    assert (filed.version, filed.status, filed.lead_time_s, filed.late) == (
        1,
        "planned",
        10800,
        False,
    )
    shown = alpha.get_notice(filed.id)
    assert shown.id == filed.id
    assert shown.volumes == filed.volumes
    assert shown.volumes[0].altitude == v1.Altitude(lower_m=3000, upper_m=9000)
    assert [n.id for n in alpha.list_notices()] == [filed.id]
    assert [
        n.id for n in alpha.list_notices(party="alpha", status="planned", kind="air_sortie")
    ] == [filed.id]
    assert alpha.list_notices(party="bravo") == []
    assert alpha.list_notices(bbox=(10.0, 10.0, 11.0, 11.0)) == []
    assert [n.id for n in alpha.list_notices(bbox=(36.0, 34.0, 37.0, 35.0), limit=5)] == [filed.id]
    late_evening = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)
    assert alpha.list_notices(time_from=late_evening) == []
    assert [n.id for n in alpha.list_notices(time_to=late_evening)] == [filed.id]


def test_activate_and_release_a_notice(api: Api) -> None:
    """R-ACT-2, R-ACT-3"""
    alpha = sdk(api, "alpha")
    filed = alpha.file_notice(notice())
    api.env.clock.set(datetime(2026, 11, 24, 15, 10, tzinfo=UTC))
    active = alpha.activate_notice(filed.id)
    assert (active.status, active.activated_at) == ("active", api.env.clock.now())
    with pytest.raises(NotFoundError):
        sdk(api, "bravo").release_notice(filed.id)
    api.env.clock.set(datetime(2026, 11, 24, 15, 40, tzinfo=UTC))
    released = alpha.release_notice(filed.id)
    assert (released.status, released.version) == ("released", 2)
    assert released.volumes[0].time.end == api.env.clock.now()
    with pytest.raises(ClientError) as again:
        alpha.release_notice(filed.id)
    assert (again.value.status, again.value.code) == (409, "state-conflict")


def test_a_clash_shows_to_both_and_each_acknowledges_it(api: Api) -> None:
    """R-ACK-1: each side of a conflict acknowledges it through the SDK."""
    alpha, bravo = sdk(api, "alpha"), sdk(api, "bravo")
    a = alpha.file_notice(notice(square(36.1, 34.5)))
    b = bravo.file_notice(notice(square(36.3, 34.7)))
    (conflict,) = b.conflicts
    assert (conflict.with_.party, conflict.with_.id) == ("alpha", a.id)
    assert [c.id for c in alpha.list_conflicts(state="open")] == [conflict.id]
    assert [c.id for c in alpha.list_conflicts(object_id=a.id)] == [conflict.id]
    assert alpha.list_conflicts(state="resolved") == []
    assert alpha.get_conflict(conflict.id).with_.party == "bravo"
    assert alpha.get_notice(a.id).conflicts[0].id == conflict.id
    for client in (alpha, bravo):
        assert conflict.id in [p.subject_id for p in client.pending_acks()]
        ack = client.ack_conflict(conflict.id)
        assert (ack.subject, ack.subject_id, ack.status) == (
            "conflict",
            conflict.id,
            "acknowledged",
        )
        assert conflict.id not in [p.subject_id for p in client.pending_acks()]


def test_acknowledging_a_notice_returns_the_receipt_and_its_owner_cannot(api: Api) -> None:
    """R-ACK-1: a counterparty that sees a notice acknowledges it (a receipt)."""
    alpha, bravo = sdk(api, "alpha"), sdk(api, "bravo")
    a = alpha.file_notice(notice(square(36.1, 34.5)))
    bravo.file_notice(notice(square(36.3, 34.7)))  # the clash makes alpha's notice visible
    ack = bravo.ack_notice(a.id)
    assert (ack.subject, ack.subject_id, ack.party) == ("notice", a.id, "bravo")
    assert (ack.status, ack.acked_by) == ("acknowledged", "bravo-duty")
    with pytest.raises(ClientError) as caught:
        alpha.ack_notice(a.id)
    assert (caught.value.status, caught.value.code) == (409, "state-conflict")


def test_amend_needs_the_current_version_and_stale_raises(api: Api) -> None:
    """R-VER-1: a stale version raises StaleVersionError (412)."""
    alpha = sdk(api, "alpha")
    filed = alpha.file_notice(notice())
    amended = alpha.amend_notice(filed.id, 1, notice(title="moved"))
    assert (amended.version, amended.title) == (2, "moved")
    with pytest.raises(StaleVersionError) as caught:
        alpha.amend_notice(filed.id, 1, notice(title="again"))
    assert (caught.value.status, caught.value.code) == (412, "stale-version")
    assert alpha.get_notice(filed.id).title == "moved"


def test_cancel_resolves_the_conflicts(api: Api) -> None:
    alpha, bravo = sdk(api, "alpha"), sdk(api, "bravo")
    a = alpha.file_notice(notice(square(36.1, 34.5)))
    b = bravo.file_notice(notice(square(36.3, 34.7)))
    cancelled = alpha.cancel_notice(a.id)
    assert (cancelled.id, cancelled.status) == (a.id, "cancelled")
    (resolved,) = bravo.list_conflicts(state="resolved")
    assert (resolved.id, resolved.resolved_reason) == (b.conflicts[0].id, "cancelled")


def test_zones_round_trip_declare_get_list_amend_withdraw(api: Api) -> None:
    alpha = sdk(api, "alpha")
    declared = alpha.declare_zone(zone(square(35.5, 33.9, 0.1)))
    assert (declared.version, declared.status, declared.conflicts) == (1, "active", [])
    assert declared.volume.time.end is None
    assert alpha.get_zone(declared.id).title == "Hospital"
    assert [z.id for z in alpha.list_zones(party="alpha", kind="protected")] == [declared.id]
    amended = alpha.amend_zone(declared.id, 1, zone(square(35.5, 33.9, 0.1), title="Clinic"))
    assert (amended.version, amended.title) == (2, "Clinic")
    with pytest.raises(StaleVersionError):
        alpha.amend_zone(declared.id, 1, zone(square(35.5, 33.9, 0.1)))
    withdrawn = alpha.withdraw_zone(declared.id)
    assert withdrawn.status == "withdrawn"
    assert alpha.list_zones() == []
    assert [z.id for z in alpha.list_zones(withdrawn=True)] == [declared.id]


def test_a_notice_through_a_zone_of_the_other_party_conflicts(api: Api) -> None:
    bravo = sdk(api, "bravo")
    declared = bravo.declare_zone(zone(square(36.2, 34.6, 0.1)))
    filed = sdk(api, "alpha").file_notice(notice(square(36.1, 34.5), lower_m=1000))
    assert [(c.with_.type, c.with_.party) for c in filed.conflicts] == [("zone", "bravo")]
    assert [c.own.id for c in bravo.list_conflicts()] == [declared.id]


def test_an_unknown_token_raises_auth_error(api: Api) -> None:
    """R-AUTH-1: an unknown token gets 401, raised as AuthError."""
    stranger = Client("http://testserver", "not-a-token", http=api.client)
    with pytest.raises(AuthError) as caught:
        stranger.me()
    assert (caught.value.status, caught.value.code) == (401, "unauthenticated")


def test_the_host_may_not_file_and_gets_a_403_auth_error(api: Api) -> None:
    """R-AUTH-1: the host files nothing (403, AuthError)."""
    with pytest.raises(AuthError) as caught:
        sdk(api, "host").file_notice(notice())
    assert (caught.value.status, caught.value.code) == (403, "forbidden")


def test_an_unknown_or_hidden_id_raises_not_found(api: Api) -> None:
    """R-AUTH-1, R-VIS-1: unknown and invisible ids alike raise NotFoundError (404)."""
    alpha = sdk(api, "alpha")
    with pytest.raises(NotFoundError) as caught:
        alpha.get_notice("notice-404")
    assert (caught.value.status, caught.value.code) == (404, "not-found")
    for call in (alpha.get_zone, alpha.get_conflict, alpha.ack_conflict, alpha.cancel_notice):
        with pytest.raises(NotFoundError):
            call("../../v1/me")  # the slashes stay inside the id: no other route is reached
        for odd in ("..", ".", "a?b#c"):
            with pytest.raises(NotFoundError) as odd_caught:
                call(odd)
            assert repr(odd) in odd_caught.value.detail
    for by_id in (alpha.revoke_operator, alpha.rotate_operator, alpha.revoke_key):
        for odd in ("..", "."):  # an id, not a step up the path to another route
            with pytest.raises(NotFoundError) as odd_caught:
                by_id(odd)
            assert repr(odd) in odd_caught.value.detail
    with pytest.raises(ValueError):
        alpha.get_notice("")
    hidden = sdk(api, "bravo").file_notice(notice(square(20.0, 20.0)))
    with pytest.raises(NotFoundError):
        alpha.get_notice(hidden.id)  # conflicts_only: a notice that clashes with nothing


def test_invalid_input_raises_with_the_field_path(api: Api) -> None:
    """R-INPUT-1: a 422 problem reaches the caller with its code and field path."""
    with pytest.raises(ClientError) as caught:
        sdk(api, "alpha").file_notice(notice(lower_m=9000, upper_m=3000))
    error = caught.value
    assert (error.status, error.code) == (422, "invalid-volume")
    assert error.path == ("volumes", 0, "altitude", "lower_m")
    assert "lower altitude" in error.detail
    assert error.problem is not None and error.problem.title == "Invalid input"
    assert "volumes.0.altitude.lower_m" in str(error)
    assert type(error) is ClientError


def test_reusing_an_idempotency_key_returns_the_first_filing(api: Api) -> None:
    """R-IDEM-1: the same key returns the first filing; with another body it gets 422."""
    alpha = sdk(api, "alpha")
    first = alpha.file_notice(notice(), idempotency_key="sortie-17")
    again = alpha.file_notice(notice(), idempotency_key="sortie-17")
    assert again.id == first.id
    assert len(alpha.list_notices()) == 1
    with pytest.raises(ClientError) as caught:
        alpha.file_notice(notice(title="other"), idempotency_key="sortie-17")
    assert caught.value.code == "idempotency-mismatch"
    assert alpha.file_notice(notice()).id != first.id  # a fresh key by default


class LosesFirstAnswer(httpx.BaseTransport):
    """Forwards every request to the app, but drops the first answer (a reset connection)."""

    def __init__(self, app: httpx.Client) -> None:
        self.app = app
        self.seen: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        answer = self.app.send(request)
        if len(self.seen) == 1:
            raise httpx.ReadError("connection reset by peer", request=request)
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)


def test_a_lost_answer_is_retried_once_with_the_same_key_and_files_once(api: Api) -> None:
    """R-IDEM-1: the SDK's automatic retry reuses the key, so the notice is filed once."""
    transport = LosesFirstAnswer(api.client)
    with httpx.Client(transport=transport, base_url="http://testserver") as http:
        filed = sdk(api, "alpha", http).file_notice(notice())
    keys = [r.headers["Idempotency-Key"] for r in transport.seen]
    assert len(keys) == 2 and keys[0] == keys[1]
    assert [n.id for n in sdk(api, "alpha").list_notices()] == [filed.id]


def test_an_amendment_whose_answer_is_lost_is_not_sent_again(api: Api) -> None:
    filed = sdk(api, "alpha").file_notice(notice())
    transport = LosesFirstAnswer(api.client)
    with httpx.Client(transport=transport, base_url="http://testserver") as http:
        with pytest.raises(UnreachableError):
            sdk(api, "alpha", http).amend_notice(filed.id, 1, notice(title="moved"))
    assert len(transport.seen) == 1
    assert sdk(api, "alpha").get_notice(filed.id).version == 2


def test_no_server_raises_unreachable_after_one_retry() -> None:
    attempts: list[httpx.Request] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        attempts.append(request)
        raise httpx.ConnectError("connection refused", request=request)

    with httpx.Client(transport=httpx.MockTransport(refuse)) as http:
        client = Client("http://127.0.0.1:9", "t", http=http)
        with pytest.raises(UnreachableError) as caught:
            client.me()
    assert (caught.value.status, caught.value.code) == (0, "unreachable")
    assert "127.0.0.1:9" in caught.value.detail
    assert [str(r.url) for r in attempts] == ["http://127.0.0.1:9/v1/me"] * 2


def test_an_error_without_problem_json_still_raises_client_error() -> None:
    def gateway(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, text="<html>bad gateway</html>")

    with httpx.Client(transport=httpx.MockTransport(gateway)) as http:
        with pytest.raises(ClientError) as caught:
            Client("http://proxy", "t", http=http).me()
    assert (caught.value.status, caught.value.code) == (502, "http-error")
    assert "bad gateway" in caught.value.detail


def test_agree_deny_counter_and_accept_through_the_sdk(api: Api) -> None:
    """R-AGREE-2 … R-AGREE-4 (the default mechanism shares alpha's notice with bravo only
    where they clash: bravo files a clashing notice first)."""
    alpha, bravo = sdk(api, "alpha"), sdk(api, "bravo")
    bravo.file_notice(notice(title="bravo's"))
    filed = alpha.file_notice(notice().model_copy(update={"request_agreement": True}))
    assert filed.request_agreement
    with pytest.raises(ClientError) as own:
        alpha.agree_notice(filed.id)
    assert (own.value.status, own.value.code) == (403, "own-notice")
    with pytest.raises(ClientError) as blank:
        bravo.deny_notice(filed.id, " ")
    assert (blank.value.status, blank.value.code) == (422, "invalid-input")
    later = volume(square(36.1, 34.5), start="2026-11-24T16:00:00Z", end="2026-11-24T18:00:00Z")
    countered = bravo.counter_notice(filed.id, [later], note="after ours")
    assert (countered.state, countered.note) == ("countered", "after ours")
    assert countered.counter_id is not None and countered.volumes == [later]
    [position] = alpha.get_notice(filed.id).agreement
    assert position.counter_id == countered.counter_id
    with pytest.raises(NotFoundError):
        alpha.accept_counter(filed.id, "ack-nope", 1)
    accepted = alpha.accept_counter(filed.id, countered.counter_id, 1)
    assert (accepted.version, accepted.volumes[0].time) == (2, later.time)
    with pytest.raises(StaleVersionError):
        alpha.accept_counter(filed.id, countered.counter_id, 2)
    agreed = bravo.agree_notice(filed.id)
    assert (agreed.state, agreed.version) == ("agreed", 2)
    with pytest.raises(ClientError) as twice:
        bravo.agree_notice(filed.id)
    assert (twice.value.status, twice.value.code) == (409, "already-answered")
