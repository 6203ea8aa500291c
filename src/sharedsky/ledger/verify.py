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

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from sharedsky.ledger.canonical import CanonicalizationError, canonical, sha256_hex
from sharedsky.ledger.chain import (
    GENESIS_HASH,
    GENESIS_SIG,
    EntryFormatError,
    check_entry,
    entry_message,
)
from sharedsky.ledger.checkpoints import Checkpoint, checkpoint_problem, consistent_hashes
from sharedsky.ledger.lines import CanonicalLine
from sharedsky.ledger.signing import KeyRing
from sharedsky.ledger.signing import verify as verify_signature

__all__ = ["ChunkResult", "Problem", "Report", "Walk", "verify"]

_HASH_LEN = 64
_SIG_LEN = 86
_RECORD = _HASH_LEN + _SIG_LEN
_CONTENT_MISMATCH = "content_hash does not match the content"
_BAD_SIGNATURE = "signature does not verify"


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


def _checked_entry_hash(seq: int, prev_hash: str, prev_sig: str, content_hash: str) -> str:
    """``chain.entry_hash`` of fields ``check_entry`` accepted (or the genesis ``prev_sig``).

    Their forms (an integer, hex, base64url, or ``""``) need no escaping in JCS: the JCS text
    is written as it is, which saves a third of the work (a test holds the two equal).
    """
    text = (
        f'{{"content_hash":"{content_hash}","prev_hash":"{prev_hash}",'
        f'"prev_sig":"{prev_sig}","seq":{seq}}}'
    )
    return hashlib.sha256(text.encode("ascii")).hexdigest()


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

    def add(self, seq: int, hash: str, sig: str) -> None:
        if not self.records:
            self.first_seq = seq
        self.records += (hash + sig).encode("ascii")

    def hash_and_sig(self, index: int) -> tuple[str, str]:
        """The hash and signature of the run's entry number ``index`` (0: the first)."""
        at = index * _RECORD
        record = self.records[at : at + _RECORD].decode("ascii")
        return record[:_HASH_LEN], record[_HASH_LEN:]

    def get(self, seq: int, /) -> str | None:
        """The hash of entry ``seq`` of the run (or of its known predecessor); else None."""
        if self.before is not None and seq == self.before[0]:
            return self.before[1]
        if not self.first_seq <= seq <= self.last_seq:
            return None
        return self.hash_and_sig(seq - self.first_seq)[0]


@dataclass(frozen=True, slots=True)
class ChunkResult:
    """What a walk over the later entries of an export found (see ``Walk.chunk``, ``join``).

    The walk began primed with the entry before them, as if everything before had been in
    order; joining it to the walk over the earlier entries gives what one walk over all of
    them gives.
    """

    count: int
    redacted: int
    head: tuple[int, str] | None
    events: tuple[tuple[int, str, bool], ...]
    """The problems it recorded, in order: (seq, reason, whether it broke the chain)."""
    chain_broke: bool
    """Whether the chain broke in it (its first break among ``events`` or after their cap)."""
    dropped: int
    """Problems found beyond ``events``."""
    records: bytes
    """The hashes and signatures of its entries before its first break (see ``_Prefix``)."""
    expected: int | None
    """Where it ended: the seq expected next (see ``Walk``), ..."""
    linked: bool
    """... whether the next entry is to be linked to the last one (else an anchor), ..."""
    last: tuple[int, str, str]
    """... and that last entry's seq, hash and signature."""


