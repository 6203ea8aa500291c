"""Two real ``sharedsky serve`` processes over one PostgreSQL schema: an operator revoked (or
rotated) through server A — or offline, against the database — is refused by server B within
2 s, and the event stream it holds on B is closed within 2 s too. Over SQLite, which one server
process serves, the other process is the offline command beside it, with the same bounds."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from _servers import init, serve

MECHANISM_YAML = """\
mechanism: revocation
host: {id: host, name: Coordination Cell, language: en}
parties:
  - id: alpha
    name: Alpha Air Command
    operators: [{id: alpha-admin, role: admin}, {id: alpha-duty, role: duty}]
  - {id: bravo, name: Bravo Air Command}
"""
WITHIN_S = 2.0


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _refused_after(base: str, token: str, since: float) -> float:
    """Seconds from ``since`` until ``base`` answers ``token`` with 401 (polled every 50 ms)."""
    deadline = since + 10.0
    while time.monotonic() < deadline:
        if httpx.get(f"{base}/v1/me", headers=_auth(token), timeout=5.0).status_code == 401:
            return time.monotonic() - since
        time.sleep(0.05)
    raise AssertionError(f"{base} still takes the token 10 s later")


class HeldStream:
    """``GET /v1/events`` held open on a thread; ``closed_at`` is when the server ended it."""

    def __init__(self, base: str, token: str) -> None:
        self.opened = threading.Event()
        self.closed_at: float | None = None
        self.thread = threading.Thread(target=self._read, args=(base, token), daemon=True)
        self.thread.start()
        assert self.opened.wait(10.0), "the stream did not open"

    def _read(self, base: str, token: str) -> None:
        timeout = httpx.Timeout(5.0, read=30.0)
        with httpx.stream("GET", f"{base}/v1/events", headers=_auth(token), timeout=timeout) as r:
            assert r.status_code == 200
            self.opened.set()
            for _ in r.iter_bytes():
                pass
        self.closed_at = time.monotonic()


def _offline(db: str, command: str, *argv: str) -> float:
    """``sharedsky operators COMMAND alpha-duty --db db ARGV`` in a process of its own;
    returns the monotonic time it ended (changed then: its start-up is not counted)."""
    subprocess.run(
        [sys.executable, "-m", "sharedsky", "operators", command, "alpha-duty", "--db", db,
         *argv],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    return time.monotonic()


def _refused_and_closed(base: str, token: str, held: HeldStream, since: float) -> str:
    """Assert that ``base`` refuses ``token`` and closed its ``held`` stream within 2 s of
    ``since``; returns how long each took, for the report."""
    refused_s = _refused_after(base, token, since)
    held.thread.join(WITHIN_S + 1.0)
    assert held.closed_at is not None, f"{base} kept the revoked operator's stream open"
    closed_s = held.closed_at - since
    assert refused_s <= WITHIN_S, f"{base} took the old token for {refused_s:.2f} s"
    assert closed_s <= WITHIN_S, f"{base} closed the stream after {closed_s:.2f} s"
    return f"refused after {refused_s:.2f} s, stream closed {closed_s:.2f} s"


@pytest.mark.postgres
@pytest.mark.parametrize("change", ["revoke-online", "rotate-online", "revoke-offline"])
def test_a_token_revoked_anywhere_is_refused_by_every_server_within_2_s(
    tmp_path: Path, fresh_database: Callable[[str], str], change: str
) -> None:
    db = fresh_database("postgres")
    tokens = init(tmp_path, MECHANISM_YAML, db)
    with serve(db, tmp_path / "a.log") as a, serve(db, tmp_path / "b.log") as b:
        duty = tokens["alpha-duty"]
        assert httpx.get(f"{b}/v1/me", headers=_auth(duty)).status_code == 200  # B knows it
        held = HeldStream(b, duty)
        since = time.monotonic()
        if change == "revoke-online":
            answer = httpx.post(
                f"{a}/v1/operators/alpha-duty/revoke", headers=_auth(tokens["alpha-admin"])
            )
            assert answer.status_code == 200, answer.text
        elif change == "rotate-online":
            answer = httpx.post(
                f"{a}/v1/operators/alpha-duty/rotate", headers=_auth(tokens["alpha-admin"])
            )
            assert answer.status_code == 200, answer.text
            fresh = answer.json()["token"]
        else:
            since = _offline(db, "revoke")
        took = _refused_and_closed(b, duty, held, since)
        # A refuses it too (it looks at the operators on its own schedule), and nobody else
        # was affected
        assert _refused_after(a, duty, since) <= WITHIN_S
        admin = httpx.get(f"{b}/v1/me", headers=_auth(tokens["alpha-admin"]))
        assert admin.status_code == 200
        if change == "rotate-online":
            assert httpx.get(f"{b}/v1/me", headers=_auth(fresh)).json()["operator"] == "alpha-duty"
        print(f"postgres {change}: {took}")


@pytest.mark.parametrize("change", ["revoke-offline", "rotate-offline"])
def test_over_sqlite_a_token_changed_offline_beside_the_server_is_refused_within_2_s(
    tmp_path: Path, change: str
) -> None:
    """The one server over an SQLite file, and the offline command as the other process
    (it takes no lock: it runs beside the server): the server refuses the old token within
    2 s and closes its stream; the admin is not affected, and a rotated operator's new token
    is taken."""
    db = f"sqlite:///{tmp_path / 'revocation.db'}"
    tokens = init(tmp_path, MECHANISM_YAML, db)
    with serve(db, tmp_path / "server.log") as base:
        duty = tokens["alpha-duty"]
        assert httpx.get(f"{base}/v1/me", headers=_auth(duty)).status_code == 200
        held = HeldStream(base, duty)
        rotated = tmp_path / "rotated.token"
        if change == "revoke-offline":
            since = _offline(db, "revoke")
        else:
            since = _offline(db, "rotate", "--token-out", str(rotated))
        took = _refused_and_closed(base, duty, held, since)
        admin = httpx.get(f"{base}/v1/me", headers=_auth(tokens["alpha-admin"]))
        assert admin.status_code == 200
        if change == "rotate-offline":
            fresh = rotated.read_text().strip()
            me = httpx.get(f"{base}/v1/me", headers=_auth(fresh))
            assert me.status_code == 200 and me.json()["operator"] == "alpha-duty"
        print(f"sqlite {change}: {took}")
