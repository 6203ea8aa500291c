"""Ed25519 keys, signatures in base64url, the key ring, and detached signatures over request bodies.

Signatures travel as unpadded base64url text (86 characters for Ed25519's 64 bytes); only the
canonical encoding is accepted, so one signature has exactly one text form (a hash that commits to
a signature's text then commits to the signature). A key is named by its ``key_id``: the first 16
hex characters of the SHA-256 of its 32 raw public bytes.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from sharedsky.ledger.canonical import CanonicalizationError, JsonValue, canonical, sha256_hex

__all__ = [
    "BODY_PREFIX",
    "SERVER",
    "SIGNATURE_HEADER",
    "KeyEntry",
    "KeyRing",
    "KeyRingError",
    "SignatureError",
    "SignatureProblem",
    "Signer",
    "StoredKey",
    "b64url_decode",
    "b64url_encode",
    "body_message",
    "body_signature",
    "generate_private_key",
    "key_id",
    "parse_signature_header",
    "private_key_from_pem",
    "private_key_to_pem",
    "public_key_from_b64",
    "public_key_to_b64",
    "sign_body",
    "submission",
    "verify",
    "verify_body_signature",
]

SIGNATURE_HEADER = "Sharedsky-Signature"
"""The HTTP request header that carries a party's signature: ``keyId=<key id>,sig=<base64url>``."""
SERVER = "server"
"""The ``owner`` of a key the server signs entries and checkpoints with."""
BODY_PREFIX = "sharedsky-body-v1:"
"""What a party's body signature signs: this prefix + the hex SHA-256 of the body's JCS bytes."""

_B64URL = re.compile(r"[A-Za-z0-9_-]*")


def b64url_encode(data: bytes) -> str:
    """``data`` in base64url without padding (RFC 4648 §5)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes | None:
    """The bytes of unpadded base64url ``text``; None unless ``text`` is their canonical form."""
    if not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        return None
    # the pattern and the length admit only decodable text; re-encoding rejects stray low bits
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    return data if b64url_encode(data) == text else None


def generate_private_key() -> Ed25519PrivateKey:
    """A new random Ed25519 private key."""
    return Ed25519PrivateKey.generate()


def private_key_to_pem(private_key: Ed25519PrivateKey) -> bytes:
    """``private_key`` as unencrypted PKCS#8 PEM."""
    return private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def private_key_from_pem(pem: bytes) -> Ed25519PrivateKey:
    """The Ed25519 private key in unencrypted PKCS#8 PEM ``pem``; ValueError for anything else."""
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"not an Ed25519 private key: {type(key).__name__}")
    return key


def public_key_to_b64(public_key: Ed25519PublicKey) -> str:
    """The 32 raw bytes of ``public_key`` in unpadded base64url (43 characters)."""
    return b64url_encode(public_key.public_bytes_raw())


def public_key_from_b64(text: str) -> Ed25519PublicKey:
    """The Ed25519 public key whose 32 raw bytes ``text`` holds in base64url; ValueError if not."""
    raw = b64url_decode(text)
    if raw is None or len(raw) != 32:
        raise ValueError("a public key is 32 bytes in unpadded base64url (43 characters)")
    return Ed25519PublicKey.from_public_bytes(raw)


def key_id(public_key: Ed25519PublicKey) -> str:
    """The name of ``public_key``: the first 16 hex characters of SHA-256 of its raw bytes."""
    return hashlib.sha256(public_key.public_bytes_raw()).hexdigest()[:16]


def verify(public_key: Ed25519PublicKey, data: bytes, sig: str) -> bool:
    """True when ``sig`` (canonical unpadded base64url) is ``public_key``'s signature of ``data``.

    A signature in another text form of the same bytes is refused.
    """
    raw = b64url_decode(sig)
    if raw is None or len(raw) != 64:
        return False
    try:
        public_key.verify(raw, data)
    except InvalidSignature:
        return False
    return True


class Signer:
    """A private key that signs: ``sign(data)`` gives the signature in unpadded base64url."""

    __slots__ = ("_private_key", "key_id", "public_key")

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._private_key = private_key
        self.public_key: Ed25519PublicKey = private_key.public_key()
        self.key_id: str = key_id(self.public_key)
        """The name of the public key (see ``key_id``)."""

    @classmethod
    def generate(cls) -> Signer:
        """A signer with a new random key."""
        return cls(generate_private_key())

    @classmethod
    def from_pem(cls, pem: bytes) -> Signer:
        """A signer over the Ed25519 key in PKCS#8 PEM ``pem``."""
        return cls(private_key_from_pem(pem))

    def to_pem(self) -> bytes:
        """The private key as unencrypted PKCS#8 PEM (keep it secret)."""
        return private_key_to_pem(self._private_key)

    def sign(self, data: bytes) -> str:
        """The Ed25519 signature of ``data`` (64 bytes) in unpadded base64url (86 characters)."""
        return b64url_encode(self._private_key.sign(data))

    def __repr__(self) -> str:
        return f"Signer(key_id={self.key_id!r})"


