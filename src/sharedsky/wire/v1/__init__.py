"""Version 1 of the HTTP contract: request and response models, shared by the API and the SDK."""

from sharedsky.wire.v1.common import (
    Altitude,
    CircleOutline,
    CorridorOutline,
    ObjectRef,
    Outline,
    PolygonOutline,
    Problem,
    SideRef,
    TimeWindow,
    Volume,
    VolumeOut,
    Window,
)
from sharedsky.wire.v1.conflicts import AckList, AckOut, ConflictList, ConflictOut
from sharedsky.wire.v1.meta import ChannelOut, Me, MechanismOut, PartyOut, SeparationOut
from sharedsky.wire.v1.notices import (
    AckState,
    FilingOut,
    NoticeDetailOut,
    NoticeIn,
    NoticeList,
    NoticeOut,
)
from sharedsky.wire.v1.zones import DeclarationOut, ZoneIn, ZoneList, ZoneOut

__all__ = [
    "AckList",
    "AckOut",
    "AckState",
    "Altitude",
    "ChannelOut",
    "CircleOutline",
    "ConflictList",
    "ConflictOut",
    "CorridorOutline",
    "DeclarationOut",
    "FilingOut",
    "Me",
    "MechanismOut",
    "NoticeDetailOut",
    "NoticeIn",
    "NoticeList",
    "NoticeOut",
    "ObjectRef",
    "Outline",
    "PartyOut",
    "PolygonOutline",
    "Problem",
    "SeparationOut",
    "SideRef",
    "TimeWindow",
    "Volume",
    "VolumeOut",
    "Window",
    "ZoneIn",
    "ZoneList",
    "ZoneOut",
]
