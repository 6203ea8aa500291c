"""A real ``serve --log-format json --metrics-port P``: every log line is a JSON object (the
access line of a request carries its id), and the metrics answer on 127.0.0.1:P without a
token while the API's /metrics still asks for the host's."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from _servers import init, start
from _support import LEVANT_YAML

from sharedsky.cli.demo import free_port


def test_serve_logs_json_lines_and_serves_metrics_on_a_local_port(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'ops.db'}"
    tokens = init(tmp_path, LEVANT_YAML, db)
    metrics_port = free_port()
    log = tmp_path / "serve.log"
    server = start(
        db,
        log,
        {"SHAREDSKY_LOG_LEVEL": "info"},
        argv=["--metrics-port", str(metrics_port), "--log-format", "json"],
    )
    base = server.base
    try:
        me = httpx.get(
            f"{base}/v1/me",
            headers={"Authorization": f"Bearer {tokens['alpha']}", "X-Request-Id": "e2e-me-1"},
        )
        assert me.status_code == 200 and me.headers["x-request-id"] == "e2e-me-1"
        bad = httpx.get(f"{base}/v1/me", headers={"Authorization": "Bearer wrong"})
        assert bad.status_code == 401
        local = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5.0)
        assert local.status_code == 200
        assert 'sharedsky_http_requests_total{method="GET",route="/v1/me",status="200"} 1.0' in (
            local.text
        )
        assert 'sharedsky_auth_failures_total{reason="unknown-token"} 1.0' in local.text
        assert httpx.get(f"{base}/metrics").status_code == 401
        host = {"Authorization": f"Bearer {tokens['host']}"}
        assert httpx.get(f"{base}/metrics", headers=host).status_code == 200
    finally:
        server.stop()
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    assert lines, "no log line"
    assert all({"time", "level", "logger", "message"} <= line.keys() for line in lines)
    [access] = [x for x in lines if x["logger"] == "uvicorn.access" and x.get("path") == "/v1/me"
                and x.get("status") == 200]  # fmt: skip
    assert access["request_id"] == "e2e-me-1"
    failed = [x for x in lines if x["message"].startswith("authentication failed")]
    assert [x["reason"] for x in failed] == ["unknown-token", "missing-token"]
    assert failed[0]["level"] == "WARNING" and failed[0]["client"].startswith("127.0.0.1:")
    assert failed[0]["request_id"] != failed[1]["request_id"]
    assert any(x["logger"] == "uvicorn.error" for x in lines)  # "Application startup complete"
