"""Signed checkpoints (the server's statement "the ledger's entry N has hash H") and fork finding.

The server signs ``"sharedsky-checkpoint-v1:" + JCS({"seq", "hash", "time"})``. Parties keep the
checkpoints they receive as receipts; a log that does not hold, at a checkpoint's seq, the
checkpoint's hash is not the ledger the server committed to. A checkpoint names only the hash at
its own seq, and a hash can be checked but not taken apart, so what a set of checkpoints proves
about a log is: at the lowest mismatching checkpoint's seq the log differs from what the server
signed, and at every matching checkpoint's seq (hence, by the hash chain, everywhere before it) the
log agrees. The fork therefore lies after the highest matching checkpoint below the lowest
mismatching one and at or before that mismatching one; nothing narrower can be proven.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from sharedsky.ledger.canonical import MAX_SAFE_INT, JsonValue, canonical
from sharedsky.ledger.chain import GENESIS_HASH, Entry, check_time
from sharedsky.ledger.signing import SERVER, KeyRing, Signer, verify

__all__ = [
    "CHECKPOINT_PREFIX",
    "Checkpoint",
    "CheckpointFormatError",
    "Divergence",
    "HashLookup",
    "checkpoint_message",
    "checkpoint_problem",
    "consistent",
    "consistent_hashes",
    "make_checkpoint",
    "verify_checkpoint",
]

CHECKPOINT_PREFIX = "sharedsky-checkpoint-v1:"
"""The server signs ``CHECKPOINT_PREFIX`` (ASCII) followed by JCS of ``{seq, hash, time}``."""

_FIELDS = frozenset({"seq", "hash", "time", "key_id", "sig"})


class CheckpointFormatError(ValueError):
    """A checkpoint document that is not well formed."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The server's signed statement that the ledger's entry ``seq`` has hash ``hash``."""

    seq: int
    """The entry committed to; 0 with the 64 zeros of ``GENESIS_HASH`` for an empty ledger."""
    hash: str
    """That entry's ``hash``."""
    time: str
    """When the server signed the checkpoint, ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (UTC)."""
    key_id: str
    """The server key that signed it."""
    sig: str
    """Ed25519 signature of ``checkpoint_message(seq, hash, time)``, unpadded base64url."""

    def to_json(self) -> dict[str, JsonValue]:
        """``{"seq", "hash", "time", "key_id", "sig"}``."""
        return {
            "seq": self.seq,
            "hash": self.hash,
            "time": self.time,
            "key_id": self.key_id,
            "sig": self.sig,
        }

    @classmethod
    def from_json(cls, obj: object) -> Checkpoint:
        """The checkpoint ``obj`` (see ``to_json``); CheckpointFormatError naming the field."""
        if type(obj) is not dict or obj.keys() != _FIELDS:
            raise CheckpointFormatError(
                f"a checkpoint is an object with exactly the fields {sorted(_FIELDS)}"
            )
        seq = obj["seq"]
        if type(seq) is not int or not 0 <= seq <= MAX_SAFE_INT:
            raise CheckpointFormatError("seq: must be an integer in 0 … 2**53 - 1")
        for name in ("hash", "time", "key_id", "sig"):
            if type(obj[name]) is not str:
                raise CheckpointFormatError(f"{name}: must be a string")
        if not check_time(obj["time"]):
            raise CheckpointFormatError("time: must be YYYY-MM-DDTHH:MM:SS.ffffffZ (UTC)")
        return cls(seq, obj["hash"], obj["time"], obj["key_id"], obj["sig"])


def checkpoint_message(seq: int, hash: str, time: str) -> bytes:
    """The bytes the server signs for a checkpoint: the prefix, then JCS ``{seq, hash, time}``."""
    return CHECKPOINT_PREFIX.encode("ascii") + canonical({"seq": seq, "hash": hash, "time": time})


