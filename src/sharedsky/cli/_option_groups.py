"""Option groups: one value (a dataclass) that a command takes in place of several options.

A command declares one parameter of the group's type; `with_option_group` replaces that
parameter, in the signature Typer reads, by the group's options (at the parameter's place, or
after the command's own options for those marked ``last``), and when Typer calls the command
it builds the group's value from those options. Options stay options of the command itself:
they are given after the subcommand (``sharedsky notice list --url U``) and listed in its
``--help``.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import typer

C = TypeVar("C", bound=Callable[..., Any])
G = TypeVar("G")

_CONTEXT = "_option_group_context"
"""The parameter added for Typer to hand the context to, when the command takes none."""


@dataclass(frozen=True, slots=True)
class GroupOption:
    """One option of a group: the parameter Typer sees, its annotated type and its default."""

    name: str
    """The parameter's name (Typer derives nothing from it when the option names itself)."""
    annotation: Any
    """``Annotated[type, typer.Option(...)]``."""
    default: Any = None
    last: bool = False
    """Listed after the command's own options instead of at the group parameter's place."""


def with_option_group(
    command: C,
    group: type[G],
    options: Sequence[GroupOption],
    make: Callable[[typer.Context, Mapping[str, Any]], G],
) -> C:
    """``command`` with its one parameter of type ``group`` replaced by ``options``; when
    called, ``make(context, values of the options by name)`` is passed in that parameter.

    Raises TypeError when the command has no parameter of type ``group``, several, or a
    parameter named like one of the options.
    """
    signature = inspect.signature(command, eval_str=True)
    hints = typing.get_type_hints(command, include_extras=True)
    targets = [name for name in signature.parameters if hints.get(name) is group]
    if len(targets) != 1:
        raise TypeError(
            f"{command.__name__} must take one parameter of type {group.__name__}, "
            f"not {len(targets)}"
        )
    target = targets[0]
    names = [o.name for o in options]
    clash = sorted(set(names) & set(signature.parameters))
    if clash:
        raise TypeError(f"{command.__name__} has parameters named like options: {clash}")
    context = next((n for n in signature.parameters if hints.get(n) is typer.Context), None)
    keyword = inspect.Parameter.KEYWORD_ONLY

    def spliced(which: bool) -> list[inspect.Parameter]:
        return [
            inspect.Parameter(o.name, keyword, default=o.default, annotation=o.annotation)
            for o in options
            if o.last is which
        ]

    # Every parameter becomes keyword-only (Typer passes all by keyword), so that options
    # with defaults may stand before the command's required ones.
    parameters: list[inspect.Parameter] = []
    for name, parameter in signature.parameters.items():
        parameters += spliced(False) if name == target else [parameter.replace(kind=keyword)]
    parameters += spliced(True)
    added_context = context is None
    if added_context:
        parameters.append(inspect.Parameter(_CONTEXT, keyword, annotation=typer.Context))

    @functools.wraps(command)
    def with_group(**kwargs: Any) -> Any:
        values = {name: kwargs.pop(name) for name in names}
        ctx = kwargs.pop(_CONTEXT) if added_context else kwargs[cast(str, context)]
        kwargs[target] = make(ctx, values)
        return command(**kwargs)

    # (a function's __signature__ is read by inspect.signature; mypy does not know the attribute)
    with_group.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    annotations = {k: v for k, v in hints.items() if k != target}
    annotations |= {o.name: o.annotation for o in options}
    if added_context:
        annotations[_CONTEXT] = typer.Context
    with_group.__annotations__ = annotations
    return cast(C, with_group)
