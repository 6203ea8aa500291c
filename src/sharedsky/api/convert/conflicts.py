"""Strategic conflicts, acknowledgement requests and escalation steps
(``wire/v1/conflicts.py``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sharedsky.api.convert.common import as_utc, volume_fields
from sharedsky.domain.acknowledgements import AckRequest
from sharedsky.domain.conflicts import Conflict, ConflictState
from sharedsky.domain.escalation import EscalationStep
from sharedsky.domain.mechanism import Mechanism
from sharedsky.domain.priority import PriorityStatus
from sharedsky.domain.resolutions import Option
from sharedsky.domain.schedules import Occurrence
from sharedsky.domain.visibility import ConflictView, Viewer, see_conflict
from sharedsky.wire import v1


def conflict_out(view: ConflictView, viewer: Viewer, now: datetime) -> v1.ConflictOut:
    """The wire form of a conflict as ``viewer`` sees it (``with`` = the other side)."""
    conflict = view.conflict
    if viewer.is_host or not conflict.involves(viewer.party):
        own, other = conflict.a, conflict.b
    else:
        own, other = conflict.side_of(viewer.party), conflict.other_side(viewer.party)
    state = conflict.state_at(now)
    reason = conflict.reason_at(now)
    own_occurrence = _occurrence(own.occurrence)
    other_occurrence = None if view.other_id_hidden else _occurrence(other.occurrence)
    return v1.ConflictOut.model_validate(
        {
            "id": conflict.id,
            "state": str(state),
            "resolved_reason": None if reason is None else str(reason),
            "with": {
                "type": str(other.type),
                "id": None if view.other_id_hidden else other.id,
                "party": other.party,
                "priority_status": _status(other.priority_status),
                "occurrence": other_occurrence,
            },
            "own": {
                "type": str(own.type),
                "id": own.id,
                "party": own.party,
                "version": own.version,
                "volume_index": own.volume_index,
                "priority_status": _status(own.priority_status),
                "occurrence": own_occurrence,
            },
            "occurrence": own_occurrence or other_occurrence,
            "priority_status": _status(conflict.priority_status),
            "window": {"start": conflict.window_start, "end": conflict.window_end},
            "altitude": {"lower_m": conflict.alt_lo_m, "upper_m": conflict.alt_hi_m},
            "distance_m": round(conflict.distance_m, 3),
            "datum_margin_m": None
            if conflict.datum_margin_m is None
            else round(conflict.datum_margin_m, 3),
            "region": conflict.region,
            "detected_at": conflict.detected_at,
            "resolved_at": conflict.resolved_at
            if state is ConflictState.RESOLVED and conflict.resolved_at
            else (conflict.expires_at if state is ConflictState.RESOLVED else None),
        }
    )


def _occurrence(occurrence: Occurrence | None) -> dict[str, datetime] | None:
    if occurrence is None:
        return None
    return {"start": occurrence.start, "end": occurrence.end}


def _status(status: PriorityStatus | None) -> str | None:
    return None if status is None else str(status)


def conflict_list(views: Iterable[ConflictView], viewer: Viewer, now: datetime) -> v1.ConflictList:
    """The wire form of a list of conflicts as ``viewer`` sees them."""
    return v1.ConflictList(conflicts=[conflict_out(v, viewer, now) for v in views])


def conflicts_seen(
    viewer: Viewer, conflicts: Iterable[Conflict], mechanism: Mechanism, now: datetime
) -> list[dict[str, object]]:
    """The wire fields of the conflicts ``viewer`` may see of ``conflicts`` (the others left
    out), to nest in the answer to a filing or a declaration."""
    views = (see_conflict(viewer, c, mechanism) for c in conflicts)
    return [conflict_out(v, viewer, now).model_dump(by_alias=True) for v in views if v is not None]


def ack_out(request: AckRequest) -> v1.AckOut:
    """The wire form of an acknowledgement request."""
    return v1.AckOut(
        subject=request.subject.value,
        subject_id=request.subject_id,
        version=request.subject_version,
        party=request.party,
        status=request.status.value,
        priority=request.priority.value,
        requested_at=request.requested_at,
        due_at=request.due_at,
        acked_at=request.acked_at,
        acked_by=request.acked_by,
        rung=request.rung,
    )


def ack_list(requests: Iterable[AckRequest]) -> v1.AckList:
    """The wire form of a list of acknowledgement requests."""
    return v1.AckList(acknowledgements=[ack_out(r) for r in requests])


def escalation_out(step: EscalationStep) -> v1.EscalationOut:
    """The wire form of an escalation step (a step with no next due time reached the host)."""
    record = step.record
    return v1.EscalationOut(
        ack=record.ack_id,
        subject=step.subject,
        subject_id=step.subject_id,
        party=record.party,
        rung=record.rung,
        rung_name=record.rung_name,
        to_host=record.next_due is None,
        requested_at=as_utc(step.requested_at),
        at=as_utc(record.at),
        next_due_at=None if record.next_due is None else as_utc(record.next_due),
    )


def escalation_list(steps: Iterable[EscalationStep]) -> v1.EscalationList:
    """The wire form of a list of escalation steps."""
    return v1.EscalationList(escalations=[escalation_out(s) for s in steps])


def resolution_out(option: Option) -> v1.ShiftOption | v1.MoveOption | v1.WindowOption:
    """The wire form of a resolution option: its cost alone among ``shift_s``, ``delta_m``
    and ``window``."""
    body: dict[str, object] = {
        "id": option.id,
        "kind": str(option.kind),
        "notice_id": option.notice_id,
        "volumes": [volume_fields(v) | {"index": i} for i, v in enumerate(option.volumes)],
        "late": option.late,
    }
    if option.window is not None:
        body["window"] = {"start": option.window.start, "end": option.window.end}
        return v1.WindowOption.model_validate(body)
    if option.delta_m is not None:
        return v1.MoveOption.model_validate(body | {"delta_m": option.delta_m})
    return v1.ShiftOption.model_validate(body | {"shift_s": option.shift_s})


def resolution_list(options: Iterable[Option]) -> v1.ResolutionList:
    """The wire form of a conflict's resolution options."""
    return v1.ResolutionList(options=[resolution_out(o) for o in options])
