"""The export format: JSON Lines, one entry per line in seq order, then one signed trailer line.

Each line is the JCS form of an exported entry (``chain.to_json``) followed by ``\\n``; the last
line is ``{"checkpoint": {...}}``, a checkpoint of the last entry, so that a cut-off tail is seen
(no trailer, or a trailer that names a later seq). Reading is strict: each line must be a JSON
object without duplicate keys or NaN/Infinity, and nothing may follow the trailer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO, Any

from sharedsky.ledger.canonical import canonical
from sharedsky.ledger.chain import Entry, to_json
from sharedsky.ledger.checkpoints import Checkpoint, CheckpointFormatError

__all__ = ["ExportError", "read_jsonl", "write_jsonl"]

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


def read_jsonl(file: IO[bytes]) -> tuple[list[dict[str, Any]], Checkpoint | None]:
    """The entry objects of the export in ``file`` and its trailer (None when there is none).

    Entries are returned as parsed, not checked: verification reports their problems by seq.
    Raises ``ExportError`` with the line number for a line that is not UTF-8, not one JSON
    object, holds a duplicate key or NaN/Infinity, is a malformed trailer, or follows the trailer.
    """
    entries: list[dict[str, Any]] = []
    trailer: Checkpoint | None = None
    for number, line in enumerate(file, start=1):
        if trailer is not None:
            raise ExportError(number, "a line after the trailer")
        try:
            text = line.decode("utf-8")
            obj = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
        except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
            raise ExportError(number, f"not JSON: {error}") from error
        if type(obj) is not dict:
            raise ExportError(number, "a line must hold one JSON object")
        if obj.keys() == {_TRAILER_KEY}:
            try:
                trailer = Checkpoint.from_json(obj[_TRAILER_KEY])
            except CheckpointFormatError as error:
                raise ExportError(number, f"malformed trailer: {error}") from error
        else:
            entries.append(obj)
    return entries, trailer
