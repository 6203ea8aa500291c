"""``sharedsky watch``: each event as one line in the operator's language (a message with its
rendered text and parameters), a first line on connecting; through CliRunner against a real
server process (a stream never ends by itself, so the in-process app cannot serve it),
``--limit`` and ``--for`` end it with exit 0 and ``--json`` prints the events as sent."""

from __future__ import annotations

import json
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from _outs import conflict_out, notice_out
from _servers import init, orbit, post, serve
from typer.testing import CliRunner, Result

from sharedsky.cli import app
from sharedsky.cli._names import Names
from sharedsky.cli._resume import Kept, read_kept, write_kept
from sharedsky.cli.watch import connected_line, describe
from sharedsky.wire import v1
from sharedsky.wire.v1.events import EventOut

MECHANISM_YAML = """\
mechanism: watch
host: {id: host, name: Coordination Cell, language: en}
parties:
  - {id: alpha, name: Alpha Air Command, language: en}
  - {id: bravo, name: Bravo Air Command, language: en}
"""


def watch(base: str, token: str, *args: str, state: Path | None = None) -> tuple[Result, float]:
    """``watch`` as the operator of ``token``, its resume files under ``state`` (a fresh
    folder when None); the result and the seconds it took."""
    started = time.monotonic()
    home = state if state is not None else Path(tempfile.mkdtemp(prefix="watch-state-"))
    result = CliRunner().invoke(
        app,
        ["watch", "--url", base, "--token", token, *args],
        env={
            "COLUMNS": "300",
            "SHAREDSKY_TOKEN": None,
            "SHAREDSKY_URL": None,
            "XDG_STATE_HOME": str(home),
        },
    )
    return result, time.monotonic() - started


@pytest.mark.slow
def test_for_and_count_end_the_stream_with_exit_0(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'watch.db'}"
    tokens = init(tmp_path, MECHANISM_YAML, db)
    with serve(db, tmp_path / "server.log") as base:
        filed = post(base, tokens["alpha"], "/v1/notices", orbit(36.0))
        replayed, took_s = watch(base, tokens["bravo"], "--after", "0", "--for", "1s")
        assert replayed.exit_code == 0, replayed.output
        assert 0.9 < took_s < 10.0  # the one event, then a silent stream until --for
        hello, line = replayed.stdout.splitlines()
        assert hello == (
            "connected to watch as bravo-duty of bravo (Bravo Air Command); replaying every"
            " event from the start"
        )
        assert f"alpha filed notice “orbit 36.0” ({filed['id']}) (v1), lead time" in line
        counted, took_s = watch(
            base, tokens["bravo"], "--after", "0", "--limit", "1", "--for", "1m"
        )
        assert counted.exit_code == 0, counted.output
        assert took_s < 10.0 and counted.stdout == replayed.stdout  # --limit came first
        raw, _ = watch(base, tokens["bravo"], "--after", "0", "--limit", "1", "--json")
        (document,) = raw.stdout.splitlines()  # the connection's line went to stderr
        assert json.loads(document)["payload"]["notice"] == filed["id"]
        live, took_s = watch(base, tokens["alpha"], "--for", "0.5")
        assert live.exit_code == 0  # from now on: nothing happened but the connection
        assert live.stdout.splitlines() == [
            "connected to watch as alpha-duty of alpha (Alpha Air Command); live from now on"
        ]
        refused, _ = watch(base, tokens["alpha"], "--for", "later")
        assert refused.exit_code == 2 and "not a duration" in refused.output


