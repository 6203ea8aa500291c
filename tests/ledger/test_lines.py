"""Canonical lines checked on their bytes: whenever the fast reading answers, it answers as the
general one (parse, check_entry, canonical) does; and export lines are parsed as json.loads does."""

from __future__ import annotations

import io
import json
import random
from typing import Any

import orjson
import pytest
from _hypothesis import examples
from _ledger_support import SERVER_SIGNER, build_log, trailer_for
from hypothesis import given, settings
from hypothesis import strategies as st

from sharedsky.ledger.canonical import CanonicalizationError, canonical, sha256_hex
from sharedsky.ledger.chain import EntryFormatError, append, check_entry, redact, to_json
from sharedsky.ledger.export import _strict, parse_line, write_jsonl
from sharedsky.ledger.lines import CanonicalLine, read_canonical_line

LOG = build_log(40, redact_every=4)

# every code point, lone surrogates included, with the awkward ones made frequent
_AWKWARD = st.sampled_from(['"', "\\", "\b", "\n", "\x00", "\x1f", "\x7f", "\u2028", "𝄞", "é"])
_ANY_CHAR = st.characters(codec=None, categories=None) | _AWKWARD
_VALID_CHAR = st.characters(exclude_categories=["Cs"]) | _AWKWARD
_FLOATS = st.floats() | st.floats(-1e-3, 1e-3) | st.integers(-(2**60), 2**60).map(float)


def _json(chars: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    scalars: st.SearchStrategy[Any] = (
        st.none() | st.booleans() | st.integers() | st.text(chars, max_size=12) | _FLOATS
    )
    return st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=5)
            | st.dictionaries(st.text(chars, max_size=6), children, max_size=5)
        ),
        max_leaves=25,
    )


def _general(line: bytes) -> CanonicalLine | str:
    """What the general reading makes of an entry line, or why it is not a good entry."""
    try:
        obj = parse_line(line)
    except (ValueError, RecursionError):
        return "unreadable"
    try:
        fields = check_entry(obj)
    except EntryFormatError:
        return "malformed"
    matches = None
    if fields.content is not None:
        try:
            matches = sha256_hex(canonical(fields.content)) == fields.content_hash
        except CanonicalizationError:
            return "no canonical form"
    return CanonicalLine(
        obj, fields.seq, fields.prev_hash, fields.content_hash, fields.hash, fields.sig, matches
    )


def _agrees(line: bytes) -> bool:
    """The fast reading declines, or says what the general one says; True when it answered."""
    fast = read_canonical_line(line)
    if fast is None:
        return False
    assert fast == _general(line), line
    assert repr(fast.obj) == repr(_strict(line))  # the same types too (1 is not 1.0)
    return True


def _line(payload: Any, *, actor: str = "party-a/duty", kind: str = "notice.filed") -> bytes:
    entry = append(
        None, 1, "2026-11-25T06:00:00.000000Z", actor, kind, payload, None, SERVER_SIGNER
    )
    return canonical(to_json(entry)) + b"\n"


def _export_lines() -> list[bytes]:
    file = io.BytesIO()
    write_jsonl(LOG, trailer_for(LOG), file)
    return file.getvalue().splitlines(keepends=True)[:-1]


def test_the_lines_the_writer_writes_are_read_fast_unless_a_key_is_astral() -> None:
    """build_log's payloads hold floats, escapes, astral text and, one in five, an astral key."""
    lines = _export_lines()
    slow = [line for line in lines if not _agrees(line)]
    assert slow and all("𝄞key".encode() in line for line in slow)
    assert all(read_canonical_line(line[:-1]) == read_canonical_line(line) for line in lines)


def test_a_plain_entry_is_read_fast_with_its_content_hash_recomputed() -> None:
    line = _line({"notice_id": "n-1", "version": 1, "ok": True, "parties": ["a", "b"]})
    fast = read_canonical_line(line)
    assert fast is not None and fast.content_matches is True and fast.seq == 1
    tampered = line.replace(b'"version":1', b'"version":2')
    fast = read_canonical_line(tampered)
    assert fast is not None and fast.content_matches is False
    assert _agrees(tampered)


