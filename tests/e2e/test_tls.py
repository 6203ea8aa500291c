"""``sharedsky serve`` over TLS, a real process: the SDK, the event stream and the CLI reach it
with the CA; plain HTTP, an unknown CA and a TLS 1.1 client do not; with ``--tls-client-ca``
only a client certificate of that CA gets in. Bad TLS files stop ``serve`` at start with a
sentence and exit code 1."""

from __future__ import annotations

import json
import socket
import ssl
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from _servers import init, serve
from typer.testing import CliRunner

from sharedsky.cli import app
from sharedsky.client import Client, ClientError, UnreachableError
from sharedsky.client.events import EventFollower
from sharedsky.client.tls import client_context
from sharedsky.testing.pki import Authority, Issued

MECHANISM_YAML = """\
mechanism: tls-e2e
host: {id: host, name: Coordination Cell, language: en}
parties:
  - {id: alpha, name: Alpha Air Command, language: en}
  - {id: bravo, name: Bravo Air Command, language: en}
"""


@dataclass
class Pki:
    ca: Authority
    server: Issued
    alpha: Issued
    stranger: Issued
    """A client certificate of another CA."""
    night: Issued
    """A second client certificate of the test CA (another operator's)."""


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    folder = tmp_path_factory.mktemp("pki")
    ca = Authority(folder / "ca")
    other = Authority(folder / "other", "other CA")
    return Pki(
        ca,
        ca.server(),
        ca.client("alpha-duty", "Alpha"),
        other.client("mallory"),
        ca.client("alpha-night", "Alpha"),
    )


@dataclass
class Server:
    base: str
    tokens: dict[str, str]


def _tls_argv(pki: Pki, mutual: bool) -> list[str]:
    argv = ["--tls-cert", str(pki.server.cert), "--tls-key", str(pki.server.key)]
    return [*argv, "--tls-client-ca", str(pki.ca.cert)] if mutual else argv


