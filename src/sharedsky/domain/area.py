"""The mechanism's area of responsibility: where its parties' notices and zones belong.

A mechanism file may declare one (``area:``, a polygon or a bounding box). A volume whose
outline lies wholly outside it is refused, because the usual cause is a position given as
(latitude, longitude) where GeoJSON wants (longitude, latitude): swapped, a point over Syria
lands in the Mediterranean or Iraq, and would otherwise be filed without a word. A filer who
means it says so (``outside_area``) and the volume is taken as it is.
"""

from __future__ import annotations

from sharedsky.domain.errors import FieldPath, OutsideArea
from sharedsky.geo.outlines import CircleOutline, CorridorOutline, Outline, PolygonOutline
from sharedsky.geo.shapes import outlines_meet, swapped


def bbox_area(min_lon: float, min_lat: float, max_lon: float, max_lat: float) -> PolygonOutline:
    """The area of a bounding box given in degrees, as a closed counter-clockwise polygon.

    >>> bbox_area(35.0, 32.0, 42.0, 37.5).rings[0][:2]
    ((35.0, 32.0), (42.0, 32.0))
    """
    ring = (
        (min_lon, min_lat),
        (max_lon, min_lat),
        (max_lon, max_lat),
        (min_lon, max_lat),
        (min_lon, min_lat),
    )
    return PolygonOutline((ring,))


def _first_position(outline: Outline) -> tuple[float, float]:
    if isinstance(outline, CircleOutline):
        return outline.center
    if isinstance(outline, CorridorOutline):
        return outline.path[0]
    return outline.rings[0][0]


def _read_as(position: tuple[float, float]) -> str:
    lon, lat = position
    return (
        f"latitude {abs(lat):.4f}{'N' if lat >= 0 else 'S'}, "
        f"longitude {abs(lon):.4f}{'E' if lon >= 0 else 'W'}"
    )


def check_in_area(
    area: PolygonOutline | None, outline: Outline, path: FieldPath, *, outside_allowed: bool
) -> None:
    """Raise OutsideArea at ``path`` when ``outline`` lies wholly outside ``area`` (None: the
    mechanism declares none) and the filer did not allow it (``outside_allowed``). The message
    says how its first position was read, that the numbers may be swapped, and whether
    swapping them would bring the outline inside."""
    if area is None or outside_allowed or outlines_meet(area, outline):
        return
    flipped = swapped(outline)
    inside_if_swapped = flipped is not None and outlines_meet(area, flipped)
    likely = (
        "swapped, the numbers would lie inside it: "
        if inside_if_swapped
        else "check the order of the numbers: "
    )
    raise OutsideArea(
        "the volume lies wholly outside the mechanism's area of responsibility (its first "
        f"position reads as {_read_as(_first_position(outline))}); the coordinates may be "
        f"swapped: {likely}GeoJSON wants [longitude, latitude], not (latitude, longitude). "
        "To file it where it is, set outside_area: true",
        (*path, "outline"),
    )
