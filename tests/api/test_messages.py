"""The hotline over HTTP: POST/GET /v1/messages, acknowledgements, /v1/templates, bad input."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, cast

import _bodies as bodies
import pytest
from _support import THREE_PARTY_YAML, Api, make_env
from fastapi import FastAPI

from sharedsky.api.routes import messages
from sharedsky.client import Client, ClientError, NotFoundError, hotline
from sharedsky.client.hotline import HotlineMixin
from sharedsky.store.uow import Database
from sharedsky.testing.fakes import FakeClock
from sharedsky.wire import v1


@pytest.fixture
def hot(database: Database, clock: FakeClock) -> Iterator[Api]:
    """The API over the three-party mechanism (alpha en, bravo tr, charlie ar), with the
    hotline's routes."""
    holder = Api(make_env(database, clock, THREE_PARTY_YAML))
    app = cast(FastAPI, holder.client.app)
    if not any(getattr(r, "path", None) == "/v1/messages" for r in app.routes):
        app.include_router(messages.router)
    with holder.client:
        yield holder


def post(api: Api, party: str, body: dict[str, Any], key: str | None = None) -> Any:
    headers = api.as_(party) | ({"Idempotency-Key": key} if key else {})
    return api.client.post("/v1/messages", json=body, headers=headers)


DELAY = {"to": "bravo", "priority": "flash", "template": "request_delay", "params": {"minutes": 20}}


def test_a_sent_message_is_read_in_the_recipients_language(hot: Api) -> None:
    """R-MSG-2: bravo (tr) reads Turkish, alpha (en) English; both carry rendered_en."""
    response = post(hot, "alpha", {**DELAY, "text": "tanker on station"})
    assert response.status_code == 201, response.text
    sent = response.json()
    assert sent["from"] == "alpha" and sent["to"] == "bravo" and sent["sent_by"] == "alpha-duty"
    assert sent["thread"] == "parties:alpha|bravo"
    assert sent["language"] == "en"
    assert sent["rendered"] == "Request you delay your activity by 20 minutes."
    assert sent["params"] == {"minutes": 20} and sent["text"] == "tanker on station"
    assert sent["sent_at"] == "2026-11-24T12:00:00Z"
    ack = sent["acknowledgement"]
    assert ack["status"] == "pending" and ack["party"] == "bravo"
    assert ack["due_at"] == "2026-11-24T12:01:00Z"  # flash: 60 s
    inbox = hot.client.get("/v1/messages", headers=hot.as_("bravo")).json()["messages"]
    assert [m["id"] for m in inbox] == [sent["id"]]
    assert inbox[0]["language"] == "tr"
    assert inbox[0]["rendered"] == "Faaliyetinizi 20 dakika ertelemenizi talep ediyoruz."
    assert inbox[0]["rendered_en"] == sent["rendered"]


def test_only_sender_recipient_and_host_see_a_message(hot: Api) -> None:
    """R-MSG-3: charlie gets 404 for alpha→bravo; the host sees it."""
    sent = post(hot, "alpha", DELAY).json()
    path = f"/v1/messages/{sent['id']}"
    assert hot.client.get(path, headers=hot.as_("bravo")).status_code == 200
    host = hot.client.get(path, headers=hot.as_("host"))
    assert host.status_code == 200 and host.json()["language"] == "en"
    missing = hot.client.get(path, headers=hot.as_("charlie"))
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert hot.client.get("/v1/messages", headers=hot.as_("charlie")).json()["messages"] == []
    thread = hot.client.get(
        "/v1/messages", params={"thread": sent["thread"]}, headers=hot.as_("charlie")
    )
    assert thread.json()["messages"] == []
    assert hot.client.post(f"{path}/ack", headers=hot.as_("charlie")).status_code == 404
    assert hot.client.get(path).status_code == 401


def test_a_thread_lists_oldest_first_and_arabic_reads_arabic(hot: Api) -> None:
    """R-MSG-2, R-MSG-3: the pair's thread, in order; charlie (ar) reads Arabic."""
    first = post(hot, "charlie", {"to": "bravo", "template": "communications_check"}).json()
    hot.env.clock.advance(30)
    second = post(hot, "bravo", {"to": "charlie", "template": "standby"}).json()
    assert first["thread"] == second["thread"] == "parties:bravo|charlie"
    listed = hot.client.get(
        "/v1/messages", params={"thread": first["thread"]}, headers=hot.as_("charlie")
    ).json()["messages"]
    assert [m["id"] for m in listed] == [first["id"], second["id"]]
    assert listed[1]["rendered"] == "انتظروا." and listed[1]["language"] == "ar"
    mine = hot.client.get("/v1/messages", params={"limit": 1}, headers=hot.as_("charlie"))
    assert [m["id"] for m in mine.json()["messages"]] == [second["id"]]


