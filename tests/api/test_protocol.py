"""``serve``'s HTTP protocol on a real uvicorn server (in a thread): the verified client
certificate's subject reaches the app over mutual TLS, and a connection that does not finish
its request head in time is closed."""

from __future__ import annotations

import select
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from sharedsky.api.protocol import protocol_class
from sharedsky.api.tls import peer_subject, server_context
from sharedsky.cli.demo import free_port
from sharedsky.client.tls import client_context
from sharedsky.testing.pki import Authority

HEAD_TIMEOUT_S = 0.5


async def _whoami(request: Request) -> PlainTextResponse:
    return PlainTextResponse(peer_subject(request) or "-")


@contextmanager
def _server(**config: object) -> Iterator[int]:
    port = free_port()
    app = Starlette(routes=[Route("/whoami", _whoami)])
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            http=protocol_class(HEAD_TIMEOUT_S),
            lifespan="off",
            **config,  # type: ignore[arg-type]
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(10)


def test_the_client_certificate_subject_reaches_the_app_over_mutual_tls(tmp_path: Path) -> None:
    authority = Authority(tmp_path)
    issued = authority.server()
    alpha = authority.client("alpha-duty", "Alpha")
    context = server_context(issued.cert, issued.key, authority.cert)
    with _server(ssl_context_factory=lambda _config, _default: context) as port:
        verify = client_context(authority.cert, alpha.cert, alpha.key)
        assert verify is not None
        with httpx.Client(verify=verify) as client:
            for _ in range(2):  # every request of the connection carries it
                answer = client.get(f"https://127.0.0.1:{port}/whoami")
                assert answer.text == "CN=alpha-duty,O=Alpha"


def test_over_plain_http_there_is_no_peer_subject() -> None:
    with _server() as port:
        assert httpx.get(f"http://127.0.0.1:{port}/whoami").text == "-"


def _closed_after_s(sock: socket.socket) -> float:
    """Seconds until the server closes ``sock`` (its read returns nothing)."""
    began = time.monotonic()
    sock.settimeout(5.0)
    while sock.recv(1024):
        pass
    return time.monotonic() - began


@pytest.mark.parametrize(
    "sent",
    [b"", b"GET /whoami HTTP/1.1\r\nHost: x\r\n"],
    ids=["silent", "unfinished-head"],
)
def test_a_connection_that_does_not_finish_its_head_in_time_is_closed(sent: bytes) -> None:
    with _server() as port, socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(sent)
        assert _closed_after_s(sock) < HEAD_TIMEOUT_S + 1.0


def test_a_head_sent_a_byte_at_a_time_is_cut_at_the_head_timeout() -> None:
    head = b"GET /whoami HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100
    with _server() as port, socket.create_connection(("127.0.0.1", port)) as sock:
        began = time.monotonic()
        for byte in head:  # 50 ms apart: each byte would reset a keep-alive timer
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                break  # the server hung up
            readable, _, _ = select.select([sock], [], [], 0.05)
            if readable and sock.recv(1) == b"":
                break
        else:
            pytest.fail("the slow head was not cut")
        elapsed_s = time.monotonic() - began
        assert HEAD_TIMEOUT_S - 0.1 < elapsed_s < HEAD_TIMEOUT_S + 1.0


def test_a_served_connection_stays_open_for_the_next_request() -> None:
    with _server() as port, httpx.Client() as client:
        first = client.get(f"http://127.0.0.1:{port}/whoami")
        time.sleep(HEAD_TIMEOUT_S / 2)
        second = client.get(f"http://127.0.0.1:{port}/whoami")
        assert first.status_code == second.status_code == 200
