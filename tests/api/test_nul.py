"""A NUL character is bad input wherever it comes (R-INPUT-1): a 422 naming where, never a 500
from the database (PostgreSQL's text refuses NUL) and never a stored NUL."""

from __future__ import annotations

import pytest
from _bodies import notice
from _support import Api


@pytest.mark.parametrize(
    "url",
    [
        "/v1/notices?party=%00bravo",
        "/v1/notices?kind=uav%00",
        "/v1/zones?party=al%00pha",
        "/v1/notices/ntc-%00",
        "/v1/conflicts/%00",
        "/v1/messages?thread=%00",
    ],
)
def test_a_nul_in_the_path_or_the_query_is_refused(api: Api, url: str) -> None:
    response = api.client.get(url, headers=api.as_("alpha"))
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "invalid-input"
    assert "NUL" in problem["detail"]


def test_a_nul_in_a_body_is_refused_naming_the_field_and_nothing_is_filed(api: Api) -> None:
    h = api.as_("alpha")
    before = api.client.get("/v1/notices", headers=h).json()["notices"]
    body = notice()
    body["title"] = "tanker\u0000orbit"
    response = api.client.post("/v1/notices", json=body, headers=h)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "invalid-input"
    assert problem["path"] == ["title"]
    assert "NUL" in problem["detail"]
    assert api.client.get("/v1/notices", headers=h).json()["notices"] == before
    message = {"to": "bravo", "template": "standby", "text": "a\u0000b"}
    refused = api.client.post("/v1/messages", json=message, headers=h)
    assert refused.status_code == 422 and refused.json()["path"] == ["text"]
