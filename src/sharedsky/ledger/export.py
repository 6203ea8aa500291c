"""The export format: JSON Lines, one entry per line in seq order, then one signed trailer line.

Each line is the JCS form of an exported entry (``chain.to_json``) followed by ``\\n``; the last
line is ``{"checkpoint": {...}}``, a checkpoint of the last entry, so that a cut-off tail is seen
(no trailer, or a trailer that names a later seq). Reading is strict: each line must be a JSON
object without duplicate keys or NaN/Infinity, and nothing may follow the trailer.

Reading is fast for the lines the reference writer writes: ``orjson`` parses a line, and when
writing the value back with sorted keys gives the line's very bytes, the line can hold no
duplicate key (a written object has none), no NaN (``orjson`` reads none) and no nesting deeper
than ``orjson`` writes (254), so the standard library, which checks all of it, would read the
same value — a float included, since the text ``orjson`` writes for a float is digits that
round-trip, which the standard library reads back as that float. Only the other lines are read
by the standard library.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable
from typing import IO, Any

import orjson

from sharedsky.ledger.canonical import canonical
from sharedsky.ledger.chain import Entry, to_json
from sharedsky.ledger.checkpoints import Checkpoint, CheckpointFormatError

__all__ = ["ExportError", "parse_line", "read_jsonl", "read_line", "write_jsonl"]

_TRAILER_KEY = "checkpoint"


class ExportError(ValueError):
    """A line of an export that cannot be read; ``line`` is its 1-based number."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


def write_jsonl(entries: Iterable[Entry], trailer: Checkpoint, file: IO[bytes]) -> int:
    """Write ``entries`` and then ``trailer`` to ``file``; the number of entries written.

    ValueError (after the entries, before the trailer) when the trailer is not the checkpoint
    of the last entry written: such a file has no trailer, and verification reports it cut off.
    """
    count = 0
    last_seq, last_hash = 0, ""
    for entry in entries:
        file.write(canonical(to_json(entry)) + b"\n")
        count += 1
        last_seq, last_hash = entry.seq, entry.hash
    if count and (trailer.seq, trailer.hash) != (last_seq, last_hash):
        raise ValueError(
            f"the trailer names entry {trailer.seq}, but the last entry written is {last_seq}"
        )
    file.write(canonical({_TRAILER_KEY: trailer.to_json()}) + b"\n")
    return count


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        keys = [key for key, _ in pairs]
        duplicate = next(key for key in keys if keys.count(key) > 1)
        raise ValueError(f"duplicate key {duplicate!r}")
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _strict(line: bytes) -> Any:
    """The value of ``line`` as the standard library reads it, refusing duplicates and NaN."""
    return json.loads(
        line.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_constant=_no_constant
    )


def parse_line(line: bytes) -> Any:
    """The JSON value of one export line (its ``\\n`` included or not).

    ValueError (or RecursionError) for a line that is not UTF-8, not JSON, holds a duplicate key
    or NaN/Infinity. The value is what ``json.loads`` gives; the lines ``orjson`` would write
    are read by ``orjson`` (see the module's docstring).
    """
    body = line[:-1] if line.endswith(b"\n") else line
    try:
        value = orjson.loads(body)
        if orjson.dumps(value, option=orjson.OPT_SORT_KEYS) == body:
            return value  # what _strict reads, its hooks finding nothing to refuse
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        pass  # the standard library says what is wrong, or reads what orjson does not
    return _strict(line)


def read_line(number: int, line: bytes) -> dict[str, Any] | Checkpoint:
    """The entry object on line ``number`` of an export, or the trailer's checkpoint.

    The entry is returned as parsed, not checked. Raises ``ExportError`` for a line that is not
    UTF-8, not one JSON object, holds a duplicate key or NaN/Infinity, or is a malformed trailer.
    """
    try:
        obj = parse_line(line)
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        raise ExportError(number, f"not JSON: {error}") from error
    if type(obj) is not dict:
        raise ExportError(number, "a line must hold one JSON object")
    if obj.keys() != {_TRAILER_KEY}:
        return obj
    try:
        return Checkpoint.from_json(obj[_TRAILER_KEY])
    except CheckpointFormatError as error:
        raise ExportError(number, f"malformed trailer: {error}") from error


def read_jsonl(file: IO[bytes]) -> tuple[list[dict[str, Any]], Checkpoint | None]:
    """The entry objects of the export in ``file`` and its trailer (None when there is none).

    Entries are returned as parsed, not checked: verification reports their problems by seq.
    Raises ``ExportError`` with the line number for a line that is not UTF-8, not one JSON
    object, holds a duplicate key or NaN/Infinity, is a malformed trailer, or follows the trailer.
    """
    entries: list[dict[str, Any]] = []
    trailer: Checkpoint | None = None
    # what is read holds no reference cycle, so the garbage collector finds nothing in it; but
    # run while hundreds of thousands of objects pile up, it looks through them all again and
    # again (a third of the reading time)
    collecting = gc.isenabled()
    gc.disable()
    try:
        for number, line in enumerate(file, start=1):
            if trailer is not None:
                raise ExportError(number, "a line after the trailer")
            read = read_line(number, line)
            if isinstance(read, Checkpoint):
                trailer = read
            else:
                entries.append(read)
    finally:
        if collecting:
            gc.enable()
    return entries, trailer
