"""Backups: a database copied into one self-describing file and made again from it, on both
backends and across them; files that are not backups, truncated or damaged, and databases that
are not empty are refused with nothing changed."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import _bodies as bodies
import pytest
from _support import Api
from sqlalchemy import func, insert, inspect, select

from sharedsky.domain.errors import InvalidBackup, InvalidInput, StateConflict, StoreUnavailable
from sharedsky.service.ledger import verify_database
from sharedsky.store import backup as backup_module
from sharedsky.store.backup import (
    FORMAT,
    check_backup,
    read_header,
    restore_backup,
    schema_head,
    take_backup,
)
from sharedsky.store.engine import make_engine
from sharedsky.store.tables import EPHEMERAL, escalations, metadata
from sharedsky.store.uow import Database

TAKEN_AT = datetime(2026, 11, 24, 12, 30, tzinfo=UTC)
TARGETS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _content(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table a backup holds (the live picture's are left out), sorted, by
    table name."""
    engine = make_engine(url, pool_size=1)
    try:
        with engine.connect() as connection:
            return {
                table.name: sorted(
                    (tuple(row) for row in connection.execute(select(table))), key=repr
                )
                for table in metadata.sorted_tables
                if table not in EPHEMERAL
            }
    finally:
        engine.dispose()


def _write_some(api: Api) -> None:
    """Two clashing notices (a conflict, acknowledgement requests), an amendment, a message
    and acknowledgements: rows in most tables, ledger entries and their state records."""
    client = api.client
    first = client.post("/v1/notices", json=bodies.notice(), headers=api.as_("alpha"))
    assert first.status_code == 201, first.text
    clash = client.post("/v1/notices", json=bodies.notice(), headers=api.as_("bravo"))
    assert clash.status_code == 201 and clash.json()["conflicts"], clash.text
    amended = client.put(
        f"/v1/notices/{first.json()['id']}",
        json=bodies.notice(title="CAP north, amended"),
        headers=api.as_("alpha") | {"If-Match": "1"},
    )
    assert amended.status_code == 200, amended.text
    sent = client.post(
        "/v1/messages",
        json={"to": "bravo", "priority": "flash", "template": "standby"},
        headers=api.as_("alpha"),
    )
    assert sent.status_code == 201, sent.text
    acked = client.post(f"/v1/messages/{sent.json()['id']}/ack", headers=api.as_("bravo"))
    assert acked.status_code == 200, acked.text
    conflict = clash.json()["conflicts"][0]["id"]
    acked = client.post(f"/v1/conflicts/{conflict}/ack", headers=api.as_("alpha"))
    assert acked.status_code == 200, acked.text


@pytest.mark.parametrize("target", TARGETS)
def test_a_restored_database_holds_exactly_what_was_backed_up_on_either_backend(
    api: Api,
    database: Database,
    database_url: str,
    fresh_database: Callable[[str], str],
    target: str,
    tmp_path: Path,
) -> None:
    """Every backend to every backend: the same rows, a ledger that verifies, and a header
    that says what the file holds."""
    _write_some(api)
    out = tmp_path / "backup.gz"
    header = take_backup(database_url, out, TAKEN_AT)
    assert out.stat().st_mode & 0o777 == 0o600  # it holds the server's signing key
    source = _content(database_url)
    assert header == read_header(out) == check_backup(out)
    assert header.schema_revision == schema_head()
    assert header.source_backend == database.engine.dialect.name
    assert header.taken_at == TAKEN_AT
    assert {t.name: t.rows for t in header.tables} == {k: len(v) for k, v in source.items()}
    assert header.rows == sum(len(v) for v in source.values())
    assert next(t.rows for t in header.tables if t.name == "events") > 6

    url = fresh_database(target)
    assert restore_backup(url, out) == header
    assert _content(url) == source
    restored = Database(make_engine(url, pool_size=1))
    try:
        report = verify_database(restored, all_signatures=True)
    finally:
        restored.close()
    assert report.ok, report.problems
    assert report.entries == len(source["events"])


