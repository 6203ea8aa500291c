"""Entries and chain rules: the two hashes, the signature, redaction and the strict JSON form."""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import rfc8785
from _ledger_support import KEYRING, OTHER_SIGNER, SERVER_SIGNER, build_log, exported, ledger_time
from hypothesis import given
from hypothesis import strategies as st

from sharedsky.ledger.canonical import CanonicalizationError
from sharedsky.ledger.chain import (
    GENESIS_HASH,
    ChainError,
    Content,
    Entry,
    EntryFormatError,
    PartySig,
    append,
    check_time,
    content_hash,
    entry_hash,
    entry_message,
    format_time,
    from_json,
    parse_time,
    redact,
    to_json,
)
from sharedsky.ledger.signing import verify


def _sha(value: Any) -> str:
    return hashlib.sha256(rfc8785.dumps(value)).hexdigest()


def _first(payload: dict[str, Any] | None = None) -> Entry:
    return append(
        None, 1, ledger_time(0), "party-a/duty", "notice.filed", payload or {"a": 1}, None,
        SERVER_SIGNER,
    )  # fmt: skip


def test_the_first_entry_follows_the_genesis_hash_and_the_empty_signature() -> None:
    entry = _first()
    assert (entry.seq, entry.prev_hash) == (1, GENESIS_HASH)
    assert entry.hash == _sha(
        {"seq": 1, "prev_hash": GENESIS_HASH, "prev_sig": "", "content_hash": entry.content_hash}
    )


def test_the_content_hash_covers_time_actor_type_payload_and_party_signature() -> None:
    party_sig = PartySig("0123456789abcdef", "c2ln")
    entry = append(
        None, 1, ledger_time(0), "op", "message.sent", {"x": [1.5, "é"]}, party_sig, SERVER_SIGNER
    )
    assert entry.content_hash == _sha(
        {
            "time": ledger_time(0),
            "actor": "op",
            "type": "message.sent",
            "payload": {"x": [1.5, "é"]},
            "party_sig": {"key_id": "0123456789abcdef", "sig": "c2ln"},
        }
    )
    assert entry.content is not None
    assert content_hash(entry.content) == entry.content_hash


def test_the_signature_is_the_servers_over_the_prefixed_hash() -> None:
    entry = _first()
    assert entry_message(entry.hash) == b"sharedsky-ledger-v1:" + entry.hash.encode()
    assert verify(SERVER_SIGNER.public_key, entry_message(entry.hash), entry.sig)
    assert not verify(OTHER_SIGNER.public_key, entry_message(entry.hash), entry.sig)


def test_each_hash_commits_to_the_previous_hash_and_signature() -> None:
    first = _first()
    second = append(first.link, 2, ledger_time(1), "op", "t", {}, None, SERVER_SIGNER)
    assert second.prev_hash == first.hash
    assert second.hash == entry_hash(2, first.hash, first.sig, second.content_hash)
    resigned = OTHER_SIGNER.sign(entry_message(first.hash))
    assert second.hash != entry_hash(2, first.hash, resigned, second.content_hash)


def test_an_append_out_of_sequence_is_refused() -> None:
    first = _first()
    with pytest.raises(ChainError) as refused:
        append(first.link, 3, ledger_time(1), "op", "t", {}, None, SERVER_SIGNER)
    assert str(refused.value) == "the entry after seq 1 is seq 2, not 3"
    with pytest.raises(ChainError) as refused:
        append(None, 2, ledger_time(1), "op", "t", {}, None, SERVER_SIGNER)
    assert str(refused.value) == "the entry after seq 0 is seq 1, not 2"


def test_an_append_with_a_bad_time_or_payload_is_refused() -> None:
    with pytest.raises(ValueError, match="not a ledger time"):
        append(None, 1, "2026-11-25T06:00:00Z", "op", "t", {}, None, SERVER_SIGNER)
    with pytest.raises(CanonicalizationError):
        append(None, 1, ledger_time(0), "op", "t", {"n": float("nan")}, None, SERVER_SIGNER)


def test_the_entry_keeps_its_own_copy_of_the_payload() -> None:
    payload: dict[str, Any] = {"a": 1}
    entry = _first(payload)
    payload["a"] = 2
    assert entry.content is not None and entry.content.payload == {"a": 1}


@given(
    st.integers(1, 2**53 - 1),
    st.text(max_size=70),
    st.text(max_size=90),
    st.text(max_size=70),
)
def test_entry_hash_is_sha256_of_the_jcs_link_object(
    seq: int, prev_hash: str, prev_sig: str, chash: str
) -> None:
    expected = _sha(
        {"seq": seq, "prev_hash": prev_hash, "prev_sig": prev_sig, "content_hash": chash}
    )
    assert entry_hash(seq, prev_hash, prev_sig, chash) == expected


@pytest.mark.parametrize("seq", [0, -1, 2**53, True])
def test_entry_hash_refuses_a_seq_outside_the_ledger(seq: int) -> None:
    with pytest.raises(ValueError, match="seq must be"):
        entry_hash(seq, GENESIS_HASH, "", GENESIS_HASH)


def test_entry_hash_takes_the_last_seq_of_the_ledger() -> None:
    last = 2**53 - 1
    assert entry_hash(last, GENESIS_HASH, "", GENESIS_HASH) == _sha(
        {"seq": last, "prev_hash": GENESIS_HASH, "prev_sig": "", "content_hash": GENESIS_HASH}
    )


