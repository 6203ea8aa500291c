"""``sharedsky init``: database, mechanism, tokens; tokens are stored only as hashes (R-MECH-2)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from _support import LEVANT_YAML
from sqlalchemy import select
from typer.testing import CliRunner

from sharedsky.cli import app
from sharedsky.store.engine import make_engine
from sharedsky.store.tables import operators


def test_init_writes_one_token_per_party_and_stores_only_hashes(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(LEVANT_YAML)
    db = tmp_path / "x.db"
    tokens_file = tmp_path / "tokens.json"
    result = CliRunner().invoke(
        app,
        [
            "init",
            str(tmp_path / "m.yaml"),
            "--db",
            f"sqlite:///{db}",
            "--tokens-out",
            str(tokens_file),
        ],
    )
    assert result.exit_code == 0, result.output
    tokens = json.loads(tokens_file.read_text())
    engine = make_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        rows = conn.execute(
            select(operators.c.id, operators.c.party_id, operators.c.token_sha256)
        ).all()
    engine.dispose()
    # one key per operator, and per party (and host) its first operator's token
    by_operator = {op: digest for op, _, digest in rows}
    assert {"alpha", "bravo", "host"} | by_operator.keys() == tokens.keys()
    for name, token in tokens.items():
        digest = hashlib.sha256(token.encode()).hexdigest()
        if name in by_operator:
            assert by_operator[name] == digest
        else:  # a party: the token of one of its own operators
            assert (name, digest) in {(party, d) for _, party, d in rows}
    assert len(set(tokens.values())) == len(rows)
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("x.db*"))
    assert not any(token.encode() in stored for token in tokens.values())


def test_init_refuses_a_malformed_file_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(LEVANT_YAML.replace("conflicts_only", "sometimes"))
    result = CliRunner().invoke(
        app, ["init", str(tmp_path / "m.yaml"), "--db", f"sqlite:///{tmp_path / 'x.db'}"]
    )
    assert result.exit_code == 1
    assert "m.yaml:13:" in result.output
    assert "sharing" in result.output


def test_init_twice_is_refused(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(LEVANT_YAML)
    args = [
        "init",
        str(tmp_path / "m.yaml"),
        "--db",
        f"sqlite:///{tmp_path / 'x.db'}",
        "--tokens-out",
        str(tmp_path / "t.json"),
    ]
    assert CliRunner().invoke(app, args).exit_code == 0
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 1
    assert "already" in again.output


def test_init_whose_tokens_file_cannot_be_written_loads_nothing(tmp_path: Path) -> None:
    """The tokens file is made before the mechanism is loaded: in a missing folder, init says
    so and loads nothing (a second init with a good path works), where it used to load the
    mechanism, then crash, with no token written anywhere."""
    (tmp_path / "m.yaml").write_text(LEVANT_YAML)
    db = f"sqlite:///{tmp_path / 'x.db'}"
    missing = tmp_path / "no-such-folder" / "tokens.json"
    result = CliRunner().invoke(
        app, ["init", str(tmp_path / "m.yaml"), "--db", db, "--tokens-out", str(missing)]
    )
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # no traceback
    assert result.stderr.startswith(f"error: --tokens-out: cannot write {missing}")
    assert "nothing was changed" in result.stderr
    tokens_file = tmp_path / "tokens.json"
    again = CliRunner().invoke(
        app, ["init", str(tmp_path / "m.yaml"), "--db", db, "--tokens-out", str(tokens_file)]
    )
    assert again.exit_code == 0, again.output
    assert "alpha" in json.loads(tokens_file.read_text())
    assert tokens_file.stat().st_mode & 0o077 == 0
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
