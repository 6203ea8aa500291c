"""Verifying an export file in one pass over its bytes, in several processes when it is long.

``verify_jsonl(file, keyring)`` gives the report that ``verify(*read_jsonl(file), keyring)``
gives — the same problems, the same first bad seq — several times faster. The lines the
reference writer writes are checked on their bytes (see ``lines``), the others the general way.
A long export is cut at line ends into chunks, one a process: the parent walks the first
chunk while each other one is walked in a forked process by a walk ``prime``d with the entry
on the line before it, as if everything before had been in order; the parent then ``join``s
their findings in order (see ``Walk.join``), which gives what one walk gives. The one thing a
primed walk takes on trust, the entry before it, is walked by the parent (or the walk before)
like any other. A chunk that cannot be joined so — the line before it is not a well-formed
entry, or it holds a line that cannot be read, or lines after the trailer — is walked again by
the parent, which then finds and reports what one pass does. Processes are forked only where
``fork`` exists and the caller runs no other thread (nor is a daemon process); where none can
be forked, the parent walks every chunk.
"""

from __future__ import annotations

import gc
import io
import multiprocessing
import threading
from collections.abc import Callable, Iterable
from multiprocessing.connection import Connection
from typing import IO, Any

from sharedsky.ledger.chain import EntryFormatError, check_entry
from sharedsky.ledger.checkpoints import Checkpoint
from sharedsky.ledger.export import ExportError, read_line
from sharedsky.ledger.lines import read_canonical_line
from sharedsky.ledger.signing import KeyRing
from sharedsky.ledger.verify import ChunkResult, Report, Walk

__all__ = ["MIN_LINES_PER_PROCESS", "verify_jsonl"]

MIN_LINES_PER_PROCESS = 10_000
"""Below this many lines a chunk is not worth a process (forking and joining cost ~10 ms)."""

Chunk = tuple[ChunkResult, Checkpoint | None]
"""A chunk's findings and the trailer it ended with, if it did."""


def verify_jsonl(
    file: IO[bytes],
    keyring: KeyRing,
    *,
    checkpoints: Iterable[Checkpoint] = (),
    all_signatures: bool = False,
    start_seq: int | None = 1,
    max_problems: int = 1000,
    processes: int = 2,
    min_lines_per_process: int = MIN_LINES_PER_PROCESS,
) -> Report:
    """Read the export in ``file`` and verify it, as ``verify(*read_jsonl(file), keyring, ...)``.

    The options are ``verify``'s; ``processes`` is the most to use (the caller's included), one
    for every ``min_lines_per_process`` lines at least. Raises ``ExportError`` as ``read_jsonl``
    does.
    """
    data = file.read()
    walk = Walk(keyring, all_signatures, start_seq, max_problems)
    wanted = min(processes, data.count(b"\n") // max(min_lines_per_process, 1))
    starts = _chunk_starts(data, wanted if wanted > 1 and _can_fork() else 1)
    ends = [*starts[1:], len(data)]
    jobs: list[_Forked | None] = []
    try:
        for start, end in zip(starts[1:], ends[1:], strict=True):
            work = (data, start, end, keyring, all_signatures, max_problems)
            jobs.append(_Forked.start(_walk_chunk, work))
        trailer = _walk_lines(walk, data, 0, ends[0], None)
        for start, end, job in zip(starts[1:], ends[1:], jobs, strict=True):
            chunk = None if job is None else job.result()
            if chunk is not None and trailer is None:
                walk.join(chunk[0])
                trailer = chunk[1]
            else:  # walked again here, to find what one pass finds
                trailer = _walk_lines(walk, data, start, end, trailer)
    finally:
        for job in jobs:
            if job is not None:
                job.close()
    return walk.finish(trailer, checkpoints)


def _can_fork() -> bool:
    return (
        "fork" in multiprocessing.get_all_start_methods()
        and threading.active_count() == 1
        and not multiprocessing.current_process().daemon  # which may have no child
    )


def _chunk_starts(data: bytes, count: int) -> list[int]:
    """Where ``count`` chunks of about equal size begin: 0, then just after a ``\\n`` each."""
    starts = [0]
    for index in range(1, count):
        start = data.find(b"\n", len(data) * index // count) + 1
        if starts[-1] < start < len(data):
            starts.append(start)
    return starts


def _walk_lines(
    walk: Walk, data: bytes, start: int, end: int, trailer: Checkpoint | None
) -> Checkpoint | None:
    """Walk the lines of ``data[start:end]`` (whole lines); the trailer, once read.

    Raises ``ExportError`` with the line's number in ``data`` as ``read_jsonl`` does.
    """
    number = data.count(b"\n", 0, start)
    for line in io.BytesIO(data[start:end]):
        number += 1
        if trailer is not None:
            raise ExportError(number, "a line after the trailer")
        canonical_line = read_canonical_line(line)
        if canonical_line is not None:
            walk.step_line(canonical_line)
            continue
        read = read_line(number, line)
        if isinstance(read, Checkpoint):
            trailer = read
        else:
            walk.step(read)
    return trailer


def _walk_chunk(
    data: bytes,
    start: int,
    end: int,
    keyring: KeyRing,
    all_signatures: bool,
    max_problems: int,
) -> Chunk | None:
    """The findings of a walk over the lines of ``data[start:end]`` primed with the line before.

    None when they could not be joined exactly: the line before is not a well-formed entry, or
    a line cannot be read, or lines follow the trailer. At least one problem is kept, so that
    the first bad signature is among those joined (see ``Walk.join``).
    """
    before = data.rfind(b"\n", 0, start - 1) + 1
    prime = data[before:start]
    canonical_line = read_canonical_line(prime)
    if canonical_line is not None:
        seq, hash, sig = canonical_line.seq, canonical_line.hash, canonical_line.sig
    else:
        try:
            fields = check_entry(read_line(0, prime))
        except (ExportError, EntryFormatError):
            return None
        seq, hash, sig = fields.seq, fields.hash, fields.sig
    walk = Walk(keyring, all_signatures, None, max(max_problems, 1))
    walk.prime(seq, hash, sig)
    try:
        trailer = _walk_lines(walk, data, start, end, None)
    except ExportError:
        return None
    return walk.chunk(), trailer


def _serve(send: Connection, work: Callable[..., object], args: tuple[Any, ...]) -> None:
    """In the forked process: do the work and send what it gives (None if it failed)."""
    gc.disable()  # short-lived, and collecting would touch (so copy) every inherited object
    try:
        result = work(*args)
    except Exception:
        result = None  # the parent walks the chunk again and finds what failed
    send.send(result)
    send.close()


class _Forked:
    """``work(*args)`` run in a forked process (the arguments inherited, not copied)."""

    def __init__(self, work: Callable[..., Chunk | None], args: tuple[Any, ...]) -> None:
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=_serve, args=(send, work, args), daemon=True)
        try:
            self._process.start()
        except BaseException:
            self._receive.close()
            raise
        finally:
            send.close()

    @classmethod
    def start(cls, work: Callable[..., Chunk | None], args: tuple[Any, ...]) -> _Forked | None:
        """The process doing ``work(*args)``; None when none could be forked (the caller does
        the work itself)."""
        try:
            return cls(work, args)
        except OSError:
            return None

    def result(self) -> Chunk | None:
        """What the work gave; None if it failed or the process died."""
        try:
            result: Chunk | None = self._receive.recv()
        except (EOFError, OSError):
            return None
        return result

    def close(self) -> None:
        """Stop the process if it still runs, and release it."""
        self._receive.close()
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._process.close()
