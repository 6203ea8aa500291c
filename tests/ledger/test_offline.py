"""verify_jsonl gives the report read_jsonl + verify give, for any damage, in one process or
several, cut anywhere: the same problems, the same first bad seq, the same read errors. Both
readers share ``Walk``, so each verdict is also held against the outside verifier (written from
the format document alone, sharing no code with sharedsky): the same line refused, or the same
first bad seq and so the same verdict."""

from __future__ import annotations

import io
import json
import random
import threading
from collections.abc import Callable
from typing import Any

import pytest
from _ledger_support import (
    KEYRING,
    OTHER_SIGNER,
    SERVER_SIGNER,
    build_log,
    ledger_time,
    trailer_for,
)
from ledger import outside_verifier as outside

import sharedsky.ledger.offline as offline
from sharedsky.ledger.canonical import JsonValue, canonical
from sharedsky.ledger.chain import Entry, append, entry_message
from sharedsky.ledger.checkpoints import Checkpoint, make_checkpoint
from sharedsky.ledger.export import ExportError, read_jsonl, write_jsonl
from sharedsky.ledger.offline import verify_jsonl
from sharedsky.ledger.verify import Report, Walk, verify
from sharedsky.store.group_commit import LEAD_THREAD_IDLE_S


def _plain_log(count: int) -> list[Entry]:
    """Entries whose payloads hold no float nor astral key: every line is read fast."""
    entries: list[Entry] = []
    for seq in range(1, count + 1):
        payload: dict[str, JsonValue] = {
            "notice_id": f"n-{seq:04d}",
            "version": seq % 4,
            "late_for": ["b"] * (seq % 2),
        }
        prev = entries[-1].link if entries else None
        entries.append(
            append(
                prev, seq, ledger_time(seq), "alpha", "notice.filed", payload, None, SERVER_SIGNER
            )
        )
    return entries


MIXED = build_log(60, redact_every=5)
PLAIN = _plain_log(60)
RECEIPTS = [make_checkpoint(SERVER_SIGNER, s, MIXED[s - 1].hash, ledger_time(s)) for s in (20, 45)]


def _export(entries: list[Entry], trailer: Checkpoint | None = None) -> bytes:
    file = io.BytesIO()
    write_jsonl(entries, trailer or trailer_for(entries), file)
    return file.getvalue()


Outcome = Report | tuple[int, str]


def _serial(data: bytes, **options: Any) -> Outcome:
    try:
        entries, trailer = read_jsonl(io.BytesIO(data))
    except ExportError as error:
        return error.line, error.reason
    return verify(entries, trailer, KEYRING, **options)


def _offline(data: bytes, **options: Any) -> Outcome:
    try:
        return verify_jsonl(io.BytesIO(data), KEYRING, **options)
    except ExportError as error:
        return error.line, error.reason


def _as_outside_sees(outcome: Outcome) -> tuple[int | None, int | None]:
    """The line refused, or the first bad seq: what the outside verifier also gives."""
    if isinstance(outcome, tuple):
        return outcome[0], None
    assert outcome.ok == (outcome.first_bad_seq is None)  # no forged receipt here
    return None, outcome.first_bad_seq


def _outside(data: bytes, **options: Any) -> tuple[int | None, int | None]:
    """The outside verifier's verdict on a full export, given ``verify``'s options."""
    receipts = [cp.to_json() for cp in options.get("checkpoints", ())]
    verdict = outside.verify_export(data, KEYRING.to_json(), receipts)
    return verdict.refused_line, verdict.first_bad_seq


def _split(
    data: bytes, cuts: list[int], failed: frozenset[int] = frozenset(), **options: Any
) -> Outcome:
    """verify_jsonl's way, cut at line indices ``cuts``, the chunks walked here, not forked;
    the chunks numbered in ``failed`` (1: the one after the first cut) as if their process
    had failed, so that the parent walks them again."""
    starts = [0]
    for cut in cuts:
        starts.append(len(b"".join(io.BytesIO(data).readlines()[:cut])))
    ends = [*starts[1:], len(data)]
    all_signatures = options.get("all_signatures", False)
    max_problems = options.get("max_problems", 1000)
    walk = Walk(KEYRING, all_signatures, options.get("start_seq", 1), max_problems)
    try:
        trailer = offline._walk_lines(walk, data, 0, ends[0], None)
        for number, (start, end) in enumerate(zip(starts[1:], ends[1:], strict=True), 1):
            chunk = offline._walk_chunk(data, start, end, KEYRING, all_signatures, max_problems)
            if number in failed:
                chunk = None
            if chunk is not None and trailer is None:
                walk.join(chunk[0])
                trailer = chunk[1]
            else:
                trailer = offline._walk_lines(walk, data, start, end, trailer)
    except ExportError as error:
        return error.line, error.reason
    return walk.finish(trailer, options.get("checkpoints", ()))


