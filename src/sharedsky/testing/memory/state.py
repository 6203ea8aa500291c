"""The repositories of the projected state (the tables the events project): notices, zones and
their volumes, conflicts, tactical alerts, acknowledgement requests, messages, escalations
and deliveries; each method as its SQL namesake in ``store/``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sharedsky.domain.acknowledgements import AckBacklog, AckRequest, AckStatus, AckSubject
from sharedsky.domain.activation import Lifecycle
from sharedsky.domain.agreement import AgreementReply, Position
from sharedsky.domain.channels import Activation
from sharedsky.domain.conflicts import (
    Conflict,
    ConflictFilter,
    ConflictState,
    ObjectType,
    ResolvedReason,
)
from sharedsky.domain.deliveries import Delivery
from sharedsky.domain.escalation import EscalationRecord, EscalationStep
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.incidents import Incident
from sharedsky.domain.messages import Message, MessageReply
from sharedsky.domain.notices import Notice, NoticeFilter, NoticeStatus, NoticeStep
from sharedsky.domain.tactical import CLEARED, OPEN, Severity, StoredAlert
from sharedsky.domain.volumes import StoredVolume, Volume4D
from sharedsky.domain.zones import Zone, ZoneKind
from sharedsky.store.mapping import (
    ack_from_row,
    ack_values,
    alert_from_row,
    alert_values,
    answer_values,
    conflict_from_row,
    conflict_values,
    delivery_from_row,
    delivery_values,
    escalation_from_row,
    escalation_values,
    figures_text,
    incident_from_record,
    incident_values,
    message_from_row,
    message_values,
    notice_from_row,
    notice_values,
    position_from_row,
    reply_values,
    stored_volume_from_row,
    volume_from_row,
    volume_values,
    zone_from_row,
    zone_values,
)
from sharedsky.testing.memory.tables import (
    ConstraintViolation,
    Cover,
    Repository,
    Row,
    changed,
    newest_first,
    typed,
)
from sharedsky.units import OPEN_END_US, from_us, to_us


class MemoryVolumes(Repository):
    """``store/volumes.py``: the volumes and their cell × time index."""

    def put(
        self,
        object_type: ObjectType,
        object_id: str,
        party: PartyId,
        version: int,
        volumes: Sequence[Volume4D],
        cells: Sequence[Sequence[int]],
        *,
        new: bool = False,
    ) -> None:
        if not new:
            self.remove(object_type, object_id)
        taken = {
            r.volume_index
            for r in self._t.rows["volumes"].values()
            if (r.object_type, r.object_id) == (str(object_type), object_id)
        }
        if taken & set(range(len(volumes))):
            raise ConstraintViolation(f"volumes holds volumes of {object_type} {object_id} already")
        first = self._t.above_max("volumes")
        rows = [
            volume_values(volume, object_type, object_id, index, party)
            | {"vid": first + index, "version": version}
            for index, volume in enumerate(volumes)
        ]
        for row, covering in zip(self._t.insert_many("volumes", rows), cells, strict=True):
            end = OPEN_END_US if row.t_end_us is None else row.t_end_us
            cover = Cover(frozenset(covering), row.t_start_us, end, row.party_id)
            if cover.cells:
                self._t.index(row.vid, cover)

    def unindex(self, object_type: ObjectType, object_id: str) -> None:
        for row in self._of(object_type, object_id):
            self._t.unindex(row.vid)

    def remove(self, object_type: ObjectType, object_id: str) -> None:
        """Drop every volume of the object and its cells; nothing when it has none."""
        self.unindex(object_type, object_id)
        for row in self._of(object_type, object_id):
            self._t.delete("volumes", row.vid)

    def volumes_of(
        self, object_type: ObjectType, object_ids: Sequence[str]
    ) -> dict[str, list[Volume4D]]:
        """The volumes of each object, in index order; objects with none are absent."""
        wanted = set(object_ids)
        rows = [
            r
            for r in self._t.rows["volumes"].values()
            if r.object_type == str(object_type) and r.object_id in wanted
        ]
        found: dict[str, list[Volume4D]] = {}
        for row in sorted(rows, key=lambda r: (r.object_id, r.volume_index)):
            found.setdefault(row.object_id, []).append(volume_from_row(row))
        return found

    def candidates(
        self,
        cells: Sequence[int],
        t_lo_us: int,
        t_hi_us: int,
        alt_lo_m: float,
        alt_hi_m: float,
        exclude_party: PartyId,
    ) -> list[StoredVolume]:
        vids: set[int] = set()
        for cell in set(cells):
            vids.update(self._t.cell_vids.get(cell, ()))
        found = []
        for vid in vids:
            cover = self._t.covers[vid]
            if not (
                cover.t_start_us < t_hi_us
                and cover.t_end_us > t_lo_us
                and cover.party != exclude_party
            ):
                continue
            row = self._t.rows["volumes"][vid]
            if row.alt_lo_m < alt_hi_m and row.alt_hi_m > alt_lo_m:
                found.append(stored_volume_from_row(row))
        found.sort(key=lambda v: (v.object_type, v.object_id, v.volume_index))
        return found

    def _of(self, object_type: ObjectType, object_id: str) -> list[Row]:
        return [
            r
            for r in self._t.scan("volumes")
            if r.object_type == str(object_type) and r.object_id == object_id
        ]


class MemoryNotices(Repository):
    """``store/notices.py``."""

    def add(self, notice: Notice) -> None:
        self._t.insert("notices", notice_values(notice))

    def replace(self, notice: Notice) -> None:
        row = self._t.get("notices", notice.id)
        if row is not None:  # the activation steps stay, as the SQL update leaves them
            self._t.replace("notices", changed(row, "notices", **notice_values(notice)))

    def mark(self, notice_id: str, step: NoticeStep, at: datetime) -> None:
        row = self._t.get("notices", notice_id)
        if row is not None:
            self._t.replace("notices", changed(row, "notices", **{f"{step}_us": to_us(at)}))

    def awaiting_activation(self, now: datetime, limit: int) -> list[Notice]:
        now_us = to_us(now)
        rows = [
            r
            for r in self._t.rows["notices"].values()
            if r.activation == str(Activation.MANUAL)
            and r.cancelled_us is None
            and r.released_us is None
            and r.activated_us is None
            and r.not_activated_us is None
            and r.t_start_us <= now_us < r.t_end_us
        ]
        rows = sorted(rows, key=lambda r: (r.t_start_us, r.id))[: max(limit, 0)]
        found = self._assemble(rows)
        return [found[r.id] for r in rows]

    def cancel(self, notice_id: str, at: datetime) -> None:
        row = self._t.get("notices", notice_id)
        if row is not None:
            self._t.replace("notices", changed(row, "notices", cancelled_us=to_us(at)))

    def get(self, notice_id: str) -> Notice | None:
        return self.get_many([notice_id]).get(notice_id)

    def get_many(self, notice_ids: Sequence[str]) -> dict[str, Notice]:
        rows = [r for i in dict.fromkeys(notice_ids) if (r := self._t.get("notices", i))]
        return self._assemble(rows)

    def find(self, flt: NoticeFilter, now: datetime) -> list[Notice]:
        def matches(r: Row) -> bool:
            return (
                (flt.party is None or r.party_id == flt.party)
                and (flt.kind is None or r.kind == str(flt.kind))
                and (flt.time_from is None or r.t_end_us > to_us(flt.time_from))
                and (flt.time_to is None or r.t_start_us < to_us(flt.time_to))
                and (
                    flt.bbox is None
                    or (
                        r.max_lon >= flt.bbox[0]
                        and r.min_lon <= flt.bbox[2]
                        and r.max_lat >= flt.bbox[1]
                        and r.min_lat <= flt.bbox[3]
                    )
                )
                and (flt.status is None or _status_of(r, now) is flt.status)
            )

        rows = [r for r in self._t.rows["notices"].values() if matches(r)]
        rows = sorted(rows, key=lambda r: (r.t_start_us, r.id))[: max(flt.limit, 0)]
        found = self._assemble(rows)
        return [found[r.id] for r in rows]

    def _assemble(self, rows: Sequence[Row]) -> dict[str, Notice]:
        volumes = self._uow.volumes.volumes_of(ObjectType.NOTICE, [r.id for r in rows])
        return {r.id: notice_from_row(r, volumes.get(r.id, [])) for r in rows}


def _status_of(row: Row, now: datetime) -> NoticeStatus:
    """The status at ``now`` of the notice of ``row`` (``Notice.status``, on the row)."""
    if row.cancelled_us is not None:
        return NoticeStatus.CANCELLED
    lifecycle = Lifecycle(
        Activation(row.activation),
        from_us(row.t_start_us),
        from_us(row.t_end_us),
        None if row.activated_us is None else from_us(row.activated_us),
        None if row.released_us is None else from_us(row.released_us),
    )
    return NoticeStatus(lifecycle.status(now).value)


class MemoryZones(Repository):
    """``store/zones.py``."""

    def add(self, zone: Zone) -> None:
        self._t.insert("zones", zone_values(zone))

    def replace(self, zone: Zone) -> None:
        if self._t.get("zones", zone.id) is not None:
            self._t.replace("zones", typed("zones", zone_values(zone)))

    def withdraw(self, zone_id: str, at: datetime) -> None:
        row = self._t.get("zones", zone_id)
        if row is not None:
            at_us = to_us(at)
            self._t.replace("zones", changed(row, "zones", withdrawn_us=at_us, updated_us=at_us))

    def get(self, zone_id: str) -> Zone | None:
        return self.get_many([zone_id]).get(zone_id)

    def get_many(self, zone_ids: Sequence[str]) -> dict[str, Zone]:
        rows = [r for i in dict.fromkeys(zone_ids) if (r := self._t.get("zones", i))]
        return self._assemble(rows)

    def find(
        self, party: PartyId | None = None, kind: ZoneKind | None = None, withdrawn: bool = False
    ) -> list[Zone]:
        rows = [
            r
            for r in self._t.scan("zones")
            if (party is None or r.party_id == party)
            and (kind is None or r.kind == str(kind))
            and (withdrawn or r.withdrawn_us is None)
        ]
        found = self._assemble(rows)
        return [found[r.id] for r in rows]

    def _assemble(self, rows: Sequence[Row]) -> dict[str, Zone]:
        volumes = self._uow.volumes.volumes_of(ObjectType.ZONE, [r.id for r in rows])
        return {r.id: zone_from_row(r, volumes[r.id][0]) for r in rows}


def _open_at(row: Row, now_us: int) -> bool:
    """Stored open and not expired at ``now_us``."""
    return row.state == str(ConflictState.OPEN) and (
        row.expires_us is None or row.expires_us > now_us
    )


class MemoryConflicts(Repository):
    """``store/conflicts.py``."""

    def add_many(self, conflicts: Sequence[Conflict]) -> None:
        self._t.insert_many("conflicts", [conflict_values(c) for c in conflicts])

    def get(self, conflict_id: str) -> Conflict | None:
        row = self._t.get("conflicts", conflict_id)
        return None if row is None else conflict_from_row(row)

    def open_involving(self, object_type: ObjectType, object_id: str) -> list[Conflict]:
        side = (str(object_type), object_id)
        return [
            conflict_from_row(r)
            for r in self._t.scan("conflicts")
            if r.state == str(ConflictState.OPEN)
            and side in ((r.a_type, r.a_id), (r.b_type, r.b_id))
        ]

    def resolve(self, conflict_id: str, reason: ResolvedReason, at: datetime) -> None:
        row = self._t.get("conflicts", conflict_id)
        if row is not None:
            changes = {
                "state": str(ConflictState.RESOLVED),
                "resolved_us": to_us(at),
                "resolved_reason": str(reason),
            }
            self._t.replace("conflicts", changed(row, "conflicts", **changes))

    def find(self, flt: ConflictFilter, now: datetime) -> list[Conflict]:
        now_us = to_us(now)
        rows = [
            r
            for r in self._t.rows["conflicts"].values()
            if (flt.party is None or flt.party in (r.a_party, r.b_party))
            and (flt.object_id is None or flt.object_id in (r.a_id, r.b_id))
            and (flt.state is not ConflictState.OPEN or _open_at(r, now_us))
            and (
                flt.state is not ConflictState.RESOLVED
                or r.state == str(ConflictState.RESOLVED)
                or (r.expires_us is not None and r.expires_us <= now_us)
            )
        ]
        return [conflict_from_row(r) for r in newest_first(rows, "detected_us", "id")][
            : max(flt.limit, 0)
        ]

    def clashing_volumes(
        self, viewer: PartyId, object_ids: Sequence[str], now: datetime
    ) -> dict[str, frozenset[int]]:
        now_us = to_us(now)
        wanted = set(object_ids)
        found: dict[str, set[int]] = {}
        for row in self._t.rows["conflicts"].values():
            if not _open_at(row, now_us):
                continue
            for mine, theirs in (("a", "b"), ("b", "a")):
                other = row[f"{theirs}_id"]
                if row[f"{mine}_party"] == viewer and other in wanted:
                    found.setdefault(other, set()).add(row[f"{theirs}_volume"])
        return {key: frozenset(value) for key, value in found.items()}


class MemoryAlerts(Repository):
    """``store/tactical.py``."""

    def add_many(self, alerts: Sequence[StoredAlert]) -> None:
        self._t.insert_many("tactical_alerts", [alert_values(a) for a in alerts])

    def update_severity(
        self, alert_id: str, severity: Severity, figures: Mapping[str, object], at: datetime
    ) -> None:
        changes = {
            "severity": str(severity),
            "figures": figures_text(figures),
            "updated_us": to_us(at),
        }
        self._update(alert_id, changes)

    def clear(self, alert_id: str, at: datetime) -> None:
        self._update(alert_id, {"state": CLEARED, "cleared_us": to_us(at), "updated_us": to_us(at)})

    def _update(self, alert_id: str, changes: Mapping[str, object]) -> None:
        row = self._t.get("tactical_alerts", alert_id)
        if row is not None:
            self._t.replace("tactical_alerts", changed(row, "tactical_alerts", **changes))

    def get(self, alert_id: str) -> StoredAlert | None:
        row = self._t.get("tactical_alerts", alert_id)
        return None if row is None else alert_from_row(row)

    def open_alerts(self) -> list[StoredAlert]:
        rows = [r for r in self._t.rows["tactical_alerts"].values() if r.state == OPEN]
        return [alert_from_row(r) for r in sorted(rows, key=lambda r: (r.opened_us, r.id))]

    def find(self, state: str | None, limit: int = 1000) -> list[StoredAlert]:
        rows = [
            r for r in self._t.rows["tactical_alerts"].values() if state is None or r.state == state
        ]
        return [alert_from_row(r) for r in newest_first(rows, "opened_us", "id")[: max(limit, 0)]]


class MemoryAcks(Repository):
    """``store/acks.py``."""

    def add(self, request: AckRequest) -> None:
        self.add_many([request])

    def add_many(self, requests: Sequence[AckRequest]) -> None:
        self._t.insert_many("ack_requests", [ack_values(r) for r in requests])

    def for_subject(self, subject_id: str, party: PartyId | None = None) -> list[AckRequest]:
        rows = [
            r
            for r in self._t.rows["ack_requests"].values()
            if r.subject_id == subject_id and (party is None or r.party_id == party)
        ]
        return [ack_from_row(r) for r in sorted(rows, key=lambda r: (r.requested_us, r.id))]

    def pending(self, party: PartyId) -> list[AckRequest]:
        rows = [r for r in self._pending() if r.party_id == party]
        return [ack_from_row(r) for r in sorted(rows, key=lambda r: (r.due_us, r.id))]

    def backlog(self, now_us: int) -> list[AckBacklog]:
        counts: dict[str, list[int]] = {}
        for row in self._pending():
            count = counts.setdefault(row.party_id, [0, 0, 0])
            count[0] += 1
            count[1] += row.due_us <= now_us
            count[2] += row.rung > 0
        return [AckBacklog(PartyId(p), *counts[p]) for p in sorted(counts)]

    def acknowledge(self, request_id: str, operator: OperatorId, at: datetime) -> None:
        changes = {"status": str(AckStatus.ACKNOWLEDGED), "acked_us": to_us(at)}
        self._update_pending(request_id, changes | {"acked_by": operator})

    def answer(
        self, request_id: str, reply: AgreementReply, operator: OperatorId, at: datetime
    ) -> None:
        changes = {"status": str(AckStatus.ACKNOWLEDGED), "acked_us": to_us(at)}
        self._update_pending(request_id, changes | {"acked_by": operator} | answer_values(reply))

    def positions(self, subject_id: str) -> list[Position]:
        rows = [
            r
            for r in self._t.rows["ack_requests"].values()
            if r.subject_id == subject_id and r.subject == str(AckSubject.AGREEMENT)
        ]
        return [position_from_row(r) for r in sorted(rows, key=lambda r: (r.requested_us, r.id))]

    def supersede(self, subject_id: str) -> None:
        for row in self._pending():
            if row.subject_id == subject_id:
                self._update_pending(row.id, {"status": str(AckStatus.SUPERSEDED)})

    def supersede_for(self, subject_id: str, parties: Sequence[str]) -> None:
        for row in self._pending():
            if row.subject_id == subject_id and row.party_id in parties:
                self._update_pending(row.id, {"status": str(AckStatus.SUPERSEDED)})

    def due(self, now_us: int, limit: int, *, lock: bool) -> list[AckRequest]:
        """``lock`` changes nothing: no other transaction runs meanwhile."""
        rows = [r for r in self._pending() if r.due_us <= now_us]
        rows = sorted(rows, key=lambda r: (r.due_us, r.id))[: max(limit, 0)]
        return [ack_from_row(r) for r in rows]

    def climb(self, request_id: str, rung: int, due_us: int) -> None:
        self._update_pending(request_id, {"rung": rung, "due_us": due_us})

    def lapse(self, request_id: str) -> None:
        self._update_pending(request_id, {"status": str(AckStatus.SUPERSEDED)})

    def _pending(self) -> list[Row]:
        pending = str(AckStatus.PENDING)
        return [r for r in self._t.rows["ack_requests"].values() if r.status == pending]

    def _update_pending(self, request_id: str, changes: Mapping[str, object]) -> None:
        row = self._t.get("ack_requests", request_id)
        if row is not None and row.status == str(AckStatus.PENDING):
            self._t.replace("ack_requests", changed(row, "ack_requests", **changes))


class MemoryMessages(Repository):
    """``store/messages.py``."""

    def add(self, message: Message) -> None:
        self._t.insert("messages", message_values(message))

    def get(self, message_id: str) -> Message | None:
        row = self._t.get("messages", message_id)
        return None if row is None else message_from_row(row)

    def thread(self, thread: str, party: PartyId | None, limit: int) -> list[Message]:
        rows = [r for r in self._of(party) if r.thread == thread]
        rows = sorted(rows, key=lambda r: (r.sent_us, r.id))[: max(limit, 0)]
        return [message_from_row(r) for r in rows]

    def latest(self, party: PartyId | None, limit: int) -> list[Message]:
        rows = sorted(self._of(party), key=lambda r: (r.sent_us, r.id), reverse=True)
        return [message_from_row(r) for r in rows[: max(limit, 0)]]

    def set_reply(self, message_id: str, reply: MessageReply) -> None:
        row = self._t.get("messages", message_id)
        if row is not None:
            self._t.replace("messages", changed(row, "messages", **reply_values(reply)))

    def _of(self, party: PartyId | None) -> list[Row]:
        return [
            r
            for r in self._t.rows["messages"].values()
            if party is None or party in (r.sender_party, r.recipient_party)
        ]


class MemoryIncidents(Repository):
    """``store/incidents.py``."""

    def add(self, incident: Incident) -> None:
        self._t.insert("incidents", incident_values(incident))

    def get(self, incident_id: str) -> Incident | None:
        row = self._t.get("incidents", incident_id)
        return None if row is None else incident_from_record(str(row.record))

    def latest(self, limit: int) -> list[Incident]:
        rows = self._t.rows["incidents"].values()
        ordered = sorted(rows, key=lambda r: (r.filed_us, r.id), reverse=True)
        return [incident_from_record(str(r.record)) for r in ordered[: max(limit, 0)]]


class MemoryEscalations(Repository):
    """``store/escalations.py``."""

    def add(self, record: EscalationRecord) -> None:
        taken = any(
            (r.ack_id, r.rung) == (record.ack_id, record.rung)
            for r in self._t.rows["escalations"].values()
        )
        if taken:
            raise ConstraintViolation(f"escalations holds rung {record.rung} of {record.ack_id}")
        number = self._t.above_max("escalations")
        self._t.insert("escalations", escalation_values(record) | {"id": number})

    def steps(self, party: PartyId | None, limit: int = 500) -> list[EscalationStep]:
        found: list[EscalationStep] = []
        for row in sorted(self._t.rows["escalations"].values(), key=lambda r: -r.id):
            request = self._t.get("ack_requests", row.ack_id)
            if request is None or (party is not None and row.party_id != party):
                continue
            if len(found) >= limit:
                break
            found.append(
                EscalationStep(
                    escalation_from_row(row),
                    request.subject,
                    request.subject_id,
                    from_us(request.requested_us),
                )
            )
        return found


class MemoryDeliveries(Repository):
    """``store/deliveries.py``."""

    def record(self, deliveries: Sequence[Delivery]) -> list[Delivery]:
        first = []
        for delivery in deliveries:
            values = delivery_values(delivery)
            if self._t.get("deliveries", self._t.key_of("deliveries", values)) is None:
                self._t.insert("deliveries", values)
                first.append(delivery)
        return first

    def of(self, subject: str, subject_ids: Sequence[str]) -> list[Delivery]:
        wanted = set(subject_ids)
        return [
            delivery_from_row(r)
            for r in self._t.scan("deliveries")
            if r.subject == subject and r.subject_id in wanted
        ]
