"""Following ``GET /v1/events`` (Server-Sent Events) from Python, resuming after a drop."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from sharedsky.client.errors import UnreachableError
from sharedsky.client.tls import client_context
from sharedsky.client.transport import Transport
from sharedsky.ledger.checkpoints import Checkpoint
from sharedsky.wire.v1.events import EventOut

RECONNECT_DELAY_S = 1.0


@dataclass
class EventFollower:
    """Yields every event the token may see, in order; reconnects with ``Last-Event-ID`` after a
    dropped connection, so nothing is lost and nothing repeated.

    It connects through the SDK's `Transport` (token, User-Agent, TLS). An error answer raises
    its ClientError (AuthError for a token refused) whether or not it reconnects; a connection
    that cannot be made or is cut raises UnreachableError when ``reconnect`` is False.

    ``after``: the last seq already seen (None: only events from now on; 0: everything).
    ``ca``, ``cert`` and ``key``: as for `Client` (the CAs trusted, the client certificate),
    for a follower that makes its own connection (no ``http``).
    """

    url: str
    token: str
    after: int | None = None
    timeout_s: float = 60.0
    reconnect: bool = True
    http: httpx.Client | None = None
    ca: Path | str | None = None
    cert: Path | str | None = None
    key: Path | str | None = None
    keep: Path | None = None
    """A file to which every checkpoint received is appended (one JSON object per line), the
    receipts that ``sharedsky ledger audit --checkpoints`` checks the server's log against."""
    last_seq: int | None = field(default=None, init=False)
    checkpoints: list[Checkpoint] = field(default_factory=list, init=False)
    """The checkpoints received so far (each one verified by whoever audits, not here)."""

    def _keep(self, checkpoint: Checkpoint) -> None:
        self.checkpoints.append(checkpoint)
        if self.keep is not None:
            with self.keep.open("a", encoding="utf-8") as out:
                out.write(json.dumps(checkpoint.to_json(), sort_keys=True) + "\n")

    def __iter__(self) -> Iterator[EventOut]:
        resume = self.after
        tls = None if self.http is not None else client_context(self.ca, self.cert, self.key)
        transport = Transport(
            self.url, self.token, http=self.http, timeout_s=self.timeout_s, tls=tls
        )
        try:
            while True:
                headers = {"Accept": "text/event-stream"}
                if resume is not None:
                    headers["Last-Event-ID"] = str(resume)
                try:
                    with transport.stream("/v1/events", headers=headers) as answer:
                        for event in _parse(answer.iter_lines()):
                            if isinstance(event, Checkpoint):
                                self._keep(event)
                                continue
                            resume = self.last_seq = event.seq
                            yield event
                    if not self.reconnect:
                        return
                except UnreachableError:
                    if not self.reconnect:
                        raise
                time.sleep(RECONNECT_DELAY_S)
        finally:
            transport.close()


def _parse(lines: Iterator[str]) -> Iterator[EventOut | Checkpoint]:
    """Events and checkpoints from SSE lines (``id``/``event``/``data`` fields, a blank line
    ends one; ``event: checkpoint`` carries a signed checkpoint)."""
    data: list[str] = []
    kind = ""
    for line in lines:
        if line == "":
            if data:
                text = "\n".join(data)
                if kind == "checkpoint":
                    yield Checkpoint.from_json(json.loads(text))
                else:
                    yield EventOut.model_validate_json(text)
            data, kind = [], ""
        elif line.startswith(":"):
            continue  # a comment: the heartbeat
        elif line.startswith("event:"):
            kind = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
