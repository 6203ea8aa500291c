"""``sharedsky inbox`` (countdowns) and ``sharedsky stats lead-time`` (R-LEAD-2) via CliRunner."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from typer.testing import CliRunner, Result

from sharedsky.cli import app

if TYPE_CHECKING:
    from _support import Api


def run(api: Api, *args: str, party: str = "alpha") -> Result:
    return CliRunner().invoke(
        app,
        [*args, "--token", api.env.tokens[party]],
        obj={"http": api.client, "clock": api.env.clock},
        env={"COLUMNS": "200"},
    )


def file(api: Api, tmp_path: Path, party: str, lon: float) -> None:
    ring = [[lon, 34.5], [lon + 0.4, 34.5], [lon + 0.4, 34.9], [lon, 34.9], [lon, 34.5]]
    path = tmp_path / f"{party}.geojson"
    path.write_text(json.dumps({"type": "Polygon", "coordinates": [ring]}), encoding="utf-8")
    args = ["notice", "file", "--kind", "air_sortie", "--title", "CAP", "--outline", str(path)]
    args += ["--lower", "FL120", "--upper", "FL300", "--start", "+3h", "--end", "+5h"]
    result = run(api, *args, party=party)
    assert result.exit_code == 0, result.output


def test_the_inbox_counts_down_to_each_deadline(api: Api, tmp_path: Path) -> None:
    file(api, tmp_path, "alpha", 36.1)
    file(api, tmp_path, "bravo", 36.3)  # clash: a priority acknowledgement, 300 s
    api.env.clock.advance(60)
    result = run(api, "inbox", party="alpha")
    assert result.exit_code == 0, result.output
    assert "4 min 00 s" in result.stdout  # 240 s left
    # each subject named: the conflict by both sides and its window, bravo's notice by its
    # kind, band and window (its title withheld from alpha)
    withheld = "bravo notice air_sortie FL120–FL300"
    assert "conflict alpha notice “CAP” × " + withheld in " ".join(result.stdout.split())
    api.env.clock.advance(400)
    assert "OVERDUE" in run(api, "inbox", party="alpha").stdout
    listed = json.loads(run(api, "inbox", "--json", party="alpha").stdout)
    subjects = sorted(a["subject"] for a in listed["acknowledgements"])
    assert subjects == ["conflict", "notice"]  # the conflict, and bravo's clashing notice


def test_stats_lead_time_prints_every_channel(api: Api) -> None:
    result = run(api, "stats", "lead-time", party="host")
    assert result.exit_code == 0, result.output
    assert "alpha → bravo" in result.stdout and "bravo → alpha" in result.stdout
    report = json.loads(run(api, "stats", "lead-time", "--json", party="bravo").stdout)
    assert all("bravo" in (c["sender"], c["recipient"]) for c in report["channels"])
