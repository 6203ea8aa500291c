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
from sharedsky.wire.v1.events import EventOut
from sharedsky.wire.v1.messages import (
    AboutRef,
    MessageIn,
    MessageList,
    MessageOut,
    ParamSpecOut,
    TemplateList,
    TemplateOut,
)
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
    "AboutRef",
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
    "EventOut",
    "FilingOut",
    "Me",
    "MechanismOut",
    "MessageIn",
    "MessageList",
    "MessageOut",
    "NoticeDetailOut",
    "NoticeIn",
    "NoticeList",
    "NoticeOut",
    "ObjectRef",
    "Outline",
    "ParamSpecOut",
    "PartyOut",
    "PolygonOutline",
    "Problem",
    "SeparationOut",
    "SideRef",
    "TemplateList",
    "TemplateOut",
    "TimeWindow",
    "Volume",
    "VolumeOut",
    "Window",
    "ZoneIn",
    "ZoneList",
    "ZoneOut",
]
