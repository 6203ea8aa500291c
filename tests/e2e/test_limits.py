"""Request limits on a real ``sharedsky serve`` process, over raw sockets: a body sent too slowly
is cut with 408, a chunked body is refused with 413 as soon as it passes the limit (before the
client has sent it all), and a token past its burst gets 429 while another is served."""

from __future__ import annotations

import json
import select
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from _servers import init, serve

MECHANISM_YAML = """\
mechanism: limits-e2e
host: {id: host, name: Coordination Cell, language: en}
parties:
  - {id: alpha, name: Alpha Air Command, language: en}
  - {id: bravo, name: Bravo Air Command, language: en}
"""
BODY_TIMEOUT_S = 1.0
MAX_BODY_BYTES = 2048
TOKEN_BURST = 5


@dataclass
class Server:
    host: str
    port: int
    base: str
    tokens: dict[str, str]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("limits")
    db = f"sqlite:///{folder / 'limits.db'}"
    tokens = init(folder, MECHANISM_YAML, db)
    env = {
        "SHAREDSKY_BODY_TIMEOUT_S": str(BODY_TIMEOUT_S),
        "SHAREDSKY_MAX_BODY_BYTES": str(MAX_BODY_BYTES),
        "SHAREDSKY_RATE_LIMIT_TOKEN_BURST": str(TOKEN_BURST),
        "SHAREDSKY_RATE_LIMIT_TOKEN_PER_S": "0.001",
    }
    with serve(db, folder / "server.log", env=env) as base:
        host, port = base.removeprefix("http://").split(":")
        yield Server(host, int(port), base, tokens)


def _head(server: Server, token: str, framing: str) -> bytes:
    return (
        f"POST /v1/notices HTTP/1.1\r\nHost: {server.host}\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n{framing}\r\n"
    ).encode()


def _answer(sock: socket.socket, timeout_s: float) -> bytes:
    """Everything the server sends until it closes the connection (or ``timeout_s`` passes)."""
    sock.settimeout(timeout_s)
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except TimeoutError:
        pass
    return received


def test_a_body_sent_too_slowly_is_cut_with_408(server: Server) -> None:
    with socket.create_connection((server.host, server.port)) as sock:
        began = time.monotonic()
        sock.sendall(_head(server, server.tokens["alpha"], "Content-Length: 500\r\n") + b"{")
        answer = _answer(sock, 5.0)  # a slow-loris client: one byte, then nothing
        elapsed_s = time.monotonic() - began
    status, _, rest = answer.partition(b"\r\n")
    assert status == b"HTTP/1.1 408 Request Timeout", answer
    assert json.loads(rest.partition(b"\r\n\r\n")[2])["code"] == "body-timeout"
    assert BODY_TIMEOUT_S - 0.1 < elapsed_s < BODY_TIMEOUT_S + 2.0  # and then it hung up


def test_a_chunked_body_is_refused_with_413_once_it_passes_the_limit(server: Server) -> None:
    with socket.create_connection((server.host, server.port)) as sock:
        sock.sendall(_head(server, server.tokens["alpha"], "Transfer-Encoding: chunked\r\n"))
        sent = 0
        chunk = b"x" * 512
        while sent < 100 * MAX_BODY_BYTES:
            readable, _, _ = select.select([sock], [], [], 0.02)
            if readable:
                break  # the server answered before the body ended
            try:
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            except OSError:
                break
            sent += len(chunk)
        answer = _answer(sock, 5.0)
    assert answer.startswith(b"HTTP/1.1 413 "), answer
    assert sent < 100 * MAX_BODY_BYTES
    assert json.loads(answer.partition(b"\r\n\r\n")[2])["code"] == "body-too-large"


def test_a_token_past_its_burst_gets_429_and_another_token_is_served(server: Server) -> None:
    def me(party: str) -> httpx.Response:
        auth = {"Authorization": f"Bearer {server.tokens[party]}"}
        return httpx.get(f"{server.base}/v1/me", headers=auth, timeout=5.0)

    answers = [me("bravo") for _ in range(TOKEN_BURST + 1)]
    assert [a.status_code for a in answers[:TOKEN_BURST]] == [200] * TOKEN_BURST
    refused = answers[-1]
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate-limited"
    assert int(refused.headers["retry-after"]) >= 1
    assert me("host").status_code == 200


def test_a_body_within_the_limits_is_served(server: Server, tmp_path: Path) -> None:
    auth = {"Authorization": f"Bearer {server.tokens['host']}"}
    answer = httpx.post(f"{server.base}/v1/notices", json={}, headers=auth, timeout=5.0)
    assert answer.status_code in (403, 422)  # the app answered: the limits let it through
