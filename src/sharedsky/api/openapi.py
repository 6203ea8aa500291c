"""Print the OpenAPI document of the API (``make openapi`` writes it to docs/openapi.json)."""

from __future__ import annotations

import json
from typing import Any, cast

from sharedsky.api.app import create_app
from sharedsky.service.ports import Deps


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document; building it needs no database (routes are not called)."""
    return create_app(cast(Deps, None)).openapi()


def render() -> str:
    """The document as committed: indented, keys in the order FastAPI produces."""
    return json.dumps(openapi_document(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(render(), end="")
