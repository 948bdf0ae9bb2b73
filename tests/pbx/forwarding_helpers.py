"""Helpers of the forwarding, scenario and call-queue tests."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from vpbx.models import AuditEvent, NumberForwarding


def buy_as(client: TestClient, party: Party, owner_type: str, *numbers: str) -> None:
    response = client.post(
        "/v1/orders",
        json={"numbers": list(numbers), "months": 1, "owner_type": owner_type},
        headers=party.headers,
    )
    assert response.status_code == 201, response.text


def created(client: TestClient, party: Party, path: str, **body: Any) -> dict[str, Any]:
    response = client.post(path, json=body, headers=party.headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def extension(client: TestClient, party: Party, **body: Any) -> dict[str, Any]:
    return created(client, party, "/v1/extensions", **body)


def group(client: TestClient, party: Party, name: str = "Sales", **body: Any) -> dict[str, Any]:
    return created(client, party, "/v1/groups", name=name, **body)


def scenario(
    client: TestClient, party: Party, name: str = "Main menu", **body: Any
) -> dict[str, Any]:
    return created(client, party, "/v1/scenarios", name=name, **body)


def queue(client: TestClient, party: Party, name: str = "Support", **body: Any) -> dict[str, Any]:
    return created(client, party, "/v1/call-queues", name=name, **body)


def forwarding_path(number: str) -> str:
    return f"/v1/numbers/{number}/forwarding"


def put_forwarding(client: TestClient, party: Party, number: str, **body: Any) -> Any:
    return client.put(forwarding_path(number), json=body, headers=party.headers)


def get_forwarding(client: TestClient, party: Party, number: str) -> dict[str, Any]:
    response = client.get(forwarding_path(number), headers=party.headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def stored_forwardings(factory: sessionmaker[Session]) -> list[tuple[Any, ...]]:
    """Every forwarding row, as plain tuples (to compare before and after)."""
    with factory() as session:
        rows = session.scalars(select(NumberForwarding).order_by(NumberForwarding.number_id))
        return [
            (
                r.number_id,
                r.tenant_id,
                r.type,
                r.type_default,
                r.extension_id,
                r.group_id,
                r.scenario_id,
                r.call_queue_id,
                r.destination,
                r.host,
                r.cli_mode,
                r.cli_mode_default,
                r.updated_at,
            )
            for r in rows
        ]


def audit_actions(factory: sessionmaker[Session], object_type: str) -> list[tuple[str, str]]:
    with factory() as session:
        rows = session.execute(
            select(AuditEvent.action, AuditEvent.object_id)
            .where(AuditEvent.object_type == object_type)
            .order_by(AuditEvent.id)
        ).all()
        return [(row.action, row.object_id) for row in rows]


def forwarding_events(factory: sessionmaker[Session]) -> list[tuple[str, str]]:
    """(action, number) of every forwarding change (numbers log their sales too)."""
    return [e for e in audit_actions(factory, "number") if e[0].startswith("forwarding.")]
