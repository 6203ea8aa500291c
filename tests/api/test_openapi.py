"""The OpenAPI document declares every answer an operation may give: its problem+json answers
(with the ``Problem`` schema) and, for the event stream, the schema of each event."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from sharedsky.api.auth import ActorDep, KeyDep, submission_openapi
from sharedsky.api.openapi import openapi_document
from sharedsky.wire import v1

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return openapi_document()


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def test_every_error_answer_is_a_problem(document: dict[str, Any]) -> None:
    for method, path, operation in _operations(document):
        for status, answer in operation["responses"].items():
            if status[0] in "45":
                assert answer["content"] == PROBLEM, (method, path, status)
                assert answer["description"], (method, path, status)
    assert "HTTPValidationError" not in document["components"]["schemas"]
    problem = document["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"title", "status", "detail", "code"}


def test_each_operation_declares_the_problems_it_may_answer(document: dict[str, Any]) -> None:
    declared = {(m, p): set(op["responses"]) for m, p, op in _operations(document)}
    assert declared[("GET", "/healthz")] == {"200", "429"}
    assert declared[("GET", "/readyz")] == {"200", "429", "503"}
    assert declared[("GET", "/v1/notices")] == {"200", "401", "403", "422", "429", "503"}
    assert declared[("GET", "/v1/notices/{notice_id}")] >= {"401", "403", "404", "422"}
    assert declared[("POST", "/v1/messages")] >= {"201", "408", "409", "413", "422"}
    assert declared[("PUT", "/v1/notices/{notice_id}")] >= {"200", "409", "412", "428"}
    assert declared[("DELETE", "/v1/webhooks/{webhook_id}")] >= {"204", "404"}
    assert "412" not in declared[("POST", "/v1/notices")]  # no If-Match: never stale


def test_the_event_stream_declares_each_event_and_its_data(document: dict[str, Any]) -> None:
    content = document["paths"]["/v1/events"]["get"]["responses"]["200"]["content"]
    event = content["text/event-stream"]["schema"]
    assert event["type"] == "object"
    data = [branch["properties"]["data"] for branch in event["oneOf"]]
    assert [d["contentSchema"]["$ref"] for d in data] == [
        "#/components/schemas/EventOut",
        "#/components/schemas/CheckpointOut",
    ]
    assert {"EventOut", "CheckpointOut"} <= set(document["components"]["schemas"])


def test_the_request_examples_are_valid_requests(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    with_examples = sorted(name for name, schema in schemas.items() if "examples" in schema)
    assert with_examples == ["MessageIn", "MessageReplyIn", "NoticeIn", "TracksIn", "ZoneIn"]
    for name in with_examples:
        for example in schemas[name]["examples"]:
            getattr(v1, name).model_validate(example)


def test_the_headers_a_submission_reads_are_documented_as_declared_ones(
    document: dict[str, Any],
) -> None:
    """``submission`` reads its headers itself (FastAPI does not extract them); the route that
    takes it documents them exactly as FastAPI documents the same headers declared."""
    declared = FastAPI()

    @declared.post("/declared")
    async def post(_actor: ActorDep, _key: KeyDep) -> None:
        return None

    parameters = declared.openapi()["paths"]["/declared"]["post"]["parameters"]
    assert parameters == submission_openapi()["parameters"]
    # the document states the token as the bearer scheme, not as a header parameter
    without_token = [p for p in parameters if p["name"] != "authorization"]
    assert document["paths"]["/v1/messages"]["post"]["parameters"] == without_token


def test_operations_that_take_a_token_declare_the_bearer_scheme(
    document: dict[str, Any],
) -> None:
    """OpenAPI ignores a header parameter named Authorization: a generated client sends the
    token only where an operation names a security scheme."""
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"]["type"] == "http" and schemes["bearer"]["scheme"] == "bearer"
    secured = {(m, p) for m, p, op in _operations(document) if op.get("security")}
    for method, path, operation in _operations(document):
        names = {p["name"].lower() for p in operation.get("parameters", [])}
        assert "authorization" not in names, (method, path)
        if (method, path) in secured:
            assert operation["security"] == [{"bearer": []}], (method, path)
            assert "401" in operation["responses"], (method, path)
    assert {("GET", "/v1/notices"), ("POST", "/v1/notices"), ("GET", "/v1/events")} <= secured
    assert ("GET", "/healthz") not in secured


def test_writes_declare_the_signature_header(document: dict[str, Any]) -> None:
    for method, path in (("POST", "/v1/notices"), ("POST", "/v1/messages")):
        operation = document["paths"][path][method.lower()]
        names = [p["name"].lower() for p in operation["parameters"]]
        assert "sharedsky-signature" in names, (method, path)
