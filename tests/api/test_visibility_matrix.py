"""Who sees what on every read route while a conflict is open, after it is resolved and after
it expires: notices, zones, conflicts, the event stream and the ledger export (R-VIS-1,
R-DETECT-3, R-STREAM-1, R-LEDGER-4).

One channel of each policy::

    alpha ──conflicts_only── bravo ──host_only── charlie ──full── alpha

Filed at 12:00 for 15:00–17:00 (zones from 12:00, open-ended, 0–3000 m under the notices'
3000–9000 m)::

    lon   36.0        38.0        40.0    42.0    44.0    46.0
          ┌──B0──┐    ┌──B1──┐    ┌B2┐    ┌Bq┐    ┌A'┐    ┌Za┐
          │ ┌──A─┼┐   │ ┌──C─┼┐   └──┘    └──┘    └──┘    └──┘
          │ │ Z  ││   │ │ Zc ││
          └─┼────┘│   └─┼────┘│         A' = A amended (state "resolved")
            └─────┘     └─────┘

    B, Bq, Z, Zc: bravo's      A, Za: alpha's      C: charlie's

    k1 = B volume 0 × A   (alpha–bravo: conflicts_only)
    k2 = B volume 1 × C   (bravo–charlie: host_only)
    k3 = Z × A            (alpha–bravo)
    k4 = Zc × C           (bravo–charlie)

B volume 2, Bq and Za clash with nothing. States: ``open`` as filed; ``resolved``: alpha amends A
away (k1, k3 resolve: amended) and charlie cancels C (k2, k4: cancelled); ``expired``: the
clock passes 17:05, the end of every clash (the notices end at 17:00, the buffer is 300 s).

Each (backend, state) builds its world once and checks every viewer on every route in one test;
every expectation is written out below, never computed by the code under test.
"""

from __future__ import annotations

import io
import json
import time
from datetime import timedelta
from typing import Any

import pytest
from _bodies import notice, square, volume, zone
from _support import MATRIX_YAML, T0, Api, make_env

from sharedsky.domain.ids import PartyId
from sharedsky.domain.visibility import Viewer
from sharedsky.ledger.export import read_jsonl
from sharedsky.ledger.signing import KeyRing
from sharedsky.ledger.verify import verify as verify_export
from sharedsky.service.stream import open_cursor, read_stream
from sharedsky.store.uow import Database
from sharedsky.testing.fakes import FakeClock

VIEWERS = ("alpha", "bravo", "charlie", "host")
PARTIES = ("alpha", "bravo", "charlie")
NOTICES = ("A", "C", "B", "Bq")
ZONES = ("Z", "Zc", "Za")
CONFLICTS = ("k1", "k2", "k3", "k4")
OWNER = {
    "A": "alpha",
    "C": "charlie",
    "B": "bravo",
    "Bq": "bravo",
    "Z": "bravo",
    "Zc": "bravo",
    "Za": "alpha",
}
TITLE = {
    "A": "alpha patrol",
    "C": "charlie airlift",
    "B": "bravo strike",
    "Bq": "bravo transit",
    "Z": "bravo depot",
    "Zc": "bravo camp",
    "Za": "alpha airfield",
}
VOLUME_COUNT = {"A": 1, "C": 1, "B": 3, "Bq": 1}
SIDES = {"k1": ("B", "A"), "k2": ("B", "C"), "k3": ("Z", "A"), "k4": ("Zc", "C")}
"""Each conflict's sides (a, b): the object whose filing found it, then the other."""
OWN_BOX = {
    ("k2", "bravo"): (38.0, 34.0, 38.4, 34.4),  # B volume 1
    ("k2", "charlie"): (38.1, 34.1, 38.5, 34.5),  # C
    ("k4", "bravo"): (38.2, 34.2, 38.3, 34.3),  # Zc
    ("k4", "charlie"): (38.1, 34.1, 38.5, 34.5),  # C
}
"""(conflict, viewer) → bounding box (lon, lat, lon, lat) of the viewer's own object, which
its part of a host_only conflict's region lies within."""

