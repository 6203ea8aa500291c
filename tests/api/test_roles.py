"""The role matrix: every route × every role (viewer, duty, admin of a party; viewer and admin of
the host) × the caller's own party's objects and another party's. A role that may not use a
route gets ``403`` with ``"code": "forbidden-role"`` (the host, for what only parties do, may get
``"forbidden"`` instead) and nothing is stored (the ledger does not move); a role that may never
gets that answer. A route missing from ``NEEDED`` fails the test: each new route must say
which role it takes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from _bodies import notice, square, zone
from _support import T0, Api, make_env

from sharedsky.domain.operators import Role
from sharedsky.ledger.signing import Signer, public_key_to_b64
from sharedsky.store.uow import Database
from sharedsky.testing.fakes import FakeClock

ROLES_YAML = """\
mechanism: roles
host:
  id: host
  name: Coordination Cell
  operators: [{id: host-admin, role: admin}, {id: host-watch, role: viewer}]
parties:
  - id: alpha
    name: Alpha Air Command
    operators:
      - {id: alpha-watch, role: viewer}
      - {id: alpha-duty, role: duty}
      - {id: alpha-admin, role: admin}
    escalation:
      - {rung: commanders, operators: [alpha-commander], wait_s: 300}
  - {id: bravo, name: Bravo Air Command, language: tr}
defaults:
  sharing: full
