"""Notices: the filing request to a draft and a listing's query to its filter; a notice as
seen, the answers to a filing and to its dry run, and the short form of an acknowledgement shown
with its subject (``wire/v1/notices.py``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sharedsky.api.convert.common import volume_fields, volume_in, volume_out
from sharedsky.api.convert.conflicts import conflict_out, conflicts_seen
from sharedsky.domain.acknowledgements import AckRequest
from sharedsky.domain.agreement import Answer, Position
from sharedsky.domain.channels import NoticeKind
from sharedsky.domain.errors import InvalidInput
from sharedsky.domain.ids import PartyId
from sharedsky.domain.mechanism import Mechanism
from sharedsky.domain.notices import Notice, NoticeDraft, NoticeStatus
from sharedsky.domain.priority import PriorityStatus
from sharedsky.domain.visibility import NoticeView, Viewer, see_notice
from sharedsky.service.notices import Filing, FilingCheck
from sharedsky.service.queries import NoticeDetail, NoticeFilter
from sharedsky.wire import v1


def notice_draft(model: v1.NoticeIn) -> NoticeDraft:
    """A notice draft from the filing request."""
    return NoticeDraft(
        kind=NoticeKind(model.kind),
        title=model.title,
        volumes=tuple(volume_in(v) for v in model.volumes),
        remarks=model.remarks,
        contact=model.contact,
        outside_area=model.outside_area,
        record_past=model.record_past,
        priority_status=None
        if model.priority_status is None
        else PriorityStatus(model.priority_status),
        request_agreement=model.request_agreement,
    )


def notice_filter(
    *,
    bbox: str | None,
    time_from: datetime | None,
    time_to: datetime | None,
    party: str | None,
    status: str | None,
    kind: str | None,
    limit: int,
) -> NoticeFilter:
    """The filter of a notice listing from its query parameters (``bbox`` as
    ``min_lon,min_lat,max_lon,max_lat`` in degrees; times aware, converted to UTC); InvalidInput
    naming the parameter when one is malformed."""
    return NoticeFilter(
        bbox=_bbox(bbox),
        time_from=_aware(time_from, "from"),
        time_to=_aware(time_to, "to"),
        party=None if party is None else PartyId(party),
        status=None if status is None else NoticeStatus(status),
        kind=None if kind is None else NoticeKind(kind),
        limit=limit,
    )


def _aware(moment: datetime | None, name: str) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise InvalidInput("times must carry a timezone (use Z for UTC)", (name,))
    return moment.astimezone(UTC)


def _bbox(text: str | None) -> tuple[float, float, float, float] | None:
    if text is None:
        return None
    try:
        min_lon, min_lat, max_lon, max_lat = (float(p) for p in text.split(","))
    except ValueError as exc:
        raise InvalidInput("bbox must be min_lon,min_lat,max_lon,max_lat", ("bbox",)) from exc
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise InvalidInput("bbox corners are out of range or out of order", ("bbox",))
    return min_lon, min_lat, max_lon, max_lat


def notice_fields(view: NoticeView, now: datetime) -> dict[str, object]:
    """The wire fields of a notice as seen (a dict, so that a filing or a detail can extend
    them)."""
    notice = view.notice
    return {
        "id": notice.id,
        "party": notice.party,
        "kind": str(notice.kind),
        "title": notice.title,
        "version": notice.version,
        "status": str(notice.status(now)),
        "filed_at": notice.filed_at,
        "updated_at": notice.updated_at,
        "cancelled_at": notice.cancelled_at,
        "lead_time_s": notice.lead_time_s,
        "late": notice.late,
        "late_for": list(notice.late_for),
        "volumes": [
            volume_fields(v) | {"index": i}
            for i, v in zip(view.volume_indexes, notice.volumes, strict=True)
        ],
        "remarks": notice.remarks,
        "contact": notice.contact,
        "redacted": view.redacted,
        "recorded_after_the_fact": notice.recorded_after_the_fact,
        "priority_status": _text(notice.priority_status),
        "activation": str(notice.activation),
        "activated_at": notice.activated_at,
        "released_at": notice.released_at,
        "not_activated_at": notice.not_activated_at,
        "request_agreement": notice.request_agreement,
    }


def _text(status: PriorityStatus | None) -> str | None:
    return None if status is None else str(status)


def _own_fields(
    notice: Notice, viewer: Viewer, mechanism: Mechanism, now: datetime
) -> dict[str, object]:
    view = see_notice(viewer, notice, mechanism, frozenset())
    if view is None:  # the owner always sees its own notice
        raise RuntimeError("the owner of a notice cannot see it")
    return notice_fields(view, now)


def own_notice_out(
    notice: Notice, viewer: Viewer, mechanism: Mechanism, now: datetime
) -> v1.NoticeOut:
    """A notice as its owner ``viewer`` sees it (whole)."""
    return v1.NoticeOut.model_validate(_own_fields(notice, viewer, mechanism, now))


def filing_out(filing: Filing, viewer: Viewer, mechanism: Mechanism, now: datetime) -> v1.FilingOut:
    """The answer to a filing or an amendment: the notice as its owner sees it, with the
    conflicts found that the owner may see."""
    body = _own_fields(filing.notice, viewer, mechanism, now)
    body["conflicts"] = conflicts_seen(viewer, filing.conflicts, mechanism, now)
    return v1.FilingOut.model_validate(body)


def filing_check_out(
    found: FilingCheck, viewer: Viewer, mechanism: Mechanism, now: datetime
) -> v1.FilingCheckOut:
    """The answer to a dry run of filing: lead time, the counterparties it is late for and the
    conflicts ``viewer`` may see."""
    return v1.FilingCheckOut.model_validate(
        {
            "lead_time_s": found.lead_time_s,
            "late_for": list(found.late_for),
            "conflicts": conflicts_seen(viewer, found.conflicts, mechanism, now),
        }
    )


def notice_list(views: Iterable[NoticeView], now: datetime) -> v1.NoticeList:
    """The wire form of a list of notices as seen."""
    return v1.NoticeList.model_validate({"notices": [notice_fields(v, now) for v in views]})


def notice_detail_out(detail: NoticeDetail, viewer: Viewer, now: datetime) -> v1.NoticeDetailOut:
    """One notice as ``viewer`` sees it, with its open conflicts and acknowledgements."""
    body = notice_fields(detail.view, now)
    body["conflicts"] = [
        conflict_out(c, viewer, now).model_dump(by_alias=True) for c in detail.conflicts
    ]
    body["acknowledgements"] = [ack_state(a).model_dump() for a in detail.acks]
    body["agreement"] = [agreement_out(p).model_dump(by_alias=True) for p in detail.agreement]
    return v1.NoticeDetailOut.model_validate(body)


def agreement_out(position: Position) -> v1.AgreementOut:
    """One counterparty's position on a notice's version (``AgreementOut``)."""
    request, given = position.request, position.reply
    countered = given is not None and given.answer is Answer.COUNTER
    return v1.AgreementOut(
        party=position.party,
        version=position.version,
        state=position.state.value,
        requested_at=request.requested_at,
        due_at=request.due_at,
        rung=request.rung,
        answered_at=None if given is None else request.acked_at,
        answered_by=None if given is None else request.acked_by,
        reason=given.reason if given is not None and given.answer is Answer.DENY else None,
        note=given.note if given is not None and countered else None,
        counter_id=request.id if countered else None,
        volumes=[volume_out(v) for v in given.volumes] if given is not None and countered else None,
    )


def ack_state(request: AckRequest) -> v1.AckState:
    """The short wire form of an acknowledgement shown with its subject."""
    return v1.AckState(
        party=request.party,
        version=request.subject_version,
        status=request.status.value,
        priority=request.priority.value,
        requested_at=request.requested_at,
        due_at=request.due_at,
        acked_at=request.acked_at,
        acked_by=request.acked_by,
    )
