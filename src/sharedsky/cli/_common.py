"""Shared pieces of the CLI: connection options and the SDK client they open, errors, input
parsing and output.

Tests (and embedders) pass ``obj={"http": <httpx.Client>, "clock": <object with now()>}`` to
``CliRunner.invoke``: ``http`` replaces the network (a Starlette ``TestClient`` works) and
``clock`` is what relative times such as ``+2h`` count from. Without them, commands open a
real ``httpx.Client`` on ``--url`` and use the system clock.
"""

from __future__ import annotations

import json
import math
import os
import re
import signal
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType, MappingProxyType
from typing import Annotated, Any, Protocol, TypeVar, runtime_checkable

import httpx
import typer
from pydantic import BaseModel, ValidationError
from rich import box
from rich.console import Console, Group
from rich.measure import Measurement
from rich.table import Column, Table
from rich.text import Text

from sharedsky.cli._option_groups import GroupOption, with_option_group
from sharedsky.client import AuthError, Client, ClientError, StaleVersionError
from sharedsky.ledger.signing import Signer
from sharedsky.units import FL_M, FT_M
from sharedsky.wire import v1

DEFAULT_URL = "http://127.0.0.1:8000"

B = TypeVar("B", bound=BaseModel)
C = TypeVar("C", bound=Callable[..., Any])

