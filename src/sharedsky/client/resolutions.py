"""SDK calls of resolution advice: a conflict's options, one option, and applying one."""

from __future__ import annotations

import re

from sharedsky.client.errors import ClientError
from sharedsky.client.transport import Transport, segment
from sharedsky.wire.v1.common import Volume
from sharedsky.wire.v1.conflicts import ResolutionList, ResolutionOption, ResolutionOut
from sharedsky.wire.v1.notices import FilingOut, NoticeDetailOut, NoticeIn

_VERSION = re.compile(r"^v(\d+)-")


def option_version(option_id: str) -> int:
    """The notice version an option was computed for (its id is ``v<version>-<hash>``);
    ClientError ``invalid-response`` for an id of another form."""
    found = _VERSION.match(option_id)
    if found is None:
        raise ClientError(0, "invalid-response", f"{option_id!r} is not a resolution option id")
    return int(found.group(1))


class ResolutionsMixin:
    """Resolution advice as methods of ``Client``."""

    _transport: Transport
    """Set by the class that mixes this in (``Client``)."""

    def resolutions(self, conflict_id: str) -> list[ResolutionOption]:
        """The options that would clear a conflict by amending the caller's own notice in
        it: each clears every clash of that notice (empty for the host, a viewer, a zone
        side or a resolved conflict)."""
        path = f"/v1/conflicts/{segment(conflict_id)}/resolutions"
        return self._transport.call(ResolutionList, "GET", path).options

    def resolution(self, conflict_id: str, option_id: str) -> ResolutionOption:
        """One option as the server lists it now; StaleVersionError when the notice changed
        since it was listed, NotFoundError when there is no such option."""
        path = f"/v1/conflicts/{segment(conflict_id)}/resolutions/{segment(option_id)}"
        return self._transport.call(ResolutionOut, "GET", path).root

    def apply_resolution(self, conflict_id: str, option_id: str) -> FilingOut:
        """Apply an option: amend its notice (``PUT /v1/notices/{id}``) to the option's
        volumes, at the version the option was computed for (If-Match), everything else
        unchanged. StaleVersionError (412) when the notice changed since, NotFoundError when
        the option does not exist."""
        option = self.resolution(conflict_id, option_id)
        path = f"/v1/notices/{segment(option.notice_id)}"
        current = self._transport.call(NoticeDetailOut, "GET", path)
        body = NoticeIn(
            kind=current.kind,
            title=current.title,
            volumes=[
                Volume.model_validate(v.model_dump(exclude={"index"})) for v in option.volumes
            ],
            remarks=current.remarks,
            contact=current.contact,
            priority_status=current.priority_status,
            # the outlines are the notice's own, which the server accepted when it was filed
            outside_area=True,
        )
        return self._transport.put(FilingOut, path, option_version(option.id), body)
