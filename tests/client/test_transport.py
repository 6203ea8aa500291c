"""The SDK's one transport: every resource's calls carry the same headers, retry alike, and map
errors alike, the ledger export included."""

from __future__ import annotations

import ast
import graphlib
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from _support import CutStream

import sharedsky.client
from sharedsky import __version__
from sharedsky.client import AuthError, Client, NotFoundError, UnreachableError
from sharedsky.client.transport import Transport
from sharedsky.ledger.signing import (
    SIGNATURE_HEADER,
    Signer,
    body_signature,
    public_key_to_b64,
    submission,
)
from sharedsky.wire import v1

if TYPE_CHECKING:
    from _support import Api

USER_AGENT = f"sharedsky-sdk/{__version__}"
CLIENT_DIR = Path(sharedsky.client.__file__).parent


class Recorder(httpx.BaseTransport):
    """Forwards every request to the app and keeps it; the first ``refuse`` attempts fail to
    connect, and an answer to a path in ``cut`` stops after ``cut_after`` bytes (a reset)."""

    def __init__(self, app: httpx.Client, refuse: int = 0, cut: str = "", cut_after: int = 0):
        self.app = app
        self.refuse = refuse
        self.cut = cut
        self.cut_after = cut_after
        self.seen: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        if len(self.seen) <= self.refuse:
            raise httpx.ConnectError("connection refused", request=request)
        answer = self.app.send(request)
        if self.cut and request.url.path == self.cut:
            stream = CutStream(answer.content[: self.cut_after], request)
            return httpx.Response(answer.status_code, headers=answer.headers, stream=stream)
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)


def recorded(api: Api, party: str, recorder: Recorder, signer: Signer | None = None) -> Client:
    http = httpx.Client(transport=recorder, base_url="http://testserver")
    return Client("http://testserver", api.env.tokens[party], http=http, signer=signer)


def notice(title: str = "CAP north") -> v1.NoticeIn:
    ring = [(36.1, 34.5), (36.5, 34.5), (36.5, 34.9), (36.1, 34.9), (36.1, 34.5)]
    return v1.NoticeIn.model_validate(
        {
            "kind": "air_sortie",
            "title": title,
            "volumes": [
                {
                    "outline": {"type": "Polygon", "coordinates": [ring]},
                    "altitude": {"lower_m": 3000, "upper_m": 9000},
                    "time": {"start": "2026-11-24T15:00:00Z", "end": "2026-11-24T17:00:00Z"},
                }
            ],
        }
    )


def test_every_resource_sends_the_same_user_agent_and_token(api: Api) -> None:
    recorder = Recorder(api.client)
    alpha = recorded(api, "alpha", recorder)
    alpha.me()  # meta
    alpha.list_notices()  # notices
    alpha.list_zones()  # zones
    alpha.list_conflicts()  # conflicts
    alpha.list_messages()  # hotline
    alpha.list_operators()  # operators
    alpha.live_tracks()  # tracks
    alpha.operator_keys()  # ledger
    assert alpha.export_ledger(io.BytesIO()) > 0  # the ledger's JSONL export
    paths = [r.url.path for r in recorder.seen]
    assert paths == [
        "/v1/me",
        "/v1/notices",
        "/v1/zones",
        "/v1/conflicts",
        "/v1/messages",
        "/v1/operators",
        "/v1/tracks",
        "/v1/ledger/operator-keys",
        "/v1/ledger",
    ]
    headers = {(r.headers["User-Agent"], r.headers["Authorization"]) for r in recorder.seen}
    assert headers == {(USER_AGENT, f"Bearer {api.env.tokens['alpha']}")}


def test_writes_of_every_resource_carry_the_signature_when_a_signer_is_set(api: Api) -> None:
    signer = Signer.generate()
    Client("http://testserver", api.env.tokens["alpha"], http=api.client).register_key(
        public_key_to_b64(signer.public_key)
    )
    recorder = Recorder(api.client)
    alpha = recorded(api, "alpha", recorder, signer)
    filed = alpha.file_notice(notice())  # POST, notices
    alpha.amend_notice(filed.id, 1, notice("moved"))  # PUT
    alpha.post_tracks([])  # tracks
    key = alpha.register_key(public_key_to_b64(Signer.generate().public_key))  # ledger
    alpha.revoke_key(key.key_id)  # DELETE
    alpha.get_notice(filed.id)  # a read: not signed
    writes = [r for r in recorder.seen if r.method != "GET"]
    assert [(r.method, r.url.path) for r in writes] == [
        ("POST", "/v1/notices"),
        ("PUT", f"/v1/notices/{filed.id}"),
        ("POST", "/v1/tracks"),
        ("POST", "/v1/ledger/operator-keys"),
        ("DELETE", f"/v1/ledger/operator-keys/{key.key_id}"),
    ]
    for r in writes:
        body = json.loads(r.content) if r.content else None
        assert r.headers[SIGNATURE_HEADER] == body_signature(
            signer, submission(r.method, r.url.path, body)
        )
    assert [SIGNATURE_HEADER in r.headers for r in recorder.seen if r.method == "GET"] == [False]


