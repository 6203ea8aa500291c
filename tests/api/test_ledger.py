"""The ledger over HTTP: keys, the export filtered by visibility, operator keys and signed
submissions, deliveries as entries (R-LEDGER-3, R-LEDGER-4, R-LEDGER-5)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from _bodies import notice, square
from _support import Api

from sharedsky.client.sdk import AuthError, Client
from sharedsky.ledger.chain import content_hash, entry_message, from_json
from sharedsky.ledger.export import read_jsonl
from sharedsky.ledger.signing import (
    SIGNATURE_HEADER,
    KeyRing,
    Signer,
    body_message,
    body_signature,
    public_key_to_b64,
    submission,
    verify,
)
from sharedsky.ledger.verify import verify as verify_export
from sharedsky.service.stream import StreamEvent, record_deliveries


def export(api: Api, party: str, after: int = 0) -> tuple[list[dict[str, Any]], Any]:
    response = api.client.get(f"/v1/ledger?after={after}", headers=api.as_(party))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/jsonl")
    return read_jsonl(io.BytesIO(response.content))


def ring(api: Api, party: str = "alpha") -> KeyRing:
    response = api.client.get("/v1/ledger/keys", headers=api.as_(party))
    assert response.status_code == 200
    return KeyRing.from_json(response.json())


def file(api: Api, party: str, lon: float, **extra: str) -> str:
    headers = {**api.as_(party), **extra}
    response = api.client.post("/v1/notices", json=notice(square(lon, 34.5)), headers=headers)
    assert response.status_code == 201, response.text
    notice_id: str = response.json()["id"]
    return notice_id


def count(api: Api) -> int:
    return len(export(api, "host")[0])


def test_the_host_exports_everything_and_it_verifies(api: Api) -> None:
    file(api, "alpha", 36.1)
    file(api, "bravo", 36.3)
    entries, trailer = export(api, "host")
    assert trailer is not None and trailer.seq == entries[-1]["seq"]
    assert not any(e.get("redacted") for e in entries)
    assert {"notice.filed", "conflict.detected"} <= {e["type"] for e in entries}
    report = verify_export(entries, trailer, ring(api, "host"), all_signatures=True)
    assert report.ok, report.problems


def test_a_party_gets_what_it_may_not_see_redacted_and_the_chain_still_verifies(
    api: Api,
) -> None:
    hidden = file(api, "bravo", 30.0)  # far from anything of alpha's: conflicts_only hides it
    mine = file(api, "alpha", 36.1)
    entries, trailer = export(api, "alpha")
    text = json.dumps(entries)
    assert hidden not in text  # nothing of bravo's notice leaks …
    assert mine in text
    assert sum(1 for e in entries if e.get("redacted")) >= 2  # … mechanism.loaded, its filing
    report = verify_export(entries, trailer, ring(api))
    assert report.ok, report.problems
    assert report.redacted >= 2


def test_an_export_after_a_seq_starts_at_its_anchor(api: Api) -> None:
    for lon in (36.1, 36.3, 37.0):
        file(api, "alpha", lon)
    entries, trailer = export(api, "host", after=3)
    assert entries[0]["seq"] == 3 and entries[-1]["seq"] == trailer.seq
    assert verify_export(entries, trailer, ring(api), start_seq=3).ok


def test_ledger_keys_hold_the_server_key_and_a_registered_operator_key(api: Api) -> None:
    signer = Signer.generate()
    response = api.client.post(
        "/v1/ledger/operator-keys",
        json={"public_key": public_key_to_b64(signer.public_key)},
        headers=api.as_("alpha"),
    )
    assert response.status_code == 201, response.text
    assert response.json()["key_id"] == signer.key_id
    keys = ring(api, "bravo")
    assert {k.owner for k in keys.keys} == {"server", "alpha"}
    entry = keys.get(signer.key_id)
    assert entry is not None and entry.operator == "alpha-duty"
    again = api.client.post(
        "/v1/ledger/operator-keys",
        json={"public_key": public_key_to_b64(signer.public_key)},
        headers=api.as_("bravo"),
    )
    assert again.status_code == 409
    bad = api.client.post(
        "/v1/ledger/operator-keys", json={"public_key": "x" * 43}, headers=api.as_("bravo")
    )
    assert bad.status_code == 422
    unsigned = api.client.post(  # alpha has a key now: its unsigned writes are refused
        "/v1/ledger/operator-keys",
        json={"public_key": public_key_to_b64(Signer.generate().public_key)},
        headers=api.as_("alpha"),
    )
    assert unsigned.status_code == 401


def register(api: Api, party: str = "alpha") -> Signer:
    signer = Signer.generate()
    client = Client("http://testserver", api.env.tokens[party], http=api.client)
    client.register_key(public_key_to_b64(signer.public_key))
    return signer


def test_a_signed_filing_keeps_the_party_signature_in_its_entry(api: Api) -> None:
    signer = register(api)
    client = Client("http://testserver", api.env.tokens["alpha"], http=api.client, signer=signer)
    from sharedsky.wire import v1

    filing = client.file_notice(v1.NoticeIn.model_validate(notice(square(36.1, 34.5))))
    entries, _ = export(api, "alpha")
    filed = next(e for e in entries if e.get("type") == "notice.filed")
    assert filed["payload"]["notice"] == filing.id
    assert filed["party_sig"]["key_id"] == signer.key_id
    # anyone holding the body can check what alpha signed
    body = json.loads(v1.NoticeIn.model_validate(notice(square(36.1, 34.5))).model_dump_json())
    message = body_message(submission("POST", "/v1/notices", body))
    assert verify(signer.public_key, message, filed["party_sig"]["sig"])


def test_a_bad_or_missing_signature_gets_401_and_stores_nothing(api: Api) -> None:
    signer = register(api)
    before = count(api)
    body = notice(square(36.1, 34.5))
    unsigned = api.client.post("/v1/notices", json=body, headers=api.as_("alpha"))
    assert unsigned.status_code == 401
    assert unsigned.json()["code"] == "signature-required"
    assert SIGNATURE_HEADER in unsigned.json()["detail"]
    stranger = Signer.generate()
    for header in (
        body_signature(stranger, submission("POST", "/v1/notices", body)),  # unknown key
        body_signature(signer, submission("POST", "/v1/zones", body)),  # signed for elsewhere
        body_signature(signer, submission("POST", "/v1/notices", {**body, "title": "x"})),
        f"keyId={signer.key_id}",  # malformed
    ):
        response = api.client.post(
            "/v1/notices", json=body, headers={**api.as_("alpha"), SIGNATURE_HEADER: header}
        )
        assert response.status_code == 401, (header, response.text)
        assert response.json()["code"] == "bad-signature", response.text
    assert count(api) == before
    good = body_signature(signer, submission("POST", "/v1/notices", body))
    response = api.client.post(
        "/v1/notices", json=body, headers={**api.as_("alpha"), SIGNATURE_HEADER: good}
    )
    assert response.status_code == 201, response.text
    # bravo registered nothing: it still files unsigned
    file(api, "bravo", 30.0)


def test_a_revoked_key_no_longer_signs(api: Api) -> None:
    signer = register(api)
    client = Client("http://testserver", api.env.tokens["alpha"], http=api.client, signer=signer)
    client.revoke_key(signer.key_id)
    assert [k.revoked_at is not None for k in client.operator_keys()] == [True]
    body = notice(square(36.1, 34.5))
    good = body_signature(signer, submission("POST", "/v1/notices", body))
    response = api.client.post(
        "/v1/notices", json=body, headers={**api.as_("alpha"), SIGNATURE_HEADER: good}
    )
    assert response.status_code == 401
    file(api, "alpha", 36.1)  # no active key left: unsigned again
    with pytest.raises(AuthError):  # a signature by a revoked key is no signature
        client.revoke_key(signer.key_id)


def test_first_deliveries_are_ledger_entries_the_owner_and_recipient_may_read(api: Api) -> None:
    notice_id = file(api, "alpha", 36.1)
    bravo_id = file(api, "bravo", 36.3)
    env = api.env
    from sharedsky.domain.ids import PartyId
    from sharedsky.domain.visibility import Viewer

    event = StreamEvent(
        2, env.clock.now(), "notice.filed", "alpha-duty", {"notice": notice_id, "party": "alpha"}
    )
    assert record_deliveries(env.deps, Viewer(PartyId("bravo"), False), [event]) == 1
    record_deliveries(env.deps, Viewer(PartyId("bravo"), False), [event])  # a repeat: nothing
    for party in ("alpha", "bravo", "host"):
        entries, _ = export(api, party)
        delivered = [e for e in entries if e.get("type") == "delivery.recorded"]
        assert len(delivered) == 1, party
        assert delivered[0]["payload"]["id"] == notice_id
        assert delivered[0]["payload"]["party"] == "bravo"
    assert bravo_id


def test_an_export_about_one_object_holds_its_entries_as_the_party_may_read_them(
    api: Api,
) -> None:
    """``?about=ID``: the entries naming the object that the caller may read whole, each with
    its content hash and the server's signature of its hash; a party that may not see the
    object gets none of them; entries of other objects are left out."""
    mine = file(api, "alpha", 36.1)
    clash = file(api, "bravo", 36.3)
    hidden = file(api, "bravo", 30.0)  # far from alpha's: conflicts_only hides it from alpha
    far = file(api, "alpha", 40.0)  # and this one from bravo
    response = api.client.get(f"/v1/ledger?about={mine}", headers=api.as_("alpha"))
    assert response.status_code == 200, response.text
    entries, trailer = read_jsonl(io.BytesIO(response.content))
    assert trailer is not None
    types = [e["type"] for e in entries]
    assert types[0] == "notice.filed" and "conflict.detected" in types
    assert all(mine in json.dumps(e["payload"]) for e in entries)
    assert hidden not in response.text
    keys = ring(api)
    for obj in entries:
        entry = from_json(obj)
        assert entry.content is not None and entry.content_hash == content_hash(entry.content)
        assert any(
            verify(k.public_key, entry_message(entry.hash), entry.sig) for k in keys.server_keys
        )
    # bravo may see alpha's notice only through the clash: it reads the clash's entries
    as_bravo = api.client.get(f"/v1/ledger?about={clash}", headers=api.as_("bravo"))
    assert "conflict.detected" in as_bravo.text
    for party, about in (("alpha", hidden), ("bravo", far)):
        answer = api.client.get(f"/v1/ledger?about={about}", headers=api.as_(party))
        assert answer.status_code == 200
        assert read_jsonl(io.BytesIO(answer.content))[0] == []
    assert api.client.get("/v1/ledger?about=", headers=api.as_("alpha")).status_code == 422
