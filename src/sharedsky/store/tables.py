"""Table metadata. Times are integer microseconds since the epoch (UTC), columns named ``*_us``."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

settings = Table(
    "mechanism_settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)
"""The loaded mechanism (key ``mechanism``: its canonical JSON) and other per-database facts."""

parties = Table(
    "parties",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("language", String(35), nullable=False),
    Column("is_host", Boolean, nullable=False),
)

operators = Table(
    "operators",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("party_id", String(64), ForeignKey("parties.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("created_us", BigInteger, nullable=False),
    Column("role", String(16), nullable=False, server_default="admin"),
    Column("expires_us", BigInteger),
    Column("revoked_us", BigInteger),
    Column("cert_subject", String(500)),
    Column("changed_us", BigInteger, nullable=False, server_default="0"),
    # every change of an operator (added, rotated, revoked) sets changed_us: each server process
    # compares max(changed_us) and count(*) with what it last read to drop what it remembers
)

notices = Table(
    "notices",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("party_id", String(64), ForeignKey("parties.id"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("title", String(200), nullable=False),
    Column("remarks", Text, nullable=False),
    Column("contact", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("filed_us", BigInteger, nullable=False),
    Column("updated_us", BigInteger, nullable=False),
    Column("cancelled_us", BigInteger, nullable=True),
    Column("lead_time_s", Float, nullable=False),
    Column("late_for", Text, nullable=False),
    Column("t_start_us", BigInteger, nullable=False),
    Column("t_end_us", BigInteger, nullable=False),
    Column("min_lon", Float, nullable=False),
    Column("min_lat", Float, nullable=False),
    Column("max_lon", Float, nullable=False),
    Column("max_lat", Float, nullable=False),
    Column("priority_status", String(16), nullable=True),
    Column("activation", String(16), nullable=False, server_default="at_start"),
    Column("activated_us", BigInteger, nullable=True),
    Column("released_us", BigInteger, nullable=True),
    Column("not_activated_us", BigInteger, nullable=True),
    Column("request_agreement", Boolean, nullable=False, server_default=false()),
    Index("ix_notices_party_end", "party_id", "t_end_us"),
    Index("ix_notices_end", "t_end_us"),
)

zones = Table(
    "zones",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("party_id", String(64), ForeignKey("parties.id"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("title", String(200), nullable=False),
    Column("remarks", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("declared_us", BigInteger, nullable=False),
    Column("updated_us", BigInteger, nullable=False),
    Column("withdrawn_us", BigInteger, nullable=True),
    Index("ix_zones_party", "party_id"),
)

volumes = Table(
    "volumes",
    metadata,
    Column("vid", Integer, primary_key=True, autoincrement=True),
    Column("object_type", String(16), nullable=False),
    Column("object_id", String(40), nullable=False),
    Column("volume_index", Integer, nullable=False),
    Column("party_id", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("outline", Text, nullable=False),
    Column("alt_lo_m", Float, nullable=False),
    Column("alt_hi_m", Float, nullable=False),
    Column("t_start_us", BigInteger, nullable=False),
    Column("t_end_us", BigInteger, nullable=True),
    Column("band", Text, nullable=True),
    Column("schedule", Text, nullable=True),
    UniqueConstraint("object_type", "object_id", "volume_index"),
)
"""Every current volume of every notice and zone; ``t_end_us`` NULL means open-ended."""

volume_cells = Table(
    "volume_cells",
    metadata,
    Column("cell", BigInteger, nullable=False),
    Column("t_start_us", BigInteger, nullable=False),
    Column("t_end_us", BigInteger, nullable=False),
    Column("vid", Integer, nullable=False),
    Column("party_id", String(64), nullable=False),
    Index("ix_volume_cells_cell_time", "cell", "t_start_us", "t_end_us"),
    Index("ix_volume_cells_vid", "vid"),
)
"""The candidate index: the H3 covering of every volume × its time window (open end = max)."""

conflicts = Table(
    "conflicts",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("a_type", String(16), nullable=False),
    Column("a_id", String(40), nullable=False),
    Column("a_party", String(64), nullable=False),
    Column("a_version", Integer, nullable=False),
    Column("a_volume", Integer, nullable=False),
    Column("b_type", String(16), nullable=False),
    Column("b_id", String(40), nullable=False),
    Column("b_party", String(64), nullable=False),
    Column("b_version", Integer, nullable=False),
    Column("b_volume", Integer, nullable=False),
    Column("window_start_us", BigInteger, nullable=False),
    Column("window_end_us", BigInteger, nullable=True),
    Column("alt_lo_m", Float, nullable=False),
    Column("alt_hi_m", Float, nullable=False),
    Column("distance_m", Float, nullable=False),
    Column("region", Text, nullable=False),
    Column("region_a", Text, nullable=True),
    Column("region_b", Text, nullable=True),
    Column("detected_us", BigInteger, nullable=False),
    Column("expires_us", BigInteger, nullable=True),
    Column("state", String(16), nullable=False),
    Column("resolved_us", BigInteger, nullable=True),
    Column("resolved_reason", String(16), nullable=True),
    Column("datum_margin_m", Float, nullable=True),
    Column("a_priority_status", String(16), nullable=True),
    Column("b_priority_status", String(16), nullable=True),
    Column("a_occurrence_start_us", BigInteger, nullable=True),
    Column("a_occurrence_end_us", BigInteger, nullable=True),
    Column("b_occurrence_start_us", BigInteger, nullable=True),
    Column("b_occurrence_end_us", BigInteger, nullable=True),
    Index("ix_conflicts_a", "a_id", "state"),
    Index("ix_conflicts_b", "b_id", "state"),
    Index("ix_conflicts_parties", "a_party", "b_party"),
)

tactical_alerts = Table(
    "tactical_alerts",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("a_party", String(64), nullable=False),
    Column("a_track", String(32), nullable=False),
    Column("b_type", String(16), nullable=False),
    Column("b_id", String(40), nullable=False),
    Column("b_party", String(64), nullable=False),
    Column("audience", Text, nullable=False),
    Column("severity", String(16), nullable=False),
    Column("figures", Text, nullable=False),
    Column("opened_us", BigInteger, nullable=False),
    Column("updated_us", BigInteger, nullable=False),
    Column("state", String(16), nullable=False),
    Column("cleared_us", BigInteger, nullable=True),
    Index("ix_tactical_alerts_state", "state"),
)
"""Tactical alerts (track × track, track × zone, track × its notice); ``audience`` is the JSON
list of the parties told, ``figures`` the JSON of the last reported CPA or entry/exit figures."""

live_tracks = Table(
    "live_tracks",
    metadata,
    Column("party", String(64), primary_key=True),
    Column("track_id", String(32), primary_key=True),
    Column("time_s", Float, nullable=False),
    Column("lat_deg", Float, nullable=False),
    Column("lon_deg", Float, nullable=False),
    Column("alt_m", Float, nullable=False),
    Column("gs_mps", Float, nullable=False),
    Column("trk_deg", Float, nullable=False),
    Column("vs_mps", Float, nullable=False),
    Column("notice_id", String(40), nullable=True),
    Column("callsign", String(16), nullable=True),
    Column("alt_ref", String(4), nullable=False, server_default="AMSL"),
    Index("ix_live_tracks_time_s", "time_s"),
)
"""The live picture shared by the server processes over one PostgreSQL (``store/live.py``): the
newest state of each (party, track id), ``time_s`` its own time in seconds since the epoch,
``alt_ref`` the reference of ``alt_m`` (AMSL, STD or W84). Not a projection of the ledger:
tracks are not ledger entries, and old rows are pruned."""

tactical_live = Table(
    "tactical_live",
    metadata,
    Column("alert_id", String(40), primary_key=True),
    Column("severity", String(16), nullable=False),
    Column("figures", Text, nullable=False),
    Column("found_us", BigInteger, nullable=False),
)
"""The latest figures of each open tactical alert, as the duty holder's last tick found them
(``store/live.py``), for the processes that do not tick; not a projection of the ledger."""

EPHEMERAL = (live_tracks, tactical_live)
"""Tables of the moment, rewritten every second and left out of backups."""

ack_requests = Table(
    "ack_requests",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("party_id", String(64), nullable=False),
    Column("subject", String(16), nullable=False),
    Column("subject_id", String(40), nullable=False),
    Column("subject_version", Integer, nullable=False),
    Column("priority", String(16), nullable=False),
    Column("requested_us", BigInteger, nullable=False),
    Column("due_us", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("acked_us", BigInteger, nullable=True),
    Column("acked_by", String(64), nullable=True),
    Column("rung", Integer, nullable=False, server_default="0"),
    Column("answer", String(8), nullable=True),
    Column("reason", Text, nullable=True),
    Column("note", Text, nullable=True),
    Column("counter", Text, nullable=True),
    Index("ix_ack_requests_subject", "subject_id", "party_id"),
    Index("ix_ack_requests_due", "status", "due_us"),
)
"""Who must acknowledge what by when; the scheduler of the hotline escalates from ``due_us``."""

messages = Table(
    "messages",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("thread", String(200), nullable=False),
    Column("sender_party", String(64), nullable=False),
    Column("sender_operator", String(64), nullable=False),
    Column("recipient_party", String(64), nullable=False),
    Column("priority", String(16), nullable=False),
    Column("template", String(64), nullable=True),
    Column("params", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("about_type", String(16), nullable=True),
    Column("about_id", String(40), nullable=True),
    Column("sent_us", BigInteger, nullable=False),
    Column("reply", String(16), nullable=True),
    Column("replied_us", BigInteger, nullable=True),
    Column("replied_by", String(64), nullable=True),
    Index("ix_messages_thread", "thread", "sent_us"),
    Index("ix_messages_recipient", "recipient_party", "sent_us"),
    Index("ix_messages_sender", "sender_party", "sent_us"),
)
"""Hotline messages; ``thread`` groups a conversation (about an object, or between two parties);
``reply`` (with when and by which operator) is the recipient's reply, NULL until given."""

