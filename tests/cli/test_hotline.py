"""``sharedsky msg …`` through CliRunner, against the real app (injected as ``obj["http"]``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, cast

import pytest
import typer
from _support import THREE_PARTY_YAML, Api, make_env
from fastapi import FastAPI
from typer.testing import CliRunner, Result

from sharedsky.api.routes import messages
from sharedsky.cli.hotline import app as msg_app
from sharedsky.cli.hotline import parse_param
from sharedsky.store.uow import Database
from sharedsky.testing.fakes import FakeClock

cli = typer.Typer()
cli.add_typer(msg_app, name="msg")


@pytest.fixture
def hot(database: Database, clock: FakeClock) -> Iterator[Api]:
    """The API over the three-party mechanism, with the hotline's routes."""
    holder = Api(make_env(database, clock, THREE_PARTY_YAML))
    app = cast(FastAPI, holder.client.app)
    if not any(getattr(r, "path", None) == "/v1/messages" for r in app.routes):
        app.include_router(messages.router)
    with holder.client:
        yield holder


def run(api: Api, *args: str, party: str = "alpha") -> Result:
    """Invoke ``msg …`` as ``party``'s operator over the in-process app."""
    return CliRunner().invoke(
        cli,
        ["msg", *args, "--token", api.env.tokens[party]],
        obj={"http": api.client, "clock": api.env.clock},
        env={"COLUMNS": "200", "SHAREDSKY_TOKEN": None},
    )


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def as_json(result: Result) -> Any:
    return json.loads(ok(result).stdout)


def test_send_list_and_ack_a_templated_message(hot: Api) -> None:
    """R-MSG-2, R-MSG-4: send with --param; bravo lists it in Turkish and acknowledges."""
    sent = as_json(
        run(
            hot,
            "send",
            "--to",
            "bravo",
            "--template",
            "request_delay",
            "--param",
            "minutes=20",
            "--priority",
            "flash",
            "--text",
            "tanker on station",
            "--json",
        )
    )
    assert sent["params"] == {"minutes": 20} and sent["priority"] == "flash"
    listed = ok(run(hot, "list", party="bravo")).stdout
    assert sent["id"] in listed
    assert "Faaliyetinizi 20 dakika ertelemenizi talep ediyoruz." in listed
    assert "tanker on station" in listed and "FLASH" in listed
    hot.env.clock.advance(30)
    acked = ok(run(hot, "ack", sent["id"], party="bravo")).stdout
    assert f"Acknowledged message {sent['id']}" in acked and "bravo-duty" in acked
    shown = as_json(run(hot, "list", "--thread", sent["thread"], "--json"))
    assert shown["messages"][0]["acknowledgement"]["acked_by"] == "bravo-duty"


def test_quiet_prints_the_id_sent_and_the_ids_listed(hot: Api) -> None:
    sent = ok(run(hot, "send", "--to", "bravo", "--template", "standby", "-q")).stdout
    message_id = sent.strip()
    assert sent == f"{message_id}\n" and message_id.startswith("msg-")
    assert ok(run(hot, "list", "--quiet", party="bravo")).stdout == f"{message_id}\n"
    refused = run(hot, "send", "--to", "bravo", "--template", "standby", "--json", "-q")
    assert refused.exit_code == 2 and "--json or --quiet" in " ".join(refused.output.split())
    assert as_json(run(hot, "list", "--json", party="bravo"))["messages"][0]["id"] == message_id


def test_send_prints_the_message_and_its_due_time(hot: Api) -> None:
    """R-MSG-4: the human output names the thread and the due time of the priority."""
    out = ok(
        run(
            hot,
            "send",
            "--to",
            "charlie",
            "--template",
            "aircraft_in_distress",
            "--param",
            "callsign=RESCUE 21",
            "--param",
            "lat=34.5",
            "--param",
            "lon=36",
            "--priority",
            "priority",
        )
    ).stdout
    assert "parties:alpha|charlie" in out and "ack due 2026-11-24 12:05Z" in out
    assert "call sign RESCUE 21; position latitude 34.5, longitude 36." in out


def test_a_message_about_a_notice_and_free_text_alone(hot: Api) -> None:
    """R-MSG-3: --about names the thread; free text may go alone."""
    body = {
        "kind": "uav",
        "title": "orbit",
        "volumes": [
            {
                "outline": {"type": "Circle", "center": [36.5, 34.8], "radius_m": 20000},
                "altitude": {"lower_m": 3000, "upper_m": 9000},
                "time": {"start": "2026-11-24T15:00:00Z", "end": "2026-11-24T17:00:00Z"},
            }
        ],
    }
    notice_id = hot.client.post("/v1/notices", json=body, headers=hot.as_("bravo")).json()["id"]
    sent = as_json(
        run(
            hot,
            "send",
            "--to",
            "bravo",
            "--about",
            f"notice:{notice_id}",
            "--text",
            "which orbit altitude?",
            "--json",
            party="charlie",
        )
    )
    assert sent["thread"] == f"notice:{notice_id}" and sent["rendered"] is None
    thread = as_json(run(hot, "list", "--thread", f"notice:{notice_id}", "--json", party="bravo"))
    assert [m["id"] for m in thread["messages"]] == [sent["id"]]


