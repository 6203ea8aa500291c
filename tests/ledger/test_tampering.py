"""Tamperings of a signed log, each caught at the seq tampered, by ``verify`` and by the outside
verifier (written from the format document alone): named cases with the reason expected, then a
thousand seeded ones of a 300-entry log."""

from __future__ import annotations

import hashlib
import json
import random
import struct
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
import rfc8785
from _ledger_support import (
    KEYRING,
    OTHER_SIGNER,
    PARTY_SIGNER,
    build_log,
    exported,
    ledger_time,
    trailer_for,
)
from ledger import outside_verifier as outside

from sharedsky.ledger.chain import entry_hash, entry_message, redact
from sharedsky.ledger.checkpoints import Checkpoint, make_checkpoint
from sharedsky.ledger.signing import b64url_encode
from sharedsky.ledger.verify import Report, verify

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


def _jcs_hash(value: Any) -> str:
    """SHA-256 hex of JCS, computed here as the format document says (not by sharedsky)."""
    return hashlib.sha256(rfc8785.dumps(value)).hexdigest()


def _rewritten(entry: dict[str, Any], actor: str) -> dict[str, Any]:
    """``entry`` with another actor and the content_hash of its new content; hash and sig kept."""
    changed = entry | {"actor": actor}
    content = {k: changed[k] for k in ("time", "actor", "type", "payload", "party_sig")}
    return changed | {"content_hash": _jcs_hash(content)}


def _other_hex(value: str) -> str:
    return value[:-1] + ("0" if value[-1] != "0" else "1")


def rewrite_content_and_its_hash(rng: random.Random) -> Tampering:
    index = rng.choice([i for i, obj in enumerate(BASE) if "payload" in obj])
    entries = list(BASE)
    entries[index] = _rewritten(BASE[index], "forger")
    return entries, TRAILER, index + 1


def change_a_redacted_content_hash(rng: random.Random) -> Tampering:
    index = rng.randrange(COUNT)
    entries = list(ALL_REDACTED)
    entries[index] = entries[index] | {"content_hash": _other_hex(entries[index]["content_hash"])}
    return entries, TRAILER, index + 1


def reorder_two_neighbours(rng: random.Random) -> Tampering:
    index = rng.randrange(COUNT - 1)
    entries = list(_base(rng))
    entries[index], entries[index + 1] = entries[index + 1], entries[index]
    return entries, TRAILER, index + 1


def duplicate_an_entry(rng: random.Random) -> Tampering:
    index = rng.randrange(COUNT)
    base = _base(rng)
    return base[: index + 1] + base[index:], TRAILER, index + 2


def link_to_another_entry(rng: random.Random) -> Tampering:
    """prev_hash set to the hash of another entry than the one before (or of the entry itself)."""
    index = rng.randrange(1, COUNT)
    entries = list(_base(rng))
    other = rng.choice([i for i in range(COUNT) if i != index - 1])
    entries[index] = entries[index] | {"prev_hash": entries[other]["hash"]}
    return entries, TRAILER, index + 1


def swap_two_signatures(rng: random.Random) -> Tampering:
    first, second = sorted(rng.sample(range(COUNT), 2))
    entries = list(_base(rng))
    entries[first], entries[second] = (
        entries[first] | {"sig": entries[second]["sig"]},
        entries[second] | {"sig": entries[first]["sig"]},
    )
    return entries, TRAILER, first + 1


TAMPERINGS: list[Callable[[random.Random], Tampering]] = [
    flip_payload_value,
    delete_entry,
    swap_two_entries,
    truncate_tail,
    replace_signature,
    resign_with_another_key,
    resign_with_another_key_and_rechain_the_rest,
    rewrite_content_and_its_hash,
    change_a_redacted_content_hash,
    reorder_two_neighbours,
    duplicate_an_entry,
    link_to_another_entry,
    swap_two_signatures,
]


# named tamperings of a short log, each with the reason it must be caught for -----------------

SHORT = LOG[:24]
"""Entries 6, 12, 18 and 24 are redacted; 3, 9, 15 and 21 carry a party signature."""
S = exported(SHORT)
S_TRAILER = trailer_for(SHORT)
S_END = len(SHORT) + 1

VERIFY_SAYS = {
    outside.FORM: ("entry ",),
    outside.SEQUENCE: ("expected seq ",),
    outside.PREV_HASH: ("prev_hash is not the hash of entry ",),
    outside.HASH: ("hash does not match seq, prev_hash, prev_sig, content_hash",),
    outside.CONTENT: ("content_hash does not match the content", "payload has no canonical form"),
    outside.SIGNATURE: ("signature does not verify",),
    outside.END: ("no trailer", "trailer: ", "the trailer names seq ", "entries after the trailer"),
}
"""How ``verify`` words each reason class of the outside verifier (the start of the reason)."""