_UrlOption = Annotated[
    str, typer.Option("--url", envvar="SHAREDSKY_URL", help="Server base URL.", show_envvar=True)
]
_TokenOption = Annotated[
    str | None,
    typer.Option(
        "--token", envvar="SHAREDSKY_TOKEN", help="Operator bearer token.", show_default=False
    ),
]
_TokensOption = Annotated[
    Path | None,
    typer.Option("--tokens", help="Tokens file written by `sharedsky init --tokens-out` (JSON)."),
]
_AsOption = Annotated[
    str | None, typer.Option("--as", help="Whose token to take from --tokens (alpha, host …).")
]
_CaOption = Annotated[
    Path | None,
    typer.Option(
        "--ca",
        envvar="SHAREDSKY_CA",
        show_envvar=True,
        help="PEM file of the CA certificates to trust for an https:// server.",
    ),
]
_CertOption = Annotated[
    Path | None,
    typer.Option(
        "--cert",
        envvar="SHAREDSKY_CLIENT_CERT",
        show_envvar=True,
        help="PEM file of the client certificate to present (mutual TLS).",
    ),
]
_KeyOption = Annotated[
    Path | None,
    typer.Option(
        "--key",
        envvar="SHAREDSKY_CLIENT_KEY",
        show_envvar=True,
        help="PEM file of the private key of --cert.",
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print the server's JSON document instead of tables.")
]
QuietOption = Annotated[
    bool,
    typer.Option(
        "--quiet",
        "-q",
        help="Print only the id (one a line for a list), e.g. for ID=$(sharedsky … -q).",
    ),
]


@runtime_checkable
class _Clock(Protocol):
    def now(self) -> datetime: ...


def _obj(ctx: typer.Context) -> Mapping[str, object]:
    return ctx.obj if isinstance(ctx.obj, Mapping) else {}


def now_of(ctx: typer.Context) -> datetime:
    """The moment relative times count from: ``obj["clock"].now()`` or the system clock (UTC)."""
    clock = _obj(ctx).get("clock")
    return clock.now() if isinstance(clock, _Clock) else datetime.now(UTC)


def stdout() -> Console:
    """A console on the current stdout (made per call: CliRunner swaps the streams)."""
    return Console(highlight=False)


def stderr() -> Console:
    """A console on the current stderr."""
    return Console(stderr=True, highlight=False)


# -- connection --------------------------------------------------------------------------


def report(exc: ClientError) -> None:
    """Print a server problem (detail, field path, status and code) in red on stderr."""
    lines = [f"error: {exc.detail}"]
    if exc.path:
        lines.append(f"  at: {'.'.join(str(p) for p in exc.path)}")
    lines.append(f"  ({exc.status} {exc.code})" if exc.status else f"  ({exc.code})")
    if isinstance(exc, StaleVersionError):
        lines.append("  hint: show the object again and amend its current version")
    elif isinstance(exc, AuthError) and exc.code == "signature-required":
        lines.append(
            f"  hint: this operator signs its writes: set {SIGNING_KEY_ENV} to its private key"
            " (PEM file, `sharedsky ledger keygen`)"
        )
    elif isinstance(exc, AuthError) and exc.code == "bad-signature":
        lines.append(
            f"  hint: {SIGNING_KEY_ENV} names a key that is not one of this operator's active"
            " keys (`sharedsky ledger register-key`)"
        )
    elif exc.code == "outside-area":
        lines.append(
            "  hint: GeoJSON positions are [longitude, latitude]; to file the volume where it"
            " is, give --outside-area"
        )
    elif exc.code == "notice-in-the-past":
        lines.append("  hint: to record past activity after the fact, give --record-past")
    elif isinstance(exc, AuthError) and exc.status == 401:
        lines.append("  hint: check --token, or --tokens FILE --as PARTY")
    stderr().print("\n".join(lines), style="red", markup=False, soft_wrap=True)


SIGNING_KEY_ENV = "SHAREDSKY_SIGNING_KEY"
"""The environment variable naming the operator's Ed25519 private key (PKCS#8 PEM file): when
set, every write the CLI sends is signed with it (``Sharedsky-Signature``)."""


def signing_key() -> Signer | None:
    """The operator's signing key from ``$SHAREDSKY_SIGNING_KEY``; None when it is unset."""
    path = os.environ.get(SIGNING_KEY_ENV)
    if not path:
        return None
    try:
        return Signer.from_pem(Path(path).read_bytes())
    except (OSError, ValueError) as exc:
        raise typer.BadParameter(
            f"{path}: not a readable Ed25519 private key (PEM): {exc}",
            param_hint=SIGNING_KEY_ENV,
        ) from exc


@dataclass(frozen=True, slots=True)
class ClientTls:
    """The TLS options of a command (``--ca``, ``--cert``, ``--key``): files, None when unset."""

    ca: Path | None = None
    cert: Path | None = None
    key: Path | None = None


_CONNECTION_OPTIONS = (
    GroupOption("url", _UrlOption, DEFAULT_URL),
    GroupOption("token", _TokenOption),
    GroupOption("tokens", _TokensOption),
    GroupOption("as_", _AsOption),
    GroupOption("tls_ca", _CaOption, last=True),
    GroupOption("tls_cert", _CertOption, last=True),
    GroupOption("tls_key", _KeyOption, last=True),
)


@dataclass(frozen=True, slots=True)
class Connection:
    """Where and as whom a command talks to the server: its connection options, as given.

    Nothing is checked until the command opens it, so that a command that works offline too
    (``operators --db``) or checks its own input first keeps its errors in that order.
    """

    url: str
    """``--url`` (``SHAREDSKY_URL``)."""
    token: str | None
    """``--token`` (``SHAREDSKY_TOKEN``)."""
    tokens: Path | None
    """``--tokens FILE``."""
    party: str | None
    """``--as PARTY``: whose token to take from ``tokens``."""
    tls: ClientTls
    """``--ca``, ``--cert``, ``--key``."""
    http: httpx.Client | None = None
    """The transport given as ``obj["http"]`` (tests); None: the network, at ``url``."""

    def bearer(self) -> str:
        """The bearer token: from ``--tokens FILE --as PARTY`` when ``--as`` is given, else
        ``--token``; a usage error (exit 2) names what is missing or unreadable."""
        tokens, party = self.tokens, self.party
        if party is not None:
            if tokens is None:
                raise typer.BadParameter("--as needs --tokens FILE", param_hint="'--as'")
            try:
                by_party = json.loads(tokens.read_text(encoding="utf-8"))
            except OSError as exc:
                raise typer.BadParameter(
                    f"cannot read {tokens}: {exc.strerror}", param_hint="'--tokens'"
                ) from exc
            except ValueError as exc:
                raise typer.BadParameter(
                    f"{tokens} is not JSON: {exc}", param_hint="'--tokens'"
                ) from exc
            value = by_party.get(party) if isinstance(by_party, dict) else None
            if not isinstance(value, str):
                known = ", ".join(sorted(by_party)) if isinstance(by_party, dict) else "none"
                raise typer.BadParameter(
                    f"{tokens} holds no token for {party!r} (it has: {known})",
                    param_hint="'--as'",
                )
            return value
        if self.token:
            return self.token
        raise typer.BadParameter(
            "give --token (or SHAREDSKY_TOKEN), or --tokens FILE --as PARTY",
            param_hint="'--token'",
        )

    @contextmanager
    def open(self) -> Iterator[Client]:
        """An SDK client for one command; a ClientError inside prints and exits with code 1."""
        if self.http is None and not self.url.startswith(("http://", "https://")):
            raise typer.BadParameter(
                f"{self.url!r} is not an http:// or https:// URL", param_hint="'--url'"
            )
        try:
            client = Client(
                self.url,
                self.bearer(),
                http=self.http,
                signer=signing_key(),
                ca=self.tls.ca,
                cert=self.tls.cert,
                key=self.tls.key,
            )
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="'--ca', '--cert' or '--key'") from exc
        try:
            yield client
        except ClientError as exc:
            report(exc)
            raise typer.Exit(1) from exc
        finally:
            client.close()


