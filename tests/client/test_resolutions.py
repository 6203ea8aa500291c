"""The SDK's resolution calls against the real app: list, read one, apply; stale and unknown
options raise their exceptions."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from client.test_sdk import notice, sdk, square, volume

from sharedsky.client import NotFoundError, StaleVersionError
from sharedsky.client.errors import ClientError
from sharedsky.client.resolutions import option_version
from sharedsky.wire import v1

if TYPE_CHECKING:
    from _support import Api


def test_a_resolution_is_listed_read_and_applied(api: Api) -> None:
    """R-RESOLVE-1"""
    alpha, bravo = sdk(api, "alpha"), sdk(api, "bravo")
    alpha.file_notice(notice())
    late = v1.NoticeIn(
        kind="air_sortie",
        title="late CAP",
        volumes=[
            volume(square(36.1, 34.5), start="2026-11-24T16:00:00Z", end="2026-11-24T18:00:00Z")
        ],
        remarks="kept",
    )
    filing = bravo.file_notice(late)
    (conflict,) = filing.conflicts
    options = bravo.resolutions(conflict.id)
    assert filing.resolutions == options
    assert [o.kind for o in options] == ["shift_later", "shift_earlier", "climb", "shrink_window"]
    later = options[0]
    assert isinstance(later, v1.ShiftOption) and later.shift_s == 3900
    assert bravo.resolution(conflict.id, later.id) == later
    assert option_version(later.id) == 1
    applied = bravo.apply_resolution(conflict.id, later.id)
    assert applied.version == 2 and applied.conflicts == [] and applied.remarks == "kept"
    assert applied.volumes[0].time == later.volumes[0].time
    with pytest.raises(StaleVersionError):
        bravo.apply_resolution(conflict.id, later.id)
    with pytest.raises(NotFoundError):
        bravo.resolution(conflict.id, "v2-0123456789abcdef")
    assert alpha.resolutions(conflict.id) == []  # resolved
    with pytest.raises(ClientError):
        option_version("not-an-option")


def test_an_applied_option_keeps_the_notices_priority_status(api: Api) -> None:
    """R-PRIO-1, R-PRIO-2: bravo's humanitarian notice gives way to alpha's medevac one (alpha
    is offered nothing); applied, the option leaves it humanitarian."""
    alpha, bravo = sdk(api, "alpha"), sdk(api, "bravo")
    alpha.file_notice(notice().model_copy(update={"priority_status": "medevac"}))
    convoy = notice().model_copy(update={"priority_status": "humanitarian"})
    (conflict,) = bravo.file_notice(convoy).conflicts
    assert conflict.priority_status == "medevac"
    assert alpha.resolutions(conflict.id) == []
    first = bravo.resolutions(conflict.id)[0]
    applied = bravo.apply_resolution(conflict.id, first.id)
    assert applied.conflicts == [] and applied.priority_status == "humanitarian"
