"""The JSONL export: canonical lines, a trailer last, and line-numbered errors when reading."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from _ledger_support import (
    EXAMPLE_END,
    EXAMPLE_START,
    build_log,
    exported,
    trailer_for,
    worked_example,
)

from sharedsky.ledger.canonical import canonical
from sharedsky.ledger.chain import Entry
from sharedsky.ledger.checkpoints import Checkpoint
from sharedsky.ledger.export import ExportError, read_jsonl, write_jsonl

LOG = build_log(20, redact_every=4)


def _export(entries: list[Entry] = LOG, trailer: Checkpoint | None = None) -> bytes:
    file = io.BytesIO()
    write_jsonl(entries, trailer or trailer_for(entries), file)
    return file.getvalue()


def test_an_export_round_trips_entries_and_trailer() -> None:
    file = io.BytesIO()
    assert write_jsonl(LOG, trailer_for(LOG), file) == 20
    file.seek(0)
    entries, trailer = read_jsonl(file)
    assert entries == exported(LOG)
    assert trailer == trailer_for(LOG)


def test_every_line_is_canonical_json_and_the_trailer_is_last() -> None:
    lines = _export().splitlines(keepends=True)
    assert len(lines) == 21
    assert all(line.endswith(b"\n") for line in lines)
    assert all(line[:-1] == canonical(json.loads(line)) for line in lines)
    assert json.loads(lines[-1]) == {"checkpoint": trailer_for(LOG).to_json()}


def test_an_empty_log_exports_its_trailer_alone() -> None:
    data = _export([])
    assert read_jsonl(io.BytesIO(data)) == ([], trailer_for([]))


def test_a_trailer_that_is_not_the_last_entrys_checkpoint_is_not_written() -> None:
    file = io.BytesIO()
    with pytest.raises(ValueError, match="names entry 19, but the last entry written is 20"):
        write_jsonl(LOG, trailer_for(LOG[:19]), file)
    assert file.getvalue().count(b"\n") == 20
    assert read_jsonl(io.BytesIO(file.getvalue()))[1] is None


def test_an_export_without_a_trailer_reads_as_entries_and_none() -> None:
    data = b"".join(_export().splitlines(keepends=True)[:5])
    entries, trailer = read_jsonl(io.BytesIO(data))
    assert len(entries) == 5 and trailer is None


def _error(data: bytes) -> ExportError:
    with pytest.raises(ExportError) as caught:
        read_jsonl(io.BytesIO(data))
    return caught.value


def test_a_tail_cut_inside_a_line_is_reported_at_that_line() -> None:
    data = _export()
    cut = data[: data.index(b"\n", 1000) - 7]
    error = _error(cut)
    assert error.line == cut.count(b"\n") + 1
    assert str(error).startswith(f"line {error.line}: not JSON")


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b"{", "not JSON"),
        (b"", "not JSON"),
        (b'{"a": "\xff"}', "not JSON"),
        (b"[1, 2]", "a line must hold one JSON object"),
        (b'{"a": 1, "b": 2, "a": 3}', "duplicate key 'a'"),
        (b'{"a": NaN}', "NaN is not JSON"),
        (b'{"a": -Infinity}', "-Infinity is not JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "not JSON"),
        (b'{"checkpoint": {"seq": 1}}', "malformed trailer"),
    ],
)
def test_a_malformed_line_is_reported_with_its_number(line: bytes, reason: str) -> None:
    data = b"".join(_export().splitlines(keepends=True)[:3]) + line + b"\n"
    error = _error(data)
    assert error.line == 4
    assert reason in error.reason


def test_nothing_may_follow_the_trailer() -> None:
    data = _export()
    error = _error(data + data.splitlines(keepends=True)[0])
    assert (error.line, error.reason) == (22, "a line after the trailer")


def test_the_worked_example_of_the_format_document_is_what_the_code_computes() -> None:
    """docs/ledger-format.md: regenerate the section with ``worked_example()`` if this fails."""
    text = (Path(__file__).resolve().parents[2] / "docs/ledger-format.md").read_text()
    start = text.index(EXAMPLE_START)
    end = text.index(EXAMPLE_END) + len(EXAMPLE_END)
    assert text[start:end] == worked_example()
