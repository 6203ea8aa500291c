"""Ledger entries and the rules that chain them: content hash, entry hash, signature, redaction.

An entry's ``content_hash`` is the hex SHA-256 of the JCS bytes of its content
``{"time", "actor", "type", "payload", "party_sig"}``; its ``hash`` is the hex SHA-256 of the JCS
bytes of ``{"seq", "prev_hash", "prev_sig", "content_hash"}``, where ``prev_hash`` and ``prev_sig``
are the previous entry's ``hash`` and ``sig`` (64 zeros and ``""`` before seq 1); its ``sig`` is
the server's Ed25519 signature of the ASCII bytes ``"sharedsky-ledger-v1:" + hash``. Each hash thus
commits to the previous hash *and* signature: a signature replaced anywhere breaks the next link,
and one valid signature on the head authenticates every entry before it. A redacted entry drops
the content but keeps ``content_hash``, so its chain and signature still verify.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from json.encoder import encode_basestring
from typing import NamedTuple, cast

from sharedsky.ledger.canonical import (
    MAX_SAFE_INT,
    CanonicalizationError,
    JsonObject,
    JsonValue,
    canonical,
    sha256_hex,
)
from sharedsky.ledger.signing import Signer

__all__ = [
    "ENTRY_PREFIX",
    "GENESIS_HASH",
    "GENESIS_SIG",
    "ChainError",
    "Content",
    "Entry",
    "EntryFields",
    "EntryFormatError",
    "Link",
    "PartySig",
    "append",
    "check_entry",
    "check_time",
    "content_hash",
    "entry_hash",
    "entry_message",
    "format_time",
    "from_json",
    "parse_time",
    "redact",
    "to_json",
]

GENESIS_HASH = "0" * 64
"""The ``prev_hash`` of entry 1."""
GENESIS_SIG = ""
"""The ``prev_sig`` that entry 1's hash commits to."""
ENTRY_PREFIX = "sharedsky-ledger-v1:"
"""The server signs ``ENTRY_PREFIX + hash`` (ASCII) for every entry."""

_HEX64 = re.compile(r"[0-9a-f]{64}")
# a signature is 64 bytes: 86 base64url characters, the last one's 4 low bits zero
_CHAIN_FIELDS = re.compile(r"[0-9a-f]{64}:[0-9a-f]{64}:[0-9a-f]{64}:[A-Za-z0-9_-]{85}[AQgw]")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")
_FULL_FIELDS = frozenset(
    {"seq", "time", "actor", "type", "payload", "party_sig", "prev_hash", "content_hash"}
    | {"hash", "sig"}
)
_REDACTED_FIELDS = frozenset({"seq", "prev_hash", "content_hash", "hash", "sig", "redacted"})
_PARTY_SIG_FIELDS = frozenset({"key_id", "sig"})


class ChainError(ValueError):
    """An append that would break the chain (a seq that is not the next one)."""


class EntryFormatError(ValueError):
    """An exported entry that is not well formed: which entry, which field, what is wrong."""

    def __init__(self, seq: int | None, field: str, reason: str) -> None:
        where = "entry (seq unknown)" if seq is None else f"entry {seq}"
        super().__init__(f"{where}: {field}: {reason}" if field else f"{where}: {reason}")
        self.seq = seq
        self.field = field
        self.reason = reason