incidents = Table(
    "incidents",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("party_id", String(64), nullable=False),
    Column("filed_us", BigInteger, nullable=False),
    Column("record", Text, nullable=False),
    Index("ix_incidents_filed", "filed_us"),
)
"""Incidents (R-INC-1): who filed each and when; ``record`` is its JSON form
(``domain.incidents.incident_form``: time, position, related ids, parties, timeline)."""

deliveries = Table(
    "deliveries",
    metadata,
    Column("subject", String(16), primary_key=True),
    Column("subject_id", String(40), primary_key=True),
    Column("party_id", String(64), primary_key=True),
    Column("delivered_us", BigInteger, nullable=False),
    Column("via", String(16), nullable=False),
)
"""When a notice, conflict or message first reached a party (its stream or webhook)."""

escalations = Table(
    "escalations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ack_id", String(40), nullable=False),
    Column("party_id", String(64), nullable=False),
    Column("rung", Integer, nullable=False),
    Column("rung_name", String(100), nullable=False),
    Column("at_us", BigInteger, nullable=False),
    Column("next_due_us", BigInteger, nullable=True),
    UniqueConstraint("ack_id", "rung"),
)
"""Each step up an escalation ladder; unique per request and rung, so no step happens twice."""

events = Table(
    "events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("time_us", BigInteger, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("type", String(64), nullable=False),
    Column("payload", Text, nullable=False),
    Column("party_sig", Text, nullable=True),
    Column("prev_hash", String(64), nullable=False, server_default=""),
    Column("content_hash", String(64), nullable=False, server_default=""),
    Column("hash", String(64), nullable=False, server_default=""),
    Column("sig", String(90), nullable=False, server_default=""),
)
"""Every event of the mechanism, appended in the transaction of the change it records: the
ledger (``docs/ledger-format.md``). ``seq`` is given explicitly, gapless, under the write lock;
``payload`` is the canonical JSON of the payload, ``party_sig`` that of the submitter's
signature (or NULL)."""

