"""Shared CLI pieces: one way to fail (``error: …`` in red on stderr, then the exit code);
durations and the time limit of ``--for``; the file a secret goes to, made before the change
that issues it; positions, and tables fitted to the terminal without cutting a word."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import pytest
import typer
from rich.console import Console
from rich.table import Table
from typer.testing import CliRunner

from sharedsky.cli._common import (
    TimeUp,
    duration_s,
    duration_text,
    fail,
    outline_text,
    position_text,
    print_table,
    secret_file,
    table,
    time_limit,
)
from sharedsky.wire import v1


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


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30s", 30.0),
        ("5m", 300.0),
        ("1h30m", 5400.0),
        ("2d", 172_800.0),
        ("90", 90.0),
        ("0.5", 0.5),
    ],
)
def test_a_duration_is_read_in_days_hours_minutes_and_seconds(text: str, seconds: float) -> None:
    assert duration_s(text) == seconds


@pytest.mark.parametrize("text", ["0", "0s", "-5", "soon", "5x", "1.5m", "nan", "inf", ""])
def test_what_is_no_positive_duration_is_refused(text: str) -> None:
    with pytest.raises(typer.BadParameter, match="not a duration"):
        duration_s(text)


def test_a_time_limit_interrupts_a_blocked_wait_and_restores_the_alarm() -> None:
    before = signal.getsignal(signal.SIGALRM)
    started = time.monotonic()
    with pytest.raises(TimeUp), time_limit(0.2):
        threading.Event().wait(10.0)  # blocked, as a read of a silent stream is
    assert 0.15 < time.monotonic() - started < 5.0
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_the_alarm_rings_again_when_its_first_ring_is_lost() -> None:
    """A TimeUp raised inside a garbage collector's callback (Hypothesis installs one in the
    tests' processes) is printed and dropped by Python: ``watch --for`` once waited 16 minutes
    on a silent stream. The alarm rings again until the block ends."""
    lost = 0
    started = time.monotonic()
    with pytest.raises(TimeUp), time_limit(0.1):
        while True:
            try:
                threading.Event().wait(2.0)
            except TimeUp:
                lost += 1
                if lost == 1:
                    continue  # dropped, as where it cannot be passed on
                raise
            break  # two seconds and no ring: the limit was lost
    assert lost == 2 and time.monotonic() - started < 5.0
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_a_block_that_ends_in_time_is_not_interrupted_later() -> None:
    with time_limit(0.2):
        pass
    with time_limit(None):
        time.sleep(0.3)  # no limit: nothing rings, not even the first block's alarm
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


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


def test_positions_read_latitude_first_with_hemisphere_letters() -> None:
    assert position_text(36.7, 34.8) == "34.8000N 36.7000E"
    assert position_text(-3.70379, -40.5) == "40.5000S 3.7038W"
    circle = v1.CircleOutline(type="Circle", center=(36.7, 34.8), radius_m=15000)
    assert outline_text(circle) == "circle r 15.0 km at 34.8000N 36.7000E"


def _printed(grid: Table, width: int) -> list[str]:
    console = Console(width=width, record=True, highlight=False)
    print_table(console, grid)
    return console.export_text().splitlines()


def test_a_table_too_wide_for_its_words_prints_its_rows_one_after_the_other() -> None:
    grid = table("Things", "id", *(f"column{n}" for n in range(8)))
    grid.add_row("thg-0123456789abcdef", *(f"value{n}-unbreakable" for n in range(8)))
    wide = _printed(grid, 400)
    assert len(wide) == 4 and wide[3].startswith("thg-0123456789abcdef")  # title, header, rule
    narrow = _printed(grid, 40)
    assert all(len(line) <= 40 for line in narrow)
    assert narrow[1] == "thg-0123456789abcdef"
    assert "column7 value7-unbreakable" in " ".join(" ".join(narrow).split())


def test_a_table_that_fits_its_words_wraps_text_and_keeps_ids_and_positions() -> None:
    grid = table("Tracks", "id", "at", "remarks", whole=("at",))
    grid.add_row("trk-0123456789abcdef", position_text(36.7, 34.8), "a b c d e f g h i j " * 4)
    lines = _printed(grid, 60)
    assert all(len(line) <= 60 for line in lines) and len(lines) > 4
    assert "trk-0123456789abcdef" in lines[3] and "34.8000N 36.7000E" in lines[3]


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (45.4, "45 s"),
        (125, "2 min 05 s"),
        (600, "10 min 00 s"),
        (4320, "1 h 12 min"),
        (10_799.6, "3 h 00 min"),
        (273_600, "3 d 04 h"),
        (-600, "-10 min 00 s"),
    ],
)
def test_a_duration_reads_as_its_two_largest_units(seconds: float, text: str) -> None:
    assert duration_text(seconds) == text
