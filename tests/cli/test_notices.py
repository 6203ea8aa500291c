"""``sharedsky notice …`` through CliRunner, against the real app (injected as ``obj["http"]``)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from _support import LEVANT_YAML, Api, make_env
from typer.testing import CliRunner, Result

from sharedsky.cli import app
from sharedsky.store.uow import Database
from sharedsky.testing.fakes import FakeClock
from sharedsky.units import FL_M

START = "2026-11-24T15:00:00Z"
END = "2026-11-24T17:00:00Z"


def run(api: Api, *args: str, party: str | None = "alpha") -> Result:
    """Invoke the CLI as ``party``'s operator, over the in-process app and its fake clock."""
    auth = ["--token", api.env.tokens[party]] if party is not None else []
    return CliRunner().invoke(
        app,
        [*args, *auth],
        obj={"http": api.client, "clock": api.env.clock},
        env={"COLUMNS": "200", "SHAREDSKY_TOKEN": None},
    )


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def fails(result: Result, code: int) -> str:
    """The flattened output of a command that exited with ``code`` on purpose (not a crash)."""
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return " ".join(result.output.replace("│", " ").split())


def outline_file(tmp_path: Path, data: dict[str, Any], name: str = "area.geojson") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def square(
    lon: float, lat: float, size_deg: float = 0.4, alt_m: float | None = None
) -> dict[str, Any]:
    """A GeoJSON Polygon square with its south-west corner at (lon, lat); 3D when ``alt_m``."""
    corners = [(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)]
    ring = [[lon + dx * size_deg, lat + dy * size_deg] for dx, dy in corners]
    if alt_m is not None:
        ring = [[*p, alt_m] for p in ring]
    return {"type": "Polygon", "coordinates": [ring]}


FEATURE = {"type": "Feature", "properties": {}, "geometry": square(36.1, 34.5)}


def file_args(outline: Path, *extra: str, lower: str = "FL120", upper: str = "FL300") -> list[str]:
    return [
        "notice", "file", "--kind", "air_sortie", "--title", "CAP north", "--outline", str(outline),
        "--lower", lower, "--upper", upper, "--start", START, "--end", END, *extra,
    ]  # fmt: skip


def file_json(api: Api, outline: Path, party: str = "alpha", *extra: str) -> dict[str, Any]:
    result = ok(run(api, *file_args(outline, "--json", *extra), party=party))
    body: dict[str, Any] = json.loads(result.stdout)
    return body


def stored(api: Api, notice_id: str, party: str = "alpha") -> dict[str, Any]:
    response = api.client.get(f"/v1/notices/{notice_id}", headers=api.as_(party))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_filing_with_flight_levels_keeps_them_as_flight_levels(api: Api, tmp_path: Path) -> None:
    """R-HEIGHT-1: FL120–FL300 is stored and shown as filed, with the interval of heights AMSL
    that the QNH range (950–1050 hPa) lets it reach."""
    feature = {
        "type": "Feature",
        "properties": {"name": "CAP"},
        "geometry": square(36.1, 34.5, alt_m=120),
    }
    result = ok(run(api, *file_args(outline_file(tmp_path, feature))))
    (notice,) = api.client.get("/v1/notices", headers=api.as_("alpha")).json()["notices"]
    altitude = notice["volumes"][0]["altitude"]
    assert altitude["lower"] == {"value": 120.0, "unit": "FL", "reference": "STD"}
    assert altitude["upper"] == {"value": 300.0, "unit": "FL", "reference": "STD"}
    assert altitude["amsl_m"]["lower_m"] == pytest.approx(120 * FL_M - 540.3, abs=1.0)
    assert altitude["amsl_m"]["upper_m"] == pytest.approx(9144.0 + 301.5, abs=1.0)
    shown = ok(run(api, "notice", "show", notice["id"])).stdout
    assert "FL120–FL300" in shown
    assert notice["volumes"][0]["outline"]["coordinates"][0][0] == [36.1, 34.5]
    assert f"Filed notice “CAP north” {notice['id']}" in result.stdout
    assert "version 1" in result.stdout and "lead time 3 h 00 min" in result.stdout
    assert "no conflicts" in result.stdout


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (square(36.1, 34.5), "Polygon"),
        ({"type": "FeatureCollection", "features": [FEATURE]}, "Polygon"),
        ({"type": "Circle", "center": [36.2, 34.6], "radius_m": 5000}, "Circle"),
        (
            {"type": "Corridor", "path": [[36.0, 34.5], [36.4, 34.9]], "half_width_m": 2e3},
            "Corridor",
        ),
    ],
    ids=["geometry", "feature-collection", "circle", "corridor"],
)
def test_every_outline_form_is_read(
    api: Api, tmp_path: Path, data: dict[str, Any], kind: str
) -> None:
    filed = file_json(api, outline_file(tmp_path, data))
    assert stored(api, filed["id"])["volumes"][0]["outline"]["type"] == kind


