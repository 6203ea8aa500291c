"""Resolution advice: the amendments of a notice that would clear its clashes, as pure values.

An option moves one notice as a whole along one dimension, in steps:

* ``shift_later`` / ``shift_earlier``: every volume's window by the same whole minutes;
* ``climb`` / ``descend``: every band by the same number of 100 ft steps (30.48 m), each limit
  in its own unit and on its own reference (`moved_band`): a flight level by 1 FL, a height in
  feet by 100 ft, a height in metres by 30.48 m — exact in every unit, so a band keeps its
  thickness as filed;
* ``shrink_window``: every window cut to one kept window ``[start, end)`` with whole-minute
  ends (a volume left with nothing is dropped).

The search for the smallest step (service/resolutions.py) runs over integer step counts; the
helpers here are the pure parts: moving and cutting volumes, the step set on which one pair
clashes (`clashing_steps`), the first step outside a union of such sets (`first_free_step`),
the free stretches of a window (`free_stretches`) and the option's stable id (`option_id`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from sharedsky.domain.heights import FiledBand, Height, HeightUnit, Limit, Reference
from sharedsky.domain.ids import NoticeId
from sharedsky.domain.volumes import AltitudeBand, TimeWindow, Volume4D
from sharedsky.units import FT_M

STEP_S = 60
"""One time step: a minute."""
MAX_SHIFT_STEPS = 24 * 60
"""The farthest shift searched: 24 h either way."""
STEP_M = 100 * FT_M
"""One vertical step: 100 ft, 30.48 m."""
MAX_MOVE_STEPS = int(20_000 // STEP_M)
"""The farthest climb or descent searched: 656 steps, 19,994.88 m (about 20 km)."""

_ROUND_DIGITS = 6
"""Moved heights in metres are rounded to the micrometre: 3000 + 3 × 30.48 is 3091.44, not
3091.4400000000005 (what the option shows is what an amendment sends back)."""


class OptionKind(StrEnum):
    """How an option changes the notice."""

    SHIFT_LATER = "shift_later"
    SHIFT_EARLIER = "shift_earlier"
    CLIMB = "climb"
    DESCEND = "descend"
    SHRINK_WINDOW = "shrink_window"


@dataclass(frozen=True, slots=True)
class Option:
    """One amendment of a notice (at ``version``) that clears every clash of it.

    Its cost is exactly one of ``shift_s`` (signed whole minutes in seconds, positive later),
    ``delta_m`` (signed metres, a multiple of 30.48, positive up) or ``window`` (the window
    kept). ``late``: the amended notice would miss a counterparty's minimum lead time.
    """

    id: str
    kind: OptionKind
    notice_id: NoticeId
    version: int
    volumes: tuple[Volume4D, ...]
    late: bool
    shift_s: int | None = None
    delta_m: float | None = None
    window: TimeWindow | None = None


# ── option ids ──────────────────────────────────────────────────────────────────────────────

_ID = re.compile(r"^v(\d{1,9})-[0-9a-f]{16}$")


def option_id(notice_id: str, version: int, kind: OptionKind, cost: str) -> str:
    """``v<version>-<16 hex>``: stable for one notice version, kind and cost (``cost`` the
    cost as text), so that the same advice asked twice has the same id, and an id names the
    version it was computed for (`option_version`)."""
    digest = hashlib.sha256(f"{notice_id}|{version}|{kind}|{cost}".encode()).hexdigest()
    return f"v{version}-{digest[:16]}"


def option_version(text: str) -> int | None:
    """The notice version an option id was computed for; None when ``text`` is no option id."""
    found = _ID.match(text)
    return None if found is None else int(found.group(1))


def window_text(window: TimeWindow) -> str:
    """A kept window as the cost text of its option id."""
    end = "" if window.end is None else window.end.isoformat()
    return f"{window.start.isoformat()}/{end}"


# ── moving volumes ──────────────────────────────────────────────────────────────────────────


def shifted(volumes: Sequence[Volume4D], seconds: int) -> tuple[Volume4D, ...]:
    """Every volume's window moved by ``seconds`` (negative: earlier)."""
    delta = timedelta(seconds=seconds)
    return tuple(
        replace(
            v,
            time=TimeWindow(
                v.time.start + delta, None if v.time.end is None else v.time.end + delta
            ),
        )
        for v in volumes
    )


def _moved_limit(limit: Limit, steps: int) -> Height | None:
    """The limit ``steps`` × 100 ft higher in its own unit and on its own reference; None for
    SFC and UNL, which name a place rather than a height and cannot move."""
    if not isinstance(limit, Height):
        return None
    if limit.unit is HeightUnit.FL:
        per_step = 1.0
    elif limit.unit is HeightUnit.FT:
        per_step = 100.0
    else:
        per_step = STEP_M
    return Height(round(limit.value + steps * per_step, _ROUND_DIGITS), limit.unit, limit.reference)


def movable(band: AltitudeBand) -> bool:
    """True when the band can climb or descend as filed: neither limit is SFC or UNL (a band
    from the surface, or unlimited, has no band of the same thickness above or below it)."""
    filed = band.filed
    return filed is None or (isinstance(filed.lower, Height) and isinstance(filed.upper, Height))