def test_entry_hash_refuses_a_lone_surrogate_as_canonicalization_does() -> None:
    with pytest.raises(CanonicalizationError) as refused:
        entry_hash(1, GENESIS_HASH, "\ud800", GENESIS_HASH)
    assert str(refused.value) == "input contains non-UTF-8 codepoints"


def test_a_redacted_entry_keeps_its_chain_fields_only() -> None:
    entry = _first()
    hidden = redact(entry)
    assert hidden.redacted and not entry.redacted
    assert to_json(hidden) == {
        "seq": 1,
        "prev_hash": entry.prev_hash,
        "content_hash": entry.content_hash,
        "hash": entry.hash,
        "sig": entry.sig,
        "redacted": True,
    }
    assert hidden.link == entry.link


def test_entries_round_trip_through_their_json_form() -> None:
    log = build_log(12, redact_every=4)
    assert [from_json(obj) for obj in exported(log)] == log
    assert list(to_json(log[2])) == [
        "seq", "time", "actor", "type", "payload", "party_sig",
        "prev_hash", "content_hash", "hash", "sig",
    ]  # fmt: skip


def _broken(change: dict[str, Any], *, redacted: bool = False, drop: str = "") -> Any:
    entry = build_log(3, redact_every=3 if redacted else 0)[2]
    obj = exported([entry])[0] | change
    obj.pop(drop, None)
    return obj


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ([1], "entry (seq unknown): an entry must be a JSON object"),
        (_broken({}, drop="seq"), "entry (seq unknown): seq: must be an integer"),
        (_broken({"seq": True}), "entry (seq unknown): seq: must be an integer"),
        (_broken({"seq": 0}), "entry (seq unknown): seq: must be an integer"),
        (_broken({"seq": 2**53}), "entry (seq unknown): seq: must be an integer in 1 … 2**53 - 1"),
        (_broken({}, drop="hash"), "entry 3: hash: missing"),
        (_broken({"extra": 1}), "entry 3: extra: unknown field"),
        (_broken({"time": "x"}, redacted=True), "entry 3: time: unknown field"),
        (_broken({"redacted": False}, redacted=True), "entry 3: redacted: must be true"),
        (_broken({"prev_hash": "AB" * 32}), "entry 3: prev_hash: must be 64 lower-case hex"),
        (_broken({"content_hash": 7}), "entry 3: content_hash: must be a string"),
        (_broken({"sig": "A" * 85 + "B"}), "entry 3: sig: must be 86 characters"),
        (_broken({"sig": "A" * 84}), "entry 3: sig: must be 86 characters"),
        (_broken({"time": "2026-02-30T00:00:00.000000Z"}), "entry 3: time: must be YYYY-MM-DDTHH"),
        (_broken({"time": "2026-11-25T06:00:00+00:00"}), "entry 3: time: must be"),
        (_broken({"actor": None}), "entry 3: actor: must be a string"),
        (_broken({"type": ["t"]}), "entry 3: type: must be a string"),
        (_broken({"payload": [1]}), "entry 3: payload: must be a JSON object"),
        (_broken({"party_sig": {"key_id": "k"}}), "entry 3: party_sig: must be null or"),
        (_broken({"party_sig": {"key_id": "k", "sig": 1}}), "entry 3: party_sig: key_id and"),
    ],
)
def test_a_malformed_entry_is_refused_naming_its_seq_and_field(obj: Any, message: str) -> None:
    with pytest.raises(EntryFormatError) as caught:
        from_json(obj)
    assert str(caught.value).startswith(message)


def test_a_format_error_carries_the_seq_field_and_reason() -> None:
    with pytest.raises(EntryFormatError) as caught:
        from_json(_broken({"payload": 1}))
    assert (caught.value.seq, caught.value.field, caught.value.reason) == (
        3,
        "payload",
        "must be a JSON object",
    )
    with pytest.raises(EntryFormatError) as caught:
        from_json([1])
    assert (caught.value.seq, caught.value.field) == (None, "")  # no field: not an object


def test_the_last_seq_of_the_ledger_is_a_well_formed_entrys() -> None:
    obj = _broken({"seq": 2**53 - 1})
    assert from_json(obj).seq == 2**53 - 1


def test_ledger_times_are_utc_with_microseconds_and_z() -> None:
    moment = datetime(2026, 11, 25, 8, 0, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
    assert format_time(moment) == "2026-11-25T06:00:00.123456Z"
    assert format_time(datetime(2026, 11, 25, tzinfo=UTC)) == "2026-11-25T00:00:00.000000Z"
    assert parse_time("2026-11-25T06:00:00.123456Z") == moment
    assert check_time("2026-11-25T06:00:00.123456Z")
    assert not check_time("2026-13-25T06:00:00.123456Z")
    with pytest.raises(ValueError, match=r"^a ledger time must be timezone-aware$"):
        format_time(datetime(2026, 11, 25))  # noqa: DTZ001 - the naive datetime under test
    with pytest.raises(ValueError, match="not a ledger time"):
        parse_time("2026-11-25 06:00:00")


def test_ledger_times_are_utc_whatever_the_machines_time_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        moment = datetime(2026, 11, 25, 8, 0, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
        assert format_time(moment) == "2026-11-25T06:00:00.123456Z"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_content_holds_what_the_content_hash_hashes() -> None:
    content = Content(ledger_time(0), "op", "t", {"a": None}, None)
    assert content.to_json() == {
        "time": ledger_time(0),
        "actor": "op",
        "type": "t",
        "payload": {"a": None},
        "party_sig": None,
    }
    assert KEYRING.server_keys[0].key_id == SERVER_SIGNER.key_id
