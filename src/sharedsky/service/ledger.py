"""Use cases of the ledger: keys, checkpoints, a viewer's export, and checking the database.

What a party receives of an entry follows the stream's visibility (``service/stream``): the
entry whole when the party's stream would carry its payload unchanged, or when it records a
delivery to that party or of that party's object; otherwise the entry redacted (its hashes and
signature only), so that the chain still verifies without leaking what it may not see.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence

from sharedsky.domain.errors import (
    BadSignature,
    InvalidInput,
    NotFound,
    SignatureRequired,
    StateConflict,
)
from sharedsky.domain.events import DeliveryRecorded, KeyRegistered, KeyRevoked, StoredEvent
from sharedsky.domain.operators import OperatorRecord, Role
from sharedsky.domain.visibility import Viewer
from sharedsky.ledger.chain import GENESIS_HASH, Entry, PartySig, format_time, parse_time, redact
from sharedsky.ledger.chain import to_json as entry_json
from sharedsky.ledger.checkpoints import Checkpoint, make_checkpoint
from sharedsky.ledger.signing import (
    SIGNATURE_HEADER,
    KeyEntry,
    KeyRing,
    SignatureError,
    StoredKey,
    parse_signature_header,
    public_key_from_b64,
    submission,
    verify_body_signature,
)
from sharedsky.ledger.verify import Report, verify
from sharedsky.service._common import record_event
from sharedsky.service._kept import Kept
from sharedsky.service.context import Actor
from sharedsky.service.ports import Deps
from sharedsky.service.stream import Sightings, needs_sightings, sightings_in, visible_event
from sharedsky.service.uow import Database, UnitOfWork

PAGE_SIZE = 1000
"""Entries read from the database per query."""
DELIVERY_EVENT = DeliveryRecorded.TYPE
"""The event that records the first delivery of a notice, conflict or message to a party."""


def keyring(db: Database) -> KeyRing:
    """Every public key of the mechanism: the server's and those operators registered."""
    return db.run(lambda uow: uow.ledger_keys.keyring(), readonly=True)


def checkpoint(deps: Deps) -> Checkpoint:
    """A signed checkpoint of the newest entry now (seq 0 and 64 zeros when empty)."""
    now = deps.clock.now()

    def work(uow: UnitOfWork) -> Checkpoint:
        head = uow.events.head()
        signer = uow.server_signer(now)
        if head is None:
            return make_checkpoint(signer, 0, GENESIS_HASH, format_time(now))
        return make_checkpoint(signer, head.seq, head.hash, format_time(now))

    return deps.db.run(work, readonly=True)


def _stored(entry: Entry) -> StoredEvent:
    content = entry.content
    assert content is not None
    return StoredEvent(
        entry.seq, parse_time(content.time), content.actor, content.type, dict(content.payload)
    )


def delivery_concerns(viewer: Viewer, payload: dict[str, object]) -> bool:
    """True when a delivery record names the viewer's party as recipient or as concerned."""
    concerned = payload.get("concerns")
    return payload.get("party") == viewer.party or (
        isinstance(concerned, list) and viewer.party in concerned
    )


def view_entries(
    deps: Deps, viewer: Viewer, entries: Sequence[Entry], seen: Sightings
) -> list[Entry]:
    """``entries`` as ``viewer`` may receive them: whole or redacted."""
    if viewer.is_host:
        return list(entries)
    out = []
    for entry in entries:
        event = _stored(entry)
        if event.type == DELIVERY_EVENT:
            whole = delivery_concerns(viewer, event.payload)
        else:
            view = visible_event(viewer, event, seen, deps.mechanism)
            whole = view is not None and dict(view.payload) == event.payload
        out.append(entry if whole else redact(entry))
    return out


def read_page(deps: Deps, viewer: Viewer, after: int, limit: int = PAGE_SIZE) -> list[Entry]:
    """Up to ``limit`` entries after seq ``after``, as ``viewer`` may receive them."""
    return _read_viewed(deps, viewer, lambda uow: uow.events.entries(after, limit))