def test_relative_times_count_from_now_and_late_notice_is_flagged(api: Api, tmp_path: Path) -> None:
    """R-LEAD-1: ten minutes of notice is accepted and shown LATE for the counterparty."""
    outline = outline_file(tmp_path, square(36.1, 34.5))
    args = ["notice", "file", "--kind", "uav", "--title", "Survey", "--outline", str(outline)]
    result = ok(
        run(api, *args, "--lower", "0", "--upper", "9000ft", "--start", "+10m", "--end", "+1h30m")
    )
    assert "LATE for bravo" in result.stdout
    (notice,) = api.client.get("/v1/notices", headers=api.as_("alpha")).json()["notices"]
    now = api.env.clock.now()
    assert notice["volumes"][0]["time"]["start"] == (now + timedelta(minutes=10)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    assert notice["volumes"][0]["time"]["end"] == (now + timedelta(minutes=90)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    altitude = notice["volumes"][0]["altitude"]
    assert altitude["upper"] == {"value": 9000.0, "unit": "ft", "reference": "AMSL"}
    assert altitude["amsl_m"] == {"lower_m": 0.0, "upper_m": pytest.approx(2743.2)}
    assert (notice["lead_time_s"], notice["late"]) == (600, True)


def test_json_output_is_the_servers_document(api: Api, tmp_path: Path) -> None:
    filed = file_json(api, outline_file(tmp_path, square(36.1, 34.5)))
    assert filed["conflicts"] == [] and filed["version"] == 1
    shown = ok(run(api, "notice", "show", filed["id"], "--json"))
    assert json.loads(shown.stdout) == stored(api, filed["id"])
    assert shown.stdout.count("\n") == 1  # one document, one line
    listed = ok(run(api, "notice", "list", "--json"))
    assert (
        json.loads(listed.stdout) == api.client.get("/v1/notices", headers=api.as_("alpha")).json()
    )
    assert filed["resolutions"] == []  # the filing's own: advice when it clashes
    assert {k: v for k, v in filed.items() if k not in ("conflicts", "resolutions")} == {
        k: v
        for k, v in stored(api, filed["id"]).items()
        if k not in ("conflicts", "acknowledgements", "agreement")
    }


def test_a_tokens_file_and_as_choose_the_party(api: Api, tmp_path: Path) -> None:
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps(api.env.tokens), encoding="utf-8")
    outline = outline_file(tmp_path, square(36.1, 34.5))
    result = ok(
        run(
            api, *file_args(outline, "--json", "--tokens", str(tokens), "--as", "bravo"), party=None
        )
    )
    assert json.loads(result.stdout)["party"] == "bravo"
    refused = run(api, "notice", "list", "--tokens", str(tokens), "--as", "charlie", party=None)
    assert "no token for 'charlie'" in fails(refused, 2)


def test_a_missing_token_is_a_usage_error(api: Api) -> None:
    assert "--token" in fails(run(api, "notice", "list", party=None), 2)


def test_an_unknown_token_exits_1_with_the_servers_reason(api: Api) -> None:
    """R-AUTH-1: the 401 reaches the operator on stderr, exit code 1."""
    result = run(api, "notice", "list", "--token", "bogus", party=None)
    assert "401 unauthenticated" in fails(result, 1)
    assert "401" in result.stderr and result.stdout == ""


def test_from_json_files_a_notice_of_several_volumes(api: Api, tmp_path: Path) -> None:
    volume = {"outline": square(36.1, 34.5), "altitude": {"lower_m": 3000, "upper_m": 9000}}
    body = {
        "kind": "exercise",
        "title": "Two boxes",
        "volumes": [
            volume | {"time": {"start": "2026-11-26T08:00:00Z", "end": "2026-11-26T10:00:00Z"}},
            volume | {"time": {"start": "2026-11-26T12:00:00Z", "end": "2026-11-26T14:00:00Z"}},
        ],
    }
    path = outline_file(tmp_path, body, "notice.json")
    filed = json.loads(ok(run(api, "notice", "file", "--from-json", str(path), "--json")).stdout)
    assert [v["index"] for v in stored(api, filed["id"])["volumes"]] == [0, 1]
    mixed = run(api, "notice", "file", "--from-json", str(path), "--title", "x")
    assert "no other notice flags" in fails(mixed, 2)
    broken = outline_file(tmp_path, {"kind": "air_sortie"}, "broken.json")
    assert "not a NoticeIn" in fails(run(api, "notice", "file", "--from-json", str(broken)), 2)


@pytest.mark.parametrize("altitude", ["FLabc", "FL", "FL-5", "12 furlongs", "FL1200"])
def test_a_bad_altitude_is_refused_before_anything_is_sent(
    api: Api, tmp_path: Path, altitude: str
) -> None:
    result = run(api, *file_args(outline_file(tmp_path, square(36.1, 34.5)), lower=altitude))
    text = fails(result, 2)
    assert "--lower" in text and "not an altitude" in text
    assert api.client.get("/v1/notices", headers=api.as_("alpha")).json()["notices"] == []


@pytest.mark.parametrize(
    ("moment", "reason"),
    [
        ("tomorrow", "is not a time"),
        ("2026-11-24T15:00", "no timezone"),
        ("+2x", "is not a time"),
        ("+99999999999d", "too far away"),
    ],
)
def test_a_bad_time_is_refused(api: Api, tmp_path: Path, moment: str, reason: str) -> None:
    outline = outline_file(tmp_path, square(36.1, 34.5))
    args = [a if a != START else moment for a in file_args(outline)]
    text = fails(run(api, *args), 2)
    assert "--start" in text and reason in text


def test_a_missing_outline_file_is_refused(api: Api, tmp_path: Path) -> None:
    text = fails(run(api, *file_args(tmp_path / "nowhere.geojson")), 2)
    assert "--outline" in text and "does not exist" in text


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ({"type": "Point", "coordinates": [36.1, 34.5]}, "Polygon, Circle or Corridor"),
        ({"type": "FeatureCollection", "features": []}, "holds no feature"),
        ({"type": "Circle", "center": [36.1, 34.5]}, "radius_m"),
    ],
)
def test_an_outline_that_is_no_area_is_refused(
    api: Api, tmp_path: Path, content: dict[str, Any], reason: str
) -> None:
    assert reason in fails(run(api, *file_args(outline_file(tmp_path, content))), 2)
    (tmp_path / "bad.geojson").write_text("{not json", encoding="utf-8")
    assert "is not JSON" in fails(run(api, *file_args(tmp_path / "bad.geojson")), 2)


