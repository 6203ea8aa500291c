"""``cli/_names``: what a person reads an object by. Pure: the objects are given, no server."""

from __future__ import annotations

from _outs import conflict_out, notice_out

from sharedsky.cli._names import Names, message_label, title_of
from sharedsky.wire import v1


def test_a_notice_reads_as_its_title_or_redacted_as_its_kind_band_and_window() -> None:
    assert title_of(notice_out("ntc-1", "ISR orbit Homs")) == "ISR orbit Homs"
    withheld = notice_out("ntc-2", "secret", redacted=True)
    assert title_of(withheld) == "air_sortie FL120–FL300 11-24 15:00Z → 17:00Z"
    names = Names(None)
    assert names.side("notice", "ntc-2", "bravo") == "bravo notice ntc-2"  # unreadable: its id
    names.know([withheld])
    assert names.side("notice", "ntc-2", "bravo") == (
        "bravo notice air_sortie FL120–FL300 11-24 15:00Z → 17:00Z"
    )
    assert names.side("notice", None, "bravo") == "bravo notice (hidden)"


def test_two_notices_never_read_alike() -> None:
    """Two notices of one party titled alike are told apart by their windows, then by their
    ids; a title of its own stays bare."""
    morning = notice_out("ntc-1", "ISR orbit Homs")
    evening = notice_out("ntc-2", "ISR orbit Homs", start="2026-11-24T16:00:00Z")
    twin = notice_out("ntc-3", "ISR orbit Homs", start="2026-11-24T16:00:00Z")
    other = notice_out("ntc-4", "ISR orbit Homs", party="alpha")
    names = Names(None).know([morning, evening, other])
    labels = [names.side("notice", n.id, n.party) for n in (morning, evening, other)]
    assert labels == [
        "bravo notice “ISR orbit Homs (11-24 15:00Z → 17:00Z)”",
        "bravo notice “ISR orbit Homs (11-24 16:00Z → 17:00Z)”",
        "alpha notice “ISR orbit Homs”",
    ]
    names.know([twin])
    assert names.side("notice", "ntc-2", "bravo") == "bravo notice “ISR orbit Homs (ntc-2)”"
    assert names.side("notice", "ntc-3", "bravo") == "bravo notice “ISR orbit Homs (ntc-3)”"


def test_a_conflict_reads_as_both_sides_and_its_window() -> None:
    own = notice_out("ntc-1", "CAP North", party="alpha")
    other = notice_out("ntc-2", "ISR orbit Homs")
    names = Names(None).know([own, other])
    assert names.conflict(conflict_out(own, other)) == (
        "alpha notice “CAP North” × bravo notice “ISR orbit Homs”, 11-24 15:00Z → 16:00Z"
    )
    assert names.conflict(conflict_out(own, None)) == (
        "alpha notice “CAP North” × bravo notice (hidden), 11-24 15:00Z → 16:00Z"
    )
    names.know([conflict_out(own, other)])
    assert names.subject("conflict", "cfl-1").startswith("conflict alpha notice “CAP North” ×")
    assert names.subject("notice", "ntc-1") == "alpha notice “CAP North”"


def test_a_message_reads_as_who_sent_it_to_whom_and_what_it_says() -> None:
    message = v1.MessageOut.model_validate(
        {
            "id": "msg-1",
            "thread": "parties:alpha|bravo",
            "from": "alpha",
            "to": "bravo",
            "sent_by": "alpha-duty",
            "priority": "flash",
            "template": None,
            "params": {},
            "text": "Our tanker track moves thirty kilometres east at fifteen hundred today",
            "about": None,
            "rendered": None,
            "rendered_en": None,
            "language": "en",
            "sent_at": "2026-11-24T12:00:00Z",
            "acknowledgement": None,
        }
    )
    assert message_label(message) == (
        "FLASH message alpha → bravo: Our tanker track moves thirty kilometres east at fifteen …"
    )
    assert Names(None).know([message]).subject("message", "msg-1") == message_label(message)
