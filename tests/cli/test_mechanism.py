"""``sharedsky mechanism show`` through CliRunner, against the real app: the parties with their
comms cards (R-MECH-4) and the channels."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import typer
from _support import COMMS_YAML, Api, make_env
from typer.testing import CliRunner, Result

from sharedsky.cli.mechanism import app as mechanism_app
from sharedsky.store.uow import Database
from sharedsky.testing.fakes import FakeClock

cli = typer.Typer()
cli.add_typer(mechanism_app, name="mechanism")


@pytest.fixture
def comms(database: Database, clock: FakeClock) -> Iterator[Api]:
    """The API over a mechanism whose host and alpha declare comms cards."""
    holder = Api(make_env(database, clock, COMMS_YAML))
    with holder.client:
        yield holder


def run(api: Api, *args: str, party: str = "bravo") -> Result:
    return CliRunner().invoke(
        cli,
        ["mechanism", *args, "--token", api.env.tokens[party]],
        obj={"http": api.client, "clock": api.env.clock},
        env={"COLUMNS": "220", "SHAREDSKY_TOKEN": None},
    )


def test_show_lists_each_partys_comms_card_and_the_channels(comms: Api) -> None:
    """R-MECH-4: frequencies with labels (MHz, three decimals), phone lines, languages, hours;
    a party without a card says so; the reader's own party and the host are marked."""
    result = run(comms, "show")
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "Mechanism comms-cards: parties and comms cards" in text
    assert "Guard 121.500 MHz" in text and "Alpha ops 282.800 MHz" in text
    assert "Ops +44 20 7946 0100" in text and "en, ar" in text
    assert "Cell duty +357 22 555 0100" in text and "Coordination Cell (host)" in text
    assert "Bravo (you)" in text and "no comms card" in text
    assert "alpha – bravo" in text and "full" in text


def test_show_json_is_the_mechanism_as_the_api_gives_it(comms: Api) -> None:
    """R-MECH-4: ``--json`` prints ``GET /v1/mechanism`` with each ``comms``."""
    result = run(comms, "show", "--json", party="alpha")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    api = comms.client.get("/v1/mechanism", headers=comms.as_("alpha")).json()
    assert shown == api
    assert shown["parties"][0]["comms"]["frequencies"][0] == {"label": "Guard", "mhz": 121.5}
    assert shown["parties"][1]["comms"] is None
