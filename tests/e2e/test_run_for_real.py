"""The README's "Run it for real" block, run line by line with bash (``set -e``): certificates
with openssl, PostgreSQL, ``init``, an operator bound to a certificate, ``serve`` over mutual
TLS, a CLI call with a client certificate, the metrics, a backup restored and verified. Only
the databases (fresh PostgreSQL schemas), the repository path and the port are the test's own."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from sharedsky.cli.demo import free_port

ROOT = Path(__file__).resolve().parents[2]


def readme_block() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- run-for-real -->\n```sh\n(.*?)```", text, re.S)
    assert found, "the README lost its run-for-real block"
    return found.group(1)


@pytest.mark.slow
@pytest.mark.postgres
def test_the_readme_run_for_real_block_runs(
    tmp_path: Path, fresh_database: Callable[[str], str]
) -> None:
    if shutil.which("openssl") is None or shutil.which("curl") is None:
        pytest.fail("openssl and curl are needed (Debian's openssl and curl packages)")
    block = readme_block()
    db, copy = fresh_database("postgres"), fresh_database("postgres")
    port = str(free_port())
    lines = []
    for line in block.splitlines():
        if line.startswith("createdb "):
            continue  # the test's databases are fresh schemas
        if line.startswith("export SHAREDSKY_HOME="):
            line = f"export SHAREDSKY_HOME={ROOT}"
        elif line.startswith("export SHAREDSKY_DB="):
            line = f"export SHAREDSKY_DB='{db}'"
        elif line.startswith("export RESTORE_DB="):
            line = f"export RESTORE_DB='{copy}'"
        lines.append(line.replace("8443", port))
    script = "set -euo pipefail\n" + "\n".join(lines) + "\n"
    (tmp_path / "run.sh").write_text(script, encoding="utf-8")
    venv_bin = str(Path(sys.executable).parent)
    env = os.environ | {"PATH": f"{venv_bin}:{os.environ.get('PATH', '')}"}
    for name in ("SHAREDSKY_URL", "SHAREDSKY_TOKEN", "SHAREDSKY_CA", "SHAREDSKY_DB"):
        env.pop(name, None)
    done = subprocess.run(
        ["bash", str(tmp_path / "run.sh")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    log = (tmp_path / "serve.log").read_text() if (tmp_path / "serve.log").exists() else ""
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}\n--- serve.log\n{log[-3000:]}"
    out = done.stdout
    assert "alpha-night" in out and "duty" in out  # operators list
    assert "Notices (0)" in out or "no notices" in out.lower() or "Notices" in out
    metrics = [line for line in out.splitlines() if line.strip().isdigit()]
    assert metrics and int(metrics[-1]) > 10, out  # sharedsky_* series
    assert (tmp_path / "alpha-night.token").stat().st_mode & 0o077 == 0
    assert '"request_id"' in log or "request_id" in log  # JSON log lines
