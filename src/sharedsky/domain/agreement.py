"""Agreement, not only receipt: a notice that asks its counterparties to agree, and the answer
each gives to each of its versions (R-AGREE-1 … R-AGREE-5).

::

    pending ──agree──────▶ agreed
       ├─────deny (reason)──▶ denied
       └─────counter (volumes)──▶ countered ──the filer accepts──▶ the notice's next version
                                                                 (every party pending again)

A notice asks for agreement when its filer says so (``request_agreement``) or when the channel
with a counterparty says so for its kind (``ChannelRules.asks_agreement``). Each counterparty
the notice is notified to owes one answer per version: the request is an acknowledgement
request of subject ``agreement`` (so its deadline and escalation are those of an
acknowledgement), and the answer settles it. A new version (an amendment, an accepted
counter-proposal) supersedes what was pending and asks again: the answers were about the old
version. The filer withdraws by cancelling the notice (or by amending it without the request).

An acknowledgement stays a receipt: acknowledging never settles a request for agreement, and
agreeing does not acknowledge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from sharedsky.domain.acknowledgements import AckRequest, AckStatus, AckSubject
from sharedsky.domain.channels import Priority
from sharedsky.domain.errors import (
    AgreementNotRequested,
    AlreadyAnswered,
    InvalidInput,
    NotFound,
    OwnNotice,
    StaleVersion,
)
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.volumes import Volume4D

AGREEMENT_PRIORITY = Priority.ROUTINE
"""An answer is due within the routine acknowledgement deadline of the channel."""

MAX_REASON_CHARS = 4000
"""The longest reason of a denial, or note of a counter-proposal, in characters."""


class Answer(StrEnum):
    """What a counterparty answers to a request for agreement."""

    AGREE = "agree"
    DENY = "deny"
    """With a reason (required, not blank)."""
    COUNTER = "counter"
    """With a counter-proposal: the volumes the counterparty would agree to."""


class AgreementState(StrEnum):
    """Where one counterparty stands on one version of a notice."""

    PENDING = "pending"
    AGREED = "agreed"
    DENIED = "denied"
    COUNTERED = "countered"


_STATE_OF: dict[Answer, AgreementState] = {
    Answer.AGREE: AgreementState.AGREED,
    Answer.DENY: AgreementState.DENIED,
    Answer.COUNTER: AgreementState.COUNTERED,
}


@dataclass(frozen=True, slots=True)
class AgreementReply:
    """One counterparty's answer to one version of a notice."""

    answer: Answer
    reason: str = ""
    """Why it denies (a denial only)."""
    note: str = ""
    """What it says with a counter-proposal (optional)."""
    volumes: tuple[Volume4D, ...] = ()
    """The counter-proposal's volumes (a counter only), validated as a filing's are."""


def reply(
    answer: Answer, reason: str = "", note: str = "", volumes: Sequence[Volume4D] = ()
) -> AgreementReply:
    """The reply of ``answer`` with its text checked: InvalidInput at ``reason`` for a denial
    without one, at ``reason`` or ``note`` for a text beyond ``MAX_REASON_CHARS``, at
    ``volumes`` for a counter-proposal without volumes (their content is checked by the
    caller, as a filing's)."""
    for name, text in (("reason", reason), ("note", note)):
        if len(text) > MAX_REASON_CHARS:
            raise InvalidInput(f"the {name} is longer than {MAX_REASON_CHARS} characters", (name,))
    if answer is Answer.DENY:
        if not reason.strip():
            raise InvalidInput("a denial needs a reason", ("reason",))
        return AgreementReply(answer, reason=reason.strip())
    if answer is Answer.COUNTER:
        if not volumes:
            raise InvalidInput("a counter-proposal needs at least one volume", ("volumes",))
        return AgreementReply(answer, note=note.strip(), volumes=tuple(volumes))
    return AgreementReply(answer)


