"""The TLS side of a client: which CAs it trusts, and the certificate it presents (mutual TLS).

`client_context` builds the ``ssl.SSLContext`` handed to httpx as ``verify=`` (httpx 0.28
deprecates its ``cert=`` argument in favour of a context that holds the certificate).
"""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx

MINIMUM_VERSION = ssl.TLSVersion.TLSv1_2


def client_context(
    ca: Path | str | None = None, cert: Path | str | None = None, key: Path | str | None = None
) -> ssl.SSLContext | None:
    """The SSL context of a client: it trusts the CA certificates in ``ca`` (PEM; default: the
    public CAs httpx trusts) and, given ``cert`` (PEM, with its private key in ``key`` or in the
    same file), presents that certificate. None when all three are None (httpx's default).

    Raises ValueError, naming the file, when one cannot be read or used."""
    if ca is None and cert is None and key is None:
        return None
    if key is not None and cert is None:
        raise ValueError("a client key needs its certificate (cert)")
    if ca is None:
        context = httpx.create_ssl_context()
    else:
        context = ssl.create_default_context()
        try:
            context.load_verify_locations(cafile=str(ca))
        except (OSError, ssl.SSLError) as exc:
            raise ValueError(f"{ca}: not a readable PEM file of CA certificates ({exc})") from exc
    context.minimum_version = MINIMUM_VERSION
    if cert is not None:
        try:
            context.load_cert_chain(str(cert), None if key is None else str(key))
        except (OSError, ssl.SSLError) as exc:
            where = str(cert) if key is None else f"{cert} with {key}"
            raise ValueError(
                f"{where}: not a readable PEM certificate and matching private key ({exc})"
            ) from exc
    return context