ledger_keys = Table(
    "ledger_keys",
    metadata,
    Column("key_id", String(16), primary_key=True),
    Column("public_key", String(43), nullable=False),
    Column("owner", String(64), nullable=False),
    Column("operator_id", String(64), nullable=True),
    Column("private_pem", Text, nullable=True),
    Column("created_us", BigInteger, nullable=False),
    Column("revoked_us", BigInteger, nullable=True),
)
"""Ed25519 keys: the server's (``owner`` "server", with its private key) and those operators
registered to sign their submissions (``owner`` their party)."""

idempotency = Table(
    "idempotency_keys",
    metadata,
    Column("operator_id", String(64), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("request_sha256", String(64), nullable=False),
    Column("result", Text, nullable=False),
    Column("created_us", BigInteger, nullable=False),
)
"""The result first given for each (operator, Idempotency-Key), as the caller encoded it (the
API: its answer's JSON body; the route gives the status)."""

webhooks = Table(
    "webhooks",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("party_id", String(64), ForeignKey("parties.id"), nullable=False),
    Column("url", Text, nullable=False),
    Column("secret", String(100), nullable=False),
    Column("created_us", BigInteger, nullable=False),
    Column("disabled_us", BigInteger, nullable=True),
    Column("cursor_seq", Integer, nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_us", BigInteger, nullable=False),
    Column("lease_owner", String(64), nullable=True),
    Column("lease_until_us", BigInteger, nullable=True),
    Index("ix_webhooks_party", "party_id"),
)
"""A party's webhook: its signing secret, and its place in the event log (the durable outbox):
every event up to ``cursor_seq`` is handled; ``attempts`` failed tries of the next one so far,
retried from ``next_attempt_us``; ``lease_*`` names the worker delivering it now."""

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("webhook_id", String(40), ForeignKey("webhooks.id"), nullable=False),
    Column("event_seq", Integer, nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("error", Text, nullable=True),
    Column("sent_us", BigInteger, nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("dead", Boolean, nullable=False),
    Index("ix_webhook_deliveries_hook", "webhook_id", "id"),
)
"""Every attempt to deliver an event to a webhook; ``dead`` marks the last failed attempt after
which the event was given up (a dead letter)."""
