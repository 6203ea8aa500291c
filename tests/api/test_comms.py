"""The parties' comms cards on the API and through the SDK: ``GET /v1/mechanism`` gives each
party's and the host's ``comms`` as the mechanism file declares it (R-MECH-4)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from _support import COMMS_YAML, Api, make_env

from sharedsky.client import Client
from sharedsky.store.uow import Database
from sharedsky.testing.fakes import FakeClock


@pytest.fixture
def comms(database: Database, clock: FakeClock) -> Iterator[Api]:
    holder = Api(make_env(database, clock, COMMS_YAML))
    with holder.client:
        yield holder


def test_every_reader_gets_each_partys_comms_card(comms: Api) -> None:
    """R-MECH-4: the same cards for every party and the host; null where none is declared."""
    for reader in ("alpha", "bravo", "host"):
        answer = comms.client.get("/v1/mechanism", headers=comms.as_(reader))
        assert answer.status_code == 200, answer.text
        body = answer.json()
        alpha, bravo = body["parties"]
        assert alpha["comms"] == {
            "frequencies": [{"label": "Guard", "mhz": 121.5}, {"label": "Alpha ops", "mhz": 282.8}],
            "phones": [{"label": "Ops", "number": "+44 20 7946 0100"}],
            "languages": ["en", "ar"],
            "hours": "H24",
        }
        assert bravo["comms"] is None
        assert body["host"]["comms"] == {
            "frequencies": [],
            "phones": [{"label": "Cell duty", "number": "+357 22 555 0100"}],
            "languages": [],
            "hours": "H24",
        }


def test_the_sdk_reads_the_comms_cards(comms: Api) -> None:
    """R-MECH-4: ``client.mechanism()`` carries the typed cards."""
    client = Client("http://testserver", comms.env.tokens["bravo"], http=comms.client)
    mechanism = client.mechanism()
    card = mechanism.parties[0].comms
    assert card is not None and [f.mhz for f in card.frequencies] == [121.5, 282.8]
    assert mechanism.parties[1].comms is None
    assert mechanism.host.comms is not None and mechanism.host.comms.hours == "H24"
