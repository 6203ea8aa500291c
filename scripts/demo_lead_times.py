"""The demo's lead times as a duty floor would make them: start `sharedsky demo` in a directory
of its own, open one console per party and the host's in Chromium for a while (five minutes by
default), then print the host's lead-time report, one JSON line per channel, and save each
console's screenshot.

    .venv/bin/python scripts/demo_lead_times.py [SECONDS] [--port PORT] [--out DIR]

Needs Chromium (`make chromium`) and the console's assets (`make assets`).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
WAIT_S = 120.0
"""Longest wait for the demo server to answer."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seconds", type=float, nargs="?", default=300.0)
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--out", type=Path, default=Path("test-output/demo-lead-times"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    base = f"http://127.0.0.1:{args.port}"
    with tempfile.TemporaryDirectory(prefix="sharedsky-demo-") as work:
        demo = subprocess.Popen(
            [sys.executable, "-m", "sharedsky", "demo", "--port", str(args.port),
             "--workdir", work],
            stdout=(args.out / "demo.log").open("w"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            started = time.monotonic()
            while not _answers(base):
                if demo.poll() is not None or time.monotonic() - started > WAIT_S:
                    sys.exit(f"the demo did not start: see {args.out / 'demo.log'}")
                time.sleep(0.5)
            tokens = json.loads((Path(work) / "tokens.json").read_text())
            _watch(base, tokens, args.seconds, args.out)
            report = httpx.get(
                f"{base}/v1/stats/lead-time",
                headers={"Authorization": f"Bearer {tokens['host']}"},
                timeout=10.0,
            ).json()
        finally:
            demo.terminate()
            demo.wait(10)
    for channel in report["channels"]:
        print(json.dumps({k: v for k, v in channel.items() if k != "late_notices"}))


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=1.0).status_code == 200
    except httpx.TransportError:
        return False


def _watch(base: str, tokens: dict[str, str], seconds: float, out: Path) -> None:
    """One console per party and the host's, open for ``seconds``; screenshots at the end."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        pages = []
        for who in ("alpha", "bravo", "host"):
            page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
            page.goto(f"{base}/")
            page.fill("#token", tokens[who])
            page.press("#token", "Enter")
            page.wait_for_selector("#stream-state[data-state=live]", timeout=60_000)
            pages.append((who, page))
        time.sleep(seconds)
        for who, page in pages:
            page.screenshot(path=str(out / f"{who}.png"))
        host = pages[-1][1]
        host.click("[data-tab=host]")
        host.wait_for_timeout(1500)
        host.screenshot(path=str(out / "host-tab.png"))
        browser.close()


if __name__ == "__main__":
    main()
