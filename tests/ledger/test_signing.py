"""Ed25519 keys and signatures, the key ring, and parties' detached body signatures."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from _ledger_support import KEYRING, OTHER_SIGNER, PARTY_SIGNER, SERVER_SIGNER
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from sharedsky.ledger.canonical import JsonValue
from sharedsky.ledger.signing import (
    SERVER,
    KeyEntry,
    KeyRing,
    KeyRingError,
    SignatureError,
    SignatureProblem,
    Signer,
    b64url_decode,
    b64url_encode,
    body_message,
    body_signature,
    generate_private_key,
    key_id,
    parse_signature_header,
    private_key_from_pem,
    private_key_to_pem,
    public_key_from_b64,
    public_key_to_b64,
    sign_body,
    verify,
    verify_body_signature,
)


def test_base64url_is_unpadded_and_only_its_canonical_form_decodes() -> None:
    assert b64url_encode(b"\xfb\xff") == "-_8"
    assert b64url_decode("-_8") == b"\xfb\xff"
    assert b64url_decode("") == b""
    assert b64url_decode("-_9") is None  # same bytes, stray low bits
    assert b64url_decode("-_8=") is None  # padding
    assert b64url_decode("+/8") is None  # the other alphabet
    assert b64url_decode("abcde") is None  # a length no encoding has


def test_a_signer_signs_with_86_characters_that_verify() -> None:
    signer = Signer.generate()
    sig = signer.sign(b"data")
    assert len(sig) == 86
    assert verify(signer.public_key, b"data", sig)
    assert not verify(signer.public_key, b"other", sig)
    assert not verify(OTHER_SIGNER.public_key, b"data", sig)
    assert not verify(signer.public_key, b"data", sig[:-2])
    assert not verify(signer.public_key, b"data", "!" * 86)
    assert not verify(signer.public_key, b"data", b64url_encode(b"\0" * 63))


def test_signatures_are_deterministic() -> None:
    assert SERVER_SIGNER.sign(b"x") == SERVER_SIGNER.sign(b"x")


def test_a_private_key_round_trips_through_pkcs8_pem() -> None:
    key = generate_private_key()
    pem = private_key_to_pem(key)
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    again = Signer.from_pem(pem)
    assert again.key_id == Signer(key).key_id
    assert again.to_pem() == pem
    assert private_key_to_pem(private_key_from_pem(pem)) == pem


def test_a_pem_of_another_key_type_is_refused() -> None:
    other = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(ValueError, match="not an Ed25519 private key"):
        private_key_from_pem(other)


def test_a_public_key_is_its_raw_32_bytes_in_base64url() -> None:
    text = public_key_to_b64(SERVER_SIGNER.public_key)
    assert len(text) == 43
    assert (
        public_key_from_b64(text).public_bytes_raw() == SERVER_SIGNER.public_key.public_bytes_raw()
    )
    with pytest.raises(ValueError, match="32 bytes"):
        public_key_from_b64(text[:-1])
    with pytest.raises(ValueError, match="32 bytes"):
        public_key_from_b64("not base64!")


def test_a_key_id_is_the_first_16_hex_of_sha256_of_the_raw_public_key() -> None:
    raw = SERVER_SIGNER.public_key.public_bytes_raw()
    assert key_id(SERVER_SIGNER.public_key) == hashlib.sha256(raw).hexdigest()[:16]
    assert SERVER_SIGNER.key_id == key_id(SERVER_SIGNER.public_key)
    assert repr(SERVER_SIGNER) == f"Signer(key_id='{SERVER_SIGNER.key_id}')"


def test_a_key_ring_round_trips_through_json() -> None:
    document = KEYRING.to_json()
    assert document == {
        "keys": [
            {
                "key_id": SERVER_SIGNER.key_id,
                "public_key": public_key_to_b64(SERVER_SIGNER.public_key),
                "owner": "server",
                "operator": None,
            },
            {
                "key_id": PARTY_SIGNER.key_id,
                "public_key": public_key_to_b64(PARTY_SIGNER.public_key),
                "owner": "party-a",
                "operator": "duty-officer",
            },
        ]
    }
    again = KeyRing.loads(KEYRING.dumps())
    assert again.to_json() == document
    assert again.server_keys[0].key_id == SERVER_SIGNER.key_id
    assert again.get(PARTY_SIGNER.key_id) is not None
    assert again.get("0" * 16) is None


def _ring_with(change: dict[str, Any]) -> dict[str, Any]:
    key = KeyEntry.of(OTHER_SIGNER.public_key, SERVER).to_json() | change
    return {"keys": [key]}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], 'exactly one field, "keys"'),
        ({"keys": [], "x": 1}, 'exactly one field, "keys"'),
        ({"keys": {}}, "keys: must be an array"),
        ({"keys": [1]}, "keys[0]: must be an object"),
        (_ring_with({"public_key": 1}), "keys[0].public_key: must be a string"),
        (_ring_with({"public_key": "AAAA"}), "keys[0].public_key: a public key is 32 bytes"),
        (_ring_with({"key_id": "0" * 16}), "keys[0].key_id: must be"),
        (_ring_with({"owner": ""}), "keys[0].owner: must be a non-empty string"),
        (_ring_with({"operator": 3}), "keys[0].operator: must be a string or null"),
    ],
)
def test_a_malformed_key_ring_is_refused_naming_the_field(document: Any, message: str) -> None:
    with pytest.raises(KeyRingError, match=message.replace("[", r"\[").replace("]", r"\]")):
        KeyRing.from_json(document)


def test_a_key_ring_refuses_a_key_twice_and_text_that_is_not_json() -> None:
    entry = KeyEntry.of(SERVER_SIGNER.public_key, SERVER)
    with pytest.raises(KeyRingError, match="appears twice"):
        KeyRing.of([entry, entry])
    with pytest.raises(KeyRingError, match="not JSON"):
        KeyRing.loads("{")


def test_a_body_signature_verifies_and_names_its_key() -> None:
    body: dict[str, JsonValue] = {"notice": {"kind": "flight", "alt_hi_m": 3000.0}, "text": "é"}
    header = body_signature(PARTY_SIGNER, body)
    assert header.startswith(f"keyId={PARTY_SIGNER.key_id},sig=")
    assert verify_body_signature(KEYRING, header, body) == PARTY_SIGNER.key_id
    # the signature is over the canonical form: key order and 3000.0 vs 3000 do not matter
    same = json.loads('{"text": "é", "notice": {"alt_hi_m": 3000, "kind": "flight"}}')
    assert verify_body_signature(KEYRING, header.replace(",", ", "), same) == PARTY_SIGNER.key_id
    assert parse_signature_header(header) == (PARTY_SIGNER.key_id, sign_body(PARTY_SIGNER, body))
    digest = hashlib.sha256(b'{"notice":{"alt_hi_m":3000,"kind":"flight"},"text":"\xc3\xa9"}')
    assert body_message(body) == b"sharedsky-body-v1:" + digest.hexdigest().encode()


@pytest.mark.parametrize(
    "header",
    [
        "",
        "keyId=abc",
        "sig=abc",
        "keyId=a,sig=b,extra=c",
        "keyId=a,keyId=b",
        "keyId,sig=b",
        "keyId=,sig=b",
        "keyid=a,sig=b",
    ],
)
def test_a_malformed_signature_header_is_refused(header: str) -> None:
    with pytest.raises(SignatureError) as caught:
        verify_body_signature(KEYRING, header, {})
    assert caught.value.problem is SignatureProblem.MALFORMED_HEADER


def test_a_body_signature_by_an_unknown_key_or_over_another_body_is_refused() -> None:
    header = body_signature(OTHER_SIGNER, {"a": 1})
    with pytest.raises(SignatureError) as caught:
        verify_body_signature(KEYRING, header, {"a": 1})
    assert caught.value.problem is SignatureProblem.UNKNOWN_KEY
    header = body_signature(PARTY_SIGNER, {"a": 1})
    with pytest.raises(SignatureError) as caught:
        verify_body_signature(KEYRING, header, {"a": 2})
    assert caught.value.problem is SignatureProblem.BAD_SIGNATURE
    assert str(caught.value).startswith("bad-signature: ")


def test_a_body_without_a_canonical_form_is_refused() -> None:
    header = body_signature(PARTY_SIGNER, {"a": 1})
    with pytest.raises(SignatureError) as caught:
        verify_body_signature(KEYRING, header, {"a": 2**60})
    assert caught.value.problem is SignatureProblem.INVALID_BODY