def test_a_server_rejection_prints_detail_and_path_and_exits_1(api: Api, tmp_path: Path) -> None:
    """R-INPUT-1: the server's reason and field path reach the operator."""
    result = run(api, *file_args(outline_file(tmp_path, square(36.1, 34.5)), lower="FL320"))
    text = fails(result, 1)
    assert "lower limit must be below the upper limit" in result.stderr
    assert "volumes.0.altitude.lower" in text and "422 invalid-volume" in text


def test_amend_changes_only_the_flags_given(api: Api, tmp_path: Path) -> None:
    filed = file_json(api, outline_file(tmp_path, square(36.1, 34.5)))
    result = ok(run(api, "notice", "amend", filed["id"], "--version", "1", "--upper", "FL350"))
    assert (
        f"Amended notice “CAP north” {filed['id']}" in result.stdout
        and "version 2" in result.stdout
    )
    now = stored(api, filed["id"])
    altitude = now["volumes"][0]["altitude"]
    assert altitude["lower"] == {"value": 120.0, "unit": "FL", "reference": "STD"}
    assert altitude["upper"] == {"value": 350.0, "unit": "FL", "reference": "STD"}
    assert (now["title"], now["contact"], now["volumes"][0]["time"]) == (
        filed["title"],
        filed["contact"],
        filed["volumes"][0]["time"],
    )


