"""``sharedsky --help`` and each group's: every group says what it holds, naming each of its
commands, and no help line breaks mid-sentence where its docstring did."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from sharedsky.cli import app

GROUPS = {info.name: info.typer_instance for info in app.registered_groups}


def _help(*args: str, width: int = 100) -> str:
    result = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("name", sorted(GROUPS))
def test_each_group_names_what_it_holds(name: str | None) -> None:
    assert name is not None
    group = GROUPS[name]
    assert group is not None and isinstance(group.info.help, str)
    said = " ".join(group.info.help.lower().split())
    commands = [c.name for c in group.registered_commands if c.name]
    assert commands, name
    for command in commands:
        assert command.replace("_", "-") in said, (name, command, said)
    page = " ".join(_help(name).replace("│", " ").split())
    assert " ".join(group.info.help.split()) in page


def test_the_top_level_help_describes_every_group_and_command() -> None:
    page = _help(width=120)
    rows = [line.strip("│ ").split(None, 1) for line in page.splitlines() if line.startswith("│ ")]
    described = {row[0]: row[1] for row in rows if len(row) == 2 and not row[0].startswith("-")}
    for name in [*GROUPS, "watch", "inbox", "init", "serve", "demo", "backup", "restore"]:
        assert name in described and len(described[name]) > 10, (name, described)


def test_command_help_wraps_between_words_not_at_docstring_lines() -> None:
    page = _help("zone", width=140)
    assert "it starts now unless --start is given and is open-ended unless --end is given" in (
        " ".join(page.replace("│", " ").split())
    )
    declare = next(line for line in page.splitlines() if "declare " in line)
    assert declare.rstrip(" │").endswith("unless --end is given.")  # one line at 140


def test_the_cli_starts_without_what_only_a_few_commands_need() -> None:
    """libasterix's generated tables (1.5 s to import), SQLAlchemy with Alembic (0.3 s, for the
    offline `--db` commands, backup and restore) and the typed ledger events (0.25 s, for
    `ledger timeline`), pytak with aiohttp (0.5 s, for `cot push`), and NumPy with the
    geodesy, the geoid's HDF5 reader and the domain's typed events (0.35 s, for the track
    readers, `tracks detect` and `watch`) load in the commands that use them: every other
    command (and the README's tour, which runs dozens) starts without."""
    import subprocess
    import sys

    heavy = (
        "asterix.generated", "pytak", "sqlalchemy", "alembic", "sharedsky.client.timeline",
        "numpy", "pyproj", "h5py", "sharedsky.domain.events",
    )  # fmt: skip
    probe = f"import sys, sharedsky.cli; print([m for m in {heavy!r} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