def test_a_ledger_export_whose_first_connection_fails_is_retried_once(api: Api) -> None:
    recorder = Recorder(api.client, refuse=1)
    out = io.BytesIO()
    lines = recorded(api, "alpha", recorder).export_ledger(out)
    assert lines > 0 and out.getvalue().count(b"\n") == lines
    assert [r.url.path for r in recorder.seen] == ["/v1/ledger"] * 2


def test_a_ledger_export_with_no_server_raises_unreachable_after_one_retry() -> None:
    attempts: list[httpx.Request] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        attempts.append(request)
        raise httpx.ConnectError("connection refused", request=request)

    with httpx.Client(transport=httpx.MockTransport(refuse)) as http:
        client = Client("http://127.0.0.1:9", "t", http=http)
        with pytest.raises(UnreachableError) as caught:
            client.export_ledger(io.BytesIO(), after=5)
    assert (caught.value.status, caught.value.code) == (0, "unreachable")
    assert "127.0.0.1:9" in caught.value.detail
    assert [str(r.url) for r in attempts] == ["http://127.0.0.1:9/v1/ledger?after=5"] * 2
    assert {r.headers["User-Agent"] for r in attempts} == {USER_AGENT}


def test_a_ledger_export_cut_off_midway_keeps_what_came_and_is_not_replayed(api: Api) -> None:
    whole = io.BytesIO()
    sdk = Client("http://testserver", api.env.tokens["alpha"], http=api.client)
    sdk.file_notice(notice())
    assert sdk.export_ledger(whole) >= 3
    two_lines = b"".join(whole.getvalue().splitlines(keepends=True)[:2])
    recorder = Recorder(api.client, cut="/v1/ledger", cut_after=len(two_lines) + 5)
    out = io.BytesIO()
    with pytest.raises(UnreachableError) as caught:
        recorded(api, "alpha", recorder).export_ledger(out)
    assert caught.value.code == "unreachable"
    assert "export interrupted after 2 lines" in caught.value.detail
    assert "testserver" in caught.value.detail
    assert out.getvalue() == two_lines
    assert len(recorder.seen) == 1  # lines had come: a replay would write them twice


def test_a_ledger_export_refused_raises_the_same_errors_as_other_calls(api: Api) -> None:
    stranger = Client("http://testserver", "not-a-token", http=api.client)
    with pytest.raises(AuthError) as caught:
        stranger.export_ledger(io.BytesIO())
    assert (caught.value.status, caught.value.code) == (401, "unauthenticated")


def test_a_stream_answered_with_a_problem_raises_its_exception() -> None:
    problem = {"type": "about:blank", "title": "Not found", "status": 404, "code": "not-found",
               "detail": "no such thing"}  # fmt: skip

    def gone(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json=problem, headers={"Content-Type": "application/json"})

    with httpx.Client(transport=httpx.MockTransport(gone)) as http:
        transport = Transport("http://x", "t", http=http)
        with pytest.raises(NotFoundError) as caught, transport.stream("/v1/ledger"):
            pytest.fail("an error answer is not handed to the caller")
    assert caught.value.detail == "no such thing"


def _client_imports() -> dict[str, set[str]]:
    """Module of sharedsky.client → the modules of sharedsky.client it imports, anywhere in
    its text (at the top, inside a function or under TYPE_CHECKING alike)."""
    names = {p.stem for p in CLIENT_DIR.glob("*.py")}
    graph: dict[str, set[str]] = {}
    for name in names:
        tree = ast.parse((CLIENT_DIR / f"{name}.py").read_text(encoding="utf-8"))
        found: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module.startswith("sharedsky.client."):
                    found.add(node.module.split(".")[2])
                elif node.module == "sharedsky.client":
                    found |= {a.name for a in node.names if a.name in names}
            elif isinstance(node, ast.Import):
                found |= {
                    a.name.split(".")[2]
                    for a in node.names
                    if a.name.startswith("sharedsky.client.")
                }
        graph[name] = found - {name}
    return graph


def test_no_module_of_the_sdk_imports_another_in_a_circle() -> None:
    graph = {name: deps for name, deps in _client_imports().items() if name != "__init__"}
    assert graph["ledger"] and graph["hotline"]  # the walk does see imports
    tuple(graphlib.TopologicalSorter(graph).static_order())  # CycleError names the circle


def test_only_the_package_imports_the_client_class() -> None:
    assert sorted(n for n, deps in _client_imports().items() if "sdk" in deps) == ["__init__"]
