"""Offline verification of an exported ledger: exported entries + trailer + key ring → a report.

Every entry is checked for form, gapless seq, its link to the previous entry (``prev_hash``, and
``hash`` recomputed over the previous ``sig``) and, unless redacted, its ``content_hash``. Because
each hash commits to the previous hash and signature, one valid server signature on an entry
authenticates it and every entry before it (as a signed tree head does in a transparency log), so
by default only the head's signature is verified (Ed25519 costs ~110 µs, the rest ~10 µs an
entry); ``all_signatures=True`` verifies each. When something fails, signatures are searched to
name the first bad seq exactly: within the run of entries that chain correctly, the valid
signatures form a prefix (a valid one vouches for all before it), so a binary search finds the
first invalid one. The first bad seq is the lowest of: the first entry that breaks the chain, the
first entry with an invalid signature before it, a checkpoint the log contradicts, and the end of
the log when the trailer is missing, invalid or names another seq.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sharedsky.ledger.canonical import CanonicalizationError
from sharedsky.ledger.chain import (
    GENESIS_HASH,
    GENESIS_SIG,
    Entry,
    EntryFormatError,
    Link,
    content_hash,
    entry_hash,
    entry_message,
    from_json,
)
from sharedsky.ledger.checkpoints import Checkpoint, checkpoint_problem, consistent_hashes
from sharedsky.ledger.signing import KeyRing
from sharedsky.ledger.signing import verify as verify_signature

__all__ = ["Problem", "Report", "verify"]

_HASH_LEN = 64
_SIG_LEN = 86
_RECORD = _HASH_LEN + _SIG_LEN


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the export, at the seq it concerns."""

    seq: int
    reason: str


@dataclass(frozen=True, slots=True)
class Report:
    """The outcome of verifying an export."""

    ok: bool
    """True when nothing is wrong: every entry is the server's and the trailer closes the log."""
    entries: int
    """Entries read (well formed or not)."""
    redacted: int
    """Well-formed redacted entries among them."""
    head_seq: int | None
    """The seq of the last well-formed entry; None when there is none."""
    head_hash: str | None
    """Its hash."""
    problems: tuple[Problem, ...]
    """What is wrong, by seq (at most ``max_problems``; see ``more_problems``)."""
    first_bad_seq: int | None
    """The lowest seq at which the log is proven not to be what the server signed (None if ok).

    A checkpoint that is not the server's (bad signature, unknown key) is a problem at its seq
    but proves nothing about the log, so it does not set ``first_bad_seq``.
    """
    more_problems: int = 0
    """Problems found beyond ``max_problems`` and left out of ``problems``."""


class _Prefix:
    """The hashes and signatures of the leading run of entries that chain correctly.

    Kept as fixed-width ASCII records (150 bytes an entry) so that a long log costs little
    memory, and indexed by seq (the run is gapless).
    """

    def __init__(self) -> None:
        self.records = bytearray()
        self.first_seq = 0
        self.before: tuple[int, str] | None = None
        """The run's predecessor (seq, hash) when it is known (seq 0 → 64 zeros)."""

    def __len__(self) -> int:
        return len(self.records) // _RECORD

    @property
    def last_seq(self) -> int:
        return self.first_seq + len(self) - 1

    def add(self, entry: Entry) -> None:
        if not self.records:
            self.first_seq = entry.seq
        self.records += entry.hash.encode("ascii")
        self.records += entry.sig.encode("ascii")

    def link(self, index: int) -> Link:
        at = index * _RECORD
        record = self.records[at : at + _RECORD].decode("ascii")
        return Link(self.first_seq + index, record[:_HASH_LEN], record[_HASH_LEN:])

    def get(self, seq: int, /) -> str | None:
        """The hash of entry ``seq`` of the run (or of its known predecessor); else None."""
        if self.before is not None and seq == self.before[0]:
            return self.before[1]
        if not self.first_seq <= seq <= self.last_seq:
            return None
        return self.link(seq - self.first_seq).hash