class KeyRingError(ValueError):
    """A key ring document that is not well formed."""


@dataclass(frozen=True, slots=True)
class KeyEntry:
    """One public key of a ring and whose it is."""

    key_id: str
    public_key: Ed25519PublicKey
    owner: str
    """``"server"`` for the mechanism's signing key, else the party id that holds the key."""
    operator: str | None = None
    """The party's operator the key belongs to, if the party gives each operator a key."""

    @classmethod
    def of(cls, public_key: Ed25519PublicKey, owner: str, operator: str | None = None) -> KeyEntry:
        """The entry of ``public_key``, its ``key_id`` computed."""
        return cls(key_id(public_key), public_key, owner, operator)

    def to_json(self) -> dict[str, JsonValue]:
        """``{"key_id", "public_key" (base64url raw), "owner", "operator"}``."""
        return {
            "key_id": self.key_id,
            "public_key": public_key_to_b64(self.public_key),
            "owner": self.owner,
            "operator": self.operator,
        }


@dataclass(frozen=True, slots=True)
class StoredKey:
    """A registered public key with when it was registered and, once revoked, when (a revoked
    key still verifies what it signed before)."""

    entry: KeyEntry
    created_at: datetime
    revoked_at: datetime | None


_KEY_FIELDS = frozenset({"key_id", "public_key", "owner", "operator"})


def _key_from_json(index: int, item: object) -> KeyEntry:
    where = f"keys[{index}]"
    if not isinstance(item, dict) or item.keys() != _KEY_FIELDS:
        raise KeyRingError(f"{where}: must be an object with exactly {sorted(_KEY_FIELDS)}")
    kid, public, owner, operator = (item[k] for k in ("key_id", "public_key", "owner", "operator"))
    if not isinstance(public, str):
        raise KeyRingError(f"{where}.public_key: must be a string")
    try:
        public_key = public_key_from_b64(public)
    except ValueError as error:
        raise KeyRingError(f"{where}.public_key: {error}") from error
    if kid != key_id(public_key):
        raise KeyRingError(f"{where}.key_id: must be {key_id(public_key)!r} for this public key")
    if not isinstance(owner, str) or not owner:
        raise KeyRingError(f"{where}.owner: must be a non-empty string")
    if operator is not None and not isinstance(operator, str):
        raise KeyRingError(f"{where}.operator: must be a string or null")
    return KeyEntry(kid, public_key, owner, operator)


