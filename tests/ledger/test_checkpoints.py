"""Signed checkpoints, and what a set of them proves about a log that forked or was cut."""

from __future__ import annotations

from typing import Any

import pytest
from _ledger_support import (
    KEYRING,
    OTHER_SIGNER,
    PARTY_SIGNER,
    SERVER_SIGNER,
    build_log,
    ledger_time,
)

from sharedsky.ledger.canonical import canonical
from sharedsky.ledger.chain import GENESIS_HASH, Entry
from sharedsky.ledger.checkpoints import (
    Checkpoint,
    CheckpointFormatError,
    checkpoint_message,
    checkpoint_problem,
    consistent,
    consistent_hashes,
    make_checkpoint,
    verify_checkpoint,
)
from sharedsky.ledger.signing import verify

LOG = build_log(600)
# the same ledger up to seq 300, then another history
FORK = LOG[:300] + build_log(300, seed=99, after=LOG[299].link)


def _cp(entries: list[Entry], seq: int, signer: Any = SERVER_SIGNER) -> Checkpoint:
    return make_checkpoint(signer, seq, entries[seq - 1].hash, ledger_time(seq * 2))


def test_a_checkpoint_is_the_servers_signature_over_the_prefixed_jcs_of_seq_hash_time() -> None:
    cp = _cp(LOG, 5)
    message = checkpoint_message(5, LOG[4].hash, cp.time)
    assert message == b"sharedsky-checkpoint-v1:" + canonical(
        {"seq": 5, "hash": LOG[4].hash, "time": cp.time}
    )
    assert message.startswith(b'sharedsky-checkpoint-v1:{"hash":"')
    assert verify(SERVER_SIGNER.public_key, message, cp.sig)
    assert cp.key_id == SERVER_SIGNER.key_id
    assert verify_checkpoint(KEYRING, cp)


def test_a_checkpoint_changed_or_signed_by_another_key_does_not_verify() -> None:
    cp = _cp(LOG, 5)
    moved = Checkpoint(6, cp.hash, cp.time, cp.key_id, cp.sig)
    assert checkpoint_problem(KEYRING, moved) == "checkpoint 6: the signature does not verify"
    assert "not in the key ring" in str(checkpoint_problem(KEYRING, _cp(LOG, 5, OTHER_SIGNER)))
    assert "not a server key" in str(checkpoint_problem(KEYRING, _cp(LOG, 5, PARTY_SIGNER)))


def test_a_checkpoint_round_trips_through_json() -> None:
    cp = _cp(LOG, 7)
    assert Checkpoint.from_json(cp.to_json()) == cp
    assert list(cp.to_json()) == ["seq", "hash", "time", "key_id", "sig"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"extra": 1}, "exactly the fields"),
        ({"seq": -1}, "seq: must be an integer"),
        ({"seq": False}, "seq: must be an integer"),
        ({"hash": 1}, "hash: must be a string"),
        ({"time": "yesterday"}, "time: must be"),
    ],
)
def test_a_malformed_checkpoint_is_refused(change: dict[str, Any], message: str) -> None:
    with pytest.raises(CheckpointFormatError, match=message):
        Checkpoint.from_json(_cp(LOG, 7).to_json() | change)


def test_a_checkpoint_needs_a_ledger_time_and_a_seq_of_zero_or_more() -> None:
    with pytest.raises(ValueError, match="not a ledger time"):
        make_checkpoint(SERVER_SIGNER, 1, LOG[0].hash, "now")
    with pytest.raises(ValueError, match="0 or more"):
        make_checkpoint(SERVER_SIGNER, -1, LOG[0].hash, ledger_time(0))


def test_a_log_that_extends_every_checkpoint_is_consistent() -> None:
    cps = [_cp(LOG, seq) for seq in (1, 300, 600)]
    assert consistent(LOG, cps) is None
    assert consistent(LOG[:400], cps[:2]) is None
    assert consistent([], [make_checkpoint(SERVER_SIGNER, 0, GENESIS_HASH, ledger_time(0))]) is None


def test_a_fork_is_placed_after_the_last_matching_and_at_the_first_mismatching_checkpoint() -> None:
    """Checkpoints at 100 and 300 match the forked log, those at 500 and 550 do not: the fork is
    proven in 301 … 500, and 500 is the first seq proven to differ."""
    cps = [_cp(LOG, seq) for seq in (550, 100, 500, 300)]
    divergence = consistent(FORK, cps)
    assert divergence is not None
    assert (divergence.seq, divergence.agreed_seq) == (500, 300)
    assert divergence.checkpoint.seq == 500
    assert "entry 500 has hash" in divergence.reason


def test_a_fork_with_one_checkpoint_is_proven_only_at_its_seq() -> None:
    divergence = consistent(FORK, [_cp(LOG, 500)])
    assert divergence is not None
    assert (divergence.seq, divergence.agreed_seq) == (500, None)


def test_a_log_that_ends_before_a_checkpoint_lacks_the_entry_after_its_end() -> None:
    divergence = consistent(LOG[:450], [_cp(LOG, 300), _cp(LOG, 500)])
    assert divergence is not None
    assert (divergence.seq, divergence.agreed_seq) == (451, 300)
    assert "the log ends at seq 450" in divergence.reason
    empty = consistent([], [_cp(LOG, 2)])
    assert empty is not None and empty.seq == 1


def test_checkpoints_before_a_partial_log_cannot_be_compared_and_are_ignored() -> None:
    assert consistent(LOG[200:], [_cp(LOG, 10), _cp(LOG, 400)]) is None
    # the partial log's first prev_hash stands for the entry before it
    assert consistent(LOG[200:], [_cp(LOG, 200)]) is None
    assert consistent(FORK[400:], [_cp(LOG, 400)]) is not None


def test_consistency_can_be_checked_from_hashes_alone() -> None:
    hashes = {entry.seq: entry.hash for entry in LOG[:10]}
    assert consistent_hashes(hashes, 10, [_cp(LOG, 10)]) is None
    divergence = consistent_hashes(hashes, 10, [_cp(FORK, 10), _cp(LOG, 11)])
    assert divergence is not None
    assert (divergence.seq, divergence.agreed_seq) == (11, 10)