def _connection(ctx: typer.Context, values: Mapping[str, Any]) -> Connection:
    http = _obj(ctx).get("http")
    return Connection(
        url=values["url"],
        token=values["token"],
        tokens=values["tokens"],
        party=values["as_"],
        tls=ClientTls(values["tls_ca"], values["tls_cert"], values["tls_key"]),
        http=http if isinstance(http, httpx.Client) else None,
    )


def connection_options(command: C) -> C:
    """Give a command that talks to a server its connection options, the one place they are
    declared: ``--url`` (``SHAREDSKY_URL``), ``--token`` (``SHAREDSKY_TOKEN``), ``--tokens``,
    ``--as``, and after its own options ``--ca``, ``--cert``, ``--key`` (``SHAREDSKY_CA``,
    ``SHAREDSKY_CLIENT_CERT``, ``SHAREDSKY_CLIENT_KEY``). The command takes one parameter of
    type `Connection` (where the first four are listed in its ``--help``) and receives them
    there. Put it below ``@app.command(...)``."""
    return with_option_group(command, Connection, _CONNECTION_OPTIONS, _connection)


_SERVER_TLS_VARIABLES = ("SHAREDSKY_CA", "SHAREDSKY_CLIENT_CERT", "SHAREDSKY_CLIENT_KEY")


def _server_connection(ctx: typer.Context, values: Mapping[str, Any]) -> Connection:
    files = [os.environ.get(name) for name in _SERVER_TLS_VARIABLES]
    tls = ClientTls(*(Path(f) if f else None for f in files))
    return _connection(ctx, {**values, "tls_ca": tls.ca, "tls_cert": tls.cert, "tls_key": tls.key})