def _read_viewed(
    deps: Deps, viewer: Viewer, read: Callable[[UnitOfWork], list[Entry]]
) -> list[Entry]:
    """The entries ``read`` gives, as ``viewer`` may receive them (whole or redacted), with
    the objects their visibility depends on read in the same transaction."""
    now = deps.clock.now()

    def work(uow: UnitOfWork) -> tuple[list[Entry], Sightings]:
        entries = read(uow)
        events = [_stored(e) for e in entries]
        if not needs_sightings(viewer, events):
            return entries, Sightings()
        return entries, sightings_in(uow, viewer, events, now)

    entries, seen = deps.db.run(work, readonly=True)
    return view_entries(deps, viewer, entries, seen)


def export_lines(deps: Deps, viewer: Viewer, after: int) -> Iterator[dict[str, object]]:
    """The export after seq ``after`` as JSON objects (``chain.to_json``), then the trailer
    ``{"checkpoint": …}`` for the last entry given. An export that starts after seq 0 starts
    one entry early (its anchor, see docs/ledger-format.md), so that every entry asked for is
    authenticated. The trailer is made before the entries are read, so it never names an
    entry the export lacks; entries committed meanwhile are left for the next export."""
    trailer = checkpoint(deps)
    position = max(after - 1, 0)
    while position < trailer.seq:
        page = read_page(deps, viewer, position, min(PAGE_SIZE, trailer.seq - position))
        if not page:
            break
        for entry in page:
            yield dict(entry_json(entry))
        position = page[-1].seq
    yield {"checkpoint": dict(trailer.to_json())}


MAX_ABOUT = 10_000
"""Most entries an export ``about`` one object gives."""


def export_about(
    deps: Deps, viewer: Viewer, object_id: str, after: int = 0
) -> Iterator[dict[str, object]]:
    """The entries after seq ``after`` that name ``object_id`` in their payload and that
    ``viewer`` may read whole (none redacted), oldest first, then the trailer: an object's
    timeline without the whole export. Not a chain (entries between are left out): each
    entry's hash and signature are checked on their own (docs/ledger-format.md)."""
    trailer = checkpoint(deps)
    entries = _read_viewed(
        deps,
        viewer,
        lambda uow: uow.events.entries_naming(object_id, after, trailer.seq, MAX_ABOUT),
    )
    for entry in entries:
        if entry.content is not None:
            yield dict(entry_json(entry))
    yield {"checkpoint": dict(trailer.to_json())}


def entries_after(db: Database, after: int, limit: int = PAGE_SIZE) -> list[Entry]:
    """Up to ``limit`` entries after seq ``after`` as stored (no visibility applied)."""
    return db.run(lambda uow: uow.events.entries(after, limit), readonly=True)


def verify_database(
    db: Database,
    keys: KeyRing | None = None,
    checkpoints: Iterable[Checkpoint] = (),
    *,
    all_signatures: bool = False,
) -> Report:
    """Verify every entry as the database holds it, against ``keys`` (default: the database's
    own keys, which proves the rows were not edited after signing, not whose key it is) and
    the ``checkpoints`` a party kept (which also prove the end was not cut off)."""
    ring = keys if keys is not None else keyring(db)

    def pages() -> Iterator[dict[str, object]]:
        position = 0
        while True:
            page = entries_after(db, position)
            for entry in page:
                yield dict(entry_json(entry))
            if len(page) < PAGE_SIZE:
                return
            position = page[-1].seq

    return verify(
        pages(),
        None,
        ring,
        checkpoints=checkpoints,
        all_signatures=all_signatures,
        trailer_required=False,
    )


OPERATOR_KEYS_CACHE_S = 30.0
"""How long a server trusts its copy of an operator's keys, in seconds (a key id it does not
know is looked up at once; a key registered through another process may take this long to be
required of that operator's unsigned submissions there)."""


