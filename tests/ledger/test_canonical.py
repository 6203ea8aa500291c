"""Canonical JSON: the fast path writes exactly what rfc8785 writes, or defers to it."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from sharedsky.ledger.canonical import (
    MAX_SAFE_INT,
    CanonicalizationError,
    FloatDomainError,
    IntegerDomainError,
    canonical,
    canonical_string,
    sha256_hex,
)

# every code point, lone surrogates included, with the awkward ones made frequent
_AWKWARD = st.sampled_from(['"', "\\", "\b", "\f", "\n", "\r", "\t", "\x00", "\x1f", "\x7f"])
_ANY_CHAR = st.characters(codec=None, categories=None) | _AWKWARD
_VALID_CHAR = st.characters(exclude_categories=["Cs"]) | _AWKWARD | st.sampled_from(["𝄞", "\uffff"])
_INTS = st.integers() | st.integers(-(2**53) - 2, 2**53 + 2)
_FLOATS = st.floats() | st.floats(-1e-3, 1e-3) | st.integers(-(2**60), 2**60).map(float)


def _json(chars: st.SearchStrategy[str], floats: bool) -> st.SearchStrategy[Any]:
    scalars: st.SearchStrategy[Any] = (
        st.none() | st.booleans() | _INTS | st.text(chars, max_size=12)
    )
    if floats:
        scalars = scalars | _FLOATS
    return st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=5)
            | st.dictionaries(st.text(chars, max_size=6), children, max_size=5)
        ),
        max_leaves=25,
    )


def _outcome(encode: Any, value: Any) -> bytes | type[Exception]:
    try:
        return bytes(encode(value))
    except CanonicalizationError as error:
        return type(error)
    except UnicodeEncodeError:  # rfc8785's error for a lone surrogate in a key
        return CanonicalizationError


def _stdlib(value: Any) -> bytes:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode()


@settings(max_examples=500)
@given(_json(_VALID_CHAR, floats=False))
def test_the_stdlib_encoder_matches_rfc8785_for_values_without_floats_or_astral_keys(
    value: Any,
) -> None:
    """The claim the fast path rests on; big integers are refused by both paths alike."""
    reference = _outcome(rfc8785.dumps, value)
    if reference is IntegerDomainError:
        assert _outcome(canonical, value) is IntegerDomainError
        return
    text = json.dumps(value)
    if any(ord(ch) > 0xFFFF for key in _keys(value) for ch in key):
        return  # the ordering of astral keys is the library's (see the next tests)
    assert reference == _stdlib(value), text
    assert canonical(value) == reference


def _keys(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [*value, *(k for item in value.values() for k in _keys(item))]
    if isinstance(value, list):
        return [k for item in value for k in _keys(item)]
    return []


@settings(max_examples=1000)
@given(_json(_ANY_CHAR, floats=True))
def test_canonical_bytes_equal_rfc8785_for_any_value_or_fail_alike(value: Any) -> None:
    assert _outcome(canonical, value) == _outcome(rfc8785.dumps, value)


@settings(max_examples=1000)
@given(_FLOATS)
def test_every_float_is_written_as_rfc8785_writes_it(number: float) -> None:
    assert _outcome(canonical, [number, {"x": number}]) == _outcome(
        rfc8785.dumps, [number, {"x": number}]
    )


def test_the_rfc_8785_sample_is_reproduced() -> None:
    """RFC 8785 §3.2.2 / §3.2.3, the sample with numbers, an escaped string and literals."""
    value = json.loads(
        '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],'
        '"string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",'
        '"literals": [null, true, false]}'
    )
    expected = (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    )
    assert canonical(value) == expected.encode()


def test_keys_are_ordered_by_utf16_code_units_not_by_code_points() -> None:
    """U+1D11E is D834 DD1E in UTF-16, which sorts before U+FFFF (and after U+D7FF)."""
    value = {"\uffff": 1, "𝄞": 2, "\ud7ff": 3, "a": 4}
    assert canonical(value) == '{"a":4,"\ud7ff":3,"𝄞":2,"\uffff":1}'.encode()


def test_integral_floats_are_written_as_integers() -> None:
    assert (
        canonical({"alt_m": 5000.0, "zero": -0.0, "x": 2.5}) == b'{"alt_m":5000,"x":2.5,"zero":0}'
    )


def test_tuples_are_arrays_and_nested_values_are_copied_not_changed() -> None:
    value: dict[str, Any] = {"a": (1.0, [2.0, "x"]), "b": [None, True]}
    assert canonical(value) == b'{"a":[1,[2,"x"]],"b":[null,true]}'
    assert value == {"a": (1.0, [2.0, "x"]), "b": [None, True]}
    assert type(value["a"][1][0]) is float


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (2**53, IntegerDomainError),
        ({"n": -(2**53)}, IntegerDomainError),
        ([float("nan")], FloatDomainError),
        (float("inf"), FloatDomainError),
        ({1: "x"}, CanonicalizationError),
        ({"k": "\ud800"}, CanonicalizationError),
        ({"\udc00": 1}, CanonicalizationError),
        ({"k": {1, 2}}, CanonicalizationError),
        (b"bytes", CanonicalizationError),
    ],
)
def test_values_without_a_canonical_form_are_refused(value: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        canonical(value)


def test_the_largest_safe_integers_are_accepted() -> None:
    assert canonical([MAX_SAFE_INT, -MAX_SAFE_INT]) == b"[9007199254740991,-9007199254740991]"


def test_a_string_is_quoted_and_escaped_as_in_jcs() -> None:
    assert canonical_string('a"\\\n\x01é𝄞\u2028') == '"a\\"\\\\\\n\\u0001é𝄞\u2028"'
    assert canonical_string("x").encode() == rfc8785.dumps("x")
    with pytest.raises(CanonicalizationError):
        canonical_string("\ud800")


def test_sha256_hex_is_the_lower_case_hex_digest() -> None:
    assert sha256_hex(b"") == hashlib.sha256(b"").hexdigest()
    assert sha256_hex(b"abc").startswith("ba7816bf8f01cfea")