def test_a_redacted_entry_is_read_fast() -> None:
    line = canonical(to_json(redact(LOG[0]))) + b"\n"
    fast = read_canonical_line(line)
    assert fast is not None and fast.content_matches is None and fast.hash == LOG[0].hash


def _written_by_orjson(payload: dict[str, Any]) -> bytes:
    """The entry of ``payload`` as orjson writes it: floats as floats (JCS writes 5000.0 as
    5000), keys ordered by code point (JCS: by UTF-16 code unit)."""
    obj = json.loads(_line(payload)) | {"payload": payload}
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS) + b"\n"


@pytest.mark.parametrize(
    ("payload", "why"),
    [
        ({"alt_m": 5000.0}, "an integral float, which JCS writes as 5000"),
        ({"x": [-0.0]}, "minus zero, which JCS writes as 0"),
        ({"x": 1e-7}, "an exponent"),
        ({"x": 0.00001}, "below 1e-4, where repr writes an exponent"),
        ({"x": 1e300}, "a large float"),
        ({"\uffff": 1, "𝄞": 2}, "an astral key (JCS orders keys by UTF-16 code units)"),
        ({"a": [{"𝄞": 2}]}, "a nested astral key"),
    ],
)
def test_lines_holding_what_jcs_writes_otherwise_are_left_to_the_general_reading(
    payload: dict[str, Any], why: str
) -> None:
    line = _written_by_orjson(payload)
    assert read_canonical_line(line) is None, why
    general = _general(line)
    assert isinstance(general, CanonicalLine) and general.content_matches, why


@pytest.mark.parametrize(
    "payload",
    [
        {"lat": 36.2, "lon": -115.17, "r": 0.0001, "big": 1000000000000000.5},
        {"t": "𝄞 ✈", "u": ["𝄞"]},
        {"n": [1, -2, 0, 9007199254740991], "ok": [True, False, None]},
    ],
)
def test_floats_jcs_writes_alike_and_astral_text_are_read_fast(payload: dict[str, Any]) -> None:
    line = _written_by_orjson(payload)
    assert _agrees(line)
    assert read_canonical_line(line) == read_canonical_line(_line(payload))


def test_floats_in_strings_do_not_stop_the_fast_reading() -> None:
    assert _agrees(_line({"t": "1.5 or 2e3 at 12:00:00.0", "k": "true false e E ."}))


@pytest.mark.parametrize(
    ("change", "replacement"),
    [
        (b'"version":1', b'"version":1,"version":1'),  # a duplicate key
        (b'"version":1', b'"version" : 1'),  # not canonical
        (b'"n-1"', b'"n\\u002d1"'),  # an escape JCS does not write
        (b'"party_sig":null', b'"party_sig":{"key_id":"k","sig":"s","x":1}'),
        (b',"prev_hash"', b',"pb":{},"prev_hash"'),  # one member too many
        (b'"seq":1', b'"seq":"1"'),
        (b'"seq":1', b'"seq":0'),
        (b'"seq":1', b'"seq":9007199254740992'),
        (b'"time":"2026-11-25T06', b'"time":"2026-13-25T06'),  # not a real instant
        (b'"actor":"party-a/duty"', b'"actor":1'),
        (b'"payload":{', b'"payload":[{'),
    ],
)
def test_a_line_the_fast_reading_cannot_vouch_for_is_left_to_the_general_one(
    change: bytes, replacement: bytes
) -> None:
    line = _line({"n": "n-1", "version": 1})
    assert change in line
    changed = line.replace(change, replacement, 1)
    assert read_canonical_line(changed) is None  # the general reading says what it is


def test_a_payload_that_mimics_the_chain_members_is_cut_where_it_ends() -> None:
    inner = to_json(LOG[0])
    for payload in (
        {"prev_hash": inner["hash"], "seq": 3, "sig": inner["sig"], "z": inner},
        {"a": [inner, {"prev_hash": "0" * 64}], "type": "x", "time": inner.get("time")},
    ):
        assert _agrees(_line(payload))


