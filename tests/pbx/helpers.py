"""Small helpers shared by the PBX API tests."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from vpbx.models import Extension

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


def error_fields(body: dict[str, Any]) -> list[str]:
    return [e["field"] for e in body.get("errors", [])]


def buy(client: TestClient, party: Party, *numbers: str) -> None:
    response = client.post(
        "/v1/orders", json={"numbers": list(numbers), "months": 1}, headers=party.headers
    )
    assert response.status_code == 201, response.text


def new_user(client: TestClient, party: Party, **fields: Any) -> dict[str, Any]:
    body = {"full_name": "Lan Nguyen", "email": "lan@acme.vn", **fields}
    response = client.post("/v1/users", json=body, headers=party.headers)
    assert response.status_code == 201, response.text
    user: dict[str, Any] = response.json()
    return user


def new_extension(client: TestClient, party: Party, **fields: Any) -> dict[str, Any]:
    response = client.post("/v1/extensions", json=fields, headers=party.headers)
    assert response.status_code == 201, response.text
    extension: dict[str, Any] = response.json()
    return extension


def stored_extension(factory: sessionmaker[Session], extension_id: int) -> Extension:
    with factory() as session:
        row = session.scalar(select(Extension).where(Extension.id == extension_id))
        assert row is not None
        return row


def ha1(number: str, domain: str, password: str) -> str:
    return hashlib.md5(f"{number}:{domain}:{password}".encode()).hexdigest()


def ha1b(number: str, domain: str, password: str) -> str:
    return hashlib.md5(f"{number}@{domain}:{domain}:{password}".encode()).hexdigest()
