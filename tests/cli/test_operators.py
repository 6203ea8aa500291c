"""``sharedsky operators``: offline against the database (``--db``), and online as an admin."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from _support import Api
from typer.testing import CliRunner, Result

from sharedsky.cli import app

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
