"""Feeds that tests start on local ports: an HTTP server answering with JSON documents in turn
(a readsb ``aircraft.json``), and a UDP sender repeating datagrams (an ASTERIX feed, multicast
through the loopback too)."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def served(documents: list[bytes], path: str = "/data/aircraft.json") -> Iterator[str]:
    """An HTTP server on a local port answering each GET with the next document (the last one
    again when they run out); yields the document's URL."""
    queue = list(documents)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = queue.pop(0) if len(queue) > 1 else queue[0]
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{path}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5.0)


@contextmanager
def sending(
    address: str, port: int, datagrams: list[bytes], every_s: float = 0.05
) -> Iterator[None]:
    """Send ``datagrams`` to ``address:port`` (a host or a multicast group, out through the
    loopback) every ``every_s`` seconds until the block ends."""
    stop = threading.Event()

    def send() -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as out:
            out.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("127.0.0.1"))
            out.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)
            while not stop.is_set():
                for datagram in datagrams:
                    out.sendto(datagram, (address, port))
                stop.wait(every_s)

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(5.0)