def _with(index: int, entry: dict[str, Any], base: Entries = S) -> Entries:
    return [*base[:index], entry, *base[index + 1 :]]


def _rehashed(entry: dict[str, Any], prev_sig: str) -> dict[str, Any]:
    """``entry`` with the hash of its (changed) fields; its signature kept."""
    link = {k: entry[k] for k in ("seq", "prev_hash", "content_hash")} | {"prev_sig": prev_sig}
    return entry | {"hash": _jcs_hash(link)}


def _sigs_swapped(first: int, second: int) -> Entries:
    entries = list(S)
    entries[first] = S[first] | {"sig": S[second]["sig"]}
    entries[second] = S[second] | {"sig": S[first]["sig"]}
    return entries


def _unredacted(index: int) -> dict[str, Any]:
    """A redacted entry given invented content (its content_hash kept)."""
    invented = {"time": ledger_time(1), "actor": "x", "type": "t", "payload": {}, "party_sig": None}
    return {k: v for k, v in S[index].items() if k != "redacted"} | invented


def _party_key(index: int, key_id: str, rehash: bool) -> dict[str, Any]:
    entry = S[index] | {"party_sig": S[index]["party_sig"] | {"key_id": key_id}}
    return _rewritten(entry, entry["actor"]) if rehash else entry


UNKNOWN_KEY = "0123456789abcdef"
NAMED: dict[str, tuple[Entries, Checkpoint | None, int, str]] = {
    # content and content_hash rewritten together, hash and sig kept
    "rewritten content and content_hash, first": (
        _with(0, _rewritten(S[0], "forger")),
        S_TRAILER,
        1,
        outside.HASH,
    ),
    "rewritten content and content_hash, middle": (
        _with(9, _rewritten(S[9], "forger")),
        S_TRAILER,
        10,
        outside.HASH,
    ),
    "rewritten content and content_hash, last full": (
        _with(22, _rewritten(S[22], "forger")),
        S_TRAILER,
        23,
        outside.HASH,
    ),
    "rewritten content, content_hash and hash": (
        _with(9, _rehashed(_rewritten(S[9], "forger"), S[8]["sig"])),
        S_TRAILER,
        10,
        outside.SIGNATURE,
    ),
    # a redacted entry's content_hash
    "redacted content_hash changed": (
        _with(5, S[5] | {"content_hash": _other_hex(S[5]["content_hash"])}),
        S_TRAILER,
        6,
        outside.HASH,
    ),
    "redacted content_hash changed, last entry": (
        _with(23, S[23] | {"content_hash": _other_hex(S[23]["content_hash"])}),
        S_TRAILER,
        24,
        outside.HASH,
    ),
    "redacted content_hash and hash changed": (
        _with(11, _rehashed(S[11] | {"content_hash": S[10]["content_hash"]}, S[10]["sig"])),
        S_TRAILER,
        12,
        outside.SIGNATURE,
    ),
    "redacted entry given invented content": (
        _with(5, _unredacted(5)),
        S_TRAILER,
        6,
        outside.CONTENT,
    ),
    "redacted entry marked redacted false": (
        _with(5, S[5] | {"redacted": False}),
        S_TRAILER,
        6,
        outside.FORM,
    ),
    # order, gaps, duplicates
    "two neighbours reordered": ([*S[:4], S[5], S[4], *S[6:]], S_TRAILER, 5, outside.SEQUENCE),
    "first entry dropped": (S[1:], S_TRAILER, 1, outside.SEQUENCE),
    "last entry dropped": (S[:-1], S_TRAILER, 24, outside.END),
    "an entry duplicated": ([*S[:8], *S[7:]], S_TRAILER, 9, outside.SEQUENCE),
    "the last entry duplicated": ([*S, S[-1]], S_TRAILER, S_END, outside.SEQUENCE),
    "a seq changed": (_with(12, S[12] | {"seq": 14}), S_TRAILER, 13, outside.SEQUENCE),
    # links
    "prev_hash of the first entry not zeros": (
        _with(0, S[0] | {"prev_hash": S[3]["hash"]}),
        S_TRAILER,
        1,
        outside.PREV_HASH,
    ),
    "prev_hash to the entry two back": (
        _with(10, S[10] | {"prev_hash": S[8]["hash"]}),
        S_TRAILER,
        11,
        outside.PREV_HASH,
    ),
    "prev_hash to the entry two back and hash recomputed": (
        _with(10, _rehashed(S[10] | {"prev_hash": S[8]["hash"]}, S[8]["sig"])),
        S_TRAILER,
        11,
        outside.PREV_HASH,
    ),
    # signatures
    "signatures of two entries swapped": (_sigs_swapped(3, 15), S_TRAILER, 4, outside.SIGNATURE),
    "signatures of two neighbours swapped": (_sigs_swapped(7, 8), S_TRAILER, 8, outside.SIGNATURE),
    "signatures of the first and last swapped": (
        _sigs_swapped(0, 23),
        S_TRAILER,
        1,
        outside.SIGNATURE,
    ),
    "signature of the last entry by another key": (
        _with(23, S[23] | {"sig": OTHER_SIGNER.sign(entry_message(S[23]["hash"]))}),
        S_TRAILER,
        24,
        outside.SIGNATURE,
    ),
    # key ids
    "party_sig key id changed": (
        _with(2, _party_key(2, PARTY_SIGNER.key_id[::-1], False)),
        S_TRAILER,
        3,
        outside.CONTENT,
    ),
    "party_sig key id changed and content_hash recomputed": (
        _with(2, _party_key(2, UNKNOWN_KEY, True)),
        S_TRAILER,
        3,
        outside.HASH,
    ),
    "trailer key id of the party": (
        S,
        replace(S_TRAILER, key_id=PARTY_SIGNER.key_id),
        S_END,
        outside.END,
    ),
    "trailer key id unknown": (S, replace(S_TRAILER, key_id=UNKNOWN_KEY), S_END, outside.END),
    "trailer key id of the server, signed by another key": (
        S,
        replace(trailer_for(SHORT, OTHER_SIGNER), key_id=S_TRAILER.key_id),
        S_END,
        outside.END,
    ),
    "no trailer": (S, None, S_END, outside.END),
}