def _key_holder(uow: UnitOfWork, actor: Actor, operator: str | None) -> OperatorRecord:
    """The operator whose keys ``actor`` (an admin) manages: itself, or another operator of its
    party (the host's admins: of the host). NotFound for anyone else."""
    if operator is None or operator == actor.operator:
        found = uow.parties.operator(actor.operator)
    else:
        found = uow.parties.operator(operator)
        if found is None or found.party != actor.party:
            raise NotFound(f"no operator {operator!r} of {actor.party}", ("operator",))
    if found is None:  # the actor itself: authenticated a moment ago
        raise NotFound(f"no operator {actor.operator!r}")
    return found


def register_operator_key(
    deps: Deps, actor: Actor, public_key: str, operator: str | None = None
) -> StoredKey:
    """Register an Ed25519 public key for the acting admin or for ``operator``, another
    operator of its party (a duty officer gives its admin the public half of the key it made);
    from then on that operator's submissions must be signed. InvalidInput for a malformed key,
    StateConflict when already registered, NotFound for an operator of another party."""
    actor.require_party("register signing keys")
    actor.require_role(Role.ADMIN, "register signing keys")
    try:
        public = public_key_from_b64(public_key)
    except ValueError as error:
        raise InvalidInput(str(error), ("public_key",)) from error
    now = deps.clock.now()

    def work(uow: UnitOfWork) -> StoredKey:
        holder = _key_holder(uow, actor, operator)
        entry = KeyEntry.of(public, holder.party, holder.id)
        if not uow.ledger_keys.add_operator_key(entry, now):
            raise StateConflict(f"key {entry.key_id} is already registered")
        event = KeyRegistered(entry.key_id, public_key, holder.party, holder.id, actor.operator)
        record_event(uow, now, actor.operator, event, actor.signature)
        return StoredKey(entry, now, None)

    return deps.db.run(work)


def revoke_operator_key(deps: Deps, actor: Actor, key_id: str) -> str:
    """Revoke a key of the acting admin or of another operator of its party (it still
    verifies what it signed before); returns the operator whose key it was. NotFound when no
    such operator holds that active key."""
    actor.require_role(Role.ADMIN, "revoke signing keys")
    now = deps.clock.now()

    def work(uow: UnitOfWork) -> str:
        mine = {k.entry.key_id: k for k in uow.ledger_keys.all() if k.revoked_at is None}
        key = mine.get(key_id)
        if key is None or key.entry.owner != actor.party or key.entry.operator is None:
            raise NotFound(f"no active key {key_id!r} of an operator of {actor.party}")
        uow.ledger_keys.revoke(key_id, now)
        event = KeyRevoked(key_id, actor.party, key.entry.operator, actor.operator)
        record_event(uow, now, actor.operator, event, actor.signature)
        return key.entry.operator

    return deps.db.run(work)


def operator_keys(deps: Deps, actor: Actor) -> list[StoredKey]:
    """The keys the acting operator registered (revoked ones too)."""
    keys = deps.db.run(lambda uow: uow.ledger_keys.all(), readonly=True)
    return [k for k in keys if k.entry.operator == actor.operator]


REFRESH_AFTER = (0.5, 0.8)
"""Fractions of ``OPERATOR_KEYS_CACHE_S`` between which (drawn at random per read, so that the
copies read together at a start are not all read again together) an operator's keys in use
are read again in the background (``OperatorKeyCache.claim_refresh``): a busy operator's
submissions never wait for that read."""


