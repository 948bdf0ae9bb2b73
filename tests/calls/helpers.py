"""Building call records for the tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from vpbx.models import CallRecord

# Two days ago, on a whole second: far enough back for every offset the tests use.
BASE = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)


def at(seconds: float, base: datetime = BASE) -> str:
    return (base + timedelta(seconds=seconds)).isoformat()


def call(call_id: str = "call-1", **fields: Any) -> dict[str, Any]:
    """An answered inbound call: rang 5 s, talked 60 s."""
    body: dict[str, Any] = {
        "call_id": call_id,
        "direction": "in",
        "caller": "0912345678",
        "callee": "101",
        "started_at": at(0),
        "answered_at": at(5),
        "ended_at": at(65),
        "disposition": "answered",
    }
    body.update(fields)
    return {k: v for k, v in body.items() if v is not ...}


def post(client: TestClient, party: Party, body: Any) -> Any:
    return client.post("/v1/calls", json=body, headers=party.headers)


def posted(client: TestClient, party: Party, **fields: Any) -> dict[str, Any]:
    response = post(client, party, call(**fields))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def stored_count(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(CallRecord)) or 0


def listing(client: TestClient, party: Party, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/v1/calls", params=params, headers=party.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["call_id"] for item in items]
