"""Log lines: one JSON object per line with the request id of the context it was written in,
or uvicorn's and sharedsky's text formats; ``log_config`` is a valid ``dictConfig``."""

from __future__ import annotations

import json
import logging
import logging.config
import sys

import pytest

from sharedsky.api.logs import REQUEST_ID, JsonFormatter, RequestIdFilter, log_config


def _record(name: str = "sharedsky.test", msg: str = "hello %s", args: object = ("world",),
            **extra: object) -> logging.LogRecord:  # fmt: skip
    record = logging.LogRecord(name, logging.INFO, __file__, 1, msg, args, None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_a_json_line_has_time_level_logger_and_message() -> None:
    line = json.loads(JsonFormatter().format(_record()))
    assert line["message"] == "hello world"
    assert line["level"] == "INFO" and line["logger"] == "sharedsky.test"
    assert line["time"].endswith("+00:00") and "T" in line["time"]
    assert "request_id" not in line and "exc_info" not in line


def test_a_json_line_within_a_request_carries_its_id() -> None:
    token = REQUEST_ID.set("req-1")
    try:
        line = json.loads(JsonFormatter().format(_record()))
    finally:
        REQUEST_ID.reset(token)
    assert line["request_id"] == "req-1"


def test_a_json_line_carries_the_exception_and_the_extra_fields() -> None:
    try:
        raise ValueError("bad value")
    except ValueError:
        record = _record(error_id="abc123", client="10.0.0.1:5000")
        record.exc_info = sys.exc_info()
    line = json.loads(JsonFormatter().format(record))
    assert line["error_id"] == "abc123" and line["client"] == "10.0.0.1:5000"
    assert "ValueError: bad value" in line["exc_info"]


def test_uvicorns_access_line_becomes_fields() -> None:
    record = _record(
        "uvicorn.access",
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/v1/me?x=1", "1.1", 200),
    )
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == '127.0.0.1:5000 - "GET /v1/me?x=1 HTTP/1.1" 200'
    assert line["client"] == "127.0.0.1:5000" and line["method"] == "GET"
    assert line["path"] == "/v1/me?x=1" and line["status"] == 200


def test_the_text_filter_fills_in_the_request_id() -> None:
    record = _record()
    assert RequestIdFilter().filter(record)
    assert record.request_id == "-"
    token = REQUEST_ID.set("req-2")
    try:
        later = _record()
        RequestIdFilter().filter(later)
    finally:
        REQUEST_ID.reset(token)
    assert later.request_id == "req-2"


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_the_configuration_applies_to_uvicorn_and_sharedsky(log_format: str) -> None:
    config = log_config(log_format, "warning")
    saved = {name: logging.getLogger(name) for name in ("uvicorn", "uvicorn.access", "sharedsky")}
    before = {name: (lg.handlers[:], lg.level, lg.propagate) for name, lg in saved.items()}
    try:
        logging.config.dictConfig(config)
        assert logging.getLogger("sharedsky").level == logging.WARNING
        handler = logging.getLogger("uvicorn.access").handlers[0]
        expected = JsonFormatter if log_format == "json" else logging.Formatter
        assert isinstance(handler.formatter, expected)
    finally:
        for name, (handlers, level, propagate) in before.items():
            logger = saved[name]
            for extra in logger.handlers[:]:
                if extra not in handlers:
                    logger.removeHandler(extra)
            logger.setLevel(level)
            logger.propagate = propagate


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="text, json"):
        log_config("xml", "info")
