"""``sharedsky conflicts resolve``: the options as a table or JSON, and ``--apply``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from _bodies import notice
from cli.test_conflicts import as_json, ok, run

if TYPE_CHECKING:
    from _support import Api


def clash(api: Api) -> str:
    """Alpha's 15:00–17:00 and bravo's 16:00–18:00 over one square: their conflict's id."""
    api.client.post("/v1/notices", json=notice(), headers=api.as_("alpha"))
    body = notice(start="2026-11-24T16:00:00Z", end="2026-11-24T18:00:00Z")
    filed = api.client.post("/v1/notices", json=body, headers=api.as_("bravo")).json()
    (conflict,) = filed["conflicts"]
    return str(conflict["id"])


def test_the_options_show_as_a_table_and_as_the_servers_json(api: Api) -> None:
    """R-RESOLVE-1"""
    conflict_id = clash(api)
    listed = as_json(run(api, "conflicts", "resolve", conflict_id, "--json", party="bravo"))
    path = f"/v1/conflicts/{conflict_id}/resolutions"
    assert listed == api.client.get(path, headers=api.as_("bravo")).json()
    table = ok(run(api, "conflicts", "resolve", conflict_id, party="bravo")).stdout
    for option in listed["options"]:
        assert option["id"] in table and option["kind"] in table
    assert "1 h 05 min later" in table and "3 h 05 min earlier" in table
    assert "+6309.36 m (207 × 100 ft)" in table and "keep 11-24 17:05Z → 18:00Z" in table
    empty = ok(run(api, "conflicts", "resolve", conflict_id, party="host")).stdout
    assert "no options" in empty


def test_apply_amends_the_notice_and_a_second_apply_is_stale(api: Api) -> None:
    """R-RESOLVE-1, R-VER-1"""
    conflict_id = clash(api)
    listed: dict[str, Any] = as_json(
        run(api, "conflicts", "resolve", conflict_id, "--json", party="bravo")
    )
    climb = next(o for o in listed["options"] if o["kind"] == "climb")
    applied = ok(
        run(api, "conflicts", "resolve", conflict_id, "--apply", climb["id"], party="bravo")
    )
    assert f"Applied option {climb['id']}" in applied.stdout and "version 2" in applied.stdout
    assert "no conflicts" in applied.stdout
    shown = api.client.get(f"/v1/notices/{climb['notice_id']}", headers=api.as_("bravo")).json()
    assert shown["volumes"][0]["altitude"] == {"lower_m": 9309.36, "upper_m": 15309.36}
    again = run(api, "conflicts", "resolve", conflict_id, "--apply", climb["id"], party="bravo")
    assert again.exit_code != 0 and "412" in again.output
    unknown = run(api, "conflicts", "resolve", conflict_id, "--apply", "v9-0000", party="bravo")
    assert unknown.exit_code != 0 and "404" in unknown.output