def test_refusals_print_the_reason_and_the_path(hot: Api) -> None:
    """R-MSG-1: the server's 422 reaches the operator with the field path."""
    result = run(hot, "send", "--to", "bravo", "--template", "request_delay")
    assert result.exit_code == 1
    assert "needs parameter 'minutes'" in result.output and "at: params.minutes" in result.output
    bad = run(hot, "send", "--to", "bravo", "--template", "request_delay", "--param", "minutes=x")
    assert bad.exit_code == 2 and "whole number" in bad.output
    about = run(hot, "send", "--to", "bravo", "--text", "hi", "--about", "zone:z-1")
    assert about.exit_code == 2 and "notice:ID or conflict:ID" in about.output
    assert "no messages" in ok(run(hot, "list", party="charlie")).stdout


def test_parameters_take_the_type_of_their_spec() -> None:
    """--param values are typed by the catalogue (text stays text even when it looks numeric)."""
    assert parse_param("minutes=20", "request_delay") == ("minutes", 20)
    assert parse_param("lat=34", "aircraft_in_distress") == ("lat", 34.0)
    assert parse_param("reason=42", "unable_to_comply") == ("reason", "42")
    assert parse_param("x=1.5", None) == ("x", 1.5)
    assert parse_param("x=7", "nope") == ("x", 7)
    assert parse_param("x=a=b", None) == ("x", "a=b")
    with pytest.raises(typer.BadParameter):
        parse_param("novalue", None)


def test_templates_list_their_parameters_in_the_readers_language(hot: Api) -> None:
    own = run(hot, "templates", party="bravo")  # bravo reads Turkish
    assert own.exit_code == 0, own.output
    text = " ".join(own.stdout.split())
    assert "Templates in tr" in text
    assert "request_delay" in text and "minutes: whole number 1–1440 min" in text
    assert "Faaliyetinizi {minutes} dakika ertelemenizi talep ediyoruz." in text
    assert "aircraft_in_distress" in text and "lat: number -90–90 deg" in text
    english = " ".join(run(hot, "templates", "--lang", "en", party="bravo").stdout.split())
    assert "Request you delay your activity by {minutes} minutes." in english
    arabic = run(hot, "templates", "--lang", "ar", "--json")
    listing = json.loads(arabic.stdout)
    assert listing["language"] == "ar" and len(listing["templates"]) == 26
    unknown = " ".join(run(hot, "templates", "--lang", "xx").stdout.split())
    assert "no catalogue in 'xx': the patterns are in en" in unknown


def test_reply_answers_a_message_in_one_command(hot: Api) -> None:
    """R-MSG-5: ``msg reply ID wilco`` (any case); the list shows the reply; a second reply
    and an unexpected one print their reasons and fail."""
    sent = as_json(run(hot, "send", "--to", "bravo", "--template", "hold_position", "--json"))
    waiting = " ".join(ok(run(hot, "list", party="bravo")).stdout.split())
    assert "reply WILCO/UNABLE" in waiting
    hot.env.clock.advance(20)
    replied = " ".join(ok(run(hot, "reply", sent["id"], "wilco", party="bravo")).stdout.split())
    assert f"Replied WILCO (Anlaşıldı, uyacağız) to message {sent['id']}" in replied
    assert "by bravo-duty" in replied
    listed = " ".join(ok(run(hot, "list")).stdout.split())
    assert "WILCO (Wilco: will comply)" in listed and "by bravo-duty" in listed
    twice = run(hot, "reply", sent["id"], "UNABLE", party="bravo")
    assert twice.exit_code != 0 and "already-replied" in twice.output
    free = as_json(run(hot, "send", "--to", "bravo", "--text", "hello", "--json"))
    refused = run(hot, "reply", free["id"], "WILCO", party="bravo")
    assert refused.exit_code != 0 and "unexpected-reply" in refused.output
    assert "expects no reply" in " ".join(refused.output.split())


def test_reply_json_prints_the_message_with_its_reply(hot: Api) -> None:
    """R-MSG-5: ``--json`` prints the message replied to."""
    sent = as_json(run(hot, "send", "--to", "bravo", "--template", "confirm_receipt", "--json"))
    answered = as_json(run(hot, "reply", sent["id"], "AFFIRM", "--json", party="bravo"))
    assert (
        answered["reply"]["reply"] == "AFFIRM" and answered["reply"]["replied_by"] == "bravo-duty"
    )
    templates = " ".join(ok(run(hot, "templates", "--lang", "en")).stdout.split())
    assert "AFFIRM (Affirm: yes)" in templates and "approaching_protected_zone" in templates
