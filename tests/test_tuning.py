"""The process tunings: every router tried once in the tuned order, and a settled heap."""

from __future__ import annotations

import gc
import pkgutil
from collections.abc import Iterator

import pytest

from sharedsky.api import routes
from sharedsky.api.app import document_app
from sharedsky.tuning import GC_THRESHOLDS, ROUTER_ORDER, settle_heap


def test_every_router_of_the_api_is_in_the_order_once() -> None:
    modules = {m.name for m in pkgutil.iter_modules(routes.__path__) if not m.name.startswith("_")}
    assert sorted(ROUTER_ORDER) == sorted(modules)


def test_the_app_tries_the_busiest_routes_first() -> None:
    """FastAPI lists the paths of its OpenAPI document in the order it tries the routes."""
    paths = list(document_app().openapi()["paths"])
    assert paths[:2] == ["/v1/messages", "/v1/messages/{message_id}"]


@pytest.fixture
def collector() -> Iterator[None]:
    """Undo what ``settle_heap`` does to the collector."""
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


@pytest.mark.usefixtures("collector")
def test_a_settled_heap_is_frozen_and_collected_less_often() -> None:
    settle_heap()
    assert gc.get_threshold() == GC_THRESHOLDS
    assert gc.get_freeze_count() > 0