# damage done to the bytes of an export --------------------------------------------------------

Lines = list[bytes]


def _write(obj: dict[str, Any], rng: random.Random) -> bytes:
    """An entry object as the reference writer writes it, or now and then as another does."""
    if rng.random() < 0.2:
        return json.dumps(obj, sort_keys=rng.random() < 0.5).encode() + b"\n"
    return canonical(obj) + b"\n"


def _change_payload(lines: Lines, rng: random.Random) -> None:
    index = rng.randrange(len(lines) - 1)
    obj = json.loads(lines[index])
    if "payload" in obj:
        obj["payload"]["injected"] = rng.choice([1, 0.5, "x", None, [2.0], {"𝄞": 1}])
    else:
        obj["content_hash"] = obj["hash"]
    lines[index] = _write(obj, rng)


def _flip_a_byte(lines: Lines, rng: random.Random) -> None:
    index = rng.randrange(len(lines))
    line = lines[index]
    at = rng.randrange(len(line) - 1)
    lines[index] = line[:at] + bytes([line[at] ^ (1 << rng.randrange(7))]) + line[at + 1 :]


def _delete_line(lines: Lines, rng: random.Random) -> None:
    del lines[rng.randrange(len(lines))]


def _swap_lines(lines: Lines, rng: random.Random) -> None:
    first, second = rng.sample(range(len(lines)), 2)
    lines[first], lines[second] = lines[second], lines[first]


def _duplicate_line(lines: Lines, rng: random.Random) -> None:
    index = rng.randrange(len(lines))
    lines.insert(rng.randrange(len(lines)), lines[index])


def _cut_tail(lines: Lines, rng: random.Random) -> None:
    del lines[rng.randrange(len(lines)) :]


def _resign(lines: Lines, rng: random.Random) -> None:
    index = rng.randrange(len(lines) - 1)
    obj = json.loads(lines[index])
    obj["sig"] = OTHER_SIGNER.sign(entry_message(obj["hash"]))
    lines[index] = _write(obj, rng)


def _rewrite(lines: Lines, rng: random.Random) -> None:
    """The same entry, written with spaces and escapes: not canonical, but the same entry."""
    index = rng.randrange(len(lines))
    lines[index] = json.dumps(json.loads(lines[index])).encode() + b"\n"


def _malform(lines: Lines, rng: random.Random) -> None:
    index = rng.randrange(len(lines) - 1)
    obj = json.loads(lines[index])
    change = rng.randrange(4)
    if change == 0:
        obj["extra"] = 1
    elif change == 1:
        del obj["seq"]
    elif change == 2:
        obj["seq"] = str(obj["seq"])
    else:
        obj["prev_hash"] = obj["prev_hash"].upper()
    lines[index] = _write(obj, rng)


def _garbage_line(lines: Lines, rng: random.Random) -> None:
    garbage = rng.choice([b"\n", b"{\n", b'{"a":1,"a":2}\n', b"[]\n", b'{"checkpoint":{}}\n'])
    lines.insert(rng.randrange(len(lines) + 1), garbage)


def _move_trailer(lines: Lines, rng: random.Random) -> None:
    lines.insert(rng.randrange(len(lines)), lines.pop())


DAMAGE: list[Callable[[Lines, random.Random], None]] = [
    _change_payload,
    _flip_a_byte,
    _delete_line,
    _swap_lines,
    _duplicate_line,
    _cut_tail,
    _resign,
    _rewrite,
    _malform,
    _garbage_line,
    _move_trailer,
]


def _damaged(rng: random.Random) -> bytes:
    lines = _export(rng.choice([MIXED, PLAIN])).splitlines(keepends=True)
    for _ in range(rng.choice([0, 1, 1, 1, 2, 3])):
        try:
            rng.choice(DAMAGE)(lines, rng)
        except (ValueError, KeyError, TypeError, IndexError):
            pass  # damage that needs a readable line (or two lines) where there is none
    data = b"".join(lines)
    return data[:-1] if data and rng.random() < 0.05 else data  # a last line without \n


def _options(rng: random.Random) -> dict[str, Any]:
    return {
        "all_signatures": rng.random() < 0.3,
        "max_problems": rng.choice([1000, 1000, 3, 1, 0]),
        "checkpoints": rng.choice([(), RECEIPTS]),
    }


