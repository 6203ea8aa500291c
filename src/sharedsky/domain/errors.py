"""The one error tree of sharedsky; each error has a stable code and a field path.

::

    SharedskyError                      code
    ├── InvalidInput                    invalid-input       (422)
    │   ├── InvalidVolume               invalid-volume      (422)
    │   │   ├── OutsideArea             outside-area        (422; wholly outside the area)
    │   │   └── NoticeInThePast         notice-in-the-past  (422; its window has ended)
    │   ├── InvalidMechanism            invalid-mechanism   (422; the CLI prints the line)
    │   ├── NoFir                       no-fir              (422; a NOTAM needs the FIR)
    │   ├── FormatUnavailable           format-unavailable  (422; an exchange format not here)
    │   ├── InvalidImport               invalid-import      (422; ``problems`` per feature)
    │   ├── UnexpectedReply             unexpected-reply    (422; not a reply the message expects)
    │   └── InvalidBackup               invalid-backup      (422; not a backup, or damaged)
    ├── Unauthenticated                 unauthenticated     (401)
    │   ├── SignatureRequired           signature-required  (401; the operator signs its writes)
    │   └── BadSignature                bad-signature       (401)
    ├── Forbidden                       forbidden           (403)
    │   ├── ForbiddenRole               forbidden-role      (403; the operator's role may not)
    │   └── OwnNotice                   own-notice          (403; answering one's own notice)
    ├── NotFound                        not-found           (404; also "not visible to you")
    ├── StaleVersion                    stale-version       (412)
    ├── StateConflict                   state-conflict      (409)
    │   ├── KeyTaken                    key-taken           (409; replayed, never answered)
    │   ├── TooEarly                    too-early           (409; activation before its time)
    │   ├── WindowEnded                 window-ended        (409; activation/release too late)
    │   ├── AlreadyReplied              already-replied     (409; a message is replied to once)
    │   ├── AgreementNotRequested       agreement-not-requested (409; nobody asked you)
    │   └── AlreadyAnswered             already-answered    (409; one answer per version)
    ├── IdempotencyMismatch             idempotency-mismatch (422)
    ├── StoreUnavailable                store-unavailable   (503; the database does not answer)
    ├── RateLimited                     rate-limited        (429; ``retry_after_s``)
    ├── BodyTooLarge                    body-too-large      (413)
    ├── BodyTimeout                     body-timeout        (408)
    ├── InvalidSetting                  invalid-setting     (at start: ``serve`` exits 1)
    └── Unavailable                     unavailable         (503; ``reason`` says why)

The HTTP mapping lives in ``api/errors.py``; this module knows nothing of HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass

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


class OutsideArea(InvalidVolume):
    """A volume lies wholly outside the mechanism's area of responsibility, and its filer did
    not say it means it (``outside_area``): most often its coordinates are swapped."""

    code = "outside-area"


class NoticeInThePast(InvalidVolume):
    """A notice's window ended before it was filed, and its filer did not say it records
    the activity after the fact (``record_past``)."""

    code = "notice-in-the-past"


class InvalidMechanism(InvalidInput):
    """The mechanism file is malformed; ``line`` is 1-based, 0 when unknown."""

    code = "invalid-mechanism"

    def __init__(self, detail: str, path: FieldPath = (), line: int = 0) -> None:
        super().__init__(detail, path)
        self.line = line


class NoFir(InvalidInput):
    """A draft NOTAM was asked for, and the mechanism file names no flight information region
    (``notam: {fir: …}``) to write in its ``Q)`` line and item A."""

    code = "no-fir"


class FormatUnavailable(InvalidInput):
    """An exchange format this server does not know, or knows but cannot read or write here
    (its module is not part of this build, or the format is export-only)."""

    code = "format-unavailable"


@dataclass(frozen=True, slots=True)
class FeatureProblem:
    """Why one feature of an imported file cannot be filed."""

    index: int
    """The feature's 0-based index in the file (its order among the file's features)."""
    reason: str
    path: FieldPath = ()
    """Where in the feature (or in what it became) the problem lies."""


class InvalidImport(InvalidInput):
    """An imported file that cannot be filed as it is: unreadable as a whole (``problems``
    empty, ``path`` names the body), or with bad features (each in ``problems``) when the
    caller did not ask to skip them. Nothing was filed."""

    code = "invalid-import"

    def __init__(
        self, detail: str, path: FieldPath = (), problems: tuple[FeatureProblem, ...] = ()
    ) -> None:
        super().__init__(detail, path)
        self.problems = problems


class InvalidBackup(InvalidInput):
    """A file given as a backup is not one, is truncated or damaged, or was made by a schema
    this sharedsky cannot load."""

    code = "invalid-backup"


class UnexpectedReply(InvalidInput):
    """A reply that the message's template does not declare (or a reply to a message that
    expects none)."""

    code = "unexpected-reply"


class Unauthenticated(SharedskyError):
    """No token, or a token that belongs to nobody, or a bad or missing signature; ``reason``
    names which in a few stable words (``missing-token``, ``unknown-token``, ``revoked``,
    ``expired``, ``certificate-mismatch``, ``missing-signature``, ``bad-signature``) for the
    count of failed authentications."""

    code = "unauthenticated"
    default_reason = "unauthenticated"

    def __init__(self, detail: str, path: FieldPath = (), reason: str | None = None) -> None:
        super().__init__(detail, path)
        self.reason = reason or self.default_reason


class SignatureRequired(Unauthenticated):
    """A write without the ``Sharedsky-Signature`` header by an operator that registered a
    key: nothing is stored; the client loads the operator's key and sends it again, signed."""

    code = "signature-required"
    default_reason = "missing-signature"