# ---- the expected answers ----------------------------------------------------------------

ALL = "all"
"""A notice or zone whole: not redacted, every volume, title and remarks as filed."""
NOT = "-"
"""Absent: left out of lists, 404 by id."""
RED = "redacted"
"""A zone without title and remarks."""
WHOLE = "whole"
"""A conflict with the other side's id and the whole region."""
OWN = "own"
"""A conflict with the other side's id withheld and the region cut to the viewer's part."""

COLUMNS = (*NOTICES, *ZONES, *CONFLICTS)
_AFTER: dict[str, tuple[object, ...]] = {
    #          A     C     B     Bq    Z     Zc    Za    k1     k2     k3     k4
    "alpha": (ALL, ALL, NOT, NOT, NOT, NOT, ALL, WHOLE, NOT, WHOLE, NOT),
    "bravo": (NOT, NOT, ALL, ALL, ALL, ALL, NOT, WHOLE, OWN, WHOLE, OWN),
    "charlie": (ALL, ALL, NOT, NOT, NOT, NOT, ALL, NOT, OWN, NOT, OWN),
    "host": (ALL, ALL, ALL, ALL, ALL, ALL, ALL, WHOLE, WHOLE, WHOLE, WHOLE),
}
SEEN: dict[str, dict[str, tuple[object, ...]]] = {
    "open": {
        #          A     C     B     Bq    Z     Zc    Za    k1     k2     k3     k4
        "alpha": (ALL, ALL, (0,), NOT, RED, NOT, ALL, WHOLE, NOT, WHOLE, NOT),
        "bravo": ((0,), NOT, ALL, ALL, ALL, ALL, NOT, WHOLE, OWN, WHOLE, OWN),
        "charlie": (ALL, ALL, NOT, NOT, NOT, NOT, ALL, NOT, OWN, NOT, OWN),
        "host": (ALL, ALL, ALL, ALL, ALL, ALL, ALL, WHOLE, WHOLE, WHOLE, WHOLE),
    },
    # once nothing clashes a conflicts_only counterparty loses sight of the object
    "resolved": _AFTER,
    "expired": _AFTER,
}
"""state → viewer → what it sees of each column; a tuple: the notice redacted (no title, no
remarks) to the volumes of these indexes."""

NOTICE_STATUS = {
    "open": {"A": ("planned", 1), "C": ("planned", 1), "B": ("planned", 1), "Bq": ("planned", 1)},
    "resolved": {
        "A": ("planned", 2),
        "C": ("cancelled", 1),
        "B": ("planned", 1),
        "Bq": ("planned", 1),
    },
    "expired": {"A": ("ended", 1), "C": ("ended", 1), "B": ("ended", 1), "Bq": ("ended", 1)},
}
"""state → notice → (status, version) as any viewer that sees it is told."""
CONFLICT_STATE: dict[str, dict[str, tuple[str, str | None]]] = {
    "open": {k: ("open", None) for k in CONFLICTS},
    "resolved": {
        "k1": ("resolved", "amended"),
        "k2": ("resolved", "cancelled"),
        "k3": ("resolved", "amended"),
        "k4": ("resolved", "cancelled"),
    },
    "expired": {k: ("resolved", "expired") for k in CONFLICTS},
}

