"""``sharedsky watch`` through CliRunner, against a real server process (a stream never ends by
itself, so the in-process app cannot serve it): ``--count`` and ``--for`` end it with exit 0."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from _servers import init, orbit, post, serve
from typer.testing import CliRunner, Result

from sharedsky.cli import app

MECHANISM_YAML = """\
mechanism: watch
host: {id: host, name: Coordination Cell, language: en}
parties:
  - {id: alpha, name: Alpha Air Command, language: en}
  - {id: bravo, name: Bravo Air Command, language: en}
"""


def watch(base: str, token: str, *args: str) -> tuple[Result, float]:
    """``watch`` as the operator of ``token``; the result and the seconds it took."""
    started = time.monotonic()
    result = CliRunner().invoke(
        app,
        ["watch", "--url", base, "--token", token, *args],
        env={"COLUMNS": "300", "SHAREDSKY_TOKEN": None, "SHAREDSKY_URL": None},
    )
    return result, time.monotonic() - started


@pytest.mark.slow
def test_for_and_count_end_the_stream_with_exit_0(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'watch.db'}"
    tokens = init(tmp_path, MECHANISM_YAML, db)
    with serve(db, tmp_path / "server.log") as base:
        filed = post(base, tokens["alpha"], "/v1/notices", orbit(36.0))
        replayed, took_s = watch(base, tokens["bravo"], "--after", "0", "--for", "1s")
        assert replayed.exit_code == 0, replayed.output
        assert 0.9 < took_s < 10.0  # the one event, then a silent stream until --for
        (line,) = replayed.stdout.splitlines()
        assert "notice.filed" in line and filed["id"] in line
        counted, took_s = watch(
            base, tokens["bravo"], "--after", "0", "--count", "1", "--for", "1m"
        )
        assert counted.exit_code == 0, counted.output
        assert took_s < 10.0 and counted.stdout == replayed.stdout  # --count came first
        live, took_s = watch(base, tokens["alpha"], "--for", "0.5")
        assert (live.exit_code, live.stdout) == (0, "")  # from now on: nothing happened
        refused, _ = watch(base, tokens["alpha"], "--for", "later")
        assert refused.exit_code == 2 and "not a duration" in refused.output