@pytest.fixture(scope="module")
def https(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One HTTPS server (no client certificates) for the module's tests."""
    folder = tmp_path_factory.mktemp("https")
    db = f"sqlite:///{folder / 'tls.db'}"
    tokens = init(folder, MECHANISM_YAML, db)
    verify = client_context(pki.ca.cert)
    with serve(db, folder / "server.log", argv=_tls_argv(pki, False), verify=verify) as base:
        yield Server(base, tokens)


@pytest.fixture(scope="module")
def mutual(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One HTTPS server that requires a client certificate of the test CA."""
    folder = tmp_path_factory.mktemp("mtls")
    db = f"sqlite:///{folder / 'mtls.db'}"
    tokens = init(folder, MECHANISM_YAML, db)
    verify = client_context(pki.ca.cert, pki.alpha.cert, pki.alpha.key)
    with serve(db, folder / "server.log", argv=_tls_argv(pki, True), verify=verify) as base:
        yield Server(base, tokens)


def test_the_sdk_with_the_ca_files_and_follows_the_stream_over_https(
    https: Server, pki: Pki
) -> None:
    assert https.base.startswith("https://")
    with Client(https.base, https.tokens["alpha"], ca=pki.ca.cert) as alpha:
        assert alpha.me().party == "alpha"
    follower = EventFollower(https.base, https.tokens["host"], after=0, reconnect=False)
    follower.ca = pki.ca.cert
    first = next(iter(follower))
    assert first.type == "mechanism.loaded"


def test_plain_http_to_the_tls_port_gets_no_answer(https: Server) -> None:
    plain = https.base.replace("https://", "http://")
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{plain}/healthz", timeout=5.0)


def test_without_the_ca_the_server_certificate_is_not_trusted(https: Server) -> None:
    with Client(https.base, https.tokens["alpha"]) as alpha, pytest.raises(UnreachableError) as e:
        alpha.me()
    assert "CERTIFICATE_VERIFY_FAILED" in e.value.detail


def _handshake(base: str, context: ssl.SSLContext) -> str | None:
    """The protocol version a raw TLS handshake with ``base`` agreed on."""
    host, port = base.removeprefix("https://").split(":")
    with (
        socket.create_connection((host, int(port)), timeout=5.0) as raw,
        context.wrap_socket(raw, server_hostname=host) as tls,
    ):
        return tls.version()


def _capped(pki: Pki, version: ssl.TLSVersion) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(cafile=pki.ca.cert)
    with warnings.catch_warnings():  # TLS 1.1 is deprecated: that is the point
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
        context.maximum_version = version
    context.set_ciphers("DEFAULT:@SECLEVEL=0")  # let this client offer TLS 1.1 at all
    return context


def test_a_client_of_tls_1_1_at_most_is_refused_and_one_of_1_2_is_served(
    https: Server, pki: Pki
) -> None:
    assert _handshake(https.base, _capped(pki, ssl.TLSVersion.TLSv1_2)) == "TLSv1.2"
    with pytest.raises(ssl.SSLError) as refused:
        _handshake(https.base, _capped(pki, ssl.TLSVersion.TLSv1_1))
    # the server said no (an alert), not this client's OpenSSL before sending anything
    assert "NO_PROTOCOLS_AVAILABLE" not in str(refused.value), refused.value


def test_the_cli_lists_notices_over_https_with_ca(https: Server, pki: Pki) -> None:
    argv = ["notice", "list", "--url", https.base, "--token", https.tokens["alpha"], "--json"]
    done = CliRunner().invoke(app, [*argv, "--ca", str(pki.ca.cert)])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout) == {"notices": []}
    refused = CliRunner().invoke(app, argv)
    assert refused.exit_code == 1
    assert "CERTIFICATE_VERIFY_FAILED" in refused.output


def test_the_cli_takes_its_tls_files_from_the_environment(mutual: Server, pki: Pki) -> None:
    env = {
        "SHAREDSKY_CA": str(pki.ca.cert),
        "SHAREDSKY_CLIENT_CERT": str(pki.alpha.cert),
        "SHAREDSKY_CLIENT_KEY": str(pki.alpha.key),
    }
    argv = ["inbox", "--url", mutual.base, "--token", mutual.tokens["alpha"], "--json"]
    done = CliRunner().invoke(app, argv, env=env)
    assert done.exit_code == 0, done.output


def test_the_sdk_takes_its_url_token_and_tls_files_from_the_environment(
    mutual: Server, pki: Pki
) -> None:
    env = {
        "SHAREDSKY_URL": mutual.base,
        "SHAREDSKY_TOKEN": mutual.tokens["alpha"],
        "SHAREDSKY_CA": str(pki.ca.cert),
        "SHAREDSKY_CLIENT_CERT": str(pki.alpha.cert),
        "SHAREDSKY_CLIENT_KEY": str(pki.alpha.key),
    }
    with Client.from_env(environ=env) as client:
        assert client.me().party == "alpha"
    stranger = {"cert": pki.stranger.cert, "key": pki.stranger.key}  # an argument wins
    with Client.from_env(environ=env, **stranger) as client, pytest.raises(UnreachableError):
        client.me()
    without_certificate = {k: v for k, v in env.items() if "CLIENT" not in k}
    with Client.from_env(environ=without_certificate) as client, pytest.raises(UnreachableError):
        client.me()
    for missing, says in (
        ("SHAREDSKY_URL", "SHAREDSKY_URL"),
        ("SHAREDSKY_TOKEN", "SHAREDSKY_TOKEN"),
    ):
        with pytest.raises(ValueError, match=says):
            Client.from_env(environ={k: v for k, v in env.items() if k != missing})


def test_mutual_tls_needs_a_client_certificate_of_the_ca(mutual: Server, pki: Pki) -> None:
    token = mutual.tokens["alpha"]
    with Client(mutual.base, token, ca=pki.ca.cert) as anonymous, pytest.raises(UnreachableError):
        anonymous.me()
    stranger = Client(
        mutual.base, token, ca=pki.ca.cert, cert=pki.stranger.cert, key=pki.stranger.key
    )
    with stranger, pytest.raises(UnreachableError):
        stranger.me()
    with Client(mutual.base, token, ca=pki.ca.cert, cert=pki.alpha.cert, key=pki.alpha.key) as ok:
        assert ok.me().party == "alpha"


def test_the_cli_presents_its_client_certificate(mutual: Server, pki: Pki) -> None:
    argv = ["notice", "list", "--url", mutual.base, "--token", mutual.tokens["alpha"], "--json"]
    argv += ["--ca", str(pki.ca.cert)]
    done = CliRunner().invoke(
        app, [*argv, "--cert", str(pki.alpha.cert), "--key", str(pki.alpha.key)]
    )
    assert done.exit_code == 0, done.output
    assert CliRunner().invoke(app, argv).exit_code == 1


@pytest.mark.parametrize(
    ("files", "says"),
    [
        ({"--tls-key": "server.key"}, "--tls-key needs --tls-cert"),
        ({"--tls-cert": "server.pem"}, "--tls-cert needs --tls-key"),
        ({"--tls-cert": "missing.pem", "--tls-key": "server.key"}, "cannot read"),
        ({"--tls-cert": "server.key", "--tls-key": "server.key"}, "holds no PEM certificate"),
        ({"--tls-cert": "server.pem", "--tls-key": "server.pem"}, "holds no PEM private key"),
        ({"--tls-cert": "server.pem", "--tls-key": "alpha-duty.key"}, "does not belong"),
        (
            {
                "--tls-cert": "server.pem",
                "--tls-key": "server.key",
                "--tls-client-ca": "server.key",
            },
            "holds no PEM certificate",
        ),
    ],
)
def test_bad_tls_files_stop_serve_at_start_with_a_sentence(
    pki: Pki, files: dict[str, str], says: str
) -> None:
    folder = pki.server.cert.parent
    argv = ["serve", "--db", "sqlite:///unused.db"]
    for option, name in files.items():
        argv += [option, str(folder / name)]
    done = CliRunner().invoke(app, argv)
    assert done.exit_code == 1
    assert says in " ".join(done.output.split())
    assert "Traceback" not in done.output


def test_an_operator_bound_to_a_certificate_is_refused_over_any_other(
    mutual: Server, pki: Pki
) -> None:
    """``operators add … --cert-subject "CN=alpha-night,O=Alpha"``: the new token works over
    that certificate only; over alpha-duty's (same CA, handshake fine) it gets 401."""
    with Client(
        mutual.base, mutual.tokens["alpha"], ca=pki.ca.cert, cert=pki.alpha.cert, key=pki.alpha.key
    ) as admin:
        issued = admin.add_operator("alpha-night", "duty", cert_subject="CN=alpha-night,O=Alpha")
    assert issued.operator.cert_subject == "CN=alpha-night,O=Alpha"
    token = issued.token
    with Client(mutual.base, token, ca=pki.ca.cert, cert=pki.night.cert, key=pki.night.key) as c:
        assert c.me().operator == "alpha-night"
    with (
        Client(mutual.base, token, ca=pki.ca.cert, cert=pki.alpha.cert, key=pki.alpha.key) as c,
        pytest.raises(ClientError) as refused,
    ):
        c.me()
    assert refused.value.status == 401
    assert "CN=alpha-night,O=Alpha" in refused.value.detail