_HOST_OPEN = (
    "loaded filed:A filed:C detected:k1 detected:k2 filed:B filed:Bq detected:k3 declared:Z "
    "detected:k4 declared:Zc declared:Za"
)
STREAM = {
    "open": {
        "alpha": "filed:A filed:C detected:k1 filed:B~ detected:k3 declared:Z~ declared:Za",
        "bravo": "filed:A~ detected:k1 detected:k2~ filed:B filed:Bq detected:k3 declared:Z "
        "detected:k4~ declared:Zc",
        "charlie": "filed:A filed:C detected:k2~ detected:k4~ declared:Za",
        "host": _HOST_OPEN,
    },
    "resolved": {
        "alpha": "filed:A filed:C detected:k1 detected:k3 declared:Za resolved:k1 resolved:k3 "
        "amended:A cancelled:C",
        "bravo": "detected:k1 detected:k2~ filed:B filed:Bq detected:k3 declared:Z detected:k4~ "
        "declared:Zc resolved:k1 resolved:k3 resolved:k2 resolved:k4",
        "charlie": "filed:A filed:C detected:k2~ detected:k4~ declared:Za amended:A resolved:k2 "
        "resolved:k4 cancelled:C",
        "host": f"{_HOST_OPEN} resolved:k1 resolved:k3 amended:A resolved:k2 resolved:k4 "
        "cancelled:C",
    },
    "expired": {
        "alpha": "filed:A filed:C detected:k1 detected:k3 declared:Za",
        "bravo": "detected:k1 detected:k2~ filed:B filed:Bq detected:k3 declared:Z detected:k4~ "
        "declared:Zc",
        "charlie": "filed:A filed:C detected:k2~ detected:k4~ declared:Za",
        "host": _HOST_OPEN,
    },
}
"""state → viewer → the events its stream carries from the start, in order, as the objects
stand now; ``~``: the payload is cut (a notice's or zone's conflicts to those the viewer sees,
a conflict's other side's id withheld, the full data of a notice or zone that a
``conflicts_only`` counterparty may not see whole left out). The viewer's ledger export holds
exactly the entries without ``~`` whole (and the host every entry); everything else redacted."""

_EVENT_NAMES = {
    "mechanism.loaded": "loaded",
    "notice.filed": "filed",
    "notice.amended": "amended",
    "notice.cancelled": "cancelled",
    "zone.declared": "declared",
    "conflict.detected": "detected",
    "conflict.resolved": "resolved",
}


def test_the_tables_are_complete() -> None:
    for state, rows in SEEN.items():
        assert set(rows) == set(VIEWERS) == set(STREAM[state]), state
        assert all(len(row) == len(COLUMNS) for row in rows.values()), state


# ---- the world ---------------------------------------------------------------------------


def _send(api: Api, party: str, method: str, url: str, body: Any = None, **headers: str) -> Any:
    response = api.client.request(method, url, json=body, headers=api.as_(party) | headers)
    assert response.status_code in (200, 201), response.text
    return response.json()


def _notice(name: str, *lons: float) -> dict[str, Any]:
    body = notice(square(lons[0], 34.0 if name.startswith("B") else 34.1), title=TITLE[name])
    body["volumes"] += [volume(square(lon, 34.0)) for lon in lons[1:]]
    return body


