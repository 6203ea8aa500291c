"""The OpenAPI document of the API: what FastAPI generates, completed with the problem+json
answers of every operation and the bearer scheme of those that need a token; ``python -m
sharedsky.api.openapi`` prints it (``make openapi`` writes it to docs/openapi.json)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

from sharedsky.api.errors import PROBLEM_JSON
from sharedsky.wire import v1

_REF = "#/components/schemas/{model}"

_ANSWERS: dict[int, str] = {
    401: "No valid bearer token (`unauthenticated`), or a write's signature is missing or bad "
    "(`signature-required`, `bad-signature`).",
    403: "The operator's role may not do this (`forbidden-role`), or its party may not "
    "(`forbidden`).",
    404: "No such object, or not one the caller may see (`not-found`).",
    408: "The request body did not arrive in time (`body-timeout`).",
    409: "The object's state does not allow it (`state-conflict`).",
    412: "If-Match names a version that is no longer the current one (`stale-version`).",
    413: "The request body is larger than the server takes (`body-too-large`).",
    422: "Invalid input: `path` names the field, `errors` lists each problem (`invalid-input`, "
    "`invalid-volume`, `idempotency-mismatch` …).",
    428: "An amendment without If-Match (`precondition-required`).",
    429: "Too many requests from this token or address (`rate-limited`; `Retry-After`).",
    503: "The store does not answer (`store-unavailable`, `unavailable`).",
}
"""The description of each problem status in the document."""

_WRITES = frozenset({"post", "put", "patch", "delete"})


def _problem_statuses(method: str, operation: dict[str, Any]) -> set[int]:
    """The problem statuses an operation may answer, from what it takes: every request passes
    the limits (429; a body also 408 and 413); parameters or a body may be invalid (422); a
    token may be refused (401), the operator's role or party too (403) and the store may not
    answer (503); a path names an object (404); a write may find its object in another state
    (404, 409); If-Match may be missing (428) or stale (412)."""
    params = {(p["in"], p["name"].lower()) for p in operation.get("parameters", [])}
    statuses = {429}
    if "requestBody" in operation:
        statuses |= {408, 413, 422}
    if params:
        statuses.add(422)
    if ("header", "authorization") in params:
        statuses |= {401, 403, 503}
        if method in _WRITES:
            statuses |= {404, 409}
    if any(where == "path" for where, _ in params):
        statuses.add(404)
    if ("header", "if-match") in params:
        statuses |= {412, 428}
    return statuses


def declare_problems(document: dict[str, Any]) -> dict[str, Any]:
    """Declare in an OpenAPI ``document`` (FastAPI's, changed in place and returned) the
    problem+json answers of every operation (``_problem_statuses``), FastAPI's 422 included,
    with the ``Problem`` schema; an error status a route declared without content gets it."""
    for path_item in document.get("paths", {}).values():
        for method, operation in path_item.items():
            responses: dict[str, Any] = operation.setdefault("responses", {})
            for code in _problem_statuses(method, operation):
                answer = responses.setdefault(str(code), {"description": _ANSWERS[code]})
                if code == 422:  # FastAPI's own, of its HTTPValidationError
                    answer["description"] = _ANSWERS[422]
                    answer.pop("content", None)
            for status, answer in responses.items():
                if status[0] in "45" and "content" not in answer:
                    answer["content"] = {
                        PROBLEM_JSON: {"schema": {"$ref": _REF.format(model="Problem")}}
                    }
            operation["responses"] = dict(sorted(responses.items()))
    schemas: dict[str, Any] = document.setdefault("components", {}).setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return add_schemas(document, v1.Problem)


BEARER_SCHEME = "bearer"
"""The name of the operators' bearer-token security scheme in the document."""

_SECURITY_SCHEMES: dict[str, Any] = {
    BEARER_SCHEME: {
        "type": "http",
        "scheme": "bearer",
        "description": "An operator's token (`sharedsky init --tokens-out`, `sharedsky operators "
        "add`), sent as `Authorization: Bearer <token>`.",
    }
}


def declare_security(document: dict[str, Any]) -> dict[str, Any]:
    """Declare in an OpenAPI ``document`` (changed in place and returned) the bearer scheme
    and, on every operation that reads the ``Authorization`` header, that it needs it: OpenAPI
    ignores a header parameter called Authorization, so a generated client (or Swagger UI)
    sends the token only where the operation names the scheme. The parameter itself leaves
    the document; the ``Sharedsky-Signature`` header stays a parameter of each write that
    takes one (a signature is made per request, not held like a key)."""
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            parameters = operation.get("parameters", [])
            kept = [
                p
                for p in parameters
                if not (p["in"] == "header" and p["name"].lower() == "authorization")
            ]
            if len(kept) == len(parameters):
                continue
            operation["security"] = [{BEARER_SCHEME: []}]
            if kept:
                operation["parameters"] = kept
            else:
                operation.pop("parameters")
    components: dict[str, Any] = document.setdefault("components", {})
    components["securitySchemes"] = dict(_SECURITY_SCHEMES)
    return document


def add_schemas(document: dict[str, Any], *models: type[BaseModel]) -> dict[str, Any]:
    """Add the schemas of ``models`` (and of the models they use) to the components of an
    OpenAPI ``document`` (changed in place and returned) unless FastAPI put them there: for
    the content that routes describe by hand (a ``$ref`` that no response model brought in)."""
    schemas: dict[str, Any] = document.setdefault("components", {}).setdefault("schemas", {})
    for model in models:
        schema = model.model_json_schema(ref_template=_REF, mode="serialization")
        for name, used in schema.pop("$defs", {}).items():
            schemas.setdefault(name, used)
        schemas.setdefault(model.__name__, schema)
    document["components"]["schemas"] = dict(sorted(schemas.items()))
    return document


def describe(app: FastAPI, *models: type[BaseModel]) -> None:
    """Make ``app.openapi()`` (and ``/openapi.json``) the completed document, built once:
    FastAPI's, with the problem answers of every operation and the schemas of ``models``."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add_schemas(
                declare_security(declare_problems(generate())), *models
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document; building it needs no database (``api.app.document_app``: the
    routes alone, never called)."""
    from sharedsky.api.app import document_app  # here: app.py uses this module

    return document_app().openapi()


def render() -> str:
    """The document as committed: indented, keys in the order FastAPI produces."""
    return json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(render(), end="")
