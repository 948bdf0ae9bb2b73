"""Assertions on problem+json refusals, shared by the API and PBX test suites."""

from __future__ import annotations

from typing import Any

PROBLEM_KEYS = {"type", "title", "status", "code", "detail"}


def assert_problem(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """A problem+json refusal with this status (and code, when given)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body.keys() >= PROBLEM_KEYS, body
    assert body["status"] == status
    assert body["type"].endswith("/" + body["code"])
    if code is not None:
        assert body["code"] == code, body
    return body


def assert_handled(response: Any) -> None:
    """Any answer but a crash; a refusal is a 4xx problem document."""
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert_problem(response, response.status_code)
