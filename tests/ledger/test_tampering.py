"""A thousand seeded tamperings of a signed 300-entry log: each is caught at the seq tampered."""

from __future__ import annotations

import json
import random
import struct
from collections.abc import Callable
from typing import Any

import pytest
from _ledger_support import KEYRING, OTHER_SIGNER, build_log, exported, ledger_time, trailer_for

from sharedsky.ledger.chain import entry_hash, entry_message, redact
from sharedsky.ledger.checkpoints import Checkpoint, make_checkpoint
from sharedsky.ledger.signing import b64url_encode
from sharedsky.ledger.verify import verify

COUNT = 300
LOG = build_log(COUNT, redact_every=6)
TRAILER = trailer_for(LOG)
BASE = exported(LOG)
ALL_REDACTED = exported([redact(entry) for entry in LOG])

Entries = list[dict[str, Any]]
Tampering = tuple[Entries, Checkpoint | None, int]
"""The tampered export, its trailer, and the seq that was tampered with."""


def _base(rng: random.Random) -> Entries:
    return BASE if rng.random() < 0.7 else ALL_REDACTED


def _leaves(value: Any) -> list[tuple[Any, Any]]:
    """(container, key) of every leaf whose bytes can be flipped."""
    items = value.items() if isinstance(value, dict) else enumerate(value)
    found: list[tuple[Any, Any]] = []
    for key, item in items:
        if isinstance(item, dict | list):
            found += _leaves(item)
        elif isinstance(item, bool | int | float) or (isinstance(item, str) and item):
            found.append((value, key))
    return found


def _flipped(value: Any, rng: random.Random) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value ^ 1
    if isinstance(value, float):
        (bits,) = struct.unpack("<Q", struct.pack("<d", value))
        return struct.unpack("<d", struct.pack("<Q", bits ^ 1))[0]
    index = rng.randrange(len(value))
    return value[:index] + chr(ord(value[index]) ^ 1) + value[index + 1 :]


def flip_payload_value(rng: random.Random) -> Tampering:
    index = rng.choice([i for i, obj in enumerate(BASE) if "payload" in obj])
    entries = list(BASE)
    entries[index] = json.loads(json.dumps(BASE[index]))
    container, key = rng.choice(_leaves(entries[index]["payload"]))
    container[key] = _flipped(container[key], rng)
    return entries, TRAILER, index + 1


def delete_entry(rng: random.Random) -> Tampering:
    index = rng.randrange(COUNT)
    base = _base(rng)
    return base[:index] + base[index + 1 :], TRAILER, index + 1


def swap_two_entries(rng: random.Random) -> Tampering:
    first, second = sorted(rng.sample(range(COUNT), 2))
    entries = list(_base(rng))
    entries[first], entries[second] = entries[second], entries[first]
    return entries, TRAILER, first + 1


def truncate_tail(rng: random.Random) -> Tampering:
    keep = rng.randrange(COUNT)
    return _base(rng)[:keep], rng.choice([None, TRAILER]), keep + 1


def replace_signature(rng: random.Random) -> Tampering:
    index = rng.randrange(COUNT)
    entries = list(_base(rng))
    entries[index] = entries[index] | {"sig": b64url_encode(rng.randbytes(64))}
    return entries, TRAILER, index + 1


def resign_with_another_key(rng: random.Random) -> Tampering:
    index = rng.randrange(COUNT)
    entries = list(_base(rng))
    sig = OTHER_SIGNER.sign(entry_message(entries[index]["hash"]))
    entries[index] = entries[index] | {"sig": sig}
    return entries, TRAILER, index + 1


def resign_with_another_key_and_rechain_the_rest(rng: random.Random) -> Tampering:
    """Re-sign one entry and recompute every following hash and signature with that key."""
    index = rng.randrange(COUNT)
    entries = list(_base(rng))
    for at in range(index, COUNT):
        obj = dict(entries[at])
        if at > index:
            prev = entries[at - 1]
            obj["prev_hash"] = prev["hash"]
            obj["hash"] = entry_hash(obj["seq"], prev["hash"], prev["sig"], obj["content_hash"])
        obj["sig"] = OTHER_SIGNER.sign(entry_message(obj["hash"]))
        entries[at] = obj
    head = entries[-1]
    forged = make_checkpoint(OTHER_SIGNER, COUNT, head["hash"], ledger_time(COUNT * 2))
    return entries, rng.choice([TRAILER, forged, None]), index + 1


TAMPERINGS: list[Callable[[random.Random], Tampering]] = [
    flip_payload_value,
    delete_entry,
    swap_two_entries,
    truncate_tail,
    replace_signature,
    resign_with_another_key,
    resign_with_another_key_and_rechain_the_rest,
]


def test_the_untampered_log_verifies_in_both_modes_and_redacted() -> None:
    for entries in (BASE, ALL_REDACTED):
        for all_signatures in (False, True):
            report = verify(entries, TRAILER, KEYRING, all_signatures=all_signatures)
            assert report.ok, report.problems
            assert report.head_seq == COUNT
    assert verify(BASE, TRAILER, KEYRING).redacted == COUNT // 6


@pytest.mark.slow
def test_a_thousand_random_tamperings_are_each_caught_at_the_seq_tampered() -> None:
    rng = random.Random(20261125)
    missed: list[str] = []
    for attempt in range(1000):
        tamper = TAMPERINGS[attempt % len(TAMPERINGS)]
        entries, trailer, tampered_seq = tamper(rng)
        report = verify(entries, trailer, KEYRING)
        if report.ok or report.first_bad_seq != tampered_seq:
            missed.append(f"{attempt} {tamper.__name__} at {tampered_seq}: {report}")
        if attempt % 25 == 0:  # every signature is checked too: 110 µs x 300 entries
            full = verify(entries, trailer, KEYRING, all_signatures=True)
            if full.ok or full.first_bad_seq != tampered_seq:
                missed.append(f"{attempt} {tamper.__name__} (all signatures): {full}")
    assert missed == []