def test_amend_with_a_stale_version_reports_412(api: Api, tmp_path: Path) -> None:
    """R-VER-1: amending a stale version reports 412 and changes nothing."""
    filed = file_json(api, outline_file(tmp_path, square(36.1, 34.5)))
    ok(run(api, "notice", "amend", filed["id"], "--version", "1", "--title", "moved"))
    result = run(api, "notice", "amend", filed["id"], "--version", "1", "--title", "again")
    text = fails(result, 1)
    assert "412 stale-version" in text and "If-Match" in text
    assert stored(api, filed["id"])["title"] == "moved"


def test_activate_early_then_release_and_list_by_status(api: Api, tmp_path: Path) -> None:
    """R-ACT-2, R-ACT-3: ``notice activate`` and ``notice release``, refusals exit 1."""
    filed = file_json(api, outline_file(tmp_path, square(36.1, 34.5)))
    assert "too-early" in fails(run(api, "notice", "activate", filed["id"]), 1)
    api.env.clock.set(api.env.clock.now().replace(hour=14, minute=45))
    activated = ok(run(api, "notice", "activate", filed["id"])).stdout
    assert f"Activated notice “CAP north” {filed['id']} at 2026-11-24 14:45" in activated
    assert "(early: flash)" in activated
    assert "state-conflict" in fails(run(api, "notice", "activate", filed["id"]), 1)
    assert "not-found" in fails(run(api, "notice", "release", filed["id"], party="bravo"), 1)
    api.env.clock.set(api.env.clock.now().replace(hour=15, minute=30))
    released = json.loads(ok(run(api, "notice", "release", filed["id"], "--json")).stdout)
    assert (released["status"], released["version"]) == ("released", 2)
    listed = json.loads(ok(run(api, "notice", "list", "--status", "released", "--json")).stdout)
    assert [n["id"] for n in listed["notices"]] == [filed["id"]]


def test_cancel_then_list_by_status(api: Api, tmp_path: Path) -> None:
    filed = file_json(api, outline_file(tmp_path, square(36.1, 34.5)))
    cancelled = ok(run(api, "notice", "cancel", filed["id"])).stdout
    assert f"Cancelled notice “CAP north” {filed['id']}" in cancelled
    cancelled = json.loads(ok(run(api, "notice", "list", "--status", "cancelled", "--json")).stdout)
    assert [n["id"] for n in cancelled["notices"]] == [filed["id"]]
    filed_only = json.loads(ok(run(api, "notice", "list", "--status", "planned", "--json")).stdout)
    assert filed_only["notices"] == []
    assert "not-found" in fails(run(api, "notice", "cancel", "ntc-999999"), 1)


def test_list_filters_reach_the_server(api: Api, tmp_path: Path) -> None:
    filed = file_json(api, outline_file(tmp_path, square(36.1, 34.5)))

    def ids(*flags: str) -> list[str]:
        body = json.loads(ok(run(api, "notice", "list", "--json", *flags)).stdout)
        return [n["id"] for n in body["notices"]]

    assert ids("--party", "alpha", "--kind", "air_sortie") == [filed["id"]]
    assert ids("--party", "bravo") == []
    assert ids("--bbox", "36,34,37,35") == [filed["id"]]
    assert ids("--bbox", "10,10,11,11") == []
    assert ids("--from", "+6h") == []
    assert ids("--from", "2026-11-24T14:00Z", "--to", "+4h") == [filed["id"]]
    assert "--bbox" in fails(run(api, "notice", "list", "--bbox", "1,2,3"), 2)


def test_show_and_ack_of_a_clashing_notice(api: Api, tmp_path: Path) -> None:
    mine = file_json(api, outline_file(tmp_path, square(36.1, 34.5)))
    theirs = file_json(api, outline_file(tmp_path, square(36.3, 34.7), "b.geojson"), "bravo")
    (conflict,) = theirs["conflicts"]
    acked = ok(run(api, "notice", "ack", mine["id"], party="bravo"))
    withheld = "alpha notice air_sortie FL120–FL300 11-24 15:00Z → 17:00Z"  # conflicts_only
    assert f"Acknowledged {withheld} ({mine['id']}) v1" in acked.stdout
    assert "not an approval" in acked.stdout
    shown = ok(run(api, "notice", "show", mine["id"])).stdout
    for text in (
        "Volumes",
        "polygon of 4 corners",
        "FL120–FL300",
        conflict["id"],
        "Acknowledgements",
    ):
        assert text in shown
    listed = ok(run(api, "notice", "list", party="bravo")).stdout
    assert mine["id"] in listed and theirs["id"] in listed
    assert "band" in listed and "FL120–FL300" in listed  # as filed, not metres


