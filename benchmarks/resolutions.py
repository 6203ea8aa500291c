"""Resolution advice latency: ``GET /v1/conflicts/{id}/resolutions`` for a notice with 10
conflicts among 100,000 stored notices.

Scenario (fixed seeds): the stored notices of ``strategic.py`` (one volume each, 5–100 km
across, over a 1,000 × 1,000 km region, bands within 0–13,000 m, windows of 1–6 h within 7
days; the same cached SQLite file). For each of ``--subjects`` subjects, alpha's notice is a
circle of 5 km radius, a 300 m band and a 1 h window, placed where it clashes with no stored
volume (drawn again until a dry run finds none); then bravo and charlie file 10 small circles
(2 km) around its centre, inside its band and window, and alpha files the subject: it has
exactly 10 conflicts. Every search dimension then has real work: the stored volumes near the
subject in two dimensions (dozens, over the 48 h of shifts and the whole altitude range) bound
the shifts and the climbs.

Timing: ``time.perf_counter`` around each GET through the app in-process (Starlette's test
client: routing, authentication, the use case in its read transaction, JSON), one call per
conflict of each subject (so 10 per subject, ``n`` in all), after 3 warm-up calls. p50/p99 use
NumPy's linear interpolation. The answer of every call is checked: at least one option.

Run ``python benchmarks/resolutions.py`` (``--stored 10000`` for a quick run); the last line
is JSON with ``p50_ms``, ``p99_ms``, ``n``, ``stored``, ``conflicts``.
"""

from __future__ import annotations

import argparse
import math
import shutil
import tempfile
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import numpy as np
from _harness import emit_json, environment, print_header, summarise, timed
from starlette.testclient import TestClient
from strategic import (
    REGION_CENTRE,
    REGION_HALF_M,
    T0,
    coverings,
    sqlite_template,
)

from sharedsky.api.app import create_app
from sharedsky.bootstrap import Container, build_deps, open_database
from sharedsky.domain.channels import NoticeKind
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.notices import NoticeDraft
from sharedsky.domain.volumes import AltitudeBand, TimeWindow, Volume4D
from sharedsky.geo.outlines import CircleOutline
from sharedsky.geo.projection import frame_at
from sharedsky.service.context import Actor
from sharedsky.service.notices import check_notice, file_notice
from sharedsky.service.operators import rotate_operator
from sharedsky.service.ports import Deps
from sharedsky.testing.fakes import FakeClock, SequentialIds

TARGET_P99_MS = 300.0
CONFLICTS = 10
SUBJECT_RADIUS_M = 5_000.0
CLASHER_RADIUS_M = 2_000.0
RING_M = 3_000.0
WARMUP = 3


def actor(party: str) -> Actor:
    return Actor(OperatorId(f"{party}-duty"), PartyId(party), is_host=False)


