"""SDK calls of live tracks, tactical conflicts, the filing check and escalations, as a mixin
of ``Client``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from sharedsky.client.transport import Transport
from sharedsky.wire import v1


class TracksMixin:
    """Live tracks and what the server concludes from them."""

    _transport: Transport
    """Set by the class that mixes this in (``Client``)."""

    def post_tracks(self, states: Sequence[Mapping[str, object]]) -> v1.TracksAccepted:
        """Report states of this party's own aircraft (wire dicts: ``id``, ``time``, ``lat``,
        ``lon``, ``alt_m``, ``gs_mps``, ``trk_deg``, ``vs_mps``, ``notice_id``). A batch is
        harmless to send twice (the newest state per track wins), so it is retried once after
        a transport error."""
        body = v1.TracksIn.model_validate({"tracks": list(states)})
        return self._transport.call(v1.TracksAccepted, "POST", "/v1/tracks", body=body)

    def post_track_columns(self, columns: Mapping[str, Sequence[object]]) -> v1.TracksAccepted:
        """The same as ``post_tracks`` with the states as aligned arrays (``columns["lat"][i]``
        …): lighter at high rates."""
        body = v1.TracksIn.model_validate({"columns": dict(columns)})
        return self._transport.call(v1.TracksAccepted, "POST", "/v1/tracks", body=body)

    def live_tracks(self) -> v1.TrackList:
        """The live picture this token may see."""
        return self._transport.call(v1.TrackList, "GET", "/v1/tracks")

    def tactical_conflicts(
        self, state: Literal["open", "cleared"] | None = "open"
    ) -> list[v1.TacticalConflictOut]:
        """The tactical conflicts sent to this token's party (the host: all)."""
        params = {"kind": "tactical"} | ({"state": state} if state is not None else {})
        found = self._transport.call(v1.TacticalConflictList, "GET", "/v1/conflicts", params=params)
        return found.conflicts

    def check_notice(self, notice: v1.NoticeIn, amending: str | None = None) -> v1.FilingCheckOut:
        """What filing ``notice`` now (or amending notice ``amending`` with it) would give:
        conflicts, lead time, late counterparties. Stores nothing."""
        params = {"amending": amending} if amending is not None else None
        return self._transport.call(
            v1.FilingCheckOut, "POST", "/v1/notices/check", params=params, body=notice
        )

    def escalations(self) -> list[v1.EscalationOut]:
        """The escalation steps of this token's party (the host: every party's), newest first."""
        return self._transport.call(v1.EscalationList, "GET", "/v1/escalations").escalations
