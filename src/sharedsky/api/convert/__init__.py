"""The only place that maps wire.v1 models ↔ domain and use-case values, one module per module
of ``wire/v1``; imports no store (``pyproject.toml``: "api imports no store")."""

from sharedsky.api.convert.common import outline_in, volume_in, volume_out
from sharedsky.api.convert.conflicts import ack_out, conflict_out, escalation_out
from sharedsky.api.convert.notices import ack_state, notice_draft, notice_out
from sharedsky.api.convert.operators import operator_out, operator_token
from sharedsky.api.convert.tracks import tactical_out, track_batch_in
from sharedsky.api.convert.zones import zone_draft, zone_out

__all__ = [
    "ack_out",
    "ack_state",
    "conflict_out",
    "escalation_out",
    "notice_draft",
    "notice_out",
    "operator_out",
    "operator_token",
    "outline_in",
    "tactical_out",
    "track_batch_in",
    "volume_in",
    "volume_out",
    "zone_draft",
    "zone_out",
]
