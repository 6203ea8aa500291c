"""The state tables of a database that a test's traffic wrote are a projection of its ledger:
rebuilt from the ledger inside a rolled-back transaction, every row is what it was
(``sharedsky ledger rebuild --check``, R-LEDGER-8). The end-to-end tests run it on every
database they made, after their servers stopped: a whole suite of real traffic (crashes,
restarts, several workers, backups restored) replayed."""

from __future__ import annotations

from sharedsky.rebuild import rebuild_state
from sharedsky.store.engine import make_engine
from sharedsky.store.uow import Database


def check_projection(url: str) -> None:
    """AssertionError naming the rows that a rebuild of ``url``'s tables would change."""
    db = Database(make_engine(url, pool_size=1))
    try:
        report = rebuild_state(db, check=True)
    finally:
        db.close()
    assert report.identical, (
        f"{url}: {report.differing} rows differ once rebuilt from the ledger's "
        f"{report.entries} entries: " + "; ".join(report.differences)
    )
