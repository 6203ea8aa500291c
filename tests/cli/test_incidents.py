"""``sharedsky incident file|list|show|ack`` through CliRunner, against the real app
(R-INC-1 … R-INC-3)."""

from __future__ import annotations

import json

import typer
from _bodies import notice, square
from _support import Api
from typer.testing import CliRunner, Result

from sharedsky.cli.incidents import app as incident_app

cli = typer.Typer()
cli.add_typer(incident_app, name="incident")


def run(api: Api, *args: str, party: str = "alpha") -> Result:
    return CliRunner().invoke(
        cli,
        ["incident", *args, "--token", api.env.tokens[party]],
        obj={"http": api.client, "clock": api.env.clock},
        env={"COLUMNS": "200", "SHAREDSKY_TOKEN": None},
    )


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def test_file_list_show_and_ack(api: Api) -> None:
    api.client.post("/v1/notices", json=notice(square(36.1, 34.5)), headers=api.as_("alpha"))
    clash = api.client.post(
        "/v1/notices", json=notice(square(36.3, 34.5)), headers=api.as_("bravo")
    )
    conflict = clash.json()["conflicts"][0]["id"]
    filed = ok(run(api, "file", "near miss at FL250", "--time", "-10m", "--position",
                   "36.2,34.6", "--conflict", conflict, "-q"))  # fmt: skip
    incident_id = filed.output.strip()
    shown = json.loads(ok(run(api, "show", incident_id, "--json", party="bravo")).output)
    assert (shown["parties"], shown["conflicts"]) == (["bravo"], [conflict])
    assert shown["time"].startswith("2026-11-24T11:50")
    assert "near miss at FL250" in ok(run(api, "list", party="bravo")).output
    acked = ok(run(api, "ack", incident_id, party="bravo")).output
    assert f"Acknowledged incident {incident_id}" in acked
    text = ok(run(api, "show", incident_id)).output
    assert "bravo: acknowledged" in text and "timeline: ledger seqs" in text


def test_bad_input_is_a_clear_error(api: Api) -> None:
    bad = run(api, "file", "x", "--time", "+1h", "--position", "36.2,34.6")
    assert bad.exit_code == 1 and "future" in bad.output
    unknown = run(api, "file", "x", "--time", "now", "--position", "36.2,34.6", "--notice", "n0")
    assert unknown.exit_code == 1 and "no notice 'n0'" in unknown.output
    shape = run(api, "file", "x", "--time", "now", "--position", "36.2")
    assert shape.exit_code == 2 and "LON,LAT" in shape.output
    assert run(api, "show", "inc-none").exit_code == 1