@dataclass(frozen=True, slots=True)
class KeyRing:
    """The public keys a verifier trusts, by ``key_id``; the server's are owned by ``"server"``."""

    keys: tuple[KeyEntry, ...]
    _by_id: dict[str, KeyEntry] = field(init=False, repr=False, compare=False)
    _server: tuple[KeyEntry, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id: dict[str, KeyEntry] = {}
        for key in self.keys:
            if key.key_id in by_id:
                raise KeyRingError(f"key {key.key_id!r} appears twice")
            by_id[key.key_id] = key
        object.__setattr__(self, "_by_id", by_id)
        object.__setattr__(self, "_server", tuple(k for k in self.keys if k.owner == SERVER))

    @classmethod
    def of(cls, keys: Iterable[KeyEntry]) -> KeyRing:
        """A ring of ``keys``; KeyRingError when a ``key_id`` repeats."""
        return cls(tuple(keys))

    def get(self, kid: str) -> KeyEntry | None:
        """The key named ``kid``; None when the ring does not hold it."""
        return self._by_id.get(kid)

    @property
    def server_keys(self) -> tuple[KeyEntry, ...]:
        """The keys owned by the server, in ring order (more than one across a key rotation)."""
        return self._server

    def to_json(self) -> dict[str, JsonValue]:
        """``{"keys": [{"key_id", "public_key", "owner", "operator"}, ...]}``."""
        return {"keys": [key.to_json() for key in self.keys]}

    @classmethod
    def from_json(cls, document: object) -> KeyRing:
        """The ring in ``document`` (as ``to_json`` writes it); KeyRingError naming the field."""
        if not isinstance(document, dict) or document.keys() != {"keys"}:
            raise KeyRingError('a key ring is an object with exactly one field, "keys"')
        items = document["keys"]
        if not isinstance(items, list):
            raise KeyRingError("keys: must be an array")
        return cls.of(_key_from_json(i, item) for i, item in enumerate(items))

    def dumps(self) -> str:
        """The ring as JSON text (``to_json``, indented)."""
        return json.dumps(self.to_json(), indent=2) + "\n"

    @classmethod
    def loads(cls, text: str | bytes) -> KeyRing:
        """The ring in JSON ``text``; KeyRingError when it is not well formed."""
        try:
            document = json.loads(text)
        except ValueError as error:
            raise KeyRingError(f"not JSON: {error}") from error
        return cls.from_json(document)


class SignatureProblem(enum.StrEnum):
    """Why a party's body signature was refused."""

    MALFORMED_HEADER = "malformed-header"
    UNKNOWN_KEY = "unknown-key"
    BAD_SIGNATURE = "bad-signature"
    INVALID_BODY = "invalid-body"
    """The body has no canonical form (an integer beyond ±(2**53 - 1), NaN …)."""


class SignatureError(ValueError):
    """A body signature that does not verify; ``problem`` says why."""

    def __init__(self, problem: SignatureProblem, detail: str) -> None:
        super().__init__(f"{problem}: {detail}")
        self.problem = problem
        self.detail = detail


def submission(method: str, path: str, body: JsonValue) -> dict[str, JsonValue]:
    """What a party signs for one request: ``{"method", "path", "body"}`` — the HTTP method in
    upper case, the URL path (no query), and the JSON body (``None`` when there is none).
    Signing the method and path too keeps a signed body from being replayed at another URL
    (an acknowledgement of one notice as that of another)."""
    return {"method": method.upper(), "path": path, "body": body}


def body_message(body: JsonValue) -> bytes:
    """The bytes a body signature signs: ``"sharedsky-body-v1:" + sha256_hex(JCS(body))``."""
    return (BODY_PREFIX + sha256_hex(canonical(body))).encode("ascii")


def sign_body(signer: Signer, body: JsonValue) -> str:
    """The signature of ``body`` (of ``body_message(body)``) in unpadded base64url.

    Raises ``CanonicalizationError`` when ``body`` has no canonical form.
    """
    return signer.sign(body_message(body))


def body_signature(signer: Signer, body: JsonValue) -> str:
    """The header value ``keyId=<key_id>,sig=<base64url>`` signing ``body`` (see ``sign_body``)."""
    return f"keyId={signer.key_id},sig={sign_body(signer, body)}"


def parse_signature_header(header: str) -> tuple[str, str]:
    """The key id and the signature in header value ``keyId=<key_id>,sig=<base64url>``.

    The two fields may come in either order, spaces around them are ignored; anything else
    raises ``SignatureError`` (malformed header).
    """
    fields: dict[str, str] = {}
    for part in header.split(","):
        name, sep, value = part.strip().partition("=")
        if not sep or name not in ("keyId", "sig") or name in fields or not value:
            raise SignatureError(
                SignatureProblem.MALFORMED_HEADER,
                "expected keyId=<key id>,sig=<base64url signature>",
            )
        fields[name] = value
    if fields.keys() != {"keyId", "sig"}:
        raise SignatureError(SignatureProblem.MALFORMED_HEADER, "keyId and sig are both required")
    return fields["keyId"], fields["sig"]


def verify_body_signature(keyring: KeyRing, header: str, body: JsonValue) -> str:
    """The ``key_id`` whose signature ``header`` (see ``body_signature``) is over ``body``.

    Raises ``SignatureError`` with the problem: a malformed header, a key the ring does not hold,
    a body with no canonical form, or a signature that does not verify. Which party may use the
    key is the caller's decision (``keyring.get(key_id).owner``).
    """
    kid, sig = parse_signature_header(header)
    key = keyring.get(kid)
    if key is None:
        raise SignatureError(SignatureProblem.UNKNOWN_KEY, f"no key {kid!r} in the key ring")
    try:
        message = body_message(body)
    except CanonicalizationError as error:
        raise SignatureError(SignatureProblem.INVALID_BODY, str(error)) from error
    if not verify(key.public_key, message, sig):
        raise SignatureError(
            SignatureProblem.BAD_SIGNATURE, f"the signature does not verify with key {kid!r}"
        )
    return kid
