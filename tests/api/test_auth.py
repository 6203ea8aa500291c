"""The request's idempotency context: a request with an Idempotency-Key is hashed over method,
path and body; one without is not hashed at all (nothing stored to compare it with)."""

from __future__ import annotations

import asyncio
import hashlib

import pytest
from starlette.requests import Request
from starlette.types import Message

from sharedsky.api.auth import RequestKey, request_key
from sharedsky.domain.errors import InvalidInput

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
