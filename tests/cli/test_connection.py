"""Connection options: every command that talks to a server takes the same seven, after the
subcommand, with the same environment variables (declared once, by ``connection_options``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import typer
from _support import Api
from typer.testing import CliRunner, Result

from sharedsky.cli import app

CONNECTION = ("--url", "--token", "--tokens", "--as", "--ca", "--cert", "--key")
ENV_VARS = {
    "--url": "SHAREDSKY_URL",
    "--token": "SHAREDSKY_TOKEN",
    "--ca": "SHAREDSKY_CA",
    "--cert": "SHAREDSKY_CLIENT_CERT",
    "--key": "SHAREDSKY_CLIENT_KEY",
}
OFFLINE = {
    ("init",),
    ("serve",),
    ("demo",),
    ("backup",),
    ("restore",),
    ("tracks", "detect"),
    ("ledger", "keygen"),
    ("ledger", "verify"),
    ("ledger", "rebuild"),
}
"""The commands that talk to no server (a new one belongs here or takes connection_options)."""
ANOTHER_SERVERS_TLS = {("cot", "push"): {"--ca", "--cert", "--key"}}
"""Commands whose --ca/--cert/--key are another server's files (``cot push``: the TAK
server's); the sharedsky server's TLS files then come from the environment only
(``server_connection_options``)."""


def _commands(
    command: object, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], object]]:
    sub = getattr(command, "commands", None)
    if sub is None:
        yield path, command
        return
    for name, child in sub.items():
        yield from _commands(child, (*path, name))


def _options(command: object) -> dict[str, object]:
    """The command's options by each of their names."""
    return {name: p for p in getattr(command, "params", []) for name in getattr(p, "opts", [])}


COMMANDS = dict(_commands(typer.main.get_command(app)))
SERVER_COMMANDS = sorted(path for path in COMMANDS if path not in OFFLINE)


def test_the_list_of_offline_commands_names_only_commands_that_exist() -> None:
    assert OFFLINE <= COMMANDS.keys()
    assert len(SERVER_COMMANDS) >= 33


@pytest.mark.parametrize("path", SERVER_COMMANDS, ids=" ".join)
def test_every_command_that_talks_to_a_server_takes_the_connection_options(
    path: tuple[str, ...],
) -> None:
    options = _options(COMMANDS[path])
    others = ANOTHER_SERVERS_TLS.get(path, set())
    assert [o for o in CONNECTION if o not in options] == []
    for option, variable in ENV_VARS.items():
        if option not in others:
            assert getattr(options[option], "envvar", None) == variable, option
    assert getattr(options["--url"], "default", None) == "http://127.0.0.1:8000"


@pytest.mark.parametrize("path", sorted(OFFLINE), ids=" ".join)
def test_commands_that_talk_to_no_server_take_no_url_or_token(path: tuple[str, ...]) -> None:
    options = _options(COMMANDS[path])
    assert not {"--url", "--token", "--tokens", "--as"} & options.keys()


def test_the_help_of_a_command_lists_its_connection_options_with_their_variables() -> None:
    result = CliRunner().invoke(app, ["notice", "list", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for option in CONNECTION:
        assert f" {option} " in result.output, option
    for variable in ENV_VARS.values():
        assert f"[env var: {variable}]" in result.output, variable
    assert "Server base URL." in result.output and "[default: http://127.0.0.1:8000]" in (
        result.output
    )
    # the command's own options come first, TLS last, as before the options were shared
    text = result.output
    assert text.index("--party") < text.index("--url") < text.index("--json") < text.index("--ca")


class _Recorder:
    """A transport that answers every request with an empty list of notices, and keeps them."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json={"notices": []})


def _invoke(args: list[str], http: httpx.Client, env: dict[str, str | None]) -> Result:
    return CliRunner().invoke(
        app, args, obj={"http": http}, env={"SHAREDSKY_URL": None, "SHAREDSKY_TOKEN": None, **env}
    )


def test_url_and_token_given_after_the_subcommand_reach_the_request() -> None:
    recorder = _Recorder()
    with httpx.Client(transport=httpx.MockTransport(recorder)) as http:
        args = ["notice", "list", "--url", "http://sky.example:9000", "--token", "tk-1", "--json"]
        result = _invoke(args, http, {})
    assert result.exit_code == 0, result.output
    (request,) = recorder.requests
    assert str(request.url).startswith("http://sky.example:9000/v1/notices")
    assert request.headers["authorization"] == "Bearer tk-1"


def test_url_and_token_come_from_the_environment_when_not_given() -> None:
    recorder = _Recorder()
    with httpx.Client(transport=httpx.MockTransport(recorder)) as http:
        env = {"SHAREDSKY_URL": "http://env.example", "SHAREDSKY_TOKEN": "tk-env"}
        result = _invoke(["notice", "list", "--json"], http, env)
    assert result.exit_code == 0, result.output
    (request,) = recorder.requests
    assert str(request.url).startswith("http://env.example/v1/notices")
    assert request.headers["authorization"] == "Bearer tk-env"


def test_the_token_is_taken_from_the_tokens_file_by_party(tmp_path: Path) -> None:
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps({"alpha": "tk-alpha", "bravo": "tk-bravo"}), encoding="utf-8")
    recorder = _Recorder()
    with httpx.Client(transport=httpx.MockTransport(recorder)) as http:
        args = ["notice", "list", "--tokens", str(tokens), "--as", "bravo", "--json"]
        result = _invoke(args, http, {"SHAREDSKY_TOKEN": "tk-env"})
    assert result.exit_code == 0, result.output
    assert recorder.requests[0].headers["authorization"] == "Bearer tk-bravo"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--as", "alpha"], "--as needs --tokens FILE"),
        ([], "give --token (or SHAREDSKY_TOKEN), or --tokens FILE --as PARTY"),
        (["--token", "t", "--url", "ftp://x"], "'ftp://x' is not an http:// or https:// URL"),
        (["--token", "t", "--ca", "/nonexistent/ca.pem"], "--ca"),
    ],
    ids=["as-without-tokens", "no-token", "not-http", "missing-ca"],
)
def test_bad_connection_options_are_usage_errors(args: list[str], said: str) -> None:
    result = CliRunner().invoke(
        app,
        ["notice", "show", "ntc-1", *args],
        env={"SHAREDSKY_URL": None, "SHAREDSKY_TOKEN": None, "COLUMNS": "200"},
    )
    assert result.exit_code == 2, result.output
    assert said in " ".join(result.output.replace("│", " ").split())


def test_notice_list_with_url_and_token_after_it_runs_against_the_server(api: Api) -> None:
    token = api.env.tokens["alpha"]
    result = CliRunner().invoke(
        app,
        ["notice", "list", "--url", "http://testserver", "--token", token, "--json"],
        obj={"http": api.client, "clock": api.env.clock},
        env={"SHAREDSKY_TOKEN": None},
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"notices": []}


def test_operators_add_with_the_connection_options_last_works_online(api: Api) -> None:
    token = api.env.tokens["alpha"]
    args = ["operators", "add", "alpha-late", "--party", "alpha", "--role", "viewer", "--json"]
    result = CliRunner().invoke(
        app,
        [*args, "--url", "http://testserver", "--token", token],
        obj={"http": api.client, "clock": api.env.clock},
        env={"SHAREDSKY_TOKEN": None},
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["operator"]["id"] == "alpha-late"
