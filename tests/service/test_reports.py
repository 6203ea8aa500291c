"""Publishing the review (R-REVIEW-2) over the in-memory unit of work: the host's alone, its
input checked at the field, the server's signature recorded in the ledger."""

from __future__ import annotations

from datetime import timedelta

import pytest
from _support import T0, Env, make_env

from sharedsky.domain.errors import Forbidden, ForbiddenRole, InvalidInput
from sharedsky.domain.ids import OperatorId, PartyId
from sharedsky.domain.operators import Role
from sharedsky.ledger.reports import report_problem
from sharedsky.service.context import Actor
from sharedsky.service.ledger import keyring
from sharedsky.service.reports import host_entries, publish_report
from sharedsky.testing.fakes import FakeClock
from sharedsky.testing.memory import MemoryDatabase

HOST = Actor(OperatorId("host"), PartyId("host"), True)
ALPHA = Actor(OperatorId("alpha-duty"), PartyId("alpha"), False, role=Role.DUTY)
END = T0 + timedelta(days=1)


@pytest.fixture
def env(memory: MemoryDatabase, clock: FakeClock) -> Env:
    return make_env(memory, clock)


def test_the_host_publishes_and_the_ledger_holds_the_signed_hash(env: Env) -> None:
    head = len(list(host_entries(env.deps, HOST)))
    published = publish_report(env.deps, HOST, "AB" * 32, T0, END, head, "pdf")
    [entry] = [e for e in host_entries(env.deps, HOST) if e["type"] == "report.published"]
    assert entry["seq"] == published.seq == head + 1
    payload = entry["payload"]
    assert isinstance(payload, dict)
    assert (payload["sha256"], payload["head_seq"], payload["sig"]) == (
        "ab" * 32, head, published.signature.sig
    )  # fmt: skip
    problem = report_problem(keyring(env.deps.db), published.signature, b"")
    assert problem == "the file's SHA-256 is not the one signed"  # the key and sig are good


def test_a_party_may_neither_read_the_whole_ledger_nor_publish(env: Env) -> None:
    with pytest.raises(Forbidden, match="only the host"):
        list(host_entries(env.deps, ALPHA))
    with pytest.raises(Forbidden, match="only the host"):
        publish_report(env.deps, ALPHA, "ab" * 32, T0, END, 0, "pdf")
    viewer = Actor(OperatorId("host-watch"), PartyId("host"), True, role=Role.VIEWER)
    with pytest.raises(ForbiddenRole):
        publish_report(env.deps, viewer, "ab" * 32, T0, END, 0, "pdf")


@pytest.mark.parametrize(
    ("sha256", "end", "head", "kind", "path"),
    [
        ("ab" * 31, END, 0, "pdf", ("sha256",)),
        ("xy" * 32, END, 0, "pdf", ("sha256",)),
        ("ab" * 32, T0, 0, "pdf", ("to",)),
        ("ab" * 32, END, 0, "odt", ("format",)),
        ("ab" * 32, END, 99, "html", ("head_seq",)),
        ("ab" * 32, END, -1, "html", ("head_seq",)),
    ],
)
def test_bad_input_is_refused_at_its_field_and_records_nothing(
    env: Env, sha256: str, end: object, head: int, kind: str, path: tuple[str, ...]
) -> None:
    before = len(list(host_entries(env.deps, HOST)))
    with pytest.raises(InvalidInput) as caught:
        publish_report(env.deps, HOST, sha256, T0, end, head, kind)  # type: ignore[arg-type]
    assert caught.value.path == path
    assert len(list(host_entries(env.deps, HOST))) == before