@pytest.mark.parametrize("target", TARGETS)
def test_keys_continue_after_the_largest_restored_one(
    api: Api, database_url: str, fresh_database: Callable[[str], str], target: str, tmp_path: Path
) -> None:
    """PostgreSQL's sequences are set past the rows loaded with their keys (SQLite continues
    after the largest key by itself): the next escalation gets a new id, not a clash."""
    engine = make_engine(database_url, pool_size=1)
    with engine.begin() as connection:
        for rung in (1, 2, 3):
            row = {"ack_id": "a1", "party_id": "alpha", "rung": rung, "rung_name": "host"}
            connection.execute(insert(escalations).values(at_us=0, **row))
    engine.dispose()
    out = tmp_path / "backup.gz"
    take_backup(database_url, out, TAKEN_AT)
    url = fresh_database(target)
    restore_backup(url, out)
    engine = make_engine(url, pool_size=1)
    try:
        with engine.begin() as connection:
            row = {"ack_id": "a2", "party_id": "alpha", "rung": 1, "rung_name": "host", "at_us": 0}
            new_id = connection.execute(insert(escalations).values(**row)).inserted_primary_key
        assert new_id is not None and new_id[0] > 3
    finally:
        engine.dispose()


def test_a_database_that_holds_rows_is_refused_without_force_and_replaced_with_it(
    api: Api, database_url: str, fresh_database: Callable[[str], str], tmp_path: Path
) -> None:
    out = tmp_path / "backup.gz"
    take_backup(database_url, out, TAKEN_AT)  # the mechanism only
    before = _content(database_url)
    _write_some(api)
    after = _content(database_url)
    with pytest.raises(StateConflict, match=r"not empty.*--force"):
        restore_backup(database_url, out)
    assert _content(database_url) == after  # nothing changed
    restore_backup(database_url, out, force=True)
    assert _content(database_url) == before


def _refused(url: str, path: Path, error: type[Exception], match: str) -> None:
    """Restoring ``path`` into ``url`` (an SQLite file not made yet) fails with ``error`` and
    makes no file."""
    with pytest.raises(error, match=match):
        restore_backup(url, path)
    assert not Path(url.removeprefix("sqlite:///")).exists()


def _gzip(path: Path, lines: list[bytes]) -> Path:
    with gzip.open(path, "wb") as sink:
        sink.write(b"".join(lines))
    return path


def test_a_file_that_is_not_a_backup_is_refused_and_nothing_is_made(
    tmp_path: Path, fresh_database: Callable[[str], str]
) -> None:
    url = fresh_database("sqlite")
    text_file = tmp_path / "notes.txt"
    text_file.write_text("mechanism: levant\n")
    _refused(url, text_file, InvalidBackup, "not a sharedsky backup")
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    _refused(url, empty, InvalidBackup, "not a sharedsky backup")
    other = _gzip(tmp_path / "other.gz", [b'{"format": "something-else"}\n'])
    _refused(url, other, InvalidBackup, "not a sharedsky backup")
    future = _gzip(
        tmp_path / "future.gz", [json.dumps({"format": FORMAT, "format_version": 99}).encode()]
    )
    _refused(url, future, InvalidBackup, "format version 99")
    with pytest.raises(FileNotFoundError):
        restore_backup(url, tmp_path / "missing.gz")


def _damaged(source: Path, target: Path, edit: Callable[[list[bytes]], list[bytes]]) -> Path:
    """``source`` decompressed, its lines edited, compressed again into ``target``."""
    with gzip.open(source, "rb") as stream:
        lines = stream.readlines()
    return _gzip(target, edit(lines))