class BadSignature(Unauthenticated):
    """A ``Sharedsky-Signature`` that is malformed, made with a key that is not one of the
    operator's active keys, or that does not verify."""

    code = "bad-signature"
    default_reason = "bad-signature"


class Forbidden(SharedskyError):
    """The actor is known but may not do this (e.g. the host filing a notice)."""

    code = "forbidden"


class ForbiddenRole(Forbidden):
    """The operator is known, but its role (viewer, duty, admin) does not allow this (also:
    a party's operator reading the metrics that only the host's operators may read)."""

    code = "forbidden-role"


class OwnNotice(Forbidden):
    """A party answered its own notice's request for agreement (R-AGREE-2): only the
    counterparties answer."""

    code = "own-notice"


class NotFound(SharedskyError):
    """Nothing with this id, or nothing with this id that the viewer may see."""

    code = "not-found"


class StaleVersion(SharedskyError):
    """An amendment named a version that is no longer the current one."""

    code = "stale-version"


class StateConflict(SharedskyError):
    """The object is in a state that does not allow this (e.g. amending a cancelled notice)."""

    code = "state-conflict"


class KeyTaken(StateConflict):
    """A concurrent request with the same idempotency key stored its result first: the
    store refused this one's record, and with it the whole change. The caller replays the
    result kept for the key instead (``api/routes/_render.idempotent``)."""

    code = "key-taken"


class TooEarly(StateConflict):
    """An activation came earlier before the window's start than the channel's
    ``early_activation_s`` allows (R-ACT-2)."""

    code = "too-early"


class WindowEnded(StateConflict):
    """An activation or a release came when the window had ended already (R-ACT-2)."""

    code = "window-ended"


class AlreadyReplied(StateConflict):
    """The message was replied to already: a reply is given once and never changed."""

    code = "already-replied"


class AgreementNotRequested(StateConflict):
    """An answer (agree, deny, counter) to a notice that does not ask the answering party for
    agreement at its current version (R-AGREE-2)."""

    code = "agreement-not-requested"


class AlreadyAnswered(StateConflict):
    """A second answer of a party to one version of a notice (R-AGREE-2): one answer each."""

    code = "already-answered"


class IdempotencyMismatch(InvalidInput):
    """An Idempotency-Key was reused with a different request."""

    code = "idempotency-mismatch"


class StoreUnavailable(SharedskyError):
    """The database cannot be reached or opened (a wrong URL, a server that does not answer, a
    file that does not exist)."""

    code = "store-unavailable"


class RateLimited(SharedskyError):
    """Too many requests from one token or one client address; nothing was done."""

    code = "rate-limited"

    def __init__(self, detail: str, retry_after_s: int) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s
        """Whole seconds after which a request will be accepted again (at least 1)."""


class BodyTooLarge(SharedskyError):
    """The request body is larger than the server accepts; it was not read whole."""

    code = "body-too-large"


class BodyTimeout(SharedskyError):
    """The client did not send its request body within the time allowed."""

    code = "body-timeout"


class InvalidSetting(SharedskyError):
    """A setting of the process (a file it names, a value) is unusable; ``path`` names the
    setting. Raised while a process starts, never by a request."""

    code = "invalid-setting"


class Unavailable(SharedskyError):
    """The service cannot answer now: ``reason`` says why in a few stable words
    (``database-unreachable``, ``schema-behind``)."""

    code = "unavailable"

    def __init__(self, detail: str, reason: str) -> None:
        super().__init__(detail)
        self.reason = reason
