"""The SDK's one way to the server: every call of every resource goes through a `Transport`.

A transport adds the bearer token, the User-Agent and, on writes when it holds a signer, the
operator's signature (``Sharedsky-Signature``); `post` adds an ``Idempotency-Key`` (a random
UUID unless the caller names one), so the one automatic retry after a transport error cannot
file, cancel or acknowledge twice. Every answer that is not a success becomes one exception of
``client/errors.py`` (from its problem+json when it parses), and no answer at all becomes
`UnreachableError`. `stream` does the same for an answer read line by line (the JSONL ledger
export, the event stream), and raises `UnreachableError` when the connection is cut mid-answer.
"""

from __future__ import annotations

import json
import ssl
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import MappingProxyType
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from sharedsky import __version__
from sharedsky.client.errors import (
    AuthError,
    ClientError,
    NotFoundError,
    StaleVersionError,
    UnreachableError,
)
from sharedsky.ledger.signing import SIGNATURE_HEADER, Signer, body_signature, submission
from sharedsky.wire import v1

M = TypeVar("M", bound=BaseModel)

USER_AGENT = f"sharedsky-sdk/{__version__}"
"""The User-Agent of every request the SDK makes."""

_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})

_ERROR_CLASSES: Mapping[int, type[ClientError]] = MappingProxyType(
    {401: AuthError, 403: AuthError, 404: NotFoundError, 412: StaleVersionError}
)


def segment(object_id: str) -> str:
    """An id as one URL path segment: ``/``, ``.`` and ``..`` cannot leave it; empty is refused
    (ValueError)."""
    if not object_id:
        raise ValueError("an object id cannot be empty")
    return quote(object_id, safe="").replace(".", "%2E")


def _error_of(response: httpx.Response) -> ClientError:
    """The exception for an error answer (read in full), from its problem+json when it parses."""
    cls = _ERROR_CLASSES.get(response.status_code, ClientError)
    try:
        problem = v1.Problem.model_validate_json(response.content)
    except ValidationError:
        text = response.text.strip()[:200] or response.reason_phrase
        return cls(response.status_code, "http-error", text)
    return cls(response.status_code, problem.code, problem.detail, problem.path, problem=problem)


def _json_or_none(content: bytes | None) -> Any:
    """The JSON value of a body to sign; None when there is none or it is not JSON."""
    if not content:
        return None
    try:
        return json.loads(content)
    except ValueError:
        return None