def _outside(entries: Entries, trailer: Checkpoint | None) -> outside.Verdict:
    cp = None if trailer is None else trailer.to_json()
    return outside.verify_entries(entries, cp, KEYRING.to_json())


def _verify_blames(report: Report, seq: int, reason: str) -> bool:
    """Whether ``report`` names ``seq`` first, for ``reason`` (a class of the outside verifier)."""
    says = VERIFY_SAYS.get(reason, (f"checkpoint {seq}: entry {seq} has hash ",))
    named = any(p.seq == seq and p.reason.startswith(says) for p in report.problems)
    return not report.ok and report.first_bad_seq == seq and named


@pytest.mark.parametrize("name", list(NAMED))
def test_each_named_tampering_is_caught_at_its_seq_for_its_reason_by_both_verifiers(
    name: str,
) -> None:
    entries, trailer, seq, reason = NAMED[name]
    for all_signatures in (False, True):
        report = verify(entries, trailer, KEYRING, all_signatures=all_signatures)
        assert _verify_blames(report, seq, reason), report
    verdict = _outside(entries, trailer)
    assert (verdict.first_bad_seq, verdict.reason) == (seq, reason)


def test_the_short_log_verifies_by_both_verifiers() -> None:
    assert verify(S, S_TRAILER, KEYRING).ok
    assert _outside(S, S_TRAILER) == outside.Verdict(entries=len(S))


def test_a_tail_cut_with_a_trailer_signed_at_the_cut_is_seen_only_by_a_receipt() -> None:
    """The server did sign entry 23 as a head once; a receipt of entry 24 proves more."""
    cut, trailer = S[:-1], trailer_for(SHORT[:-1])
    assert verify(cut, trailer, KEYRING).ok
    assert _outside(cut, trailer).ok
    receipt = S_TRAILER
    report = verify(cut, trailer, KEYRING, checkpoints=[receipt])
    assert report.first_bad_seq == 24
    assert report.problems[0].reason == "checkpoint 24 is beyond the end of the log"
    verdict = outside.verify_entries(cut, trailer.to_json(), KEYRING.to_json(), [receipt.to_json()])
    assert (verdict.first_bad_seq, verdict.reason) == (24, outside.END)


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
        if attempt % 13 == 0:  # the outside verifier checks every signature up to the break
            verdict = _outside(entries, trailer)
            if verdict.first_bad_seq != tampered_seq:
                missed.append(f"{attempt} {tamper.__name__} (outside verifier): {verdict}")
    assert missed == []
