"""``sharedsky demo --check``: the Levant scenario end to end against a real server process,
in a directory and on a port of its own, so that it never touches a demo running beside it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.slow
def test_demo_check_passes_and_leaves_a_running_demos_files_alone(tmp_path: Path) -> None:
    checkout, scratch = tmp_path / "checkout", tmp_path / "tmp"
    (checkout / ".demo").mkdir(parents=True)
    scratch.mkdir()
    running = checkout / ".demo" / "tokens.json"  # what `make demo` wrote and its users read
    running.write_text('{"alpha": "the running demo\'s token"}\n', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "sharedsky", "demo", "--check"],
        cwd=checkout,
        env=os.environ | {"TMPDIR": str(scratch)},
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    text = " ".join(result.stdout.split())
    assert "5/5 expected clashes found" in text
    assert "0 conflict acknowledgements outstanding" in text
    assert "demo check passed" in text
    assert running.read_text(encoding="utf-8") == '{"alpha": "the running demo\'s token"}\n'
    assert sorted(p.name for p in checkout.rglob("*")) == [".demo", "tokens.json"]
    assert list(scratch.iterdir()) == []  # its temporary directory is gone once it passed
