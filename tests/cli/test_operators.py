"""``sharedsky operators``: offline against the database (``--db``), and online as an admin."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import httpx
from _support import Api
from sqlalchemy import select
from typer.testing import CliRunner, Result

from sharedsky.cli import app
from sharedsky.store.engine import make_engine
from sharedsky.store.tables import operators

YAML = """\
mechanism: cli-operators
host: {id: host, name: Coordination Cell, language: en}
parties:
  - id: alpha
    name: Alpha Air Command
    operators: [{id: alpha-admin, role: admin}, {id: alpha-duty, role: duty}]
  - {id: bravo, name: Bravo Air Command}
"""


def cli(*args: str, obj: object = None) -> Result:
    return CliRunner().invoke(app, list(args), obj=obj, env={"COLUMNS": "200"})


def test_offline_the_host_team_adds_lists_rotates_and_revokes(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(YAML)
    db = f"sqlite:///{tmp_path / 'x.db'}"
    tokens_file = tmp_path / "tokens.json"
    init = cli("init", str(tmp_path / "m.yaml"), "--db", db, "--tokens-out", str(tokens_file))
    assert init.exit_code == 0, init.output
    tokens = json.loads(tokens_file.read_text())
    assert tokens["alpha"] == tokens["alpha-admin"] and "alpha-duty" in tokens
    out = tmp_path / "night.token"
    added = cli("operators", "add", "alpha-night", "--party", "alpha", "--role", "duty",
                "--expires-in", "30d", "--token-out", str(out), "--db", db)  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "alpha-night (duty) of alpha" in added.stdout and str(out) in added.stdout
    assert out.stat().st_mode & 0o077 == 0 and len(out.read_text().strip()) > 30
    listed = cli("operators", "list", "--db", db, "--json")
    assert listed.exit_code == 0, listed.output
    rows = {o["id"]: o for o in json.loads(listed.stdout)["operators"]}
    assert rows["alpha-night"]["role"] == "duty" and rows["alpha-night"]["expires_at"]
    assert {rows[o]["role"] for o in ("alpha-admin", "bravo-duty", "host-duty")} == {"admin"}
    table = cli("operators", "list", "--db", db)
    assert "alpha-night" in table.stdout and "active" in table.stdout
    rotated = cli("operators", "rotate", "alpha-night", "--db", db, "--json")
    assert rotated.exit_code == 0, rotated.output
    assert json.loads(rotated.stdout)["token"] != out.read_text().strip()
    assert cli("operators", "revoke", "alpha-night", "--db", db).exit_code == 0
    again = cli("operators", "list", "--db", db, "--json")
    assert {o["id"]: o for o in json.loads(again.stdout)["operators"]}["alpha-night"]["revoked_at"]
    # bad input: a clear error, exit 1, nothing changed
    for args, said in (
        (("add", "alpha-x", "--party", "alpha", "--role", "general"), "general"),
        (("add", "alpha-duty", "--party", "alpha", "--role", "duty"), "already taken"),
        (("add", "alpha-x", "--party", "zulu", "--role", "duty"), "no party 'zulu'"),
        (("add", "alpha-x", "--party", "alpha", "--role", "duty", "--expires-in", "-3d"), "30d"),
        (("add", "alpha-x", "--role", "duty"), "--party is required"),
        (("revoke", "alpha-admin"), "last admin"),
        (("revoke", "alpha-nobody"), "no operator"),
        (("rotate", "alpha-night"), "revoked"),
    ):
        result = cli("operators", *args, "--db", db)
        assert result.exit_code in (1, 2), (args, result.output)
        assert said in result.output, (args, result.output)
        assert "Traceback" not in result.output
    final = cli("operators", "list", "--db", db, "--json")
    assert {o["id"] for o in json.loads(final.stdout)["operators"]} == {
        "alpha-admin", "alpha-duty", "alpha-night", "bravo-duty", "host-duty"
    }  # fmt: skip


def _token_hash(db: str, operator: str) -> str:
    engine = make_engine(db)
    with engine.connect() as conn:
        found = conn.execute(
            select(operators.c.token_sha256).where(operators.c.id == operator)
        ).scalar_one()
    engine.dispose()
    return str(found)


def _refused_before_any_change(result: Result, said: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"error: {said}"), result.stderr
    assert "nothing was changed" in result.stderr
    assert isinstance(result.exception, SystemExit), result.exception  # no traceback


def test_offline_a_token_file_that_cannot_be_written_changes_nothing(tmp_path: Path) -> None:
    """The token file is made before the operator is added or rotated: in a missing folder
    (or naming a folder) the command says so and the old token keeps working, where it used
    to commit, then crash, and lose the new token."""
    (tmp_path / "m.yaml").write_text(YAML)
    db = f"sqlite:///{tmp_path / 'x.db'}"
    tokens_file = tmp_path / "tokens.json"
    init = cli("init", str(tmp_path / "m.yaml"), "--db", db, "--tokens-out", str(tokens_file))
    assert init.exit_code == 0, init.output
    tokens = json.loads(tokens_file.read_text())
    missing = tmp_path / "no-such-folder" / "t.token"
    for out, said in (
        (missing, "--token-out: cannot write"),
        (tmp_path, f"--token-out: {tmp_path} is a folder"),
    ):
        added = cli("operators", "add", "alpha-night", "--party", "alpha", "--role", "duty",
                    "--token-out", str(out), "--db", db)  # fmt: skip
        _refused_before_any_change(added, said)
        rotated = cli("operators", "rotate", "alpha-duty", "--token-out", str(out), "--db", db)
        _refused_before_any_change(rotated, said)
    listed = cli("operators", "list", "--db", db, "--json")
    assert "alpha-night" not in {o["id"] for o in json.loads(listed.stdout)["operators"]}
    old = hashlib.sha256(tokens["alpha-duty"].encode()).hexdigest()
    assert _token_hash(db, "alpha-duty") == old  # the old token still works
    # a token file rotated in place is replaced whole, mode 600, and nothing is left beside it
    out = tmp_path / "duty.token"
    out.write_text("the old token\n")
    rotated = cli("operators", "rotate", "alpha-duty", "--token-out", str(out), "--db", db)
    assert rotated.exit_code == 0, rotated.output
    fresh = out.read_text().strip()
    assert hashlib.sha256(fresh.encode()).hexdigest() == _token_hash(db, "alpha-duty") != old
    assert out.stat().st_mode & 0o077 == 0
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_online_an_admin_manages_its_partys_operators(api: Api, tmp_path: Path) -> None:
    obj = {"http": api.client, "clock": api.env.clock}
    admin = ("--token", api.env.tokens["alpha"])
    added = cli("operators", "add", "alpha-watch", "--role", "viewer", "--json", *admin, obj=obj)
    assert added.exit_code == 0, added.output
    watch_token = json.loads(added.stdout)["token"]
    me = api.client.get("/v1/me", headers={"Authorization": f"Bearer {watch_token}"}).json()
    assert (me["operator"], me["role"]) == ("alpha-watch", "viewer")
    listed = cli("operators", "list", *admin, obj=obj)
    assert "alpha-watch" in listed.stdout and "bravo-duty" not in listed.stdout
    # a viewer manages nothing: 403 forbidden-role, said plainly
    refused = cli("operators", "add", "alpha-x", "--role", "duty", "--token", watch_token, obj=obj)
    assert refused.exit_code == 1 and "forbidden-role" in refused.output
    rotated = cli("operators", "rotate", "alpha-watch", *admin, obj=obj)
    assert rotated.exit_code == 0 and "token (shown once)" in rotated.stdout
    assert cli("operators", "revoke", "alpha-watch", *admin, obj=obj).exit_code == 0
    gone = api.client.get("/v1/me", headers={"Authorization": f"Bearer {watch_token}"})
    assert gone.status_code == 401
    assert isinstance(api.client, httpx.Client)


def test_online_a_token_file_that_cannot_be_written_changes_nothing(
    api: Api, tmp_path: Path
) -> None:
    """As offline: the file is made before the request is sent."""
    obj = {"http": api.client, "clock": api.env.clock}
    admin_token = api.env.tokens["alpha"]
    admin = ("--token", admin_token)
    missing = str(tmp_path / "no-such-folder" / "t.token")
    added = cli("operators", "add", "alpha-x", "--role", "duty", "--token-out", missing,
                *admin, obj=obj)  # fmt: skip
    _refused_before_any_change(added, "--token-out: cannot write")
    listed = cli("operators", "list", "--json", *admin, obj=obj)
    assert "alpha-x" not in {o["id"] for o in json.loads(listed.stdout)["operators"]}
    me = api.client.get("/v1/me", headers={"Authorization": f"Bearer {admin_token}"}).json()
    rotated = cli("operators", "rotate", me["operator"], "--token-out", missing, *admin, obj=obj)
    _refused_before_any_change(rotated, "--token-out: cannot write")
    still = api.client.get("/v1/me", headers={"Authorization": f"Bearer {admin_token}"})
    assert still.status_code == 200  # not locked out
    out = tmp_path / "x.token"
    added = cli("operators", "add", "alpha-x", "--role", "duty", "--token-out", str(out),
                *admin, obj=obj)  # fmt: skip
    assert added.exit_code == 0, added.output
    fresh = {"Authorization": f"Bearer {out.read_text().strip()}"}
    assert api.client.get("/v1/me", headers=fresh).json()["operator"] == "alpha-x"
