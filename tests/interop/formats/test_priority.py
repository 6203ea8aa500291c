"""A notice's operational priority (R-PRIO-1) in every format that writes notices: GeoJSON
and KML carry it as a property (and read it back), CoT says it first in the remarks and in
its ``<__sharedsky>`` element, a draft NOTAM names it as ICAO flight-plan item 18 does
(``STS/``), and an F3548 intent orders by it (none 0 … emergency 4)."""

from __future__ import annotations

import json
from types import ModuleType

import pytest
from _exports import notice_out, sample_export
from lxml import etree

from sharedsky.interop.formats import cot, f3548, geojson, kml, notam
from sharedsky.interop.formats.model import ExportSet
from sharedsky.interop.formats.reading import ReadOptions
from sharedsky.wire import v1

RULES = v1.NotamOut(fir="LCCC", qcodes={}, traffic="IV", purpose="BO", scope="W")


def _export(status: str | None) -> ExportSet:
    base = sample_export()
    assert base.mechanism is not None
    return sample_export(
        notices=(notice_out(priority_status=status),),
        zones=(),
        conflicts=(),
        tracks=(),
        mechanism=base.mechanism.model_copy(update={"notam": RULES}),
    )


@pytest.mark.parametrize(
    ("status", "sts", "rank"),
    [("medevac", "MEDEVAC", 3), ("emergency", "EMER", 4), ("sar", "SAR", 2),
     ("humanitarian", "HUM", 1)],
)  # fmt: skip
def test_every_notice_format_carries_the_priority_status(status: str, sts: str, rank: int) -> None:
    export = _export(status)
    features = json.loads(geojson.write(export))["features"]
    notices = [f for f in features if f["properties"]["object"] == "notice"]
    assert notices and {f["properties"]["priority_status"] for f in notices} == {status}

    placemarks = etree.fromstring(kml.write(export)).iter("{*}Data")
    said = {d.get("name"): d.findtext("{*}value") for d in placemarks}
    assert said["priority_status"] == status

    events = etree.fromstring(cot.write(export)).iter("event")
    shapes = [e for e in events if ".notice." in (e.get("uid") or "")]
    assert shapes
    for event in shapes:
        assert event.findtext("detail/remarks", "").startswith(f"PRIORITY {status.upper()}: ")
        assert event.find("detail/__sharedsky").get("priority_status") == status

    assert f"PRIORITY: {sts}." in notam.write(export).decode()

    (intent,) = json.loads(f3548.write(export))["operational_intents"]
    assert intent["details"]["priority"] == rank


def test_a_notice_without_priority_says_none() -> None:
    export = _export(None)
    (first, *_) = json.loads(geojson.write(export))["features"]
    assert first["properties"]["priority_status"] is None
    assert "PRIORITY" not in notam.write(export).decode()
    assert "PRIORITY" not in cot.write(export).decode()
    (intent,) = json.loads(f3548.write(export))["operational_intents"]
    assert intent["details"]["priority"] == 0


@pytest.mark.parametrize("fmt", [geojson, kml])
def test_geojson_and_kml_read_the_priority_status_back(fmt: ModuleType) -> None:
    parsed = fmt.read(fmt.write(_export("sar")), ReadOptions())
    assert not parsed.problems
    (item,) = parsed.items
    assert isinstance(item.body, v1.NoticeIn) and item.body.priority_status == "sar"


def test_an_unknown_priority_in_a_file_is_a_problem_of_its_feature() -> None:
    document = json.loads(geojson.write(_export("sar")))
    for feature in document["features"]:
        feature["properties"]["priority_status"] = "vip"
    parsed = geojson.read(json.dumps(document).encode(), ReadOptions())
    assert not parsed.items
    assert any("priority_status" in p.reason for p in parsed.problems)
