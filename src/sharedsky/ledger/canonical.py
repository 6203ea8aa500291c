"""Canonical bytes of a JSON value (RFC 8785, JSON Canonicalization Scheme) and SHA-256 in hex.

The ``rfc8785`` library is the definition; ``orjson`` with sorted keys writes the same bytes many
times faster for most values, and is used for those:

- strings: JCS escapes exactly as ``orjson`` (and the standard library's ``json``) does (``\\"``,
  ``\\\\``, ``\\b \\f \\n \\r \\t``, ``\\u00xx`` in lower-case hex for the other control
  characters, nothing else; a test compares every code point);
- keys: sorting by code point (``orjson`` compares UTF-8 bytes, which is the same) equals sorting
  by UTF-16 code unit unless a key holds a character beyond the Basic Multilingual Plane;
- integers within ±(2**53 - 1): both write the decimal digits;
- floats: both write the shortest digits that round-trip (``repr``); ``repr`` uses decimal
  notation for 1e-4 <= |x| < 2**53 as JCS does, and integral floats are turned into ints first
  (JCS writes ``5000.0`` as ``5000``).

Everything else (astral keys, integers beyond ±(2**53 - 1), tiny or huge floats, NaN, the
infinities, non-string keys, other types, lone surrogates) goes to the library, which encodes it
or raises its ``CanonicalizationError``; a property test holds the paths equal. (What ``orjson``
refuses of the rest — a lone surrogate, nesting deeper than it goes — is written by the standard
library's encoder, which agrees with it on all of the above.)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from json.encoder import encode_basestring
from typing import Any, TypeAlias, cast

import orjson
import rfc8785
from rfc8785 import CanonicalizationError, FloatDomainError, IntegerDomainError

__all__ = [
    "MAX_SAFE_INT",
    "CanonicalizationError",
    "FloatDomainError",
    "IntegerDomainError",
    "JsonObject",
    "JsonValue",
    "canonical",
    "canonical_string",
    "sha256_hex",
]

JsonValue: TypeAlias = (
    "bool | int | float | str | Sequence[JsonValue] | Mapping[str, JsonValue] | None"
)
"""A JSON value as Python holds it (lists and tuples are arrays, str-keyed mappings objects)."""
JsonObject: TypeAlias = Mapping[str, JsonValue]
"""A JSON object."""

MAX_SAFE_INT = 2**53 - 1
"""The largest integer magnitude JCS (I-JSON) accepts; beyond it ``IntegerDomainError``."""

_TWO_53 = 2.0**53
_SMALLEST_PLAIN = 1e-4
_ENCODER = json.JSONEncoder(
    ensure_ascii=False,
    sort_keys=True,
    separators=(",", ":"),
    check_circular=False,
    allow_nan=False,
)


_LIBRARY = object()
"""What ``_prepare`` returns for a value the standard library would not encode as JCS does."""


def _prepare(value: Any) -> Any:
    """``value`` ready for the fast encoders, or ``_LIBRARY`` (see the module's docstring).

    Returns ``value`` itself when it is ready as it is; a copy when it holds integral floats,
    which become ints (JCS writes ``5000.0`` as ``5000``, ``-0.0`` as ``0``); ``_LIBRARY``
    for what only the library may judge. Written for speed (it runs over every value of every
    entry verified): one call per container, the leaves judged inline, no copy unless needed.
    """
    kind = type(value)
    kind_is_dict = kind is dict
    if kind_is_dict:
        for name in value:
            if type(name) is not str:
                return _LIBRARY
        names = "".join(value)
        if not (names.isascii() or max(names) <= "\uffff"):
            return _LIBRARY  # an astral key: JCS orders keys by UTF-16 code units
        items = value.values()
    elif kind is list or kind is tuple:
        items = value
    elif kind is str or kind is bool or value is None:
        return value
    else:  # a number, or not JSON: judged as the element of an array
        wrapped = _prepare([value])
        return wrapped if wrapped is _LIBRARY else wrapped[0]
    changes: list[tuple[int, Any]] | None = None
    for index, item in enumerate(items):
        kind = type(item)
        if kind is str or kind is bool or item is None:
            continue
        if kind is int:
            if -MAX_SAFE_INT <= item <= MAX_SAFE_INT:
                continue
            return _LIBRARY
        if kind is float:
            if not -_TWO_53 < item < _TWO_53:  # also NaN and the infinities
                return _LIBRARY
            if not item.is_integer():
                # repr() writes 1e-4 <= |x| < 2**53 without an exponent, as JCS does
                if abs(item) >= _SMALLEST_PLAIN:
                    continue
                return _LIBRARY
            ready: Any = int(item)  # exact below 2**53, and the digits JCS writes
        elif kind is dict or kind is list or kind is tuple:
            ready = _prepare(item)
            if ready is item:
                continue
            if ready is _LIBRARY:
                return _LIBRARY
        else:
            return _LIBRARY
        if changes is None:
            changes = []
        changes.append((index, ready))
    if changes is None:
        return value
    if kind_is_dict:
        names_in_order = list(value)
        copy = dict(value)
        for index, ready in changes:
            copy[names_in_order[index]] = ready
        return copy
    copied = list(value)
    for index, ready in changes:
        copied[index] = ready
    return copied


def canonical(value: object) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of ``value``.

    Raises ``CanonicalizationError`` (a ``ValueError``; ``IntegerDomainError`` and
    ``FloatDomainError`` are its kinds) for what JCS cannot encode: integers beyond
    ±(2**53 - 1), NaN and infinities, non-string keys, lone surrogates, non-JSON types. (For a
    lone surrogate in a key the library lets a UnicodeEncodeError escape; it is re-raised here as
    the ``CanonicalizationError`` that a surrogate in a string value gets.)
    """
    ready = _prepare(value)
    if ready is not _LIBRARY:
        try:
            return orjson.dumps(ready, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:
            pass  # a lone surrogate or deep nesting: the standard library's encoder decides
        try:
            return _ENCODER.encode(ready).encode()
        except UnicodeEncodeError:
            pass  # a lone surrogate: the library raises its own error for it
    try:
        return rfc8785.dumps(cast(Any, value))
    except UnicodeEncodeError as error:  # the library's own error for a lone surrogate in a key
        raise CanonicalizationError("input contains non-UTF-8 codepoints") from error


def canonical_string(text: str) -> str:
    """The JCS form of one string, quotes included (``"a\\nb"`` for ``a`` newline ``b``).

    Raises ``CanonicalizationError`` when ``text`` holds a lone surrogate (it is not UTF-8).
    """
    encoded = encode_basestring(text)
    try:
        encoded.encode()
    except UnicodeEncodeError as error:
        raise CanonicalizationError("input contains non-UTF-8 codepoints") from error
    return encoded


def sha256_hex(data: bytes) -> str:
    """The SHA-256 digest of ``data`` as 64 lower-case hex characters."""
    return hashlib.sha256(data).hexdigest()
