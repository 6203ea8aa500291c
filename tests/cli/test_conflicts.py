"""``sharedsky conflicts …`` through CliRunner, against the real app (``obj["http"]``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from typer.testing import CliRunner, Result

from sharedsky.cli import app

if TYPE_CHECKING:
    from _support import Api


def run(api: Api, *args: str, party: str = "alpha") -> Result:
    """Invoke the CLI as ``party``'s operator, over the in-process app and its fake clock."""
    return CliRunner().invoke(
        app,
        [*args, "--token", api.env.tokens[party]],
        obj={"http": api.client, "clock": api.env.clock},
        env={"COLUMNS": "200"},
    )


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def as_json(result: Result) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(ok(result).stdout)
    return body


def file(api: Api, tmp_path: Path, party: str, lon: float, lat: float) -> dict[str, Any]:
    """File a 0.4° square sortie at FL120–FL300, 15:00–17:00Z, through the CLI."""
    ring = [[lon, lat], [lon + 0.4, lat], [lon + 0.4, lat + 0.4], [lon, lat + 0.4], [lon, lat]]
    path = tmp_path / f"{party}.geojson"
    path.write_text(json.dumps({"type": "Polygon", "coordinates": [ring]}), encoding="utf-8")
    args = ["notice", "file", "--kind", "air_sortie", "--title", f"CAP {party}"]
    args += ["--outline", str(path), "--lower", "FL120", "--upper", "FL300"]
    args += ["--start", "2026-11-24T15:00:00Z", "--end", "2026-11-24T17:00:00Z", "--json"]
    return as_json(run(api, *args, party=party))


def clash(api: Api, tmp_path: Path) -> tuple[dict[str, Any], dict[str, Any], str]:
    """Alpha's and bravo's overlapping notices and the id of their conflict."""
    a = file(api, tmp_path, "alpha", 36.1, 34.5)
    b = file(api, tmp_path, "bravo", 36.3, 34.7)
    (conflict,) = b["conflicts"]
    return a, b, str(conflict["id"])


def test_a_clash_shows_for_both_parties_and_each_acknowledges(api: Api, tmp_path: Path) -> None:
    """R-ACK-1: both sides see the conflict, acknowledge it, and it leaves their inbox. Each
    side is named, never by its id alone: one's own notice by its title, the other's (its
    title withheld under conflicts_only) by its kind, band and window."""
    a, b, conflict_id = clash(api, tmp_path)
    for party, own, other in (("alpha", a, b), ("bravo", b, a)):
        table = ok(run(api, "conflicts", "list", party=party)).stdout
        assert conflict_id in table
        withheld = f"{other['party']} notice air_sortie FL120–FL300 11-24 15:00Z → 17:00Z"
        assert withheld in table and f"{party} notice “CAP {party}” v1" in table
        assert own["id"] not in table and other["id"] not in table
        listed = as_json(run(api, "conflicts", "list", "--json", party=party))
        assert listed == api.client.get("/v1/conflicts", headers=api.as_(party)).json()
        pending = as_json(run(api, "conflicts", "pending", "--json", party=party))
        assert conflict_id in [p["subject_id"] for p in pending["acknowledgements"]]
        acked = ok(run(api, "conflicts", "ack", conflict_id, party=party)).stdout
        assert f"Acknowledged conflict {conflict_id} ({party} notice “CAP {party}” ×" in acked
        assert f"11-24 15:00Z → 17:00Z) for {party}" in acked
        assert f"by {party}-duty" in acked and "not an approval" in acked
        pending = as_json(run(api, "conflicts", "pending", "--json", party=party))
        assert conflict_id not in [p["subject_id"] for p in pending["acknowledgements"]]


def test_ack_as_json_is_the_servers_receipt(api: Api, tmp_path: Path) -> None:
    _a, _b, conflict_id = clash(api, tmp_path)
    receipt = as_json(run(api, "conflicts", "ack", conflict_id, "--json", party="bravo"))
    assert (receipt["subject"], receipt["subject_id"], receipt["party"]) == (
        "conflict",
        conflict_id,
        "bravo",
    )
    assert receipt["status"] == "acknowledged" and receipt["acked_by"] == "bravo-duty"


def test_state_and_notice_filters(api: Api, tmp_path: Path) -> None:
    a, b, conflict_id = clash(api, tmp_path)

    def ids(*flags: str, party: str = "alpha") -> list[str]:
        body = as_json(run(api, "conflicts", "list", "--json", *flags, party=party))
        return [c["id"] for c in body["conflicts"]]

    assert ids("--state", "open") == [conflict_id]
    assert ids("--notice", a["id"]) == [conflict_id]
    assert ids("--notice", "ntc-999999") == []
    ok(run(api, "notice", "cancel", a["id"]))
    assert ids("--state", "open", party="bravo") == []
    assert ids("--state", "resolved", "--notice", b["id"], party="bravo") == [conflict_id]
    table = ok(run(api, "conflicts", "list", "--state", "resolved", party="bravo")).stdout
    assert "resolved (cancelled)" in table


def test_show_prints_both_sides(api: Api, tmp_path: Path) -> None:
    a, b, conflict_id = clash(api, tmp_path)
    shown = ok(run(api, "conflicts", "show", conflict_id, party="bravo")).stdout
    assert f"bravo notice “CAP bravo” {b['id']} v1 volume 0" in shown
    withheld = "alpha notice air_sortie FL120–FL300 11-24 15:00Z → 17:00Z"
    assert f"{withheld} {a['id']}" in shown and "distance" in shown
    as_server = api.client.get(f"/v1/conflicts/{conflict_id}", headers=api.as_("bravo")).json()
    assert as_json(run(api, "conflicts", "show", conflict_id, "--json", party="bravo")) == as_server


def test_the_host_sees_the_conflict_and_owes_no_acknowledgement(api: Api, tmp_path: Path) -> None:
    _a, _b, conflict_id = clash(api, tmp_path)
    listed = as_json(run(api, "conflicts", "list", "--json", party="host"))
    assert [c["id"] for c in listed["conflicts"]] == [conflict_id]
    refused = run(api, "conflicts", "ack", conflict_id, party="host")
    assert refused.exit_code == 1 and isinstance(refused.exception, SystemExit)
    assert "403 forbidden" in " ".join(refused.stderr.split())


def test_acknowledging_an_unknown_conflict_exits_1_with_not_found(api: Api) -> None:
    result = run(api, "conflicts", "ack", "cfl-999999")
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "404 not-found" in result.stderr and "cfl-999999" in result.stderr
    assert result.stdout == ""


def test_quiet_lists_only_the_ids(api: Api, tmp_path: Path) -> None:
    _a, _b, conflict_id = clash(api, tmp_path)
    for party in ("alpha", "bravo"):
        assert ok(run(api, "conflicts", "list", "-q", party=party)).stdout == f"{conflict_id}\n"
    assert ok(run(api, "conflicts", "list", "--kind", "tactical", "--quiet")).stdout == ""
    refused = run(api, "conflicts", "list", "--json", "--quiet")
    assert refused.exit_code == 2 and "--json or --quiet" in " ".join(refused.output.split())
