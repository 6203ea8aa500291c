"""First deliveries by reading (R-LEAD-2): a notice, conflict or message that a party's client
read through the API reached that party as surely as one its stream or webhook carried. A
console that opens on a list, or a CLI that shows a notice, tells its party as much as an event
does, so the lead time the party got counts from the first of them.

Each function gives the deliveries one answer makes to the viewer's party (``via`` ``read``);
the ``DeliveryBuffer`` keeps only the first per object and party, as it does for streams. A
party's own notices and messages, and its own side of a conflict it alone is in, tell it
nothing and are not counted.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sharedsky.domain.conflicts import Conflict
from sharedsky.domain.deliveries import Delivery
from sharedsky.domain.messages import Message
from sharedsky.domain.notices import Notice
from sharedsky.domain.visibility import Viewer

VIA_READ = "read"
"""How a delivery by reading is recorded (beside ``stream`` and ``webhook``)."""


def notices_read(viewer: Viewer, notices: Iterable[Notice], at: datetime) -> list[Delivery]:
    """The deliveries of ``notices`` (as the viewer was shown them) at ``at``."""
    return [
        Delivery("notice", n.id, viewer.party, at, VIA_READ, (str(n.party),))
        for n in notices
        if n.party != viewer.party
    ]


def conflicts_read(viewer: Viewer, conflicts: Iterable[Conflict], at: datetime) -> list[Delivery]:
    """The deliveries of strategic ``conflicts`` (as the viewer was shown them) at ``at``."""
    found = []
    for c in conflicts:
        concerns = tuple(sorted({str(c.a.party), str(c.b.party)} - {str(viewer.party)}))
        found.append(Delivery("conflict", c.id, viewer.party, at, VIA_READ, concerns))
    return found


def messages_read(viewer: Viewer, messages: Iterable[Message], at: datetime) -> list[Delivery]:
    """The deliveries of ``messages`` (those the viewer's party did not send) at ``at``."""
    return [
        Delivery(
            "message",
            m.id,
            viewer.party,
            at,
            VIA_READ,
            tuple(sorted({str(m.sender), str(m.recipient)} - {str(viewer.party)})),
        )
        for m in messages
        if m.sender != viewer.party
    ]
