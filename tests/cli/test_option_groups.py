"""Option groups: a dataclass parameter that Typer sees as several options of the command."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

import pytest
import typer
from typer.testing import CliRunner

from sharedsky.cli._option_groups import GroupOption, with_option_group


@dataclass(frozen=True, slots=True)
class Pair:
    left: str
    right: int
    party: str


OPTIONS = (
    GroupOption("left", Annotated[str, typer.Option("--left", help="Left side.")], "L"),
    GroupOption("right", Annotated[int, typer.Option("--right", envvar="TEST_RIGHT")], 0),
    GroupOption("last_one", Annotated[str, typer.Option("--last")], "z", last=True),
)


def _pair(ctx: typer.Context, values: Mapping[str, Any]) -> Pair:
    party = ctx.obj["party"] if isinstance(ctx.obj, dict) else "-"
    return Pair(values["left"], values["right"], f"{party}/{values['last_one']}")


def pair_options(command: Callable[..., Any]) -> Callable[..., Any]:
    return with_option_group(command, Pair, OPTIONS, _pair)


def _app(command: Callable[..., Any]) -> typer.Typer:
    app = typer.Typer()
    app.command("go")(command)
    app.command("other")(lambda: None)  # two commands: "go" stays a subcommand
    return app


def test_the_group_options_are_given_after_the_subcommand_and_built_into_the_value() -> None:
    seen: list[tuple[str, Pair, bool]] = []

    @pair_options
    def go(
        name: Annotated[str, typer.Argument()],
        pair: Pair,
        loud: Annotated[bool, typer.Option("--loud")] = False,
    ) -> None:
        seen.append((name, pair, loud))

    args = ["go", "x", "--loud", "--right", "7", "--last", "q"]
    result = CliRunner().invoke(_app(go), args, obj={"party": "alpha"})
    assert result.exit_code == 0, result.output
    assert seen == [("x", Pair("L", 7, "alpha/q"), True)]


def test_the_command_keeps_its_context_and_the_variables_of_the_options_apply() -> None:
    seen: list[tuple[object, Pair]] = []

    @pair_options
    def go(ctx: typer.Context, pair: Pair) -> None:
        seen.append((ctx.obj, pair))

    result = CliRunner().invoke(_app(go), ["go"], obj={"party": "b"}, env={"TEST_RIGHT": "3"})
    assert result.exit_code == 0, result.output
    assert seen == [({"party": "b"}, Pair("L", 3, "b/z"))]


def test_the_options_stand_at_the_group_parameter_and_the_last_ones_at_the_end() -> None:
    @pair_options
    def go(
        first: Annotated[str, typer.Option("--first")] = "",
        *,
        pair: Pair,
        then: Annotated[str, typer.Option("--then")] = "",
    ) -> None:
        """Go."""

    command = typer.main.get_command(_app(go))
    go_command = command.commands["go"]  # type: ignore[attr-defined]
    names = [p.opts[0] for p in go_command.params]
    assert names == ["--first", "--left", "--right", "--then", "--last"]


def test_a_command_without_the_group_parameter_is_refused() -> None:
    def go(name: str) -> None:
        """Go."""

    with pytest.raises(TypeError, match="one parameter of type Pair, not 0"):
        pair_options(go)


def test_a_command_with_a_parameter_named_like_an_option_is_refused() -> None:
    def go(pair: Pair, left: str = "") -> None:
        """Go."""

    with pytest.raises(TypeError, match="named like options: \\['left'\\]"):
        pair_options(go)
