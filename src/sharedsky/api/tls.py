"""TLS of ``serve``: the server's SSL context (TLS 1.2 or later, optionally mutual), and the
verified client certificate of a request.

`server_context` checks its files itself before OpenSSL sees them, so that a file that is not a
certificate or a key, a certificate that does not belong to its key, or a missing file is
refused with a sentence that names it (`InvalidSetting`), not an OpenSSL error code.

The client certificate reaches the app as the ASGI TLS extension
(``scope["extensions"]["tls"]``, https://asgi.readthedocs.io/en/latest/specs/tls.html):
uvicorn does not fill it, so ``serve``'s protocol (`api.protocol`) does, from the connection's
``ssl_object``. `peer_subject` reads it.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from starlette.requests import HTTPConnection

from sharedsky.domain.errors import InvalidSetting

MINIMUM_VERSION = ssl.TLSVersion.TLSv1_2
"""The oldest protocol version ``serve`` accepts."""
TLS_EXTENSION = "tls"
"""The key of the ASGI TLS extension in ``scope["extensions"]``."""
_TLS_VERSIONS = {"TLSv1.2": 0x0303, "TLSv1.3": 0x0304}
"""OpenSSL's version names → the numbers the ASGI TLS extension uses."""


def _read(path: Path, setting: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvalidSetting(f"cannot read {path}: {exc.strerror}", (setting,)) from exc


def _certificates(path: Path, setting: str) -> list[x509.Certificate]:
    data = _read(path, setting)
    try:
        found = x509.load_pem_x509_certificates(data)
    except ValueError as exc:
        raise InvalidSetting(f"{path} holds no PEM certificate", (setting,)) from exc
    return found


def _private_key(path: Path, setting: str) -> PrivateKeyTypes:
    data = _read(path, setting)
    try:
        return serialization.load_pem_private_key(data, password=None)
    except TypeError as exc:  # encrypted: serve has no way to ask for the passphrase
        raise InvalidSetting(
            f"{path} is an encrypted private key; give it unencrypted", (setting,)
        ) from exc
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise InvalidSetting(f"{path} holds no PEM private key", (setting,)) from exc


def _public_der(key: object) -> bytes:
    public_bytes = getattr(key, "public_bytes", None)
    if public_bytes is None:
        return b""
    der: bytes = public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return der


def server_context(cert: Path, key: Path, client_ca: Path | None = None) -> ssl.SSLContext:
    """The SSL context of ``serve``: TLS 1.2 or later, the certificate chain in ``cert`` (PEM;
    the server's certificate first) with its private key in ``key`` (PEM, unencrypted); with
    ``client_ca``, every client must present a certificate issued by a CA in that PEM file.

    Raises `InvalidSetting` (naming ``tls_cert``, ``tls_key`` or ``tls_client_ca``) for a
    missing or unreadable file, a file that holds no certificate or key, or a certificate
    whose public key is not the key's."""
    chain = _certificates(cert, "tls_cert")
    private = _private_key(key, "tls_key")
    if _public_der(chain[0].public_key()) != _public_der(private.public_key()):
        raise InvalidSetting(
            f"the certificate in {cert} does not belong to the private key in {key}",
            ("tls_key",),
        )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = MINIMUM_VERSION
    try:
        context.load_cert_chain(cert, key)
    except ssl.SSLError as exc:
        raise InvalidSetting(f"OpenSSL refused {cert} with {key}: {exc}", ("tls_cert",)) from exc
    if client_ca is not None:
        _certificates(client_ca, "tls_client_ca")
        try:
            context.load_verify_locations(cafile=client_ca)
        except ssl.SSLError as exc:
            raise InvalidSetting(f"OpenSSL refused {client_ca}: {exc}", ("tls_client_ca",)) from exc
        context.verify_mode = ssl.CERT_REQUIRED
    return context


def tls_extension(ssl_object: ssl.SSLObject | ssl.SSLSocket | None) -> dict[str, object] | None:
    """The ASGI TLS extension of a connection (None for plain HTTP): the client's certificate
    (``client_cert_chain``, PEM, the leaf only as OpenSSL keeps it) and its subject as an
    RFC 4514 string (``client_cert_name``, e.g. ``CN=alpha-duty,O=Alpha``), both absent (empty,
    None) when the client presented none; ``tls_version`` as a number (0x0303 = TLS 1.2)."""
    if ssl_object is None:
        return None
    der = ssl_object.getpeercert(binary_form=True)
    name: str | None = None
    chain: list[str] = []
    if der:
        name = x509.load_der_x509_certificate(der).subject.rfc4514_string()
        chain = [ssl.DER_cert_to_PEM_cert(der)]
    return {
        "server_cert": None,
        "client_cert_chain": chain,
        "client_cert_name": name,
        "client_cert_error": None,
        "tls_version": _TLS_VERSIONS.get(ssl_object.version() or ""),
        "cipher_suite": None,
    }


def peer_subject(connection: HTTPConnection) -> str | None:
    """The subject (RFC 4514, e.g. ``CN=alpha-duty,O=Alpha``) of the client certificate that
    the TLS handshake of this request's connection verified; None over plain HTTP or when the
    client presented no certificate (only possible without ``--tls-client-ca``)."""
    extensions = connection.scope.get("extensions")
    tls = extensions.get(TLS_EXTENSION) if isinstance(extensions, Mapping) else None
    name = tls.get("client_cert_name") if isinstance(tls, Mapping) else None
    return name if isinstance(name, str) else None
