"""Named unit conversions; every quantity elsewhere carries its unit in its name.

Times are stored and compared as integer microseconds since the Unix epoch (``*_us``); ``to_us``
and ``from_us`` convert them to and from aware UTC datetimes.
"""

from __future__ import annotations

from datetime import UTC, datetime

NM_M = 1852.0
"""One nautical mile in metres."""
FT_M = 0.3048
"""One foot in metres."""
FL_M = 100 * FT_M
"""One flight level (100 ft of pressure altitude, treated as metres AMSL here) in metres."""
KT_MPS = NM_M / 3600.0
"""One knot in metres per second."""
DAY_S = 86_400
"""One day in seconds."""
FPM_MPS = FT_M / 60.0
"""One foot per minute (vertical rate) in metres per second."""
US_S = 1_000_000
"""Microseconds in one second."""
OPEN_END_US = 2**62
"""Stands for "no end" in a time in microseconds that cannot be None (an index column, a due
time that never comes)."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_us(moment: datetime) -> int:
    """Microseconds since the epoch of an aware datetime."""
    delta = moment - _EPOCH
    return (delta.days * DAY_S + delta.seconds) * US_S + delta.microseconds


def from_us(us: int) -> datetime:
    """The aware UTC datetime of ``us`` microseconds since the epoch."""
    return datetime.fromtimestamp(us // US_S, tz=UTC).replace(microsecond=us % US_S)


def opt_to_us(moment: datetime | None) -> int | None:
    """``to_us`` that passes None through."""
    return None if moment is None else to_us(moment)


def opt_from_us(us: int | None) -> datetime | None:
    """``from_us`` that passes None through."""
    return None if us is None else from_us(us)
