"""The console signs its operator's writes in Chromium (WebCrypto Ed25519, the key imported from
the PEM file the CLI uses): an operator with a registered key loads it, acknowledges a flash,
sends a message and files a notice, and the ledger holds its signature on each. An operator who
has not loaded the key is told why a write was refused, offered the key, and is never trapped:
the take-over closes, sign-out works, and the refused action succeeds once the key is loaded."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from _browser import Console, Mechanism, draw_polygon, set_view
from _servers import post
from playwright.sync_api import Page, Response, expect

from sharedsky.client import Client
from sharedsky.ledger.export import read_jsonl
from sharedsky.ledger.signing import Signer, body_message, public_key_to_b64, submission, verify

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def alpha_key(
    mechanism: Mechanism, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Signer, Path]:
    """Alpha's duty officer registered an Ed25519 key (as `ledger register-key` does); its PEM
    file is what the officer loads in the browser."""
    signer = Signer.generate()
    with Client(mechanism.base, mechanism.tokens["alpha"]) as client:
        client.register_key(public_key_to_b64(signer.public_key))
    pem = tmp_path_factory.mktemp("keys") / "alpha-duty.pem"
    pem.write_bytes(signer.to_pem())
    return signer, pem


def flash_to_alpha(mechanism: Mechanism, text: str) -> str:
    """Bravo (no key registered: unsigned) sends alpha a flash message; returns its id."""
    body = {"to": "alpha", "priority": "flash", "template": "request_delay",
            "params": {"minutes": 15}, "text": text}  # fmt: skip
    sent: dict[str, Any] = post(mechanism.base, mechanism.tokens["bravo"], "/v1/messages", body)
    return str(sent["id"])


def entries(mechanism: Mechanism) -> list[dict[str, Any]]:
    answer = httpx.get(
        f"{mechanism.base}/v1/ledger?after=0",
        headers={"Authorization": f"Bearer {mechanism.tokens['host']}"},
        timeout=10.0,
    )
    assert answer.status_code == 200, answer.text
    found, _ = read_jsonl(io.BytesIO(answer.content))
    return found


def expect_refusals(console: Console, count: int) -> None:
    """Chromium logs each 401 answer as a console error: exactly ``count`` unsigned writes
    were refused (and are then taken off the list of script errors)."""
    refused = [e for e in console.errors if "status of 401" in e]
    assert len(refused) == count, console.errors
    console.errors[:] = [e for e in console.errors if e not in refused]


def load_key(page: Page, pem: Path) -> None:
    page.set_input_files("#keyfile", str(pem))
    page.click("#keydialog-load")


def slow_network(page: Page, latency_ms: int) -> None:
    """Every request of ``page`` from now on waits ``latency_ms`` for its answer (Chromium's
    network emulation), as on a slow link or a loaded machine."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    conditions = {"offline": False, "latency": latency_ms, "downloadThroughput": -1,
                  "uploadThroughput": -1}  # fmt: skip
    cdp.send("Network.emulateNetworkConditions", conditions)


def test_a_signing_operator_declines_the_key_and_is_never_trapped(
    open_console: Callable[[str], Console],
    mechanism: Mechanism,
    alpha_key: tuple[Signer, Path],
    shots: Path,
    tmp_path: Path,
) -> None:
    del alpha_key  # registered: the server expects alpha-duty to sign
    alpha = open_console("alpha")
    a = alpha.page
    refused: list[tuple[str, str]] = []  # the requests the server answered 401

    def on_response(response: Response) -> None:
        if response.status == 401:
            refused.append((response.request.method, urlsplit(response.url).path))

    a.on("response", on_response)
    # the server holds a key for alpha-duty: the console says so at once and offers to load it
    expect(a.locator("#keydialog")).to_be_visible()
    expect(a.locator("#keydialog-why")).to_contain_text("alpha-duty signs every write")
    # files that are not alpha's key are refused with a reason, and nothing is loaded
    garbage = tmp_path / "notes.pem"
    garbage.write_text("not a key\n")
    load_key(a, garbage)
    expect(a.locator("#keydialog-error")).to_contain_text("not a private key file")
    stranger = tmp_path / "stranger.pem"
    stranger.write_bytes(Signer.generate().to_pem())
    load_key(a, stranger)
    expect(a.locator("#keydialog-error")).to_contain_text("not one of alpha-duty's active keys")
    a.click("#keydialog-cancel")
    expect(a.locator("#keydialog")).to_be_hidden()
    expect(a.locator("#signing-state")).to_have_attribute("data-state", "missing")
    expect(a.locator("#signing-state")).to_have_text("key not loaded")

    # a flash arrives; acknowledging it needs the key: the dialog says why, above the take-over
    flash = flash_to_alpha(mechanism, "declined key")
    takeover = a.locator("#takeover")
    expect(takeover).to_be_visible()
    a.keyboard.press("Enter")
    expect(a.locator("#keydialog")).to_be_visible()
    expect(a.locator("#keydialog-why")).to_contain_text("no key is loaded")
    alpha.screenshot(shots, "alpha-asked-for-key-over-flash")
    a.keyboard.press("Escape")  # declines
    expect(a.locator("#keydialog")).to_be_hidden()
    expect(a.locator("#takeover-error")).to_contain_text("Could not acknowledge")
    alpha.screenshot(shots, "alpha-flash-refused-unsigned")
    # the alarm closes for a minute (no more sound) and the operator can sign out
    a.click("#takeover-snooze")
    expect(takeover).to_be_hidden()
    beeps = a.locator("body").get_attribute("data-beeps")
    a.wait_for_timeout(2000)
    assert a.locator("body").get_attribute("data-beeps") == beeps  # silent while closed
    # signed out over a slow link: the old page runs on for over a second (its live poll
    # ticks) until the reload arrives, and sends nothing without the token meanwhile
    slow_network(a, 1500)
    a.click("#signout")
    expect(a.locator("#signin")).to_be_visible()
    token = f"Bearer {mechanism.tokens['alpha']}"
    tokenless = [(r.method, r.url) for r in alpha.requests
                 if "/v1/" in r.url and "/v1/catalogues/" not in r.url  # words: no token
                 and r.headers.get("authorization") != token]  # fmt: skip
    assert tokenless == []
    # the one refusal is the unsigned acknowledgement, sent once: never retried by itself
    assert refused == [("POST", f"/v1/messages/{flash}/ack")]
    expect_refusals(alpha, 1)
    alpha.assert_clean()