def moved_band(band: AltitudeBand, steps: int) -> AltitudeBand:
    """The band ``steps`` × 100 ft higher (negative: lower), each limit in its own unit.

    A band in metres AMSL comes back in metres AMSL; a band filed on datums comes back as
    filed on the same datums, its AMSL interval not yet resolved (``resolve_band`` does it:
    through the standard atmosphere a flight level 1 FL higher spans a slightly different
    AMSL interval). ValueError for a band that is not `movable`."""
    filed = band.filed
    if filed is None:
        delta = steps * STEP_M
        return AltitudeBand(
            round(band.lower_m + delta, _ROUND_DIGITS), round(band.upper_m + delta, _ROUND_DIGITS)
        )
    lower, upper = _moved_limit(filed.lower, steps), _moved_limit(filed.upper, steps)
    if lower is None or upper is None:
        raise ValueError("a band from the surface or unlimited cannot move")
    return AltitudeBand.as_filed(FiledBand(lower, upper))


def below_ground(band: AltitudeBand) -> bool:
    """True when a limit of the band, as filed, is a negative height above ground level:
    under the surface, where no band can be (a filing accepts its nominal height, which the
    terrain bounds lift, so a descent checks it here)."""
    filed = band.filed
    if filed is None:
        return False
    return any(
        isinstance(limit, Height) and limit.reference is Reference.AGL and limit.value < 0.0
        for limit in (filed.lower, filed.upper)
    )


def step_delta_m(steps: int) -> float:
    """The nominal height change of ``steps`` steps, metres (a multiple of 30.48)."""
    return round(steps * STEP_M, 2)


def clipped(volumes: Sequence[Volume4D], window: TimeWindow) -> tuple[Volume4D, ...]:
    """Every volume's window cut to ``window`` (closed); volumes left with nothing dropped."""
    if window.end is None:
        raise ValueError("a kept window has an end")
    kept = []
    for volume in volumes:
        start = max(volume.time.start, window.start)
        end = window.end if volume.time.end is None else min(volume.time.end, window.end)
        if start < end:
            kept.append(replace(volume, time=TimeWindow(start, end)))
    return tuple(kept)


# ── step sets ───────────────────────────────────────────────────────────────────────────────

StepGap = Callable[[int], float]
"""A gap in its unit as a function of the step count."""


def clashing_steps(
    above: StepGap, below: StepGap, minimum: float, lowest: int, highest: int
) -> tuple[int, int] | None:
    """The steps k in [lowest, highest] at which a pair clashes in one dimension, as an
    inclusive (first, last), or None.

    ``above(k)``: by how much the other volume lies above (or after) the moved one, which
    never grows with k; ``below(k)``: by how much it lies below (or before), which never
    shrinks. The pair clashes iff max(0, above, below) < ``minimum`` (the detector's rule,
    ``detect/separation.py``), i.e. iff both are below it: each a monotone condition, so the
    steps form one interval, found by two binary searches (about 2 log₂(highest − lowest)
    evaluations).
    """
    if not minimum > 0.0:
        return None
    # the first k whose `above` is below the minimum (it stays so above k)
    first = _first_true(lambda k: above(k) < minimum, lowest, highest)
    # the last k whose `below` is below the minimum (it was so below k)
    last = _last_true(lambda k: below(k) < minimum, lowest, highest)
    if first is None or last is None or first > last:
        return None
    return first, last


def _first_true(test: Callable[[int], bool], lo: int, hi: int) -> int | None:
    """The least k in [lo, hi] with test(k), for a test false then true; None if never."""
    if not test(hi):
        return None
    while lo < hi:
        mid = (lo + hi) // 2
        if test(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def _last_true(test: Callable[[int], bool], lo: int, hi: int) -> int | None:
    """The greatest k in [lo, hi] with test(k), for a test true then false; None if never."""
    if not test(lo):
        return None
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if test(mid):
            lo = mid
        else:
            hi = mid - 1
    return lo


def first_free_step(blocked: Sequence[tuple[int, int]], direction: int, limit: int) -> int | None:
    """The least n in [1, limit] such that k = direction × n lies in no blocked (first, last)
    interval; None when every such step is blocked. ``direction`` is +1 or −1."""
    spans = sorted((first, last) if direction > 0 else (-last, -first) for first, last in blocked)
    n = 1
    for first, last in spans:
        if n > limit:
            break
        if first <= n <= last:
            n = last + 1
    return n if n <= limit else None


def free_stretches(
    blocked: Sequence[tuple[int, int]], start: int, end: int
) -> list[tuple[int, int]]:
    """The closed stretches of [start, end] that meet no open interval of ``blocked``
    (microseconds), in order; empty ones left out."""
    stretches = []
    at = start
    for lo, hi in sorted(blocked):
        if hi <= at:
            continue
        if lo >= end:
            break
        if lo > at:
            stretches.append((at, lo))
        at = max(at, hi)
    if at < end:
        stretches.append((at, end))
    return stretches


_MINUTE_US = STEP_S * 1_000_000


def whole_minutes(stretch: tuple[int, int], window: tuple[int, int]) -> tuple[int, int]:
    """The stretch (microseconds) narrowed to whole UTC minutes, except where it reaches an
    end of ``window``, which it keeps (a notice's own start or end need not be a whole
    minute); start ≥ end when no whole minute fits."""
    lo, hi = stretch
    start = lo if lo == window[0] else -(-lo // _MINUTE_US) * _MINUTE_US
    end = hi if hi == window[1] else hi // _MINUTE_US * _MINUTE_US
    return start, end


def covered_s(volumes: Sequence[Volume4D], start: datetime, end: datetime) -> float:
    """Seconds of [start, end) during which at least one volume is active."""
    spans = sorted(
        (max(v.time.start, start), min(v.time.end or end, end))
        for v in volumes
        if v.time.start < end and (v.time.end is None or v.time.end > start)
    )
    total = 0.0
    reached = start
    for lo, hi in spans:
        lo = max(lo, reached)
        if hi > lo:
            total += (hi - lo).total_seconds()
            reached = hi
    return total