# the tests -----------------------------------------------------------------------------------


def test_an_intact_export_verifies_alike_in_one_and_in_several_processes() -> None:
    for entries in (MIXED, PLAIN):
        data = _export(entries)
        expected = _serial(data)
        assert isinstance(expected, Report) and expected.ok
        assert _outside(data) == (None, None)
        for processes in (1, 2, 3):
            assert _offline(data, processes=processes, min_lines_per_process=1) == expected


def test_exports_of_no_entry_or_no_trailer_verify_alike() -> None:
    for data in (
        b"",
        _export([]),
        _export(PLAIN)[:-1],
        b"\n".join(_export(PLAIN).split(b"\n")[:5]),
    ):
        assert _offline(data) == _serial(data)
        assert _as_outside_sees(_serial(data)) == _outside(data)


@pytest.mark.slow
def test_200_damaged_exports_get_the_same_report_in_one_pass_as_read_and_verify() -> None:
    rng = random.Random(20261125)
    for attempt in range(200):
        data = _damaged(rng)
        options = _options(rng)
        serial = _serial(data, **options)
        assert _offline(data, processes=1, **options) == serial, attempt
        assert _as_outside_sees(serial) == _outside(data, **options), attempt


@pytest.mark.slow
def test_damaged_exports_get_the_same_report_wherever_they_are_cut_into_chunks() -> None:
    """The chunks walked here, one after another: every cut of 12 damaged exports."""
    rng = random.Random(7)
    for attempt in range(12):
        data = _damaged(rng)
        options = _options(rng)
        expected = _serial(data, **options)
        assert _as_outside_sees(expected) == _outside(data, **options), attempt
        lines = data.count(b"\n")
        for cut in range(1, lines):
            assert _split(data, [cut], **options) == expected, (attempt, cut)
        for _ in range(5):
            if lines > 3:
                cuts = sorted(rng.sample(range(1, lines), 2))
                assert _split(data, cuts, **options) == expected, (attempt, cuts)


def test_damaged_exports_get_the_same_report_from_forked_processes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    forks: list[int] = []
    start = offline._Forked.__init__

    def counting(self: offline._Forked, *args: Any) -> None:
        forks.append(1)
        start(self, *args)

    monkeypatch.setattr(offline._Forked, "__init__", counting)
    for thread in threading.enumerate():  # an earlier test's idle group-commit thread
        if thread.name == "group-commit":  # ends by itself; forking waits for no thread
            thread.join(LEAD_THREAD_IDLE_S + 5)
    rng = random.Random(11)
    for attempt in range(20):
        data = _damaged(rng)
        options = _options(rng)
        expected = _serial(data, **options)
        assert _as_outside_sees(expected) == _outside(data, **options), attempt
        processes = rng.choice([2, 3])
        assert _offline(data, processes=processes, min_lines_per_process=1, **options) == (
            expected
        ), attempt
    assert len(forks) >= 20


def test_an_export_cut_at_any_byte_gets_the_outside_verifiers_verdict_from_both_readers() -> None:
    """A cut inside a line leaves a garbled last line (refused) or, inside a string or after
    a complete object, one that reads; a cut at a line end leaves no trailer."""
    data = _export(MIXED[:12])
    ends = [at for at, byte in enumerate(data) if byte == ord("\n")]
    rng = random.Random(3)
    cuts = {0, len(data)} | {end + d for end in ends for d in (0, 1, -1)}
    cuts |= {rng.randrange(len(data)) for _ in range(60)}
    for cut in sorted(cuts):
        cut_data = data[:cut]
        serial = _serial(cut_data)
        assert _as_outside_sees(serial) == _outside(cut_data), cut
        for processes in (1, 2):
            got = _offline(cut_data, processes=processes, min_lines_per_process=1)
            assert got == serial, (cut, processes)
    assert _outside(data[: ends[5] + 1]) == (None, 7)  # six entries, no trailer


def test_the_outside_verifier_tells_the_damage_it_sees_from_its_verdicts() -> None:
    """Its verdicts are not all alike: it names reads, breaks and the end, each at its place."""
    lines = _export(PLAIN).splitlines(keepends=True)
    assert _outside(b"".join([*lines[:7], b"{\n", *lines[7:]])) == (8, None)
    assert _outside(b"".join([*lines[:7], *lines[8:]])) == (None, 8)
    assert _outside(b"".join(lines[:-2])) == (None, 60)
    assert _outside(b"".join(lines[:-1])) == (None, 61)


