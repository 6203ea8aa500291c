"""Every list the CLI prints fits an 80-column terminal without cutting an id or a word: the
full id of each row appears on one line, long titles and messages wrap between words
(``_common.fit_table``). Ids here are the server's own (``ntc-`` and sixteen hex digits), not
a test's short ones."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from _bodies import notice, square, zone
from _support import LEVANT_YAML, Api, Env
from typer.testing import CliRunner, Result

from sharedsky.bootstrap import build_deps
from sharedsky.cli import app
from sharedsky.interop.mechanism_yaml import parse_mechanism
from sharedsky.service.mechanism import load_mechanism
from sharedsky.store.uow import Database
from sharedsky.testing.fakes import FakeClock, open_targets

WIDTH = 80
LONG_TITLE = "Combat air patrol over the northern sector with tanker support and two relief waves"
LONG_TEXT = (
    "Our tanker track moves thirty kilometres east at fifteen hundred; the relief pair follows"
    " the same corridor and leaves it by the southern gate."
)


@pytest.fixture
def wide_ids(database: Database, clock: FakeClock) -> Iterator[Api]:
    """The Levant mechanism with the server's random ids (``RandomIds``)."""
    mechanism, mechanism_json = parse_mechanism(LEVANT_YAML)
    tokens = load_mechanism(database, clock, mechanism, mechanism_json)
    deps = build_deps(database, clock=clock, webhook_targets=open_targets())
    holder = Api(Env(deps, tokens.file(), clock))
    with holder.client:
        yield holder


def run(api: Api, party: str, *args: str) -> Result:
    result = CliRunner().invoke(
        app,
        [*args, "--token", api.env.tokens[party]],
        obj={"http": api.client, "clock": api.env.clock},
        env={"COLUMNS": str(WIDTH), "SHAREDSKY_TOKEN": None},
    )
    assert result.exit_code == 0, result.output
    return result


def fits(result: Result, ids: list[str]) -> str:
    """The output, after checking that no line is wider than the terminal and that each id
    stands whole on a line."""
    lines = result.stdout.splitlines()
    assert all(len(line) <= WIDTH for line in lines), "\n".join(lines)
    for one in ids:
        assert any(one in line for line in lines), (one, result.stdout)
    return result.stdout


def words(text: str) -> list[str]:
    return " ".join(text.split()).split(" ")


def post(api: Api, party: str, path: str, body: dict[str, object]) -> dict[str, object]:
    answer = api.client.post(path, json=body, headers=api.as_(party))
    assert answer.status_code in (200, 201, 202), answer.text
    found: dict[str, object] = answer.json()
    return found


def test_every_list_keeps_its_ids_whole_at_80_columns(wide_ids: Api, tmp_path: Path) -> None:
    api = wide_ids
    a = post(api, "alpha", "/v1/notices", notice(square(36.1, 34.5), title=LONG_TITLE))
    b = post(api, "bravo", "/v1/notices", notice(square(36.3, 34.7), title=LONG_TITLE))
    z = post(api, "bravo", "/v1/zones", zone(square(36.2, 34.6), title=LONG_TITLE))
    (conflict,) = [c["id"] for c in b["conflicts"]]  # type: ignore[union-attr]
    assert str(a["id"]).startswith("ntc-") and len(str(a["id"])) == 20
    sent = post(
        api,
        "alpha",
        "/v1/messages",
        {
            "to": "bravo",
            "priority": "flash",
            "text": LONG_TEXT,
            "about": {"type": "conflict", "id": conflict},
        },
    )
    states = [
        {"id": f"TRK{n}-3C4A5B", "time": api.env.clock.now().isoformat(), "lat": 34.8,
         "lon": 36.7 + n / 10, "alt_m": 7600.0, "gs_mps": 230.0, "trk_deg": 90.0, "vs_mps": 0}
        for n in range(2)
    ]  # fmt: skip
    post(api, "alpha", "/v1/tracks", {"tracks": states})
    notices = [str(a["id"]), str(b["id"])]

    listed = fits(run(api, "host", "notice", "list"), notices)
    assert set(words(LONG_TITLE)) <= set(words(listed))  # wrapped, not cut
    fits(run(api, "host", "zone", "list"), [str(z["id"])])
    clashes = fits(run(api, "alpha", "conflicts", "list"), [conflict])
    assert set(words(LONG_TITLE)) <= set(words(clashes.replace("“", " ").replace("”", " ")))
    inbox = fits(run(api, "bravo", "inbox"), [conflict, str(sent["id"])])
    named = {"message", "bravo:", "Our", "tanker", "conflict", "notice", "“Combat", "×"}
    assert named <= set(words(inbox))  # each subject by its name (wrapped), not its kind
    fits(run(api, "alpha", "conflicts", "pending"), [conflict])
    messages = fits(run(api, "bravo", "msg", "list"), [str(sent["id"])])
    assert set(words(LONG_TEXT)) <= set(words(messages))
    assert {"(about", "conflict", "“Combat", "×"} <= set(words(messages))  # named, not an id
    fits(run(api, "alpha", "tracks", "list"), [s["id"] for s in states])  # type: ignore[misc]
    operators = json.loads(run(api, "host", "operators", "list", "--json").stdout)["operators"]
    fits(run(api, "host", "operators", "list"), [o["id"] for o in operators])
    api.env.clock.advance(timedelta(minutes=5).total_seconds())
    fits(run(api, "host", "ledger", "timeline", str(a["id"])), [])
    fits(run(api, "host", "stats", "lead-time"), [])
    shown = fits(run(api, "host", "notice", "show", str(a["id"])), [str(a["id"]), conflict])
    assert "34.5000N 36.1000E" in shown  # positions: latitude first, with hemispheres


