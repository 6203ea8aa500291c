"""The ledger's keys and checkpoints (``wire/v1/ledger.py``); the export's lines are the ledger's
own canonical JSON, not wire models."""

from __future__ import annotations

from sharedsky.ledger.checkpoints import Checkpoint
from sharedsky.ledger.signing import KeyRing, StoredKey, public_key_to_b64
from sharedsky.wire.v1.ledger import CheckpointOut, LedgerKeyOut, LedgerKeyRing, OperatorKeyOut


def key_ring_out(ring: KeyRing) -> LedgerKeyRing:
    """The wire form of the mechanism's key ring (what ``sharedsky ledger verify`` reads)."""
    return LedgerKeyRing(keys=[LedgerKeyOut.model_validate(k.to_json()) for k in ring.keys])


def operator_key_out(key: StoredKey) -> OperatorKeyOut:
    """The wire form of a key an operator registered."""
    return OperatorKeyOut(
        key_id=key.entry.key_id,
        public_key=public_key_to_b64(key.entry.public_key),
        party=key.entry.owner,
        operator=key.entry.operator or "",
        created_at=key.created_at,
        revoked_at=key.revoked_at,
    )


def checkpoint_out(made: Checkpoint) -> CheckpointOut:
    """The wire form of a signed checkpoint."""
    return CheckpointOut.model_validate(made.to_json())