def make_checkpoint(signer: Signer, seq: int, hash: str, time: str) -> Checkpoint:
    """The checkpoint of entry ``seq`` with ``hash`` at ``time``, signed by the server's ``signer``.

    ValueError when ``time`` is not a ledger time or ``seq`` is negative.
    """
    if seq < 0:
        raise ValueError(f"a checkpoint's seq is 0 or more, not {seq}")
    if not check_time(time):
        raise ValueError(f"not a ledger time (YYYY-MM-DDTHH:MM:SS.ffffffZ): {time!r}")
    sig = signer.sign(checkpoint_message(seq, hash, time))
    return Checkpoint(seq, hash, time, signer.key_id, sig)


def checkpoint_problem(keyring: KeyRing, cp: Checkpoint) -> str | None:
    """Why ``cp`` is not a valid server checkpoint, or None when it is."""
    key = keyring.get(cp.key_id)
    if key is None:
        return f"checkpoint {cp.seq}: key {cp.key_id!r} is not in the key ring"
    if key.owner != SERVER:
        return f"checkpoint {cp.seq}: key {cp.key_id!r} is not a server key"
    if not verify(key.public_key, checkpoint_message(cp.seq, cp.hash, cp.time), cp.sig):
        return f"checkpoint {cp.seq}: the signature does not verify"
    return None


def verify_checkpoint(keyring: KeyRing, cp: Checkpoint) -> bool:
    """True when ``cp`` is signed by a server key of ``keyring``."""
    return checkpoint_problem(keyring, cp) is None


@dataclass(frozen=True, slots=True)
class Divergence:
    """Proof that a log is not the ledger a checkpoint committed to."""

    seq: int
    """The lowest seq at which the log is proven to differ from what the server signed."""
    agreed_seq: int | None
    """The highest seq below ``seq`` at which a checkpoint matched (the fork is after it)."""
    checkpoint: Checkpoint
    """The checkpoint the log contradicts."""
    reason: str


class HashLookup(Protocol):
    """The hash of a log's entry by seq (a ``dict[int, str]`` is one)."""

    def get(self, seq: int, /) -> str | None:
        """The hash of entry ``seq``; None when the log does not hold it."""


def consistent_hashes(
    hashes: HashLookup, last_seq: int, checkpoints: Iterable[Checkpoint]
) -> Divergence | None:
    """Whether the log whose entry hashes are ``hashes`` (seq → hash) extends every checkpoint.

    ``hashes`` covers a contiguous run of seqs ending at ``last_seq`` and may include the run's
    predecessor (seq 0 → 64 zeros for a full log). A checkpoint beyond ``last_seq`` proves the
    log lacks entry ``last_seq + 1``; one before the run is ignored (nothing to compare). The
    checkpoints are taken as verified (see ``verify_checkpoint``). Returns the divergence with the
    lowest ``seq``, or None when the log agrees with every checkpoint.
    """
    matched: list[int] = []
    failures: list[Divergence] = []
    for cp in checkpoints:
        if cp.seq > last_seq:
            reason = f"the log ends at seq {last_seq}; checkpoint {cp.seq} commits to more"
            failures.append(Divergence(last_seq + 1, None, cp, reason))
        elif (found := hashes.get(cp.seq)) is not None:
            if found == cp.hash:
                matched.append(cp.seq)
            else:
                reason = f"entry {cp.seq} has hash {found}, the checkpoint {cp.hash}"
                failures.append(Divergence(cp.seq, None, cp, reason))
    if not failures:
        return None
    first = min(failures, key=lambda d: d.seq)
    below = [seq for seq in matched if seq < first.seq]
    return Divergence(first.seq, max(below, default=None), first.checkpoint, first.reason)


def consistent(entries: Iterable[Entry], checkpoints: Iterable[Checkpoint]) -> Divergence | None:
    """Whether ``entries`` (consecutive, in order) extend every checkpoint (``consistent_hashes``).

    The first entry's ``prev_hash`` counts as the hash of the seq before it.
    """
    hashes: dict[int, str] = {}
    last_seq = 0
    for entry in entries:
        if not hashes:
            hashes[entry.seq - 1] = entry.prev_hash
        hashes[entry.seq] = entry.hash
        last_seq = entry.seq
    if not hashes:
        hashes[0] = GENESIS_HASH
    return consistent_hashes(hashes, last_seq, checkpoints)