"""
"""Alpha lists an operator of each role and names a commander only in its ladder; bravo lists
none (so it has one admin, ``bravo-duty``)."""

ROLE_OF = {
    "alpha-watch": Role.VIEWER,
    "alpha-duty": Role.DUTY,
    "alpha-admin": Role.ADMIN,
    "host-watch": Role.VIEWER,
    "host-admin": Role.ADMIN,
}

NEEDED: dict[tuple[str, str], Role] = {
    ("GET", "/healthz"): Role.VIEWER,
    ("GET", "/v1/me"): Role.VIEWER,
    ("GET", "/v1/mechanism"): Role.VIEWER,
    ("GET", "/v1/events"): Role.VIEWER,
    ("GET", "/v1/notices"): Role.VIEWER,
    ("GET", "/v1/notices/{notice_id}"): Role.VIEWER,
    ("POST", "/v1/notices/check"): Role.VIEWER,  # stores nothing
    ("POST", "/v1/notices"): Role.DUTY,
    ("PUT", "/v1/notices/{notice_id}"): Role.DUTY,
    ("POST", "/v1/notices/{notice_id}/cancel"): Role.DUTY,
    ("POST", "/v1/notices/{notice_id}/activate"): Role.DUTY,
    ("POST", "/v1/notices/{notice_id}/release"): Role.DUTY,
    ("POST", "/v1/notices/{notice_id}/ack"): Role.DUTY,
    ("POST", "/v1/notices/{notice_id}/agree"): Role.DUTY,
    ("POST", "/v1/notices/{notice_id}/deny"): Role.DUTY,
    ("POST", "/v1/notices/{notice_id}/counter"): Role.DUTY,
    ("POST", "/v1/notices/{notice_id}/accept"): Role.DUTY,
    ("GET", "/v1/zones"): Role.VIEWER,
    ("GET", "/v1/zones/{zone_id}"): Role.VIEWER,
    ("POST", "/v1/zones"): Role.DUTY,
    ("PUT", "/v1/zones/{zone_id}"): Role.DUTY,
    ("POST", "/v1/zones/{zone_id}/withdraw"): Role.DUTY,
    ("GET", "/v1/conflicts"): Role.VIEWER,
    ("GET", "/v1/conflicts/{conflict_id}"): Role.VIEWER,
    ("POST", "/v1/conflicts/{conflict_id}/ack"): Role.DUTY,
    ("GET", "/v1/conflicts/{conflict_id}/resolutions"): Role.VIEWER,
    ("GET", "/v1/conflicts/{conflict_id}/resolutions/{option_id}"): Role.VIEWER,
    ("GET", "/v1/acks/pending"): Role.VIEWER,
    ("GET", "/v1/escalations"): Role.VIEWER,
    ("POST", "/v1/tracks"): Role.DUTY,
    ("GET", "/v1/tracks"): Role.VIEWER,
    ("POST", "/v1/messages"): Role.DUTY,
    ("GET", "/v1/messages"): Role.VIEWER,
    ("GET", "/v1/messages/{message_id}"): Role.VIEWER,
    ("POST", "/v1/messages/{message_id}/ack"): Role.DUTY,
    ("POST", "/v1/messages/{message_id}/reply"): Role.DUTY,
    ("GET", "/v1/templates"): Role.VIEWER,
    ("GET", "/v1/stats/lead-time"): Role.VIEWER,
    ("POST", "/v1/webhooks"): Role.ADMIN,
    ("GET", "/v1/webhooks"): Role.ADMIN,
    ("DELETE", "/v1/webhooks/{webhook_id}"): Role.ADMIN,
    ("GET", "/v1/webhooks/{webhook_id}/deliveries"): Role.ADMIN,
    ("GET", "/v1/ledger"): Role.VIEWER,
    ("GET", "/v1/ledger/keys"): Role.VIEWER,
    ("GET", "/v1/ledger/checkpoint"): Role.VIEWER,
    ("GET", "/v1/ledger/operator-keys"): Role.VIEWER,
    ("POST", "/v1/ledger/operator-keys"): Role.ADMIN,
    ("DELETE", "/v1/ledger/operator-keys/{key_id}"): Role.ADMIN,
    ("POST", "/v1/operators"): Role.ADMIN,
    ("GET", "/v1/operators"): Role.ADMIN,
    ("POST", "/v1/operators/{operator_id}/revoke"): Role.ADMIN,
    ("POST", "/v1/operators/{operator_id}/rotate"): Role.ADMIN,
    ("GET", "/v1/export"): Role.VIEWER,  # a read
    ("POST", "/v1/import"): Role.DUTY,  # a dry run too: it is how a filing is prepared
    ("POST", "/v1/incidents"): Role.DUTY,
    ("GET", "/v1/incidents"): Role.VIEWER,
    ("GET", "/v1/incidents/{incident_id}"): Role.VIEWER,
    ("POST", "/v1/incidents/{incident_id}/ack"): Role.DUTY,
    ("POST", "/v1/reports"): Role.DUTY,  # the host's alone (a party is "forbidden")
}
"""The least role each route takes."""

OPEN_ROUTES = {
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("GET", "/v1/catalogues/console"),
}
"""Routes that need no token at all (or check their own audience: /metrics); the console's
words are read before anyone signs in."""


@pytest.fixture
def roles(database: Database, clock: FakeClock) -> Iterator[Api]:
    holder = Api(make_env(database, clock, ROLES_YAML))
    with holder.client:
        yield holder


@dataclass
class World:
    """One object of each kind per party, made by that party's admin."""

    api: Api
    ids: dict[str, dict[str, str]]
    """party → kind → id."""
    versions: dict[str, int]


def _ok(answer: Any, *codes: int) -> Any:
    assert answer.status_code in (codes or (200, 201)), answer.text
    return answer.json()