def build(api: Api, clock: FakeClock, state: str) -> dict[str, str]:
    """File the objects, bring the world to ``state``; name → id."""
    ids = {
        "A": _send(api, "alpha", "POST", "/v1/notices", _notice("A", 36.1))["id"],
        "C": _send(api, "charlie", "POST", "/v1/notices", _notice("C", 38.1))["id"],
    }
    filed = _send(api, "bravo", "POST", "/v1/notices", _notice("B", 36.0, 38.0, 40.0))
    ids["B"] = filed["id"]
    found = {c["with"]["party"]: c for c in filed["conflicts"]}
    assert sorted(found) == ["alpha", "charlie"]
    clashing = {party: c["own"]["volume_index"] for party, c in found.items()}
    assert clashing == {"alpha": 0, "charlie": 1}  # volume 2 clashes with nothing
    ids["k1"], ids["k2"] = found["alpha"]["id"], found["charlie"]["id"]
    quiet = _send(api, "bravo", "POST", "/v1/notices", _notice("Bq", 42.0))
    ids["Bq"] = quiet["id"]
    assert quiet["conflicts"] == []
    for name, lon, conflict, other in (("Z", 36.2, "k3", "alpha"), ("Zc", 38.2, "k4", "charlie")):
        declared = _send(
            api, "bravo", "POST", "/v1/zones", zone(square(lon, 34.2, 0.1), title=TITLE[name])
        )
        ids[name] = declared["id"]
        assert [c["with"]["party"] for c in declared["conflicts"]] == [other]
        ids[conflict] = declared["conflicts"][0]["id"]
    far = zone(square(46.0, 34.2, 0.1), title=TITLE["Za"])
    ids["Za"] = _send(api, "alpha", "POST", "/v1/zones", far)["id"]
    if state == "resolved":
        amended = _send(
            api,
            "alpha",
            "PUT",
            f"/v1/notices/{ids['A']}",
            _notice("A", 44.0),
            **{"If-Match": "1"},
        )
        assert amended["conflicts"] == []
        _send(api, "charlie", "POST", f"/v1/notices/{ids['C']}/cancel")
    elif state == "expired":
        clock.set(T0 + timedelta(hours=5, minutes=10))  # every clash ended at 17:05
    return ids


# ---- the checks --------------------------------------------------------------------------


