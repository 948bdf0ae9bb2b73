"""Helpers of the SIP API tests (no Kamailio needed)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Party

TOKEN = "unit-test-sip-token-0123456789"
SIP = {"Authorization": f"Bearer {TOKEN}"}
PASSWORD = "Kx7-tq9Lm2"


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def extension(client: TestClient, party: Party, number: str, **fields: Any) -> dict[str, Any]:
    body = {"number": number, "password": PASSWORD, **fields}
    created: dict[str, Any] = ok(
        client.post("/v1/extensions", json=body, headers=party.headers), 201
    )
    return created


def domain(client: TestClient, party: Party) -> str:
    sip_domain: str = ok(client.get("/v1/pbx", headers=party.headers))["sip_domain"]
    return sip_domain


def trunk(client: TestClient, party: Party, **fields: Any) -> dict[str, Any]:
    body = {"name": "carrier", "host": "198.51.100.7", "sources": ["198.51.100.7"], **fields}
    created: dict[str, Any] = ok(
        client.post("/v1/trunks", json=body, headers=party.partner_headers), 201
    )
    return created


def route(client: TestClient, **fields: Any) -> dict[str, Any]:
    body = {"call_id": "c-1", "direction": "from_extension", **fields}
    decided: dict[str, Any] = ok(client.post("/v1/sip/route", json=body, headers=SIP))
    return decided


def buy(client: TestClient, party: Party, number: str) -> None:
    body = {"numbers": [number], "months": 1}
    ok(client.post("/v1/orders", json=body, headers=party.headers), 201)


def forward_to_extension(client: TestClient, party: Party, number: str, ext_id: int) -> None:
    body = {"type": "sip", "extension_id": ext_id, "cli_mode": "Y"}
    ok(client.put(f"/v1/numbers/{number}/forwarding", json=body, headers=party.headers))


def blacklist(client: TestClient, party: Party, number: str, caller: str) -> None:
    """Refuse `caller` on `number` with a black list."""
    body = {"name": "spam", "type": "black"}
    listed = ok(client.post("/v1/contact-lists", json=body, headers=party.headers), 201)
    path = f"/v1/contact-lists/{listed['id']}"
    entries = {"entries": [{"value": caller}]}
    ok(client.post(f"{path}/entries", json=entries, headers=party.headers), 201)
    ok(client.post(f"{path}/numbers", json={"numbers": [number]}, headers=party.headers))
