"""``sharedsky tracks detect FILE``: JSON lines per conflicting pair; bad files exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner, Result

from sharedsky.cli import app

HEADER = "id,party,lat,lon,alt_m,gs_mps,trk_deg,vs_mps"
# A and B head-on 20 km apart on the 34° N parallel, same level; C is far away; D flies with A
# (a conflict now) and is of B's party (never compared with B).
ROWS = [
    "A1,alpha,34.0,36.0,6000,200,90,0",
    "B1,bravo,34.0,36.21637,6000,200,270,0",
    "C1,charlie,30.0,30.0,6000,200,90,0",
    "D1,bravo,34.0,36.0,6000,200,90,0",
]


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["tracks", "detect", *args], env={"COLUMNS": "200"})


def write_csv(tmp_path: Path, rows: list[str], header: str = HEADER) -> Path:
    path = tmp_path / "tracks.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def lines(result: Result) -> list[dict[str, object]]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_detect_prints_one_json_line_per_conflicting_pair(tmp_path: Path) -> None:
    result = run(str(write_csv(tmp_path, ROWS)))
    assert result.exit_code == 0, result.output
    found = lines(result)
    assert [(d["a"], d["b"]) for d in found] == [("A1", "D1"), ("A1", "B1")]
    assert found[0]["t_in_s"] == 0.0 and found[0]["t_out_s"] == 300.0
    head_on = found[1]
    assert list(head_on) == ["a", "b", "tcpa_s", "dcpa_m", "dv_m", "t_in_s", "t_out_s"]
    assert head_on["tcpa_s"] == pytest.approx(50.0, abs=0.2)  # 20 km closing at 400 m/s
    assert head_on["dcpa_m"] == pytest.approx(0.0, abs=20.0)
    assert head_on["dv_m"] == 0.0
    assert head_on["t_in_s"] == pytest.approx((20_000 - 9_260) / 400, abs=0.2)


def test_options_change_the_minima_and_the_lookahead(tmp_path: Path) -> None:
    path = str(write_csv(tmp_path, ["A1,alpha,34.0,36.0,6000,200,90,0", ROWS[1]]))
    assert len(lines(run(path))) == 1
    assert lines(run(path, "--lookahead", "20")) == []  # loss begins at about 27 s
    assert lines(run(path, "--lateral-m", "19000", "--lookahead", "20"))[0]["t_in_s"] < 20
    far = str(
        write_csv(
            tmp_path, ["A1,alpha,34.0,36.0,6000,200,90,0", "B1,bravo,34.0,36.21637,6500,200,270,0"]
        )
    )
    assert lines(run(far)) == []
    assert len(lines(run(far, "--vertical-m", "600"))) == 1


def test_parquet_gives_the_same_lines_as_csv(tmp_path: Path) -> None:
    names = HEADER.split(",")
    rows = [r.split(",") for r in ROWS]
    table = pa.table(
        {name: [row[k] if k < 2 else float(row[k]) for row in rows] for k, name in enumerate(names)}
    )
    path = tmp_path / "tracks.parquet"
    pq.write_table(table, path)
    from_parquet = run(str(path))
    assert from_parquet.exit_code == 0, from_parquet.output
    assert from_parquet.stdout == run(str(write_csv(tmp_path, ROWS))).stdout


def test_no_conflicts_print_nothing(tmp_path: Path) -> None:
    result = run(str(write_csv(tmp_path, [ROWS[0], ROWS[2]])))
    assert result.exit_code == 0 and result.stdout == ""


@pytest.mark.parametrize(
    ("header", "row", "message"),
    [
        ("id,party,lat,lon,alt_m,gs_mps,trk_deg", "A,alpha,34,36,6000,200,90", "missing column"),
        (HEADER, "A,alpha,nan,36,6000,200,90,0", "lat is not a finite number"),
        (HEADER, "A,alpha,,36,6000,200,90,0", "lat is not a finite number"),
        (HEADER, "A,alpha,91,36,6000,200,90,0", "lat 91 outside [-90, 90]"),
        (HEADER, "A,alpha,34,181,6000,200,90,0", "row 2: lon 181 outside [-180, 180]"),
        (HEADER, "A,alpha,34,36,6000,200,90,inf", "row 2: vs_mps is not a finite number"),
        (HEADER, "A,alpha,34,36,6000,-1,90,0", "gs_mps -1 outside"),
        (HEADER, "A,alpha,34,36,6000,200,360,0", "trk_deg 360 outside [0, 360)"),
        (HEADER, "A,alpha,34,36,6000,200,-5,0", "trk_deg -5 outside"),
        (HEADER, "A,alpha,34,36,high,200,90,0", "column alt_m: 'high' is not a number"),
    ],
)
def test_bad_files_get_one_clear_line_and_exit_code_2(
    tmp_path: Path, header: str, row: str, message: str
) -> None:
    result = run(str(write_csv(tmp_path, [ROWS[1], row], header=header)))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_missing_file_and_a_bad_option_exit_2(tmp_path: Path) -> None:
    missing = run(str(tmp_path / "nope.csv"))
    assert missing.exit_code == 2 and "cannot read" in missing.stderr
    bad = run(str(write_csv(tmp_path, ROWS)), "--lateral-m", "-5")
    assert bad.exit_code == 2 and "--lateral-m" in bad.stderr
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"not parquet")
    assert run(str(broken)).exit_code == 2


def test_an_alt_ref_column_keeps_each_altitude_on_its_datum(tmp_path: Path) -> None:
    """A1 reports 6,000 m of pressure altitude (FL197), B1 6,400 m AMSL: 400 m apart at the
    standard QNH, but at 1050 hPa FL197 lies some 300 m higher, within the 300 m minimum. The
    pair is a conflict found by the widening (datum_margin_m, the gap at the nominal QNH);
    read as two geometric altitudes, or over a narrow QNH range, it is none."""
    header = HEADER + ",alt_ref"
    rows = ["A1,alpha,34.0,36.0,6000,200,90,0,STD", "B1,bravo,34.0,36.21637,6400,200,270,0,AMSL"]
    (found,) = lines(run(str(write_csv(tmp_path, rows, header=header))))
    assert (found["a"], found["b"]) == ("A1", "B1")
    assert found["datum_margin_m"] == pytest.approx(400.0, abs=1.0)
    assert lines(run(str(write_csv(tmp_path, [r.rsplit(",", 1)[0] for r in rows])))) == []
    narrow = ("--qnh-min", "1010", "--qnh-max", "1016")
    assert lines(run(str(write_csv(tmp_path, rows, header=header)), *narrow)) == []


def test_a_w84_height_is_brought_to_mean_sea_level_through_the_geoid(tmp_path: Path) -> None:
    """A1's 6,000 m above the ellipsoid lie N metres lower above mean sea level (N, the geoid's
    undulation, about +20 m here): B1, 310 m above that, is clear of the 300 m minimum. Read
    as AMSL, A1 would be N metres higher and the pair a conflict."""
    import numpy as np

    from sharedsky.geo import geoid

    undulation = float(geoid.undulation_m(np.array([34.0]), np.array([36.1]))[0])
    assert undulation > 12.0  # the premise: the geoid lies well above the ellipsoid here
    b_m = 6000.0 - undulation + 310.0
    header = HEADER + ",alt_ref"
    rows = ["A1,alpha,34.0,36.0,6000,200,90,0,W84", f"B1,bravo,34.0,36.21637,{b_m},200,270,0,"]
    assert lines(run(str(write_csv(tmp_path, rows, header=header)))) == []
    as_amsl = [rows[0].replace("W84", "AMSL"), rows[1]]
    assert len(lines(run(str(write_csv(tmp_path, as_amsl, header=header))))) == 1


def test_a_bad_alt_ref_or_qnh_range_exits_2(tmp_path: Path) -> None:
    header = HEADER + ",alt_ref"
    bad = run(str(write_csv(tmp_path, ["A1,alpha,34.0,36.0,6000,200,90,0,FL"], header=header)))
    assert bad.exit_code == 2 and bad.stdout == ""
    assert "row 1: alt_ref 'FL' is not one of AMSL, STD, W84" in bad.stderr
    upside_down = run(str(write_csv(tmp_path, ROWS)), "--qnh-min", "1040", "--qnh-max", "960")
    assert upside_down.exit_code == 2 and "--qnh-min 1040" in upside_down.stderr
