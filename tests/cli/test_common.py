"""Shared CLI pieces: one way to fail (``error: …`` in red on stderr, then the exit code)."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from sharedsky.cli._common import fail


def _app(code: int) -> typer.Typer:
    app = typer.Typer()

    @app.command()
    def go() -> None:
        raise fail("a message long enough to be wrapped on a narrow terminal " * 3, code=code)

    return app


def test_fail_prints_one_error_line_on_stderr_and_exits_with_the_code() -> None:
    for code in (1, 2):
        result = CliRunner().invoke(_app(code), [], env={"COLUMNS": "40"})
        assert result.exit_code == code
        assert result.stdout == ""
        assert result.stderr.startswith("error: a message long enough")
        assert result.stderr.count("\n") == 1
