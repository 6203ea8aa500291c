"""Signed review reports (R-REVIEW-2): the server's signature proves a report file's bytes, its
period and the ledger head it read; any change is seen."""

from __future__ import annotations

import pytest

from sharedsky.ledger.reports import (
    ReportFormatError,
    ReportSignature,
    file_sha256,
    report_problem,
    sign_report,
)
from sharedsky.ledger.signing import SERVER, KeyEntry, KeyRing, Signer

DATA = b"%PDF-1.4 a review"
START, END = "2026-11-24T00:00:00.000000Z", "2026-11-25T00:00:00.000000Z"


def _signed() -> tuple[Signer, KeyRing, ReportSignature]:
    server = Signer.generate()
    ring = KeyRing.of([KeyEntry.of(server.public_key, SERVER)])
    return server, ring, sign_report(server, file_sha256(DATA), START, END, 42)


def test_a_signed_report_verifies_and_round_trips_through_its_json() -> None:
    _, ring, signature = _signed()
    assert report_problem(ring, signature, DATA) is None
    assert ReportSignature.from_json(signature.to_json()) == signature
    assert signature.to_json()["from"] == START


def test_another_file_another_period_or_another_key_is_refused() -> None:
    server, ring, signature = _signed()
    assert (
        report_problem(ring, signature, DATA + b" ") == "the file's SHA-256 is not the one signed"
    )
    moved = ReportSignature.from_json({**signature.to_json(), "head_seq": 41})
    assert report_problem(ring, moved, DATA) == "the signature does not verify"
    stranger = Signer.generate()
    other = sign_report(stranger, file_sha256(DATA), START, END, 42)
    assert "is not in the key ring" in str(report_problem(ring, other, DATA))
    party_ring = KeyRing.of([*ring.keys, KeyEntry.of(stranger.public_key, "alpha", "alpha-x")])
    assert "is not a server key" in str(report_problem(party_ring, other, DATA))
    assert server.key_id == signature.key_id


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"head_seq": -1}, "head_seq"),
        ({"head_seq": "1"}, "head_seq"),
        ({"sig": 1}, "sig"),
        ({"from": "2026-11-24"}, "from"),
    ],
)
def test_a_malformed_signature_document_names_its_field(
    change: dict[str, object], field: str
) -> None:
    _, _, signature = _signed()
    with pytest.raises(ReportFormatError, match=field):
        ReportSignature.from_json({**signature.to_json(), **change})
    with pytest.raises(ReportFormatError, match="exactly the fields"):
        ReportSignature.from_json({"sha256": "x"})