def server_connection_options(command: C) -> C:
    """`connection_options` without ``--ca``, ``--cert`` and ``--key``, for a command whose
    own options of those names are another server's (``cot push``: the TAK server's): the
    sharedsky server's TLS files then come from ``SHAREDSKY_CA``, ``SHAREDSKY_CLIENT_CERT``
    and ``SHAREDSKY_CLIENT_KEY`` only."""
    return with_option_group(command, Connection, _CONNECTION_OPTIONS[:4], _server_connection)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``error: message`` in red on stderr; the exit (with ``code``) to raise."""
    stderr().print(f"error: {message}", style="red", markup=False, soft_wrap=True)
    return typer.Exit(code)


def emit_json(model: BaseModel) -> None:
    """Print one JSON document on stdout, serialised as the server serialises it."""
    typer.echo(model.model_dump_json(by_alias=True))


def check_quiet(json_: bool, quiet: bool) -> None:
    """A usage error (exit 2) when both ``--json`` and ``--quiet`` are given, before anything
    is sent."""
    if json_ and quiet:
        raise typer.BadParameter("give --json or --quiet, not both", param_hint="'--quiet'")


def emit_ids(ids: Iterable[str]) -> None:
    """Print ids on stdout, one a line (``--quiet``)."""
    for one in ids:
        typer.echo(one)


class SecretFile:
    """A new, empty file (mode 600) beside where a secret is to go, made before the change
    that issues the secret (``secret_file``): ``write`` fills it and renames it over ``out``."""

    def __init__(self, out: Path, partial: Path, descriptor: int) -> None:
        self.out = out
        """Where the secret goes."""
        self.partial = partial
        """The file made beside ``out``, renamed over it by ``write``."""
        self._descriptor: int | None = descriptor
        self._kept = False

    def write(self, text: str) -> None:
        """Write ``text`` (UTF-8), flush it to disk and rename the file over ``out`` in one
        step. The change is made by now: an error says so, and where the secret is when it was
        written but could not be renamed."""
        descriptor, self._descriptor = self._descriptor, None
        if descriptor is None:
            raise RuntimeError(f"the secret for {self.out} is written once")
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as sink:
                sink.write(text)
                sink.flush()
                os.fsync(sink.fileno())
        except OSError as exc:
            raise fail(
                f"the change is made, but its secret could not be written to {self.out}: "
                f"{exc.strerror}"
            ) from exc
        try:
            os.replace(self.partial, self.out)
        except OSError as exc:
            self._kept = True
            raise fail(
                f"the change is made, but {self.out} could not be written ({exc.strerror}): "
                f"the secret is in {self.partial}"
            ) from exc
        self._kept = True

    def discard(self) -> None:
        """Remove the file unless ``write`` renamed it (or kept it for the user to find)."""
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None
        if not self._kept:
            self.partial.unlink(missing_ok=True)


@contextmanager
def secret_file(out: Path, option: str) -> Iterator[SecretFile]:
    """A file made ready for a secret (a token) before the change that issues it, so that a
    command whose secret could not be written changes nothing: a new file (mode 600) beside
    ``out``, or ``error: OPTION: cannot write OUT: reason`` (exit 1) when none can be made (a
    missing or read-only folder). ``SecretFile.write`` renames it over ``out`` once the
    change is made; unwritten when the block ends (the command failed), it is removed."""
    if out.is_dir():
        raise fail(f"{option}: {out} is a folder: give the name of a file (nothing was changed)")
    try:
        descriptor, partial = tempfile.mkstemp(
            dir=out.parent, prefix=f".{out.name}.", suffix=".part"
        )
    except OSError as exc:
        raise fail(f"{option}: cannot write {out}: {exc.strerror} (nothing was changed)") from exc
    sink = SecretFile(out, Path(partial), descriptor)
    try:
        yield sink
    finally:
        sink.discard()


# -- parsing -----------------------------------------------------------------------------

_FL = re.compile(r"^FL\s*(\d{1,3})$", re.IGNORECASE)
_HEIGHT = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*(m|ft)?\s*(AMSL|AGL|W84)?$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class LimitArg:
    """A band limit as given on the command line, as the wire takes it."""

    limit: v1.HeightLimit | v1.SpecialLimit
    plain_m: float | None = None
    """The metres AMSL of a bare number (``3000``, ``3000m``): a band of two such limits is
    sent as ``lower_m``/``upper_m``, as before heights carried their datum."""

    def text(self) -> str:
        """How the limit reads (``FL120``, ``3000 ft AMSL``, ``SFC``)."""
        return self.limit.text()


def height_limit(text: str) -> LimitArg:
    """A band limit from ``3000``/``3000m`` (metres AMSL), ``9000ft``, ``FL120``, a height with
    its reference (``3000ftAMSL``, ``500ft AGL``, ``150mAGL``, ``1200mW84``), ``SFC`` or
    ``UNL``; kept on its datum, as filed.

    >>> height_limit("FL120").limit.model_dump()
    {'value': 120.0, 'unit': 'FL', 'reference': None}
    """
    value = text.strip()
    if value.upper() in ("SFC", "UNL"):
        return LimitArg(v1.SpecialLimit.model_validate({"special": value.upper()}))
    level = _FL.match(value)
    if level:
        return LimitArg(v1.HeightLimit(value=float(level.group(1)), unit="FL"))
    height = _HEIGHT.match(value)
    if height is None:
        raise typer.BadParameter(
            f"{text!r} is not an altitude: give metres AMSL (3000), feet (9000ft), a flight level"
            " (FL120), a height with its reference (500ft AGL, 3000ftAMSL, 1200mW84), SFC or UNL"
        )
    number = float(height.group(1))
    unit = "ft" if (height.group(2) or "").lower() == "ft" else "m"
    reference = (height.group(3) or "").upper() or None
    limit = v1.HeightLimit.model_validate({"value": number, "unit": unit, "reference": reference})
    return LimitArg(limit, number if unit == "m" and reference is None else None)


def limit_args(altitude: v1.Altitude | v1.FiledAltitude) -> tuple[LimitArg, LimitArg]:
    """The limits of a band read back (to amend one of them and keep the other)."""
    if isinstance(altitude, v1.Altitude):
        return (
            LimitArg(v1.HeightLimit(value=altitude.lower_m, unit="m"), altitude.lower_m),
            LimitArg(v1.HeightLimit(value=altitude.upper_m, unit="m"), altitude.upper_m),
        )
    return LimitArg(altitude.lower), LimitArg(altitude.upper)


def altitude_body(lower: LimitArg, upper: LimitArg) -> dict[str, object]:
    """The wire ``altitude`` of two limits: ``lower_m``/``upper_m`` when both are bare metres
    AMSL, else the limits as given."""
    if lower.plain_m is not None and upper.plain_m is not None:
        return {"lower_m": lower.plain_m, "upper_m": upper.plain_m}
    return {
        "lower": lower.limit.model_dump(exclude_none=True),
        "upper": upper.limit.model_dump(exclude_none=True),
    }


_RELATIVE = re.compile(r"^([+-])((?:\d+[dhms])+)$")
_PART = re.compile(r"(\d+)([dhms])")
_UNIT_S = MappingProxyType({"d": 86_400, "h": 3_600, "m": 60, "s": 1})


def moment(text: str, now: datetime, option: str) -> datetime:
    """A UTC time from ISO-8601 with a zone (``2026-11-24T15:00Z``), ``now``, or ``+2h``,
    ``+1h30m``, ``-15m`` relative to ``now`` (units d, h, m, s)."""
    value = text.strip()
    if value.lower() == "now":
        return now.astimezone(UTC)
    relative = _RELATIVE.match(value)
    if relative:
        seconds = sum(int(n) * _UNIT_S[u] for n, u in _PART.findall(relative.group(2)))
        sign = 1 if relative.group(1) == "+" else -1
        try:
            return (now + timedelta(seconds=sign * seconds)).astimezone(UTC)
        except OverflowError as exc:
            raise typer.BadParameter(f"{text!r} is too far away", param_hint=option) from exc
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(
            f"{text!r} is not a time: give ISO-8601 with a zone (2026-11-24T15:00:00Z) or a"
            " delay from now (+2h, +30m)",
            param_hint=option,
        ) from exc
    if parsed.tzinfo is None:
        raise typer.BadParameter(
            f"{text!r} has no timezone: end it with Z for UTC", param_hint=option
        )
    return parsed.astimezone(UTC)


def duration_s(text: str) -> float:
    """Seconds from ``30s``, ``5m``, ``1h30m``, ``2d`` (units d, h, m, s) or a plain number of
    seconds (``90``, ``0.5``); more than zero.

    >>> duration_s("1m30s")
    90.0
    """
    value = text.strip()
    if re.fullmatch(r"(?:\d+[dhms])+", value):
        seconds = float(sum(int(n) * _UNIT_S[u] for n, u in _PART.findall(value)))
    else:
        try:
            seconds = float(value)
        except ValueError:
            seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0.0):
        raise typer.BadParameter(
            f"{text!r} is not a duration: give 30s, 5m, 1h30m (d, h, m, s) or seconds"
        )
    return seconds


RING_AGAIN_S = 0.5
"""Seconds between two rings of `time_limit`'s alarm once the time ran out."""


