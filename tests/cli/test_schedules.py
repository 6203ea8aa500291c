"""``notice file|amend`` with a schedule (``--weekdays --daily --from-date --to-date``), and
``notice show|list`` giving it in words (R-SCHED-1); bad schedule flags are refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from _support import Api
from cli.test_notices import fails, ok, outline_file, run, square, stored

from sharedsky.cli._schedules import daily_of, weekdays_of

WORDS = "weekdays 07:00–11:30 UTC, 30 Nov 2026 – 11 Dec 2026"


def schedule_args(outline: Path, *extra: str) -> list[str]:
    return [
        "notice", "file", "--kind", "air_sortie", "--title", "training", "--outline", str(outline),
        "--lower", "FL120", "--upper", "FL300", "--weekdays", "MO-FR", "--daily", "07:00-11:30",
        "--from-date", "2026-11-30", "--to-date", "2026-12-11", *extra,
    ]  # fmt: skip


def test_a_notice_filed_with_schedule_flags_carries_the_schedule(api: Api, tmp_path: Path) -> None:
    """R-SCHED-1: the flags give the schedule; show and list give it in words."""
    area = outline_file(tmp_path, square(36.1, 34.5))
    filed = json.loads(ok(run(api, *schedule_args(area, "--json"))).stdout)
    (vol,) = stored(api, filed["id"])["volumes"]
    assert vol["schedule"] == {
        "weekdays": ["MO", "TU", "WE", "TH", "FR"],
        "from": "07:00",
        "to": "11:30",
        "first_date": "2026-11-30",
        "last_date": "2026-12-11",
    }
    assert WORDS in " ".join(ok(run(api, "notice", "show", filed["id"])).stdout.split())
    assert WORDS in " ".join(ok(run(api, "notice", "list")).stdout.split())


def test_an_amendment_changes_part_of_the_schedule_and_keeps_the_rest(
    api: Api, tmp_path: Path
) -> None:
    """R-SCHED-1: --daily alone changes the window; a --title alone keeps the schedule."""
    area = outline_file(tmp_path, square(36.1, 34.5))
    filed = json.loads(ok(run(api, *schedule_args(area, "--json"))).stdout)
    ok(run(api, "notice", "amend", filed["id"], "--version", "1", "--daily", "22:00-02:00"))
    ok(run(api, "notice", "amend", filed["id"], "--version", "2", "--title", "night"))
    shown = stored(api, filed["id"])
    (vol,) = shown["volumes"]
    assert (shown["title"], vol["schedule"]["from"], vol["schedule"]["to"]) == (
        "night",
        "22:00",
        "02:00",
    )
    words = " ".join(ok(run(api, "notice", "show", filed["id"])).stdout.split())
    assert "weekdays 22:00–02:00 UTC (+1 day)" in words
    ok(
        run(
            api,
            *["notice", "amend", filed["id"], "--version", "3"],
            *["--start", "2026-11-24T15:00:00Z", "--end", "2026-11-24T17:00:00Z"],
        )
    )
    (vol,) = stored(api, filed["id"])["volumes"]
    assert vol["schedule"] is None  # --start/--end replace the schedule by one window


def test_a_schedule_with_no_occurrence_is_refused_by_the_server(api: Api, tmp_path: Path) -> None:
    """R-SCHED-2: Saturdays and Sundays between a Monday and a Friday."""
    area = outline_file(tmp_path, square(36.1, 34.5))
    args = schedule_args(area)
    args[args.index("MO-FR")] = "SA-SU"
    args[args.index("2026-12-11")] = "2026-12-04"
    assert "no occurrence" in fails(run(api, *args), 1)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (("--weekdays", "MO-XX"), "not a weekday"),
        (("--daily", "07:00"), "HH:MM-HH:MM"),
        (("--from-date", "30/11/2026"), "not a date"),
        (("--start", "2026-11-24T15:00:00Z"), "not both"),
    ],
)
def test_bad_schedule_flags_are_refused_before_anything_is_sent(
    api: Api, tmp_path: Path, change: tuple[str, str], words: str
) -> None:
    area = outline_file(tmp_path, square(36.1, 34.5))
    args = schedule_args(area)
    if change[0] in args:
        args[args.index(change[0]) + 1] = change[1]
    else:
        args += change
    assert words in fails(run(api, *args), 2)
    assert api.client.get("/v1/notices", headers=api.as_("alpha")).json()["notices"] == []


def test_a_schedule_needs_all_its_flags_when_there_is_none_yet(api: Api, tmp_path: Path) -> None:
    area = outline_file(tmp_path, square(36.1, 34.5))
    args = schedule_args(area)
    del args[args.index("--to-date") : args.index("--to-date") + 2]
    assert "a schedule also needs --to-date" in fails(run(api, *args), 2)


def test_weekdays_and_daily_windows_read_as_written() -> None:
    assert weekdays_of("MO-FR") == ["MO", "TU", "WE", "TH", "FR"]
    assert weekdays_of("fr-mo") == ["FR", "SA", "SU", "MO"]
    assert weekdays_of("SA, SU,SA") == ["SA", "SU"]
    assert daily_of("22:00-02:00") == ("22:00", "02:00")
    with pytest.raises(typer.BadParameter):
        daily_of("7-11")


def test_conflicts_show_names_the_occurrence(api: Api, tmp_path: Path) -> None:
    """R-SCHED-1: bravo's Wednesday clashes with alpha's Wednesday occurrence, which ``conflicts
    show`` names beside the window."""
    area = outline_file(tmp_path, square(36.1, 34.5))
    ok(run(api, *schedule_args(area)))
    args = [
        "notice", "file", "--kind", "air_sortie", "--title", "strike", "--outline", str(area),
        "--lower", "FL120", "--upper", "FL300", "--start", "2026-12-02T10:00:00Z",
        "--end", "2026-12-02T14:00:00Z", "--json",
    ]  # fmt: skip
    (conflict,) = json.loads(ok(run(api, *args, party="bravo")).stdout)["conflicts"]
    shown = " ".join(ok(run(api, "conflicts", "show", conflict["id"])).stdout.split())
    assert "occurrence 2026-12-02 07:00Z → 11:30Z" in shown