def _world(api: Api) -> World:
    tokens = api.env.tokens
    admin = {"alpha": tokens["alpha-admin"], "bravo": tokens["bravo-duty"]}
    ids: dict[str, dict[str, str]] = {"alpha": {}, "bravo": {}}
    versions: dict[str, int] = {}
    for party, lon in (("alpha", 36.1), ("bravo", 36.2)):
        auth = {"Authorization": f"Bearer {admin[party]}"}
        filed = _ok(api.client.post("/v1/notices", json=notice(square(lon, 34.5)), headers=auth))
        ids[party]["notice"] = filed["id"]
        versions[filed["id"]] = filed["version"]
        declared = _ok(api.client.post("/v1/zones", json=zone(square(lon + 5, 30.0)), headers=auth))
        ids[party]["zone"] = declared["id"]
        versions[declared["id"]] = declared["version"]
        other = "bravo" if party == "alpha" else "alpha"
        sent = _ok(
            api.client.post("/v1/messages", json={"to": other, "text": "hello"}, headers=auth)
        )
        ids[party]["message"] = sent["id"]
        hook = _ok(
            api.client.post("/v1/webhooks", json={"url": "https://example.org/h"}, headers=auth)
        )
        ids[party]["webhook"] = hook["id"]
        key = _ok(
            api.client.post(
                "/v1/operators",
                json={"id": f"{party}-spare", "role": "viewer"},
                headers=auth,
            )
        )
        ids[party]["operator"] = key["operator"]["id"]
    conflicts = _ok(
        api.client.get("/v1/conflicts", headers={"Authorization": f"Bearer {admin['alpha']}"})
    )
    assert conflicts["conflicts"], "the two notices overlap: one conflict"
    ids["alpha"]["conflict"] = ids["bravo"]["conflict"] = conflicts["conflicts"][0]["id"]
    for party in ("alpha", "bravo"):
        body = {"time": T0.isoformat(), "position": [36.1, 34.5], "narrative": "near miss",
                "notices": [ids[party]["notice"]]}  # fmt: skip
        auth = {"Authorization": f"Bearer {admin[party]}"}
        ids[party]["incident"] = _ok(api.client.post("/v1/incidents", json=body, headers=auth))[
            "id"
        ]
    return World(api, ids, versions)


def _request(world: World, method: str, path: str, owner: str, caller: str) -> dict[str, Any]:
    """The request of one route on ``owner``'s objects (the caller is alpha's operator)."""
    ids = world.ids[owner]
    url = path
    for name, kind in (
        ("{notice_id}", "notice"),
        ("{zone_id}", "zone"),
        ("{conflict_id}", "conflict"),
        ("{message_id}", "message"),
        ("{webhook_id}", "webhook"),
        ("{operator_id}", "operator"),
        ("{incident_id}", "incident"),
    ):
        url = url.replace(name, ids[kind])
    url = url.replace("{key_id}", "0123456789abcdef")
    body: Any = None
    headers: dict[str, str] = {}
    if method in ("POST", "PUT"):
        body = {}
    if (method, path) in {("POST", "/v1/notices"), ("POST", "/v1/notices/check")}:
        body = notice(square(20.0, 20.0))
    elif (method, path) == ("PUT", "/v1/notices/{notice_id}"):
        body = notice(square(36.1, 34.5), title="amended")
        headers["If-Match"] = str(world.versions[ids["notice"]])
    elif (method, path) == ("POST", "/v1/notices/{notice_id}/deny"):
        body = {"reason": f"from {caller}"}
    elif (method, path) == ("POST", "/v1/notices/{notice_id}/counter"):
        body = {"volumes": notice(square(36.1, 34.5))["volumes"]}
    elif (method, path) == ("POST", "/v1/notices/{notice_id}/accept"):
        body = {"counter_id": "ack-none"}
        headers["If-Match"] = str(world.versions[ids["notice"]])
    elif (method, path) == ("POST", "/v1/zones"):
        body = zone(square(10.0, 10.0))
    elif (method, path) == ("PUT", "/v1/zones/{zone_id}"):
        body = zone(square(41.1, 30.0), title="amended")
        headers["If-Match"] = str(world.versions[ids["zone"]])
    elif (method, path) == ("POST", "/v1/tracks"):
        state = {"id": "A1", "time": T0.isoformat(), "lat": 34.0, "lon": 33.0, "alt_m": 6000.0,
                 "gs_mps": 200.0, "trk_deg": 90.0, "vs_mps": 0.0}  # fmt: skip
        body = {"tracks": [state]}
    elif (method, path) == ("POST", "/v1/messages"):
        body = {"to": "bravo" if owner == "alpha" else "alpha", "text": f"from {caller}"}
    elif (method, path) == ("POST", "/v1/messages/{message_id}/reply"):
        body = {"reply": "WILCO"}
    elif (method, path) == ("POST", "/v1/webhooks"):
        body = {"url": f"https://example.org/{caller}"}
    elif (method, path) == ("POST", "/v1/ledger/operator-keys"):
        body = {"public_key": public_key_to_b64(Signer.generate().public_key)}
    elif (method, path) == ("POST", "/v1/operators"):
        body = {"id": f"{caller}-new-{owner}", "role": "viewer", "party": owner}
    elif (method, path) == ("POST", "/v1/incidents"):
        body = {"time": T0.isoformat(), "position": [33.0, 34.0], "narrative": caller}
    elif (method, path) == ("POST", "/v1/reports"):
        body = {"sha256": "ab" * 32, "start": T0.isoformat(), "end": "2026-11-25T00:00:00Z",
                "head_seq": 1, "format": "pdf"}  # fmt: skip
    elif (method, path) == ("GET", "/v1/events"):
        url += "?after=0&limit=1"
    elif (method, path) == ("GET", "/v1/export"):
        url += "?format=geojson"
    elif (method, path) == ("POST", "/v1/import"):
        url += "?format=geojson&dry_run=false"
        outline = square(12.0, 12.0) if owner == "alpha" else square(14.0, 14.0)
        body = {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": outline,
                "properties": {"object": "zone", "kind": "restricted", "title": caller,
                               "altitude": {"lower_m": 0, "upper_m": 100},
                               "time": {"start": T0.isoformat()}}}]}  # fmt: skip
    return {"method": method, "url": url, "json": body, "headers": headers}


