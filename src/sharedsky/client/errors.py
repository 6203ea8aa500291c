"""The SDK's exceptions: one tree for every answer that is not a success.

::

    ClientError              status, code, detail, path (from the server's problem+json)
    ├── AuthError            401 unknown or missing token, 403 not allowed
    ├── NotFoundError        404 absent, or not visible to this token (need-to-know)
    ├── StaleVersionError    412 the amended version is no longer the current one
    └── UnreachableError     no answer at all (status 0): refused, reset, timed out, cut

Importable from ``sharedsky.client``; the transport (``client/transport.py``) raises them.
"""

from __future__ import annotations

from collections.abc import Sequence

from sharedsky.wire import v1

FieldPath = tuple[str | int, ...]
"""Where in the request the offending field sits, e.g. ``("volumes", 0, "altitude")``."""


class ClientError(Exception):
    """The server answered with an error (or, for UnreachableError, not at all)."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        path: Sequence[str | int] = (),
        *,
        problem: v1.Problem | None = None,
    ) -> None:
        self.status = status
        """The HTTP status; 0 when no answer came."""
        self.code = code
        """The problem's stable code (``not-found``, ``stale-version``, ``invalid-volume`` …)."""
        self.detail = detail
        """A sentence for a human."""
        self.path: FieldPath = tuple(path)
        """The offending field of the request; empty when the whole request is at fault."""
        self.problem = problem
        """The full problem+json body when the server sent one (extra members included)."""
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f" (at {'.'.join(str(p) for p in self.path)})" if self.path else ""
        return f"{self.status} {self.code}: {self.detail}{where}"


class AuthError(ClientError):
    """401: the token is missing or belongs to nobody; 403: its operator may not do this."""


class NotFoundError(ClientError):
    """404: nothing with this id, or nothing with this id that this token may see."""


class StaleVersionError(ClientError):
    """412: the version named in If-Match is no longer the current one."""


class UnreachableError(ClientError):
    """No HTTP answer (status 0, code ``unreachable``), even after the one retry, or an
    answer cut off while it streamed."""