def test_tracks_and_tactical_alerts_read_by_callsign_at_80_columns(wide_ids: Api) -> None:
    """A track is named by its callsign wherever the CLI shows it (its id in a column of its
    own, never the name): ``tracks list``, ``tracks show CALLSIGN``, the tactical table."""
    from sharedsky.service.tactical import tick

    api = wide_ids
    now = api.env.clock.now().isoformat()
    flights = (
        ("alpha", "4CA1F2", 36.0, 90.0, "VIPER 11", "STD"),
        ("alpha", "TN-25-7-4321", 36.0, 0.0, "RESCUE-HELO-1234", "W84"),
        ("bravo", "738A01", 36.6, 270.0, None, "AMSL"),
    )
    for party, track_id, lon, trk, callsign, alt_ref in flights:
        state = {"id": track_id, "time": now, "lat": 34.5, "lon": lon, "alt_m": 7600.0,
                 "alt_ref": alt_ref, "gs_mps": 230.0, "trk_deg": trk,
                 "callsign": callsign}  # fmt: skip
        post(api, party, "/v1/tracks", {"tracks": [state]})
    listed = fits(run(api, "alpha", "tracks", "list"), ["4CA1F2", "TN-25-7-4321"])
    assert any("VIPER 11" in line and "4CA1F2" in line for line in listed.splitlines())
    assert "RESCUE-HELO-1234" in listed
    # each altitude on its own datum: a flight level only for a pressure altitude
    rows = {line.split()[0]: line for line in listed.splitlines() if line.strip()}
    assert "FL249" in rows["VIPER"] and "24,934" in rows["RESCUE-HELO-1234"]
    assert "FL" not in rows["RESCUE-HELO-1234"] and "ft W84" in listed
    shown = fits(run(api, "alpha", "tracks", "show", "viper11"), ["4CA1F2"])
    assert "alpha aircraft VIPER 11" in shown and "34.5000N 36.0000E" in shown
    assert "FL249 (7,600 m STD)" in shown and "447 kt" in shown
    helo = fits(run(api, "alpha", "tracks", "show", "TN-25-7-4321"), ["TN-25-7-4321"])
    assert "24,934 ft W84 (7,600 m W84)" in helo and "FL" not in helo
    tick(api.env.deps, api.container.picture, api.container.board)
    alerts = fits(run(api, "bravo", "conflicts", "list", "--kind", "tactical"), [])
    assert {"aircraft", "VIPER", "11", "738A01"} <= set(words(alerts))
    assert "4CA1F2" not in alerts  # the aircraft that has a callsign is named by it
    missing = CliRunner().invoke(
        app,
        ["tracks", "show", "NOSUCH1", "--token", api.env.tokens["alpha"]],
        obj={"http": api.client, "clock": api.env.clock},
        env={"COLUMNS": str(WIDTH), "SHAREDSKY_TOKEN": None},
    )
    assert missing.exit_code == 1 and "no live track 'NOSUCH1'" in missing.output