def _routes(api: Api) -> list[tuple[str, str]]:
    document = api.client.get("/openapi.json").json()
    return [(m.upper(), p) for p, ops in document["paths"].items() for m in ops]


def test_every_route_declares_the_role_it_takes(roles: Api) -> None:
    routes = [r for r in _routes(roles) if r not in OPEN_ROUTES]
    assert sorted(set(routes) - NEEDED.keys()) == []
    assert sorted(NEEDED.keys() - set(routes) - OPEN_ROUTES) == []


def _ledger_head(api: Api) -> int:
    """Ledger entries but the deliveries: a read that is allowed delivers what it shows
    (R-LEAD-2), and the buffer writes those in the background at any moment."""
    entries = api.env.deps.db.run(lambda uow: uow.events.entries(0, 1_000_000), readonly=True)
    return sum(1 for e in entries if e.content is None or e.content.type != "delivery.recorded")


def test_the_role_matrix(roles: Api) -> None:
    world = _world(roles)
    refused = allowed = 0
    # the weakest role first: a refused request must change nothing for the next one
    for caller in ("alpha-watch", "alpha-duty", "alpha-admin", "host-watch", "host-admin"):
        role = ROLE_OF[caller]
        auth = {"Authorization": f"Bearer {roles.env.tokens[caller]}"}
        for method, path in sorted(NEEDED, key=lambda r: (r[0] == "GET", r)):
            for owner in ("alpha", "bravo"):
                request = _request(world, method, path, owner, caller)
                before = _ledger_head(roles)
                answer = roles.client.request(
                    request["method"],
                    request["url"],
                    json=request["json"],
                    headers={**auth, **request["headers"]},
                )
                kind = answer.headers.get("content-type", "")
                problem = answer.json() if kind.startswith("application/problem+json") else {}
                code = problem.get("code") if isinstance(problem, dict) else None
                where = f"{caller} {method} {request['url']} ({owner}'s)"
                if role.allows(NEEDED[(method, path)]):
                    assert code != "forbidden-role", where
                    assert answer.status_code < 500, (where, answer.text)
                    allowed += 1
                else:
                    assert answer.status_code == 403, (where, answer.text)
                    if caller.startswith("host") and code == "forbidden":
                        # what only parties do is refused to the host whatever its role
                        assert "the host does not" in problem["detail"], problem
                    else:
                        assert code == "forbidden-role", (where, answer.text)
                        assert caller in problem["detail"], problem
                    assert _ledger_head(roles) == before, f"{where} stored something"
                    refused += 1
    routes = len(NEEDED)
    assert refused + allowed == routes * len(ROLE_OF) * 2
    # viewer: every write refused; duty: the admin routes refused; admin: nothing refused
    writes = sum(1 for r in NEEDED.values() if r is not Role.VIEWER)
    admin_only = sum(1 for r in NEEDED.values() if r is Role.ADMIN)
    assert refused == 2 * (writes + admin_only) + 2 * writes