_TOKENS = st.sampled_from(
    [
        *(b'"', b"\\", b",", b":", b"{", b"}", b"[", b"]", b" ", b"1", b".5", b"e5", b"-", b"0"),
        *(b"null", b"true", b'"x"', b"\xc3\xa9", b"\xf0\x9d\x84\x9e", b"\xff", b"\\u00e9"),
        *(b"\\ud800", b',"prev_hash":"', b',"time":"', b"}}", b'"payload":', b"\n", b"\x00"),
        *(b"5.0", b"0.5", b"1e-7", b"0.00001", b"-0.0", b'"\xf0\x9d\x84\x9e":1,'),
    ]
)


@settings(max_examples=examples(300))
@given(st.data())
def test_any_damage_to_a_line_is_read_fast_only_when_the_general_reading_agrees(
    data: st.DataObject,
) -> None:
    lines = [*_export_lines(), _line({"n": "n-1", "v": [1, True, None, {}], "s": "é\u2028\\"})]
    line = data.draw(st.sampled_from(lines))
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(line)))
        cut = data.draw(st.integers(0, 3))
        line = line[:at] + data.draw(_TOKENS) + line[at + cut :]
    _agrees(line)


_TEXT = st.text(_VALID_CHAR, max_size=8)


@settings(max_examples=examples(200))
@given(st.dictionaries(st.text(_ANY_CHAR, max_size=6), _json(_ANY_CHAR), max_size=5), _TEXT, _TEXT)
def test_any_entry_written_canonically_is_read_fast_only_as_the_general_reading_reads_it(
    payload: dict[str, Any], actor: str, kind: str
) -> None:
    try:
        line = _line(payload, actor=actor, kind=kind)
    except CanonicalizationError:
        return
    _agrees(line)
    # the same entry as another writer writes it: fast only where that is JCS too
    obj = json.loads(line)
    for text in (
        json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(),
        json.dumps(obj, sort_keys=True, separators=(",", ":")).encode(),
        orjson.dumps(obj, option=orjson.OPT_SORT_KEYS) if _orjson_writes(obj) else b"",
    ):
        _agrees(text + b"\n")


_NUMBERS = (
    st.integers(-(2**65), 2**65)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.floats(-1e-3, 1e-3)
)


@settings(max_examples=examples(300))
@given(
    st.recursive(
        st.none() | st.booleans() | _NUMBERS | st.text(_ANY_CHAR, max_size=8),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(_ANY_CHAR, max_size=4), children, max_size=4)
        ),
        max_leaves=20,
    )
)
def test_a_line_is_parsed_as_json_loads_parses_it(value: Any) -> None:
    """Fast for the lines orjson writes, numbers included (its floats are digits that
    round-trip); the standard library's verdict and value for all others."""
    for text in (
        orjson.dumps(value, option=orjson.OPT_SORT_KEYS) if _orjson_writes(value) else None,
        json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass"),
        json.dumps(value).encode(),
    ):
        if text is None:
            continue
        assert _parsed(parse_line, text) == _parsed(_strict, text)


def _orjson_writes(value: Any) -> bool:
    try:
        orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        return False
    return True


def _parsed(parse: Any, line: bytes) -> str:
    try:
        return repr(parse(line + b"\n"))
    except (ValueError, RecursionError) as error:
        return type(error).__name__


@pytest.mark.parametrize(
    "line",
    [
        b'{"a":1,"a":1}',
        b'{"a":NaN}',
        b'{"a":1e400}',
        b'{"a":18446744073709551616}',
        b'{"a":"\\ud800"}',
        b'{"a":-0}',
        b'{"a":1.0}',
        b"[" * 300 + b"]" * 300,
        b"\xef\xbb\xbf{}",
        b'{"a":1}\r',
    ],
)
def test_awkward_lines_are_parsed_or_refused_as_json_loads_does(line: bytes) -> None:
    assert _parsed(parse_line, line) == _parsed(_strict, line)


def test_random_lines_of_a_real_export_parse_alike() -> None:
    rng = random.Random(3)
    for line in _export_lines():
        at = rng.randrange(len(line))
        damaged = line[:at] + bytes([rng.randrange(256)]) + line[at + 1 :]
        assert _parsed(parse_line, damaged) == _parsed(_strict, damaged)
