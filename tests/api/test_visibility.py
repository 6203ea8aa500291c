"""Who sees what: every object type × viewer × sharing policy, on every read route (R-VIS-1).

The three-party mechanism has one channel of each policy::

    alpha ──conflicts_only── bravo
    alpha ──host_only─────── charlie
    bravo ──full──────────── charlie
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from _bodies import notice, square, volume, zone
from _support import THREE_PARTY_YAML, Api, make_env

from sharedsky.store.uow import Database
from sharedsky.testing.fakes import FakeClock

POLICIES = {
    "full": ("bravo", "charlie"),
    "conflicts_only": ("alpha", "bravo"),
    "host_only": ("alpha", "charlie"),
}


@dataclass
class World:
    api: Api
    owner: str
    other: str
    outsider: str
    clashing: str
    quiet: str
    clashing_zone: str
    quiet_zone: str
    conflict_ids: list[str]


def _post(api: Api, party: str, url: str, body: dict[str, Any]) -> dict[str, Any]:
    response = api.client.post(url, json=body, headers=api.as_(party))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


@pytest.fixture(params=sorted(POLICIES))
def world(request: pytest.FixtureRequest, database: Database, clock: FakeClock) -> Any:
    owner, other = POLICIES[request.param]
    outsider = ({"alpha", "bravo", "charlie"} - {owner, other}).pop()
    api = Api(make_env(database, clock, THREE_PARTY_YAML))
    with api.client:
        body = notice(square(36.1, 34.5), title="secret sortie")
        body["volumes"].append(volume(square(30.0, 40.0)))  # far away: never clashes
        clashing = _post(api, owner, "/v1/notices", body)["id"]
        quiet = _post(api, owner, "/v1/notices", notice(square(20.0, 40.0), title="quiet"))["id"]
        clashing_zone = _post(api, owner, "/v1/zones", zone(square(36.35, 34.75, 0.1), title="z1"))[
            "id"
        ]
        quiet_zone = _post(api, owner, "/v1/zones", zone(square(22.0, 40.0, 0.1), title="z2"))["id"]
        mine = _post(api, other, "/v1/notices", notice(square(36.3, 34.7), title="mine"))
        conflict_ids = [c["id"] for c in mine["conflicts"]]
        assert len(conflict_ids) == 2  # with the notice's first volume and with the zone
        yield (
            request.param,
            World(
                api,
                owner,
                other,
                outsider,
                clashing,
                quiet,
                clashing_zone,
                quiet_zone,
                conflict_ids,
            ),
        )


def _get(w: World, viewer: str, url: str) -> Any:
    return w.api.client.get(url, headers=w.api.as_(viewer))


def _listed(w: World, viewer: str, url: str, key: str) -> set[str]:
    response = _get(w, viewer, url)
    assert response.status_code == 200
    return {item["id"] for item in response.json()[key]}


def test_owner_and_host_see_everything_in_full(world: tuple[str, World]) -> None:
    _policy, w = world
    for viewer in (w.owner, "host"):
        shown = _get(w, viewer, f"/v1/notices/{w.clashing}").json()
        assert shown["title"] == "secret sortie" and not shown["redacted"]
        assert [v["index"] for v in shown["volumes"]] == [0, 1]
        assert {w.clashing, w.quiet} <= _listed(w, viewer, "/v1/notices", "notices")
        assert {w.clashing_zone, w.quiet_zone} <= _listed(w, viewer, "/v1/zones", "zones")
        assert _get(w, viewer, f"/v1/zones/{w.quiet_zone}").status_code == 200
        for cid in w.conflict_ids:
            seen = _get(w, viewer, f"/v1/conflicts/{cid}").json()
            # under host_only even the owner is not told which object of the other party clashes
            hidden = viewer != "host" and _policy == "host_only"
            assert (seen["with"]["id"] is None) == hidden
        assert set(w.conflict_ids) <= _listed(w, viewer, "/v1/conflicts", "conflicts")


def test_counterparty_sees_what_its_policy_allows(world: tuple[str, World]) -> None:
    policy, w = world
    v = w.other
    notice_list = _listed(w, v, "/v1/notices", "notices")
    zone_list = _listed(w, v, "/v1/zones", "zones")
    clashing = _get(w, v, f"/v1/notices/{w.clashing}")
    quiet = _get(w, v, f"/v1/notices/{w.quiet}")
    if policy == "full":
        assert clashing.json()["title"] == "secret sortie"
        assert [x["index"] for x in clashing.json()["volumes"]] == [0, 1]
        assert quiet.status_code == 200
        assert {w.clashing, w.quiet} <= notice_list
        assert {w.clashing_zone, w.quiet_zone} <= zone_list
    elif policy == "conflicts_only":
        body = clashing.json()
        assert body["redacted"] is True
        assert body["title"] == "" and body["remarks"] == ""
        assert [x["index"] for x in body["volumes"]] == [0]  # never the far volume
        assert quiet.status_code == 404
        assert w.clashing in notice_list and w.quiet not in notice_list
        assert _get(w, v, f"/v1/zones/{w.clashing_zone}").json()["redacted"] is True
        assert _get(w, v, f"/v1/zones/{w.quiet_zone}").status_code == 404
        assert w.clashing_zone in zone_list and w.quiet_zone not in zone_list
    else:
        assert clashing.status_code == 404 and quiet.status_code == 404
        assert not ({w.clashing, w.quiet} & notice_list)
        assert not ({w.clashing_zone, w.quiet_zone} & zone_list)
        assert _get(w, v, f"/v1/zones/{w.clashing_zone}").status_code == 404
    for cid in w.conflict_ids:
        seen = _get(w, v, f"/v1/conflicts/{cid}").json()
        assert seen["with"]["party"] == w.owner
        assert (seen["with"]["id"] is None) == (policy == "host_only")
        assert seen["region"]["type"] in ("Polygon", "MultiPolygon")
        assert seen["region"]["coordinates"], "every viewer is shown some region"
    assert set(w.conflict_ids) == _listed(w, v, "/v1/conflicts", "conflicts")


def test_an_outsider_sees_no_conflict_of_others(world: tuple[str, World]) -> None:
    _policy, w = world
    for cid in w.conflict_ids:
        assert _get(w, w.outsider, f"/v1/conflicts/{cid}").status_code == 404
    assert not (set(w.conflict_ids) & _listed(w, w.outsider, "/v1/conflicts", "conflicts"))
    assert (
        w.api.client.post(
            f"/v1/conflicts/{w.conflict_ids[0]}/ack", headers=w.api.as_(w.outsider)
        ).status_code
        == 404
    )


def test_an_unknown_token_sees_nothing(world: tuple[str, World]) -> None:
    _policy, w = world
    bad = {"Authorization": "Bearer nope"}
    for url in (
        "/v1/notices",
        f"/v1/notices/{w.clashing}",
        "/v1/zones",
        f"/v1/zones/{w.clashing_zone}",
        "/v1/conflicts",
        f"/v1/conflicts/{w.conflict_ids[0]}",
        "/v1/acks/pending",
        "/v1/me",
        "/v1/mechanism",
    ):
        assert w.api.client.get(url, headers=bad).status_code == 401, url


def test_a_box_or_window_never_finds_a_notice_through_volumes_the_viewer_may_not_see(
    api: Api,
) -> None:
    """Under ``conflicts_only`` bravo sees only alpha's volume that clashes with its own; a
    list filtered by a box or a window around the hidden volume must not answer with the
    notice, or bravo could find, box by box, where alpha's hidden activity lies."""
    body = notice(square(36.1, 34.5))
    body["volumes"].append(
        volume(square(30.0, 30.0), start="2026-11-25T15:00:00Z", end="2026-11-25T17:00:00Z")
    )
    alpha = api.client.post("/v1/notices", json=body, headers=api.as_("alpha"))
    assert alpha.status_code == 201, alpha.text
    clash = api.client.post(
        "/v1/notices", json=notice(square(36.3, 34.5)), headers=api.as_("bravo")
    )
    assert clash.status_code == 201 and clash.json()["conflicts"], clash.text

    def found(viewer: str, query: str) -> bool:
        answer = api.client.get(f"/v1/notices?{query}", headers=api.as_(viewer))
        assert answer.status_code == 200, answer.text
        return alpha.json()["id"] in [n["id"] for n in answer.json()["notices"]]

    hidden_box, shown_box = "bbox=29.9,29.9,30.5,30.5", "bbox=36.0,34.4,36.6,35.0"
    hidden_day = "from=2026-11-25T14:00:00Z&to=2026-11-25T18:00:00Z"
    assert found("alpha", hidden_box) and found("alpha", hidden_day)  # the owner sees all
    assert found("host", hidden_box)
    assert not found("bravo", hidden_box)
    assert not found("bravo", hidden_day)
    assert found("bravo", shown_box)
    assert found("bravo", "from=2026-11-24T14:00:00Z&to=2026-11-24T18:00:00Z")
