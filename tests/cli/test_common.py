"""Shared CLI pieces: one way to fail (``error: …`` in red on stderr, then the exit code), and
the file a secret goes to, made before the change that issues it."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from sharedsky.cli._common import fail, secret_file


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


def test_a_secret_file_is_made_beside_its_name_and_renamed_over_it_once_written(
    tmp_path: Path,
) -> None:
    out = tmp_path / "t.token"
    out.write_text("old\n")
    with secret_file(out, "--token-out") as sink:
        assert sink.partial.parent == tmp_path and sink.partial.stat().st_mode & 0o777 == 0o600
        assert out.read_text() == "old\n"  # untouched until written
        sink.write("new\n")
    assert out.read_text() == "new\n" and out.stat().st_mode & 0o777 == 0o600
    assert sorted(tmp_path.iterdir()) == [out]


def test_a_secret_file_left_unwritten_is_removed(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), secret_file(tmp_path / "t.token", "--token-out"):
        raise RuntimeError("the change failed")
    assert list(tmp_path.iterdir()) == []


def test_a_secret_file_that_cannot_be_made_fails_before_the_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for out, said in (
        (tmp_path / "missing" / "t.token", "cannot write"),
        (tmp_path, "is a folder"),
    ):
        with pytest.raises(typer.Exit) as exit_, secret_file(out, "--token-out"):
            raise AssertionError("the change must not run")
        assert exit_.value.exit_code == 1
        error = capsys.readouterr().err
        assert error.startswith("error: --token-out: ") and said in error, error
        assert "nothing was changed" in error


def test_a_secret_that_cannot_be_renamed_into_place_is_kept_and_its_file_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "t.token"
    with pytest.raises(typer.Exit), secret_file(out, "--token-out") as sink:
        out.mkdir()  # something took the name meanwhile
        sink.write("secret\n")
    error = capsys.readouterr().err
    assert "the change is made" in error and str(sink.partial) in error, error
    assert sink.partial.read_text() == "secret\n"
