"""``sharedsky watch``: each event as one line in the operator's language (a message with its
rendered text and parameters), a first line on connecting; through CliRunner against a real
server process (a stream never ends by itself, so the in-process app cannot serve it),
``--limit`` and ``--for`` end it with exit 0 and ``--json`` prints the events as sent."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from _servers import init, orbit, post, serve
from typer.testing import CliRunner, Result

from sharedsky.cli import app
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


def watch(base: str, token: str, *args: str) -> tuple[Result, float]:
    """``watch`` as the operator of ``token``; the result and the seconds it took."""
    started = time.monotonic()
    result = CliRunner().invoke(
        app,
        ["watch", "--url", base, "--token", token, *args],
        env={"COLUMNS": "300", "SHAREDSKY_TOKEN": None, "SHAREDSKY_URL": None},
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
        assert f"alpha filed notice {filed['id']} (v1), lead time" in line
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
