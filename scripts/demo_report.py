"""The periodic review of the demo scenario's first hour, made without `make` or a server: the
Levant scenario is loaded into a new SQLite database and its first hour played on a fake clock
(the scenario's notices and zones, the demo traffic every 10 s with the tactical tick, the
deadline duty, each party acknowledging most of what it owes after a few minutes, one incident),
then `sharedsky report --db` writes the host's signed review of that hour.

    .venv/bin/python scripts/demo_report.py [--out test-output/demo-first-hour.pdf] [--minutes 60]

Prints the report's path, page count and SHA-256 (the `.sig` beside it holds the signature).
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from sharedsky.api.app import create_app
from sharedsky.bootstrap import Container, build_deps, open_database
from sharedsky.interop.mechanism_yaml import parse_mechanism
from sharedsky.service.deadlines import tick as deadlines_tick
from sharedsky.service.mechanism import load_mechanism
from sharedsky.service.tactical import tick as tactical_tick
from sharedsky.sim.scenarios import MECHANISM_YAML, levant
from sharedsky.sim.traffic import TrafficSamplesMissing, demo_feeds
from sharedsky.testing.fakes import FakeClock, SequentialIds

START = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
"""The scenario's start (a fixed moment, so that every run plays the same hour)."""
STEP_S = 10
"""Seconds of scenario time between two track batches and ticks."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("test-output/demo-first-hour.pdf"))
    parser.add_argument("--minutes", type=int, default=60)
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sharedsky-demo-report-") as work:
        url = f"sqlite:///{Path(work) / 'demo.db'}"
        _play(url, args.minutes * 60)
        end = START + timedelta(minutes=args.minutes)
        subprocess.run(
            [sys.executable, "-m", "sharedsky", "report", "--db", url,
             "--from", START.isoformat(), "--to", end.isoformat(), "--out", str(args.out)],
            check=True,
        )  # fmt: skip


def _play(url: str, duration_s: int) -> None:
    """Load the scenario into ``url`` and play its first ``duration_s`` seconds."""
    database = open_database(url)
    clock = FakeClock(START - timedelta(minutes=30))
    mechanism, mechanism_json = parse_mechanism(MECHANISM_YAML)
    tokens = load_mechanism(database, clock, mechanism, mechanism_json).file()
    deps = build_deps(database, clock=clock, ids=SequentialIds())
    container = Container.for_deps(deps)
    client = TestClient(create_app(container))
    parties = [str(p.id) for p in mechanism.parties]
    rng = random.Random(18)

    def auth(who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[who]}"}

    titles: dict[str, str] = {}
    for item in levant(START).items:
        path = "/v1/zones" if item.kind == "zone" else "/v1/notices"
        answer = client.post(path, json=item.body, headers=auth(item.party))
        answer.raise_for_status()
        titles[answer.json()["id"]] = answer.json()["title"]
    clock.set(START)
    feeds = _feeds(parties, {title: oid for oid, title in titles.items()}, duration_s)
    pending = {party: next(feeds[party], None) for party in parties}
    filed_incident = False
    for t_s in range(0, duration_s, STEP_S):
        clock.set(START + timedelta(seconds=t_s))
        for party in parties:
            batch: list[dict[str, Any]] = []
            while pending[party] is not None and _time(pending[party]) <= clock.now():
                batch.append(pending[party])
                pending[party] = next(feeds[party], None)
            if batch:
                client.post("/v1/tracks", json={"tracks": batch[-200:]}, headers=auth(party))
        tactical_tick(deps, container.picture, container.board)
        deadlines_tick(deps)
        if t_s % 120 == 0:  # every two minutes each duty floor works through its inbox
            for party in parties:
                _acknowledge(client, auth(party), rng)
        if not filed_incident and t_s >= duration_s // 2:
            filed_incident = _incident(client, auth(parties[0]))
    database.close()


def _feeds(
    parties: list[str], notice_ids: dict[str, str], duration_s: int
) -> dict[str, Iterator[dict[str, Any]]]:
    try:
        return demo_feeds(parties, START, notice_ids=notice_ids, duration_s=duration_s)
    except TrafficSamplesMissing:
        return demo_feeds(parties, START, notice_ids=notice_ids, civil=[], duration_s=duration_s)


def _time(state: dict[str, Any] | None) -> datetime:
    assert state is not None
    return datetime.fromisoformat(str(state["time"]))


def _acknowledge(client: TestClient, headers: dict[str, str], rng: random.Random) -> None:
    """Acknowledge about four in five of what the party owes (the rest escalates)."""
    owed = client.get("/v1/acks/pending", headers=headers).json()["acknowledgements"]
    for ack in owed:
        if rng.random() < 0.8:
            path = {"notice": "notices", "conflict": "conflicts", "message": "messages",
                    "incident": "incidents"}[ack["subject"]]  # fmt: skip
            client.post(f"/v1/{path}/{ack['subject_id']}/ack", headers=headers)


def _incident(client: TestClient, headers: dict[str, str]) -> bool:
    """The first party files an incident about its first open conflict, if it has one."""
    conflicts = client.get("/v1/conflicts?state=open", headers=headers).json()["conflicts"]
    if not conflicts:
        return False
    now = client.get("/v1/ledger/checkpoint", headers=headers).json()["time"]
    narrative = "aircraft of both sides within the clash's region; hotline used"
    body = {"time": now, "position": [36.5, 34.8], "conflicts": [conflicts[0]["id"]],
            "narrative": narrative}  # fmt: skip
    return client.post("/v1/incidents", json=body, headers=headers).status_code == 201


if __name__ == "__main__":
    main()