class Walk:
    """One pass over the entries, then the signature, trailer and checkpoint checks.

    Feed it the entries in order (``step``, ``step_line``), then ``finish``. The entries can
    also be walked in chunks, each chunk after the first by a walk ``prime``d with the entry
    before it (in another process), whose ``chunk`` is then ``join``ed in order.
    """

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
        self.broke: list[bool] = []
        """For each of ``problems``, whether it broke the chain (else: a bad signature)."""
        self.more_problems = 0
        self.blames: list[int] = []
        """Seqs proven bad: the first break, the first bad signature, checkpoint findings."""
        self.prefix = _Prefix()
        self.prefix_open = True
        self.first_bad_sig: int | None = None
        self.expected = start_seq
        # the previous well-formed entry (seq, hash, sig), unless the next one is an anchor
        self.linked = start_seq == 1
        self.prev_seq, self.prev_hash, self.prev_sig = 0, GENESIS_HASH, GENESIS_SIG
        if start_seq == 1:
            self.prefix.before = (0, GENESIS_HASH)
        self.count = 0
        self.redacted = 0
        self.head: tuple[int, str] | None = None
        """The seq and hash of the last well-formed entry."""
        self.server_keys = [key.public_key for key in keyring.server_keys]

    def problem(self, seq: int, reason: str, *, blame: bool = False, broke: bool = False) -> None:
        if blame:
            self.blames.append(seq)
        if len(self.problems) < self.max_problems:
            self.problems.append(Problem(seq, reason))
            self.broke.append(broke)
        else:
            self.more_problems += 1

    def broken(self, seq: int, reason: str) -> None:
        """A problem in the chain: the first one ends the run and is blamed."""
        self.problem(seq, reason, blame=self.prefix_open, broke=True)
        self.prefix_open = False

    def bad_signature(self, seq: int) -> None:
        """All-signatures mode: the first bad one in the run is blamed (when it is searched)."""
        self.problem(seq, _BAD_SIGNATURE)
        if self.prefix_open and self.first_bad_sig is None:
            self.first_bad_sig = seq

    def prime(self, seq: int, hash: str, sig: str) -> None:
        """Walk on as if entry ``seq`` (with ``hash`` and ``sig``) had just been walked.

        For a fresh walk made with ``start_seq=None``: its run's predecessor stays unknown (a
        receipt at ``seq`` is compared by the walk this one's chunk is joined to).
        """
        self.linked = True
        self.prev_seq, self.prev_hash, self.prev_sig = seq, hash, sig
        self.expected = seq + 1

    def chunk(self) -> ChunkResult:
        """What this walk found, to be joined to the walk over the entries before."""
        return ChunkResult(
            count=self.count,
            redacted=self.redacted,
            head=self.head,
            events=tuple(
                (p.seq, p.reason, broke) for p, broke in zip(self.problems, self.broke, strict=True)
            ),
            chain_broke=bool(self.blames),  # its first break, and only that, is blamed
            dropped=self.more_problems,
            records=bytes(self.prefix.records),
            expected=self.expected,
            linked=self.linked,
            last=(self.prev_seq, self.prev_hash, self.prev_sig),
        )

    def join(self, chunk: ChunkResult) -> None:
        """Go on with the entries of ``chunk``, walked by a walk primed with the last one here.

        The problems are recorded again in their order, so that the cap, the blame of the first
        break and the first bad signature fall as they would have in one walk; the chunk's run
        extends this one's if this one is still unbroken.
        """
        if self.prefix_open:  # this run ends with the entry the chunk's walk was primed with
            self.prefix.records += chunk.records
        for seq, reason, broke in chunk.events:
            if broke:
                self.broken(seq, reason)
            else:
                self.bad_signature(seq)
        # a first break among the events has just ended this run (and was blamed if the run was
        # still open); one dropped after the cap (counted in chunk.dropped) ends it here, with
        # no blame: only bad signatures were kept before it, and the first of those, blamed by
        # `finish`, comes earlier
        if chunk.chain_broke:
            self.prefix_open = False
        self.more_problems += chunk.dropped
        self.expected, self.linked = chunk.expected, chunk.linked
        self.prev_seq, self.prev_hash, self.prev_sig = chunk.last
        self.count += chunk.count
        self.redacted += chunk.redacted
        if chunk.head is not None:
            self.head = chunk.head

    def signature_ok(self, hash: str, sig: str) -> bool:
        """Whether ``sig`` is a server key's signature of the entry hash ``hash``."""
        message = entry_message(hash)
        return any(verify_signature(key, message, sig) for key in self.server_keys)

    def step(self, raw: object) -> None:
        """Check the exported entry ``raw`` (an object as ``chain.to_json`` writes it)."""
        try:
            fields = check_entry(raw)
        except EntryFormatError as error:
            self.malformed(error)
            return
        seq, chash, content = fields.seq, fields.content_hash, fields.content
        problem: str | None = None
        if content is not None:
            try:
                computed = sha256_hex(canonical(content))
            except CanonicalizationError as error:
                problem = f"payload has no canonical form: {error}"
            else:
                if computed != chash:
                    problem = _CONTENT_MISMATCH
        self.advance(
            seq, fields.prev_hash, chash, fields.hash, fields.sig, content is None, problem
        )

    def step_line(self, line: CanonicalLine) -> None:
        """Check an entry read from a canonical line (its content hash already recomputed)."""
        matches = line.content_matches
        problem = None if matches is not False else _CONTENT_MISMATCH
        self.advance(
            line.seq,
            line.prev_hash,
            line.content_hash,
            line.hash,
            line.sig,
            matches is None,
            problem,
        )

    def malformed(self, error: EntryFormatError) -> None:
        """An entry that is not well formed: a break, and the next entry is an anchor."""
        self.count += 1
        expected = self.expected
        claimed = error.seq if error.seq is not None else expected
        self.broken(expected if expected is not None else (claimed or 0), str(error))
        self.linked = False
        self.expected = None if claimed is None else claimed + 1

    def advance(
        self,
        seq: int,
        prev_hash: str,
        chash: str,
        ehash: str,
        sig: str,
        redacted: bool,
        content_problem: str | None,
    ) -> None:
        """A well-formed entry: its seq, its link to the previous one, its content, its sig."""
        self.count += 1
        self.head = (seq, ehash)
        if redacted:
            self.redacted += 1
        expected = self.expected
        linked = self.linked
        if expected is not None and seq != expected:
            kind = "entries missing" if seq > expected else "out of order"
            self.broken(expected, f"expected seq {expected}, found {seq} ({kind})")
            linked = False
        if linked:
            if prev_hash != self.prev_hash:
                self.broken(seq, f"prev_hash is not the hash of entry {self.prev_seq}")
            elif _checked_entry_hash(seq, prev_hash, self.prev_sig, chash) != ehash:
                self.broken(seq, "hash does not match seq, prev_hash, prev_sig, content_hash")
        if content_problem is not None:
            self.broken(seq, content_problem)
        if self.all_signatures and not self.signature_ok(ehash, sig):
            self.bad_signature(seq)
        if self.prefix_open:
            self.prefix.add(seq, ehash, sig)
        self.linked = True
        self.prev_seq, self.prev_hash, self.prev_sig = seq, ehash, sig
        self.expected = seq + 1

    def search_signatures(self) -> None:
        """Default mode: the prefix's last signature, then a binary search if it fails."""
        size = len(self.prefix)
        if size == 0 or self.signature_ok(*self.prefix.hash_and_sig(size - 1)):
            return
        low, high = 0, size - 1  # the signature at `high` is known not to verify
        while low < high:
            middle = (low + high) // 2
            if self.signature_ok(*self.prefix.hash_and_sig(middle)):
                low = middle + 1
            else:
                high = middle
        self.first_bad_sig = self.prefix.first_seq + low
        self.problem(self.first_bad_sig, _BAD_SIGNATURE)

    def finish(self, trailer: Checkpoint | None, receipts: Iterable[Checkpoint]) -> Report:
        if not self.all_signatures:
            self.search_signatures()
        if self.first_bad_sig is not None:
            self.blames.append(self.first_bad_sig)
        head = self.head
        end_seq = head[0] if head is not None else (self.start_seq or 1) - 1
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
            head_seq=None if head is None else head[0],
            head_hash=None if head is None else head[1],
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
    walk = Walk(keyring, all_signatures, start_seq, max_problems, trailer_required)
    for raw in entries:
        walk.step(raw)
    return walk.finish(trailer, checkpoints)
