"""The hotline end to end: a real server process, alpha, bravo and the host on real SSE clients;
clashing notices, the conflict, a flash message in bravo's language, bravo's acknowledgements;
each stream carries exactly what its operator may see (R-STREAM-1, R-VIS-1, R-MSG-2, R-MSG-3);
then ``sharedsky watch`` follows the same stream from the terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from _servers import Stream, init, open_stream, orbit, post, serve

MECHANISM_YAML = """\
mechanism: hotline-e2e
host: {id: host, name: Coordination Cell, language: en}
parties:
  - {id: alpha, name: Alpha Air Command, language: en}
  - {id: bravo, name: Bravo Air Command, language: tr}
defaults:
  sharing: full
  ack_deadline_s: {routine: 900, priority: 300, flash: 60}
channels:
  - between: [alpha, bravo]
    sharing: conflicts_only
"""
TURKISH = "Faaliyetinizi 20 dakika ertelemenizi talep ediyoruz."


def _seen(stream: Stream) -> list[tuple[str, str]]:
    """(type, subject id) of each event received, in order."""
    keys = ("message", "conflict", "notice")
    return [
        (e.type, next(str(e.payload[k]) for k in keys if k in e.payload)) for e in stream.events
    ]


@pytest.mark.slow
def test_two_parties_and_the_host_follow_a_clash_and_a_flash_message_live(
    tmp_path: Path,
) -> None:
    """R-STREAM-1 end to end: alpha and bravo each receive what they may see (under
    ``conflicts_only`` bravo never sees alpha's notice that clashes with nothing, nor alpha
    bravo's), the host everything, in seq order; bravo reads alpha's standard message in
    Turkish (R-MSG-2) and acknowledges it; ``sharedsky watch --limit`` prints the same events,
    the flash message among them."""
    db = f"sqlite:///{tmp_path / 'hotline.db'}"
    tokens = init(tmp_path, MECHANISM_YAML, db)
    alpha, bravo = tokens["alpha"], tokens["bravo"]
    with serve(db, tmp_path / "server.log") as base:
        own = post(base, bravo, "/v1/notices", orbit(36.0))  # before the streams open
        streams = {party: open_stream(base, tokens[party]) for party in ("alpha", "bravo", "host")}
        try:
            clash = post(base, alpha, "/v1/notices", orbit(36.1))
            (conflict,) = clash["conflicts"]
            alpha_alone = post(base, alpha, "/v1/notices", orbit(44.0))
            bravo_alone = post(base, bravo, "/v1/notices", orbit(30.0))
            sent = post(
                base,
                alpha,
                "/v1/messages",
                {
                    "to": "bravo",
                    "priority": "flash",
                    "template": "request_delay",
                    "params": {"minutes": 20},
                    "text": "tanker on station",
                    "about": {"type": "conflict", "id": conflict["id"]},
                },
            )
            read = httpx.get(
                f"{base}/v1/messages/{sent['id']}",
                headers={"Authorization": f"Bearer {bravo}"},
                timeout=10.0,
            ).json()
            post(base, bravo, f"/v1/messages/{sent['id']}/ack")
            post(base, bravo, f"/v1/conflicts/{conflict['id']}/ack")
            # a marker all three see: each stream has read past everything above once it comes
            marker = post(base, alpha, "/v1/messages", {"to": "bravo", "template": "standby"})
            for party, count in (("host", 8), ("alpha", 7), ("bravo", 7)):
                streams[party].wait_for(count)
        finally:
            for stream in streams.values():
                stream.close()

        first = streams["host"].events[0].seq
        state = tmp_path / "state"  # where watch keeps the last event it printed
        watched = subprocess.run(
            [sys.executable, "-m", "sharedsky", "watch", "--url", base, "--token", bravo,
             "--after", str(first - 1), "--limit", "6"],
            capture_output=True,
            text=True,
            timeout=60,
            env=os.environ | {"COLUMNS": "1000", "NO_COLOR": "1", "XDG_STATE_HOME": str(state)},
        )  # fmt: skip
        refused = subprocess.run(
            [sys.executable, "-m", "sharedsky", "watch", "--url", base, "--token", "not-a-token"],
            capture_output=True,
            text=True,
            timeout=60,
            env=os.environ | {"COLUMNS": "1000", "NO_COLOR": "1", "XDG_STATE_HOME": str(state)},
        )  # fmt: skip

    assert (read["language"], read["rendered"]) == ("tr", TURKISH)
    assert read["text"] == "tanker on station"
    c, m = conflict["id"], sent["id"]
    everything = [
        ("conflict.detected", c),
        ("notice.filed", clash["id"]),
        ("notice.filed", alpha_alone["id"]),
        ("notice.filed", bravo_alone["id"]),
        ("message.sent", m),
        ("message.acknowledged", m),
        ("conflict.acknowledged", c),
    ]
    host_seen = _seen(streams["host"])
    assert host_seen == [*everything, ("message.sent", marker["id"])]
    seqs = [e.seq for e in streams["host"].events]
    assert seqs == sorted(set(seqs))  # in order, none twice (delivery records are ledger-only)
    assert _seen(streams["alpha"]) == [
        *(x for x in everything if x[1] != bravo_alone["id"]),
        ("message.sent", marker["id"]),
    ]
    assert _seen(streams["bravo"]) == [
        *(x for x in everything if x[1] != alpha_alone["id"]),
        ("message.sent", marker["id"]),
    ]
    assert streams["bravo"].events[1].payload["conflicts"] == [c]
    assert own["id"] not in {x[1] for x in host_seen}  # filed before the streams opened

    # a refused token is said in one line, not a traceback
    assert refused.returncode == 1, refused.stderr
    assert refused.stderr.startswith("error: ") and "Traceback" not in refused.stderr
    assert "(401 " in refused.stderr
    hello, *lines = watched.stdout.splitlines()
    assert watched.returncode == 0, watched.stderr
    assert hello.endswith(f"{first - 1} numaralı olaydan sonrasından devam ediliyor"), hello
    assert len(lines) == 6, lines
    for line, (_, subject) in zip(lines, _seen(streams["bravo"])[:6], strict=True):
        assert subject in line, (line, subject)  # in bravo's Turkish, not the event's type
    flash = [line for line in lines if " FLASH mesaj " in line]
    assert len(flash) == 1 and TURKISH in flash[0] and "tanker on station" in flash[0]
    assert "text=" not in watched.stdout