class TimeUp(BaseException):
    """The time given with ``--for`` ran out. Raised in the main thread wherever it is, as
    Ctrl-C raises KeyboardInterrupt (and, like it, no ``except Exception`` swallows it), so
    that a command blocked on a read stops there."""


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise `TimeUp` in the main thread once ``seconds`` have passed inside the block (None:
    never), by SIGALRM; the signal's previous handler comes back at the end. Catch TimeUp
    around the block: the alarm may ring while the block ends."""
    if seconds is None:
        yield
        return

    def ring(_signum: int, _frame: FrameType | None) -> None:
        raise TimeUp

    previous = signal.signal(signal.SIGALRM, ring)
    # it rings again every RING_AGAIN_S until the block ends: a TimeUp raised where Python
    # cannot pass it on (inside a garbage collector's callback, or a __del__) is printed and
    # dropped, and a command waiting on a silent stream would then wait for ever
    signal.setitimer(signal.ITIMER_REAL, seconds, RING_AGAIN_S)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0.0)
        signal.signal(signal.SIGALRM, previous)


def _flat(value: Any) -> Any:
    """Drop a third (altitude) coordinate from GeoJSON positions, at any nesting depth."""
    if isinstance(value, list) and value and all(isinstance(v, int | float) for v in value):
        return value[:2]
    if isinstance(value, list):
        return [_flat(v) for v in value]
    return value


def read_outline(path: Path) -> dict[str, Any]:
    """An outline from a GeoJSON file: a geometry, a Feature, a FeatureCollection's first
    feature, or a Circle/Corridor object of the wire format (positions are [lon, lat])."""
    hint = "'--outline'"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise typer.BadParameter(f"cannot read {path}: {exc.strerror}", param_hint=hint) from exc
    except ValueError as exc:
        raise typer.BadParameter(f"{path} is not JSON: {exc}", param_hint=hint) from exc
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list) or not features:
            raise typer.BadParameter(f"{path} holds no feature", param_hint=hint)
        data = features[0]
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    kind = data.get("type") if isinstance(data, dict) else None
    if not isinstance(data, dict) or kind not in ("Polygon", "Circle", "Corridor"):
        raise typer.BadParameter(
            f"{path} holds {kind or 'no geometry'}; an outline is a Polygon, Circle or Corridor",
            param_hint=hint,
        )
    for key in ("coordinates", "center", "path"):
        if key in data:
            data = {**data, key: _flat(data[key])}
    return data


def _first_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"] if p not in ("Polygon", "Circle", "Corridor"))
    return f"{where or 'body'}: {first['msg']}"


def volume(
    outline: dict[str, Any],
    lower: LimitArg,
    upper: LimitArg,
    start: datetime,
    end: datetime | None,
) -> v1.Volume:
    """A wire Volume4D from an outline dict, a band's limits and a UTC window."""
    body = {
        "outline": outline,
        "altitude": altitude_body(lower, upper),
        "time": {"start": start, "end": end},
    }
    try:
        return v1.Volume.model_validate(body)
    except ValidationError as exc:
        raise typer.BadParameter(_first_error(exc), param_hint="'--outline'") from exc


