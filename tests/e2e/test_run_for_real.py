"""The README's "Run it for real" block, run line by line with bash (``set -e``): certificates
with openssl, PostgreSQL, ``init``, an operator bound to a certificate, ``serve`` over mutual
TLS, a CLI call with a client certificate, the metrics, a backup restored and verified. Only
the databases' names (made by the README's own ``createdb`` lines, dropped at the end), the
repository path and the port are the test's own."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
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
def test_the_readme_run_for_real_block_runs(tmp_path: Path) -> None:
    for tool in ("openssl", "curl", "createdb", "dropdb"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is needed (Debian's openssl, curl and postgresql-client)")
    block = readme_block()
    suffix = f"_readme_{os.getpid()}_{secrets.token_hex(4)}"
    names = {"sharedsky_copy": f"sharedsky_copy{suffix}", "sharedsky": f"sharedsky{suffix}"}
    port = str(free_port())
    lines = []
    for line in block.splitlines():
        if line.startswith("export SHAREDSKY_HOME="):
            line = f"export SHAREDSKY_HOME={ROOT}"
        elif line.startswith(("createdb ", "export SHAREDSKY_DB=", "export RESTORE_DB=")):
            # the README's databases, under names of this run's own
            line = re.sub(r"\bsharedsky(_copy)?\b(?=$|[ &])", lambda m: names[m.group(0)], line)
        lines.append(line.replace("8443", port))
    script = "set -euo pipefail\n" + "\n".join(lines) + "\n"
    (tmp_path / "run.sh").write_text(script, encoding="utf-8")
    venv_bin = str(Path(sys.executable).parent)
    env = os.environ | {"PATH": f"{venv_bin}:{os.environ.get('PATH', '')}"}
    for name in ("SHAREDSKY_URL", "SHAREDSKY_TOKEN", "SHAREDSKY_CA", "SHAREDSKY_DB"):
        env.pop(name, None)
    try:
        done = subprocess.run(
            ["bash", str(tmp_path / "run.sh")],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
        )
    finally:
        for name in names.values():
            subprocess.run(
                ["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", name],
                capture_output=True,
                check=False,
            )
    log = (tmp_path / "serve.log").read_text() if (tmp_path / "serve.log").exists() else ""
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}\n--- serve.log\n{log[-3000:]}"
    out = done.stdout
    assert "alpha-night" in out and "duty" in out  # operators list
    assert out.count("Notices") >= 2 or out.lower().count("no notices") >= 2, out  # two lists
    assert "Notices (0)" in out or "no notices" in out.lower() or "Notices" in out
    metrics = [line for line in out.splitlines() if line.strip().isdigit()]
    assert metrics and int(metrics[-1]) > 10, out  # sharedsky_* series
    assert (tmp_path / "alpha-night.token").stat().st_mode & 0o077 == 0
    assert '"request_id"' in log or "request_id" in log  # JSON log lines