class Checker:
    """What one viewer is shown in one state, checked against the tables; problems collected
    so that one run lists every difference."""

    def __init__(self, api: Api, state: str, viewer: str, ids: dict[str, str]) -> None:
        self.api, self.state, self.viewer, self.ids = api, state, viewer, ids
        self.names = {v: k for k, v in ids.items()}
        self.seen = dict(zip(COLUMNS, SEEN[state][viewer], strict=True))
        self.host = dict(zip(COLUMNS, SEEN[state]["host"], strict=True))
        self.problems: list[str] = []
        self.texts: list[tuple[str, str]] = []
        """(what was asked, the answer) of everything the viewer was shown."""

    def expect(self, ok: bool, what: str) -> None:
        if not ok:
            self.problems.append(f"{self.state}/{self.viewer}: {what}")

    def get(self, url: str) -> Any:
        response = self.api.client.get(url, headers=self.api.as_(self.viewer))
        self.texts.append((url, response.text))
        return response

    def visible(self, names: tuple[str, ...]) -> set[str]:
        return {n for n in names if self.seen[n] != NOT}

    def listed(self, url: str, key: str) -> dict[str, Any]:
        response = self.get(url)
        self.expect(response.status_code == 200, f"{url} answered {response.status_code}")
        items = response.json().get(key, []) if response.status_code == 200 else []
        return {self.names.get(item["id"], item["id"]): item for item in items}

    # notices and zones

    def notice(self, name: str, body: dict[str, Any], host_body: dict[str, Any]) -> None:
        expected = self.seen[name]
        where = f"notice {name}"
        status, version = NOTICE_STATUS[self.state][name]
        self.expect((body["status"], body["version"]) == (status, version), f"{where} status")
        indexes = [v["index"] for v in body["volumes"]]
        if expected == ALL:
            self.expect(not body["redacted"], f"{where} redacted, expected whole")
            self.expect(indexes == list(range(VOLUME_COUNT[name])), f"{where} volumes {indexes}")
            self.expect(body["title"] == TITLE[name], f"{where} title {body['title']!r}")
            self.expect(body["remarks"] == "free text", f"{where} remarks")
            return
        assert isinstance(expected, tuple)
        self.expect(body["redacted"] is True, f"{where} not redacted")
        self.expect(indexes == list(expected), f"{where} volumes {indexes}, expected {expected}")
        self.expect((body["title"], body["remarks"]) == ("", ""), f"{where} title or remarks")
        shown = {v["index"]: v for v in body["volumes"]}
        for v in host_body["volumes"]:
            if v["index"] in shown:
                self.expect(shown[v["index"]] == v, f"{where} volume {v['index']} differs")

    def zone(self, name: str, body: dict[str, Any]) -> None:
        expected = self.seen[name]
        where = f"zone {name}"
        self.expect(body["redacted"] == (expected == RED), f"{where} redacted={body['redacted']}")
        title = TITLE[name] if expected == ALL else ""
        self.expect(body["title"] == title, f"{where} title {body['title']!r}")

    def conflict(self, name: str, body: dict[str, Any], host_body: dict[str, Any]) -> None:
        expected = self.seen[name]
        where = f"conflict {name}"
        state, reason = CONFLICT_STATE[self.state][name]
        self.expect(body["state"] == state, f"{where} state {body['state']}")
        self.expect(body["resolved_reason"] == reason, f"{where} reason")
        a, b = SIDES[name]
        own, other = (b, a) if OWNER[b] == self.viewer else (a, b)
        self.expect(body["own"]["id"] == self.ids[own], f"{where} own side {body['own']}")
        self.expect(body["with"]["party"] == OWNER[other], f"{where} with {body['with']}")
        if expected == WHOLE:
            self.expect(body["with"]["id"] == self.ids[other], f"{where} other id withheld")
            self.expect(body["region"] == host_body["region"], f"{where} region cut")
            return
        self.expect(body["with"]["id"] is None, f"{where} other id {body['with']['id']} shown")
        self.expect(body["region"] != host_body["region"], f"{where} whole region shown")
        lons = [p[0] for ring in body["region"]["coordinates"] for p in ring]
        lats = [p[1] for ring in body["region"]["coordinates"] for p in ring]
        w, s, e, n = OWN_BOX[(name, self.viewer)]
        inside = min(lons) >= w - 1e-6 and max(lons) <= e + 1e-6
        inside = inside and min(lats) >= s - 1e-6 and max(lats) <= n + 1e-6
        self.expect(bool(lons) and inside, f"{where} region beyond the viewer's own part")

    def read_routes(self, host: dict[str, dict[str, Any]]) -> None:
        """Every read route that returns notices, zones or conflicts, lists and by id."""
        listed = self.listed("/v1/notices", "notices")
        self.expect(set(listed) == self.visible(NOTICES), f"/v1/notices listed {sorted(listed)}")
        for name, body in listed.items():
            if name in NOTICES and self.seen[name] != NOT:
                self.notice(name, body, host[name])
        for party in PARTIES:
            names = set(self.listed(f"/v1/notices?party={party}", "notices"))
            wanted = {n for n in self.visible(NOTICES) if OWNER[n] == party}
            self.expect(names == wanted, f"/v1/notices?party={party} listed {sorted(names)}")
        for name in NOTICES:
            response = self.get(f"/v1/notices/{self.ids[name]}")
            if self.seen[name] == NOT:
                self.expect(
                    response.status_code == 404, f"GET notice {name}: {response.status_code}"
                )
                continue
            if response.status_code != 200:
                self.expect(False, f"GET notice {name}: {response.status_code}")
                continue
            body = response.json()
            self.notice(name, body, host[name])
            conflicts = {self.names[c["id"]]: c for c in body["conflicts"]}
            wanted = {
                k
                for k in self.visible(CONFLICTS)
                if name in SIDES[k] and CONFLICT_STATE[self.state][k][0] == "open"
            }
            self.expect(
                set(conflicts) == wanted, f"GET notice {name} conflicts {sorted(conflicts)}"
            )
            for k, c in conflicts.items():
                self.conflict(k, c, host[k])

        listed = self.listed("/v1/zones", "zones")
        self.expect(set(listed) == self.visible(ZONES), f"/v1/zones listed {sorted(listed)}")
        for name, body in listed.items():
            if name in ZONES and self.seen[name] != NOT:
                self.zone(name, body)
        for party in PARTIES:
            names = set(self.listed(f"/v1/zones?party={party}", "zones"))
            wanted = {n for n in self.visible(ZONES) if OWNER[n] == party}
            self.expect(names == wanted, f"/v1/zones?party={party} listed {sorted(names)}")
        for name in ZONES:
            response = self.get(f"/v1/zones/{self.ids[name]}")
            if self.seen[name] == NOT:
                self.expect(response.status_code == 404, f"GET zone {name}: {response.status_code}")
            elif response.status_code != 200:
                self.expect(False, f"GET zone {name}: {response.status_code}")
            else:
                self.zone(name, response.json())

        visible = self.visible(CONFLICTS)
        listed = self.listed("/v1/conflicts", "conflicts")
        self.expect(set(listed) == visible, f"/v1/conflicts listed {sorted(listed)}")
        for name, body in listed.items():
            if name in visible:
                self.conflict(name, body, host[name])
        for state in ("open", "resolved"):
            names = set(self.listed(f"/v1/conflicts?state={state}", "conflicts"))
            wanted = {k for k in visible if CONFLICT_STATE[self.state][k][0] == state}
            self.expect(names == wanted, f"/v1/conflicts?state={state} listed {sorted(names)}")
        for name in (*NOTICES, *ZONES):
            names = set(self.listed(f"/v1/conflicts?object={self.ids[name]}", "conflicts"))
            wanted = {k for k in visible if name in SIDES[k]}
            self.expect(names == wanted, f"/v1/conflicts?object={name} listed {sorted(names)}")
        for name in CONFLICTS:
            response = self.get(f"/v1/conflicts/{self.ids[name]}")
            if self.seen[name] == NOT:
                self.expect(response.status_code == 404, f"GET {name}: {response.status_code}")
            elif response.status_code != 200:
                self.expect(False, f"GET {name}: {response.status_code}")
            else:
                self.conflict(name, response.json(), host[name])

    # the stream and the ledger

    def token(self, event: dict[str, Any]) -> str:
        payload = event["payload"]
        kind = _EVENT_NAMES.get(event["type"], event["type"])
        subject = payload.get("conflict") or payload.get("notice") or payload.get("zone")
        return kind if subject is None else f"{kind}:{self.names.get(subject, subject)}"

    def expected_stream(self) -> list[str]:
        return STREAM[self.state][self.viewer].split()

    def stream(self, events: list[dict[str, Any]], host: dict[int, dict[str, Any]]) -> None:
        """``events`` (seq, type, payload) against the table; payloads against the host's."""
        tokens = [self.token(e) for e in events]
        wanted = [t.rstrip("~") for t in self.expected_stream()]
        self.expect(tokens == wanted, f"stream {' '.join(tokens)}")
        cut = {t.rstrip("~") for t in self.expected_stream() if t.endswith("~")}
        for event, token in zip(events, tokens, strict=False):
            full = host[event["seq"]]["payload"]
            payload = event["payload"]
            if token not in cut:
                self.expect(payload == full, f"stream {token} payload cut: {payload}")
                continue
            self.expect(payload != full, f"stream {token} payload not cut")
            if "conflicts" in full:
                wanted_ids = [c for c in full["conflicts"] if self.seen[self.names[c]] != NOT]
                self.expect(payload["conflicts"] == wanted_ids, f"stream {token} conflicts")
            for side in ("a", "b"):
                if side in full and full[side][2] != self.viewer:
                    hidden = [full[side][0], None, full[side][2]]
                    self.expect(payload[side] == hidden, f"stream {token} side {side}")

    def ledger(self, entries: list[dict[str, Any]], host: dict[int, dict[str, Any]]) -> None:
        if self.viewer == "host":
            whole_all = [e for e in entries if not e.get("redacted")]
            self.expect(len(whole_all) == len(entries), "the host's export has redacted entries")
            return
        # the deliveries (no stream carries them; the reads make some: R-LEAD-2) are whole
        # exactly for the parties they concern
        for entry in entries:
            seen = host[entry["seq"]]
            if seen.get("type") == "delivery.recorded":
                payload = seen["payload"]
                mine = payload["party"] == self.viewer or self.viewer in payload["concerns"]
                self.expect(
                    mine != bool(entry.get("redacted")), f"delivery {entry['seq']} shown wrongly"
                )
        whole = [
            self.token(e)
            for e in entries
            if not e.get("redacted") and e.get("type") != "delivery.recorded"
        ]
        wanted = [t for t in self.expected_stream() if not t.endswith("~")]
        self.expect(whole == wanted, f"ledger whole {' '.join(whole)}")
        for entry in entries:
            if not entry.get("redacted"):
                self.expect(entry == host[entry["seq"]], f"ledger {entry['seq']} differs")
            else:
                self.expect("payload" not in entry, f"ledger {entry['seq']} redacted with content")

    def nothing_leaks(self) -> None:
        """The ids of objects the viewer may not see, and that no conflict it sees names, are
        in no answer it got."""
        named = {side for k in CONFLICTS if self.seen[k] == WHOLE for side in SIDES[k]}
        secret = [n for n in COLUMNS if self.seen[n] == NOT and n not in named]
        for name in secret:
            for asked, text in self.texts:
                # a 404 repeats the id asked for, which is no leak
                leaks = self.ids[name] in text and self.ids[name] not in asked
                self.expect(not leaks, f"the id of {name} leaks in {asked}")


