"""The one error tree of sharedsky; each error has a stable code and a field path.

::

    SharedskyError                      code
    ├── InvalidInput                    invalid-input       (422)
    │   ├── InvalidVolume               invalid-volume      (422)
    │   └── InvalidMechanism            invalid-mechanism   (422; the CLI prints the line)
    ├── Unauthenticated                 unauthenticated     (401)
    ├── Forbidden                       forbidden           (403)
    │   └── ForbiddenRole               forbidden-role      (403; the actor's role may not)
    ├── NotFound                        not-found           (404; also "not visible to you")
    ├── StaleVersion                    stale-version       (412)
    ├── StateConflict                   state-conflict      (409)
    ├── IdempotencyMismatch             idempotency-mismatch (422)
    └── Unavailable                     unavailable         (503; ``reason`` says why)

The HTTP mapping lives in ``api/errors.py``; this module knows nothing of HTTP.
"""

from __future__ import annotations

FieldPath = tuple[str | int, ...]


class SharedskyError(Exception):
    """Base of every expected error; ``path`` locates the offending field in the request."""

    code = "error"

    def __init__(self, detail: str, path: FieldPath = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.path = path


class InvalidInput(SharedskyError):
    """The request is well-formed but its content breaks a rule."""

    code = "invalid-input"


class InvalidVolume(InvalidInput):
    """A Volume4D (outline, altitude band or time window) is not acceptable."""

    code = "invalid-volume"


class InvalidMechanism(InvalidInput):
    """The mechanism file is malformed; ``line`` is 1-based, 0 when unknown."""

    code = "invalid-mechanism"

    def __init__(self, detail: str, path: FieldPath = (), line: int = 0) -> None:
        super().__init__(detail, path)
        self.line = line


class Unauthenticated(SharedskyError):
    """No token, or a token that belongs to nobody, or a bad or missing signature; ``reason``
    names which in a few stable words (``missing-token``, ``unknown-token``,
    ``missing-signature``, ``bad-signature``) for the count of failed authentications."""

    code = "unauthenticated"

    def __init__(self, detail: str, path: FieldPath = (), reason: str = "unauthenticated") -> None:
        super().__init__(detail, path)
        self.reason = reason


class Forbidden(SharedskyError):
    """The actor is known but may not do this (e.g. the host filing a notice)."""

    code = "forbidden"


class ForbiddenRole(Forbidden):
    """The actor's role does not allow this (e.g. a party's operator reading the metrics that
    only the host's operators may read)."""

    code = "forbidden-role"


class NotFound(SharedskyError):
    """Nothing with this id, or nothing with this id that the viewer may see."""

    code = "not-found"


class StaleVersion(SharedskyError):
    """An amendment named a version that is no longer the current one."""

    code = "stale-version"


class StateConflict(SharedskyError):
    """The object is in a state that does not allow this (e.g. amending a cancelled notice)."""

    code = "state-conflict"


class IdempotencyMismatch(InvalidInput):
    """An Idempotency-Key was reused with a different request."""

    code = "idempotency-mismatch"


class Unavailable(SharedskyError):
    """The service cannot answer now: ``reason`` says why in a few stable words
    (``database-unreachable``, ``schema-behind``)."""

    code = "unavailable"

    def __init__(self, detail: str, reason: str) -> None:
        super().__init__(detail)
        self.reason = reason
