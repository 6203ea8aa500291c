"""The only place that maps wire.v1 models ↔ domain and use-case values, one module per module
of ``wire/v1``; imports no store (``pyproject.toml``: "api imports no store")."""

from sharedsky.api.convert.common import area_out, outline_in, volume_in, volume_out
from sharedsky.api.convert.conflicts import (
    ack_list,
    ack_out,
    conflict_list,
    conflict_out,
    escalation_list,
    escalation_out,
    resolution_list,
    resolution_out,
)
from sharedsky.api.convert.events import event_out
from sharedsky.api.convert.formats import (
    export_set,
    import_items,
    import_out,
    mechanism_out,
    parts_of,
)
from sharedsky.api.convert.incidents import (
    incident_draft,
    incident_list,
    incident_out,
    report_out,
)
from sharedsky.api.convert.ledger import checkpoint_out, key_ring_out, operator_key_out
from sharedsky.api.convert.messages import (
    message_draft,
    message_list,
    message_out,
    template_list,
    template_out,
)
from sharedsky.api.convert.notices import (
    ack_state,
    agreement_out,
    filing_check_out,
    filing_out,
    notice_detail_out,
    notice_draft,
    notice_filter,
    notice_list,
    own_notice_out,
)
from sharedsky.api.convert.operators import (
    operator_expiry,
    operator_list,
    operator_out,
    operator_token,
)
from sharedsky.api.convert.stats import lead_time_out
from sharedsky.api.convert.tracks import (
    tactical_list,
    tactical_out,
    track_list,
    track_report_in,
    tracks_accepted,
)
from sharedsky.api.convert.webhooks import (
    delivery_list,
    delivery_out,
    webhook_created,
    webhook_list,
    webhook_out,
)
from sharedsky.api.convert.zones import (
    declaration_out,
    own_zone_out,
    zone_draft,
    zone_list,
    zone_out,
)

__all__ = [
    "ack_list",
    "ack_out",
    "ack_state",
    "agreement_out",
    "area_out",
    "checkpoint_out",
    "conflict_list",
    "conflict_out",
    "declaration_out",
    "delivery_list",
    "delivery_out",
    "escalation_list",
    "escalation_out",
    "event_out",
    "export_set",
    "filing_check_out",
    "filing_out",
    "import_items",
    "import_out",
    "incident_draft",
    "incident_list",
    "incident_out",
    "key_ring_out",
    "lead_time_out",
    "mechanism_out",
    "message_draft",
    "message_list",
    "message_out",
    "notice_detail_out",
    "notice_draft",
    "notice_filter",
    "notice_list",
    "operator_expiry",
    "operator_key_out",
    "operator_list",
    "operator_out",
    "operator_token",
    "outline_in",
    "own_notice_out",
    "own_zone_out",
    "parts_of",
    "report_out",
    "resolution_list",
    "resolution_out",
    "tactical_list",
    "tactical_out",
    "template_list",
    "template_out",
    "track_list",
    "track_report_in",
    "tracks_accepted",
    "volume_in",
    "volume_out",
    "webhook_created",
    "webhook_list",
    "webhook_out",
    "zone_draft",
    "zone_list",
    "zone_out",
]
