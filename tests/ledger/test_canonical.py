"""Canonical JSON: the fast path writes exactly what rfc8785 writes, or defers to it."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import orjson
import pytest
import rfc8785
from _hypothesis import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from sharedsky.ledger.canonical import (
    _ENCODER,
    _LIBRARY,
    MAX_SAFE_INT,
    CanonicalizationError,
    FloatDomainError,
    IntegerDomainError,
    _prepare,
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


@settings(max_examples=examples(500))
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


@settings(max_examples=examples(1000))
@given(_json(_ANY_CHAR, floats=True))
def test_canonical_bytes_equal_rfc8785_for_any_value_or_fail_alike(value: Any) -> None:
    assert _outcome(canonical, value) == _outcome(rfc8785.dumps, value)


@settings(max_examples=examples(1000))
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


def test_orjson_escapes_every_code_point_as_jcs_does() -> None:
    """The fast path writes strings with orjson; JCS escapes only the quote, the backslash and
    the control characters, with the short forms and lower-case hex (RFC 8785 §3.2.2.2)."""
    planes = [*range(0xD800), *range(0xE000, 0x10000), *range(0x10000, 0x110000, 97), 0x10FFFF]
    text = "".join(map(chr, planes))
    assert orjson.dumps(text) == rfc8785.dumps(text)
    differing = [cp for cp in planes if orjson.dumps(chr(cp)) != rfc8785.dumps(chr(cp))]
    assert differing == []


@settings(max_examples=examples(2000))
@given(
    st.floats(1e-4, 2.0**53, exclude_max=True)
    | st.floats(1e-4, 1.0)
    | st.integers(1, 2**52).map(lambda n: n + 0.5)
)
def test_orjson_writes_the_floats_the_fast_path_lets_through_as_repr_does(number: float) -> None:
    """Non-integral floats of 1e-4 <= |x| < 2**53: orjson, repr and JCS write the same digits."""
    if number.is_integer():
        return
    for value in (number, -number):
        assert orjson.dumps(value).decode() == repr(value)
        assert canonical(value) == rfc8785.dumps(value)


@settings(max_examples=examples(500))
@given(_json(_ANY_CHAR, floats=True))
def test_the_orjson_path_writes_what_the_standard_library_path_writes(value: Any) -> None:
    """Both fast encoders agree on every value the fast path accepts (lone surrogates refused
    by both), so that the orjson path is byte-identical to the one it replaced."""
    ready = _prepare(value)
    if ready is _LIBRARY:
        return
    try:
        slow = _ENCODER.encode(ready).encode()
    except UnicodeEncodeError:
        with pytest.raises(orjson.JSONEncodeError):
            orjson.dumps(ready, option=orjson.OPT_SORT_KEYS)
        return
    assert orjson.dumps(ready, option=orjson.OPT_SORT_KEYS) == slow


def test_values_nested_deeper_than_orjson_goes_are_written_by_the_standard_library() -> None:
    value: Any = {"x": 1.0}
    for depth in range(300):
        value = [value, depth] if depth % 2 else {"d": value}
    assert canonical(value) == rfc8785.dumps(value)


def test_integral_floats_are_copied_into_ints_in_nested_containers() -> None:
    value = {"a": [1.0, {"b": (2.0, "x")}], "c": 0.5, "d": [[3.0]]}
    assert _prepare(value) == {"a": [1, {"b": [2, "x"]}], "c": 0.5, "d": [[3]]}
    assert canonical(value) == b'{"a":[1,{"b":[2,"x"]}],"c":0.5,"d":[[3]]}'
