"""Following ``GET /v1/events`` (Server-Sent Events) from Python, resuming after a drop."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx

from sharedsky.wire.v1.events import EventOut

RECONNECT_DELAY_S = 1.0


@dataclass
class EventFollower:
    """Yields every event the token may see, in order; reconnects with ``Last-Event-ID`` after a
    dropped connection, so nothing is lost and nothing repeated.

    ``after``: the last seq already seen (None: only events from now on; 0: everything).
    """

    url: str
    token: str
    after: int | None = None
    timeout_s: float = 60.0
    reconnect: bool = True
    http: httpx.Client | None = None
    last_seq: int | None = field(default=None, init=False)

    def __iter__(self) -> Iterator[EventOut]:
        resume = self.after
        client = self.http or httpx.Client(base_url=self.url, timeout=self.timeout_s)
        try:
            while True:
                headers = {"Authorization": f"Bearer {self.token}", "Accept": "text/event-stream"}
                if resume is not None:
                    headers["Last-Event-ID"] = str(resume)
                try:
                    with client.stream("GET", "/v1/events", headers=headers) as r:
                        r.raise_for_status()
                        for event in _parse(r.iter_lines()):
                            resume = self.last_seq = event.seq
                            yield event
                    if not self.reconnect:
                        return
                except (httpx.TransportError, httpx.RemoteProtocolError):
                    if not self.reconnect:
                        raise
                time.sleep(RECONNECT_DELAY_S)
        finally:
            if self.http is None:
                client.close()


def _parse(lines: Iterator[str]) -> Iterator[EventOut]:
    """Events from SSE lines (``id``/``event``/``data`` fields, blank line ends an event)."""
    data: list[str] = []
    for line in lines:
        if line == "":
            if data:
                yield EventOut.model_validate_json("\n".join(data))
            data = []
        elif line.startswith(":"):
            continue  # a comment: the heartbeat
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
