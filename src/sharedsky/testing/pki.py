"""A throwaway public-key infrastructure for tests, the demo and benchmarks: a certificate
authority that issues a server certificate for ``127.0.0.1``/``localhost`` and client
certificates, written as PEM files.

Nothing here is fit for production (short-lived EC P-256 keys, unencrypted on disk): it stands
in for the real CA of a mechanism so that TLS and mutual TLS can be exercised end to end.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALID_FOR_S = 86_400.0
"""How long the certificates issued here are valid, in seconds (from a minute ago)."""


def _name(common_name: str, organisation: str | None) -> x509.Name:
    parts = []
    if organisation is not None:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    parts.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(parts)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


@dataclass(frozen=True, slots=True)
class Issued:
    """A certificate and its private key, as PEM files."""

    cert: Path
    key: Path


class Authority:
    """A self-signed CA that issues server and client certificates into ``folder``."""

    def __init__(self, folder: Path, name: str = "sharedsky test CA") -> None:
        self.folder = folder
        self.name = name
        self._key = ec.generate_private_key(ec.SECP256R1())
        self._subject = _name(name, None)
        now = datetime.now(UTC) - timedelta(minutes=1)
        self._cert = (
            x509.CertificateBuilder()
            .subject_name(self._subject)
            .issuer_name(self._subject)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + timedelta(seconds=VALID_FOR_S))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .sign(self._key, hashes.SHA256())
        )
        folder.mkdir(parents=True, exist_ok=True)
        slug = name.replace(" ", "-")
        self.cert = folder / f"{slug}.pem"
        """The CA certificate (what clients, or a server checking clients, trust)."""
        self.cert.write_bytes(self._cert.public_bytes(serialization.Encoding.PEM))

    def _issue(
        self,
        stem: str,
        subject: x509.Name,
        usage: x509.ObjectIdentifier,
        names: list[x509.GeneralName],
    ) -> Issued:
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(UTC) - timedelta(minutes=1)
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self._subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + timedelta(seconds=VALID_FOR_S))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        )
        if names:
            builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        cert = builder.sign(self._key, hashes.SHA256())
        issued = Issued(self.folder / f"{stem}.pem", self.folder / f"{stem}.key")
        issued.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        issued.key.write_bytes(_key_pem(key))
        issued.key.chmod(0o600)
        return issued

    def server(self, stem: str = "server") -> Issued:
        """A server certificate for ``127.0.0.1``, ``::1`` and ``localhost``."""
        names: list[x509.GeneralName] = [
            x509.DNSName("localhost"),
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
            x509.IPAddress(ipaddress.ip_address("::1")),
        ]
        return self._issue(stem, _name("localhost", None), ExtendedKeyUsageOID.SERVER_AUTH, names)

    def client(self, common_name: str, organisation: str | None = None) -> Issued:
        """A client certificate whose subject is ``CN=<common_name>,O=<organisation>``."""
        subject = _name(common_name, organisation)
        return self._issue(common_name, subject, ExtendedKeyUsageOID.CLIENT_AUTH, [])
