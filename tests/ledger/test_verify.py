"""Offline verification: an intact export passes; each kind of damage is named at its seq."""

from __future__ import annotations

import base64
import hashlib
import io
import json
from typing import Any

import pytest
import rfc8785
from _ledger_support import (
    KEYRING,
    OTHER_SIGNER,
    PARTY_SIGNER,
    SERVER_SIGNER,
    build_log,
    exported,
    fixed_signer,
    ledger_time,
    trailer_for,
    worked_example,
)
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from ledger import outside_verifier as outside

import sharedsky.ledger.verify as verify_module
from sharedsky.ledger.chain import content_hash, entry_hash, entry_message, from_json, redact
from sharedsky.ledger.checkpoints import Checkpoint, make_checkpoint
from sharedsky.ledger.export import read_jsonl, write_jsonl
from sharedsky.ledger.signing import SERVER, KeyEntry, KeyRing
from sharedsky.ledger.signing import verify as verify_signature
from sharedsky.ledger.verify import Problem, Report, verify

LOG = build_log(60, redact_every=5)
TRAILER = trailer_for(LOG)
FORK = LOG[:30] + build_log(30, seed=99, after=LOG[29].link)


def _verify(
    entries: list[dict[str, Any]], trailer: Checkpoint | None = TRAILER, **options: Any
) -> Report:
    return verify(entries, trailer, KEYRING, **options)


def _both(
    entries: list[dict[str, Any]], trailer: Checkpoint | None = TRAILER, **options: Any
) -> Report:
    """Verify in both modes, check they agree on the verdict, and return the default report."""
    default = _verify(entries, trailer, **options)
    full = _verify(entries, trailer, all_signatures=True, **options)
    assert (full.ok, full.first_bad_seq) == (default.ok, default.first_bad_seq)
    return default


def test_an_intact_export_verifies_in_both_modes() -> None:
    report = _both(exported(LOG))
    assert report == Report(
        ok=True,
        entries=60,
        redacted=12,
        head_seq=60,
        head_hash=LOG[-1].hash,
        problems=(),
        first_bad_seq=None,
    )


