"""``sharedsky cot push`` against the in-process app, sending to a TCP or TLS listener that the
test starts on 127.0.0.1 and that parses what it receives with lxml, as a TAK server would."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from _bodies import notice, square
from lxml import etree
from starlette.testclient import TestClient
from typer.testing import CliRunner, Result

from sharedsky.api.tls import server_context
from sharedsky.cli import app
from sharedsky.cli.cot import RESEND_S, Pusher, counts_text
from sharedsky.cli.demo import free_port
from sharedsky.interop.formats.cot import CotEvent, ObjectType
from sharedsky.testing.pki import Authority

if TYPE_CHECKING:
    from _support import Api

REQUIRED = ("version", "uid", "type", "how", "time", "start", "stale")


class Listener:
    """A TAK server's input port: accepts one client at a time on 127.0.0.1 (over TLS when
    given a context), keeps the bytes and calls ``on_event`` with each event as it arrives."""

    def __init__(self, context: ssl.SSLContext | None = None) -> None:
        self.context = context
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port: int = self.server.getsockname()[1]
        self.data = b""
        self.arrivals: list[tuple[float, Any]] = []
        """(monotonic time, parsed event) of each event, in order."""
        self.peers: list[str] = []
        """The subject of each client's certificate (TLS)."""
        self.errors: list[str] = []
        self.on_event: Callable[[Any], None] = lambda _event: None
        self._stop = threading.Event()
        self._reading = threading.Event()
        """Set while a client's connection is open: leaving waits for its end, so that every
        byte the client sent before it closed is read."""
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> Listener:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        deadline = time.monotonic() + 5.0
        while self._reading.is_set() and time.monotonic() < deadline:
            time.sleep(0.02)
        self._stop.set()
        self._thread.join(10.0)
        self.server.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            conn.settimeout(0.2)
            self._reading.set()
            try:
                if self.context is not None:
                    conn = self.context.wrap_socket(conn, server_side=True)
                    peer = conn.getpeercert() or {}
                    self.peers.append(str(peer.get("subject")))
                self._read(conn)
            except (ssl.SSLError, OSError) as exc:
                self.errors.append(str(exc))
            finally:
                conn.close()
                self._reading.clear()

    def _read(self, conn: socket.socket) -> None:
        pending = b""
        while not self._stop.is_set():
            try:
                chunk = conn.recv(65536)
            except TimeoutError:
                continue
            if not chunk:
                return
            self.data += chunk
            pending += chunk
            while b"</event>" in pending:
                one, pending = pending.split(b"</event>", 1)
                event = etree.fromstring(one + b"</event>")
                self.arrivals.append((time.monotonic(), event))
                self.on_event(event)

    def events(self) -> list[Any]:
        """Every event received, each parsed on its own."""
        return [event for _, event in self.arrivals]


def run(api: Api, *args: str, party: str = "alpha", columns: int = 200) -> Result:
    return CliRunner().invoke(
        app,
        ["cot", "push", *args, "--token", api.env.tokens[party]],
        obj={"http": api.client, "clock": api.env.clock},
        env={"COLUMNS": str(columns)},
    )


def post_track(client: TestClient, api: Api, party: str, track_id: str, **values: Any) -> None:
    state = {"id": track_id, "time": api.env.clock.now().isoformat(), "lat": 34.5, "lon": 36.2,
             "alt_m": 6000, "gs_mps": 220, "trk_deg": 95} | values  # fmt: skip
    answer = client.post("/v1/tracks", json={"tracks": [state]}, headers=api.as_(party))
    assert answer.status_code == 202, answer.text


def check(event: Any) -> None:
    for name in REQUIRED:
        assert event.get(name), name
    point = event.find("point")
    for name in ("lat", "lon", "hae", "ce", "le"):
        float(point.get(name))


def tracks_of(events: list[Any]) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for event in events:
        if event.get("type").startswith("a-"):
            found.setdefault(event.find("detail/contact").get("callsign"), []).append(event)
    return found


