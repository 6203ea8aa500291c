"""``sharedsky zone …`` through CliRunner, against the real app (injected as ``obj["http"]``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
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


def fails(result: Result, code: int) -> str:
    """The flattened output of a command that exited with ``code`` on purpose (not a crash)."""
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return " ".join(result.output.replace("│", " ").split())


def area(tmp_path: Path, lon: float, lat: float, size_deg: float, name: str) -> Path:
    """A GeoJSON Feature square with its south-west corner at (lon, lat), written to a file."""
    corners = [(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)]
    ring = [[lon + dx * size_deg, lat + dy * size_deg] for dx, dy in corners]
    feature = {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]}}
    path = tmp_path / name
    path.write_text(json.dumps(feature), encoding="utf-8")
    return path


def declare(api: Api, outline: Path, *extra: str, party: str = "alpha") -> dict[str, Any]:
    args = ["zone", "declare", "--kind", "protected", "--title", "Hospital"]
    args += ["--outline", str(outline), "--lower", "0", "--upper", "FL100", "--json", *extra]
    body: dict[str, Any] = json.loads(ok(run(api, *args, party=party)).stdout)
    return body


def test_a_zone_starts_now_and_is_open_ended_by_default(api: Api, tmp_path: Path) -> None:
    zone = declare(api, area(tmp_path, 35.5, 33.9, 0.1, "h.geojson"))
    shown = api.client.get(f"/v1/zones/{zone['id']}", headers=api.as_("alpha")).json()
    assert shown["volume"]["time"] == {
        "start": api.env.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end": None,
    }
    # R-HEIGHT-1: kept as filed (0 m AMSL to FL100), with the AMSL interval FL100 may reach
    assert shown["volume"]["altitude"] == {
        "lower": {"value": 0.0, "unit": "m", "reference": "AMSL"},
        "upper": {"value": 100.0, "unit": "FL", "reference": "STD"},
        "amsl_m": {"lower_m": 0.0, "upper_m": pytest.approx(3048.0 + 301.5, abs=1.0)},
    }
    assert (shown["kind"], shown["status"], shown["version"]) == ("protected", "active", 1)


def test_declare_prints_the_zone_and_an_end_can_be_given(api: Api, tmp_path: Path) -> None:
    args = ["zone", "declare", "--kind", "restricted", "--title", "Range"]
    args += ["--outline", str(area(tmp_path, 35.5, 33.9, 0.1, "r.geojson"))]
    args += [
        "--lower",
        "0",
        "--upper",
        "3000",
        "--start",
        "+1h",
        "--end",
        "+1d",
        "--remarks",
        "live",
    ]
    result = ok(run(api, *args))
    assert "Declared zone “Range” zon-" in result.stdout and "no conflicts" in result.stdout
    (zone,) = api.client.get("/v1/zones", headers=api.as_("alpha")).json()["zones"]
    assert zone["volume"]["time"] == {
        "start": "2026-11-24T13:00:00Z",
        "end": "2026-11-25T12:00:00Z",
    }
    assert zone["remarks"] == "live"


def test_a_red_line_over_the_others_notice_shows_the_conflict(api: Api, tmp_path: Path) -> None:
    notice = ["notice", "file", "--kind", "air_sortie", "--title", "Low pass"]
    notice += ["--outline", str(area(tmp_path, 36.1, 34.5, 0.4, "n.geojson"))]
    notice += ["--lower", "500", "--upper", "FL080", "--start", "+3h", "--end", "+5h"]
    ok(run(api, *notice, party="bravo"))
    args = ["zone", "declare", "--kind", "red_line", "--title", "Capital"]
    args += ["--outline", str(area(tmp_path, 36.2, 34.6, 0.1, "c.geojson"))]
    result = ok(run(api, *args, "--lower", "0", "--upper", "FL100"))
    assert "Conflicts" in result.stdout
    assert (
        "bravo notice air_sortie 500 m AMSL–FL080 11-24 15:00Z → 17:00Z" in result.stdout
    )  # untitled
    assert "ntc-" not in result.stdout


def test_list_show_and_withdraw(api: Api, tmp_path: Path) -> None:
    zone = declare(api, area(tmp_path, 35.5, 33.9, 0.1, "h.geojson"))
    listed = ok(run(api, "zone", "list", "--json"))
    assert json.loads(listed.stdout) == api.client.get("/v1/zones", headers=api.as_("alpha")).json()
    table = ok(run(api, "zone", "list", "--kind", "protected")).stdout
    assert zone["id"] in table and "0 m AMSL–FL100" in table and "→ open" in table
    shown = ok(run(api, "zone", "show", zone["id"])).stdout
    assert "Hospital" in shown and "polygon of 4 corners" in shown
    withdrawn = ok(run(api, "zone", "withdraw", zone["id"]))
    assert f"Withdrew zone “Hospital” {zone['id']}" in withdrawn.stdout
    assert json.loads(ok(run(api, "zone", "list", "--json")).stdout) == {"zones": []}
    everything = json.loads(ok(run(api, "zone", "list", "--withdrawn", "--json")).stdout)
    assert [(z["id"], z["status"]) for z in everything["zones"]] == [(zone["id"], "withdrawn")]


def test_withdrawing_an_unknown_zone_exits_1(api: Api) -> None:
    assert "404 not-found" in fails(run(api, "zone", "withdraw", "zon-999999"), 1)


def test_declare_without_outline_or_with_a_bad_altitude_is_a_usage_error(
    api: Api, tmp_path: Path
) -> None:
    args = ["zone", "declare", "--kind", "protected", "--title", "H", "--lower", "0"]
    assert "--outline" in fails(run(api, *args, "--upper", "FL100"), 2)
    outline = str(area(tmp_path, 35.5, 33.9, 0.1, "h.geojson"))
    text = fails(run(api, *args, "--upper", "high", "--outline", outline), 2)
    assert "--upper" in text and "not an altitude" in text
    assert "--kind" in fails(run(api, *args, "--kind", "forbidden", "--outline", outline), 2)


def test_quiet_prints_only_the_ids(api: Api, tmp_path: Path) -> None:
    args = ["zone", "declare", "--kind", "protected", "--title", "Hospital", "--lower", "0"]
    args += ["--upper", "FL100", "--outline", str(area(tmp_path, 35.5, 33.9, 0.1, "h.geojson"))]
    declared = ok(run(api, *args, "-q")).stdout
    zone_id = declared.strip()
    assert declared == f"{zone_id}\n" and zone_id.startswith("zon-")
    assert ok(run(api, "zone", "list", "--quiet")).stdout == f"{zone_id}\n"
    assert "--json or --quiet" in fails(run(api, "zone", "list", "--json", "-q"), 2)