def test_the_default_mode_verifies_one_entry_signature_and_the_other_mode_all(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One valid head signature vouches for the chain before it: this is why default is fast."""
    calls: list[str] = []

    def counting(key: Ed25519PublicKey, data: bytes, sig: str) -> bool:
        calls.append(sig)
        return verify_signature(key, data, sig)

    monkeypatch.setattr(verify_module, "verify_signature", counting)
    assert _verify(exported(LOG)).ok
    assert calls == [LOG[-1].sig]
    calls.clear()
    assert _verify(exported(LOG), all_signatures=True).ok
    assert calls == [entry.sig for entry in LOG]


def test_a_redacted_export_verifies_without_any_content() -> None:
    report = _both(exported([redact(entry) for entry in LOG]))
    assert report.ok and report.redacted == 60


def test_an_export_read_back_from_jsonl_verifies() -> None:
    file = io.BytesIO()
    write_jsonl(LOG, TRAILER, file)
    file.seek(0)
    assert verify(*read_jsonl(file), KEYRING).ok


def test_an_empty_ledger_verifies_with_its_seq_0_trailer_and_is_cut_without_it() -> None:
    assert _both([], trailer_for([])).ok
    report = _both([], None)
    assert (report.first_bad_seq, report.head_seq, report.head_hash) == (1, None, None)


def test_an_empty_export_ends_just_before_the_seq_it_was_to_start_at() -> None:
    """No entry: the export ends at start_seq − 1 (0 for a full one or one starting anywhere),
    which its trailer must name."""
    assert _both([], trailer_for([]), start_seq=None).ok
    assert _both([], trailer_for(LOG[:20]), start_seq=21).ok
    report = _both([], trailer_for(LOG[:20]), start_seq=22)
    assert report.problems == (Problem(21, "entries after the trailer's seq 20"),)
    report = _both([], trailer_for(LOG[:20]))
    assert report.problems == (Problem(1, "the trailer names seq 20: entries missing"),)


def test_a_thousand_problems_are_listed_by_default_and_the_rest_counted() -> None:
    report = verify([{"no": "seq"}] * 1_002, None, KEYRING)
    assert len(report.problems) == 1_000 and report.more_problems == 3  # and no trailer


def test_the_genesis_is_compared_for_an_empty_log_and_not_for_one_broken_from_its_start() -> None:
    """An empty full export: its run is the genesis alone, which a receipt at seq 0 must name.
    A log broken at its first entry has no run at all: nothing a receipt could be held against
    (its first break is blamed instead)."""
    other = make_checkpoint(SERVER_SIGNER, 0, "f" * 64, ledger_time(0))
    report = _both([], trailer_for([]), checkpoints=[other])
    assert report.first_bad_seq == 0
    assert report.problems == (
        Problem(0, f"checkpoint 0: entry 0 has hash {'0' * 64}, the checkpoint {'f' * 64}"),
    )
    entries = exported(LOG)
    entries[0]["prev_hash"] = "1" * 64
    report = _both(entries, checkpoints=[other])
    assert report.first_bad_seq == 1
    assert report.problems == (Problem(1, "prev_hash is not the hash of entry 0"),)


def test_a_partial_export_verifies_from_the_seq_it_starts_at() -> None:
    tail = exported(LOG[20:])
    assert _both(tail, start_seq=21).ok
    assert _both(tail, start_seq=None).ok
    report = _both(tail)
    assert report.first_bad_seq == 1
    assert report.problems[0] == Problem(1, "expected seq 1, found 21 (entries missing)")
    assert _both(tail, start_seq=20).first_bad_seq == 20


def test_the_anchor_of_a_partial_export_is_taken_as_given() -> None:
    """Its hash cannot be recomputed without the signature before it, so rewritten content with
    a matching content_hash goes unseen: partial exports start one entry early."""
    tail = exported(LOG[20:])
    tail[0]["actor"] = "someone else"
    assert _verify(tail, start_seq=21).first_bad_seq == 21
    content = from_json(tail[0]).content
    assert content is not None
    tail[0]["content_hash"] = content_hash(content)
    assert _verify(tail, start_seq=21).ok


@pytest.mark.parametrize(
    ("trailer", "reason"),
    [
        (None, "no trailer"),
        (trailer_for(LOG, OTHER_SIGNER), "is not in the key ring"),
        (trailer_for(LOG, PARTY_SIGNER), "is not a server key"),
        (Checkpoint(60, TRAILER.hash, ledger_time(1), TRAILER.key_id, TRAILER.sig), "does not"),
        (trailer_for(LOG + build_log(1, after=LOG[-1].link)), "names seq 61: entries missing"),
    ],
)
def test_an_export_whose_end_is_unproven_is_bad_after_its_last_entry(
    trailer: Checkpoint | None, reason: str
) -> None:
    report = _both(exported(LOG), trailer)
    assert report.first_bad_seq == 61
    assert [p.seq for p in report.problems] == [61]
    assert reason in report.problems[0].reason


def test_entries_after_the_trailers_seq_are_unproven() -> None:
    report = _both(exported(LOG), trailer_for(LOG[:50]))
    assert report.first_bad_seq == 51
    assert report.problems == (Problem(51, "entries after the trailer's seq 50"),)


def test_a_trailer_of_another_history_proves_a_fork_at_its_seq() -> None:
    report = _both(exported(LOG), trailer_for(FORK))
    assert report.first_bad_seq == 60
    assert report.problems[0].reason == (
        f"checkpoint 60: entry 60 has hash {LOG[59].hash}, the checkpoint {FORK[59].hash}"
    )  # no earlier checkpoint matched, so the reason says none


def test_receipts_a_party_kept_must_be_extended_by_the_log() -> None:
    receipts = [
        make_checkpoint(SERVER_SIGNER, s, FORK[s - 1].hash, ledger_time(s)) for s in (20, 40)
    ]
    assert _both(exported(FORK), trailer_for(FORK), checkpoints=receipts).ok
    report = _both(exported(LOG), checkpoints=receipts)
    assert report.first_bad_seq == 40
    assert "(a checkpoint matched at seq 20)" in report.problems[0].reason
    beyond = make_checkpoint(SERVER_SIGNER, 70, "0" * 64, ledger_time(0))
    report = _both(exported(LOG), checkpoints=[beyond])
    assert report.problems == (Problem(61, "checkpoint 70 is beyond the end of the log"),)


def test_receipts_from_before_a_partial_export_cannot_be_compared_and_are_ignored() -> None:
    receipts = [make_checkpoint(SERVER_SIGNER, 5, FORK[4].hash, ledger_time(5))]
    assert _both(exported(LOG[20:]), start_seq=21, checkpoints=receipts).ok


def test_a_forged_receipt_is_a_problem_that_proves_nothing_about_the_log() -> None:
    forged = make_checkpoint(OTHER_SIGNER, 40, FORK[39].hash, ledger_time(0))
    report = _both(exported(LOG), checkpoints=[forged])
    assert not report.ok and report.first_bad_seq is None
    assert report.problems == (
        Problem(40, f"checkpoint 40: key {forged.key_id!r} is not in the key ring"),
    )


def test_a_malformed_entry_is_a_problem_at_its_seq_and_the_chain_resumes_after_it() -> None:
    entries = exported(LOG)
    entries[9]["extra"] = 1
    report = _both(entries)
    assert report.problems == (Problem(10, "entry 10: extra: unknown field"),)
    assert report.first_bad_seq == 10
    entries[9] = {"seq": "ten"}
    assert _both(entries).first_bad_seq == 10


def test_after_a_malformed_entry_the_seq_it_claims_or_the_one_expected_comes_next() -> None:
    """A malformed entry counts among the entries; the next is expected at the seq after the
    one it claims (when its seq can be read) or after the one that was due (when not)."""
    entries = exported(LOG)
    entries[9]["extra"] = 1  # entry 10 malformed, entry 11 missing
    del entries[10]
    report = _both(entries)
    assert report.entries == 59 and report.head_seq == 60
    assert report.problems == (
        Problem(10, "entry 10: extra: unknown field"),
        Problem(11, "expected seq 11, found 12 (entries missing)"),
    )
    entries = exported(LOG)
    entries[4] |= {"seq": 7, "extra": 1}  # at entry 5's place, malformed, claiming seq 7
    report = _both(entries)
    assert report.entries == 60
    assert report.problems == (
        Problem(5, "entry 7: extra: unknown field"),
        Problem(8, "expected seq 8, found 6 (out of order)"),
    )
    entries = exported(LOG)
    del entries[4]["seq"]  # entry 5 without a seq, entry 6 missing
    del entries[5]
    report = _both(entries)
    assert report.problems == (
        Problem(5, "entry (seq unknown): seq: must be an integer in 1 … 2**53 - 1"),
        Problem(6, "expected seq 6, found 7 (entries missing)"),
    )


def test_receipts_at_the_first_entry_and_at_seq_0_are_compared_too() -> None:
    """The leading run's first entry and, for a full export, the genesis before it (seq 0,
    64 zeros) are part of what a receipt is held against."""
    genesis = make_checkpoint(SERVER_SIGNER, 0, "0" * 64, ledger_time(0))
    first = make_checkpoint(SERVER_SIGNER, 1, LOG[0].hash, ledger_time(1))
    assert _both(exported(LOG), checkpoints=[genesis, first]).ok
    for seq in (0, 1):
        other = make_checkpoint(SERVER_SIGNER, seq, "f" * 64, ledger_time(seq))
        report = _both(exported(LOG), checkpoints=[other])
        assert report.first_bad_seq == seq
        assert report.problems[0].reason.startswith(f"checkpoint {seq}: entry {seq} has hash ")


def test_a_malformed_first_entry_of_an_export_starting_anywhere_is_blamed_before_it() -> None:
    entries: list[dict[str, Any]] = [{"no": "seq"}, *exported(LOG[1:])]
    report = _both(entries, start_seq=None)
    assert report.first_bad_seq == 0
    assert report.problems[0].reason.startswith("entry (seq unknown): seq:")


def test_a_payload_without_canonical_form_is_a_problem() -> None:
    entries = exported(LOG)
    entries[3]["payload"] = {"n": 2**60}
    report = _both(entries)
    assert report.first_bad_seq == 4
    assert report.problems[0].reason.startswith("payload has no canonical form")


def test_a_key_ring_without_the_server_key_proves_nothing() -> None:
    ring = KeyRing.of([KeyEntry.of(PARTY_SIGNER.public_key, "party-a")])
    report = verify(exported(LOG), TRAILER, ring)
    assert report.first_bad_seq == 1
    assert [p.seq for p in report.problems] == [1, 61]


def test_entries_signed_across_a_server_key_rotation_verify() -> None:
    rotated = fixed_signer("sharedsky test server, rotated")
    log = LOG[:30] + build_log(30, signer=rotated, after=LOG[29].link)
    ring = KeyRing.of([*KEYRING.keys, KeyEntry.of(rotated.public_key, SERVER)])
    trailer = trailer_for(log, rotated)
    assert verify(exported(log), trailer, ring).ok
    assert verify(exported(log), trailer, ring, all_signatures=True).ok
    assert verify(exported(log), trailer, KEYRING).first_bad_seq == 31


def test_all_signatures_mode_lists_every_bad_signature() -> None:
    entries = exported(LOG)
    for index in (9, 19):
        entries[index]["sig"] = OTHER_SIGNER.sign(entry_message(entries[index]["hash"]))
    full = _verify(entries, all_signatures=True)
    assert [p.seq for p in full.problems] == [10, 11, 20, 21]
    assert full.problems[0] == Problem(10, "signature does not verify")
    assert full.first_bad_seq == _verify(entries).first_bad_seq == 10


def test_a_rewritten_entry_with_recomputed_hashes_is_found_by_its_signature() -> None:
    entries = exported(LOG)
    entries[6]["actor"] = "forger"
    content = from_json(entries[6]).content
    assert content is not None
    entries[6]["content_hash"] = content_hash(content)
    entries[6]["hash"] = entry_hash(
        7, entries[6]["prev_hash"], LOG[5].sig, entries[6]["content_hash"]
    )
    report = _both(entries)
    assert report.first_bad_seq == 7
    assert [p.seq for p in report.problems] == [7, 8]


def test_a_broken_log_is_bad_from_its_first_break_whatever_follows() -> None:
    """An altered copy of entry 3 appended after entry 60: the log is bad from position 61 on,
    not from seq 3, and where a broken log ends (seq 3, trailer at 60) is not held against it."""
    forged = exported(LOG[2:3])[0] | {"actor": "forger"}
    report = _both([*exported(LOG), forged])
    assert report.first_bad_seq == 61
    assert [p.seq for p in report.problems] == [3, 4, 61]
    assert report.problems[2].reason == "expected seq 61, found 3 (out of order)"


def test_the_problems_are_capped() -> None:
    entries = exported(LOG)[::2]
    report = _verify(entries, max_problems=3)
    assert len(report.problems) == 3 and report.more_problems > 0
    assert not report.ok and report.first_bad_seq == 2


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_an_outside_verifier_written_from_the_format_document_accepts_an_export() -> None:
    file = io.BytesIO()
    write_jsonl(LOG, TRAILER, file)
    # it splits lines on LF only: JCS leaves U+2028 unescaped, which str.splitlines() splits on
    assert outside.verify_export(file.getvalue(), KEYRING.to_json()) == outside.Verdict(entries=60)


def test_the_worked_example_verifies_with_the_outside_verifier_and_the_party_signature() -> None:
    blocks = worked_example().split("```")
    ring = json.loads(blocks[3])
    export = blocks[-4].strip().split("\n")
    for block in (blocks[-4], blocks[-2]):
        assert outside.verify_export(block.strip().encode(), ring) == outside.Verdict(entries=2)
    first = json.loads(export[0])
    party = Ed25519PublicKey.from_public_bytes(_b64(ring["keys"][1]["public_key"]))
    body = hashlib.sha256(rfc8785.dumps(first["payload"])).hexdigest()
    party.verify(_b64(first["party_sig"]["sig"]), f"sharedsky-body-v1:{body}".encode())