def test_a_truncated_or_damaged_backup_is_refused_and_nothing_is_made(
    api: Api, database_url: str, fresh_database: Callable[[str], str], tmp_path: Path
) -> None:
    _write_some(api)
    good = tmp_path / "backup.gz"
    take_backup(database_url, good, TAKEN_AT)
    data = good.read_bytes()
    url = fresh_database("sqlite")

    cut = tmp_path / "cut.gz"
    cut.write_bytes(data[: len(data) * 2 // 3])
    _refused(url, cut, InvalidBackup, "truncated")
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0xFF
    (tmp_path / "flipped.gz").write_bytes(bytes(flipped))
    _refused(url, tmp_path / "flipped.gz", InvalidBackup, "damaged|truncated")

    last_row_lost = _damaged(good, tmp_path / "short.gz", lambda lines: lines[:-1])
    _refused(url, last_row_lost, InvalidBackup, "truncated")
    extra = _damaged(good, tmp_path / "extra.gz", lambda lines: [*lines, lines[-1]])
    _refused(url, extra, InvalidBackup, "more rows than its header counts")

    def edit_a_row(lines: list[bytes]) -> list[bytes]:
        row = next(i for i, line in enumerate(lines[1:], 1) if b"alpha" in line)
        return [*lines[:row], lines[row].replace(b"alpha", b"alphb", 1), *lines[row + 1 :]]

    edited = _damaged(good, tmp_path / "edited.gz", edit_a_row)
    _refused(url, edited, InvalidBackup, "does not match its SHA-256")

    def reshape(lines: list[bytes]) -> list[bytes]:
        return [lines[0], b"[1]\n", *lines[2:]]

    _refused(url, _damaged(good, tmp_path / "shape.gz", reshape), InvalidBackup, "wrong shape")
    assert restore_backup(url, good).rows > 0  # the good one still restores


def test_a_backup_of_another_schema_revision_is_refused(
    api: Api, database_url: str, fresh_database: Callable[[str], str], tmp_path: Path
) -> None:
    good = tmp_path / "backup.gz"
    take_backup(database_url, good, TAKEN_AT)

    def older(lines: list[bytes]) -> list[bytes]:
        header = json.loads(lines[0])
        header["schema_revision"] = "0004"
        return [json.dumps(header).encode() + b"\n", *lines[1:]]

    old = _damaged(good, tmp_path / "old.gz", older)
    _refused(fresh_database("sqlite"), old, InvalidBackup, "schema revision 0004")


def test_a_database_that_cannot_be_backed_up_is_named_with_the_reason(
    tmp_path: Path, fresh_database: Callable[[str], str]
) -> None:
    out = tmp_path / "backup.gz"
    missing = fresh_database("sqlite")
    with pytest.raises(StoreUnavailable, match="no SQLite database"):
        take_backup(missing, out, TAKEN_AT)
    assert not Path(missing.removeprefix("sqlite:///")).exists()  # not made by looking
    with pytest.raises(InvalidInput, match="not a database URL"):
        take_backup("no url at all", out, TAKEN_AT)
    with pytest.raises(InvalidInput, match="SQLite or PostgreSQL"):
        take_backup("mysql://root@localhost/x", out, TAKEN_AT)
    not_a_db = tmp_path / "text.db"
    not_a_db.write_text("hello, this is not a database at all " * 100)
    with pytest.raises(StoreUnavailable, match="cannot open"):
        take_backup(f"sqlite:///{not_a_db}", out, TAKEN_AT)
    empty = fresh_database("sqlite")
    make_engine(empty).dispose()
    Path(empty.removeprefix("sqlite:///")).touch()
    with pytest.raises(StateConflict, match="holds no sharedsky database"):
        take_backup(empty, out, TAKEN_AT)
    assert not out.exists()


def test_a_database_at_another_schema_revision_is_not_backed_up(
    api: Api, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    head = schema_head()
    monkeypatch.setattr(backup_module, "schema_head", lambda: "9999")
    (tmp_path / "out").mkdir()
    with pytest.raises(StateConflict, match=f"schema revision {head}; this sharedsky.s is 9999"):
        take_backup(database_url, tmp_path / "out" / "backup.gz", TAKEN_AT)
    assert list((tmp_path / "out").iterdir()) == []  # no file, no temporary left behind


@pytest.mark.postgres
def test_a_postgresql_server_that_does_not_answer_is_named(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailable, match="cannot open"):
        take_backup("postgresql://nobody@127.0.0.1:1/x", tmp_path / "b.gz", TAKEN_AT)


def test_the_restored_database_has_every_table_of_the_schema(
    api: Api, database_url: str, fresh_database: Callable[[str], str], tmp_path: Path
) -> None:
    out = tmp_path / "backup.gz"
    take_backup(database_url, out, TAKEN_AT)
    url = fresh_database("sqlite")
    restore_backup(url, out)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            names = set(inspect(connection).get_table_names())
            parties = connection.execute(
                select(func.count()).select_from(metadata.tables["parties"])
            )
            assert parties.scalar_one() == 3
    finally:
        engine.dispose()
    assert {t.name for t in metadata.sorted_tables} | {"alembic_version"} <= names