def read_body(path: Path, model: type[B], option: str) -> B:
    """A full wire request body from a JSON file, validated against ``model``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise typer.BadParameter(f"cannot read {path}: {exc.strerror}", param_hint=option) from exc
    try:
        return model.model_validate_json(text)
    except ValidationError as exc:
        raise typer.BadParameter(
            f"{path} is not a {model.__name__}: {_first_error(exc)}", param_hint=option
        ) from exc


OutlineOption = Annotated[
    Path | None,
    typer.Option(
        "--outline",
        exists=True,
        dir_okay=False,
        help="GeoJSON file: Polygon, Feature, FeatureCollection (first feature), Circle, Corridor.",
    ),
]
LowerOption = Annotated[
    LimitArg | None,
    typer.Option(
        "--lower",
        parser=height_limit,
        metavar="ALT",
        help="Lower limit, kept on its datum as filed: metres AMSL (3000), feet AMSL (9000ft),"
        " a flight level (FL120), a height with its reference (500ftAGL, 3000ftAMSL, 1200mW84;"
        " AGL needs the mechanism's terrain bounds) or SFC (the surface).",
    ),
]
UpperOption = Annotated[
    LimitArg | None,
    typer.Option(
        "--upper",
        parser=height_limit,
        metavar="ALT",
        help="Upper limit, as --lower, or UNL (unlimited).",
    ),
]
StartOption = Annotated[
    str | None,
    typer.Option("--start", help="Start: ISO-8601 with a zone (2026-11-24T15:00Z) or +2h / +30m."),
]
EndOption = Annotated[str | None, typer.Option("--end", help="End (exclusive), as --start.")]


# -- human output ------------------------------------------------------------------------


def when_text(moment_utc: datetime | None, *, short: bool = False) -> str:
    """``2026-11-24 15:00Z`` (UTC, to the minute; ``11-24 15:00Z`` when short); None is open."""
    if moment_utc is None:
        return "open"
    return moment_utc.astimezone(UTC).strftime("%m-%d %H:%MZ" if short else "%Y-%m-%d %H:%MZ")


def window_text(start: datetime, end: datetime | None, *, short: bool = False) -> str:
    """A UTC window; the end shows its date only when it differs from the start's."""
    tail = when_text(end, short=short)
    if end is not None and end.astimezone(UTC).date() == start.astimezone(UTC).date():
        tail = end.astimezone(UTC).strftime("%H:%MZ")
    return f"{when_text(start, short=short)} → {tail}"


