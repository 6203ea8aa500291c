"""Use cases of the periodic review (R-REVIEW-1, R-REVIEW-2): the host reads the whole ledger
of a period, and publishes a report: the server signs its hash and the ledger records it
(``report.published``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sharedsky.domain.errors import Forbidden, InvalidInput
from sharedsky.domain.events import ReportPublished
from sharedsky.domain.operators import Role
from sharedsky.ledger.chain import format_time
from sharedsky.ledger.chain import to_json as entry_json
from sharedsky.ledger.reports import ReportSignature, sign_report
from sharedsky.service._common import record_event
from sharedsky.service.context import Actor
from sharedsky.service.ledger import PAGE_SIZE, entries_after
from sharedsky.service.ports import Deps
from sharedsky.service.uow import UnitOfWork

REPORT_FORMATS = frozenset({"pdf", "html"})
"""The formats a report file may have."""

SHA256_HEX = 64
"""The length of a hex SHA-256."""


@dataclass(frozen=True, slots=True)
class Publication:
    """A published report: the server's signature and the seq of its ledger entry."""

    signature: ReportSignature
    seq: int


def _require_host(actor: Actor, what: str) -> None:
    actor.require_role(Role.DUTY, what)
    if not actor.is_host:
        raise Forbidden(f"only the host may {what}")


def host_entries(deps: Deps, actor: Actor) -> Iterator[dict[str, object]]:
    """Every ledger entry as the database holds it (``chain.to_json``'s form), oldest first,
    for the host's review. Forbidden for a party."""
    _require_host(actor, "read the whole ledger for a review")
    position = 0
    while True:
        page = entries_after(deps.db, position)
        for entry in page:
            yield dict(entry_json(entry))
        if len(page) < PAGE_SIZE:
            return
        position = page[-1].seq


def publish_report(
    deps: Deps,
    actor: Actor,
    sha256: str,
    start: datetime,
    end: datetime,
    head_seq: int,
    format_: str,
) -> Publication:
    """Sign the report file whose bytes hash to ``sha256`` (the review of ``[start, end)``
    over the ledger up to ``head_seq``) with the server key, and record ``report.published``
    with the signature. Forbidden for a party; InvalidInput (with the field) for a hash that
    is not 64 hex digits, a period that ends before it starts, a head beyond the ledger's,
    or a format other than pdf or html."""
    _require_host(actor, "publish a review")
    digest = sha256.lower()
    if len(digest) != SHA256_HEX or any(c not in "0123456789abcdef" for c in digest):
        raise InvalidInput("must be 64 hexadecimal digits (a SHA-256)", ("sha256",))
    if end <= start:
        raise InvalidInput("the period ends before it starts", ("to",))
    if format_ not in REPORT_FORMATS:
        raise InvalidInput(f"must be one of {sorted(REPORT_FORMATS)}", ("format",))
    now = deps.clock.now()

    def work(uow: UnitOfWork) -> Publication:
        head = uow.events.head()
        if head_seq < 0 or head_seq > (0 if head is None else head.seq):
            raise InvalidInput("is beyond the ledger's newest entry", ("head_seq",))
        signature = sign_report(
            uow.server_signer(now), digest, format_time(start), format_time(end), head_seq
        )
        event = ReportPublished(
            digest, start, end, head_seq, signature.key_id, signature.sig, format_
        )
        seq = record_event(uow, now, actor.operator, event, actor.signature)
        return Publication(signature, seq)

    return deps.db.run(work)
