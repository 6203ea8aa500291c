"""Ledger wire models: public keys, an operator's key registration, checkpoints.

Entries themselves travel as JSON Lines in the form ``docs/ledger-format.md`` defines, not as
models here: an outside verifier reads them with no knowledge of this API.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from sharedsky.wire.v1.common import WireModel


class LedgerKeyOut(WireModel):
    """One public key of the mechanism (the ``keys`` member of a key ring)."""

    key_id: str = Field(description="First 16 hex characters of SHA-256 of the raw public key.")
    public_key: str = Field(description="The 32 raw bytes of the Ed25519 key, base64url.")
    owner: str = Field(description='"server", or the party whose operator holds the key.')
    operator: str | None = Field(description="The operator holding a party's key.")


class LedgerKeyRing(WireModel):
    """Every key of the mechanism, revoked ones included (they verify what they signed)."""

    keys: list[LedgerKeyOut]


class OperatorKeyIn(WireModel):
    """An Ed25519 public key an operator registers to sign its submissions."""

    public_key: str = Field(
        min_length=43, max_length=43, description="The 32 raw bytes, unpadded base64url."
    )
    operator: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="Whose key it is: another operator of the admin's party (default: the "
        "calling admin itself).",
    )


class OperatorKeyOut(WireModel):
    """A registered operator key."""

    key_id: str
    public_key: str
    party: str
    operator: str
    created_at: AwareDatetime
    revoked_at: AwareDatetime | None = None


class CheckpointOut(WireModel):
    """The server's signed statement that the ledger's entry ``seq`` has hash ``hash``."""

    seq: int
    hash: str
    time: str = Field(description="Ledger time, YYYY-MM-DDTHH:MM:SS.ffffffZ.")
    key_id: str
    sig: str


class LedgerEntryDoc(WireModel):
    """Documentation only: the members of one exported entry (a line of ``GET /v1/ledger``)."""

    seq: int
    time: str | None = None
    actor: str | None = None
    type: str | None = None
    payload: dict[str, object] | None = None
    party_sig: dict[str, str] | None = None
    prev_hash: str
    content_hash: str
    hash: str
    sig: str
    redacted: Literal[True] | None = None
