"""``sharedsky demo --check``: the Levant scenario end to end against a real server process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.slow
def test_demo_check_passes_against_a_real_server(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sharedsky", "demo", "--check", "--workdir", str(tmp_path / "demo")],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    text = " ".join(result.stdout.split())
    assert "5/5 expected clashes found" in text
    assert "0 conflict acknowledgements outstanding" in text
    assert "demo check passed" in text