def test_acknowledging_records_who_and_when_and_leaves_the_inbox(hot: Api) -> None:
    """R-MSG-4: POST /v1/messages/{id}/ack by the recipient; the sender cannot."""
    sent = post(hot, "alpha", DELAY).json()
    pending = hot.client.get("/v1/acks/pending", headers=hot.as_("bravo")).json()
    assert [(a["subject"], a["subject_id"]) for a in pending["acknowledgements"]] == [
        ("message", sent["id"])
    ]
    hot.env.clock.advance(45)
    path = f"/v1/messages/{sent['id']}/ack"
    assert hot.client.post(path, headers=hot.as_("alpha")).status_code == 409
    done = hot.client.post(path, headers=hot.as_("bravo"))
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["subject"] == "message" and body["status"] == "acknowledged"
    assert body["acked_by"] == "bravo-duty" and body["acked_at"] == "2026-11-24T12:00:45Z"
    after = hot.client.get("/v1/acks/pending", headers=hot.as_("bravo")).json()
    assert after["acknowledgements"] == []
    shown = hot.client.get(f"/v1/messages/{sent['id']}", headers=hot.as_("alpha")).json()
    assert shown["acknowledgement"]["acked_by"] == "bravo-duty"


def test_a_retried_post_returns_the_first_message(hot: Api) -> None:
    """R-IDEM-1: the same Idempotency-Key sends once; another body with it gets 422."""
    first = post(hot, "alpha", DELAY, key="k-1")
    again = post(hot, "alpha", DELAY, key="k-1")
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    listed = hot.client.get("/v1/messages", headers=hot.as_("host")).json()["messages"]
    assert len(listed) == 1
    other = post(hot, "alpha", {**DELAY, "params": {"minutes": 30}}, key="k-1")
    assert other.status_code == 422 and other.json()["path"] == ["Idempotency-Key"]
    ack_path = f"/v1/messages/{first.json()['id']}/ack"
    headers = hot.as_("bravo") | {"Idempotency-Key": "a-1"}
    assert hot.client.post(ack_path, headers=headers).json() == (
        hot.client.post(ack_path, headers=headers).json()
    )