def test_quiet_prints_only_the_ids_for_the_shell(api: Api, tmp_path: Path) -> None:
    """``-q`` prints the id of what was filed or amended, and one id a line of a list: what
    ``ID=$(sharedsky notice file … -q)`` keeps."""
    outline = outline_file(tmp_path, square(36.1, 34.5))
    filed = ok(run(api, *file_args(outline, "--quiet")))
    notice_id = filed.stdout.strip()
    assert filed.stdout == f"{notice_id}\n" and notice_id.startswith("ntc-")
    assert stored(api, notice_id)["title"] == "CAP north"
    amended = ok(run(api, "notice", "amend", notice_id, "--version", "1", "--title", "x", "-q"))
    assert amended.stdout == f"{notice_id}\n" and stored(api, notice_id)["version"] == 2
    other = ok(run(api, *file_args(outline, "-q"), party="bravo")).stdout.strip()
    listed = ok(run(api, "notice", "list", "-q", party="bravo")).stdout.splitlines()
    assert sorted(listed) == sorted([notice_id, other])
    assert ok(run(api, "notice", "list", "--party", "charlie", "-q")).stdout == ""


def test_json_and_quiet_together_are_refused_before_anything_is_sent(
    api: Api, tmp_path: Path
) -> None:
    outline = outline_file(tmp_path, square(36.1, 34.5))
    assert "--json or --quiet" in fails(run(api, *file_args(outline, "--json", "-q")), 2)
    assert api.client.get("/v1/notices", headers=api.as_("alpha")).json()["notices"] == []
    assert "--json or --quiet" in fails(run(api, "notice", "list", "--json", "-q"), 2)


def test_swapped_coordinates_are_refused_unless_filed_with_outside_area(
    database: Database, clock: FakeClock, tmp_path: Path
) -> None:
    """R-AREA-1, through the CLI and the SDK."""
    api = Api(make_env(database, clock, LEVANT_YAML + "area: [35, 32, 42.5, 37.5]\n"))
    with api.client:
        swapped = outline_file(tmp_path, square(34.5, 36.1))  # [lat, lon] where [lon, lat] goes
        text = fails(run(api, *file_args(swapped)), 1)
        assert "wholly outside the mechanism's area of responsibility" in text
        assert "coordinates may be swapped" in text and "give --outside-area" in text
        assert "(422 outside-area)" in text
        filed = file_json(api, swapped, "alpha", "--outside-area")
        assert stored(api, filed["id"])["volumes"][0]["outline"]["coordinates"][0][0] == [
            34.5,
            36.1,
        ]
        zone = [
            "zone", "declare", "--kind", "protected", "--title", "Depot", "--outline",
            str(swapped), "--lower", "0", "--upper", "3000",
        ]  # fmt: skip
        assert "(422 outside-area)" in fails(run(api, *zone), 1)
        declared = ok(run(api, *zone, "--outside-area", "--json"))
        assert json.loads(declared.stdout)["version"] == 1


def test_a_past_notice_needs_record_past_and_is_marked_everywhere(api: Api, tmp_path: Path) -> None:
    """R-LEAD-3: the clock stands at 12:00."""
    outline = outline_file(tmp_path, square(36.1, 34.5))
    past = [*file_args(outline)[:-4], "--start", "-3h", "--end", "-1h"]
    text = fails(run(api, *past), 1)
    assert "(422 notice-in-the-past)" in text and "give --record-past" in text
    recorded = ok(run(api, *past, "--record-past"))
    assert "recorded after the fact" in recorded.stdout
    (notice,) = api.client.get("/v1/notices", headers=api.as_("alpha")).json()["notices"]
    assert notice["recorded_after_the_fact"] is True
    shown = ok(run(api, "notice", "show", notice["id"])).stdout
    assert "after the fact" in shown and "had ended when it was filed" in shown
    listed = ok(run(api, "notice", "list")).stdout
    assert "recorded after the fact" in " ".join(listed.split())


