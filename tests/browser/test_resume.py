"""A console that was closed resumes its stream after the last event it handled (kept in the
browser per operator): the events of the time it was away reach it, as the stream's own
deliveries (R-LEAD-2), and a seq kept for another ledger is dropped."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import httpx
import pytest
from _browser import Console, Mechanism, sign_in
from _servers import post
from playwright.sync_api import expect

from sharedsky.ledger.export import read_jsonl

pytestmark = pytest.mark.browser


def seq_of_message(mechanism: Mechanism, message_id: str) -> int:
    """The ledger seq of the ``message.sent`` entry of ``message_id`` (as the host reads it)."""
    answer = httpx.get(
        f"{mechanism.base}/v1/ledger",
        headers={"Authorization": f"Bearer {mechanism.tokens['host']}"},
        timeout=10.0,
    )
    entries, _ = read_jsonl(io.BytesIO(answer.content))
    return next(
        int(e["seq"])
        for e in entries
        if e.get("type") == "message.sent" and e["payload"]["message"] == message_id
    )


def test_a_console_opened_again_receives_what_was_sent_while_it_was_closed(
    open_console: Callable[[str], Console], mechanism: Mechanism
) -> None:
    alpha = open_console("alpha")
    page = alpha.page
    first = post(mechanism.base, mechanism.tokens["bravo"], "/v1/messages",
                 {"to": "alpha", "priority": "routine", "text": "before the break"})  # fmt: skip
    before = seq_of_message(mechanism, first["id"])
    expect(page.locator("body")).to_have_attribute("data-last-event", str(before))
    context = page.context
    page.close()  # the officer closes the tab

    away = post(mechanism.base, mechanism.tokens["bravo"], "/v1/messages",
                {"to": "alpha", "priority": "routine", "text": "while you were away"})  # fmt: skip
    missed = seq_of_message(mechanism, away["id"])

    again = context.new_page()
    again.goto(f"{mechanism.base}/")
    sign_in(again, mechanism.tokens["alpha"])
    expect(again.locator("body")).to_have_attribute("data-last-event", str(missed))
    find = "Object.keys(localStorage).find(k => k.startsWith('sharedsky.seen.'))"
    kept = json.loads(again.evaluate(f"localStorage.getItem({find})"))
    assert kept["seq"] == missed

    # a seq kept for another ledger (another signing key) is not resumed from
    again.evaluate(
        """() => {
            const key = Object.keys(localStorage).find(k => k.startsWith('sharedsky.seen.'));
            localStorage.setItem(key, JSON.stringify({seq: 1, key_id: 'another-ledger'}));
        }"""
    )
    again.close()
    fresh = context.new_page()
    fresh.goto(f"{mechanism.base}/")
    sign_in(fresh, mechanism.tokens["alpha"])
    fresh.wait_for_timeout(1500)
    assert fresh.locator("body").get_attribute("data-last-event") is None