@pytest.mark.parametrize(
    ("body", "path", "words"),
    [
        ({"to": "bravo", "template": "request_pizza"}, ["template"], "unknown template"),
        ({"to": "bravo", "template": "request_delay"}, ["params", "minutes"], "needs"),
        (
            {"to": "bravo", "template": "request_delay", "params": {"minutes": 5, "hours": 1}},
            ["params", "hours"],
            "no parameter",
        ),
        (
            {"to": "bravo", "template": "request_delay", "params": {"minutes": "soon"}},
            ["params", "minutes"],
            "whole number",
        ),
        (
            {"to": "bravo", "template": "request_delay", "params": {"minutes": True}},
            ["params", "minutes"],
            "whole number",
        ),
        (
            {"to": "bravo", "template": "request_delay", "params": {"minutes": [5]}},
            ["params", "minutes"],
            "whole number",
        ),
        ({"to": "zulu", "text": "hello"}, ["to"], "no party"),
        ({"to": "alpha", "text": "hello"}, ["to"], "own party"),
        ({"to": "bravo", "text": "x" * 2001}, ["text"], "at most 2000"),
        ({"to": "bravo"}, ["text"], "template, free text"),
        ({"to": "bravo", "text": "hi", "priority": "urgent"}, ["priority"], "routine"),
        (
            {"to": "bravo", "text": "hi", "about": {"type": "zone", "id": "z"}},
            ["about", "type"],
            "",
        ),
        ({"to": "bravo", "template": "request_clarification"}, ["about"], "about a notice"),
    ],
)
def test_bad_input_gets_422_with_the_field_path(
    hot: Api, body: dict[str, Any], path: list[str], words: str
) -> None:
    """R-MSG-1, R-INPUT-1: unknown template, missing/unknown/wrong-typed parameter, a
    recipient outside the mechanism or oneself, oversize text, neither template nor text."""
    response = post(hot, "alpha", body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["path"] == path
    assert words in problem["detail"]
    assert hot.client.get("/v1/messages", headers=hot.as_("host")).json()["messages"] == []


JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    ("headers", "content", "status", "path", "detail"),
    [
        ({"Authorization": "Bearer nope"}, None, 401, [], "unknown token"),
        ({}, None, 401, [], "a bearer token is required"),
        (
            {"Content-Type": "text/plain"},
            b'{"to": "bravo", "text": "hi"}',
            422,
            [],
            "request: Input should be a valid dictionary or object to extract fields from",
        ),
        (
            JSON,
            b'{"to": "bravo", "text": ',
            422,
            [],
            "the body is not valid JSON: Expecting value at line 1, column 25",
        ),
        (JSON, b'{"to": 5, "text": "hi"}', 422, ["to"], "to: Input should be a valid string"),
        (
            JSON,
            b'{"to": "bravo", "text": "hi", "x": 1}',
            422,
            ["x"],
            "x: Extra inputs are not permitted",
        ),
        (
            JSON,
            b'{"to": "bravo", "template": "pizza"}',
            422,
            ["template"],
            "unknown template 'pizza'; GET /v1/templates lists them",
        ),
        (JSON, b'{"to": "zulu", "text": "hi"}', 422, ["to"], "no party 'zulu' in this mechanism"),
        (
            JSON,
            b'{"to": "bravo", "text": "' + b"x" * 2001 + b'"}',
            422,
            ["text"],
            "text has 2001 characters; at most 2000",
        ),
        (JSON, b"", 422, [], "request: Field required"),
        (
            {"Idempotency-Key": ""},
            None,
            422,
            ["Idempotency-Key"],
            "Idempotency-Key must have 1 to 200 characters",
        ),
    ],
)
def test_a_refused_message_gets_its_problem_and_nothing_is_sent(
    hot: Api,
    headers: dict[str, str],
    content: bytes | None,
    status: int,
    path: list[str | int],
    detail: str,
) -> None:
    """R-INPUT-1: a bad or missing token (401), a body that is not JSON or does not validate,
    a refused draft, a bad Idempotency-Key (422): a problem naming where, and nothing sent."""
    if content is not None or "Idempotency-Key" in headers:
        headers = hot.as_("alpha") | headers
    if content is None:
        answer = hot.client.post("/v1/messages", json=DELAY, headers=headers)
    else:
        answer = hot.client.post("/v1/messages", content=content, headers=headers)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["code"] == ("unauthenticated" if status == 401 else "invalid-input")
    assert (problem["path"], problem["detail"]) == (path, detail)
    assert hot.client.get("/v1/messages", headers=hot.as_("host")).json()["messages"] == []


def test_a_message_about_a_notice_goes_only_where_it_is_visible(hot: Api) -> None:
    """R-MSG-3: 404 for an object the sender cannot see; 422 at ``to`` for a recipient that
    cannot see it; the notice's thread otherwise."""
    filed = hot.client.post("/v1/notices", json=bodies.notice(), headers=hot.as_("bravo"))
    assert filed.status_code == 201, filed.text
    about = {"type": "notice", "id": filed.json()["id"]}
    clarify = {"template": "request_clarification", "about": about}
    unseen = post(hot, "alpha", {"to": "bravo", **clarify})  # conflicts_only: alpha sees nothing
    assert unseen.status_code == 404
    refused = post(hot, "bravo", {"to": "alpha", "text": "heads up", "about": about})
    assert refused.status_code == 422 and refused.json()["path"] == ["to"]
    asked = post(hot, "charlie", {"to": "bravo", **clarify})  # bravo–charlie: full
    assert asked.status_code == 201, asked.text
    assert asked.json()["thread"] == f"notice:{about['id']}"
    assert asked.json()["about"] == about
    assert asked.json()["rendered"] == "نطلب توضيحاً بشأن هذا الإخطار."
    missing = post(hot, "charlie", {"to": "bravo", **clarify, "about": {**about, "id": "ntc-x"}})
    assert missing.status_code == 404


def test_the_template_catalogue_lists_parameters_and_patterns(hot: Api) -> None:
    """R-MSG-2: GET /v1/templates in the caller's language, or ``lang``."""
    own = hot.client.get("/v1/templates", headers=hot.as_("bravo")).json()
    assert own["language"] == "tr"
    assert set(own["languages"]) >= {"en", "tr", "he", "ru", "ar"}
    assert len(own["templates"]) == 26
    delay = next(t for t in own["templates"] if t["id"] == "request_delay")
    assert delay["pattern"] == "Faaliyetinizi {minutes} dakika ertelemenizi talep ediyoruz."
    assert delay["params"] == [
        {
            "name": "minutes",
            "type": "int",
            "minimum": 1,
            "maximum": 1440,
            "max_chars": None,
            "unit": "min",
        }
    ]
    russian = hot.client.get("/v1/templates", params={"lang": "ru"}, headers=hot.as_("bravo"))
    assert russian.json()["language"] == "ru"
    french = hot.client.get("/v1/templates", params={"lang": "fr"}, headers=hot.as_("alpha"))
    assert french.json()["language"] == "en"
    clarify = next(t for t in french.json()["templates"] if t["id"] == "request_clarification")
    assert clarify["about"] == ["notice"]


