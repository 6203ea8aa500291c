"""The README runs as written: every line of README.md that starts with ``$ `` (with the lines
its ``\\`` continues), in order, in one bash process, from the root of a copy of this checkout,
with ``sharedsky`` on the path as after ``make demo``'s set-up (``source .venv/bin/activate``).

Each exits 0, or non-zero when its comment says ``# fails:``; the first line the README shows
as its output is the first line it prints, ids, keys, hashes, times and figures aside; what the
lines write is left in git-ignored places only. Only the port is the test's own (``TOUR_PORT``,
which the README's lines read with a default).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from sharedsky.cli.demo import free_port

ROOT = Path(__file__).resolve().parents[2]
MARK = "@@readme-line"
TIMEOUT_S = 300.0


@dataclass(frozen=True, slots=True)
class Line:
    """One ``$ `` line of the README and the output the README shows after it."""

    number: int
    """Its line number in README.md."""
    command: str
    """As written, without the ``$ ``; continued lines kept with their backslashes."""
    shown: tuple[str, ...]
    """The lines after it up to the next ``$ `` line or the end of its code block."""

    @property
    def fails(self) -> bool:
        """Whether its comment says it is meant to fail (``# fails: …``)."""
        return re.search(r"\s#\s*fails:", self.command) is not None


def readme_lines(text: str) -> list[Line]:
    """The ``$ `` lines of a README, in order."""
    rows = text.splitlines()
    found: list[Line] = []
    k = 0
    while k < len(rows):
        if not rows[k].startswith("$ "):
            k += 1
            continue
        number, command = k + 1, [rows[k][2:]]
        while command[-1].endswith("\\") and k + 1 < len(rows):
            k += 1
            command.append(rows[k])
        k += 1
        shown: list[str] = []
        while k < len(rows) and not rows[k].startswith(("$ ", "```")):
            shown.append(rows[k])
            k += 1
        found.append(Line(number, "\n".join(command), tuple(shown)))
    return found


def script(lines: list[Line]) -> str:
    """A bash script that runs the lines in order, marks where each starts and how it ended,
    and stops after the first one that ends otherwise than it should."""
    parts = ["exec 2>&1", "set -o pipefail"]
    for k, line in enumerate(lines):
        unexpected = "-eq" if line.fails else "-ne"
        parts += [
            f"printf '\\n{MARK} {k} start\\n'",
            line.command,
            f"status=$?; printf '\\n{MARK} {k} exit %d\\n' $status; "
            f"[ $status {unexpected} 0 ] && exit 0",
        ]
    return "\n".join(parts) + "\n"


def outputs(log: str) -> tuple[dict[int, str], dict[int, int]]:
    """What each line printed, and the exit status of each line that ended, by index."""
    printed: dict[int, list[str]] = {}
    ended: dict[int, int] = {}
    current: int | None = None
    for row in log.splitlines():
        marked = re.fullmatch(rf"{MARK} (\d+) (start|exit (\d+))", row)
        if marked and marked.group(2) == "start":
            current = int(marked.group(1))
            printed[current] = []
        elif marked:
            ended[int(marked.group(1))] = int(marked.group(3))
            current = None
        elif current is not None:
            printed[current].append(row)
    return {k: "\n".join(v).strip("\n") for k, v in printed.items()}, ended


def shape(text: str) -> str:
    """A line with what changes from run to run made alike: ids, keys, hashes, numbers."""
    text = re.sub(r"\b(ntc|cfl|msg|zon|ack)-[0-9a-f]*…?", r"\1-ID", text)
    text = re.sub(r"[A-Za-z0-9_-]+…", "KEY", text)  # shortened in the README
    text = re.sub(
        r"[A-Za-z0-9_-]{12,}",
        lambda found: "KEY" if re.search(r"\d", found.group()) else found.group(),
        text,
    )
    text = re.sub(r"\d+(\.\d+)?", "9", text)
    return " ".join(text.replace("…", " ").split())


def first_line(text: str) -> str:
    return next((row for row in text.splitlines() if row.strip()), "")


def copy_of_checkout(target: Path) -> None:
    """The files of this checkout (tracked, and new ones not ignored) in ``target``, as a
    fresh git repository with all of them staged, so that ``git status`` tells any file a
    command adds or changes from them."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = ROOT / name
        if source.is_file():  # (a file deleted but not yet staged is still listed)
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    for argv in (["git", "init", "-q"], ["git", "add", "-A"]):
        subprocess.run(argv, cwd=target, check=True, capture_output=True)


def git_status(checkout: Path) -> set[str]:
    """``git status`` of each file added, changed or not ignored in a repository."""
    listed = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=checkout,
        capture_output=True,
        text=True,
        check=True,
    )
    return set(listed.stdout.splitlines())


def test_the_readme_is_parsed_into_its_commands_and_what_they_show() -> None:
    text = "intro\n```console\n$ one \\\n    --two\nout 1\nout 2\n$ three  # fails: why\n```\n"
    first, second = readme_lines(text)
    assert (first.number, first.command, first.fails) == (3, "one \\\n    --two", False)
    assert first.shown == ("out 1", "out 2")
    assert (second.number, second.command, second.shown) == (7, "three  # fails: why", ())
    assert second.fails
    assert shape("Filed notice ntc-dc40e5 · 3h 05m") == shape("Filed notice ntc-… · 1h 00m")
    assert shape("key 106d4120d2b3239c for alpha-admin") == shape("key 8f84… for alpha-admin")
    assert shape("hash 252753d4 for alpha-admin") != shape("hash 252753d4 for bravo-admin")


@pytest.mark.slow
def test_every_dollar_line_of_the_readme_runs_as_written(tmp_path: Path) -> None:
    for tool in ("curl", "git"):
        if shutil.which(tool) is None:
            pytest.fail(f"the README's lines need {tool} (Debian's {tool} package)")
    lines = readme_lines((ROOT / "README.md").read_text(encoding="utf-8"))
    assert len(lines) > 20, "the README lost its tour"
    clone, bin_dir = tmp_path / "clone", tmp_path / "bin"
    clone.mkdir()
    bin_dir.mkdir()
    copy_of_checkout(clone)
    # `sharedsky` as the virtualenv would run it, from this checkout's code
    wrapper = bin_dir / "sharedsky"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m sharedsky "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHAREDSKY_")}
    env |= {
        "PATH": f"{bin_dir}:{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(ROOT / "src"),
        "TOUR_PORT": str(free_port()),
        "COLUMNS": "200",
        "NO_COLOR": "1",
        "XDG_STATE_HOME": str(tmp_path / "state"),  # where watch keeps where it stopped
    }
    before = git_status(clone)
    (tmp_path / "readme.sh").write_text(script(lines), encoding="utf-8")
    process = subprocess.Popen(
        ["bash", str(tmp_path / "readme.sh")],
        cwd=clone,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,  # the server the README starts goes with it, whatever happens
    )
    try:
        log, _ = process.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        log, _ = process.communicate()
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    printed, ended = outputs(log)
    for k, line in enumerate(lines):
        where = f"README.md:{line.number}: $ {line.command}"
        out = printed.get(k)
        assert out is not None, f"never reached (the one before stopped the run)\n{where}"
        status = ended.get(k)
        assert status is not None, f"did not end within {TIMEOUT_S:.0f} s\n{where}\n{out}"
        if line.fails:
            assert status != 0, f"meant to fail (# fails:), exited 0\n{where}\n{out}"
        else:
            assert status == 0, f"exited {status}\n{where}\n{out}"
        shown = first_line("\n".join(line.shown))
        if shown and shown.strip() != "…":
            assert shape(first_line(out)) == shape(shown), (
                f"prints something else than the README shows\n{where}\n"
                f"README: {shown}\nprints: {first_line(out)}"
            )
    after = git_status(clone)
    assert after == before, f"the README's lines left files that git sees:\n{after - before}"


@pytest.mark.slow
def test_the_examples_are_small_and_what_their_script_makes(tmp_path: Path) -> None:
    """``scripts/make_examples.py`` makes the track files of examples/ again, byte for byte,
    from the demo traffic (offline); every example stays under 100 kB."""
    made = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_examples.py"), str(tmp_path)],
        env=os.environ | {"PYTHONPATH": str(ROOT / "src")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    for name in ("flight.sbs.gz", "traffic.parquet"):
        assert (tmp_path / name).read_bytes() == (ROOT / "examples" / name).read_bytes(), (
            f"examples/{name} is not what scripts/make_examples.py makes: run it"
        )
    sizes = {p.name: p.stat().st_size for p in (ROOT / "examples").iterdir()}
    assert {"cap.geojson", "orbit.geojson", "mechanism.yaml", "broken.yaml"} <= set(sizes)
    assert max(sizes.values()) < 100_000, sizes
