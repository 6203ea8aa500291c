"""Signed review reports: the server's statement "this file, of this period, read the ledger up
to this seq" (R-REVIEW-2).

The server signs ``"sharedsky-report-v1:" + JCS({"sha256", "from", "to", "head_seq"})``, where
``sha256`` is the hex SHA-256 of the report file's bytes and ``from``/``to`` bound the period
(ledger times). The signature travels beside the report (``FILE.sig``, the JSON of
``ReportSignature``) and the same figures are appended to the ledger (``report.published``), so
a reader checks the file against the key ring and finds its hash in the ledger.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sharedsky.ledger.canonical import MAX_SAFE_INT, JsonValue, canonical
from sharedsky.ledger.chain import check_time
from sharedsky.ledger.signing import SERVER, KeyRing, Signer, verify

__all__ = [
    "REPORT_PREFIX",
    "ReportFormatError",
    "ReportSignature",
    "file_sha256",
    "report_message",
    "report_problem",
    "sign_report",
]

REPORT_PREFIX = "sharedsky-report-v1:"
"""The server signs ``REPORT_PREFIX`` (ASCII) followed by JCS of the report's statement."""

_FIELDS = frozenset({"sha256", "from", "to", "head_seq", "key_id", "sig"})


class ReportFormatError(ValueError):
    """A report signature document that is not well formed."""


@dataclass(frozen=True, slots=True)
class ReportSignature:
    """The server's signature of one report file."""

    sha256: str
    """Hex SHA-256 of the report file's bytes."""
    start: str
    """The period's start, as the ledger writes times."""
    end: str
    """The period's end (excluded), as the ledger writes times."""
    head_seq: int
    """The newest ledger entry the report read."""
    key_id: str
    sig: str
    """Ed25519 signature of ``report_message(...)``, unpadded base64url."""

    def to_json(self) -> dict[str, JsonValue]:
        """``{"sha256", "from", "to", "head_seq", "key_id", "sig"}``."""
        return {
            "sha256": self.sha256,
            "from": self.start,
            "to": self.end,
            "head_seq": self.head_seq,
            "key_id": self.key_id,
            "sig": self.sig,
        }

    @classmethod
    def from_json(cls, obj: object) -> ReportSignature:
        """The signature document ``obj``; ReportFormatError naming the field."""
        if type(obj) is not dict or obj.keys() != _FIELDS:
            raise ReportFormatError(
                f"a report signature is an object with exactly the fields {sorted(_FIELDS)}"
            )
        head_seq = obj["head_seq"]
        if type(head_seq) is not int or not 0 <= head_seq <= MAX_SAFE_INT:
            raise ReportFormatError("head_seq: must be an integer in 0 … 2**53 - 1")
        for name in ("sha256", "from", "to", "key_id", "sig"):
            if type(obj[name]) is not str:
                raise ReportFormatError(f"{name}: must be a string")
        for name in ("from", "to"):
            if not check_time(obj[name]):
                raise ReportFormatError(f"{name}: must be YYYY-MM-DDTHH:MM:SS.ffffffZ (UTC)")
        return cls(obj["sha256"], obj["from"], obj["to"], head_seq, obj["key_id"], obj["sig"])


def file_sha256(data: bytes) -> str:
    """The hex SHA-256 of a report file's bytes."""
    return hashlib.sha256(data).hexdigest()


def report_message(sha256: str, start: str, end: str, head_seq: int) -> bytes:
    """The bytes the server signs for a report."""
    statement = {"sha256": sha256, "from": start, "to": end, "head_seq": head_seq}
    return REPORT_PREFIX.encode("ascii") + canonical(statement)


def sign_report(
    signer: Signer, sha256: str, start: str, end: str, head_seq: int
) -> ReportSignature:
    """The server's signature of the report whose file hashes to ``sha256``."""
    sig = signer.sign(report_message(sha256, start, end, head_seq))
    return ReportSignature(sha256, start, end, head_seq, signer.key_id, sig)


def report_problem(keyring: KeyRing, signature: ReportSignature, data: bytes) -> str | None:
    """Why ``signature`` does not prove the report ``data``, or None when it does."""
    if file_sha256(data) != signature.sha256:
        return "the file's SHA-256 is not the one signed"
    key = keyring.get(signature.key_id)
    if key is None:
        return f"key {signature.key_id!r} is not in the key ring"
    if key.owner != SERVER:
        return f"key {signature.key_id!r} is not a server key"
    message = report_message(signature.sha256, signature.start, signature.end, signature.head_seq)
    if not verify(key.public_key, message, signature.sig):
        return "the signature does not verify"
    return None