def duration_text(seconds: float) -> str:
    """A duration as a person says it, its two largest units with the smaller on two digits
    (``-`` before a negative one): ``45 s``, ``2 min 05 s``, ``1 h 12 min``, ``3 d 04 h``;
    whole seconds, rounded.

    >>> duration_text(125), duration_text(4320), duration_text(-600)
    ('2 min 05 s', '1 h 12 min', '-10 min 00 s')
    """
    sign = "-" if seconds < 0 else ""
    total = round(abs(seconds))
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days} d {hours:02d} h"
    if hours:
        return f"{sign}{hours} h {minutes:02d} min"
    if minutes:
        return f"{sign}{minutes} min {secs:02d} s"
    return f"{sign}{secs} s"


def _level(metres: float) -> int | None:
    level = metres / FL_M
    return round(level) if abs(level - round(level)) < 1e-6 and level >= 0 else None


def band_text(band: v1.Altitude | v1.FiledAltitude, *, short: bool = False) -> str:
    """``3000–9000 m``; ``FL120–FL300 (3658–9144 m)`` when both limits are whole levels above 0
    (only ``FL120–FL300`` when short); a band filed on its datums as filed, with the AMSL
    interval it may span: ``FL100–3000 ft AMSL (2508–3349 m AMSL)``."""
    if isinstance(band, v1.FiledAltitude):
        filed = f"{band.lower.text()}–{band.upper.text()}"
        if short or band.amsl_m is None:
            return filed
        return f"{filed} ({band.amsl_m.lower_m:.0f}–{band.amsl_m.upper_m:.0f} m AMSL)"
    metres = f"{band.lower_m:.0f}–{band.upper_m:.0f} m"
    low, high = _level(band.lower_m), _level(band.upper_m)
    if not low or not high:
        return metres
    levels = f"FL{low:03d}–FL{high:03d}"
    return levels if short else f"{levels} ({metres})"


def track_altitude_text(alt_m: float, alt_ref: str, *, short: bool = False) -> str:
    """A track's altitude on its own datum, as a crew reads it: ``FL350`` for a pressure
    altitude (``STD``), ``12,500 ft`` above mean sea level, ``12,500 ft W84`` for a geometric
    height above the WGS84 ellipsoid; with the metres unless ``short``.

    >>> track_altitude_text(10_668, "STD"), track_altitude_text(3_810, "W84", short=True)
    ('FL350 (10,668 m STD)', '12,500 ft W84')
    """
    if alt_ref == "STD":
        said = f"FL{max(alt_m, 0.0) / FL_M:03.0f}"
    else:
        said = f"{alt_m / FT_M:,.0f} ft" + ("" if alt_ref == "AMSL" else f" {alt_ref}")
    return said if short else f"{said} ({alt_m:,.0f} m {alt_ref})"


def distance_text(metres: float) -> str:
    """``850 m`` or ``12.3 km``."""
    return f"{metres:.0f} m" if metres < 1000 else f"{metres / 1000:.1f} km"


def position_text(lon_deg: float, lat_deg: float) -> str:
    """A position as a reader says it, latitude first, each with its hemisphere letter (the
    order GeoJSON's [lon, lat] input reverses, so it can never be read the wrong way round).

    >>> position_text(36.7, 34.8)
    '34.8000N 36.7000E'
    >>> position_text(-3.70379, -40.5)
    '40.5000S 3.7038W'
    """
    north = "N" if lat_deg >= 0 else "S"
    east = "E" if lon_deg >= 0 else "W"
    return f"{abs(lat_deg):.4f}{north} {abs(lon_deg):.4f}{east}"


def outline_parts(outline: v1.Outline) -> tuple[str, str]:
    """What an outline is (``circle r 15.0 km``) and where it lies: a circle's centre, a
    polygon's first corner, a corridor's ends (``position_text``)."""
    if isinstance(outline, v1.CircleOutline):
        return f"circle r {distance_text(outline.radius_m)}", position_text(*outline.center)
    if isinstance(outline, v1.CorridorOutline):
        width = distance_text(outline.half_width_m)
        ends = f"{position_text(*outline.path[0])} → {position_text(*outline.path[-1])}"
        return f"corridor of {len(outline.path)} points ±{width}", ends
    ring = outline.coordinates[0]
    return f"polygon of {len(ring) - 1} corners", position_text(ring[0][0], ring[0][1])