def test_push_sends_the_tracks_and_drawings_it_may_see_over_tcp(api: Api) -> None:
    post_track(api.client, api, "alpha", "A1", lat=34.25, lon=36.75, trk_deg=271.5, gs_mps=180)
    post_track(api.client, api, "bravo", "B1", lat=33.9, lon=35.9)
    filed = api.client.post("/v1/notices", json=notice(), headers=api.as_("alpha")).json()
    with Listener() as tak:
        result = run(api, "--to", f"tcp://127.0.0.1:{tak.port}", "--for", "1s",
                     "--interval", "0.2")  # fmt: skip
        time.sleep(0.1)
    assert result.exit_code == 0, result.output
    events = tak.events()
    for event in events:
        check(event)
    tracks = tracks_of(events)
    assert list(tracks) == ["A1"]  # bravo's track: not alpha's to see (conflicts_only)
    (a1,) = tracks["A1"]  # sent once: it did not move
    assert a1.get("type") == "a-f-A"
    assert (float(a1.find("point").get("lat")), float(a1.find("point").get("lon"))) == (
        34.25,
        36.75,
    )
    motion = a1.find("detail/track")
    assert (float(motion.get("course")), float(motion.get("speed"))) == (271.5, 180.0)
    drawings = [e for e in events if e.get("type") == "u-d-f"]
    assert [d.find("detail/__sharedsky").get("id") for d in drawings] == [filed["id"]]
    said = " ".join(result.output.split())
    assert f"pushing alpha's picture to tcp://127.0.0.1:{tak.port}" in said
    assert "sent 1 notice" in said
    assert "sent 2 events in 1 s: 1 track, 1 notice" in said


def test_a_new_position_reaches_the_tak_server_within_a_couple_of_seconds(api: Api) -> None:
    post_track(api.client, api, "alpha", "A1")
    poster = TestClient(api.client.app)  # the listener's thread posts through its own client
    posted: list[float] = []

    def move(event: Any) -> None:
        if not posted and event.get("type") == "a-f-A":
            later = (api.env.clock.now() + timedelta(seconds=1)).isoformat()
            post_track(poster, api, "alpha", "A1", lat=34.6, lon=36.3, time=later)
            posted.append(time.monotonic())

    with Listener() as tak:
        tak.on_event = move
        result = run(api, "--to", f"tcp://127.0.0.1:{tak.port}", "--for", "1.5",
                     "--interval", "0.3")  # fmt: skip
    assert result.exit_code == 0, result.output
    arrivals = [(at, e) for at, e in tak.arrivals if e.get("type") == "a-f-A"]
    assert len(arrivals) == 2, [etree.tostring(e) for _, e in arrivals]
    at, moved = arrivals[1]
    assert (float(moved.find("point").get("lat")), float(moved.find("point").get("lon"))) == (
        34.6,
        36.3,
    )
    assert at - posted[0] < 2.0
    assert moved.get("uid") == arrivals[0][1].get("uid")


def test_a_cancelled_notice_is_deleted_on_the_tak_side(api: Api) -> None:
    filed = api.client.post("/v1/notices", json=notice(), headers=api.as_("alpha")).json()
    poster = TestClient(api.client.app)

    def cancel(event: Any) -> None:
        if event.get("type") == "u-d-f":
            url = f"/v1/notices/{filed['id']}/cancel"
            assert poster.post(url, headers=api.as_("alpha")).is_success

    with Listener() as tak:
        tak.on_event = cancel
        result = run(api, "--to", f"tcp://127.0.0.1:{tak.port}", "--for", "1.2",
                     "--interval", "0.2", "--refresh", "0.3")  # fmt: skip
    assert result.exit_code == 0, result.output
    drawn, deleted = tak.events()
    assert deleted.get("type") == "t-x-d-d"
    assert deleted.find("detail/link").get("uid") == drawn.get("uid")
    assert deleted.find("detail/__forcedelete") is not None
    assert "1 notice, 1 deletion" in " ".join(result.output.split())


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> Authority:
    return Authority(tmp_path_factory.mktemp("tak-pki"), name="tak test CA")


def test_push_over_tls_presents_its_certificate_and_checks_the_servers(
    api: Api, authority: Authority
) -> None:
    post_track(api.client, api, "alpha", "A1")
    post_track(api.client, api, "bravo", "B1", lat=33.9, lon=35.9)
    server = authority.server("tak")
    client = authority.client("sharedsky-push", "Coordination Cell")
    context = server_context(server.cert, server.key, client_ca=authority.cert)
    with Listener(context) as tak:
        result = run(
            api, "--to", f"tls://127.0.0.1:{tak.port}", "--cert", str(client.cert),
            "--key", str(client.key), "--ca", str(authority.cert), "--limit", "2",
            party="host",
        )  # fmt: skip
        time.sleep(0.1)
    assert result.exit_code == 0, result.output
    assert tak.errors == [] and "sharedsky-push" in tak.peers[0]
    events = tak.events()
    tracks = tracks_of(events)
    assert sorted(tracks) == ["A1", "B1"]  # the host sees every party's tracks
    assert {e.get("type") for e in events} == {"a-n-A"}  # none is the host's own
    b1 = tracks["B1"][0]
    assert (float(b1.find("point").get("lat")), float(b1.find("point").get("lon"))) == (
        33.9,
        35.9,
    )
    assert "sent 2 events" in result.output