def test_the_console_signs_an_acknowledgement_a_message_and_a_filing(
    open_console: Callable[[str], Console],
    mechanism: Mechanism,
    alpha_key: tuple[Signer, Path],
    shots: Path,
) -> None:
    signer, pem = alpha_key
    alpha = open_console("alpha")
    a = alpha.page
    expect(a.locator("#keydialog")).to_be_visible()
    a.click("#keydialog-cancel")
    # the flash is refused unsigned, then the key is loaded from the dialog and the same
    # acknowledgement goes through, signed, without the operator doing it again
    flash = flash_to_alpha(mechanism, "load and retry")
    expect(a.locator("#takeover")).to_be_visible()
    a.click("#takeover-ack")
    expect(a.locator("#keydialog")).to_be_visible()
    load_key(a, pem)
    expect(a.locator("#keydialog")).to_be_hidden()
    # the refused acknowledgement went through signed; an earlier flash may still be owed
    for _ in range(3):
        a.wait_for_timeout(700)
        if a.locator("#takeover").is_hidden():
            break
        a.keyboard.press("Enter")
    expect(a.locator("#takeover")).to_be_hidden()
    pending = httpx.get(
        f"{mechanism.base}/v1/acks/pending",
        headers={"Authorization": f"Bearer {mechanism.tokens['alpha']}"},
        timeout=10.0,
    ).json()["acknowledgements"]
    assert [p for p in pending if p["subject_id"] == flash and p["status"] == "pending"] == []
    expect(a.locator("#signing-state")).to_have_attribute("data-state", "loaded")
    expect(a.locator("#signing-state")).to_have_text(f"signing · key {signer.key_id[:8]}")

    # a message, composed and sent as any operator would
    a.click("[data-tab=hotline]")
    a.select_option("#compose [name=template]", "request_delay")
    a.select_option("#compose [name=to]", "bravo")
    a.select_option("#compose [name=priority]", "routine")
    a.fill("#compose [data-param=minutes]", "10")
    a.fill("#compose [name=text]", "signed in the browser")
    a.press("#compose [name=text]", "Control+Enter")
    expect(a.locator("#thread article.message.mine").last).to_contain_text("signed in the browser")

    # a filing, drawn on the map
    a.click("[data-tab=file]")
    set_view(a, 34.0, 33.0, 8)
    draw_polygon(a, [(32.8, 33.8), (33.2, 33.8), (33.2, 34.1), (32.8, 34.1)])
    a.fill("#file-form [name=title]", "Signed sortie")
    a.select_option("#file-form [name=kind]", "air_sortie")
    a.fill("#file-form [name=lower]", "1000")
    a.fill("#file-form [name=upper]", "2000")
    expect(a.locator("#file-check")).to_have_attribute("data-count", "0")
    a.click("#file-submit")
    expect(a.locator("#file-conflict-count")).to_have_attribute("data-count", "0")
    alpha.screenshot(shots, "alpha-signed-filing")

    # the ledger holds alpha's signature on each of the three, and each verifies
    signed = [
        e for e in entries(mechanism)
        if e.get("party_sig") and e["party_sig"]["key_id"] == signer.key_id
    ]  # fmt: skip
    assert {"message.acknowledged", "message.sent", "notice.filed"} <= {e["type"] for e in signed}
    (acked,) = [e for e in signed if e["type"] == "message.acknowledged" and flash in json.dumps(e)]
    message = body_message(submission("POST", f"/v1/messages/{flash}/ack", {}))
    assert verify(signer.public_key, message, acked["party_sig"]["sig"])
    assert re.fullmatch(r"[0-9a-f]{16}", signer.key_id)
    expect_refusals(alpha, 1)
    alpha.assert_clean()
