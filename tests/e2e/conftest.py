"""Every end-to-end test's databases are checked once their servers have stopped: their tables
rebuilt from their ledgers give the same rows (``_projection.check_projection``): after each
test for the databases it made, after each module for those of its module-scoped servers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from _projection import check_projection
from _servers import INITIALISED


def _check_made_since(start: int) -> None:
    made = INITIALISED[start:]  # those of fresh_database were checked before it dropped them
    del INITIALISED[start:]
    for url in made:
        check_projection(url)


@pytest.fixture(scope="module", autouse=True)
def _module_tables_are_a_projection() -> Iterator[None]:
    start = len(INITIALISED)
    yield
    _check_made_since(start)


@pytest.fixture(autouse=True)
def _tables_are_a_projection() -> Iterator[None]:
    start = len(INITIALISED)
    yield
    _check_made_since(start)