def test_the_mechanism_files_operators_and_their_roles(roles: Api) -> None:
    tokens = roles.env.tokens
    names = ("alpha", "alpha-watch", "alpha-duty", "alpha-admin", "alpha-commander",
             "bravo", "bravo-duty", "host", "host-admin", "host-watch")  # fmt: skip
    me = {
        name: roles.client.get("/v1/me", headers={"Authorization": f"Bearer {tokens[name]}"}).json()
        for name in names
    }
    assert me["alpha"]["operator"] == "alpha-watch"  # the party's token: its first listed
    assert [me[n]["role"] for n in ("alpha-watch", "alpha-duty", "alpha-admin")] == [
        "viewer",
        "duty",
        "admin",
    ]
    assert me["alpha-commander"]["role"] == "duty"  # named only in a ladder rung
    assert (me["bravo"]["operator"], me["bravo"]["role"]) == ("bravo-duty", "admin")  # no list
    assert (me["host"]["operator"], me["host-watch"]["role"]) == ("host-admin", "viewer")


def test_the_metrics_are_the_host_admins_only(roles: Api) -> None:
    tokens = roles.env.tokens
    for name, status in (("host-admin", 200), ("host-watch", 403), ("alpha-admin", 403)):
        answer = roles.client.get("/metrics", headers={"Authorization": f"Bearer {tokens[name]}"})
        assert answer.status_code == status, (name, answer.text)
        if status == 403:
            assert answer.json()["code"] == "forbidden-role"


