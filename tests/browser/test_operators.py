"""Operators in the console: alpha's admin adds a viewer from the Operators tab and hands over
the token shown once; the viewer signs in and sees a read-only console (no filing, no compose,
no acknowledging); the admin revokes it, and the viewer's console is signed out."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from _browser import Console, Mechanism, sign_in
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

MECHANISM_YAML = """\
mechanism: console-operators
host: {id: host, name: Coordination Cell, language: en}
parties:
  - id: alpha
    name: Alpha Air Command
    operators: [{id: alpha-admin, role: admin}, {id: alpha-duty, role: duty}]
  - {id: bravo, name: Bravo Air Command, language: he}
defaults:
  sharing: full
"""


@pytest.fixture(scope="module")
def mechanism_yaml() -> str:
    """This module's mechanism: alpha lists an admin and a duty officer."""
    return MECHANISM_YAML


def test_an_admin_adds_a_viewer_who_reads_only_then_revokes_it(
    open_console: Callable[[str | None], Console], mechanism: Mechanism, shots: Path
) -> None:
    admin = open_console("alpha")  # the party's token: its first operator, alpha-admin
    a = admin.page
    expect(a.locator("#whoami")).to_contain_text("alpha-admin (admin)")
    a.click("#tab-operators")
    panel = a.locator("#panel-operators")
    expect(panel.locator("tr[data-operator=alpha-duty]")).to_contain_text("duty")
    expect(panel.locator("tr[data-operator=bravo-duty]")).to_have_count(0)  # not its party's
    a.fill("#operator-form [name=id]", "alpha-watch")
    a.select_option("#operator-form [name=role]", "viewer")
    a.fill("#operator-form [name=hours]", "12")
    a.click("#operator-add")
    issued = a.locator("#issued-token[data-operator=alpha-watch]")
    expect(issued).to_be_visible()
    token = issued.locator("code.token").inner_text().strip()
    expect(panel.locator("tr[data-operator=alpha-watch]")).to_contain_text("viewer")
    admin.screenshot(shots, "alpha-admin-issued-a-viewer-token")

    watcher = open_console(None)
    w = watcher.page
    sign_in(w, token)
    expect(w.locator("#whoami")).to_contain_text("alpha-watch (viewer)")
    expect(w.locator("#tab-file")).to_be_hidden()
    expect(w.locator("#tab-operators")).to_be_hidden()
    w.click("[data-tab=hotline]")
    expect(w.locator("#compose")).to_be_hidden()
    watcher.screenshot(shots, "alpha-watch-read-only")

    # revoked: the viewer's stream is closed and its console signs out
    a.once("dialog", lambda dialog: dialog.accept())
    a.click("#panel-operators button[data-action=revoke][data-operator=alpha-watch]")
    expect(panel.locator("tr[data-operator=alpha-watch]")).to_contain_text("revoked")
    expect(w.locator("#signin")).to_be_visible(timeout=10_000)
    admin.assert_clean()
    watcher.errors[:] = [e for e in watcher.errors if "status of 401" not in e]
    watcher.assert_clean()
