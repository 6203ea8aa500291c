"""Client: a synchronous httpx client of API v1 that sends and returns ``sharedsky.wire`` models.

Every answer that is not a success raises one exception of a small tree::

    ClientError              status, code, detail, path (from the server's problem+json)
    ├── AuthError            401 unknown or missing token, 403 not allowed
    ├── NotFoundError        404 absent, or not visible to this token (need-to-know)
    ├── StaleVersionError    412 the amended version is no longer the current one
    └── UnreachableError     no answer at all (status 0): refused, reset, timed out

Every POST carries an ``Idempotency-Key`` (a random UUID unless the caller names one), so the
one automatic retry after a transport error cannot file, cancel or acknowledge twice.
"""

from __future__ import annotations

import json
import ssl
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from types import MappingProxyType, TracebackType
from typing import Literal, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from sharedsky import __version__
from sharedsky.client.hotline import HotlineMixin
from sharedsky.client.ledger import LedgerMixin
from sharedsky.client.operators import OperatorsMixin
from sharedsky.client.tls import client_context
from sharedsky.client.tracks import TracksMixin
from sharedsky.ledger.signing import SIGNATURE_HEADER, Signer, body_signature, submission
from sharedsky.wire import v1
from sharedsky.wire.v1.notices import NoticeKind, NoticeStatus
from sharedsky.wire.v1.stats import LeadTimeReport
from sharedsky.wire.v1.zones import ZoneKind

M = TypeVar("M", bound=BaseModel)

FieldPath = tuple[str | int, ...]
"""Where in the request the offending field sits, e.g. ``("volumes", 0, "altitude")``."""

BBox = tuple[float, float, float, float]
"""min_lon, min_lat, max_lon, max_lat in degrees, WGS84."""


class ClientError(Exception):
    """The server answered with an error (or, for UnreachableError, not at all)."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        path: Sequence[str | int] = (),
        *,
        problem: v1.Problem | None = None,
    ) -> None:
        self.status = status
        """The HTTP status; 0 when no answer came."""
        self.code = code
        """The problem's stable code (``not-found``, ``stale-version``, ``invalid-volume`` …)."""
        self.detail = detail
        """A sentence for a human."""
        self.path: FieldPath = tuple(path)
        """The offending field of the request; empty when the whole request is at fault."""
        self.problem = problem
        """The full problem+json body when the server sent one (extra members included)."""
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f" (at {'.'.join(str(p) for p in self.path)})" if self.path else ""
        return f"{self.status} {self.code}: {self.detail}{where}"


class AuthError(ClientError):
    """401: the token is missing or belongs to nobody; 403: its operator may not do this."""


class NotFoundError(ClientError):
    """404: nothing with this id, or nothing with this id that this token may see."""


class StaleVersionError(ClientError):
    """412: the version named in If-Match is no longer the current one."""


class UnreachableError(ClientError):
    """No HTTP answer (status 0, code ``unreachable``), even after the one retry."""


_ERROR_CLASSES: Mapping[int, type[ClientError]] = MappingProxyType(
    {401: AuthError, 403: AuthError, 404: NotFoundError, 412: StaleVersionError}
)


def _error_of(response: httpx.Response) -> ClientError:
    """The exception for an error answer, from its problem+json when it parses."""
    cls = _ERROR_CLASSES.get(response.status_code, ClientError)
    try:
        problem = v1.Problem.model_validate_json(response.content)
    except ValidationError:
        text = response.text.strip()[:200] or response.reason_phrase
        return cls(response.status_code, "http-error", text)
    return cls(response.status_code, problem.code, problem.detail, problem.path, problem=problem)


def _segment(object_id: str) -> str:
    """An id as one URL path segment: ``/``, ``.`` and ``..`` cannot leave it; empty is refused."""
    if not object_id:
        raise ValueError("an object id cannot be empty")
    return quote(object_id, safe="").replace(".", "%2E")


_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _new_key() -> str:
    return uuid.uuid4().hex


