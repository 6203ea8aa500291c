"""Token buckets that the processes of one server share (``serve --workers N``).

Each worker of ``serve --workers N`` answers its share of the port's connections, so buckets
kept in each process's memory would let a client that reaches several processes send up to N
times its limit. Here the buckets live in one file in the directory ``serve`` gives its workers
(``WORKERS_DIR_VARIABLE``), mapped into each process: a fixed table of slots, each the 16-byte
digest of a key, its level and the monotonic second of that level (``CLOCK_MONOTONIC`` is one
clock for every process of the machine). A key's slot is found by open addressing from its
digest, within ``PROBES`` slots; the whole look-up and update runs under an exclusive ``flock``
of the file, held for microseconds.

When the slots near a key are all taken, the bucket that has refilled the most is given up for
it (a refilled bucket is as good as a new one, so nothing is lost unless ``SLOTS`` keys are busy
at once, far beyond a mechanism's operators and gateways).
"""

from __future__ import annotations

import fcntl
import hashlib
import mmap
import os
import struct
from pathlib import Path

WORKERS_DIR_VARIABLE = "SHAREDSKY_WORKERS_DIR"
"""The environment variable naming the directory that the workers of one ``serve`` share
(set by ``serve`` before it starts them)."""
SLOTS = 65_536
"""Buckets a file holds (2 MiB)."""
PROBES = 32
"""Slots looked at from a key's first one before a bucket is given up for it."""
_SLOT = struct.Struct("<16sdd")
"""A slot: the key's digest (zeros: free), its level, the monotonic second of that level."""
_FREE = bytes(16)


class SharedBuckets:
    """Token buckets by key in the file ``path`` (made when missing), shared by every process
    that opens it with the same rate: each holds at most ``burst`` and gains ``per_s`` a
    second. The same ``take`` as ``limits.Buckets``."""

    def __init__(self, path: Path, per_s: float, burst: int) -> None:
        self.per_s = per_s
        self.burst = float(burst)
        size = SLOTS * _SLOT.size
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        if os.fstat(self._fd).st_size < size:
            os.ftruncate(self._fd, size)  # zeros: every slot free (two workers: same size)
        self._map = mmap.mmap(self._fd, size)

    def take(self, key: str, now_s: float) -> float:
        """Take one from ``key``'s bucket at ``now_s`` (monotonic seconds) and return 0.0; or,
        when it is empty, take nothing and return the seconds until it holds one."""
        digest = hashlib.blake2b(key.encode(), digest_size=16).digest()
        first = int.from_bytes(digest[:8], "little") % SLOTS
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            offset, level = self._slot(digest, first, now_s)
            if level >= 1.0:
                _SLOT.pack_into(self._map, offset, digest, level - 1.0, now_s)
                return 0.0
            _SLOT.pack_into(self._map, offset, digest, level, now_s)
            return (1.0 - level) / self.per_s
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def _slot(self, digest: bytes, first: int, now_s: float) -> tuple[int, float]:
        """The offset of ``digest``'s slot and its bucket's level now: its own, a free one
        (full), or the most refilled one near it (given up for it: full)."""
        spare, spare_level = -1, -1.0
        for probe in range(PROBES):
            offset = ((first + probe) % SLOTS) * _SLOT.size
            held, level, at_s = _SLOT.unpack_from(self._map, offset)
            if held == digest:
                return offset, min(self.burst, level + max(0.0, now_s - at_s) * self.per_s)
            if held == _FREE:
                return offset, self.burst
            refilled = level + max(0.0, now_s - at_s) * self.per_s
            if refilled > spare_level:
                spare, spare_level = offset, refilled
        return spare, self.burst

    def close(self) -> None:
        """Unmap the file and close it."""
        self._map.close()
        os.close(self._fd)
