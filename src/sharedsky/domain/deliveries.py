"""Deliveries: when a notice, conflict or message first reached a party, and by which way (the
ledger records each, so that it proves when each party was told)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sharedsky.domain.ids import PartyId


@dataclass(frozen=True, slots=True)
class Delivery:
    """The first time ``subject`` ``subject_id`` reached ``party``, and by which way."""

    subject: str
    subject_id: str
    party: PartyId
    delivered_at: datetime
    via: str
    """``stream`` or ``webhook``."""
    concerns: tuple[str, ...] = ()
    """Parties besides the recipient that the delivery concerns (the notice's owner, the
    message's sender, the conflict's parties): they may read its ledger entry. Not stored."""