def test_the_sdk_reaches_every_hotline_route(hot: Api) -> None:
    """R-MSG-4: the SDK's hotline calls, as functions and as mixed-in methods."""
    alpha = Client("http://testserver", hot.env.tokens["alpha"], http=hot.client)
    bravo = Client("http://testserver", hot.env.tokens["bravo"], http=hot.client)
    assert isinstance(bravo, HotlineMixin)  # the hotline calls are methods of the SDK client
    sent = hotline.send_message(
        alpha, v1.MessageIn(to="bravo", template="hold_position", priority="priority")
    )
    assert bravo.get_message(sent.id).rendered == "Konumunuzu koruyun."
    assert [m.id for m in bravo.list_messages(thread=sent.thread)] == [sent.id]
    assert bravo.ack_message(sent.id).acked_by == "bravo-duty"
    assert hotline.get_message(alpha, sent.id).acknowledgement is not None
    assert hotline.list_templates(alpha, "he").language == "he"
    assert len(bravo.list_templates().templates) == 26
    with pytest.raises(NotFoundError):
        hotline.get_message(alpha, "msg-none")


# -- replies (R-MSG-5) ---------------------------------------------------------------------


def reply(api: Api, party: str, message_id: str, body: Any) -> Any:
    return api.client.post(f"/v1/messages/{message_id}/reply", json=body, headers=api.as_(party))


def written(api: Api) -> list[str]:
    """The types of the ledger's entries but the deliveries (a read delivers what it shows)."""
    events = api.env.deps.db.run(lambda uow: uow.events.after(0), readonly=True)
    return [e.type for e in events if e.type != "delivery.recorded"]


def stream_types(api: Api, party: str, count: int) -> list[tuple[str, dict[str, Any]]]:
    """The first ``count`` events of ``party``'s stream: (type, payload)."""
    answer = api.client.get(f"/v1/events?after=0&limit={count}", headers=api.as_(party))
    assert answer.status_code == 200, answer.text
    found = []
    for block in answer.text.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.split("\n") if ": " in line)
        if "id" in lines and "data" in lines:
            found.append((lines["event"], json.loads(lines["data"])["payload"]))
    return found


