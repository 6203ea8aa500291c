"""SDK calls of the exchange formats: export the caller's picture, import a file."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from sharedsky.client.transport import Transport
from sharedsky.wire import v1

BBox = tuple[float, float, float, float]
"""min_lon, min_lat, max_lon, max_lat in degrees, WGS84."""


class FormatsMixin:
    """The export and import calls as methods of ``Client``."""

    _transport: Transport
    """Set by the class that mixes this in (``Client``)."""

    def export(
        self,
        format: str,
        *,
        bbox: BBox | None = None,
        time_from: datetime | None = None,
        time_to: datetime | None = None,
        what: Iterable[str] | None = None,
        include_notices: bool = False,
    ) -> bytes:
        """The caller's current picture in ``format`` (geojson, kml, ed318, f3548, cot,
        notam) as the server writes it: only what this token may see, cut to ``bbox`` and
        [``time_from``, ``time_to``); ``what`` some of notices, zones, conflicts, tracks;
        ``include_notices``: ED-318 holds notices too."""
        params = {"format": format}
        if bbox is not None:
            params["bbox"] = ",".join(repr(float(c)) for c in bbox)
        if time_from is not None:
            params["from"] = time_from.isoformat()
        if time_to is not None:
            params["to"] = time_to.isoformat()
        if what is not None:
            params["what"] = ",".join(what)
        if include_notices:
            params["include"] = "notices"
        headers = {"Accept": "*/*"}
        return self._transport.send("GET", "/v1/export", params=params, headers=headers).content

    def import_file(
        self,
        data: bytes,
        format: str,
        *,
        commit: bool = False,
        skip_bad: bool = False,
        object_: Literal["notice", "zone"] | None = None,
        kind: str | None = None,
        title: str | None = None,
        lower: str | None = None,
        upper: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> v1.ImportOut:
        """Import a file of notices or zones (geojson, kml, ed269, ed318, f3548): a dry run
        unless ``commit`` (then all filed in one transaction, or nothing when a feature is bad
        and not ``skip_bad``). ``object_``, ``kind``, ``title``, ``lower``/``upper`` (``3000``,
        ``9000ft``) and ``start``/``end`` give what features leave out."""
        params = {"format": format, "dry_run": "false" if commit else "true"}
        if skip_bad:
            params["skip_bad"] = "true"
        texts = {"object": object_, "kind": kind, "title": title, "lower": lower, "upper": upper}
        params.update({k: v for k, v in texts.items() if v is not None})
        for name, moment in (("start", start), ("end", end)):
            if moment is not None:
                params[name] = moment.isoformat()
        headers = {"Idempotency-Key": idempotency_key or uuid.uuid4().hex}
        response = self._transport.send(
            "POST", "/v1/import", params=params, headers=headers, raw=data
        )
        return v1.ImportOut.model_validate_json(response.content)