def outline_text(outline: v1.Outline) -> str:
    """A one-line summary of an outline, with where it lies (``outline_parts``)."""
    shape, where = outline_parts(outline)
    return f"{shape} {'from' if isinstance(outline, v1.CorridorOutline) else 'at'} {where}"


def table(title: str, *columns: str, whole: tuple[str, ...] = ()) -> Table:
    """A compact table (no vertical rules) of these columns; the first holds the row's id and
    never wraps, nor do the columns named in ``whole`` (positions). Print it with
    `print_table`, which fits it to the terminal."""
    grid = Table(
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        padding=(0, 1, 0, 0),
        pad_edge=False,
    )
    for index, name in enumerate(columns):
        grid.add_column(name, no_wrap=index == 0 or name in whole, overflow="fold")
    return grid


_UNBOUNDED = 100_000
"""A width no table reaches, in cells: to measure one as it would be without a terminal."""


def _widths(console: Console, column: Column) -> tuple[int, int]:
    """The narrowest width a column takes without breaking a word (all of it, for a column
    that never wraps) and its natural width, in cells."""
    options = console.options.update_width(_UNBOUNDED)
    found = [Measurement.get(console, options, c) for c in (column.header, *column.cells)]
    widest = max(m.maximum for m in found)
    return (widest if column.no_wrap else max(m.minimum for m in found)), widest


def fit_table(console: Console, grid: Table) -> Table | Group:
    """``grid`` laid out for the console's width so that no word is cut: an id (or a word of
    a title or a message) is never broken or ellipsised, longer text wraps between words.

    A table that fits as it is stays as it is. Otherwise each column gets the width of its
    longest word (of its longest value, for the id column), and the room left is shared out
    evenly, each column taking no more than it needs, the least needy first (so short values
    stay on one line and the long ones wrap); when even the longest words do not fit
    side by side, the rows are printed one after the other, each value on a line of its own
    under the row's id (``name: value``), which a terminal of any width wraps between words.
    """
    natural_width = Measurement.get(console, console.options.update_width(_UNBOUNDED), grid)
    if natural_width.maximum <= console.width:
        return grid
    measured = [_widths(console, c) for c in grid.columns]
    overhead = natural_width.maximum - sum(natural for _, natural in measured)
    room = console.width - overhead - sum(narrowest for narrowest, _ in measured)
    if room < 0:
        return _stacked(grid)
    wanted = [natural - narrowest for narrowest, natural in measured]
    extra = [0] * len(wanted)
    by_need = sorted(range(len(wanted)), key=wanted.__getitem__)
    for rank, index in enumerate(by_need):  # the least needy first: short cells stay whole
        extra[index] = min(wanted[index], room // (len(by_need) - rank))
        room -= extra[index]
    for column, (narrowest, _), more in zip(grid.columns, measured, extra, strict=True):
        column.width = narrowest + more
    return grid


def _text(cell: object) -> Text:
    """A table cell as Text (a string cell is console markup, as the table reads it)."""
    return cell if isinstance(cell, Text) else Text.from_markup(str(cell))


def _stacked(grid: Table) -> Group:
    """The rows of ``grid`` one after the other: the first cell (the id) in bold, then each
    other non-empty cell under it as ``name: value``, the values wrapping in their own
    column."""
    parts: list[Text | Table] = []
    if grid.title:
        parts.append(_text(grid.title))
    first, *others = grid.columns
    values = [list(column.cells) for column in others]
    for index, key in enumerate(first.cells):
        heading = _text(key).copy()
        heading.stylize("bold")
        parts.append(heading)
        record = Table.grid(padding=(0, 1))
        record.add_column(no_wrap=True, style="dim")
        record.add_column(overflow="fold")
        for column, cells in zip(others, values, strict=True):
            value = _text(cells[index])
            if value.plain:
                record.add_row(f"  {column.header}", value)
        parts.append(record)
    return Group(*parts)


def print_table(console: Console, grid: Table) -> None:
    """Print a `table` fitted to the console (`fit_table`)."""
    console.print(fit_table(console, grid))


def details(rows: list[tuple[str, str]]) -> Table:
    """A two-column grid of names (bold) and values (as text, never markup); empty rows drop."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for name, value in rows:
        if value:
            grid.add_row(name, Text(value))
    return grid