def test_a_partial_export_verifies_alike_from_the_seq_it_starts_at() -> None:
    data = _export(MIXED[20:])
    for start_seq in (21, None, 1, 20):
        expected = _serial(data, start_seq=start_seq)
        for processes in (1, 2):
            got = _offline(data, start_seq=start_seq, processes=processes, min_lines_per_process=1)
            assert got == expected
            assert _split(data, [1], start_seq=start_seq) == expected


def test_a_short_export_is_walked_in_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any) -> None:
        raise AssertionError("forked")

    monkeypatch.setattr(offline._Forked, "__init__", refuse)
    assert verify_jsonl(io.BytesIO(_export(PLAIN)), KEYRING, processes=2).ok
    monkeypatch.setattr(offline, "_can_fork", lambda: False)
    data = _export(PLAIN)
    assert verify_jsonl(io.BytesIO(data), KEYRING, min_lines_per_process=1).ok


def test_a_chunk_whose_process_fails_is_walked_again_by_the_parent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def failing(*args: Any) -> None:
        raise RuntimeError("the chunk's process fails")

    monkeypatch.setattr(offline, "_walk_chunk", failing)
    data = _export(MIXED)
    assert _offline(data, processes=2, min_lines_per_process=1) == _serial(data)


def test_a_line_that_cannot_be_read_is_reported_alike_from_any_chunk() -> None:
    lines = _export(PLAIN).splitlines(keepends=True)
    lines[40] = b'{"seq": NaN}\n'
    data = b"".join(lines)
    expected = _serial(data)
    assert expected == (41, "not JSON: NaN is not JSON")
    assert _offline(data, processes=2, min_lines_per_process=1) == expected
    assert all(_split(data, [cut]) == expected for cut in (10, 40, 41, 50))


def test_the_trailer_must_end_the_export_in_any_chunk() -> None:
    lines = _export(PLAIN).splitlines(keepends=True)
    data = b"".join([*lines[:30], lines[-1], *lines[30:]])
    expected = _serial(data)
    assert expected == (32, "a line after the trailer")
    assert _offline(data, processes=3, min_lines_per_process=1) == expected
    assert all(_split(data, [cut]) == expected for cut in (20, 30, 31, 32, 45))


def test_a_tampered_plain_export_names_the_first_bad_seq() -> None:
    lines = _export(PLAIN).splitlines(keepends=True)
    obj = json.loads(lines[44])
    obj["payload"]["version"] = 9
    lines[44] = canonical(obj) + b"\n"
    report = _offline(b"".join(lines), processes=2, min_lines_per_process=1)
    assert isinstance(report, Report) and report.first_bad_seq == 45
    assert report.problems[0].reason == "content_hash does not match the content"


def test_problems_found_in_a_chunk_are_capped_and_blamed_as_in_one_walk() -> None:
    lines = _export(PLAIN).splitlines(keepends=True)
    for index in (35, 40, 50):
        obj = json.loads(lines[index])
        obj["sig"] = OTHER_SIGNER.sign(entry_message(obj["hash"]))
        lines[index] = canonical(obj) + b"\n"
    data = b"".join(lines)
    for options in (
        {"all_signatures": True, "max_problems": 1},
        {"all_signatures": True, "max_problems": 0},
        {"all_signatures": False, "max_problems": 2},
    ):
        expected = _serial(data, **options)
        assert isinstance(expected, Report) and expected.first_bad_seq == 36
        for cut in (5, 34, 35, 36, 37, 45):
            assert _split(data, [cut], **options) == expected, (options, cut)


def test_an_export_is_walked_here_when_no_process_can_be_forked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def out_of_processes(*args: Any) -> None:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(offline._Forked, "__init__", out_of_processes)
    data = _export(MIXED)
    assert _offline(data, processes=3, min_lines_per_process=1) == _serial(data)


def test_chunks_joined_after_a_capped_or_unjoinable_chunk_report_as_one_pass() -> None:
    """Few problems kept (0 to 2), so that a chunk's first break is dropped and its blame must
    travel to the walk it joins; several cuts, so that the walk goes on after a join, by hand
    when the next chunk cannot be joined (its first line is damaged)."""
    rng = random.Random(1125)
    checked = 0
    for attempt in range(60):
        data = _damaged(rng)
        options = _options(rng) | {"max_problems": rng.choice([0, 1, 2])}
        expected = _serial(data, **options)
        lines = data.count(b"\n")
        if lines < 4:
            continue
        for _ in range(8):
            cuts = sorted(rng.sample(range(1, lines), rng.choice([1, 2, 3])))
            assert _split(data, cuts, **options) == expected, (attempt, cuts)
            checked += 1
    assert checked > 300


