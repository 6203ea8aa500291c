"""The server's log lines: plain text (the default) or one JSON object per line, each carrying
the id of the request it was written in (``REQUEST_ID``, set by ``api/observability.py``), with
uvicorn's access and error logs formatted the same way.

``log_config(format, level)`` is the ``logging.config.dictConfig`` dictionary that ``serve``
hands to uvicorn: uvicorn's own loggers, and the ``sharedsky`` loggers, through one formatter.
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

REQUEST_ID: ContextVar[str | None] = ContextVar("sharedsky_request_id", default=None)
"""The id of the request being served in this context (None outside a request); the
observability middleware sets it, every log line written meanwhile carries it."""

LOG_FORMATS = ("text", "json")

EXTRA_FIELDS = ("error_id", "client", "reason")
"""Attributes a log call may pass in ``extra=`` that a JSON line carries as fields of its own."""

_ACCESS_FIELDS = ("client", "method", "path", "http_version", "status")
"""The arguments of uvicorn's access log line, in order, as JSON fields."""


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ``time`` (UTC, ISO 8601, milliseconds), ``level``,
    ``logger``, ``message``, ``request_id`` within a request, ``exc_info`` (the formatted
    traceback) when present, the ``EXTRA_FIELDS`` given, and for uvicorn's access log its
    client, method, path, HTTP version and status."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or REQUEST_ID.get()
        if request_id is not None:
            line["request_id"] = request_id
        for name in EXTRA_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.name == "uvicorn.access" and isinstance(record.args, tuple):
            line.update(zip(_ACCESS_FIELDS, record.args, strict=False))
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(line, default=str, ensure_ascii=False)


class RequestIdFilter(logging.Filter):
    """Gives every record a ``request_id`` attribute (``-`` outside a request) for the text
    format's ``%(request_id)s``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = REQUEST_ID.get() or "-"
        return True


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
"""The text format of the ``sharedsky`` loggers (uvicorn keeps its own)."""


def log_config(log_format: str, level: str) -> dict[str, Any]:
    """The ``dictConfig`` of a server: ``log_format`` is ``text`` (uvicorn's own formats, and
    ``TEXT_FORMAT`` for sharedsky's loggers) or ``json`` (``JsonFormatter`` for all);
    ``level`` a logging level name (``info``). ValueError for another format."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log format must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}")
    level_name = level.upper()
    if log_format == "json":
        formatters: dict[str, Any] = {
            "default": {"()": JsonFormatter},
            "access": {"()": JsonFormatter},
            "sharedsky": {"()": JsonFormatter},
        }
    else:
        formatters = {
            "default": {
                "()": "uvicorn.logging.DefaultFormatter",
                "fmt": "%(levelprefix)s %(message)s",
            },
            "access": {
                "()": "uvicorn.logging.AccessFormatter",
                "fmt": '%(levelprefix)s %(client_addr)s - "%(request_line)s" %(status_code)s',
            },
            "sharedsky": {"format": TEXT_FORMAT},
        }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": formatters,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "handlers": {
            "default": {
                "formatter": "default",
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
            },
            "access": {
                "formatter": "access",
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
            },
            "sharedsky": {
                "formatter": "sharedsky",
                "filters": ["request_id"],
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
            },
        },
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": level_name, "propagate": False},
            "uvicorn.error": {"level": level_name},
            "uvicorn.access": {"handlers": ["access"], "level": level_name, "propagate": False},
            "sharedsky": {"handlers": ["sharedsky"], "level": level_name, "propagate": False},
        },
    }
