"""The one place that decides what a viewer may see of a notice, a zone or a conflict.

Every read path and every stream goes through these functions. Rules, by the sharing policy of
the channel between the owner and the viewer:

* the owner and the host see everything;
* ``full``: the counterparty sees the whole object;
* ``conflicts_only``: the counterparty sees an object only while it clashes with one of the
  viewer's own notices or zones, and then only the clashing volumes, without title or remarks;
* ``host_only``: the counterparty sees nothing of the object; it still sees a conflict that
  involves its own object, with the other side's id withheld and only its own part of the region.

Whatever the policy, a counterparty that sees a notice is told whether it was late for itself,
never for the others (``late_for`` is cut to its own party).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from sharedsky.domain.channels import Sharing
from sharedsky.domain.conflicts import Conflict
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.mechanism import Mechanism
from sharedsky.domain.notices import Notice
from sharedsky.domain.zones import Zone


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is looking: a party or the host."""

    party: PartyId
    is_host: bool
    operator: OperatorId | None = None
    """The operator looking, when it matters (an escalation that names operators reaches only
    them and the host); None: any of the party's operators."""


@dataclass(frozen=True, slots=True)
class NoticeView:
    """What a viewer sees of a notice; ``volume_indexes`` maps shown volumes to the original."""

    notice: Notice
    redacted: bool
    volume_indexes: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ZoneView:
    """What a viewer sees of a zone."""

    zone: Zone
    redacted: bool


@dataclass(frozen=True, slots=True)
class ConflictView:
    """What a viewer sees of a conflict; ``other_id_hidden`` under ``host_only``."""

    conflict: Conflict
    other_id_hidden: bool


def _sharing(mechanism: Mechanism, owner: PartyId, viewer: Viewer) -> Sharing | None:
    """The policy that applies, or None when the viewer is the owner or the host."""
    if viewer.is_host or viewer.party == owner:
        return None
    if not mechanism.has_party(viewer.party):
        return Sharing.HOST_ONLY
    return mechanism.channel(owner, viewer.party).sharing


def late_for_seen(
    viewer: Viewer, owner: PartyId, late_for: Sequence[PartyId]
) -> tuple[PartyId, ...]:
    """The parties a notice of ``owner`` was late for, as ``viewer`` may be told: all of them
    for the owner and the host, at most the viewer's own party for anyone else."""
    if viewer.is_host or viewer.party == owner:
        return tuple(late_for)
    return tuple(p for p in late_for if p == viewer.party)


def see_notice(
    viewer: Viewer, notice: Notice, mechanism: Mechanism, clashing_volumes: frozenset[int]
) -> NoticeView | None:
    """What ``viewer`` sees of ``notice``; None when nothing.

    ``clashing_volumes`` are the indexes of the notice's volumes that are in an open conflict
    with one of the viewer's own notices or zones.
    """
    every = tuple(range(len(notice.volumes)))
    sharing = _sharing(mechanism, notice.party, viewer)
    if sharing is None:
        return NoticeView(notice, redacted=False, volume_indexes=every)
    late_for = late_for_seen(viewer, notice.party, notice.late_for)
    if sharing is Sharing.FULL:
        return NoticeView(replace(notice, late_for=late_for), redacted=False, volume_indexes=every)
    if sharing is Sharing.HOST_ONLY or not clashing_volumes:
        return None
    shown = tuple(i for i in every if i in clashing_volumes)
    redacted = replace(
        notice,
        title="",
        remarks="",
        volumes=tuple(notice.volumes[i] for i in shown),
        late_for=late_for,
    )
    return NoticeView(redacted, redacted=True, volume_indexes=shown)


def see_zone(viewer: Viewer, zone: Zone, mechanism: Mechanism, clashing: bool) -> ZoneView | None:
    """What ``viewer`` sees of ``zone``; ``clashing`` when it conflicts with the viewer's own."""
    sharing = _sharing(mechanism, zone.party, viewer)
    if sharing is None or sharing is Sharing.FULL:
        return ZoneView(zone, redacted=False)
    if sharing is Sharing.HOST_ONLY or not clashing:
        return None
    return ZoneView(replace(zone, title="", remarks=""), redacted=True)


def see_conflict(viewer: Viewer, conflict: Conflict, mechanism: Mechanism) -> ConflictView | None:
    """What ``viewer`` sees of ``conflict``; None unless the host or a side's owner."""
    if viewer.is_host:
        return ConflictView(conflict, other_id_hidden=False)
    if not conflict.involves(viewer.party):
        return None
    other = conflict.other_side(viewer.party)
    if mechanism.channel(viewer.party, other.party).sharing is not Sharing.HOST_ONLY:
        return ConflictView(conflict, other_id_hidden=False)
    own = conflict.own_region(viewer.party)
    return ConflictView(replace(conflict, region=own), other_id_hidden=True)
