"""``sharedsky ledger keys|export|verify|audit|timeline`` via CliRunner (R-LEDGER-4, R-LEDGER-7)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from typer.testing import CliRunner, Result

from sharedsky.cli import app
from sharedsky.ledger.chain import Link, append, format_time
from sharedsky.service.stream import StreamEvent, record_deliveries

if TYPE_CHECKING:
    from _support import Api


def run(api: Api, *args: str, party: str | None = "alpha") -> Result:
    extra = ["--token", api.env.tokens[party]] if party is not None else []
    return CliRunner().invoke(
        app,
        [*args, *extra],
        obj={"http": api.client, "clock": api.env.clock},
        env={"COLUMNS": "200"},
    )


def file(api: Api, party: str, lon: float) -> str:
    ring = [[lon, 34.5], [lon + 0.4, 34.5], [lon + 0.4, 34.9], [lon, 34.9], [lon, 34.5]]
    body = {
        "kind": "air_sortie",
        "title": "CAP",
        "volumes": [
            {
                "outline": {"type": "Polygon", "coordinates": [ring]},
                "altitude": {"lower_m": 3000, "upper_m": 9000},
                "time": {"start": "2026-11-24T15:00:00Z", "end": "2026-11-24T17:00:00Z"},
            }
        ],
    }
    response = api.client.post(
        "/v1/notices", json=body, headers={"Authorization": f"Bearer {api.env.tokens[party]}"}
    )
    assert response.status_code == 201, response.text
    notice_id: str = response.json()["id"]
    return notice_id


def setup_ledger(api: Api, tmp_path: Path, party: str = "alpha") -> tuple[Path, Path]:
    keys, export = tmp_path / "keys.json", tmp_path / "ledger.jsonl"
    assert run(api, "ledger", "keys", "--out", str(keys), party=party).exit_code == 0
    result = run(api, "ledger", "export", "--out", str(export), party=party)
    assert result.exit_code == 0, result.output
    return keys, export


def verify(keys: Path, export: Path, *extra: str) -> Result:
    return CliRunner().invoke(
        app, ["ledger", "verify", str(export), "--keys", str(keys), *extra], env={"COLUMNS": "200"}
    )


def test_export_then_verify_offline_and_a_flipped_byte_is_named(api: Api, tmp_path: Path) -> None:
    file(api, "alpha", 36.1)
    file(api, "bravo", 36.3)
    keys, export = setup_ledger(api, tmp_path)
    result = verify(keys, export)
    assert result.exit_code == 0, result.output
    assert "verified" in result.stdout
    lines = export.read_bytes().split(b"\n")
    lines[1] = lines[1].replace(b'"alpha-duty"', b'"bravo-duty"', 1)
    export.write_bytes(b"\n".join(lines))
    tampered = verify(keys, export, "--json")
    assert tampered.exit_code == 1
    report = json.loads(tampered.stdout)
    assert report["ok"] is False and report["first_bad_seq"] == 2


def test_verify_needs_its_inputs(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["ledger", "verify", str(tmp_path / "none.jsonl")])
    assert result.exit_code == 2


def test_verify_db_checks_the_live_rows(api: Api, tmp_path: Path) -> None:
    file(api, "alpha", 36.1)
    url = api.env.deps.db.engine.url.render_as_string(hide_password=False)
    ok = CliRunner().invoke(app, ["ledger", "verify", "--db", url, "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["ok"] is True
    with api.env.deps.db.engine.begin() as connection:
        connection.execute(text("UPDATE events SET actor = 'nobody' WHERE seq = 2"))
    bad = CliRunner().invoke(app, ["ledger", "verify", "--db", url, "--json"])
    assert bad.exit_code == 1
    assert json.loads(bad.stdout)["first_bad_seq"] == 2


def rewrite_history(api: Api, from_seq: int) -> None:
    """What a dishonest host could do with the server key: change entry ``from_seq`` and
    re-sign every entry after it, leaving a chain that verifies on its own."""
    db = api.env.deps.db
    signer = db.run(lambda uow: uow.server_keys.signer(uow.ledger_keys, api.env.clock.now()))
    entries = db.run(lambda uow: uow.events.entries(0), readonly=True)
    prev: Link | None = entries[from_seq - 2].link
    with db.engine.begin() as connection:
        for entry in entries[from_seq - 1 :]:
            content = entry.content
            assert content is not None
            payload: dict[str, Any] = dict(content.payload)
            if entry.seq == from_seq:
                payload["rewritten"] = True
            new = append(
                prev, entry.seq, content.time, content.actor, content.type, payload, None, signer
            )
            connection.execute(
                text(
                    "UPDATE events SET payload = :payload, prev_hash = :prev, "
                    "content_hash = :content, hash = :hash, sig = :sig WHERE seq = :seq"
                ),
                {
                    "payload": json.dumps(payload),
                    "prev": new.prev_hash,
                    "content": new.content_hash,
                    "hash": new.hash,
                    "sig": new.sig,
                    "seq": entry.seq,
                },
            )
            prev = new.link


def test_audit_proves_the_log_extends_the_checkpoints_and_names_a_fork(
    api: Api, tmp_path: Path
) -> None:
    receipts = tmp_path / "receipts.jsonl"
    file(api, "alpha", 36.1)
    run(api, "ledger", "export", "--out", str(tmp_path / "a.jsonl"), "--checkpoints", str(receipts))
    file(api, "bravo", 36.3)
    run(api, "ledger", "export", "--out", str(tmp_path / "b.jsonl"), "--checkpoints", str(receipts))
    kept = [json.loads(line) for line in receipts.read_text().splitlines()]
    assert len(kept) == 2 and kept[0]["seq"] < kept[1]["seq"]
    audit = run(api, "ledger", "audit", "--checkpoints", str(receipts), "--json")
    assert audit.exit_code == 0, audit.output
    fork_at = kept[0]["seq"] + 1  # after the first receipt, at or before the second
    rewrite_history(api, fork_at)
    url = api.env.deps.db.engine.url.render_as_string(hide_password=False)
    alone = CliRunner().invoke(app, ["ledger", "verify", "--db", url])
    assert alone.exit_code == 0  # the rewritten chain verifies on its own …
    forked = run(api, "ledger", "audit", "--checkpoints", str(receipts), "--json")
    assert forked.exit_code == 1  # … but not against what alpha kept
    report = json.loads(forked.stdout)
    assert report["first_bad_seq"] == kept[1]["seq"]
    assert any("checkpoint" in p["reason"] for p in report["problems"])


def test_timeline_proves_filing_delivery_acknowledgement_and_lead_time(
    api: Api, tmp_path: Path
) -> None:
    notice_id = file(api, "alpha", 36.1)
    api.env.clock.advance(600)  # bravo's stream receives it ten minutes later
    from sharedsky.domain.ids import PartyId
    from sharedsky.domain.visibility import Viewer

    event = StreamEvent(
        2,
        api.env.clock.now(),
        "notice.filed",
        "alpha-duty",
        {"notice": notice_id, "party": "alpha"},
    )
    record_deliveries(api.env.deps, Viewer(PartyId("bravo"), False), [event])
    file(api, "bravo", 36.3)  # a clash: bravo may now see alpha's notice, and must answer
    ack = api.client.post(
        f"/v1/notices/{notice_id}/ack",
        headers={"Authorization": f"Bearer {api.env.tokens['bravo']}"},
    )
    assert ack.status_code in (200, 201), ack.text
    result = run(api, "ledger", "timeline", notice_id, "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    types = [line["type"] for line in document["lines"]]
    assert types[0] == "notice.filed"
    assert "delivery.recorded" in types and "notice.acknowledged" in types
    assert "conflict.detected" in types and len(document["conflicts"]) == 1
    [lead] = document["lead_times"]
    filed = next(line for line in document["lines"] if line["type"] == "notice.filed")
    assert lead["party"] == "bravo"
    assert abs(lead["lead_time_s"] - (filed["lead_time_s"] - 600)) < 1e-3
    [delivered] = [line for line in document["lines"] if line["type"] == "delivery.recorded"]
    assert delivered["delivery"] == {
        "party": "bravo",
        "via": "stream",
        "delivered_at": format_time(api.env.clock.now()),
    }
    assert all(len(line["hash"]) == 64 and line["sig"] for line in document["lines"])
    assert document["verified"]["head_seq"] >= filed["seq"]
    table = run(api, "ledger", "timeline", notice_id)
    assert table.exit_code == 0, table.output
    text = " ".join(table.stdout.split())
    assert text.startswith(f"Proven timeline of alpha notice “CAP” ({notice_id})")
    when = api.env.clock.now().strftime("%Y-%m-%d %H:%M:%SZ")
    assert f"delivered to bravo by stream, at {when}" in text  # to whom, how, when
    assert "filed by alpha (version 1), lead time 3 h 00 min" in text  # not 10800.0 s
    assert f"bravo {when} stream 2 h 50 min" in text  # lead time each party got
    missing = run(api, "ledger", "timeline", "ntc-nothing")
    assert missing.exit_code == 1


def test_the_cli_signs_every_write_with_the_operators_key(api: Api, tmp_path: Path) -> None:
    """R-LEDGER-5: keygen, register-key, then SHAREDSKY_SIGNING_KEY signs each submission."""
    key = tmp_path / "alpha.pem"
    assert CliRunner().invoke(app, ["ledger", "keygen", str(key)]).exit_code == 0
    assert key.stat().st_mode & 0o077 == 0
    assert CliRunner().invoke(app, ["ledger", "keygen", str(key)]).exit_code == 2  # kept
    registered = run(api, "ledger", "register-key", str(key))
    assert registered.exit_code == 0, registered.output
    ring = [[36.1, 34.5], [36.5, 34.5], [36.5, 34.9], [36.1, 34.9], [36.1, 34.5]]
    outline = tmp_path / "a.geojson"
    outline.write_text(json.dumps({"type": "Polygon", "coordinates": [ring]}), encoding="utf-8")
    args = ["notice", "file", "--kind", "air_sortie", "--title", "CAP", "--outline", str(outline),
            "--lower", "FL120", "--upper", "FL300", "--start", "+3h", "--end", "+5h",
            "--token", api.env.tokens["alpha"]]  # fmt: skip
    obj = {"http": api.client, "clock": api.env.clock}
    unsigned = CliRunner().invoke(app, args, obj=obj, env={"SHAREDSKY_SIGNING_KEY": ""})
    assert unsigned.exit_code == 1 and "401" in unsigned.output
    assert "signature-required" in unsigned.output
    assert "SHAREDSKY_SIGNING_KEY" in unsigned.output  # the hint says how to sign
    signed = CliRunner().invoke(app, args, obj=obj, env={"SHAREDSKY_SIGNING_KEY": str(key)})
    assert signed.exit_code == 0, signed.output
    entries = api.env.deps.db.run(lambda uow: uow.events.entries(0), readonly=True)
    filed = [e for e in entries if e.content and e.content.type == "notice.filed"]
    assert len(filed) == 1 and filed[0].content is not None
    assert filed[0].content.party_sig is not None


def test_unregister_key_revokes_it_and_writes_go_unsigned_again(api: Api, tmp_path: Path) -> None:
    key = tmp_path / "alpha.pem"
    assert CliRunner().invoke(app, ["ledger", "keygen", str(key)]).exit_code == 0
    registered = run(api, "ledger", "register-key", str(key))
    assert registered.exit_code == 0, registered.output
    key_id = registered.stdout.split()[1]
    assert api.client.get("/v1/me", headers=api.as_("alpha")).json()["signing_key_ids"] == [key_id]
    obj = {"http": api.client, "clock": api.env.clock}
    token = ["--token", api.env.tokens["alpha"]]
    unsigned = CliRunner().invoke(
        app,
        ["ledger", "unregister-key", key_id, *token],
        obj=obj,
        env={"SHAREDSKY_SIGNING_KEY": ""},
    )
    assert unsigned.exit_code == 1 and "signature-required" in unsigned.output  # must be signed
    gone = CliRunner().invoke(
        app,
        ["ledger", "unregister-key", key_id, *token],
        obj=obj,
        env={"SHAREDSKY_SIGNING_KEY": str(key)},
    )
    assert gone.exit_code == 0, gone.output
    assert f"key {key_id} revoked" in gone.stdout
    me = api.client.get("/v1/me", headers=api.as_("alpha")).json()
    assert me["signing_key_ids"] == []
    again = CliRunner().invoke(
        app,
        ["ledger", "unregister-key", key_id, *token],
        obj=obj,
        env={"SHAREDSKY_SIGNING_KEY": ""},
    )
    assert again.exit_code == 1  # already revoked: a clear error, not a crash