@pytest.mark.slow
def test_a_watch_started_again_prints_exactly_what_happened_meanwhile(tmp_path: Path) -> None:
    """R-LEAD-2: watch resumes after the last event it printed, kept in its resume file (per
    server and operator under XDG_STATE_HOME): stopped by --limit, then started again after
    three more events, it prints those three, once, each notice by its title. A kept seq of
    another ledger or beyond the head is dropped with a line saying so; --after still wins."""
    db = f"sqlite:///{tmp_path / 'watch.db'}"
    tokens = init(tmp_path, MECHANISM_YAML, db)
    state = tmp_path / "state"
    with serve(db, tmp_path / "server.log") as base:
        first = post(base, tokens["alpha"], "/v1/notices", orbit(36.0))
        once, _ = watch(base, tokens["bravo"], "--from-start", "--limit", "1", state=state)
        assert once.exit_code == 0, once.output
        assert f"({first['id']})" in once.stdout.splitlines()[1]
        (kept_file,) = (state / "sharedsky" / "watch").iterdir()
        assert kept_file.name.endswith("_bravo-duty.json")
        kept = json.loads(kept_file.read_text())
        meanwhile = [post(base, tokens["alpha"], "/v1/notices", orbit(38.0 + k)) for k in range(3)]
        again, _ = watch(base, tokens["bravo"], "--for", "2s", state=state)
        assert again.exit_code == 0, again.output
        hello, *lines = again.stdout.splitlines()
        assert hello.endswith(f"; resumed after seq {kept['seq']}")
        assert len(lines) == 3  # the three filings, nothing before them, none twice
        for line, notice in zip(lines, meanwhile, strict=True):
            assert f"alpha filed notice “{notice['title']}” ({notice['id']}) (v1)" in line
        newest = json.loads(kept_file.read_text())["seq"]
        assert newest > kept["seq"] and lines[-1].split()[1] == f"#{newest}"
        quiet, _ = watch(base, tokens["bravo"], "--for", "1s", state=state)
        assert quiet.stdout.splitlines()[1:] == []  # nothing new: nothing printed again

        kept_file.write_text(json.dumps(json.loads(kept_file.read_text()) | {"seq": 10**6}))
        beyond, _ = watch(base, tokens["bravo"], "--for", "0.5", state=state)
        notice, hello = beyond.stdout.splitlines()
        assert (
            notice.startswith("the seq 1000000 kept in ")
            and "is beyond the ledger's head" in notice
        )
        assert hello.endswith("; live from now on")
        other = json.loads(kept_file.read_text()) | {"seq": 1, "key_id": "0123456789abcdef"}
        kept_file.write_text(json.dumps(other))
        foreign, _ = watch(base, tokens["bravo"], "--for", "0.5", state=state)
        assert "is of another ledger (signing key 0123456789abcdef): dropped" in foreign.stdout
        chosen, _ = watch(base, tokens["bravo"], "--after", "0", "--limit", "1", state=state)
        assert chosen.stdout.splitlines()[0].endswith("replaying every event from the start")
        both, _ = watch(base, tokens["bravo"], "--after", "0", "--live", state=state)
        assert both.exit_code == 2


def _event(event_type: str, payload: dict[str, object]) -> EventOut:
    return EventOut(
        seq=7,
        time=datetime(2026, 11, 24, 12, 0, 5, tzinfo=UTC),
        type=event_type,
        actor="alpha-duty",
        payload=payload,
    )


MESSAGE = {
    "message": "msg-3f2a9c0d1b7e4a55",
    "thread": "parties:alpha|bravo",
    "from": "alpha",
    "to": "bravo",
    "priority": "flash",
    "template": "request_delay",
    "params": {"minutes": 15},
    "text": "tanker late",
    "about": None,
    "ack": "ack-1",
    "due_at": "2026-11-24T12:01:05Z",
}


def test_a_message_reads_as_its_rendered_text_with_its_parameters() -> None:
    turkish = describe(_event("message.sent", MESSAGE), "tr").plain
    assert turkish == (
        "12:00:05Z #7 FLASH mesaj msg-3f2a9c0d1b7e4a55, alpha → bravo: Faaliyetinizi 15"
        " dakika ertelemenizi talep ediyoruz. [minutes=15] — tanker late"
    )
    english = describe(_event("message.sent", MESSAGE), "en").plain
    assert "Request you delay your activity by 15 minutes. [minutes=15]" in english
    assert "text=" not in english
    bare = describe(_event("message.sent", MESSAGE | {"template": None, "params": {}}), "en")
    assert bare.plain.endswith("to bravo: tanker late")
    empty = MESSAGE | {"template": None, "params": {}, "text": ""}
    assert describe(_event("message.sent", empty), "en").plain.endswith(": (no text)")


