"""The field's exchange formats, in and out: one module per format, and the registry of them.

Every export writer takes an ``ExportSet`` (``model.py``): what one caller may see, already cut
by the visibility rules of every read (the API builds it from the same queries), so a writer
never decides visibility and can never leak what a read would hide. Every reader turns a file
into wire input models (``v1.NoticeIn``, ``v1.ZoneIn``) and per-feature problems
(``reading.py``); the use cases file them as they file anything else.

The registry below names each format with its media type and file suffix; a format's module
(``<name>.py``, with ``write(export) -> bytes`` and, when it imports, ``read(data, options) ->
Parsed``) is imported by name when first asked for, so a format listed here whose module is not
part of this build answers a clean ``FormatUnavailable`` (422), never an ImportError. Imports
nothing of service, api or store.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType, ModuleType
from typing import Literal

from sharedsky.domain.errors import FormatUnavailable
from sharedsky.interop.formats.model import ExportSet
from sharedsky.interop.formats.reading import Parsed, ReadOptions

__all__ = ["FORMATS", "Format", "export_format", "import_format", "reader", "writer"]


@dataclass(frozen=True, slots=True)
class Format:
    """One exchange format: its name (the ``format`` parameter), media type and file suffix."""

    name: str
    media_type: str
    suffix: str
    exports: bool
    imports: bool
    notices_on_request: bool = False
    """An export holds the caller's notices only when asked (``include=notices``): ED-318 is
    a format of zones."""


FORMATS = MappingProxyType(
    {
        f.name: f
        for f in (
            Format("geojson", "application/geo+json", ".geojson", exports=True, imports=True),
            Format(
                "kml", "application/vnd.google-earth.kml+xml", ".kml", exports=True, imports=True
            ),
            Format(
                "ed318",
                "application/json",
                ".json",
                exports=True,
                imports=True,
                notices_on_request=True,
            ),
            Format("ed269", "application/json", ".json", exports=False, imports=True),
            Format("f3548", "application/json", ".json", exports=True, imports=True),
            Format("cot", "application/xml", ".xml", exports=True, imports=False),
            Format("notam", "text/plain; charset=utf-8", ".txt", exports=True, imports=False),
        )
    }
)
"""Every format by name, exports and imports alike."""


def _format(name: str, way: Literal["export", "import"]) -> Format:
    fmt = FORMATS.get(name)
    if fmt is None:
        known = ", ".join(
            n for n, f in FORMATS.items() if (f.exports if way == "export" else f.imports)
        )
        raise FormatUnavailable(f"no format {name!r} to {way}: one of {known}", ("format",))
    if not (fmt.exports if way == "export" else fmt.imports):
        raise FormatUnavailable(f"format {name!r} is not one to {way}", ("format",))
    return fmt


def export_format(name: str) -> Format:
    """The format named ``name`` if it exports; FormatUnavailable (path ``format``) else."""
    return _format(name, "export")


def import_format(name: str) -> Format:
    """The format named ``name`` if it imports; FormatUnavailable (path ``format``) else."""
    return _format(name, "import")


def _module(fmt: Format) -> ModuleType:
    full = f"{__name__}.{fmt.name}"
    try:
        return importlib.import_module(full)
    except ModuleNotFoundError as exc:
        if exc.name != full:
            raise
        raise FormatUnavailable(
            f"format {fmt.name!r} is not available in this build", ("format",)
        ) from exc


def writer(name: str) -> Callable[[ExportSet], bytes]:
    """The ``write`` of the export format ``name``; FormatUnavailable when there is none."""
    write: Callable[[ExportSet], bytes] = _module(export_format(name)).write
    return write


def reader(name: str) -> Callable[[bytes, ReadOptions], Parsed]:
    """The ``read`` of the import format ``name``; FormatUnavailable when there is none."""
    read: Callable[[bytes, ReadOptions], Parsed] = _module(import_format(name)).read
    return read