class Transport:
    """Requests to one sharedsky server as the operator behind ``token``.

    ``url`` is the server's base URL. When ``http`` is given (for instance a Starlette
    ``TestClient``), requests go through it: its ``base_url`` is used when it has one (``url``
    then only names the server in messages), and the caller keeps ownership (`close` leaves it
    open). Otherwise the transport makes its own httpx client, whose requests each take at most
    ``timeout_s`` seconds and whose connections use ``tls`` (None: httpx's default context).
    """

    def __init__(
        self,
        url: str,
        token: str,
        *,
        http: httpx.Client | None = None,
        timeout_s: float = 10.0,
        signer: Signer | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        """The server's base URL as given (without a trailing ``/``)."""
        self.signer = signer
        """When set, every write (POST, PUT, PATCH, DELETE) carries this key's signature."""
        self.tls = tls
        """The SSL context of the connections this transport makes (None: httpx's default)."""
        self._token = token
        self._owns_http = http is None
        if http is None:
            verify: ssl.SSLContext | bool = True if tls is None else tls
            self._http = httpx.Client(base_url=self.url, timeout=timeout_s, verify=verify)
            self._prefix = ""
        else:
            self._http = http
            self._prefix = "" if str(http.base_url) else self.url

    def __repr__(self) -> str:
        return f"Transport({self.url!r})"

    def close(self) -> None:
        """Close the connection pool, unless the httpx client was handed in."""
        if self._owns_http:
            self._http.close()

    # -- requests -------------------------------------------------------------------------

    def send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: BaseModel | None = None,
        headers: Mapping[str, str] | None = None,
        replay_safe: bool = True,
        raw: bytes | None = None,
    ) -> httpx.Response:
        """Send one request and return its answer when it is a success; raise ClientError (or
        a subclass) for an error answer, UnreachableError when none came. ``raw`` is a body
        sent as it is (a file), instead of ``body``.

        A request that is ``replay_safe`` (a GET, or a POST with an Idempotency-Key) is retried
        once after any transport error; another (a PUT) only when the connection was never made.
        """
        request = self._request(method, path, params, body, headers, raw)
        response = self._answer(request, replay_safe=replay_safe, stream=False)
        if not response.is_success:
            raise _error_of(response)
        return response

    def call(
        self,
        model: type[M],
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: BaseModel | None = None,
        headers: Mapping[str, str] | None = None,
        replay_safe: bool = True,
    ) -> M:
        """`send` a request and parse its success into ``model``; ClientError with code
        ``invalid-response`` when the answer is not one."""
        response = self.send(
            method, path, params=params, body=body, headers=headers, replay_safe=replay_safe
        )
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            raise ClientError(
                response.status_code,
                "invalid-response",
                f"the answer to {method} {path} is not a v1 {model.__name__}: {exc}",
            ) from exc

    def post(self, model: type[M], path: str, body: BaseModel | None, key: str | None) -> M:
        """POST with an Idempotency-Key (``key``, or a fresh random one): safe to replay."""
        headers = {"Idempotency-Key": key if key is not None else uuid.uuid4().hex}
        return self.call(model, "POST", path, body=body, headers=headers)

    def put(self, model: type[M], path: str, version: int, body: BaseModel) -> M:
        """PUT at ``version`` (If-Match); never sent twice once the connection was made."""
        headers = {"If-Match": str(version)}
        return self.call(model, "PUT", path, body=body, headers=headers, replay_safe=False)

    @contextmanager
    def stream(
        self,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Iterator[httpx.Response]:
        """GET ``path`` and hold its success answer open to be read as it arrives.

        Opening is retried once after a transport error, as for `send`; an error answer raises
        its ClientError. A transport error while the body is read (the connection cut, the
        server gone) raises UnreachableError: the caller decides whether to start again.
        """
        request = self._request("GET", path, params, None, headers)
        response = self._answer(request, replay_safe=True, stream=True)
        try:
            if not response.is_success:
                response.read()
                raise _error_of(response)
            yield response
        except httpx.TransportError as exc:
            raise UnreachableError(
                0, "unreachable", f"the answer from {self.url} was cut off: {exc}"
            ) from exc
        finally:
            response.close()

    # -- inside ---------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        params: Mapping[str, str] | None,
        body: BaseModel | None,
        headers: Mapping[str, str] | None,
        raw: bytes | None = None,
    ) -> httpx.Request:
        """The request with the token, User-Agent, body (``raw``: a file's bytes) and (on a
        write) the signature; a ``raw`` body is signed as the JSON it holds (the server
        refuses a signed body that is not JSON)."""
        all_headers = {
            "Authorization": f"Bearer {self._token}",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        content = None
        if body is not None:
            content = body.model_dump_json(by_alias=True).encode()
            all_headers["Content-Type"] = "application/json"
        elif raw is not None:
            content = raw
            all_headers["Content-Type"] = "application/octet-stream"
        all_headers.update(headers or {})
        url = self._prefix + path
        if self.signer is not None and method in _WRITES:
            target = self._http.build_request(method, url, params=params).url
            signed = submission(method, target.path, _json_or_none(content))
            all_headers[SIGNATURE_HEADER] = body_signature(self.signer, signed)
        return self._http.build_request(
            method, url, params=params, content=content, headers=all_headers
        )

    def _answer(self, request: httpx.Request, *, replay_safe: bool, stream: bool) -> httpx.Response:
        """Send ``request``, once more after a transport error when it is ``replay_safe`` or
        was never sent (the connection failed); UnreachableError when no answer came."""
        failure: httpx.TransportError | None = None
        for _attempt in range(2):
            try:
                return self._http.send(request, stream=stream)
            except httpx.TransportError as exc:
                failure = exc
                unsent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                if not (replay_safe or unsent):
                    break
        raise UnreachableError(
            0, "unreachable", f"no answer from {self.url}: {failure}", ()
        ) from failure