def test_a_tak_server_whose_certificate_is_not_trusted_is_refused(
    api: Api, authority: Authority, tmp_path: Path
) -> None:
    server = authority.server("tak")
    client = authority.client("sharedsky-push")
    stranger = Authority(tmp_path / "other", name="another CA")
    context = server_context(server.cert, server.key, client_ca=authority.cert)
    with Listener(context) as tak:
        result = run(
            api, "--to", f"tls://127.0.0.1:{tak.port}", "--cert", str(client.cert),
            "--key", str(client.key), "--ca", str(stranger.cert), "--for", "1s",
        )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert f"error: TLS with the TAK server at tls://127.0.0.1:{tak.port} failed" in (
        " ".join(result.stderr.split())
    )
    assert "CERTIFICATE_VERIFY_FAILED" in result.stderr
    assert tak.events() == []


def test_no_tak_server_listening_is_a_clear_error(api: Api) -> None:
    port = free_port()
    result = run(api, "--to", f"tcp://127.0.0.1:{port}", "--for", "1s")
    assert result.exit_code == 1, result.output
    said = " ".join(result.stderr.split())
    assert f"error: cannot connect to the TAK server at tcp://127.0.0.1:{port}:" in said
    assert "refused" in said.lower()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--to", "udp://127.0.0.1:6969"], "is not tcp://HOST:PORT or tls://HOST:PORT"),
        (["--to", "tcp://127.0.0.1"], "is not tcp://HOST:PORT or tls://HOST:PORT"),
        (["--to", "tls://127.0.0.1:8089"], "tls:// needs --cert and --key"),
        (["--to", "tcp://127.0.0.1:8087", "--ca", "ca.pem"], "are for tls:// only"),
        (["--to", "tcp://127.0.0.1:8087", "--for", "soon"], "not a duration"),
    ],
)
def test_a_bad_option_is_refused_before_anything_is_read(
    api: Api, args: list[str], said: str
) -> None:
    result = run(api, *args)
    assert result.exit_code == 2, result.output
    assert said in " ".join(result.output.replace("│", " ").split())


def test_what_it_prints_fits_80_columns(api: Api) -> None:
    post_track(api.client, api, "alpha", "A1")
    api.client.post("/v1/notices", json=notice(), headers=api.as_("alpha"))
    zone = {"kind": "protected", "title": "Hospital", "volume": {
        "outline": square(36.3, 33.5, 0.05), "altitude": {"lower_m": 0, "upper_m": 3000},
        "time": {"start": "2026-11-24T12:00:00Z"}}}  # fmt: skip
    api.client.post("/v1/zones", json=zone, headers=api.as_("alpha"))
    with Listener() as tak:
        result = run(api, "--to", f"tcp://127.0.0.1:{tak.port}", "--limit", "3", columns=80)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert all(len(line) <= 80 for line in lines), lines
    assert lines[-1].startswith("sent 3 events in ") and lines[-1].endswith(
        "1 track, 1 notice, 1 zone"
    )
    assert len(tak.events()) == 3


def event(uid: str, kind: ObjectType = "notice", marker: str = "1") -> CotEvent:
    return CotEvent(uid, kind, marker, b"<event/>")


def test_the_pusher_sends_what_changed_deletes_what_left_and_resends_hourly() -> None:
    now = datetime(2026, 11, 24, 12, tzinfo=UTC)
    pusher = Pusher()
    first = [event("n.1"), event("t.1", "track", "12:00:00"), event("z.1", "zone")]
    for sent in pusher.changes(first, now, drawings=True, clock_s=0.0):
        pusher.mark(sent, 0.0)
    assert pusher.changes(first, now, drawings=True, clock_s=10.0) == []
    moved = [event("n.1", marker="2"), event("t.1", "track", "12:00:01")]
    due = pusher.changes(moved, now, drawings=False, clock_s=20.0)
    assert [e.uid for e in due] == ["n.1", "t.1"]  # no deletion without the drawings read
    due = pusher.changes(moved, now, drawings=True, clock_s=20.0)
    assert [(e.uid, e.object) for e in due] == [
        ("n.1", "notice"), ("t.1", "track"), ("z.1.deleted", "deletion"),
    ]  # fmt: skip
    for sent in due:
        pusher.mark(sent, 20.0)
    assert "z.1" not in pusher.sent
    assert pusher.changes(moved, now, drawings=True, clock_s=20.0 + RESEND_S - 1) == []
    assert len(pusher.changes(moved, now, drawings=True, clock_s=20.0 + RESEND_S)) == 2
    assert counts_text(pusher.counts) == "2 tracks, 2 notices, 1 zone, 1 deletion"
    assert counts_text(Counter()) == "nothing"