def _export(api: Api, viewer: str, query: str = "") -> tuple[list[dict[str, Any]], Any]:
    response = api.client.get(f"/v1/ledger{query}", headers=api.as_(viewer))
    assert response.status_code == 200, response.text
    return read_jsonl(io.BytesIO(response.content))


def _service_stream(api: Api, viewer: str) -> list[dict[str, Any]]:
    """What the stream reader gives ``viewer`` from the start (every page)."""
    deps = api.env.deps
    who = Viewer(PartyId(viewer), viewer == "host")
    cursor = open_cursor(deps, 0)
    events: list[dict[str, Any]] = []
    while True:
        page = read_stream(deps, who, cursor, time.monotonic())
        events += [{"seq": e.seq, "type": e.type, "payload": dict(e.payload)} for e in page.events]
        if not page.more:
            return events


def _http_stream(api: Api, viewer: str, count: int) -> list[dict[str, Any]]:
    """The first ``count`` events of ``viewer``'s ``GET /v1/events`` from the start."""
    response = api.client.get(f"/v1/events?after=0&limit={count}", headers=api.as_(viewer))
    assert response.status_code == 200, response.text
    events = []
    for block in response.text.split("\n\n"):
        lines = [line for line in block.split("\n") if line.startswith("data: ")]
        if lines and any(line.startswith("id: ") for line in block.split("\n")):
            data = json.loads("\n".join(line[6:] for line in lines))
            events.append({k: data[k] for k in ("seq", "type", "payload")})
    return events


