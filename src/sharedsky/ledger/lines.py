"""Export lines checked on their bytes: the fast way to verify what the reference writer wrote.

The reference writer writes each entry as the JCS bytes of its exported object. In such a line
the JCS bytes of the entry's content are the line's own bytes less the chain fields — the
members of ``{"actor", "party_sig", "payload", "time", "type"}`` appear in it, in that order,
written as JCS writes them — so the content hash is taken over three slices of the line, and
the form of every field is checked by two patterns over the line; nothing is written again.
A line is read so when all of this holds:

1. ``orjson`` reads it and writes the value back (keys sorted) as the line's very bytes. The
   line is then read as ``export.parse_line`` reads it, and it is the JCS of its value unless
   it holds what JCS writes otherwise than ``orjson``: integers beyond ±(2**53 - 1) make
   ``orjson`` refuse to write the value (``OPT_STRICT_INTEGER``); strings ``orjson`` escapes
   as JCS does (a test compares every code point), and it reads no lone surrogate; which
   leaves
2. the floats JCS writes otherwise (``5000.0``, exponents, below 1e-4: see ``_JCS_NUMBERS``;
   the payload is searched, the other members hold no number but ``seq``) and keys beyond the
   Basic Multilingual Plane (JCS orders keys by UTF-16 code units, ``orjson`` by code points):
   a line with either is not read so.
3. The patterns match, so the object has exactly the fields of an entry, of the types and forms
   ``chain.check_entry`` demands, its time is a real instant, and the slices are the members
   they are taken for (see ``_TAIL`` for why the payload ends where it is cut).

Any other line gives None and is read and checked the general way, with the same verdicts.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Any, NamedTuple

import orjson

__all__ = ["CanonicalLine", "read_canonical_line"]

_STRING = rb'"(?:[^"\\]++|\\.)*+"'
"""One JSON string token (in JCS, a quote inside a string is always escaped: ``\\"``)."""
_HEX64 = rb'"[0-9a-f]{64}"'
_SIG = rb'"[A-Za-z0-9_-]{85}[AQgw]"'
_SEQ = rb"([1-9][0-9]*)"
_HEAD = re.compile(
    rb'(\{"actor":' + _STRING + rb")"
    rb',"content_hash":' + _HEX64 + rb',"hash":' + _HEX64 + rb""
    rb'(,"party_sig":(?:null|\{"key_id":' + _STRING + rb',"sig":' + _STRING + rb"\})"
    rb',"payload":)\{',
    re.DOTALL,
)
"""An entry line up to its payload; group 1 is its content's first member, group 2 the next."""
_TAIL = re.compile(
    rb',"prev_hash":' + _HEX64 + rb',"seq":' + _SEQ + rb',"sig":' + _SIG + rb""
    rb'(,"time":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z"'
    rb',"type":' + _STRING + rb"\})",
    re.DOTALL,
)
"""An entry line from ``,"prev_hash":`` on; group 2 is its content's last members.

Matched at the last ``,"prev_hash":"`` of the line, which is the member after the payload: a
string cannot hold ``,"``, and one inside the payload would be followed by the end of the line
with a single closing brace outside strings, closing one level only. The object having no
other members (ten in all), the payload is what lies between.
"""
_REDACTED = re.compile(
    rb'\{"content_hash":' + _HEX64 + rb',"hash":' + _HEX64 + rb',"prev_hash":' + _HEX64 + rb""
    rb',"redacted":true,"seq":' + _SEQ + rb',"sig":' + _SIG + rb"\}"
)
_JCS_NUMBERS = re.compile(
    rb"(?:[^\"eE.0-9-]++|" + _STRING + rb""
    rb"|-?(?:[1-9][0-9]*+|0)(?![0-9.eE])"
    rb"|-?(?:[1-9][0-9]*+|0(?=\.(?!0000)))\.[0-9]*+(?<=[1-9])(?![eE])"
    rb"|(?<=[us])e)*+",
    re.DOTALL,
)
"""JSON text (as ``orjson`` writes it) whose numbers JCS writes alike: integers, and floats
with a fraction and no exponent, at least 1e-4 in size (``repr`` then writes them as ``orjson``
does, and as JCS does: see ``canonical``). Not: ``5000.0`` (JCS: ``5000``), ``1e-7``,
``0.00001``. The ``e`` of true and false is allowed."""
_DIGITS_AS_0 = bytes.maketrans(b"123456789", b"000000000")
"""Every digit as 0: every float then holds ``0.``, ``0e`` or ``0E``."""
_ASTRAL = re.compile(rb"[\xf0-\xff]")
_FULL_SIZE = 10
_REDACTED_SIZE = 6
_PREV_HASH = b',"prev_hash":"'
_WRITE = orjson.OPT_SORT_KEYS | orjson.OPT_STRICT_INTEGER


class CanonicalLine(NamedTuple):
    """A well-formed entry read from a canonical line, its content hash recomputed."""

    obj: dict[str, Any]
    """The line's value, as ``export.parse_line`` reads it."""
    seq: int
    prev_hash: str
    content_hash: str
    hash: str
    sig: str
    content_matches: bool | None
    """Whether ``content_hash`` is the hash of the content; None for a redacted entry."""


def read_canonical_line(line: bytes) -> CanonicalLine | None:
    """The entry on ``line`` (its ``\\n`` included or not) if it qualifies (see the module)."""
    # written for speed: no copy of the line, and each check made once
    end = len(line) - 1 if line.endswith(b"\n") else len(line)
    try:
        obj = orjson.loads(line)
        if type(obj) is not dict:
            return None
        written = orjson.dumps(obj, option=_WRITE)
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        return None
    if len(written) != end or not line.startswith(written):
        return None
    size = len(obj)
    if size == _REDACTED_SIZE:
        if _REDACTED.fullmatch(line, 0, end) is None:
            return None
        matches = None
    elif size == _FULL_SIZE:
        head = _HEAD.match(line, 0, end)
        if head is None:
            return None
        start = head.end() - 1  # the payload's opening brace
        cut = line.rfind(_PREV_HASH, start, end)
        tail = _TAIL.fullmatch(line, cut, end) if cut > 0 else None
        if (
            tail is None
            or not _numbers_as_jcs(line, start, cut)
            or not (line.isascii() or _ASTRAL.search(line) is None or _jcs_order(obj["payload"]))
            or not _real_instant(obj["time"])
        ):
            return None
        digest = hashlib.sha256(head.group(1))
        digest.update(line[head.start(2) : cut])
        digest.update(tail.group(2))
        matches = digest.hexdigest() == obj["content_hash"]
    else:
        return None
    return CanonicalLine(
        obj, obj["seq"], obj["prev_hash"], obj["content_hash"], obj["hash"], obj["sig"], matches
    )


def _numbers_as_jcs(text: bytes, start: int, end: int) -> bool:
    """Whether JCS writes every number in ``text[start:end]`` as it is written there."""
    marked = text[start:end].translate(_DIGITS_AS_0)
    if b"0." not in marked and b"0e" not in marked and b"0E" not in marked:
        return True  # no float: the usual case, found without a pattern
    return _JCS_NUMBERS.fullmatch(text, start, end) is not None


def _jcs_order(value: Any) -> bool:
    """Whether no key in ``value`` (parsed JSON) holds a character beyond the BMP."""
    if type(value) is dict:
        return all(
            max(key, default="") <= "\uffff" and _jcs_order(item) for key, item in value.items()
        )
    if type(value) is list:
        return all(_jcs_order(item) for item in value)
    return True


def _real_instant(time: str) -> bool:
    """``chain.check_time`` of a time ``_TAIL`` found in its form (``...SS.ffffffZ``)."""
    try:
        datetime.fromisoformat(time)
    except ValueError:
        return False
    return True