def test_admins_add_list_rotate_and_revoke_their_partys_operators(roles: Api) -> None:
    tokens = roles.env.tokens
    admin = {"Authorization": f"Bearer {tokens['alpha-admin']}"}
    added = roles.client.post(
        "/v1/operators", json={"id": "alpha-night", "role": "duty", "expires_in_s": 3600},
        headers=admin,
    )  # fmt: skip
    assert added.status_code == 201, added.text
    night = {"Authorization": f"Bearer {added.json()['token']}"}
    assert roles.client.get("/v1/me", headers=night).json()["role"] == "duty"
    listed = roles.client.get("/v1/operators", headers=admin).json()["operators"]
    assert {o["party"] for o in listed} == {"alpha"}  # its own party's only
    assert "alpha-night" in {o["id"] for o in listed}
    assert all("token" not in json.dumps(o) for o in listed)
    everyone = roles.client.get(
        "/v1/operators", headers={"Authorization": f"Bearer {tokens['host-admin']}"}
    ).json()["operators"]
    assert {o["party"] for o in everyone} == {"alpha", "bravo", "host"}
    # bad input changes nothing
    for body, status, field in (
        ({"id": "alpha-night", "role": "duty"}, 409, "id"),  # taken
        ({"id": "alpha-duty2", "role": "general"}, 422, "role"),  # unknown role
        ({"id": "alpha-x", "role": "duty", "party": "zulu"}, 422, "party"),
        (
            {"id": "alpha-x", "role": "duty", "expires_at": "2020-01-01T00:00:00Z"},
            422,
            "expires_at",
        ),
        ({"id": "alpha-x", "role": "duty", "cert_subject": "not a dn"}, 422, "cert_subject"),
        ({"id": "Alpha X", "role": "duty"}, 422, "id"),
    ):
        before = _ledger_head(roles)
        answer = roles.client.post("/v1/operators", json=body, headers=admin)
        assert answer.status_code == status, (body, answer.text)
        assert field in answer.json()["path"], answer.json()
        assert _ledger_head(roles) == before
    other = roles.client.post(
        "/v1/operators", json={"id": "bravo-mole", "role": "admin", "party": "bravo"}, headers=admin
    )
    assert other.status_code == 403 and other.json()["code"] == "forbidden"
    # rotate: the old token stops, the new one works
    rotated = roles.client.post("/v1/operators/alpha-night/rotate", headers=admin)
    assert rotated.status_code == 200, rotated.text
    assert roles.client.get("/v1/me", headers=night).status_code == 401
    fresh = {"Authorization": f"Bearer {rotated.json()['token']}"}
    assert roles.client.get("/v1/me", headers=fresh).status_code == 200
    # revoke: refused at once
    revoked = roles.client.post("/v1/operators/alpha-night/revoke", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["active"] is False
    assert roles.client.get("/v1/me", headers=fresh).status_code == 401
    assert roles.client.post("/v1/operators/alpha-night/revoke", headers=admin).status_code == 409
    assert roles.client.post("/v1/operators/alpha-night/rotate", headers=admin).status_code == 409
    # another party's operators are not visible; the last admin stays
    assert roles.client.post("/v1/operators/bravo-duty/revoke", headers=admin).status_code == 404
    last = roles.client.post("/v1/operators/alpha-admin/revoke", headers=admin)
    assert last.status_code == 409 and "last admin" in last.json()["detail"]
    bravo_last = roles.client.post(
        "/v1/operators/bravo-duty/revoke",
        headers={"Authorization": f"Bearer {tokens['host-admin']}"},
    )
    assert bravo_last.status_code == 409
    assert roles.client.get("/v1/me", headers=admin).status_code == 200


def test_an_expired_token_is_refused(roles: Api, clock: FakeClock) -> None:
    admin = {"Authorization": f"Bearer {roles.env.tokens['alpha-admin']}"}
    added = roles.client.post(
        "/v1/operators", json={"id": "alpha-temp", "role": "viewer", "expires_in_s": 60},
        headers=admin,
    ).json()  # fmt: skip
    temp = {"Authorization": f"Bearer {added['token']}"}
    assert roles.client.get("/v1/me", headers=temp).status_code == 200
    clock.advance(61)
    answer = roles.client.get("/v1/notices", headers=temp)
    assert answer.status_code == 401, answer.text
    assert "expired" in answer.json()["detail"]


def test_an_admin_registers_and_revokes_a_duty_officers_signing_key(roles: Api) -> None:
    """A duty officer makes its key and gives its admin the public half: from then on the duty
    officer's writes must be signed with it; the admin can revoke it again."""
    from sharedsky.ledger.signing import body_signature, submission

    tokens = roles.env.tokens
    admin = {"Authorization": f"Bearer {tokens['alpha-admin']}"}
    duty = {"Authorization": f"Bearer {tokens['alpha-duty']}"}
    signer = Signer.generate()
    public = public_key_to_b64(signer.public_key)
    refused = roles.client.post(
        "/v1/ledger/operator-keys",
        json={"public_key": public, "operator": "alpha-duty"},
        headers=duty,
    )
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden-role"
    foreign = roles.client.post(
        "/v1/ledger/operator-keys",
        json={"public_key": public, "operator": "bravo-duty"},
        headers=admin,
    )
    assert foreign.status_code == 404
    added = roles.client.post(
        "/v1/ledger/operator-keys",
        json={"public_key": public, "operator": "alpha-duty"},
        headers=admin,
    )
    assert added.status_code == 201, added.text
    assert added.json()["operator"] == "alpha-duty"
    assert roles.client.get("/v1/me", headers=duty).json()["signing_key_ids"] == [signer.key_id]
    body = {"to": "bravo", "text": "signed"}
    unsigned = roles.client.post("/v1/messages", json=body, headers=duty)
    assert unsigned.status_code == 401 and unsigned.json()["code"] == "signature-required"
    header = body_signature(signer, submission("POST", "/v1/messages", body))
    signed = roles.client.post(
        "/v1/messages", json=body, headers={**duty, "Sharedsky-Signature": header}
    )
    assert signed.status_code == 201, signed.text
    # the admin itself still writes unsigned: the key is the duty officer's
    assert roles.client.post("/v1/messages", json=body, headers=admin).status_code == 201
    revoked = roles.client.delete(f"/v1/ledger/operator-keys/{signer.key_id}", headers=admin)
    assert revoked.status_code == 204, revoked.text
    assert roles.client.post("/v1/messages", json=body, headers=duty).status_code == 201
