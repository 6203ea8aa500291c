"""A verifier of ledger exports written from docs/ledger-format.md alone, with none of sharedsky.

It imports nothing of ``sharedsky`` (only the standard library, ``cryptography`` and
``rfc8785``, the JCS the format names), so that the reference implementation can be checked
against a second reading of the format rather than against itself. It is written to be plainly
right, not fast: every line is read by the standard library, every hash recomputed with
``rfc8785``, and every signature of the run checked (it stops at the first break, after which
the format says nothing more counts).

``verify_export(data, ring)`` reads the bytes of an export; ``verify_entries`` takes entries
already read. Both give a ``Verdict``: the line a reader must refuse, or the first bad seq (the
lowest seq at which the log is proven not to be what the server signed) and a reason class.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

# reason classes of the first bad seq ---------------------------------------------------------

FORM = "form"
"""An entry without exactly the members of the format, of their types and forms."""
SEQUENCE = "sequence"
"""An entry whose seq is not the expected one (deleted, swapped, duplicated entries)."""
PREV_HASH = "prev_hash"
"""An entry whose prev_hash is not the previous entry's hash."""
HASH = "hash"
"""An entry whose hash is not the hash of its seq, prev_hash, previous sig and content_hash."""
CONTENT = "content"
"""An entry whose content_hash is not the hash of its content (or whose content has no JCS)."""
SIGNATURE = "signature"
"""The first entry of the run whose signature no server key verifies."""
CHECKPOINT = "checkpoint"
"""A valid server checkpoint (the trailer or a kept one) that the run contradicts."""
END = "end"
"""The end of the log is unproven: no trailer, an invalid one, one naming another seq, or a
kept checkpoint beyond the last entry."""

_ZEROS = "0" * 64
_HEX64 = re.compile(r"[0-9a-f]{64}")
_SIG86 = re.compile(r"[A-Za-z0-9_-]{86}")
_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")
_FULL = {"seq", "time", "actor", "type", "payload", "party_sig"} | {
    "prev_hash",
    "content_hash",
    "hash",
    "sig",
}
_REDACTED = {"seq", "prev_hash", "content_hash", "hash", "sig", "redacted"}
_CHECKPOINT = {"seq", "hash", "time", "key_id", "sig"}
_MAX_INT = 2**53 - 1


@dataclass(frozen=True)
class Verdict:
    """What the outside verifier found."""

    refused_line: int | None = None
    """The 1-based number of the first line a reader must refuse; None when every line reads."""
    first_bad_seq: int | None = None
    """The lowest seq proven bad; None when the export verifies (or was refused)."""
    reason: str | None = None
    """The class of that finding (``FORM`` ... ``END``)."""
    entries: int = 0
    """The entries read."""

    @property
    def ok(self) -> bool:
        return self.refused_line is None and self.first_bad_seq is None


class Refused(Exception):
    """A line of an export that a reader must refuse."""

    def __init__(self, line: int) -> None:
        super().__init__(f"line {line}")
        self.line = line


# reading -------------------------------------------------------------------------------------


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    if len({key for key, _ in pairs}) != len(pairs):
        raise ValueError("duplicate member name")
    return dict(pairs)


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _is_int(value: object, low: int) -> bool:
    return type(value) is int and low <= value <= _MAX_INT


def _is_time(value: object) -> bool:
    if type(value) is not str or _TIME.fullmatch(value) is None:
        return False
    try:
        datetime.strptime(value[:-1] + "+0000", "%Y-%m-%dT%H:%M:%S.%f%z")  # a real instant
    except ValueError:
        return False
    return True


def read_export(data: bytes) -> tuple[list[object], dict[str, Any] | None]:
    """The entry objects and the trailer's checkpoint of an export; ``Refused`` for a bad line.

    Lines are split on the byte 0x0A only; a last line may lack its 0x0A.
    """
    pieces = data.split(b"\n")
    if pieces[-1] == b"":
        pieces.pop()
    entries: list[object] = []
    trailer: dict[str, Any] | None = None
    for number, piece in enumerate(pieces, start=1):
        if trailer is not None:
            raise Refused(number)  # a line after the trailer
        try:
            value = json.loads(
                piece.decode("utf-8"),
                object_pairs_hook=_object_without_duplicates,
                parse_constant=_no_constants,
            )
        except (ValueError, RecursionError) as error:
            raise Refused(number) from error
        if type(value) is not dict:
            raise Refused(number)
        if set(value) == {"checkpoint"}:
            cp = value["checkpoint"]
            if not (
                type(cp) is dict
                and set(cp) == _CHECKPOINT
                and _is_int(cp["seq"], 0)
                and all(type(cp[name]) is str for name in ("hash", "key_id", "sig"))
                and _is_time(cp["time"])
            ):
                raise Refused(number)  # a malformed trailer
            trailer = cp
        else:
            entries.append(value)
    return entries, trailer


# checking ------------------------------------------------------------------------------------


def _b64(text: str) -> bytes | None:
    """The bytes of canonical unpadded base64url ``text``; None for any other text."""
    if re.fullmatch(r"[A-Za-z0-9_-]*", text) is None or len(text) % 4 == 1:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None
    if base64.urlsafe_b64encode(raw).decode().rstrip("=") != text:
        return None  # the unused low bits of the last character are not zero
    return raw


def _signed_by(keys: Iterable[Ed25519PublicKey], message: bytes, sig: str) -> bool:
    raw = _b64(sig)
    if raw is None or len(raw) != 64:
        return False
    for key in keys:
        try:
            key.verify(raw, message)
        except InvalidSignature:
            continue
        return True
    return False