def _host_bodies(api: Api, ids: dict[str, str]) -> dict[str, dict[str, Any]]:
    bodies = {}
    for name in (*NOTICES, *ZONES, *CONFLICTS):
        kind = "notices" if name in NOTICES else "zones" if name in ZONES else "conflicts"
        response = api.client.get(f"/v1/{kind}/{ids[name]}", headers=api.as_("host"))
        assert response.status_code == 200, response.text
        bodies[name] = response.json()
    return bodies


@pytest.mark.parametrize("state", ["open", "resolved", "expired"])
def test_every_viewer_sees_on_every_route_what_the_table_says(
    state: str, database: Database, clock: FakeClock
) -> None:
    """R-VIS-1, R-DETECT-3, R-STREAM-1, R-LEDGER-4: a conflicts_only counterparty sees only the
    volumes that clash with its own objects (not those that clash with a third party's), and
    nothing once the conflict is resolved or expired; host_only withholds the other side."""
    api = Api(make_env(database, clock, MATRIX_YAML))
    with api.client:
        ids = build(api, clock, state)
        host_bodies = _host_bodies(api, ids)
        host_entries, _ = _export(api, "host")
        host_events = {e["seq"]: e for e in host_entries}
        keys = KeyRing.from_json(api.client.get("/v1/ledger/keys", headers=api.as_("host")).json())
        checkers = {v: Checker(api, state, v, ids) for v in VIEWERS}
        for viewer, check in checkers.items():
            check.read_routes(host_bodies)
            check.stream(_service_stream(api, viewer), host_events)
            # the reads delivered what they showed (R-LEAD-2): the host's view of those too, and
            # of whatever the app's duties appended meanwhile (an escalation once the clock
            # passed a deadline): the host's export, read after the viewer's, holds it all
            api.container.deliveries.flush()
            entries, trailer = _export(api, viewer)
            host_events.update((e["seq"], e) for e in _export(api, "host")[0])
            check.texts.append(("/v1/ledger", json.dumps(entries)))
            check.ledger(entries, host_events)
            report = verify_export(entries, trailer, keys)
            check.expect(report.ok, f"the export does not verify: {report.problems}")
            for name in ("A", "B", "Z"):
                about, _ = _export(api, viewer, f"?about={ids[name]}")
                check.texts.append((f"/v1/ledger?about={name}", json.dumps(about)))
                got = [e["seq"] for e in about]
                wanted = [
                    e["seq"]
                    for e in entries
                    if not e.get("redacted") and ids[name] in json.dumps(e["payload"])
                ]
                check.expect(got == wanted, f"ledger about {name}: {got}, expected {wanted}")
        # last: a stream over HTTP records deliveries, new ledger entries
        for viewer, check in checkers.items():
            if not check.problems:
                events = _http_stream(api, viewer, len(check.expected_stream()))
                check.texts.append(("/v1/events", json.dumps(events)))
                check.stream(events, host_events)
            check.nothing_leaks()
    problems = [p for check in checkers.values() for p in check.problems]
    assert problems == [], "\n".join(problems)