def test_priority_is_filed_shown_kept_by_amend_and_cleared_with_none(
    api: Api, tmp_path: Path
) -> None:
    """R-PRIO-1: ``--priority medevac`` files the status; file, show and list print it;
    an amendment without the flag keeps it, ``--priority none`` clears it; a bad value is
    refused before anything is sent."""
    outline = outline_file(tmp_path, square(36.1, 34.5))
    filed = ok(run(api, *file_args(outline, "--priority", "medevac")))
    assert "MEDEVAC" in filed.stdout
    (notice,) = api.client.get("/v1/notices", headers=api.as_("alpha")).json()["notices"]
    assert notice["priority_status"] == "medevac"
    shown = ok(run(api, "notice", "show", notice["id"])).stdout
    assert any(line.split()[:2] == ["priority", "MEDEVAC"] for line in shown.splitlines())
    listed = ok(run(api, "notice", "list")).stdout
    assert "air_sortie MEDEVAC" in listed
    ok(run(api, "notice", "amend", notice["id"], "--version", "1", "--title", "moved"))
    assert stored(api, notice["id"])["priority_status"] == "medevac"
    ok(run(api, "notice", "amend", notice["id"], "--version", "2", "--priority", "none"))
    assert stored(api, notice["id"])["priority_status"] is None
    assert "MEDEVAC" not in ok(run(api, "notice", "list")).stdout
    assert "'--priority'" in fails(run(api, *file_args(outline, "--priority", "vip")), 2)


AGREEMENT_YAML = """\
mechanism: agreement
host: {id: host, name: Coordination Cell}
parties: [{id: alpha, name: Alpha}, {id: bravo, name: Bravo}]
defaults:
  sharing: full
  ack_deadline_s: {routine: 900, priority: 300, flash: 60}
"""


def test_agree_deny_counter_and_accept_from_the_command_line(
    database: Database, clock: FakeClock, tmp_path: Path
) -> None:
    """R-AGREE-1 … R-AGREE-4: ``notice file --request-agreement``, ``notice counter``,
    ``notice show`` (the agreement table), ``notice accept``, ``notice agree`` and
    ``notice deny``; refusals exit 1 with their code."""
    api = Api(make_env(database, clock, AGREEMENT_YAML))
    with api.client:
        filed = file_json(
            api, outline_file(tmp_path, square(36.1, 34.5)), "alpha", "--request-agreement"
        )
        assert filed["request_agreement"] is True
        assert "own-notice" in fails(run(api, "notice", "agree", filed["id"]), 1)
        later = {
            "volumes": [
                {
                    "outline": square(36.1, 34.5),
                    "altitude": {"lower_m": 3000, "upper_m": 9000},
                    "time": {"start": "2026-11-24T17:00:00Z", "end": "2026-11-24T19:00:00Z"},
                }
            ]
        }
        countered = ok(
            run(
                api,
                "notice",
                "counter",
                filed["id"],
                "--volumes",
                str(outline_file(tmp_path, later, "later.json")),
                "--note",
                "later please",
                party="bravo",
            )
        ).stdout
        assert f"Countered notice {filed['id']} v1 for bravo" in countered
        shown = ok(run(api, "notice", "show", filed["id"])).stdout
        assert "Agreement" in shown and "countered" in shown and "later please" in shown
        assert "receipts, not approvals" in shown
        counter_id = stored(api, filed["id"])["agreement"][0]["counter_id"]
        assert "already-answered" in fails(
            run(api, "notice", "agree", filed["id"], party="bravo"), 1
        )
        assert "not-found" in fails(run(api, "notice", "accept", filed["id"], "ack-nope"), 1)
        accepted = ok(run(api, "notice", "accept", filed["id"], counter_id)).stdout
        assert "Accepted the counter-proposal; amended notice" in accepted
        assert "version 2" in accepted
        assert "stale-version" in fails(run(api, "notice", "accept", filed["id"], counter_id), 1)
        assert "invalid-input" in fails(
            run(api, "notice", "deny", filed["id"], "--reason", " ", party="bravo"), 1
        )
        denied = ok(
            run(api, "notice", "deny", filed["id"], "--reason", "range closed", party="bravo")
        ).stdout
        assert f"Denied notice {filed['id']} v2 for bravo" in denied
        shown = ok(run(api, "notice", "show", filed["id"], party="bravo")).stdout
        assert "denied" in shown and "range closed" in shown
        receipt = ok(run(api, "notice", "ack", filed["id"], party="bravo")).stdout
        assert "a receipt, not an approval" in receipt
