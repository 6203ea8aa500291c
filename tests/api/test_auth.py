"""The request's token and idempotency context: a token read while the operators were loaded
again is not remembered (in the request or in its check in the background); a request with an
Idempotency-Key is hashed over method, path and body; one without is not hashed at all (nothing
stored to compare it with)."""

from __future__ import annotations

import asyncio
import hashlib
import time
from datetime import datetime

import pytest
from _support import Api
from starlette.requests import Request
from starlette.types import Message

from sharedsky.api import auth
from sharedsky.api.auth import RequestKey, request_key
from sharedsky.domain.errors import InvalidInput
from sharedsky.domain.mechanism import Mechanism
from sharedsky.service import mechanism
from sharedsky.service.context import Actor
from sharedsky.service.operators import rotate_operator
from sharedsky.service.uow import Database

BODY = b'{"to": "bravo", "text": "radio check"}'


def _request() -> Request:
    async def receive() -> Message:
        return {"type": "http.request", "body": BODY, "more_body": False}

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/v1/messages",
        "query_string": b"",
        "headers": [],
        "server": ("testserver", 80),
        "scheme": "http",
    }
    return Request(scope, receive)


def test_a_keyed_request_is_hashed_over_method_path_and_body() -> None:
    key = asyncio.run(request_key(_request(), "k-1"))
    expected = hashlib.sha256(b"POST /v1/messages\n" + BODY).hexdigest()
    assert key == RequestKey("k-1", expected)


def test_a_request_without_a_key_is_not_hashed() -> None:
    assert asyncio.run(request_key(_request(), None)) == RequestKey(None, "")


@pytest.mark.parametrize("key", ["", "k" * 201])
def test_a_key_of_no_or_too_many_characters_is_refused(key: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        asyncio.run(request_key(_request(), key))
    assert refused.value.path == ("Idempotency-Key",)


def _rotated_during_the_first_read(api: Api, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make the app's next read of a token rotate alpha's operator away and load the operators
    again (as the credentials watch does) once the token was found valid: the interleaving of a
    revocation committed while a request reads. Returns the reads' tokens."""
    real = auth.authenticate
    reads: list[str] = []

    def read(db: Database, known: Mechanism, token: str | None, now: datetime) -> Actor:
        reads.append(token or "")
        actor = real(db, known, token, now)
        if len(reads) == 1:
            rotate_operator(api.env.deps, None, "alpha-duty")
            api.container.credentials.load(db, known)
        return actor

    monkeypatch.setattr(auth, "authenticate", read)
    return reads


def test_a_token_read_while_it_was_rotated_away_is_not_remembered(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = _rotated_during_the_first_read(api, monkeypatch)
    api.container.tokens.replace_all({})  # alpha's token is not remembered: it is read
    assert api.client.get("/v1/me", headers=api.as_("alpha")).status_code == 200  # read before
    assert api.client.get("/v1/me", headers=api.as_("alpha")).status_code == 401
    assert len(reads) == 2  # read again, not taken from memory


def test_a_token_checked_in_the_background_while_it_was_rotated_away_is_not_remembered(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = _rotated_during_the_first_read(api, monkeypatch)
    monkeypatch.setattr(mechanism, "REFRESH_AFTER", (0.0, 0.0))  # every token due for a check
    api.container.credentials.load(api.env.deps.db, api.env.deps.mechanism)
    assert api.client.get("/v1/me", headers=api.as_("alpha")).status_code == 200  # remembered
    deadline = time.monotonic() + 5.0
    while not reads or auth._CHECKS:  # the check in the background ran and ended
        assert time.monotonic() < deadline, "no check in the background"
        time.sleep(0.01)
    assert api.client.get("/v1/me", headers=api.as_("alpha")).status_code == 401
