"""Error codes → HTTP status and RFC 9457 problem+json: the one mapping, in one place."""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from sharedsky.domain import errors as e

if TYPE_CHECKING:  # bootstrap imports this module (through api.limits)
    from sharedsky.bootstrap import Container

log = logging.getLogger("sharedsky.api")

PROBLEM_JSON = "application/problem+json"

_STATUS: dict[type[e.SharedskyError], tuple[int, str]] = {
    e.InvalidInput: (422, "Invalid input"),
    e.Unauthenticated: (401, "Not authenticated"),
    e.Forbidden: (403, "Forbidden"),
    e.NotFound: (404, "Not found"),
    e.StaleVersion: (412, "Stale version"),
    e.StateConflict: (409, "Conflicting state"),
    e.StoreUnavailable: (503, "Store unavailable"),
    e.RateLimited: (429, "Too many requests"),
    e.BodyTooLarge: (413, "Content too large"),
    e.BodyTimeout: (408, "Request timeout"),
    e.Unavailable: (503, "Unavailable"),
}


class PreconditionRequired(e.SharedskyError):
    """An amendment without If-Match (the version it amends)."""

    code = "precondition-required"


_STATUS[PreconditionRequired] = (428, "Precondition required")


def problem(
    status: int, title: str, detail: str, code: str, path: list[str | int], **extra: object
) -> JSONResponse:
    """A problem+json response."""
    body: dict[str, object] = {
        "type": f"https://sharedsky.invalid/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "path": path,
    }
    body.update(extra)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def problem_of(exc: e.SharedskyError) -> JSONResponse:
    """The problem+json response of an expected error (the exception handler's answer; the
    request limits in front of the app answer with it too). A RateLimited answer carries
    ``Retry-After`` (whole seconds)."""
    status, title = _status_of(exc)
    extra: dict[str, object] = {}
    if isinstance(exc, e.InvalidMechanism) and exc.line:
        extra["line"] = exc.line
    elif isinstance(exc, e.Unavailable):
        extra["reason"] = exc.reason
    elif isinstance(exc, e.InvalidImport):
        extra["problems"] = [
            {"index": p.index, "reason": p.reason, "path": list(p.path)} for p in exc.problems
        ]
    response = problem(status, title, exc.detail, exc.code, list(exc.path), **extra)
    if isinstance(exc, e.RateLimited):
        response.headers["Retry-After"] = str(exc.retry_after_s)
    elif isinstance(exc, e.Unavailable) and exc.reason == "contention":
        response.headers["Retry-After"] = "1"
    return response


def _status_of(exc: e.SharedskyError) -> tuple[int, str]:
    for cls in type(exc).__mro__:
        if cls in _STATUS:
            return _STATUS[cls]
    return 400, "Bad request"


async def domain_error(request: Request, exc: Exception) -> JSONResponse:
    """The app's answer to an expected error (its exception handler for SharedskyError)."""
    assert isinstance(exc, e.SharedskyError)  # registered for this class only
    if isinstance(exc, e.Unauthenticated):  # counted and logged with the client's address
        container: Container = request.app.state.container
        container.metrics.auth_failed(request, exc)
    return problem_of(exc)


def _loc_path(loc: tuple[int | str, ...]) -> list[str | int]:
    parts = list(loc[1:]) if loc and loc[0] in ("body", "query", "path", "header") else list(loc)
    # drop the discriminator tags pydantic inserts for tagged unions
    return [p for p in parts if p not in ("Polygon", "Circle", "Corridor")]


def _json_position(document: object, offset: int) -> tuple[int, int]:
    """The 1-based line and column of character ``offset`` in a JSON ``document`` (the text
    the decoder read; (1, offset + 1) when it did not keep the text).

    >>> _json_position('{\\n  "to": ,}', 10)
    (2, 9)
    """
    if not isinstance(document, str):
        return 1, offset + 1
    line = document.count("\n", 0, offset) + 1
    return line, offset - (document.rfind("\n", 0, offset) + 1) + 1


def _not_json(exc: RequestValidationError, error: Any) -> JSONResponse:
    """The answer to a body that does not decode as JSON: the decoder's reason and where."""
    loc = error.get("loc", ())
    offset = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else 0
    line, column = _json_position(exc.body, offset)
    reason = (error.get("ctx") or {}).get("error") or "it does not decode"
    detail = f"the body is not valid JSON: {reason} at line {line}, column {column}"
    return problem(
        422,
        "Invalid input",
        detail,
        "invalid-input",
        [],
        errors=[{"path": [], "reason": detail}],
    )


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)  # registered for this class only
    errors = exc.errors()
    first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
    if first.get("type") == "json_invalid":
        return _not_json(exc, first)
    path = _loc_path(tuple(first.get("loc", ())))
    detail = f"{'.'.join(str(p) for p in path) or 'request'}: {first.get('msg', 'invalid')}"
    listed = [
        {"path": _loc_path(tuple(err.get("loc", ()))), "reason": str(err.get("msg"))}
        for err in errors[:20]
    ]
    return problem(422, "Invalid input", detail, "invalid-input", path, errors=listed)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)  # registered for this class only
    if exc.status_code == 400:  # FastAPI's answer to a body it cannot decode (not UTF-8)
        reason = "the body is not JSON in UTF-8"
        return problem(
            422,
            "Invalid input",
            f"request: {reason}",
            "invalid-input",
            [],
            errors=[{"path": [], "reason": reason}],
        )
    code = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
    return problem(exc.status_code, str(exc.detail), str(exc.detail), code, [])


async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    error_id = uuid.uuid4().hex[:12]
    log.exception("unexpected error %s", error_id, exc_info=exc, extra={"error_id": error_id})
    return problem(
        500,
        "Internal error",
        f"unexpected error; quote error id {error_id}",
        "internal",
        [],
        error_id=error_id,
    )


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(e.SharedskyError, domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