@dataclass(frozen=True, slots=True)
class Position:
    """One counterparty's request for agreement on one version, and its answer if given. The
    request's id names the answer too: a counter-proposal's id is its request's."""

    request: AckRequest
    reply: AgreementReply | None = None

    @property
    def party(self) -> PartyId:
        """The counterparty asked."""
        return self.request.party

    @property
    def version(self) -> int:
        """The version of the notice it is about."""
        return self.request.subject_version

    @property
    def state(self) -> AgreementState:
        """Pending until answered, then what the answer says."""
        return AgreementState.PENDING if self.reply is None else _STATE_OF[self.reply.answer]

    def is_live_counter(self, version: int) -> bool:
        """True when this is a counter-proposal about ``version`` (the notice's current one)."""
        return (
            self.reply is not None
            and self.reply.answer is Answer.COUNTER
            and self.request.subject_version == version
        )


@dataclass(frozen=True, slots=True)
class Agreement:
    """The requests for agreement of one notice (every version's, oldest first), with their
    answers: the state machine that decides who may answer and which counter-proposal the
    filer may accept."""

    notice: str
    owner: PartyId
    version: int
    """The notice's current version: only its requests may be answered."""
    positions: tuple[Position, ...] = ()

    def current(self) -> tuple[Position, ...]:
        """The positions on the current version, one per counterparty asked."""
        return tuple(p for p in self.positions if p.version == self.version)

    def position(self, party: PartyId) -> Position | None:
        """``party``'s position on the current version; None when it was not asked."""
        found = [p for p in self.current() if p.party == party]
        return found[-1] if found else None

    def check_answer(self, party: PartyId) -> Position:
        """The position ``party`` may answer now: OwnNotice for the filer,
        AgreementNotRequested when the current version does not ask ``party`` (or no longer
        does), AlreadyAnswered when it answered it already."""
        if party == self.owner:
            raise OwnNotice("a party does not answer its own notice: its counterparties do")
        position = self.position(party)
        if position is None:
            raise AgreementNotRequested(
                f"notice {self.notice!r} at version {self.version} does not ask your party "
                "for agreement"
            )
        if position.reply is not None:
            raise AlreadyAnswered(
                f"your party answered version {self.version} of notice {self.notice!r} already "
                f"({position.state}); one answer per version, a new version asks again"
            )
        if position.request.status is not AckStatus.PENDING:
            raise AgreementNotRequested(
                f"notice {self.notice!r} no longer asks for agreement (it ended or was cancelled)"
            )
        return position

    def answered(
        self, party: PartyId, answer: AgreementReply, at: datetime, operator: OperatorId
    ) -> Agreement:
        """The agreement after ``party``'s ``operator`` answered the current version at
        ``at`` (``check_answer`` first)."""
        position = self.check_answer(party)
        request = replace(
            position.request, status=AckStatus.ACKNOWLEDGED, acked_at=at, acked_by=operator
        )
        done = Position(request, answer)
        return replace(self, positions=tuple(done if p is position else p for p in self.positions))

    def counter(self, counter_id: str) -> Position:
        """The counter-proposal ``counter_id`` the filer may accept: NotFound when there is
        none of this notice by that id, StaleVersion when it was about an earlier version
        (the notice changed since)."""
        found = [
            p
            for p in self.positions
            if p.request.id == counter_id
            and p.reply is not None
            and p.reply.answer is Answer.COUNTER
        ]
        if not found:
            raise NotFound(
                f"notice {self.notice!r} has no counter-proposal {counter_id!r}", ("counter_id",)
            )
        position = found[0]
        if not position.is_live_counter(self.version):
            raise StaleVersion(
                f"counter-proposal {counter_id!r} was about version {position.version}; the "
                f"notice is at version {self.version} now",
                ("counter_id",),
            )
        return position

    def next_version(self, asked: Sequence[AckRequest]) -> Agreement:
        """The agreement of the notice's next version: what was pending is superseded (it was
        about the old version) and ``asked`` are the new requests."""
        kept = tuple(
            p
            if p.request.status is not AckStatus.PENDING
            else replace(p, request=replace(p.request, status=AckStatus.SUPERSEDED))
            for p in self.positions
        )
        return replace(
            self,
            version=self.version + 1,
            positions=kept + tuple(Position(r) for r in asked),
        )


def agreement_of(
    notice: str, owner: PartyId, version: int, positions: Sequence[Position]
) -> Agreement:
    """The agreement of a notice from its stored positions (requests of subject
    ``agreement``; others are left out)."""
    return Agreement(
        notice,
        owner,
        version,
        tuple(p for p in positions if p.request.subject is AckSubject.AGREEMENT),
    )