class OperatorKeyCache:
    """Each operator's active keys, kept up to ``ttl_s`` seconds, and read again in the
    background while in use (``claim_refresh``). Thread-safe."""

    def __init__(self, ttl_s: float = OPERATOR_KEYS_CACHE_S) -> None:
        self.kept: Kept[str, KeyRing] = Kept(ttl_s, REFRESH_AFTER)
        """The key rings by operator."""

    def get(self, deps: Deps, operator: str, *, fresh: bool = False) -> KeyRing:
        """The operator's active keys as a ring (read again when ``fresh`` or stale)."""
        found = None if fresh else self.kept.get(operator)
        if found is not None:
            return found
        read_at = time.monotonic()
        entries = deps.db.run(lambda uow: uow.ledger_keys.active_for(operator), readonly=True)
        ring = KeyRing.of(entries)
        self.kept.put(operator, ring, read_at)
        return ring

    def put(self, operator: str, ring: KeyRing, read_at: float) -> None:
        """Keep ``ring`` as the operator's keys, read at ``read_at`` (``time.monotonic``)."""
        self.kept.put(operator, ring, read_at)

    def unsigned_ok(self, operator: str) -> bool:
        """True when the operator is known, from a fresh copy, to hold no key: its unsigned
        submissions need no further check (no database read, no thread)."""
        found = self.kept.get(operator)
        return found is not None and not found.keys

    def claim_refresh(self, operator: str) -> bool:
        """True, once, when a kept copy is due to be read again in the background: the caller
        reads it (``get(..., fresh=True)``), or calls ``release`` when it could not."""
        return self.kept.claim_refresh(operator)

    def release(self, operator: str) -> None:
        """A claimed read failed to run: the operator's next submission claims it again."""
        self.kept.release(operator)

    def forget(self, operator: str) -> None:
        """Drop the operator's keys (after it registered or revoked one)."""
        self.kept.drop(operator)


def keep_every_operators_keys(
    deps: Deps, cache: OperatorKeyCache, operators: Iterable[str]
) -> None:
    """Put the active keys of each of ``operators`` (none for most) in ``cache``, read in one
    query: a server does so as it starts, so that no first submission waits for a read."""
    read_at = time.monotonic()
    active = deps.db.run(lambda uow: uow.ledger_keys.all_active(), readonly=True)
    for operator in operators:
        cache.put(operator, KeyRing.of(active.get(operator, [])), read_at)


def check_signature(
    deps: Deps,
    cache: OperatorKeyCache,
    actor: Actor,
    header: str | None,
    method: str,
    path: str,
    body: bytes,
) -> PartySig | None:
    """The verified signature of a submission, or None for an unsigned one by an operator that
    registered no key. BadSignature (401) when the signature is malformed, made with a key
    that is not one of the operator's active keys, or does not verify; SignatureRequired (401)
    when an operator that registered a key sends a submission unsigned. Nothing is then stored."""
    ring = cache.get(deps, actor.operator)
    if header is None:
        if ring.keys:
            raise SignatureRequired(
                f"operator {actor.operator} signs its submissions: "
                f"the {SIGNATURE_HEADER} header is required (load the operator's key)"
            )
        return None
    try:
        parsed = json.loads(body) if body.strip() else None
    except ValueError as error:
        raise BadSignature("a signed request must have a JSON body (or none)") from error
    envelope = submission(method, path, parsed)
    try:
        key_id = verify_body_signature(ring, header, envelope)
    except SignatureError as first:
        if first.problem != "unknown-key":
            raise BadSignature(f"bad {SIGNATURE_HEADER}: {first.detail}") from first
        ring = cache.get(deps, actor.operator, fresh=True)  # registered a moment ago?
        try:
            key_id = verify_body_signature(ring, header, envelope)
        except SignatureError as error:
            raise BadSignature(f"bad {SIGNATURE_HEADER}: {error.detail}") from error
    _, sig = parse_signature_header(header)  # well formed: it just verified
    return PartySig(key_id, sig)


__all__ = [
    "DELIVERY_EVENT",
    "OperatorKeyCache",
    "check_signature",
    "checkpoint",
    "delivery_concerns",
    "export_about",
    "export_lines",
    "keep_every_operators_keys",
    "keyring",
    "operator_keys",
    "read_page",
    "register_operator_key",
    "revoke_operator_key",
    "verify_database",
    "view_entries",
]