class Client(HotlineMixin, LedgerMixin, OperatorsMixin, TracksMixin):
    """A sync client of one sharedsky server, acting as the operator behind ``token``.

    ``url`` is the server's base URL (``http://127.0.0.1:8000``). When ``http`` is given (for
    instance a Starlette ``TestClient``), requests go through it: its ``base_url`` is used when
    it has one (``url`` then only names the server in messages), and the caller keeps ownership
    (``close`` leaves it open). ``timeout_s`` bounds each request of a client made here, in
    seconds. For an ``https://`` server, ``ca`` names a PEM file of the CAs to trust (default:
    the public ones), and ``cert`` with ``key`` the client certificate to present when the
    server asks for one (mutual TLS); a file that cannot be used raises ValueError.
    """

    def __init__(
        self,
        url: str,
        token: str,
        *,
        http: httpx.Client | None = None,
        timeout_s: float = 10.0,
        signer: Signer | None = None,
        ca: Path | str | None = None,
        cert: Path | str | None = None,
        key: Path | str | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.signer = signer
        """When set, every write (POST, PUT, DELETE) carries this key's signature of the
        request (``Sharedsky-Signature``), which the ledger keeps (docs/ledger-format.md)."""
        """The server's base URL as given."""
        self._token = token
        self._owns_http = http is None
        self.tls = client_context(ca, cert, key)
        """The SSL context of this client's connections (None: httpx's default)."""
        if http is None:
            verify: ssl.SSLContext | bool = True if self.tls is None else self.tls
            self._http = httpx.Client(base_url=self.url, timeout=timeout_s, verify=verify)
            self._prefix = ""
        else:
            self._http = http
            self._prefix = "" if str(http.base_url) else self.url

    def __repr__(self) -> str:
        return f"Client({self.url!r})"

    def close(self) -> None:
        """Close the connection pool, unless the httpx client was handed in."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- transport ------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: BaseModel | None = None,
        headers: Mapping[str, str] | None = None,
        replay_safe: bool,
    ) -> httpx.Response:
        """Send one request, retrying once on a transport error.

        A request that is ``replay_safe`` (a GET, or a POST with an Idempotency-Key) is retried
        after any transport error; another (a PUT) only when the connection was never made.
        """
        all_headers = {
            "Authorization": f"Bearer {self._token}",
            "Accept": "application/json",
            "User-Agent": f"sharedsky-sdk/{__version__}",
        }
        content = None
        if body is not None:
            content = body.model_dump_json(by_alias=True).encode()
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        if self.signer is not None and method in _WRITES:
            url = self._http.build_request(method, self._prefix + path, params=params).url
            signed = submission(method, url.path, json.loads(content) if content else None)
            all_headers[SIGNATURE_HEADER] = body_signature(self.signer, signed)
        failure: httpx.TransportError | None = None
        for _attempt in range(2):
            try:
                return self._http.request(
                    method, self._prefix + path, params=params, content=content, headers=all_headers
                )
            except httpx.TransportError as exc:
                failure = exc
                unsent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                if not (replay_safe or unsent):
                    break
        raise UnreachableError(
            0, "unreachable", f"no answer from {self.url}: {failure}", ()
        ) from failure

    def _call(
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
        """Send a request and parse a success into ``model``; raise ClientError otherwise."""
        response = self._send(
            method, path, params=params, body=body, headers=headers, replay_safe=replay_safe
        )
        if not response.is_success:
            raise _error_of(response)
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            raise ClientError(
                response.status_code,
                "invalid-response",
                f"the answer to {method} {path} is not a v1 {model.__name__}: {exc}",
            ) from exc

    def _post(self, model: type[M], path: str, body: BaseModel | None, key: str | None) -> M:
        headers = {"Idempotency-Key": key if key is not None else _new_key()}
        return self._call(model, "POST", path, body=body, headers=headers)

    def _put(self, model: type[M], path: str, version: int, body: BaseModel) -> M:
        headers = {"If-Match": str(version)}
        return self._call(model, "PUT", path, body=body, headers=headers, replay_safe=False)

    # -- meta -----------------------------------------------------------------------------

    def me(self) -> v1.Me:
        """The operator behind the token, its party and the mechanism."""
        return self._call(v1.Me, "GET", "/v1/me")

    def mechanism(self) -> v1.MechanismOut:
        """The mechanism's parties and the rules of every channel."""
        return self._call(v1.MechanismOut, "GET", "/v1/mechanism")

    # -- notices --------------------------------------------------------------------------

    def file_notice(self, notice: v1.NoticeIn, idempotency_key: str | None = None) -> v1.FilingOut:
        """File a notice; the answer carries its id, lead time (s), late flag and conflicts.

        A retry with the same ``idempotency_key`` returns the first filing, not a second one.
        """
        return self._post(v1.FilingOut, "/v1/notices", notice, idempotency_key)

    def list_notices(
        self,
        *,
        bbox: BBox | None = None,
        time_from: datetime | None = None,
        time_to: datetime | None = None,
        party: str | None = None,
        status: NoticeStatus | None = None,
        kind: NoticeKind | None = None,
        limit: int | None = None,
    ) -> list[v1.NoticeOut]:
        """Notices this token may see; every filter is optional (times must be aware)."""
        params: dict[str, str] = {}
        if bbox is not None:
            params["bbox"] = ",".join(repr(float(c)) for c in bbox)
        if time_from is not None:
            params["from"] = time_from.isoformat()
        if time_to is not None:
            params["to"] = time_to.isoformat()
        for name, value in (("party", party), ("status", status), ("kind", kind)):
            if value is not None:
                params[name] = value
        if limit is not None:
            params["limit"] = str(limit)
        return self._call(v1.NoticeList, "GET", "/v1/notices", params=params).notices

    def get_notice(self, notice_id: str) -> v1.NoticeDetailOut:
        """One notice with its open conflicts and acknowledgements."""
        return self._call(v1.NoticeDetailOut, "GET", f"/v1/notices/{_segment(notice_id)}")

    def amend_notice(self, notice_id: str, version: int, notice: v1.NoticeIn) -> v1.FilingOut:
        """Replace a notice at ``version`` (StaleVersionError when it is no longer current)."""
        return self._put(v1.FilingOut, f"/v1/notices/{_segment(notice_id)}", version, notice)

    def cancel_notice(self, notice_id: str, idempotency_key: str | None = None) -> v1.NoticeOut:
        """Cancel a notice; its conflicts resolve."""
        path = f"/v1/notices/{_segment(notice_id)}/cancel"
        return self._post(v1.NoticeOut, path, None, idempotency_key)

    def ack_notice(self, notice_id: str, idempotency_key: str | None = None) -> v1.AckOut:
        """Acknowledge receipt of a counterparty's notice (never an approval)."""
        path = f"/v1/notices/{_segment(notice_id)}/ack"
        return self._post(v1.AckOut, path, None, idempotency_key)

    # -- zones ----------------------------------------------------------------------------

    def declare_zone(
        self, zone: v1.ZoneIn, idempotency_key: str | None = None
    ) -> v1.DeclarationOut:
        """Declare a zone; the answer carries its id and the conflicts found."""
        return self._post(v1.DeclarationOut, "/v1/zones", zone, idempotency_key)

    def list_zones(
        self,
        *,
        party: str | None = None,
        kind: ZoneKind | None = None,
        withdrawn: bool = False,
    ) -> list[v1.ZoneOut]:
        """Zones this token may see; withdrawn ones only when ``withdrawn``."""
        params = {"withdrawn": "true" if withdrawn else "false"}
        if party is not None:
            params["party"] = party
        if kind is not None:
            params["kind"] = kind
        return self._call(v1.ZoneList, "GET", "/v1/zones", params=params).zones

    def get_zone(self, zone_id: str) -> v1.ZoneOut:
        """One zone."""
        return self._call(v1.ZoneOut, "GET", f"/v1/zones/{_segment(zone_id)}")

    def amend_zone(self, zone_id: str, version: int, zone: v1.ZoneIn) -> v1.DeclarationOut:
        """Replace a zone at ``version`` (StaleVersionError when it is no longer current)."""
        return self._put(v1.DeclarationOut, f"/v1/zones/{_segment(zone_id)}", version, zone)

    def withdraw_zone(self, zone_id: str, idempotency_key: str | None = None) -> v1.ZoneOut:
        """Withdraw a zone; its conflicts resolve."""
        path = f"/v1/zones/{_segment(zone_id)}/withdraw"
        return self._post(v1.ZoneOut, path, None, idempotency_key)

    # -- conflicts and acknowledgements ---------------------------------------------------

    def list_conflicts(
        self,
        state: Literal["open", "resolved"] | None = None,
        object_id: str | None = None,
    ) -> list[v1.ConflictOut]:
        """Conflicts this token may see, optionally only those in ``state`` or of one object."""
        params: dict[str, str] = {}
        if state is not None:
            params["state"] = state
        if object_id is not None:
            params["object"] = object_id
        return self._call(v1.ConflictList, "GET", "/v1/conflicts", params=params).conflicts

    def get_conflict(self, conflict_id: str) -> v1.ConflictOut:
        """One conflict."""
        return self._call(v1.ConflictOut, "GET", f"/v1/conflicts/{_segment(conflict_id)}")

    def ack_conflict(self, conflict_id: str, idempotency_key: str | None = None) -> v1.AckOut:
        """Acknowledge a conflict (a receipt, never an approval)."""
        path = f"/v1/conflicts/{_segment(conflict_id)}/ack"
        return self._post(v1.AckOut, path, None, idempotency_key)

    def pending_acks(self) -> list[v1.AckOut]:
        """What this token's party still has to acknowledge, earliest deadline first."""
        return self._call(v1.AckList, "GET", "/v1/acks/pending").acknowledgements

    # -- statistics ------------------------------------------------------------------------

    def lead_time_report(self) -> LeadTimeReport:
        """Lead-time compliance per channel this token may see (from delivery, not filing)."""
        return self._call(LeadTimeReport, "GET", "/v1/stats/lead-time")
