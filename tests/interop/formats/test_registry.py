"""The registry of exchange formats: each name with its media type and suffix, a writer or
reader loaded by name, and a clean FormatUnavailable for the rest."""

from __future__ import annotations

import sys

import pytest

from sharedsky.domain.errors import FormatUnavailable
from sharedsky.interop import formats


def test_the_registry_names_every_format_of_the_issue_with_its_media_type() -> None:
    media = {name: (f.media_type, f.exports, f.imports) for name, f in formats.FORMATS.items()}
    assert media["geojson"] == ("application/geo+json", True, True)
    assert media["kml"] == ("application/vnd.google-earth.kml+xml", True, True)
    assert media["ed269"][1:] == (False, True)
    assert {"ed318", "f3548", "cot", "notam"} <= set(media)


def test_an_unknown_format_and_a_wrong_direction_are_refused_with_the_path_format() -> None:
    with pytest.raises(FormatUnavailable) as unknown:
        formats.writer("shapefile")
    assert unknown.value.path == ("format",)
    assert "geojson" in unknown.value.detail
    with pytest.raises(FormatUnavailable, match="not one to export"):
        formats.writer("ed269")
    with pytest.raises(FormatUnavailable, match="not one to import"):
        formats.reader("cot")


def test_a_listed_format_whose_module_is_missing_is_not_available(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # as if this build had no geojson module: the import machinery finds nothing by that name
    monkeypatch.setitem(sys.modules, "sharedsky.interop.formats.geojson", None)
    with pytest.raises(FormatUnavailable, match="not available in this build"):
        formats.writer("geojson")


def test_the_writers_and_readers_of_this_build_load_by_name() -> None:
    assert callable(formats.writer("geojson"))
    assert callable(formats.reader("geojson"))