def test_a_one_call_reply_closes_the_message_and_reaches_the_sender(hot: Api) -> None:
    """R-MSG-5: bravo (tr) replies WILCO; the answer and alpha's reading carry the reply,
    the acknowledgement is settled, and alpha's stream carries ``message.replied``."""
    sent = post(hot, "alpha", DELAY).json()
    assert [r["reply"] for r in sent["replies"]] == ["WILCO", "UNABLE"]
    assert sent["replies"][0]["words"] == "Wilco: will comply" and sent["reply"] is None
    read = hot.client.get(f"/v1/messages/{sent['id']}", headers=hot.as_("bravo")).json()
    assert read["replies"][0] == {
        "reply": "WILCO",
        "words": "Anlaşıldı, uyacağız",
        "words_en": "Wilco: will comply",
    }
    hot.env.clock.advance(12)
    answer = reply(hot, "bravo", sent["id"], {"reply": "WILCO"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["reply"] == {
        "reply": "WILCO",
        "words": "Anlaşıldı, uyacağız",
        "replied_by": "bravo-duty",
        "replied_at": "2026-11-24T12:00:12Z",
    }
    assert body["acknowledgement"]["status"] == "acknowledged"
    assert body["acknowledgement"]["acked_at"] == "2026-11-24T12:00:12Z"
    pending = hot.client.get("/v1/acks/pending", headers=hot.as_("bravo")).json()
    assert pending["acknowledgements"] == []
    shown = hot.client.get(f"/v1/messages/{sent['id']}", headers=hot.as_("alpha")).json()
    assert shown["reply"]["reply"] == "WILCO" and shown["reply"]["words"] == "Wilco: will comply"
    events = stream_types(hot, "alpha", 2)
    assert [t for t, _ in events] == ["message.sent", "message.replied"]
    replied = events[1][1]
    assert replied["reply"] == "WILCO" and replied["from"] == "alpha" and replied["to"] == "bravo"


@pytest.mark.parametrize(
    ("who", "template", "body", "status", "code"),
    [
        ("bravo", "request_delay", {"reply": "AFFIRM"}, 422, "unexpected-reply"),
        ("bravo", "request_delay", {"reply": "MAYBE"}, 422, "unexpected-reply"),
        ("bravo", "standby", {"reply": "WILCO"}, 422, "unexpected-reply"),
        ("bravo", None, {"reply": "WILCO"}, 422, "unexpected-reply"),
        ("bravo", "request_delay", {}, 422, "invalid-input"),
        ("bravo", "request_delay", {"reply": ""}, 422, "invalid-input"),
        ("bravo", "request_delay", {"reply": 7}, 422, "invalid-input"),
        ("bravo", "request_delay", {"reply": "WILCO", "extra": 1}, 422, "invalid-input"),
        ("alpha", "request_delay", {"reply": "WILCO"}, 403, "forbidden"),
        ("host", "request_delay", {"reply": "WILCO"}, 403, "forbidden"),
        ("charlie", "request_delay", {"reply": "WILCO"}, 404, "not-found"),
    ],
)
def test_a_bad_reply_gets_its_problem_and_changes_nothing(
    hot: Api, who: str, template: str | None, body: Any, status: int, code: str
) -> None:
    """R-MSG-5: a reply not declared 422, the sender 403, a stranger 404; nothing changes."""
    message: dict[str, Any] = {"to": "bravo", "text": "free text"}
    if template == "request_delay":
        message = DELAY
    elif template is not None:
        message = {"to": "bravo", "template": template}
    sent = post(hot, "alpha", message).json()
    head = written(hot)
    answer = reply(hot, who, sent["id"], body)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["code"] == code
    if code == "unexpected-reply":
        assert answer.json()["path"] == ["reply"]
    assert written(hot) == head
    shown = hot.client.get(f"/v1/messages/{sent['id']}", headers=hot.as_("bravo")).json()
    assert shown["reply"] is None and shown["acknowledgement"]["status"] == "pending"


def test_replying_twice_gets_409_and_a_retried_key_the_first_answer(hot: Api) -> None:
    """R-MSG-5, R-IDEM-1: a second reply conflicts; the same Idempotency-Key replays."""
    sent = post(hot, "alpha", {"to": "bravo", "template": "confirm_receipt"}).json()
    path = f"/v1/messages/{sent['id']}/reply"
    keyed = hot.as_("bravo") | {"Idempotency-Key": "r-1"}
    first = hot.client.post(path, json={"reply": "AFFIRM"}, headers=keyed)
    assert first.status_code == 200, first.text
    again = hot.client.post(path, json={"reply": "AFFIRM"}, headers=keyed)
    assert again.status_code == 200 and again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    twice = reply(hot, "bravo", sent["id"], {"reply": "AFFIRM"})
    assert twice.status_code == 409 and twice.json()["code"] == "already-replied"


def test_the_catalogue_lists_each_templates_replies_in_the_readers_language(hot: Api) -> None:
    """R-MSG-5: GET /v1/templates gives each template's replies with their words."""
    arabic = hot.client.get("/v1/templates", headers=hot.as_("charlie")).json()
    by_id = {t["id"]: t for t in arabic["templates"]}
    assert [r["reply"] for r in by_id["unintentional_entry"]["replies"]] == ["AFFIRM", "NEGATIVE"]
    assert by_id["unintentional_entry"]["replies"][0]["words"] == "بالإيجاب: نعم"
    assert by_id["standby"]["replies"] == []
    assert "{callsign}" in by_id["emergency_declared"]["pattern"]


def test_the_sdk_replies_in_one_call(hot: Api) -> None:
    """R-MSG-5: ``client.reply_message`` and ``hotline.reply_message``."""
    alpha = Client("http://testserver", hot.env.tokens["alpha"], http=hot.client)
    bravo = Client("http://testserver", hot.env.tokens["bravo"], http=hot.client)
    body = v1.MessageIn(
        to="bravo",
        template="live_firing_in_area",
        params={"area": "Range 3", "start": "10:00", "end": "12:00", "upper_m": 4500},
    )
    sent = alpha.send_message(body)
    answered = bravo.reply_message(sent.id, "UNABLE")
    assert answered.reply is not None and answered.reply.reply == "UNABLE"
    assert alpha.get_message(sent.id).reply is not None
    with pytest.raises(ClientError) as caught:
        hotline.reply_message(bravo, sent.id, "WILCO")
    assert (caught.value.status, caught.value.code) == (409, "already-replied")
    other = alpha.send_message(v1.MessageIn(to="bravo", template="hold_position"))
    with pytest.raises(ClientError) as caught:
        bravo.reply_message(other.id, "AFFIRM")
    assert (caught.value.status, caught.value.code) == (422, "unexpected-reply")