def test_a_counterparty_is_told_only_whether_a_notice_was_late_for_itself(
    database: Database, clock: FakeClock
) -> None:
    """R-VIS-1, R-LEAD-1: whether a notice was late for another counterparty is that
    channel's business; the routes tell each counterparty what its stream tells it."""
    api = Api(make_env(database, clock, MATRIX_YAML))
    with api.client:
        quiet = _send(api, "bravo", "POST", "/v1/notices", _notice("Bq", 42.0))["id"]
        # 10 minutes of notice (the minimum is 900 s), clashing with bravo's quiet notice
        body = notice(square(42.1, 34.1), start="2026-11-24T12:10:00Z")
        filed = _send(api, "alpha", "POST", "/v1/notices", body)
        assert filed["late_for"] == ["bravo", "charlie"]
        assert [c["with"]["id"] for c in filed["conflicts"]] == [quiet]
        told = {
            # viewer: (late_for, late)    bravo: conflicts_only, charlie: full
            "alpha": (["bravo", "charlie"], True),
            "bravo": (["bravo"], True),
            "charlie": (["charlie"], True),
            "host": (["bravo", "charlie"], True),
        }
        for viewer, expected in told.items():
            shown = api.client.get(f"/v1/notices/{filed['id']}", headers=api.as_(viewer)).json()
            (listed,) = [
                n
                for n in api.client.get("/v1/notices", headers=api.as_(viewer)).json()["notices"]
                if n["id"] == filed["id"]
            ]
            (event,) = [
                e for e in _service_stream(api, viewer) if e["payload"].get("notice") == filed["id"]
            ]
            assert (shown["late_for"], shown["late"]) == expected, viewer
            assert (listed["late_for"], listed["late"]) == expected, viewer
            assert event["payload"]["late_for"] == expected[0], viewer
