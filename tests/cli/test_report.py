"""``sharedsky report`` (R-REVIEW-1 … R-REVIEW-3): the host's review from the database or the
server, signed and recorded; a party's offline review of its own export; bad input exits 2."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import typer
from _busy_day import busy_day
from _support import Api
from typer.testing import CliRunner, Result

from sharedsky.cli.report import report_command
from sharedsky.ledger.export import read_jsonl
from sharedsky.ledger.reports import ReportSignature, report_problem
from sharedsky.ledger.signing import KeyRing

cli = typer.Typer()
cli.command("report")(report_command)
cli.command("other")(lambda: None)  # two commands: ``report`` is named on the line

PERIOD = ["--from", "2026-11-24", "--to", "2026-11-25T00:00:00Z"]


def run(api: Api, *args: str, party: str = "host") -> Result:
    return CliRunner().invoke(
        cli,
        ["report", *args, "--token", api.env.tokens[party]],
        obj={"http": api.client, "clock": api.env.clock},
        env={"COLUMNS": "200", "SHAREDSKY_TOKEN": None},
    )


def _ring(api: Api) -> KeyRing:
    return KeyRing.from_json(api.client.get("/v1/ledger/keys", headers=api.as_("host")).json())


def _published(api: Api) -> list[dict[str, object]]:
    entries, _ = read_jsonl(
        io.BytesIO(api.client.get("/v1/ledger", headers=api.as_("host")).content)
    )
    return [e["payload"] for e in entries if e.get("type") == "report.published"]


def _checked(api: Api, out: Path) -> ReportSignature:
    """The report's signature, verified against the key ring, and recorded in the ledger."""
    signature = ReportSignature.from_json(json.loads(Path(f"{out}.sig").read_text()))
    assert report_problem(_ring(api), signature, out.read_bytes()) is None
    assert [p["sha256"] for p in _published(api)][-1] == signature.sha256
    return signature


def test_the_host_reviews_the_database_signed_and_recorded(
    api: Api, database_url: str, tmp_path: Path
) -> None:
    busy_day(api)
    out = tmp_path / "review.pdf"
    result = run(api, *PERIOD, "--out", str(out), "--db", database_url)
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    assert "pages" in result.output and "recorded in the ledger at seq" in result.output
    signature = _checked(api, out)
    assert signature.start == "2026-11-24T00:00:00.000000Z"


def test_the_host_reviews_through_the_server(api: Api, tmp_path: Path) -> None:
    busy_day(api)
    out = tmp_path / "review.html"
    result = run(api, *PERIOD, "--out", str(out))
    assert result.exit_code == 0, result.output
    page = out.read_text()
    assert page.startswith("<!doctype html>") and "<svg" in page
    assert "Appendix: ledger seqs behind each figure" in page
    assert "near miss over the ridge" in page  # an incident with its timeline
    _checked(api, out)
    refused = run(api, *PERIOD, "--out", str(tmp_path / "alpha.html"), party="alpha")
    assert refused.exit_code == 1 and "only the host" in refused.output


def test_a_party_reviews_its_own_export_offline(api: Api, tmp_path: Path) -> None:
    """R-REVIEW-3: no server, no key of the server's; only what alpha's export shows."""
    busy_day(api)
    export = tmp_path / "alpha.jsonl"
    export.write_bytes(api.client.get("/v1/ledger", headers=api.as_("alpha")).content)
    keys = tmp_path / "keys.json"
    keys.write_text(_ring(api).dumps())
    out = tmp_path / "alpha.html"
    result = CliRunner().invoke(
        cli, ["report", *PERIOD, "--out", str(out), "--ledger", str(export), "--keys", str(keys)]
    )
    assert result.exit_code == 0, result.output
    assert "unsigned" in result.output and not Path(f"{out}.sig").exists()
    page = out.read_text()
    assert "aircraft over the hospital" not in page  # the host's incident to bravo
    assert "near miss over the ridge" in page
    tampered = tmp_path / "tampered.jsonl"
    tampered.write_bytes(export.read_bytes().replace(b"near miss", b"near hit!"))
    bad = CliRunner().invoke(
        cli, ["report", *PERIOD, "--out", str(out), "--ledger", str(tampered), "--keys", str(keys)]
    )
    assert bad.exit_code == 1 and "does not verify" in bad.output


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--from", "2026-11-25", "--to", "2026-11-24", "--out", "r.pdf"], "before it starts"),
        (["--from", "2026-11-24", "--to", "2026-11-24", "--out", "r.pdf"], "before it starts"),
        ([*PERIOD, "--out", "r.docx"], "a .pdf or an .html file"),
        (["--from", "yesterday", "--to", "2026-11-24", "--out", "r.pdf"], "is not a date"),
        (["--from", "2026-11-24T10:00", "--to", "2026-11-25", "--out", "r.pdf"], "no timezone"),
        ([*PERIOD, "--out", "r.pdf", "--ledger", "x.jsonl"], "--ledger needs --keys"),
        ([*PERIOD, "--out", "r.pdf", "--ledger", "x.jsonl", "--keys", "k.json"], "cannot read"),
    ],
)
def test_bad_input_exits_2_with_a_clear_error(
    args: list[str], says: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["report", *args])
    assert result.exit_code == 2, result.output
    assert says in result.output
    assert list(tmp_path.iterdir()) == []
