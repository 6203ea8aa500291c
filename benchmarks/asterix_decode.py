"""How fast the ASTERIX reader decodes: CAT062 system tracks and CAT021 ADS-B reports per second,
datagrams to states, on one core, beside libasterix's own parsing of the same datagrams.

The scenario: ``--aircraft`` (300) aircraft over the Levant, seeded, each with a position,
velocity, vertical rate, flight level, and for two in three a geometric altitude, a target
address and a callsign; encoded by `sharedsky.interop.asterix` (the library's encoder) into
datagrams of ``--per-datagram`` (25) records, a CAT062 set and a CAT021 set of ``--reports``
(5,000) records each. Timed: `AsterixDecoder.feed` over every datagram of a set
(``time.perf_counter`` around the whole set), ``--repeats`` (3) times alternately with the
baseline, the median taken. Baseline: ``RawDatablock.parse`` and the category's
``cv_uap.parse`` of the same datagrams and nothing else (what any reader built on libasterix
pays before it reads an item). Checked: every record decodes to a state (none skipped), and
the first aircraft's position comes back within the category's quantisation.

The last line is JSON: ``cat062_reports_per_s``, ``cat021_reports_per_s`` (medians),
``parse_only_cat062_per_s``, ``parse_only_cat021_per_s``, ``reports``, ``repeats``, ``seed``,
``cpus``.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import asterix.generated as gen
from _harness import emit_json, environment, print_header
from asterix.base import Bits, RawDatablock

from sharedsky.interop.asterix import AsterixDecoder, encode_cat021, encode_cat062
from sharedsky.interop.feed_states import FeedState, flight_level_m

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def fleet(count: int, rng: random.Random) -> list[FeedState]:
    """``count`` aircraft within 300 km of 34.5° N 36.5° E, cruising or climbing."""
    planes = []
    for k in range(count):
        geometric = rng.random() < 2 / 3
        level = rng.uniform(50, 400)
        planes.append(
            FeedState(
                id=f"{0x700000 + k:06X}" if geometric else f"MIL{k}",
                time=NOW - timedelta(seconds=rng.uniform(0, 4)),
                lat_deg=34.5 + rng.uniform(-2.7, 2.7),
                lon_deg=36.5 + rng.uniform(-3.2, 3.2),
                gs_mps=rng.uniform(60, 260),
                trk_deg=rng.uniform(0, 359.9),
                vs_mps=rng.uniform(-15, 15),
                geometric_alt_m=flight_level_m(level) + rng.uniform(-150, 150)
                if geometric
                else None,
                pressure_alt_m=flight_level_m(level),
                callsign=f"ALP{k:03d}" if geometric else None,
            )
        )
    return planes


def datagrams(
    planes: list[FeedState],
    reports: int,
    per_datagram: int,
    encode: Callable[[list[FeedState]], bytes],
) -> list[bytes]:
    """``reports`` records of the fleet, round and round, ``per_datagram`` to a datagram."""
    out = []
    for lo in range(0, reports, per_datagram):
        chunk = [planes[k % len(planes)] for k in range(lo, min(lo + per_datagram, reports))]
        out.append(encode(chunk))
    return out


def decode_all(data: list[bytes]) -> int:
    """States decoded from every datagram (the timed work)."""
    decoder = AsterixDecoder()
    count = sum(len(decoder.feed(datagram, NOW)) for datagram in data)
    if decoder.stats.skipped:
        raise SystemExit(f"STOP: {decoder.stats.skipped} records skipped: {decoder.stats.errors}")
    return count


def parse_only(data: list[bytes]) -> int:
    """Records parsed by libasterix alone (the baseline)."""
    specs = {62: gen.Cat_062_1_21, 21: gen.Cat_021_2_7}
    count = 0
    for datagram in data:
        blocks = RawDatablock.parse(Bits.from_bytes(datagram))
        if isinstance(blocks, ValueError):
            raise SystemExit(f"STOP: a datagram does not parse: {blocks}")
        for block in blocks:
            records = specs[block.get_category()].cv_uap.parse(block.get_raw_records())
            if isinstance(records, ValueError):
                raise SystemExit(f"STOP: a datablock does not parse: {records}")
            count += len(records)
    return count


def rate(fn: Callable[[list[bytes]], int], data: list[bytes], expected: int) -> float:
    """Records per second of one timed pass; stops the run when the count is wrong."""
    start = time.perf_counter()
    count = fn(data)
    elapsed_s = time.perf_counter() - start
    if count != expected:
        raise SystemExit(f"STOP: {fn.__name__} gave {count} records, not {expected}")
    return count / elapsed_s


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--aircraft", type=int, default=300)
    parser.add_argument("--reports", type=int, default=5_000, help="records per category")
    parser.add_argument("--per-datagram", type=int, default=25, help="records per datagram")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20261124)
    args = parser.parse_args(argv)
    env = environment(None)
    env["libasterix"] = importlib.metadata.version("libasterix")
    print_header(
        "sharedsky ASTERIX decode benchmark",
        env,
        {
            "aircraft": args.aircraft,
            "reports": f"{args.reports:,} per category, {args.per_datagram} per datagram",
            "repeats": args.repeats,
            "seed": args.seed,
        },
    )
    planes = fleet(args.aircraft, random.Random(args.seed))
    sets = {
        "cat062": datagrams(planes, args.reports, args.per_datagram, encode_cat062),
        "cat021": datagrams(
            [p for p in planes if p.geometric_alt_m is not None],
            args.reports,
            args.per_datagram,
            encode_cat021,
        ),
    }
    check = AsterixDecoder().feed(sets["cat062"][0], NOW)[0]
    if abs(check.lat_deg - planes[0].lat_deg) > 180 / 2**25:
        raise SystemExit("STOP: the first position did not come back")
    figures: dict[str, object] = {}
    for name, data in sets.items():
        size_kb = sum(map(len, data)) / 1024
        decoded, parsed = [], []
        for _ in range(args.repeats):
            decoded.append(rate(decode_all, data, args.reports))
            parsed.append(rate(parse_only, data, args.reports))
        figures[f"{name}_reports_per_s"] = statistics.median(decoded)
        figures[f"parse_only_{name}_per_s"] = statistics.median(parsed)
        print(
            f"{name}: {len(data):,} datagrams ({size_kb:,.0f} KiB); decoded "
            f"{statistics.median(decoded):,.0f} reports/s (runs "
            f"{', '.join(f'{r:,.0f}' for r in decoded)}); libasterix parsing alone "
            f"{statistics.median(parsed):,.0f} records/s"
        )
        sys.stdout.flush()
    figures.update(reports=args.reports, repeats=args.repeats, seed=args.seed, cpus=env["cpus"])
    emit_json(figures)


if __name__ == "__main__":
    main()
