"""``sharedsky backup`` and ``sharedsky restore``: what they print, and that bad input ends with
a message and exit 1, never a traceback, and changes nothing."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import pytest
from _support import Api
from typer.testing import CliRunner, Result

from sharedsky.cli import app
from sharedsky.store.backup import read_header


def _run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "500"})


def _refused(result: Result, message: str) -> None:
    assert result.exit_code == 1, result.output
    assert message in result.output, result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception


def test_backup_then_restore_print_what_the_file_holds(
    api: Api, database_url: str, fresh_database: Callable[[str], str], tmp_path: Path
) -> None:
    out = tmp_path / "nightly.gz"
    made = _run("backup", "--db", database_url, "--out", str(out))
    assert made.exit_code == 0, made.output
    header = read_header(out)
    said = " ".join(made.output.split())  # as one line, however the terminal wrapped it
    tables = len(header.tables)
    assert tables >= 18  # every table of the schema, from the first eighteen on
    assert f"{header.rows} rows in {tables} tables (1 ledger entries)" in said
    assert header.content_sha256 in made.output
    target = fresh_database("sqlite")
    restored = _run("restore", str(out), "--db", target)
    assert restored.exit_code == 0, restored.output
    assert f"restored into {target}: {header.rows} rows" in restored.output
    verified = _run("ledger", "verify", "--db", target)
    assert verified.exit_code == 0 and "verified" in verified.output, verified.output
    _refused(_run("restore", str(out), "--db", target), "is not empty (rows in ")
    forced = _run("restore", str(out), "--db", target, "--force")
    assert forced.exit_code == 0, forced.output


def test_bad_input_is_refused_with_a_message_and_nothing_made(
    tmp_path: Path, fresh_database: Callable[[str], str]
) -> None:
    target = fresh_database("sqlite")
    target_file = Path(target.removeprefix("sqlite:///"))
    text_file = tmp_path / "mechanism.yaml"
    text_file.write_text("mechanism: x\n")
    _refused(_run("restore", str(text_file), "--db", target), "is not a sharedsky backup")
    _refused(_run("restore", str(tmp_path / "none.gz"), "--db", target), "cannot read")
    cut = tmp_path / "cut.gz"
    with gzip.open(cut, "wb") as sink:
        sink.write(b'{"format": "sharedsky-backup", "format_version": 1}\n')
    cut.write_bytes(cut.read_bytes()[:-8])  # without its trailer
    _refused(_run("restore", str(cut), "--db", target), "the backup's header lacks 'tables'")
    assert not target_file.exists()
    out = str(tmp_path / "b.gz")
    _refused(_run("backup", "--db", target, "--out", out), "there is no SQLite database at")
    _refused(_run("backup", "--db", "ftp://x", "--out", out), "runs on SQLite or PostgreSQL")
    _refused(_run("restore", str(text_file), "--db", "nonsense"), "is not a sharedsky backup")
    assert not target_file.exists() and not Path(out).exists()


@pytest.mark.postgres
def test_a_postgresql_server_that_does_not_answer_is_named_without_its_password(
    tmp_path: Path,
) -> None:
    result = _run(
        "backup", "--db", "postgresql://u:secret@127.0.0.1:1/x", "--out", str(tmp_path / "b")
    )
    _refused(result, "cannot open postgresql+psycopg://u:***@127.0.0.1:1/x")
    assert "secret" not in result.output


def test_a_backup_that_cannot_be_written_is_named(api: Api, database_url: str) -> None:
    result = _run("backup", "--db", database_url, "--out", "/nonexistent/dir/b.gz")
    _refused(result, "cannot write /nonexistent/dir/b.gz")
