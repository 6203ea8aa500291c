"""Schemathesis over the whole OpenAPI document of the app, as an operator of each role.

Every operation of ``/openapi.json`` gets generated requests (valid and invalid ones), each sent
as a viewer, a duty officer and an admin of a party, and as the host's admin; every answer must
be no 5xx, with a status code, content type and body that the document declares for it (the
request examples of the document among them: a valid notice, zone, message, track batch). Then
a state machine chains operations as the party's admin, along the links that schemathesis
infers (an id in one answer is the path parameter of another: a notice filed → shown,
amended, cancelled, acknowledged; a message sent → acknowledged; an operator added → rotated,
revoked …). Both run on SQLite and PostgreSQL, derandomized (a fixed seed), with the rate
limits lifted; ``GET /v1/events`` (a stream without end) is cut after ``STREAM_CUT_S`` and the
events it sent are checked."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from _support import T0, empty_tables, make_env
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from sharedsky.api.app import create_app, document_app
from sharedsky.api.limits import RequestLimits
from sharedsky.bootstrap import Container
from sharedsky.store.uow import Database
from sharedsky.testing.fakes import FakeClock

MECHANISM_YAML = """\
mechanism: conformance
host:
  id: host
  name: Coordination Cell
  operators: [{id: host-admin, role: admin}]
parties:
  - id: alpha
    name: Alpha Air Command
    operators:
      - {id: alpha-watch, role: viewer}
      - {id: alpha-duty, role: duty}
      - {id: alpha-admin, role: admin}
  - {id: bravo, name: Bravo Air Command, language: tr}
defaults:
  sharing: full
"""

OPERATORS = ("alpha-watch", "alpha-duty", "alpha-admin", "host-admin")
"""A viewer, a duty officer and an admin of a party, and the host's admin."""

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

GENEROUS = RequestLimits(token_per_s=1e9, token_burst=10**9, address_per_s=1e9, address_burst=10**9)
"""No request of the run is refused for its rate (the limits have tests of their own)."""

STREAM_CUT_S = 0.1
"""Seconds after which a ``GET /v1/events`` is cut (its keep-alives come every 0.05 s)."""
STATEFUL_EXAMPLES = 20
"""Sequences the state machine runs."""
STATEFUL_STEPS = 10
"""Longest sequence, in calls."""

CONFIG = """\
seed = 20261124
[generation]
max-examples = 6
deterministic = true
database = "none"
[phases.coverage]
enabled = false
"""
"""Schemathesis's settings: a fixed seed, derandomized, ``max-examples`` generated requests per
operation (besides the document's examples), no example database; its coverage phase (every
boundary of every parameter) is off, to keep the run short."""


@dataclass
class Sky:
    """The app under test and its operators' tokens."""

    app: FastAPI
    tokens: dict[str, str]


def _wipe(database: Database) -> None:
    """Empty every table and restart its numbering, as in a new database."""
    with database.engine.begin() as conn:
        empty_tables(conn)


@contextmanager
def _opened(database: Database) -> Iterator[Sky]:
    """The app over the mechanism loaded into an emptied ``database``, its clock at T0; its
    background duties end before the database may close."""
    _wipe(database)
    env = make_env(database, FakeClock(T0), MECHANISM_YAML)
    try:
        container = Container.for_deps(env.deps, limits=GENEROUS, keepalive_s=0.05)
        yield Sky(create_app(container), env.tokens)
    finally:
        # schemathesis runs each app's lifespan, and every call, in a thread of its own that
        # would live until the interpreter exits: end both (the app's background duties stop
        # before its database closes; a later test forks only where no other thread runs)
        asgi.shutdown_lifespans()
        asgi._shutdown()  # the thread (private, but the version is pinned)


@pytest.fixture
def sky(database: Database) -> Iterator[Sky]:
    with _opened(database) as opened:
        yield opened


_DOCUMENT_APP = document_app()
schema = schemathesis.openapi.from_dict(
    _DOCUMENT_APP.openapi(), config=schemathesis.Config.from_str(CONFIG)
)
schema.app = _DOCUMENT_APP  # selects the in-process transport; each call names its test's app


def _timeout_s(case: schemathesis.Case) -> float:
    """Seconds to wait for an answer: the event stream never ends by itself (unless ``limit``
    events came), so it is cut after a moment and what it sent is checked."""
    return STREAM_CUT_S if case.operation.path == "/v1/events" else 10.0


def _prepared(case: schemathesis.Case) -> schemathesis.Case:
    """``case`` without the party's signature that schemathesis made up for a valid request: a
    random one gets 401 and hides the rest of the route (invalid requests keep theirs)."""
    if case.meta is None or case.meta.generation.mode is not GenerationMode.NEGATIVE:
        case.headers.pop("sharedsky-signature", None)
    return case


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_operation_answers_as_documented(case: schemathesis.Case, sky: Sky) -> None:
    _prepared(case)
    for operator in OPERATORS:
        headers: dict[str, Any] = {"Authorization": f"Bearer {sky.tokens[operator]}"}
        case.call_and_validate(
            headers=headers, checks=CHECKS, timeout=_timeout_s(case), app=sky.app
        )


def test_linked_operations_answer_as_documented(database: Database) -> None:
    """Sequences of up to ``STATEFUL_STEPS`` calls along the inferred links, as alpha's admin,
    each from an empty mechanism (so that a failing sequence replays the same)."""

    class Links(schema.as_state_machine()):
        def setup(self) -> None:
            self.opened = _opened(database)
            self.sky = self.opened.__enter__()
            self.headers = {"Authorization": f"Bearer {self.sky.tokens['alpha-admin']}"}

        def teardown(self) -> None:
            self.opened.__exit__(None, None, None)

        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            _prepared(case)
            return {"headers": self.headers, "app": self.sky.app, "timeout": _timeout_s(case)}

        def validate_response(
            self,
            response: Any,
            case: schemathesis.Case,
            additional_checks: Any = None,
            **kwargs: Any,
        ) -> None:
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)

    Links.run(
        settings=settings(
            max_examples=STATEFUL_EXAMPLES,
            stateful_step_count=STATEFUL_STEPS,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )
