"""Metrics, request ids and the logging of failed authentications and unexpected errors: each
request is counted by its route's template, the host reads the metrics and a party may not,
every response carries a request id, and the log lines written for a request carry it too."""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import cast

import httpx
import pytest
import uvicorn
from _support import Api
from fastapi import FastAPI
from fastapi.routing import APIRoute
from prometheus_client.parser import text_string_to_metric_families

from sharedsky.api.logs import JsonFormatter
from sharedsky.api.observability import request_id_of
from sharedsky.cli.demo import free_port
from sharedsky.service.deadlines import TickResult
from sharedsky.service.webhooks import PassResult


def _metrics_text(api: Api) -> str:
    answer = api.client.get("/metrics", headers=api.as_("host"))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    return answer.text


def _value(text: str, name: str, **labels: str) -> float:
    """The sample ``name`` with exactly ``labels`` (0 when absent)."""
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return float(sample.value)
    return 0.0


def _names(text: str) -> set[str]:
    return {s.name for f in text_string_to_metric_families(text) for s in f.samples}


def test_a_request_is_counted_by_its_route_template_never_its_raw_path(api: Api) -> None:
    template = "/v1/notices/{notice_id}"
    before = _value(
        _metrics_text(api), "sharedsky_http_requests_total", method="GET", route=template,
        status="404",
    )  # fmt: skip
    for notice in ("ntc_a1", "ntc_b2", "ntc_c3"):
        assert api.client.get(f"/v1/notices/{notice}", headers=api.as_("alpha")).status_code == 404
    text = _metrics_text(api)
    after = _value(
        text, "sharedsky_http_requests_total", method="GET", route=template, status="404"
    )
    assert after == before + 3
    assert "ntc_a1" not in text  # no id ever becomes a label
    count = _value(
        text, "sharedsky_http_request_duration_seconds_count", method="GET", route=template
    )
    assert count >= 3


def test_paths_no_route_took_share_one_label(api: Api) -> None:
    api.client.get("/v1/no/such/thing", headers=api.as_("alpha"))
    api.client.get("/v1/nor/this", headers=api.as_("alpha"))
    text = _metrics_text(api)
    assert (
        _value(text, "sharedsky_http_requests_total", method="GET", route="unmatched", status="404")
        == 2
    )
    assert "/v1/no/such/thing" not in text


def test_messages_answered_by_the_fast_lane_are_counted_under_their_route(api: Api) -> None:
    body = {"to": "bravo", "priority": "routine", "text": "radio check"}
    assert api.client.post("/v1/messages", json=body, headers=api.as_("alpha")).status_code == 201
    text = _metrics_text(api)
    labels = {"method": "POST", "route": "/v1/messages", "status": "201"}
    assert _value(text, "sharedsky_http_requests_total", **labels) == 1
    assert _value(text, "sharedsky_ledger_events_appended_total") >= 1


def test_the_metrics_are_the_hosts_a_partys_token_gets_403_forbidden_role(api: Api) -> None:
    refused = api.client.get("/metrics", headers=api.as_("alpha"))
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "forbidden-role"
    assert api.client.get("/metrics").status_code == 401
    names = _names(_metrics_text(api))
    expected = {
        "sharedsky_http_requests_total",
        "sharedsky_ledger_events_appended_total",
        "sharedsky_db_connections_in_use",
        "sharedsky_tracks_live",
        "sharedsky_tactical_alerts_open",
        "sharedsky_event_streams_open",
        "sharedsky_acks_pending",
        "sharedsky_acks_overdue",
        "sharedsky_acks_escalated",
    }
    assert expected <= names


def test_the_acknowledgement_backlog_is_read_per_party_at_each_scrape(api: Api) -> None:
    body = {"to": "bravo", "priority": "flash", "text": "confirm receipt"}
    assert api.client.post("/v1/messages", json=body, headers=api.as_("alpha")).status_code == 201
    text = _metrics_text(api)
    assert _value(text, "sharedsky_acks_pending", party="bravo") == 1
    assert _value(text, "sharedsky_acks_overdue", party="bravo") == 0
    assert _value(text, "sharedsky_acks_pending", party="alpha") == 0  # listed, at 0
    api.env.clock.advance(3600)  # far past the flash deadline
    text = _metrics_text(api)
    assert _value(text, "sharedsky_acks_overdue", party="bravo") == 1


def test_each_apps_metrics_are_its_own(api: Api) -> None:
    from sharedsky.api.app import create_app
    from sharedsky.bootstrap import Container

    other = Container.for_deps(api.env.deps)
    create_app(other)
    api.client.get("/healthz")
    mine, theirs = api.container.metrics, other.metrics
    assert mine.registry is not theirs.registry
    labels = {"method": "GET", "route": "/healthz", "status": "200"}
    assert mine.registry.get_sample_value("sharedsky_http_requests_total", labels) == 1
    assert theirs.registry.get_sample_value("sharedsky_http_requests_total", labels) is None


def test_the_background_workers_report_to_the_metrics(api: Api) -> None:
    metrics = api.container.metrics
    metrics.tick_took(0.012)
    metrics.deadlines_ticked(TickResult(escalated=2, lapsed=1))
    metrics.webhooks_passed(PassResult(delivered=3, failed=2, dead=1, hooks=1))
    text = _metrics_text(api)
    assert _value(text, "sharedsky_tactical_tick_duration_seconds_count") == 1
    assert _value(text, "sharedsky_escalations_total") == 2
    assert _value(text, "sharedsky_webhook_deliveries_total", outcome="delivered") == 3
    assert _value(text, "sharedsky_webhook_deliveries_total", outcome="failed") == 2
    assert _value(text, "sharedsky_webhook_dead_letters_total") == 1


@contextmanager
def _served(app: FastAPI) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10.0
        while not server.started:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10.0)


def test_the_open_streams_gauge_rises_while_a_stream_is_open_and_falls_after(api: Api) -> None:
    app = cast(FastAPI, api.client.app)
    with _served(app) as base:

        def streams_of(party: str) -> float:
            answer = httpx.get(f"{base}/metrics", headers=api.as_("host"), timeout=5.0)
            return _value(answer.text, "sharedsky_event_streams_open", party=party)

        assert streams_of("alpha") == 0
        with httpx.stream("GET", f"{base}/v1/events", headers=api.as_("alpha"), timeout=5.0) as s:
            lines = s.iter_lines()  # held: a line iterator dropped closes the stream
            assert next(lines) == "retry: 1000"
            assert streams_of("alpha") == 1
            assert streams_of("bravo") == 0
        deadline = time.monotonic() + 5.0
        while streams_of("alpha") != 0:
            assert time.monotonic() < deadline, "the stream is still counted after it closed"
            time.sleep(0.05)


def test_failed_authentications_are_counted_by_reason_and_logged_with_the_address(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="sharedsky.api.observability"):
        assert api.client.get("/v1/me").status_code == 401
        bad = {"Authorization": "Bearer not-a-token"}
        assert api.client.get("/v1/me", headers=bad).status_code == 401
        assert api.client.get("/v1/notices", headers=bad).status_code == 401
    text = _metrics_text(api)
    assert _value(text, "sharedsky_auth_failures_total", reason="missing-token") == 1
    assert _value(text, "sharedsky_auth_failures_total", reason="unknown-token") == 2
    lines = [r for r in caplog.records if r.getMessage().startswith("authentication failed")]
    assert len(lines) == 3
    assert lines[1].levelno == logging.WARNING
    assert "from testclient:" in lines[1].getMessage()  # the TestClient's address
    assert getattr(lines[1], "reason", None) == "unknown-token"


def test_a_failed_signature_is_counted_as_such(api: Api) -> None:
    key = {"public_key": "A" * 43}
    registered = api.client.post("/v1/ledger/operator-keys", json=key, headers=api.as_("alpha"))
    assert registered.status_code == 201, registered.text
    body = {"to": "bravo", "priority": "routine", "text": "unsigned"}
    refused = api.client.post("/v1/messages", json=body, headers=api.as_("alpha"))
    assert refused.status_code == 401
    text = _metrics_text(api)
    assert _value(text, "sharedsky_auth_failures_total", reason="missing-signature") == 1


def test_every_response_carries_a_request_id_a_sane_one_echoed(api: Api) -> None:
    first = api.client.get("/healthz").headers["x-request-id"]
    second = api.client.get("/healthz").headers["x-request-id"]
    assert len(first) == 32 and first != second
    mine = "trace-42.abc_DEF"
    assert (
        api.client.get("/healthz", headers={"X-Request-Id": mine}).headers["x-request-id"] == mine
    )
    for insane in ("x" * 129, "two words", "semi;colon", ""):
        echoed = api.client.get("/healthz", headers={"X-Request-Id": insane})
        assert echoed.headers["x-request-id"] != insane
    refused = api.client.get("/v1/me", headers={"X-Request-Id": "r-401"})
    assert refused.status_code == 401 and refused.headers["x-request-id"] == "r-401"


def test_request_ids_are_made_only_of_sane_characters() -> None:
    scope = {"headers": [(b"x-request-id", "é".encode())]}
    ids = random.Random(7)
    made = {request_id_of(scope, ids) for _ in range(100)}
    assert len(made) == 100
    assert all(len(m) == 32 and set(m) <= set("0123456789abcdef") for m in made)


def _raising_app(api: Api) -> FastAPI:
    app = cast(FastAPI, api.client.app)

    def boom() -> None:
        raise RuntimeError("boom")

    app.router.routes.insert(0, APIRoute("/v1/boom", boom, methods=["GET"]))
    return app


def test_an_unexpected_error_is_a_500_with_the_request_id_and_a_logged_error_id(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    _raising_app(api)
    handler = logging.Handler()
    lines: list[str] = []
    handler.emit = lambda record: lines.append(JsonFormatter().format(record))
    logger = logging.getLogger("sharedsky")
    logger.addHandler(handler)
    try:
        answer = api.client.get("/v1/boom", headers={"X-Request-Id": "req-500"})
    finally:
        logger.removeHandler(handler)
    assert answer.status_code == 500
    assert answer.headers["x-request-id"] == "req-500"
    assert answer.headers["x-content-type-options"] == "nosniff"
    error_id = answer.json()["error_id"]
    logged = [json.loads(line) for line in lines]
    [line] = [x for x in logged if x.get("error_id") == error_id]
    assert line["request_id"] == "req-500"
    assert line["level"] == "ERROR"
    assert error_id in line["message"]
    assert "RuntimeError: boom" in line["exc_info"]
    labels = {"method": "GET", "route": "/v1/boom", "status": "500"}
    assert _value(_metrics_text(api), "sharedsky_http_requests_total", **labels) == 1


def test_log_lines_within_a_request_carry_its_id(api: Api) -> None:
    lines: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(JsonFormatter().format(record))
    logger = logging.getLogger("sharedsky")
    logger.addHandler(handler)
    try:
        api.client.get("/v1/me", headers={"Authorization": "Bearer nope", "X-Request-Id": "r-7"})
    finally:
        logger.removeHandler(handler)
    [line] = [json.loads(x) for x in lines]
    assert line["request_id"] == "r-7"
    assert line["logger"] == "sharedsky.api.observability"
    assert line["reason"] == "unknown-token"
    assert line["client"].startswith("testclient:")
    assert line["time"].endswith("+00:00")
