"""Docs are checked like code: rules have tests, settings, routes and events are documented,
and the committed OpenAPI document matches the app."""

from __future__ import annotations

import json
import re
from pathlib import Path

from sharedsky.api.openapi import openapi_document, render
from sharedsky.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_every_rule_is_cited_by_a_test() -> None:
    rules = re.findall(r"^\| (R-[A-Z]+-\d+) \|", (ROOT / "docs/rules.md").read_text(), re.M)
    assert len(rules) >= 10
    cited = "\n".join(p.read_text() for p in (ROOT / "tests").rglob("test_*.py"))
    missing = [r for r in rules if r not in cited]
    assert missing == [], f"rules without a test: {missing}"


def test_every_setting_is_documented() -> None:
    text = (ROOT / "docs/settings.md").read_text()
    missing = [f for f in Settings.model_fields if f"`{f}`" not in text]
    assert missing == []


def test_every_route_is_documented() -> None:
    text = (ROOT / "docs/api.md").read_text()
    document = openapi_document()
    missing = [
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method in operations
        if f"| {method.upper()} | `{path}` |" not in text
    ]
    assert missing == []


def test_every_event_type_is_documented() -> None:
    text = (ROOT / "docs/api.md").read_text()
    source = "\n".join(p.read_text() for p in (ROOT / "src/sharedsky/service").glob("*.py"))
    types = set(re.findall(r'"((?:notice|zone|conflict|mechanism|ack|message)\.[a-z]+)"', source))
    types |= {"notice.acknowledged", "conflict.acknowledged"}  # built as f"{subject}.acknowledged"
    missing = sorted(t for t in types if f"`{t}`" not in text)
    assert missing == []


def test_the_committed_openapi_document_matches_the_app() -> None:
    committed = (ROOT / "docs/openapi.json").read_text()
    assert json.loads(committed)["openapi"].startswith("3.1")
    assert committed == render(), "docs/openapi.json drifted: run `make openapi`"