def test_a_chunk_walked_again_after_a_joined_one_goes_on_from_where_the_join_left() -> None:
    """The walk that joined a chunk hands its expected seq, its link and the last entry on to
    the parent walking the next chunk again (its process failed): a break right at that cut
    is found there as in one pass."""
    lines = _export(PLAIN).splitlines(keepends=True)
    gap = b"".join([*lines[:30], *lines[31:]])  # entry 31 missing, at the second cut
    relinked = list(lines)
    obj = json.loads(relinked[30])
    obj["prev_hash"] = json.loads(relinked[28])["hash"]  # entry 31 links to 29
    relinked[30] = canonical(obj) + b"\n"
    unlinked = list(lines)
    obj = json.loads(unlinked[30])
    obj["hash"] = obj["hash"][::-1]  # entry 31's hash, then 32's link, do not hold
    unlinked[30] = canonical(obj) + b"\n"
    for data in (gap, b"".join(relinked), b"".join(unlinked), _export(PLAIN)):
        expected = _serial(data)
        assert isinstance(expected, Report)
        assert expected.ok == (data == _export(PLAIN))
        assert _split(data, [10, 30], failed=frozenset({2})) == expected
        assert _split(data, [10, 30, 45], failed=frozenset({2, 3})) == expected


def test_damaged_exports_report_as_one_pass_when_any_chunks_process_fails() -> None:
    rng = random.Random(1205)
    for attempt in range(80):
        data = _damaged(rng)
        options = _options(rng)
        expected = _serial(data, **options)
        lines = data.count(b"\n")
        if lines < 4:
            continue
        cuts = sorted(rng.sample(range(1, lines), rng.choice([2, 3])))
        failed = frozenset(rng.sample(range(1, len(cuts) + 1), rng.choice([1, 2])))
        assert _split(data, cuts, failed, **options) == expected, (attempt, cuts, failed)


def test_a_chunks_first_break_dropped_by_the_cap_still_ends_the_run_it_joins() -> None:
    """All signatures checked and one problem kept: the chunk keeps its bad signature (36) and
    drops the break after it (37, whose hash holds 36's signature); joined, that break must
    still end the leading run, or the next chunk's entries would extend it past the gap and a
    receipt there (51) be compared."""
    lines = _export(PLAIN).splitlines(keepends=True)
    resigned = json.loads(lines[35])
    resigned["sig"] = OTHER_SIGNER.sign(entry_message(resigned["hash"]))
    lines[35] = canonical(resigned) + b"\n"
    changed = json.loads(lines[40])
    changed["payload"]["version"] = 9
    lines[40] = canonical(changed) + b"\n"
    data = b"".join(lines)
    receipt = make_checkpoint(SERVER_SIGNER, 51, PLAIN[50].hash, ledger_time(51))
    for max_problems in (0, 1, 1000):
        options = {"all_signatures": True, "max_problems": max_problems, "checkpoints": [receipt]}
        expected = _serial(data, **options)
        assert isinstance(expected, Report) and expected.first_bad_seq == 36
        assert len(expected.problems) + expected.more_problems == 3  # 36, 37 linked to it, 41
        for cuts in ([30], [30, 45], [10, 30, 45]):
            assert _split(data, cuts, **options) == expected, (max_problems, cuts)


def test_a_tail_re_signed_with_another_key_is_compared_with_receipts_in_any_chunk() -> None:
    """Entries 31 to 60 rewritten and chained again under another key: every signature from
    31 on is bad but no link breaks, so the leading run goes on to 60 and the receipt at 50
    is compared with it, whichever chunk holds it (a bad signature reported by a chunk must
    not end the run it joins)."""
    forged = PLAIN[:30] + build_log(30, signer=OTHER_SIGNER, after=PLAIN[29].link)
    lines = _export(forged, trailer_for(forged)).splitlines(keepends=True)
    data = b"".join([*lines[:-1], _export(PLAIN).splitlines(keepends=True)[-1]])  # the true one
    receipt = make_checkpoint(SERVER_SIGNER, 50, PLAIN[49].hash, ledger_time(50))
    options = {"all_signatures": True, "checkpoints": [receipt]}
    expected = _serial(data, **options)
    assert isinstance(expected, Report) and expected.first_bad_seq == 31
    reasons = [p.reason for p in expected.problems]
    assert reasons.count("signature does not verify") == 30
    assert any(r.startswith("checkpoint 50: entry 50 has hash") for r in reasons)
    for cuts in ([20], [20, 35], [10, 35, 55]):
        assert _split(data, cuts, **options) == expected, cuts