def _sha256_jcs(value: object) -> str:
    return hashlib.sha256(rfc8785.dumps(value)).hexdigest()


def _well_formed(entry: object) -> bool:
    if type(entry) is not dict or not _is_int(entry.get("seq"), 1):
        return False
    redacted = "redacted" in entry
    if set(entry) != (_REDACTED if redacted else _FULL):
        return False
    for name in ("prev_hash", "content_hash", "hash"):
        if type(entry[name]) is not str or _HEX64.fullmatch(entry[name]) is None:
            return False
    sig = entry["sig"]
    if type(sig) is not str or _SIG86.fullmatch(sig) is None or _b64(sig) is None:
        return False
    if redacted:
        return entry["redacted"] is True
    party_sig = entry["party_sig"]
    return (
        _is_time(entry["time"])
        and type(entry["actor"]) is str
        and type(entry["type"]) is str
        and type(entry["payload"]) is dict
        and (
            party_sig is None
            or (
                type(party_sig) is dict
                and set(party_sig) == {"key_id", "sig"}
                and type(party_sig["key_id"]) is str
                and type(party_sig["sig"]) is str
            )
        )
    )


def _content_matches(entry: Mapping[str, Any]) -> bool:
    content = {name: entry[name] for name in ("time", "actor", "type", "payload", "party_sig")}
    try:
        return _sha256_jcs(content) == entry["content_hash"]
    except Exception:  # no canonical form (rfc8785 raises its own errors, or UnicodeError)
        return False


def _server_keys(ring: Mapping[str, Any]) -> dict[str, Ed25519PublicKey]:
    keys: dict[str, Ed25519PublicKey] = {}
    for key in ring["keys"]:
        if key["owner"] != "server":
            continue
        raw = _b64(key["public_key"])
        if raw is None or hashlib.sha256(raw).hexdigest()[:16] != key["key_id"]:
            raise ValueError(f"key {key['key_id']} does not match its public key")
        keys[key["key_id"]] = Ed25519PublicKey.from_public_bytes(raw)
    return keys


def _valid_checkpoint(keys: Mapping[str, Ed25519PublicKey], cp: Mapping[str, Any]) -> bool:
    key = keys.get(cp["key_id"])
    if key is None:
        return False
    signed = {"seq": cp["seq"], "hash": cp["hash"], "time": cp["time"]}
    message = b"sharedsky-checkpoint-v1:" + rfc8785.dumps(signed)
    return _signed_by([key], message, cp["sig"])


def verify_entries(
    entries: list[object],
    trailer: Mapping[str, Any] | None,
    ring: Mapping[str, Any],
    checkpoints: Iterable[Mapping[str, Any]] = (),
) -> Verdict:
    """Verify a full export (from seq 1) read as ``entries`` and ``trailer`` (checkpoint objects
    as in the export: seq, hash, time, key_id, sig) under the key ring ``ring`` (its JSON)."""
    keys = _server_keys(ring)
    # 1. the walk: the run is every entry before the first break
    run: list[Mapping[str, Any]] = []
    broken: tuple[int, str] | None = None
    prev_hash, prev_sig = _ZEROS, ""
    for entry in entries:
        expected = len(run) + 1
        if not _well_formed(entry):
            broken = (expected, FORM)
        elif entry["seq"] != expected:
            broken = (expected, SEQUENCE)
        elif entry["prev_hash"] != prev_hash:
            broken = (expected, PREV_HASH)
        elif entry["hash"] != _sha256_jcs(
            {
                "seq": expected,
                "prev_hash": prev_hash,
                "prev_sig": prev_sig,
                "content_hash": entry["content_hash"],
            }
        ):
            broken = (expected, HASH)
        elif "redacted" not in entry and not _content_matches(entry):
            broken = (expected, CONTENT)
        if broken is not None:
            break
        run.append(entry)
        prev_hash, prev_sig = entry["hash"], entry["sig"]
    blamed: list[tuple[int, str]] = [] if broken is None else [broken]
    # 2. signatures: the first one of the run that no server key verifies
    for entry in run:
        message = b"sharedsky-ledger-v1:" + entry["hash"].encode("ascii")
        if not _signed_by(keys.values(), message, entry["sig"]):
            blamed.append((entry["seq"], SIGNATURE))
            break
    # 3. and 4. the trailer and the kept checkpoints
    last = len(run)
    hashes = {0: _ZEROS} | {entry["seq"]: entry["hash"] for entry in run}
    valid = [cp for cp in checkpoints if _valid_checkpoint(keys, cp)]
    if trailer is not None and _valid_checkpoint(keys, trailer):
        valid.append(trailer)
        if broken is None and trailer["seq"] != last:
            blamed.append((min(last, trailer["seq"]) + 1, END))
    elif broken is None:
        blamed.append((last + 1, END))
    for cp in valid:
        if cp["seq"] <= last and hashes[cp["seq"]] != cp["hash"]:
            blamed.append((cp["seq"], CHECKPOINT))
        elif cp["seq"] > last and broken is None and cp is not trailer:
            blamed.append((last + 1, END))
    if not blamed:
        return Verdict(entries=len(entries))
    seq, reason = min(blamed, key=lambda found: found[0])
    return Verdict(first_bad_seq=seq, reason=reason, entries=len(entries))


def verify_export(
    data: bytes, ring: Mapping[str, Any], checkpoints: Iterable[Mapping[str, Any]] = ()
) -> Verdict:
    """Read and verify the full export ``data`` (see ``verify_entries``)."""
    try:
        entries, trailer = read_export(data)
    except Refused as refused:
        return Verdict(refused_line=refused.line)
    return verify_entries(entries, trailer, ring, checkpoints)
