"""Where ``sharedsky watch`` resumes: the last event it printed, kept in a file per server and
operator, so that a watch stopped and started again prints what happened meanwhile, once.

The file (JSON) holds the seq of that event, the ledger's signing key id when it was seen (from
``GET /v1/ledger/checkpoint``, as the web console keeps it), the operator and the server URL. A
kept seq is used only on the same ledger (same key id), for the same operator, and up to the
ledger's head; otherwise it is dropped with a one-line notice and the watch starts live.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from sharedsky.wire.v1.ledger import CheckpointOut

STATE_HOME_ENV = "XDG_STATE_HOME"
"""The environment variable naming the user's state directory (default ``~/.local/state``)."""


@dataclass(frozen=True, slots=True)
class Kept:
    """The last event a watch printed, as kept in its resume file."""

    seq: int
    key_id: str
    """The server's signing key id when the seq was seen: which ledger it belongs to."""
    operator: str
    url: str


def default_file(url: str, operator: str) -> Path:
    """``$XDG_STATE_HOME/sharedsky/watch/<url>_<operator>.json`` (``~/.local/state`` when the
    variable is unset), the URL's characters other than letters, digits, ``.``, ``-`` made
    ``_``."""
    home = os.environ.get(STATE_HOME_ENV) or str(Path.home() / ".local" / "state")
    name = re.sub(r"[^A-Za-z0-9.-]+", "_", f"{url.rstrip('/')}_{operator}")
    return Path(home) / "sharedsky" / "watch" / f"{name}.json"


def read_kept(path: Path) -> Kept | None:
    """What ``path`` keeps; None when it does not exist or does not hold a resume point (a
    file of another kind is left alone, and overwritten by the next event)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        kept = Kept(
            seq=int(data["seq"]),
            key_id=str(data["key_id"]),
            operator=str(data["operator"]),
            url=str(data["url"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return kept if kept.seq >= 0 else None


def write_kept(path: Path, kept: Kept) -> None:
    """Keep ``kept`` in ``path`` (its folder made if missing), replacing the file in one step
    so that a watch stopped mid-write leaves the previous point whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as sink:
            sink.write(json.dumps(asdict(kept), sort_keys=True) + "\n")
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


@dataclass(frozen=True, slots=True)
class Dropped:
    """Why a kept seq is not used: the key of its event line (``watch.*``) and the line's
    values."""

    key: str
    values: dict[str, str]


def usable(kept: Kept, operator: str, head: CheckpointOut | None, path: Path) -> Dropped | None:
    """None when the watch may resume after ``kept.seq``: the seq was kept for this operator,
    on this ledger (``head``'s signing key) and is not beyond its head; else why not."""
    common = {"seq": str(kept.seq), "file": str(path)}
    if kept.operator != operator:
        return Dropped("watch.other_operator", common | {"operator": kept.operator})
    if head is None or head.key_id != kept.key_id:
        return Dropped("watch.other_ledger", common | {"key_id": kept.key_id})
    if kept.seq > head.seq:
        return Dropped("watch.beyond_head", common | {"head": str(head.seq)})
    return None
