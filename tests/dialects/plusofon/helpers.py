"""What the Plusofon tests share: the document's headers and envelope checks."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Party

PAGINATOR = {
    "current_page": int,
    "data": list,
    "first_page_url": str,
    "from": (int, type(None)),
    "last_page": int,
    "last_page_url": str,
    "next_page_url": (str, type(None)),
    "path": str,
    "per_page": int,
    "prev_page_url": (str, type(None)),
    "to": (int, type(None)),
    "total": int,
    "success": bool,
}


def headers(party: Party, *, partner: bool = False) -> dict[str, str]:
    """Every header the document's examples send; the key is the Bearer token."""
    key = party.partner_key if partner else party.tenant_key
    return {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "Client": "10553",
        "Authorization": f"Bearer {key}",
    }


def assert_fields(item: dict[str, Any], types: dict[str, Any]) -> None:
    assert set(types) <= set(item), sorted(set(types) - set(item))
    for name, kind in types.items():
        assert isinstance(item[name], kind), (name, item[name])


def assert_failure(response: Any, status: int) -> dict[str, Any]:
    """Plusofon's failure envelope; a 422 also carries Laravel's per-field errors."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["success"] is False
    assert isinstance(body["message"], str)
    assert body["message"]
    if status == 422:
        assert isinstance(body["errors"], dict)
        for messages in body["errors"].values():
            assert isinstance(messages, list)
            assert all(isinstance(m, str) for m in messages)
    return body


def send(
    client: TestClient, party: Party, method: str, path: str, body: Any = None, **kwargs: Any
) -> Any:
    """A request as the document's Python example sends it (`json=payload`)."""
    return client.request(method, f"/api/v1/{path}", headers=headers(party), json=body, **kwargs)


def buy(client: TestClient, party: Party, *numbers: str, owner_type: str = "business") -> None:
    response = send(
        client, party, "POST", "number/buy", {"numbers": list(numbers), "owner_type": owner_type}
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"success": True}


def number_ids(client: TestClient, party: Party) -> dict[str, int]:
    """The party's connected numbers by wire number ("79309993750" → id)."""
    response = send(client, party, "GET", "number")
    assert response.status_code == 200, response.text
    return {item["number"]: item["id"] for item in response.json()["data"]}