def subject_draft(rng: np.random.Generator) -> NoticeDraft:
    """A 5 km circle, a 300 m band within 0–12,000 m and a 1 h window within the 7 days."""
    frame = frame_at(*REGION_CENTRE)
    x, y = rng.uniform(-0.8 * REGION_HALF_M, 0.8 * REGION_HALF_M, size=2)
    lon, lat = frame.inverse([x], [y])
    lower = float(np.round(rng.uniform(500.0, 12_000.0), -1))
    start = T0 + timedelta(seconds=int(rng.integers(3_600, 6 * 86_400)) // 60 * 60)
    volume = Volume4D(
        CircleOutline((round(float(lon[0]), 6), round(float(lat[0]), 6)), SUBJECT_RADIUS_M),
        AltitudeBand(lower, lower + 300.0),
        TimeWindow(start, start + timedelta(hours=1)),
    )
    return NoticeDraft(NoticeKind.AIR_SORTIE, "subject", (volume,))


def clashers(subject: Volume4D) -> list[NoticeDraft]:
    """Ten 2 km circles on a 3 km ring around the subject's centre, each in its band and
    overlapping its window (starts 6 minutes apart)."""
    assert isinstance(subject.outline, CircleOutline)
    frame = frame_at(*subject.outline.center)
    found = []
    for k in range(CONFLICTS):
        angle = 2.0 * math.pi * k / CONFLICTS
        lon, lat = frame.inverse([RING_M * math.cos(angle)], [RING_M * math.sin(angle)])
        start = subject.time.start + timedelta(minutes=6 * k - 20)
        volume = Volume4D(
            CircleOutline((round(float(lon[0]), 6), round(float(lat[0]), 6)), CLASHER_RADIUS_M),
            AltitudeBand(subject.altitude.lower_m + 10.0 * k, subject.altitude.upper_m),
            TimeWindow(start, start + timedelta(minutes=40)),
        )
        found.append(NoticeDraft(NoticeKind.UAV, f"clasher {k}", (volume,)))
    return found


def seed_subjects(deps: Deps, seed: int, count: int) -> list[list[str]]:
    """File ``count`` subjects with their clashers; the conflict ids of each subject."""
    rng = np.random.default_rng([seed, 18])
    subjects: list[list[str]] = []
    tries = 0
    while len(subjects) < count:
        tries += 1
        draft = subject_draft(rng)
        if check_notice(deps, actor("alpha"), draft).conflicts:
            continue  # clashes with a stored volume: draw again
        for k, other in enumerate(clashers(draft.volumes[0])):
            file_notice(deps, actor("bravo" if k % 2 else "charlie"), other)
        filing = file_notice(deps, actor("alpha"), draft)
        ids = [c.id for c in filing.conflicts]
        if len(ids) != CONFLICTS:
            raise RuntimeError(f"a subject has {len(ids)} conflicts, not {CONFLICTS}")
        subjects.append(ids)
    print(f"  {count} subjects placed ({tries} draws), each with {CONFLICTS} conflicts")
    return subjects


def measure(container: Container, token: str, subjects: Sequence[Sequence[str]]) -> list[float]:
    """Seconds of each GET of a conflict's resolutions (after the warm-up)."""
    headers = {"Authorization": f"Bearer {token}"}
    seconds = []
    kinds: dict[str, int] = {}
    with TestClient(create_app(container)) as client:
        calls = [cid for ids in subjects for cid in ids]
        for cid in calls[:WARMUP]:
            client.get(f"/v1/conflicts/{cid}/resolutions", headers=headers)
        for cid in calls:
            response, took_s = timed(
                lambda cid=cid: client.get(f"/v1/conflicts/{cid}/resolutions", headers=headers)
            )
            if response.status_code != 200 or not response.json()["options"]:
                raise RuntimeError(f"{cid}: {response.status_code} {response.text[:200]}")
            for option in response.json()["options"]:
                kinds[option["kind"]] = kinds.get(option["kind"], 0) + 1
            seconds.append(took_s)
    print("  options found: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    return seconds


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stored", type=int, default=100_000, help="stored notices")
    parser.add_argument("--subjects", type=int, default=20, help="notices with 10 conflicts")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2, help="processes for the coverings")
    opts = parser.parse_args(argv)
    settings = {"stored": opts.stored, "subjects": opts.subjects, "seed": opts.seed}
    print_header("resolution advice latency", environment(None), settings)
    cells = coverings(opts.seed, opts.stored, opts.workers)
    template = sqlite_template(opts.seed, opts.stored, cells)
    with tempfile.TemporaryDirectory(prefix="sharedsky-bench-") as tmp:
        path = Path(tmp) / "work.db"
        shutil.copyfile(template, path)
        db = open_database(f"sqlite:///{path}", migrate=False)
        try:
            deps = build_deps(db, clock=FakeClock(T0), ids=SequentialIds())
            subjects = seed_subjects(deps, opts.seed, opts.subjects)
            # the cached file keeps only the tokens' hashes: alpha's operator gets a new one
            token = rotate_operator(deps, None, "alpha-duty").token
            seconds = measure(Container.for_deps(deps), token, subjects)
        finally:
            db.close()
    latency = summarise(seconds)
    print(f"  GET /v1/conflicts/{{id}}/resolutions: {latency.line()}")
    verdict = "within" if latency.p99_ms <= TARGET_P99_MS else "OVER"
    print(f"  p99 {latency.p99_ms:.1f} ms: {verdict} the {TARGET_P99_MS:.0f} ms target")
    emit_json(
        {
            "benchmark": "resolutions",
            "p50_ms": latency.p50_ms,
            "p90_ms": latency.p90_ms,
            "p99_ms": latency.p99_ms,
            "max_ms": latency.max_ms,
            "n": latency.n,
            "stored": opts.stored,
            "conflicts": CONFLICTS,
            "subjects": opts.subjects,
        }
    )


if __name__ == "__main__":
    main()
