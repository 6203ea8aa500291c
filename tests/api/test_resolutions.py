"""Resolution advice through the API (R-RESOLVE-1): the contract of the options, the same list
in the filing answer, applying one as an ordinary amendment, and the bad inputs."""

from __future__ import annotations

from typing import Any

from _bodies import notice
from _support import THREE_PARTY_YAML, Api, make_env

from sharedsky.store.uow import Database
from sharedsky.testing.fakes import FakeClock

COST = {
    "shift_later": "shift_s",
    "shift_earlier": "shift_s",
    "climb": "delta_m",
    "descend": "delta_m",
}


def clash(api: Api) -> tuple[dict[str, Any], dict[str, Any]]:
    """Alpha's A (15:00–17:00) and bravo's B (16:00–18:00) over one square: bravo's filing
    answer and its conflict."""
    first = api.client.post("/v1/notices", json=notice(), headers=api.as_("alpha"))
    assert first.status_code == 201 and first.json()["resolutions"] == []
    body = notice(start="2026-11-24T16:00:00Z", end="2026-11-24T18:00:00Z")
    filed = api.client.post("/v1/notices", json=body, headers=api.as_("bravo"))
    assert filed.status_code == 201, filed.text
    answer: dict[str, Any] = filed.json()
    (conflict,) = answer["conflicts"]
    return answer, conflict


def options_of(api: Api, party: str, conflict_id: str) -> list[dict[str, Any]]:
    response = api.client.get(f"/v1/conflicts/{conflict_id}/resolutions", headers=api.as_(party))
    assert response.status_code == 200, response.text
    options: list[dict[str, Any]] = response.json()["options"]
    return options


def test_options_carry_exactly_the_contract_fields(api: Api) -> None:
    """R-RESOLVE-1"""
    filing, conflict = clash(api)
    options = options_of(api, "bravo", conflict["id"])
    assert [o["kind"] for o in options] == [
        "shift_later",
        "shift_earlier",
        "climb",
        "shrink_window",
    ]
    shown = api.client.get(f"/v1/notices/{filing['id']}", headers=api.as_("bravo")).json()
    for option in options:
        cost = COST.get(option["kind"], "window")
        assert set(option) == {"id", "kind", "notice_id", "volumes", cost, "late"}
        assert option["notice_id"] == filing["id"] and option["late"] is False
        assert [set(v) for v in option["volumes"]] == [set(v) for v in shown["volumes"]]
    later, earlier, climb, shrink = options
    assert (later["shift_s"], earlier["shift_s"], climb["delta_m"]) == (3900, -11100, 6309.36)
    assert later["volumes"][0]["time"] == {
        "start": "2026-11-24T17:05:00Z",
        "end": "2026-11-24T19:05:00Z",
    }
    assert climb["volumes"][0]["altitude"] == {"lower_m": 9309.36, "upper_m": 15309.36}
    assert shrink["window"] == {"start": "2026-11-24T17:05:00Z", "end": "2026-11-24T18:00:00Z"}
    # the filing answer lists the same options, as the GET does now
    assert filing["resolutions"] == options
    one = api.client.get(
        f"/v1/conflicts/{conflict['id']}/resolutions/{climb['id']}", headers=api.as_("bravo")
    )
    assert one.status_code == 200 and one.json() == climb


def test_an_option_applies_as_an_amendment_and_then_is_stale(api: Api) -> None:
    """R-RESOLVE-1, R-VER-1: PUT with the option's volumes at If-Match 1 clears the clash;
    the option is then for an earlier version (412), and the conflict has no options left."""
    filing, conflict = clash(api)
    option = options_of(api, "bravo", conflict["id"])[0]
    body = notice(start="2026-11-24T16:00:00Z", end="2026-11-24T18:00:00Z")
    body["volumes"] = [{k: v for k, v in vol.items() if k != "index"} for vol in option["volumes"]]
    amended = api.client.put(
        f"/v1/notices/{filing['id']}", json=body, headers=api.as_("bravo") | {"If-Match": "1"}
    )
    assert amended.status_code == 200, amended.text
    assert amended.json()["conflicts"] == [] and amended.json()["resolutions"] == []
    shown = api.client.get(f"/v1/conflicts/{conflict['id']}", headers=api.as_("bravo")).json()
    assert shown["state"] == "resolved" and shown["resolved_reason"] == "amended"
    assert options_of(api, "bravo", conflict["id"]) == []  # resolved: nothing to resolve
    stale = api.client.get(
        f"/v1/conflicts/{conflict['id']}/resolutions/{option['id']}", headers=api.as_("bravo")
    )
    assert stale.status_code == 412
    assert stale.headers["content-type"].startswith("application/problem+json")
    assert stale.json()["code"] == "stale-version"


def test_bad_input_gets_its_status(api: Api) -> None:
    """R-AUTH-1: an unknown conflict or option is 404; the host may amend nothing (an empty
    list, not an error)."""
    _filing, conflict = clash(api)
    path = f"/v1/conflicts/{conflict['id']}/resolutions"
    assert (
        api.client.get("/v1/conflicts/cfl-nope/resolutions", headers=api.as_("bravo")).status_code
        == 404
    )
    unknown = api.client.get(f"{path}/v1-0123456789abcdef", headers=api.as_("bravo"))
    assert unknown.status_code == 404 and unknown.json()["code"] == "not-found"
    assert api.client.get(f"{path}/garbage", headers=api.as_("bravo")).status_code == 404
    assert options_of(api, "host", conflict["id"]) == []
    alphas = options_of(api, "alpha", conflict["id"])  # alpha's own notice, A, moves instead
    assert alphas and {o["notice_id"] for o in alphas} == {conflict["with"]["id"]}
    assert api.client.get(path).status_code == 401


def test_a_conflict_another_party_may_not_see_is_not_found(
    database: Database, clock: FakeClock
) -> None:
    api = Api(make_env(database, clock, THREE_PARTY_YAML))
    with api.client:
        _filing, conflict = clash(api)
        path = f"/v1/conflicts/{conflict['id']}/resolutions"
        assert api.client.get(path, headers=api.as_("charlie")).status_code == 404
        option = options_of(api, "bravo", conflict["id"])[0]
        wanted = f"{path}/{option['id']}"
        assert api.client.get(wanted, headers=api.as_("charlie")).status_code == 404