def test_each_event_reads_as_what_happened_in_the_operators_language() -> None:
    filed = {
        "notice": "ntc-1",
        "party": "alpha",
        "version": 2,
        "lead_time_s": 600.0,
        "late_for": ["bravo"],
        "conflicts": [],
    }
    line = describe(_event("notice.filed", filed), "en").plain
    assert (
        line == "12:00:05Z #7 alpha filed notice ntc-1 (v2), lead time 10 min 00 s · LATE (bravo)"
    )
    detected = {
        "conflict": "cfl-1",
        "a": ["notice", "ntc-1", "alpha"],
        "b": ["zone", None, "bravo"],
        "window_start_us": 1_795_017_600_000_000,
    }
    assert describe(_event("conflict.detected", detected), "ru").plain == (
        "12:00:05Z #7 конфликт cfl-1: alpha notice ntc-1 против bravo zone (скрыто),"
        " с 2026-11-18 16:00Z"
    )
    hebrew = describe(_event("zone.withdrawn", {"zone": "zon-1"}), "he").plain
    assert hebrew.endswith("האזור zon-1 בוטל")


def test_the_first_line_says_where_the_stream_starts() -> None:
    me = v1.Me(
        operator="bravo-duty",
        party="bravo",
        name="Bravo Air Command",
        language="tr",
        is_host=False,
        mechanism="levant",
        signing_key_ids=[],
        role="duty",
    )
    assert connected_line(me, 41) == (
        "levant mekanizmasına bravo (Bravo Air Command) operatörü bravo-duty olarak"
        " bağlanıldı; 41 numaralı olaydan sonrasından devam ediliyor"
    )
    english = me.model_copy(update={"language": "en"})
    assert connected_line(english, None).endswith("; live from now on")
    assert connected_line(english, 0).endswith("; replaying every event from the start")


def test_each_object_of_a_line_reads_by_its_name_with_its_id_beside() -> None:
    """A notice by its title, a conflict by both sides and its window, an escalation by its
    subject, party and rung; the id stays beside each name."""
    own = notice_out("ntc-1", "CAP North", party="alpha")
    other = notice_out("ntc-2", "ISR orbit Homs")
    names = Names(None).know([own, other, conflict_out(own, other)])
    filed = {"notice": "ntc-2", "party": "bravo", "version": 1, "lead_time_s": 125.0}
    assert describe(_event("notice.filed", filed), "en", names=names).plain == (
        "12:00:05Z #7 bravo filed notice “ISR orbit Homs” (ntc-2) (v1), lead time 2 min 05 s"
    )
    acked = {"conflict": "cfl-1", "version": 1, "party": "bravo"}
    assert describe(_event("conflict.acknowledged", acked), "en", names=names).plain == (
        "12:00:05Z #7 bravo acknowledged conflict alpha notice “CAP North” × bravo notice"
        " “ISR orbit Homs”, 11-24 15:00Z → 16:00Z (cfl-1)"
    )
    late = {"subject": "conflict", "subject_id": "cfl-1", "party": "alpha", "rung": 2,
            "rung_name": "wing commander"}  # fmt: skip
    assert describe(_event("ack.escalated", late), "en", names=names).plain == (
        "12:00:05Z #7 alpha is late to acknowledge conflict alpha notice “CAP North” × bravo"
        " notice “ISR orbit Homs”, 11-24 15:00Z → 16:00Z (cfl-1): rung 2 (wing commander)"
    )
    detected = {"conflict": "cfl-9", "kind": "separation", "severity": "warning",
                "a": ["track", "4CA1F2", "alpha"], "b": ["track", "4CA740", "bravo"],
                "a_callsign": "THY123"}  # fmt: skip
    assert describe(_event("tactical.detected", detected), "en", names=names).plain == (
        "12:00:05Z #7 WARNING alert cfl-9 (separation): alpha aircraft THY123 against bravo"
        " aircraft 4CA740"
    )  # a track by its callsign; by its id when its feed gave none
    cleared = {"conflict": "cfl-9", "version": 1, "party": "bravo"}
    assert describe(_event("tactical.acknowledged", cleared), "en", names=names).plain == (
        "12:00:05Z #7 bravo acknowledged alert alpha aircraft THY123 × bravo aircraft 4CA740"
        " (cfl-9)"
    )


def test_a_resume_file_that_holds_no_resume_point_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "kept.json"
    assert read_kept(path) is None  # none yet
    path.write_text("not json")
    assert read_kept(path) is None
    write_kept(path, Kept(41, "0123456789abcdef", "bravo-duty", "http://127.0.0.1:8000"))
    assert read_kept(path) == Kept(41, "0123456789abcdef", "bravo-duty", "http://127.0.0.1:8000")
    assert [p.name for p in tmp_path.iterdir()] == ["kept.json"]  # no partial file left