class _Walk:
    """One pass over the entries, then the signature, trailer and checkpoint checks."""

    def __init__(
        self,
        keyring: KeyRing,
        all_signatures: bool,
        start_seq: int | None,
        max_problems: int,
        trailer_required: bool = True,
    ) -> None:
        self.keyring = keyring
        self.trailer_required = trailer_required
        self.all_signatures = all_signatures
        self.start_seq = start_seq
        self.max_problems = max_problems
        self.problems: list[Problem] = []
        self.more_problems = 0
        self.blames: list[int] = []
        """Seqs proven bad: the first break, the first bad signature, checkpoint findings."""
        self.prefix = _Prefix()
        self.prefix_open = True
        self.first_bad_sig: int | None = None
        self.expected = start_seq
        self.prev: Link | None = None
        if start_seq == 1:
            self.prev = Link(0, GENESIS_HASH, GENESIS_SIG)
            self.prefix.before = (0, GENESIS_HASH)
        self.count = 0
        self.redacted = 0
        self.head: Entry | None = None
        self.server_keys = [key.public_key for key in keyring.server_keys]

    def problem(self, seq: int, reason: str, *, blame: bool = False) -> None:
        if blame:
            self.blames.append(seq)
        if len(self.problems) < self.max_problems:
            self.problems.append(Problem(seq, reason))
        else:
            self.more_problems += 1

    def broken(self, seq: int, reason: str) -> None:
        """A problem in the chain: the first one ends the run and is blamed."""
        self.problem(seq, reason, blame=self.prefix_open)
        self.prefix_open = False

    def signature_ok(self, link: Link) -> bool:
        message = entry_message(link.hash)
        return any(verify_signature(key, message, link.sig) for key in self.server_keys)

    def step(self, raw: object) -> None:
        self.count += 1
        expected = self.expected
        try:
            entry = from_json(raw)
        except EntryFormatError as error:
            seq = error.seq if error.seq is not None else expected
            self.broken(expected if expected is not None else (seq or 0), str(error))
            self.prev = None
            self.expected = None if seq is None else seq + 1
            return
        self.head = entry
        if entry.content is None:
            self.redacted += 1
        prev = self.prev
        if expected is not None and entry.seq != expected:
            kind = "entries missing" if entry.seq > expected else "out of order"
            self.broken(expected, f"expected seq {expected}, found {entry.seq} ({kind})")
            prev = None
        if prev is not None:
            if entry.prev_hash != prev.hash:
                self.broken(entry.seq, f"prev_hash is not the hash of entry {prev.seq}")
            elif entry_hash(entry.seq, entry.prev_hash, prev.sig, entry.content_hash) != entry.hash:
                self.broken(entry.seq, "hash does not match seq, prev_hash, prev_sig, content_hash")
        if entry.content is not None:
            try:
                computed = content_hash(entry.content)
            except CanonicalizationError as error:
                self.broken(entry.seq, f"payload has no canonical form: {error}")
            else:
                if computed != entry.content_hash:
                    self.broken(entry.seq, "content_hash does not match the content")
        if self.all_signatures and not self.signature_ok(entry.link):
            self.problem(entry.seq, "signature does not verify")
            if self.prefix_open and self.first_bad_sig is None:
                self.first_bad_sig = entry.seq
        if self.prefix_open:
            self.prefix.add(entry)
        self.prev = entry.link
        self.expected = entry.seq + 1

    def search_signatures(self) -> None:
        """Default mode: the prefix's last signature, then a binary search if it fails."""
        size = len(self.prefix)
        if size == 0 or self.signature_ok(self.prefix.link(size - 1)):
            return
        low, high = 0, size - 1  # the signature at `high` is known not to verify
        while low < high:
            middle = (low + high) // 2
            if self.signature_ok(self.prefix.link(middle)):
                low = middle + 1
            else:
                high = middle
        self.first_bad_sig = self.prefix.first_seq + low
        self.problem(self.first_bad_sig, "signature does not verify")

    def finish(self, trailer: Checkpoint | None, receipts: Iterable[Checkpoint]) -> Report:
        if not self.all_signatures:
            self.search_signatures()
        if self.first_bad_sig is not None:
            self.blames.append(self.first_bad_sig)
        head = self.head
        end_seq = head.seq if head is not None else (self.start_seq or 1) - 1
        # where a broken log ends means nothing: its first break is blamed instead
        intact = self.prefix_open
        valid: list[Checkpoint] = []
        if trailer is None:
            if self.trailer_required:
                missing = "no trailer: the export may have been cut off"
                self.problem(end_seq + 1, missing, blame=intact)
        elif (reason := checkpoint_problem(self.keyring, trailer)) is not None:
            reason = f"trailer: {reason}; the end of the export is unproven"
            self.problem(end_seq + 1, reason, blame=intact)
        else:
            if trailer.seq > end_seq:
                reason = f"the trailer names seq {trailer.seq}: entries missing"
                self.problem(end_seq + 1, reason, blame=intact)
            elif trailer.seq < end_seq:
                reason = f"entries after the trailer's seq {trailer.seq}"
                self.problem(trailer.seq + 1, reason, blame=intact)
            valid.append(trailer)
        for cp in receipts:
            if (reason := checkpoint_problem(self.keyring, cp)) is not None:
                self.problem(cp.seq, reason)  # a forgery proves nothing about the log
            elif cp.seq > end_seq:
                reason = f"checkpoint {cp.seq} is beyond the end of the log"
                self.problem(end_seq + 1, reason, blame=intact)
            else:
                valid.append(cp)
        # checkpoints are compared with the leading run that chains correctly, the only part
        # of a broken log whose hashes mean anything; the first break is blamed anyway
        if len(self.prefix):
            run_end = self.prefix.last_seq
        else:
            run_end = end_seq if self.prefix_open else -1
        divergence = consistent_hashes(
            self.prefix, run_end, [cp for cp in valid if cp.seq <= run_end]
        )
        if divergence is not None:
            agreed = divergence.agreed_seq
            after = "" if agreed is None else f" (a checkpoint matched at seq {agreed})"
            reason = f"checkpoint {divergence.checkpoint.seq}: {divergence.reason}{after}"
            self.problem(divergence.seq, reason, blame=True)
        problems = tuple(sorted(self.problems, key=lambda p: p.seq))
        return Report(
            ok=not problems and not self.more_problems,
            entries=self.count,
            redacted=self.redacted,
            head_seq=None if head is None else head.seq,
            head_hash=None if head is None else head.hash,
            problems=problems,
            first_bad_seq=min(self.blames, default=None),
            more_problems=self.more_problems,
        )


