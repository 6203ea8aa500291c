"""Notices: the filing request to a draft, a notice as seen to its wire fields, and the short form
of an acknowledgement shown with its subject (``wire/v1/notices.py``)."""

from __future__ import annotations

from datetime import datetime

from sharedsky.api.convert.common import volume_fields, volume_in
from sharedsky.domain.acknowledgements import AckRequest
from sharedsky.domain.channels import NoticeKind
from sharedsky.domain.notices import NoticeDraft
from sharedsky.domain.visibility import NoticeView
from sharedsky.wire import v1


def notice_draft(model: v1.NoticeIn) -> NoticeDraft:
    """A notice draft from the filing request."""
    return NoticeDraft(
        kind=NoticeKind(model.kind),
        title=model.title,
        volumes=tuple(volume_in(v) for v in model.volumes),
        remarks=model.remarks,
        contact=model.contact,
    )


def notice_out(view: NoticeView, now: datetime) -> dict[str, object]:
    """The wire fields of a notice as seen (a dict, so subclasses can extend it)."""
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
    }


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