def format_time(moment: datetime) -> str:
    """``moment`` (timezone-aware) in the ledger's form: UTC, microseconds, ``Z``.

    ``2026-11-25T06:00:00.123456Z``; ValueError for a naive datetime.
    """
    if moment.utcoffset() is None:
        raise ValueError("a ledger time must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def check_time(text: str) -> bool:
    """True when ``text`` is a ledger time: ``YYYY-MM-DDTHH:MM:SS.ffffffZ``, a real instant."""
    if not _TIME.fullmatch(text):
        return False
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def parse_time(text: str) -> datetime:
    """The UTC instant of ledger time ``text``; ValueError unless ``check_time(text)``."""
    if not check_time(text):
        raise ValueError(f"not a ledger time (YYYY-MM-DDTHH:MM:SS.ffffffZ): {text!r}")
    return datetime.fromisoformat(text)


@dataclass(frozen=True, slots=True)
class PartySig:
    """A party's detached signature over its submission; the chain only carries it."""

    key_id: str
    sig: str

    def to_json(self) -> dict[str, JsonValue]:
        """``{"key_id", "sig"}``."""
        return {"key_id": self.key_id, "sig": self.sig}


@dataclass(frozen=True, slots=True)
class Content:
    """What an entry records; ``content_hash`` commits to all of it."""

    time: str
    """When the server recorded the event, ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (UTC)."""
    actor: str
    """Who caused it (an operator, a party, ``"server"`` for deadlines …)."""
    type: str
    """The event type, e.g. ``notice.filed``."""
    payload: JsonObject
    """The event's data; a JSON object with a canonical form (no NaN, integers within ±2**53)."""
    party_sig: PartySig | None
    """The submitting party's signature over its request body, when it signed one."""

    def to_json(self) -> dict[str, JsonValue]:
        """``{"time", "actor", "type", "payload", "party_sig"}``: what ``content_hash`` hashes."""
        return {
            "time": self.time,
            "actor": self.actor,
            "type": self.type,
            "payload": self.payload,
            "party_sig": None if self.party_sig is None else self.party_sig.to_json(),
        }


@dataclass(frozen=True, slots=True)
class Link:
    """What the next entry needs of the previous one: its seq, hash and signature."""

    seq: int
    hash: str
    sig: str


@dataclass(frozen=True, slots=True)
class Entry:
    """One signed ledger entry; ``content`` is None when the entry is redacted."""

    seq: int
    """Position in the ledger: 1 for the first entry, each next one + 1, no gaps."""
    prev_hash: str
    """The previous entry's ``hash`` (64 zeros for seq 1)."""
    content_hash: str
    """Hex SHA-256 of the JCS bytes of the content (see ``content_hash``)."""
    hash: str
    """Hex SHA-256 of the JCS bytes of ``{seq, prev_hash, prev_sig, content_hash}``."""
    sig: str
    """The server's Ed25519 signature of ``"sharedsky-ledger-v1:" + hash``, unpadded base64url."""
    content: Content | None
    """Time, actor, type, payload and party signature; None in a redacted entry."""

    @property
    def redacted(self) -> bool:
        """True when the content was withheld from the viewer."""
        return self.content is None

    @property
    def link(self) -> Link:
        """This entry as the next one's predecessor."""
        return Link(self.seq, self.hash, self.sig)


def content_hash(content: Content) -> str:
    """Hex SHA-256 of the JCS bytes of ``content.to_json()``.

    Raises ``CanonicalizationError`` when the payload has no canonical form.
    """
    return sha256_hex(canonical(content.to_json()))


def entry_hash(seq: int, prev_hash: str, prev_sig: str, content_hash: str) -> str:
    """Hex SHA-256 of the JCS bytes of ``{"seq", "prev_hash", "prev_sig", "content_hash"}``.

    ValueError when ``seq`` is not an integer in 1 … 2**53 - 1.
    """
    if type(seq) is not int or not 0 < seq <= MAX_SAFE_INT:
        raise ValueError(f"seq must be an integer in 1 … 2**53 - 1, not {seq!r}")
    # the keys in JCS order, each string escaped as JCS does (see canonical_string), written
    # directly: this runs once per entry when verifying
    text = (
        f'{{"content_hash":{encode_basestring(content_hash)},'
        f'"prev_hash":{encode_basestring(prev_hash)},'
        f'"prev_sig":{encode_basestring(prev_sig)},"seq":{seq}}}'
    )
    try:
        data = text.encode()
    except UnicodeEncodeError as error:  # a lone surrogate, as canonical_string says
        raise CanonicalizationError("input contains non-UTF-8 codepoints") from error
    return hashlib.sha256(data).hexdigest()


def entry_message(hash: str) -> bytes:
    """The bytes the server signs for the entry whose hash is ``hash``."""
    return (ENTRY_PREFIX + hash).encode("ascii")


def append(
    prev: Link | None,
    seq: int,
    time: str,
    actor: str,
    type: str,
    payload: JsonObject,
    party_sig: PartySig | None,
    signer: Signer,
) -> Entry:
    """The complete signed entry ``seq`` that follows ``prev`` (None: the first entry).

    Raises ``ChainError`` when ``seq`` is not ``prev.seq + 1`` (1 without ``prev``), ValueError
    when ``time`` is not a ledger time (see ``format_time``), and ``CanonicalizationError``
    when the payload has no canonical form. The payload is copied one level deep; do not
    mutate the values inside it afterwards.
    """
    expected = 1 if prev is None else prev.seq + 1
    if seq != expected:
        raise ChainError(f"the entry after seq {expected - 1} is seq {expected}, not {seq}")
    if not check_time(time):
        raise ValueError(f"not a ledger time (YYYY-MM-DDTHH:MM:SS.ffffffZ): {time!r}")
    content = Content(time, actor, type, dict(payload), party_sig)
    chash = content_hash(content)
    prev_hash, prev_sig = (GENESIS_HASH, GENESIS_SIG) if prev is None else (prev.hash, prev.sig)
    ehash = entry_hash(seq, prev_hash, prev_sig, chash)
    return Entry(seq, prev_hash, chash, ehash, signer.sign(entry_message(ehash)), content)


def redact(entry: Entry) -> Entry:
    """``entry`` without its content: what a party that may not see it receives."""
    return Entry(entry.seq, entry.prev_hash, entry.content_hash, entry.hash, entry.sig, None)


def to_json(entry: Entry) -> dict[str, JsonValue]:
    """The exported form of ``entry`` (a redacted one carries ``"redacted": true``)."""
    if entry.content is None:
        return {
            "seq": entry.seq,
            "prev_hash": entry.prev_hash,
            "content_hash": entry.content_hash,
            "hash": entry.hash,
            "sig": entry.sig,
            "redacted": True,
        }
    return {
        "seq": entry.seq,
        **entry.content.to_json(),
        "prev_hash": entry.prev_hash,
        "content_hash": entry.content_hash,
        "hash": entry.hash,
        "sig": entry.sig,
    }


def _chain_field_error(obj: Mapping[str, object], seq: int) -> EntryFormatError:
    """What is wrong with the hashes or the signature of ``obj`` (one of them is)."""
    for name in ("prev_hash", "content_hash", "hash", "sig"):
        value = obj[name]
        if type(value) is not str:
            return EntryFormatError(seq, name, "must be a string")
        if name != "sig" and not _HEX64.fullmatch(value):
            return EntryFormatError(seq, name, "must be 64 lower-case hex characters")
    return EntryFormatError(seq, "sig", "must be 86 characters of canonical base64url")


def _check_party_sig(value: object, seq: int) -> None:
    if value is None:
        return
    if type(value) is not dict or value.keys() != _PARTY_SIG_FIELDS:
        raise EntryFormatError(seq, "party_sig", 'must be null or {"key_id", "sig"}')
    if type(value["key_id"]) is not str or type(value["sig"]) is not str:
        raise EntryFormatError(seq, "party_sig", "key_id and sig must be strings")


def _fields(obj: Mapping[str, object], seq: int, expected: frozenset[str]) -> None:
    keys = obj.keys()
    if keys == expected:
        return
    missing = sorted(expected - keys)
    if missing:
        raise EntryFormatError(seq, missing[0], "missing")
    raise EntryFormatError(seq, sorted(keys - expected)[0], "unknown field")


class EntryFields(NamedTuple):
    """The fields of a well-formed exported entry, checked (see ``check_entry``)."""

    seq: int
    prev_hash: str
    content_hash: str
    hash: str
    sig: str
    content: dict[str, JsonValue] | None
    """``{"time", "actor", "type", "payload", "party_sig"}`` as ``content_hash`` hashes them
    (``Content.to_json()``); None in a redacted entry. Its values are ``obj``'s own."""


def check_entry(obj: object) -> EntryFields:
    """The fields of the entry exported as ``obj`` (see ``to_json``), checked strictly.

    Raises ``EntryFormatError`` naming the seq and the field: a missing or unknown field, a
    value of the wrong type or form (hashes are 64 lower-case hex characters, signatures 86
    canonical base64url characters, times ``YYYY-MM-DDTHH:MM:SS.ffffffZ``). Whether the payload
    has a canonical form is found when its hash is computed. ``from_json`` without the objects:
    verification runs it for every entry.
    """
    # written for speed: the checks of the usual case inline, the helpers only to name what
    # is wrong
    if type(obj) is not dict:
        raise EntryFormatError(None, "", "an entry must be a JSON object")
    seq = obj.get("seq")
    if type(seq) is not int or not 0 < seq <= MAX_SAFE_INT:
        raise EntryFormatError(None, "seq", "must be an integer in 1 … 2**53 - 1")
    redacted = "redacted" in obj
    _fields(obj, seq, _REDACTED_FIELDS if redacted else _FULL_FIELDS)
    prev_hash, chash, ehash, sig = obj["prev_hash"], obj["content_hash"], obj["hash"], obj["sig"]
    if not (
        type(prev_hash) is str
        and type(chash) is str
        and type(ehash) is str
        and type(sig) is str
        and _CHAIN_FIELDS.fullmatch(f"{prev_hash}:{chash}:{ehash}:{sig}")
    ):
        raise _chain_field_error(obj, seq)
    if redacted:
        if obj["redacted"] is not True:
            raise EntryFormatError(seq, "redacted", "must be true when present")
        return EntryFields(seq, prev_hash, chash, ehash, sig, None)
    time, actor, kind, payload = obj["time"], obj["actor"], obj["type"], obj["payload"]
    if type(time) is not str or not check_time(time):
        raise EntryFormatError(seq, "time", "must be YYYY-MM-DDTHH:MM:SS.ffffffZ (UTC)")
    if type(actor) is not str:
        raise EntryFormatError(seq, "actor", "must be a string")
    if type(kind) is not str:
        raise EntryFormatError(seq, "type", "must be a string")
    if type(payload) is not dict:
        raise EntryFormatError(seq, "payload", "must be a JSON object")
    party_sig = obj["party_sig"]
    _check_party_sig(party_sig, seq)
    content: dict[str, JsonValue] = {
        "time": time,
        "actor": actor,
        "type": kind,
        "payload": payload,
        "party_sig": party_sig,
    }
    return EntryFields(seq, prev_hash, chash, ehash, sig, content)


def from_json(obj: object) -> Entry:
    """The entry exported as ``obj`` (see ``to_json``), checked strictly.

    Raises ``EntryFormatError`` naming the seq and the field (see ``check_entry``).
    """
    seq, prev_hash, chash, ehash, sig, content = check_entry(obj)
    if content is None:
        return Entry(seq, prev_hash, chash, ehash, sig, None)
    party_sig = cast(dict[str, str] | None, content["party_sig"])
    return Entry(
        seq,
        prev_hash,
        chash,
        ehash,
        sig,
        Content(
            cast(str, content["time"]),
            cast(str, content["actor"]),
            cast(str, content["type"]),
            cast(JsonObject, content["payload"]),
            None if party_sig is None else PartySig(party_sig["key_id"], party_sig["sig"]),
        ),
    )
