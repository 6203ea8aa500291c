"""``sharedsky export`` and ``sharedsky import`` through CliRunner, against the real app."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from _bodies import notice, square
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


def test_export_writes_the_file_and_import_reads_it_back_for_another_party(
    api: Api, tmp_path: Path
) -> None:
    filed = api.client.post("/v1/notices", json=notice(square(20, 20)), headers=api.as_("alpha"))
    assert filed.status_code == 201
    out = tmp_path / "picture.geojson"
    exported = run(api, "export", "--format", "geojson", "--out", str(out), "--what", "notices")
    assert exported.exit_code == 0, exported.output
    assert "bytes of geojson" in exported.stderr
    features = json.loads(out.read_text())["features"]
    assert [f["properties"]["title"] for f in features] == ["CAP north"]

    dry = run(api, "import", str(out), "--format", "geojson", party="bravo")
    assert dry.exit_code == 0, dry.output
    assert "Would file 1" in dry.stdout and "nothing was filed" in dry.stdout
    done = run(api, "import", str(out), "--format", "geojson", "--commit", "--json", party="bravo")
    assert done.exit_code == 0, done.output
    answer = json.loads(done.stdout)
    assert (answer["filed"], answer["items"][0]["title"]) == (1, "CAP north")


def test_import_lists_the_bad_features_and_exits_1_when_nothing_was_filed(
    api: Api, tmp_path: Path
) -> None:
    feature = {"type": "Feature", "geometry": square(20, 20), "properties": {}}
    path = tmp_path / "plain.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature, feature]}))
    refused = run(api, "import", str(path), "--format", "geojson", "--commit")
    assert refused.exit_code == 1
    assert "no altitude band" in refused.stdout and "invalid-import" in refused.stderr
    given = run(
        api, "import", str(path), "--format", "geojson", "--commit", "--lower", "0",
        "--upper", "1000ft", "--start", "+1h", "--end", "+2h", "--title", "survey",
    )  # fmt: skip
    assert given.exit_code == 0, given.output
    listed = api.client.get("/v1/notices", headers=api.as_("alpha")).json()["notices"]
    upper = {"value": 1000, "unit": "ft", "reference": "AMSL"}  # as given, not 304.8 m
    assert [(n["title"], n["volumes"][0]["altitude"]["upper"]) for n in listed] == [
        ("survey", upper),
        ("survey", upper),
    ]
