"""The server's SSL context and the verified client certificate of a request (`peer_subject`),
from a fake scope and from a real connection."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import pytest
from starlette.requests import Request

from sharedsky.api.tls import MINIMUM_VERSION, peer_subject, server_context, tls_extension
from sharedsky.domain.errors import InvalidSetting
from sharedsky.testing.pki import Authority


def _request(scope_extra: dict[str, Any]) -> Request:
    return Request({"type": "http", "method": "GET", "path": "/", "headers": [], **scope_extra})


def test_peer_subject_is_the_client_certificate_name_of_the_tls_extension() -> None:
    tls = {"client_cert_name": "CN=alpha-duty,O=Alpha", "client_cert_chain": ["…"]}
    assert peer_subject(_request({"extensions": {"tls": tls}})) == "CN=alpha-duty,O=Alpha"


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"extensions": {}},
        {"extensions": {"tls": {"client_cert_name": None, "client_cert_chain": []}}},
        {"extensions": {"http.response.trailers": {}}},
    ],
)
def test_peer_subject_is_none_over_plain_http_or_without_a_client_certificate(
    extra: dict[str, Any],
) -> None:
    assert peer_subject(_request(extra)) is None


@pytest.fixture(scope="module")
def authority(tmp_path_factory: pytest.TempPathFactory) -> Authority:
    return Authority(tmp_path_factory.mktemp("pki"))


def test_the_server_context_refuses_anything_older_than_tls_1_2(authority: Authority) -> None:
    server = authority.server()
    context = server_context(server.cert, server.key)
    assert context.minimum_version == MINIMUM_VERSION == ssl.TLSVersion.TLSv1_2
    assert context.verify_mode == ssl.CERT_NONE


def test_with_a_client_ca_the_server_context_requires_a_client_certificate(
    authority: Authority,
) -> None:
    server = authority.server()
    context = server_context(server.cert, server.key, authority.cert)
    assert context.verify_mode == ssl.CERT_REQUIRED


def test_an_unusable_file_names_its_setting(authority: Authority, tmp_path: Path) -> None:
    server = authority.server()
    with pytest.raises(InvalidSetting) as caught:
        server_context(server.cert, tmp_path / "nowhere.key")
    assert caught.value.path == ("tls_key",)
    assert caught.value.code == "invalid-setting"


class _FakeSslObject:
    def __init__(self, der: bytes | None, version: str) -> None:
        self._der = der
        self._version = version

    def getpeercert(self, binary_form: bool) -> bytes | None:
        assert binary_form
        return self._der

    def version(self) -> str:
        return self._version


def test_the_tls_extension_carries_the_subject_in_rfc_4514(authority: Authority) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    issued = authority.client("alpha-duty", "Alpha")
    der = x509.load_pem_x509_certificate(issued.cert.read_bytes()).public_bytes(
        serialization.Encoding.DER
    )
    extension = tls_extension(_FakeSslObject(der, "TLSv1.3"))  # type: ignore[arg-type]
    assert extension is not None
    assert extension["client_cert_name"] == "CN=alpha-duty,O=Alpha"
    assert extension["tls_version"] == 0x0304
    chain = extension["client_cert_chain"]
    assert isinstance(chain, list) and chain[0].startswith("-----BEGIN CERTIFICATE-----")
    anonymous = tls_extension(_FakeSslObject(None, "TLSv1.2"))  # type: ignore[arg-type]
    assert anonymous is not None
    assert anonymous["client_cert_name"] is None
    assert anonymous["tls_version"] == 0x0303
    assert tls_extension(None) is None
