"""Bad input gets a clear 422 with the field path, and nothing is stored (R-INPUT-1); tokens and
ownership are checked (R-AUTH-1)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from _bodies import notice, square, volume
from _support import Api, Env
from sqlalchemy import update

from sharedsky.bootstrap import Container
from sharedsky.service import mechanism
from sharedsky.service.mechanism import TokenCache
from sharedsky.store import tables as t

BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[36.0, 34.0], [36.5, 34.5], [36.5, 34.0], [36.0, 34.5], [36.0, 34.0]]],
}
UNCLOSED = {
    "type": "Polygon",
    "coordinates": [[[36.0, 34.0], [36.5, 34.0], [36.5, 34.5], [36.0, 34.5]]],
}
TRIANGLE_3 = {"type": "Polygon", "coordinates": [[[36.0, 34.0], [36.5, 34.0], [36.0, 34.0]]]}
LAT_OUT = {
    "type": "Polygon",
    "coordinates": [[[36.0, 34.0], [36.5, 94.0], [36.5, 34.5], [36.0, 34.0]]],
}
LON_OUT = {
    "type": "Polygon",
    "coordinates": [[[36.0, 34.0], [186.5, 34.0], [36.5, 34.5], [36.0, 34.0]]],
}
HUGE = square(20.0, 20.0, size_deg=25.0)


def many_volumes(n: int) -> dict[str, Any]:
    body = notice()
    body["volumes"] = [volume(square(36.0, 34.0))] * n
    return body


CASES: dict[str, tuple[dict[str, Any], list[str | int], str]] = {
    "self-intersecting outline": (
        notice(BOWTIE),
        ["volumes", 0, "outline", "coordinates", 0],
        "intersect",
    ),
    "unclosed outline": (notice(UNCLOSED), ["volumes", 0, "outline", "coordinates", 0], "closed"),
    "fewer than 4 positions": (
        notice(TRIANGLE_3),
        ["volumes", 0, "outline", "coordinates", 0],
        "4",
    ),
    "latitude out of range": (
        notice(LAT_OUT),
        ["volumes", 0, "outline", "coordinates", 0, 1],
        "latitude",
    ),
    "longitude out of range": (
        notice(LON_OUT),
        ["volumes", 0, "outline", "coordinates", 0, 1],
        "longitude",
    ),
    "radius zero": (
        notice({"type": "Circle", "center": [36.0, 34.0], "radius_m": 0}),
        ["volumes", 0, "outline", "radius_m"],
        "",
    ),
    "negative half-width": (
        notice({"type": "Corridor", "path": [[36.0, 34.0], [36.5, 34.2]], "half_width_m": -5}),
        ["volumes", 0, "outline", "half_width_m"],
        "",
    ),
    "lower altitude at upper": (
        notice(lower_m=9000, upper_m=9000),
        ["volumes", 0, "altitude", "lower_m"],
        "below",
    ),
    "end before start": (
        notice(start="2026-11-24T17:00:00Z", end="2026-11-24T15:00:00Z"),
        ["volumes", 0, "time", "end"],
        "after",
    ),
    "end equal to start": (
        notice(start="2026-11-24T17:00:00Z", end="2026-11-24T17:00:00Z"),
        ["volumes", 0, "time", "end"],
        "after",
    ),
    "start over a day in the past": (
        notice(start="2026-11-23T11:00:00Z", end="2026-11-23T15:00:00Z"),
        ["volumes", 0, "time", "start"],
        "past",
    ),
    "wider than 2,000 km": (notice(HUGE), ["volumes", 0, "outline"], "2,000 km"),
    "longer than 30 days": (
        notice(start="2026-11-25T00:00:00Z", end="2026-12-26T00:00:00Z"),
        ["volumes", 0, "time", "end"],
        "30 days",
    ),
    "more than 100 volumes": (many_volumes(101), ["volumes"], "100"),
    "no volume": (many_volumes(0), ["volumes"], "at least one"),
    "unknown kind": (notice(kind="bombing_run"), ["kind"], ""),
    "naive time": (
        notice(start="2026-11-24T15:00:00", end="2026-11-24T17:00:00"),
        ["volumes", 0, "time", "start"],
        "",
    ),
    "unknown field": ({**notice(), "colour": "red"}, ["colour"], ""),
    "empty title": (notice(title="  "), ["title"], "title"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_notice_gets_422_with_path_and_nothing_is_stored(api: Api, case: str) -> None:
    body, path, words = CASES[case]
    response = api.client.post("/v1/notices", json=body, headers=api.as_("alpha"))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 422
    assert problem["path"][: len(path)] == path, problem
    assert words.lower() in problem["detail"].lower(), problem
    listed = api.client.get("/v1/notices", headers=api.as_("alpha")).json()
    assert listed["notices"] == []


@pytest.mark.parametrize("route", ["/v1/notices", "/v1/messages", "/v1/webhooks"])
def test_a_body_that_is_not_utf8_gets_422_like_one_that_is_not_json(api: Api, route: str) -> None:
    """Found by schemathesis: FastAPI answered a body it could not decode with a bare 400."""
    headers = {**api.as_("alpha"), "Content-Type": "application/json"}
    for body in (b"\xff\xfe{", b"{not json"):
        response = api.client.post(route, content=body, headers=headers)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["code"] == "invalid-input"
    assert api.client.get("/v1/notices", headers=api.as_("alpha")).json()["notices"] == []


def test_missing_token_gets_401(api: Api) -> None:
    response = api.client.post("/v1/notices", json=notice())
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert response.headers["www-authenticate"] == "Bearer"


def test_unknown_token_gets_401(api: Api) -> None:
    response = api.client.get("/v1/notices", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401


def test_a_started_server_remembers_every_token_and_operators_keys(api: Api) -> None:
    """The first request of each client reads nothing: the server read the credentials as it
    started (one query each)."""
    parts = api.container
    for name, token in api.env.tokens.items():  # by party and by operator id
        actor = parts.tokens.get(token)
        assert actor is not None and name in (actor.party, actor.operator)
        assert parts.operator_keys.unsigned_ok(actor.operator)  # no key registered
    assert parts.tokens.get("not-a-token") is None


def test_a_token_in_use_is_checked_again_in_the_background(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """R-AUTH-1: a token remembered for a while is checked again without its request waiting;
    once it no longer authenticates (its hash replaced here), the next request gets a 401
    before the remembered time is up."""
    monkeypatch.setattr(mechanism, "REFRESH_AFTER", (0.5, 0.5))
    api = Api(env, Container.for_deps(env.deps, tokens=TokenCache(ttl_s=2.0)))
    with api.client:
        api.container.tokens.replace_all({})  # its time counts from its first use below
        headers = api.as_("alpha")
        assert api.client.get("/v1/me", headers=headers).status_code == 200
        api.env.deps.db.run(
            lambda uow: uow.connection.execute(
                update(t.operators)
                .where(t.operators.c.id == "alpha-duty")
                .values(token_sha256="0" * 64)
            )
        )
        assert api.client.get("/v1/me", headers=headers).status_code == 200  # remembered
        time.sleep(1.1)  # past half of its time: this request is answered, and starts the check
        assert api.client.get("/v1/me", headers=headers).status_code == 200
        deadline = time.monotonic() + 0.8
        while api.client.get("/v1/me", headers=headers).status_code == 200:
            assert time.monotonic() < deadline, "the background check never forgot the token"
            time.sleep(0.02)


def test_another_partys_object_is_404_for_amend_and_cancel(api: Api) -> None:
    filed = api.client.post("/v1/notices", json=notice(), headers=api.as_("alpha")).json()
    amend = api.client.put(
        f"/v1/notices/{filed['id']}", json=notice(), headers=api.as_("bravo") | {"If-Match": "1"}
    )
    assert amend.status_code == 404
    cancel = api.client.post(f"/v1/notices/{filed['id']}/cancel", headers=api.as_("bravo"))
    assert cancel.status_code == 404


def test_the_host_files_nothing(api: Api) -> None:
    response = api.client.post("/v1/notices", json=notice(), headers=api.as_("host"))
    assert response.status_code == 403


def test_a_sequence_number_beyond_any_ledger_gets_422_not_a_database_error(api: Api) -> None:
    """A seq is a 32-bit integer in the database: a larger one is refused at the door (found
    by schemathesis: PostgreSQL answered ``integer out of range`` and the API a 500)."""
    too_big = 2**31
    for path in (f"/v1/ledger?after={too_big}", f"/v1/events?after={too_big}&limit=1"):
        answer = api.client.get(path, headers=api.as_("alpha"))
        assert answer.status_code == 422, (path, answer.text)
        assert answer.json()["path"] == ["after"]
    header = {**api.as_("alpha"), "Last-Event-ID": str(too_big)}
    answer = api.client.get("/v1/events?limit=1", headers=header)
    assert answer.status_code == 422 and answer.json()["path"] == ["Last-Event-ID"]
    assert (
        api.client.get("/v1/ledger?after=2147483647", headers=api.as_("alpha")).status_code == 200
    )
