"""Small helpers shared by the PBX API tests."""

from __future__ import annotations

import hashlib
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from tests.problems import PROBLEM_KEYS, assert_handled, assert_problem
from vpbx.models import Extension

# The problem+json assertions live in tests/problems.py; the PBX tests import them here.
__all__ = [
    "PROBLEM_KEYS",
    "assert_handled",
    "assert_problem",
    "buy",
    "error_fields",
    "ha1",
    "ha1b",
    "new_extension",
    "new_user",
    "stored_extension",
]


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
