"""Route decisions over HTTP, from what the tenant has provisioned."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Party


def make(client: TestClient, party: Party, path: str, **body: Any) -> dict[str, Any]:
    response = client.post(path, json=body, headers=party.headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def resolve(client: TestClient, party: Party, **params: str) -> dict[str, Any]:
    response = client.get("/v1/routes/resolve", params=params, headers=party.headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_an_internal_call_rings_the_extension(client: TestClient, alice: Party) -> None:
    make(client, alice, "/v1/extensions", display_name="Lan")
    make(client, alice, "/v1/extensions", display_name="Minh")
    decision = resolve(client, alice, dialled="102", caller="101")
    assert decision["action"] == "route"
    [step] = decision["steps"]
    [leg] = step["legs"]
    assert leg["target"] == "102"
    assert leg["address"].startswith("sip:102@")
    assert decision["caller_id"]["number"] == "101"
    assert decision["caller_id"]["name"] == "Lan"


def test_a_sequential_group_rings_members_in_order(client: TestClient, alice: Party) -> None:
    first = make(client, alice, "/v1/extensions")
    second = make(client, alice, "/v1/extensions")
    caller = make(client, alice, "/v1/extensions")
    make(
        client,
        alice,
        "/v1/groups",
        name="Sales",
        strategy="sequential",
        members=[
            {"extension_id": second["id"], "timeout_s": 10},
            {"extension_id": first["id"], "timeout_s": 20},
        ],
    )
    decision = resolve(client, alice, dialled="699", caller=caller["number"])
    assert [(s["legs"][0]["target"], s["timeout_s"]) for s in decision["steps"]] == [
        ("102", 10),
        ("101", 20),
    ]


def test_disabled_callers_and_unknown_numbers_are_rejected(
    client: TestClient, alice: Party, bob: Party
) -> None:
    ext = make(client, alice, "/v1/extensions")
    make(client, alice, "/v1/extensions")
    client.patch(f"/v1/extensions/{ext['id']}", json={"enabled": False}, headers=alice.headers)
    assert resolve(client, alice, dialled="102", caller="101")["status"] == 403
    assert resolve(client, alice, dialled="555", caller="102")["status"] == 404
    # Bob's plan holds none of Alice's extensions.
    assert resolve(client, bob, dialled="102", caller="101")["status"] == 403


def test_a_hotline_without_forwarding_is_not_in_service(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    client.post(
        "/v1/orders", json={"numbers": ["+842438256868"], "months": 1}, headers=alice.headers
    )
    decision = resolve(
        client, alice, dialled="+842438256868", caller="+84912345678", direction="from_trunk"
    )
    assert (decision["action"], decision["status"]) == ("reject", 480)


def test_bad_queries_are_validation_errors(client: TestClient, alice: Party) -> None:
    for params in (
        {"dialled": "101"},
        {"dialled": "101", "caller": "1", "direction": "x"},
        {"dialled": "", "caller": "101"},
        {"dialled": "1\x00", "caller": "101"},
    ):
        response = client.get("/v1/routes/resolve", params=params, headers=alice.headers)
        assert response.status_code == 422, params
