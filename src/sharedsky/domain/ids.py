"""Identifier types: plain strings made distinct for the type checker."""

from typing import NewType

PartyId = NewType("PartyId", str)
"""A party's or the host's id as declared in the mechanism file (e.g. ``alpha``)."""
OperatorId = NewType("OperatorId", str)
NoticeId = NewType("NoticeId", str)
ZoneId = NewType("ZoneId", str)
ConflictId = NewType("ConflictId", str)
AckId = NewType("AckId", str)
