"""``sharedsky ledger rebuild``: the state tables made again from the verified ledger alone
(``sharedsky/rebuild.py``). ``--check`` rebuilds inside a transaction, compares every row and
rolls back; a rebuild for real restores tables that were damaged, and refuses to run under a
serving process."""

from __future__ import annotations

import json

from _busy_day import busy_day
from _support import Api
from sqlalchemy import select, update
from typer.testing import CliRunner

from sharedsky.bootstrap import serving_lock
from sharedsky.cli import app
from sharedsky.rebuild import rebuild_state, snapshot
from sharedsky.store import tables as t
from sharedsky.store.engine import is_sqlite


def _url(api: Api) -> str:
    return api.env.deps.db.engine.url.render_as_string(hide_password=False)


def _titles(api: Api) -> list[str]:
    with api.env.deps.db.engine.connect() as connection:
        return list(connection.scalars(select(t.notices.c.title).order_by(t.notices.c.id)))


def test_a_check_rebuilds_identical_tables_and_changes_nothing(api: Api) -> None:
    busy_day(api)
    db = api.env.deps.db
    with db.engine.connect() as connection:
        before = snapshot(connection)
    report = rebuild_state(db, check=True)
    assert report.identical and report.differences == () and report.checked
    assert report.entries > 10 and report.rows["notices"] == len(before["notices"]) > 0
    with db.engine.connect() as connection:
        assert snapshot(connection) == before


def test_a_damaged_row_is_named_by_the_check_and_restored_by_the_rebuild(api: Api) -> None:
    busy_day(api)
    titles = _titles(api)
    with api.env.deps.db.engine.begin() as connection:
        connection.execute(update(t.notices).values(title="tampered"))
    checked = CliRunner().invoke(app, ["ledger", "rebuild", "--db", _url(api), "--check", "--json"])
    assert checked.exit_code == 1, checked.output
    found = json.loads(checked.output)
    assert found["differing"] == len(titles) and not found["identical"]
    assert all("notices" in line and "'tampered' → " in line for line in found["differences"])
    assert _titles(api) == ["tampered"] * len(titles)  # a check changes nothing

    rebuilt = CliRunner().invoke(app, ["ledger", "rebuild", "--db", _url(api)])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "ledger entries applied" in rebuilt.output
    assert _titles(api) == titles
    again = CliRunner().invoke(app, ["ledger", "rebuild", "--db", _url(api), "--check"])
    assert again.exit_code == 0, again.output


def test_a_rebuild_for_real_is_refused_while_a_server_serves_the_database(api: Api) -> None:
    busy_day(api)
    url = _url(api)
    if is_sqlite(api.env.deps.db.engine):
        with serving_lock(url):  # what `serve` holds over SQLite
            refused = CliRunner().invoke(app, ["ledger", "rebuild", "--db", url])
    else:
        from sharedsky.store.duty_lock import DutyLock

        lock = DutyLock(api.env.deps.db.engine.url)  # what the duty holder holds over PostgreSQL
        assert lock.try_take()
        try:
            refused = CliRunner().invoke(app, ["ledger", "rebuild", "--db", url])
        finally:
            lock.release()
    assert refused.exit_code == 1
    assert "serve" in refused.output
    checked = CliRunner().invoke(app, ["ledger", "rebuild", "--db", url, "--check"])
    assert checked.exit_code == 0, checked.output  # the check runs beside a server