def verify(
    entries: Iterable[object],
    trailer: Checkpoint | None,
    keyring: KeyRing,
    *,
    checkpoints: Iterable[Checkpoint] = (),
    all_signatures: bool = False,
    start_seq: int | None = 1,
    max_problems: int = 1000,
    trailer_required: bool = True,
) -> Report:
    """Verify exported ``entries`` (objects as ``chain.to_json`` writes them) and their trailer.

    ``keyring`` gives the server keys (owner ``"server"``) that entry signatures, the trailer
    and ``checkpoints`` (receipts a party kept) must verify with. ``start_seq`` is the seq the
    export must begin at (1: a full export); for an export that starts later, give that seq or
    None for any: its first entry is then an anchor whose ``prev_hash`` is taken as given and
    whose hash cannot be recomputed (that needs the signature before it), so only its hash and
    signature, not its content, are authenticated — start such an export one entry early.
    ``all_signatures`` verifies every entry's signature instead of the head's.
    ``trailer_required=False`` accepts entries without a trailer (a database read directly:
    where it ends is then proven only by the ``checkpoints`` given).
    """
    walk = _Walk(keyring, all_signatures, start_seq, max_problems, trailer_required)
    for raw in entries:
        walk.step(raw)
    return walk.finish(trailer, checkpoints)
