"""The conversions of api/convert that decide something (pure: no app, no database): an operator's
expiry from its request, a notice listing's filter from its query parameters, and the domain
records the API shows (operators, webhooks, escalation steps, tactical alerts) mapped field by
field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from sharedsky.api import convert
from sharedsky.domain.channels import NoticeKind
from sharedsky.domain.errors import InvalidInput
from sharedsky.domain.escalation import EscalationRecord, EscalationStep
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.notices import NoticeStatus
from sharedsky.domain.operators import OperatorRecord, Role
from sharedsky.domain.webhooks import Webhook, WebhookAttempt
from sharedsky.service.queries import NoticeFilter
from sharedsky.units import to_us
from sharedsky.wire import v1

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
PLUS_3 = timezone(timedelta(hours=3))


def test_an_operator_expires_expires_in_s_after_now() -> None:
    body = v1.OperatorIn(id="alpha-2", role="duty", expires_in_s=3600)
    assert convert.operator_expiry(body, NOW) == NOW + timedelta(hours=1)


def test_an_operator_expires_at_the_time_given_or_never() -> None:
    at = NOW + timedelta(days=2)
    assert convert.operator_expiry(v1.OperatorIn(id="a", role="duty", expires_at=at), NOW) == at
    assert convert.operator_expiry(v1.OperatorIn(id="a", role="duty"), NOW) is None


def test_an_operator_with_both_expiries_is_refused_naming_expires_in_s() -> None:
    body = v1.OperatorIn(id="a", role="duty", expires_at=NOW, expires_in_s=60)
    with pytest.raises(InvalidInput) as refused:
        convert.operator_expiry(body, NOW)
    assert refused.value.path == ("expires_in_s",)


def _filter(
    bbox: str | None = None, time_from: datetime | None = None, time_to: datetime | None = None
) -> NoticeFilter:
    return convert.notice_filter(
        bbox=bbox,
        time_from=time_from,
        time_to=time_to,
        party=None,
        status=None,
        kind=None,
        limit=10,
    )


def test_a_notice_filter_takes_the_query_as_domain_values_with_times_in_utc() -> None:
    flt = convert.notice_filter(
        bbox="35,33.5,36,34.5",
        time_from=datetime(2026, 5, 1, 15, 0, tzinfo=PLUS_3),
        time_to=None,
        party="alpha",
        status="active",
        kind="uav",
        limit=7,
    )
    assert flt.bbox == (35.0, 33.5, 36.0, 34.5)
    assert flt.time_from == NOW and flt.time_from.tzinfo is UTC
    assert flt.time_to is None
    assert flt.party == PartyId("alpha")
    assert flt.status is NoticeStatus.ACTIVE
    assert flt.kind is NoticeKind.UAV
    assert flt.limit == 7


@pytest.mark.parametrize(
    ("given", "path"),
    [
        ({"bbox": "1,2,3"}, ("bbox",)),
        ({"bbox": "36,33,35,34"}, ("bbox",)),
        ({"bbox": "35,-91,36,34"}, ("bbox",)),
        ({"time_from": datetime(2026, 5, 1, 12, 0)}, ("from",)),  # noqa: DTZ001  # naive on purpose
        ({"time_to": datetime(2026, 5, 1, 12, 0)}, ("to",)),  # noqa: DTZ001  # naive on purpose
    ],
)
def test_a_malformed_notice_query_is_refused_naming_its_parameter(
    given: dict[str, Any], path: tuple[str, ...]
) -> None:
    with pytest.raises(InvalidInput) as refused:
        _filter(**given)
    assert refused.value.path == path


def test_an_operator_shows_its_times_and_whether_it_is_active_now() -> None:
    record = OperatorRecord(
        OperatorId("alpha-2"),
        PartyId("alpha"),
        "alpha-2",
        Role.DUTY,
        created_us=to_us(NOW - timedelta(days=1)),
        expires_us=to_us(NOW + timedelta(seconds=1)),
    )
    out = convert.operator_out(record, NOW)
    assert (out.id, out.party, out.role) == ("alpha-2", "alpha", "duty")
    assert out.created_at == NOW - timedelta(days=1)
    assert out.expires_at == NOW + timedelta(seconds=1)
    assert out.revoked_at is None and out.active
    assert not convert.operator_out(record, NOW + timedelta(seconds=1)).active


def test_a_webhook_shows_everything_but_its_secret() -> None:
    hook = Webhook(
        id="wh-1",
        party=PartyId("alpha"),
        url="https://alpha.example/hook",
        secret="s3cret",
        created_at=NOW,
        disabled_at=None,
        cursor_seq=41,
        attempts=2,
        next_attempt_at=NOW + timedelta(seconds=30),
    )
    out = convert.webhook_out(hook)
    assert "s3cret" not in out.model_dump_json()
    assert (out.cursor_seq, out.attempts, out.next_attempt_at) == (41, 2, hook.next_attempt_at)
    attempt = WebhookAttempt("wh-1", 42, "notice.filed", 3, None, "timeout", NOW, False, True, 9)
    shown = convert.delivery_out(attempt)
    assert (shown.id, shown.event_seq, shown.attempt, shown.dead) == (9, 42, 3, True)


def test_an_escalation_step_to_the_host_has_no_next_due_time_and_times_in_utc() -> None:
    record = EscalationRecord("ack-1", PartyId("alpha"), 2, "host", NOW.astimezone(PLUS_3), None)
    out = convert.escalation_out(EscalationStep(record, "notice", "n-1", NOW - timedelta(hours=1)))
    assert out.to_host and out.next_due_at is None
    assert out.at == NOW and out.at.utcoffset() == timedelta(0)
    assert (out.ack, out.subject, out.subject_id, out.rung_name) == (
        "ack-1",
        "notice",
        "n-1",
        "host",
    )
