"""Client: a synchronous httpx client of API v1 that sends and returns ``sharedsky.wire`` models.

Every answer that is not a success raises one exception of the tree in ``client/errors.py``
(ClientError, AuthError, NotFoundError, StaleVersionError, UnreachableError). Every request goes
through the client's one `Transport` (``client/transport.py``): token, User-Agent, signature,
Idempotency-Key on POSTs and the one automatic retry after a transport error. The calls of each
resource live in a mixin that needs only that transport (``self._transport``).
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import httpx

from sharedsky.client.errors import (
    AuthError,
    ClientError,
    FieldPath,
    NotFoundError,
    StaleVersionError,
    UnreachableError,
)
from sharedsky.client.formats import FormatsMixin
from sharedsky.client.hotline import HotlineMixin
from sharedsky.client.incidents import IncidentsMixin
from sharedsky.client.ledger import LedgerMixin
from sharedsky.client.operators import OperatorsMixin
from sharedsky.client.resolutions import ResolutionsMixin
from sharedsky.client.tls import client_context
from sharedsky.client.tracks import TracksMixin
from sharedsky.client.transport import Transport, segment
from sharedsky.ledger.signing import Signer
from sharedsky.wire import v1
from sharedsky.wire.v1.notices import NoticeKind, NoticeStatus
from sharedsky.wire.v1.stats import LeadTimeReport
from sharedsky.wire.v1.zones import ZoneKind

__all__ = [
    "AuthError",
    "BBox",
    "Client",
    "ClientError",
    "FieldPath",
    "NotFoundError",
    "StaleVersionError",
    "UnreachableError",
]

BBox = tuple[float, float, float, float]
"""min_lon, min_lat, max_lon, max_lat in degrees, WGS84."""

_TLS_VARIABLES = {
    "ca": "SHAREDSKY_CA",
    "cert": "SHAREDSKY_CLIENT_CERT",
    "key": "SHAREDSKY_CLIENT_KEY",
}
"""The constructor's TLS options and the environment variables ``from_env`` reads them from
(the CLI's, docs/settings.md)."""


class Client(
    FormatsMixin,
    HotlineMixin,
    IncidentsMixin,
    LedgerMixin,
    OperatorsMixin,
    ResolutionsMixin,
    TracksMixin,
):
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
        tls = client_context(ca, cert, key)
        self._transport = Transport(
            url, token, http=http, timeout_s=timeout_s, signer=signer, tls=tls
        )

    @classmethod
    def from_env(
        cls,
        url: str | None = None,
        token: str | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        **options: Any,
    ) -> Client:
        """A client configured as the CLI is: ``url`` and ``token`` default to
        ``SHAREDSKY_URL`` and ``SHAREDSKY_TOKEN``, and the TLS files to ``SHAREDSKY_CA``,
        ``SHAREDSKY_CLIENT_CERT`` and ``SHAREDSKY_CLIENT_KEY`` (an argument wins over its
        variable; ``environ`` defaults to ``os.environ``). ``options`` are the constructor's.
        ValueError naming the variable when no URL or token is given either way."""
        env = os.environ if environ is None else environ
        url = url or env.get("SHAREDSKY_URL")
        token = token or env.get("SHAREDSKY_TOKEN")
        if not url:
            raise ValueError("no server URL: pass url= or set SHAREDSKY_URL")
        if not token:
            raise ValueError("no token: pass token= or set SHAREDSKY_TOKEN")
        for option, variable in _TLS_VARIABLES.items():
            if options.get(option) is None and env.get(variable):
                options[option] = env[variable]
        return cls(url, token, **options)

    @property
    def url(self) -> str:
        """The server's base URL as given (without a trailing ``/``)."""
        return self._transport.url

    @property
    def signer(self) -> Signer | None:
        """When set, every write (POST, PUT, DELETE) carries this key's signature of the
        request (``Sharedsky-Signature``), which the ledger keeps (docs/ledger-format.md)."""
        return self._transport.signer

    @signer.setter
    def signer(self, signer: Signer | None) -> None:
        self._transport.signer = signer

    @property
    def tls(self) -> ssl.SSLContext | None:
        """The SSL context of this client's connections (None: httpx's default)."""
        return self._transport.tls

    def __repr__(self) -> str:
        return f"Client({self.url!r})"

    def close(self) -> None:
        """Close the connection pool, unless the httpx client was handed in."""
        self._transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- meta -----------------------------------------------------------------------------

    def me(self) -> v1.Me:
        """The operator behind the token, its party and the mechanism."""
        return self._transport.call(v1.Me, "GET", "/v1/me")

    def mechanism(self) -> v1.MechanismOut:
        """The mechanism's parties and the rules of every channel."""
        return self._transport.call(v1.MechanismOut, "GET", "/v1/mechanism")

    # -- notices --------------------------------------------------------------------------

    def file_notice(self, notice: v1.NoticeIn, idempotency_key: str | None = None) -> v1.FilingOut:
        """File a notice; the answer carries its id, lead time (s), late flag and conflicts.

        A retry with the same ``idempotency_key`` returns the first filing, not a second one.
        """
        return self._transport.post(v1.FilingOut, "/v1/notices", notice, idempotency_key)

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
        return self._transport.call(v1.NoticeList, "GET", "/v1/notices", params=params).notices

    def get_notice(self, notice_id: str) -> v1.NoticeDetailOut:
        """One notice with its open conflicts and acknowledgements."""
        return self._transport.call(v1.NoticeDetailOut, "GET", f"/v1/notices/{segment(notice_id)}")

    def amend_notice(self, notice_id: str, version: int, notice: v1.NoticeIn) -> v1.FilingOut:
        """Replace a notice at ``version`` (StaleVersionError when it is no longer current)."""
        return self._transport.put(
            v1.FilingOut, f"/v1/notices/{segment(notice_id)}", version, notice
        )

    def cancel_notice(self, notice_id: str, idempotency_key: str | None = None) -> v1.NoticeOut:
        """Cancel a notice; its conflicts resolve."""
        path = f"/v1/notices/{segment(notice_id)}/cancel"
        return self._transport.post(v1.NoticeOut, path, None, idempotency_key)

    def activate_notice(self, notice_id: str, idempotency_key: str | None = None) -> v1.NoticeOut:
        """Activate an own notice (from ``early_activation_s`` before its start: an early
        activation reaches the counterparties with flash priority)."""
        path = f"/v1/notices/{segment(notice_id)}/activate"
        return self._transport.post(v1.NoticeOut, path, None, idempotency_key)

    def release_notice(self, notice_id: str, idempotency_key: str | None = None) -> v1.FilingOut:
        """Release an own active notice early: its new version ends now."""
        path = f"/v1/notices/{segment(notice_id)}/release"
        return self._transport.post(v1.FilingOut, path, None, idempotency_key)

    def agree_notice(self, notice_id: str, idempotency_key: str | None = None) -> v1.AgreementOut:
        """Agree to the current version of a counterparty's notice that asks for agreement;
        the answer is the own party's position (ConflictError ``already-answered`` twice)."""
        path = f"/v1/notices/{segment(notice_id)}/agree"
        return self._transport.post(v1.AgreementOut, path, None, idempotency_key)

    def deny_notice(
        self, notice_id: str, reason: str, idempotency_key: str | None = None
    ) -> v1.AgreementOut:
        """Deny agreement to the current version of a counterparty's notice, for ``reason``
        (required, not blank)."""
        path = f"/v1/notices/{segment(notice_id)}/deny"
        return self._transport.post(
            v1.AgreementOut, path, v1.DenyIn(reason=reason), idempotency_key
        )

    def counter_notice(
        self,
        notice_id: str,
        volumes: Sequence[v1.Volume],
        note: str = "",
        idempotency_key: str | None = None,
    ) -> v1.AgreementOut:
        """Answer the current version of a counterparty's notice with a counter-proposal: the
        ``volumes`` the own party would agree to (e.g. a resolution option's); its
        ``counter_id`` is what the filer accepts."""
        path = f"/v1/notices/{segment(notice_id)}/counter"
        body = v1.CounterIn(volumes=list(volumes), note=note)
        return self._transport.post(v1.AgreementOut, path, body, idempotency_key)

    def accept_counter(self, notice_id: str, counter_id: str, version: int) -> v1.FilingOut:
        """Accept a counter-proposal of an own notice at ``version`` (If-Match): the notice is
        amended to its volumes (NotFoundError for an unknown counter, StaleVersionError for one
        about an earlier version or a stale ``version``)."""
        path = f"/v1/notices/{segment(notice_id)}/accept"
        return self._transport.call(
            v1.FilingOut,
            "POST",
            path,
            body=v1.AcceptIn(counter_id=counter_id),
            headers={"If-Match": str(version)},
            replay_safe=False,
        )

    def ack_notice(self, notice_id: str, idempotency_key: str | None = None) -> v1.AckOut:
        """Acknowledge receipt of a counterparty's notice (never an approval)."""
        path = f"/v1/notices/{segment(notice_id)}/ack"
        return self._transport.post(v1.AckOut, path, None, idempotency_key)

    # -- zones ----------------------------------------------------------------------------

    def declare_zone(
        self, zone: v1.ZoneIn, idempotency_key: str | None = None
    ) -> v1.DeclarationOut:
        """Declare a zone; the answer carries its id and the conflicts found."""
        return self._transport.post(v1.DeclarationOut, "/v1/zones", zone, idempotency_key)

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
        return self._transport.call(v1.ZoneList, "GET", "/v1/zones", params=params).zones

    def get_zone(self, zone_id: str) -> v1.ZoneOut:
        """One zone."""
        return self._transport.call(v1.ZoneOut, "GET", f"/v1/zones/{segment(zone_id)}")

    def amend_zone(self, zone_id: str, version: int, zone: v1.ZoneIn) -> v1.DeclarationOut:
        """Replace a zone at ``version`` (StaleVersionError when it is no longer current)."""
        return self._transport.put(
            v1.DeclarationOut, f"/v1/zones/{segment(zone_id)}", version, zone
        )

    def withdraw_zone(self, zone_id: str, idempotency_key: str | None = None) -> v1.ZoneOut:
        """Withdraw a zone; its conflicts resolve."""
        path = f"/v1/zones/{segment(zone_id)}/withdraw"
        return self._transport.post(v1.ZoneOut, path, None, idempotency_key)

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
        return self._transport.call(
            v1.ConflictList, "GET", "/v1/conflicts", params=params
        ).conflicts

    def get_conflict(self, conflict_id: str) -> v1.ConflictOut:
        """One conflict."""
        return self._transport.call(v1.ConflictOut, "GET", f"/v1/conflicts/{segment(conflict_id)}")

    def ack_conflict(self, conflict_id: str, idempotency_key: str | None = None) -> v1.AckOut:
        """Acknowledge a conflict (a receipt, never an approval)."""
        path = f"/v1/conflicts/{segment(conflict_id)}/ack"
        return self._transport.post(v1.AckOut, path, None, idempotency_key)

    def pending_acks(self) -> list[v1.AckOut]:
        """What this token's party still has to acknowledge, earliest deadline first."""
        return self._transport.call(v1.AckList, "GET", "/v1/acks/pending").acknowledgements

    # -- statistics ------------------------------------------------------------------------

    def lead_time_report(self) -> LeadTimeReport:
        """Lead-time compliance per channel this token may see (from delivery, not filing)."""
        return self._transport.call(LeadTimeReport, "GET", "/v1/stats/lead-time")
