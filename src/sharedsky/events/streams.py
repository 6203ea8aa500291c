"""One event stream's cursor over the global sequence, and the Server-Sent Events framing.

A stream resumes strictly after the last id its client received. Sequence numbers are taken
when a transaction inserts its event, not when it commits, so on a database whose transactions
commit concurrently (PostgreSQL) a reader can see seq 8 committed while seq 7 is still in
flight. The cursor therefore never moves past a gap at once: it holds the events beyond the gap
until the gap is filled or has stayed open for ``gap_grace_s`` seconds (then the missing seq is
taken to belong to a rolled-back transaction). On SQLite writers commit one at a time, so a gap
is final when seen and the grace is zero.

Every stream of a process also passes on the newest signed checkpoint of the ledger that the
process published (``CheckpointBoard``, R-LEDGER-6).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from sharedsky.ledger.checkpoints import Checkpoint

SQLITE_GAP_GRACE_S = 0.0
"""On SQLite (one writer at a time) a missing seq can no longer appear: no wait."""
DEFAULT_GAP_GRACE_S = 2.0
"""Elsewhere: how long a missing seq may still be an uncommitted transaction, in seconds."""
KEEP_ALIVE = b": keep-alive\n\n"
"""The SSE comment line sent when a stream has been idle for the keep-alive interval."""
DEFAULT_KEEPALIVE_S = 15.0
"""Seconds of silence after which a stream sends ``KEEP_ALIVE`` (setting
``stream_keepalive_s``)."""
DEFAULT_CHECKPOINT_EVERY = 1000
"""Entries after which a checkpoint is published (setting ``ledger_checkpoint_every``)."""
DEFAULT_CHECKPOINT_INTERVAL_S = 60.0
"""Seconds after which one is published anyway (setting ``ledger_checkpoint_interval_s``)."""


def gap_grace_s(dialect: str) -> float:
    """The gap grace, in seconds, for a database of SQLAlchemy dialect name ``dialect``."""
    return SQLITE_GAP_GRACE_S if dialect == "sqlite" else DEFAULT_GAP_GRACE_S


class StreamCursor:
    """The position of one stream: every seq up to ``position`` has been read and settled."""

    def __init__(self, position: int, gap_grace_s: float) -> None:
        self.position = position
        """The highest settled seq: the next read asks for events strictly after it."""
        self._grace_s = gap_grace_s
        self._gap_seen_s: float | None = None
        """Monotonic time at which the gap just above ``position`` was first seen, if any."""

    def settle(self, seqs: Sequence[int], now_s: float) -> int:
        """How many of ``seqs`` (ascending, all above ``position``, as just read) may be
        delivered now; advances ``position`` past them. ``now_s`` is a monotonic time in
        seconds. Stops at the first gap until it fills or outlives the grace."""
        if seqs and seqs[0] == self.position + 1 and seqs[-1] - seqs[0] == len(seqs) - 1:
            # no gap (ascending and distinct, so consecutive): all of them, at once
            self._gap_seen_s = None
            self.position = seqs[-1]
            return len(seqs)
        count = 0
        for seq in seqs:
            if seq != self.position + 1:
                if self._gap_seen_s is None:
                    self._gap_seen_s = now_s
                if now_s - self._gap_seen_s < self._grace_s:
                    break
            self._gap_seen_s = None
            self.position = seq
            count += 1
        return count

    @property
    def waiting_on_gap(self) -> bool:
        """True while events beyond an open gap are held back."""
        return self._gap_seen_s is not None


def _field_lines(name: str, value: str) -> str:
    # a value never spans lines on the wire: one field line per line of the value
    return "".join(f"{name}: {line}\n" for line in value.split("\n"))


def sse_event(event_id: int, event_type: str, data: str) -> bytes:
    """One SSE event with ``id``, ``event`` and ``data`` fields, terminated by a blank line.

    >>> sse_event(7, "a.b", '{"seq":7}')
    b'id: 7\\nevent: a.b\\ndata: {"seq":7}\\n\\n'
    """
    kind = event_type.replace("\n", " ").replace("\r", " ")
    return f"id: {event_id}\nevent: {kind}\n{_field_lines('data', data)}\n".encode()


def sse_retry(retry_ms: int) -> bytes:
    """The SSE field telling the client how long to wait before reconnecting, in ms."""
    return f"retry: {retry_ms}\n\n".encode()


class CheckpointBoard:
    """The newest checkpoint this process published, for every stream to pass on
    (R-LEDGER-6): one is made when the ledger grew by ``every`` entries, or by fewer after
    ``interval_s`` seconds, while streams are open."""

    def __init__(
        self,
        every: int = DEFAULT_CHECKPOINT_EVERY,
        interval_s: float = DEFAULT_CHECKPOINT_INTERVAL_S,
    ) -> None:
        self.every = every
        self.interval_s = interval_s
        self.latest: Checkpoint | None = None
        self.version = 0
        """Checkpoints published so far (a stream sends one when it has not sent this one)."""
        self._made_s = -math.inf

    def due(self, head: int | None, now_s: float) -> bool:
        """True when a checkpoint of ``head`` should be made now (``now_s``: monotonic
        seconds)."""
        if head is None:
            return False
        if self.latest is None:
            return True
        grown = head - self.latest.seq
        return grown >= self.every or (grown > 0 and now_s - self._made_s >= self.interval_s)

    def publish(self, checkpoint: Checkpoint, now_s: float) -> None:
        """Make ``checkpoint`` the one streams pass on."""
        self.latest = checkpoint
        self._made_s = now_s
        self.version += 1
