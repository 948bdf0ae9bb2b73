"""Tenants never see or touch each other's contact lists, entries or screened numbers."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Party
from tests.pbx.helpers import assert_problem, buy

HOTLINE, BOBS = "+842438256868", "+842477778823"

ENDPOINTS = [
    ("GET", "/v1/contact-lists/{list}", None, "contact_list_not_found"),
    ("PATCH", "/v1/contact-lists/{list}", {"name": "Taken over"}, "contact_list_not_found"),
    ("DELETE", "/v1/contact-lists/{list}", None, "contact_list_not_found"),
    ("GET", "/v1/contact-lists/{list}/entries", None, "contact_list_not_found"),
    (
        "POST",
        "/v1/contact-lists/{list}/entries",
        {"entries": [{"value": "+84987776868"}]},
        "contact_list_not_found",
    ),
    ("DELETE", "/v1/contact-lists/{list}/entries/{entry}", None, "contact_list_not_found"),
    (
        "DELETE",
        "/v1/contact-lists/{list}/entries?value=%2B84912345678",
        None,
        "contact_list_not_found",
    ),
    ("POST", "/v1/contact-lists/{list}/numbers", {"numbers": [BOBS]}, "contact_list_not_found"),
    ("GET", "/v1/numbers/{number}/contact-lists", None, "number_not_found"),
    (
        "PUT",
        "/v1/numbers/{number}/contact-lists",
        {"black_list_id": None, "white_list_id": None},
        "number_not_found",
    ),
]


@pytest.fixture
def alices(client: TestClient, alice: Party, bob: Party, stock: list[str]) -> dict[str, Any]:
    buy(client, alice, HOTLINE)
    buy(client, bob, BOBS)
    h = alice.headers
    made = client.post("/v1/contact-lists", json={"name": "Spam", "type": "black"}, headers=h)
    list_id = made.json()["id"]
    entries = client.post(
        f"/v1/contact-lists/{list_id}/entries",
        json={"entries": [{"value": "+84912345678"}]},
        headers=h,
    )
    client.put(
        f"/v1/numbers/{HOTLINE}/contact-lists",
        json={"black_list_id": list_id, "white_list_id": None},
        headers=h,
    )
    # Bob has a list of his own, so ids of both tenants exist.
    client.post("/v1/contact-lists", json={"name": "Spam", "type": "black"}, headers=bob.headers)
    return {"list": list_id, "entry": entries.json()["items"][0]["id"]}


def snapshot(client: TestClient, party: Party, objects: dict[str, Any]) -> dict[str, Any]:
    h = party.headers
    list_id = objects["list"]
    return {
        "list": client.get(f"/v1/contact-lists/{list_id}", headers=h).json(),
        "lists": client.get("/v1/contact-lists", headers=h).json(),
        "entries": client.get(f"/v1/contact-lists/{list_id}/entries", headers=h).json(),
        "number": client.get(f"/v1/numbers/{HOTLINE}/contact-lists", headers=h).json(),
    }


@pytest.mark.parametrize(("method", "path", "body", "code"), ENDPOINTS, ids=lambda v: str(v))
def test_another_tenant_gets_404_and_changes_nothing(
    client: TestClient,
    alice: Party,
    bob: Party,
    alices: dict[str, Any],
    method: str,
    path: str,
    body: Any,
    code: str,
) -> None:
    before = snapshot(client, alice, alices)
    url = path.format(list=alices["list"], entry=alices["entry"], number=HOTLINE)
    response = client.request(method, url, json=body, headers=bob.headers)
    assert_problem(response, 404, code)
    assert "+84912345678" not in response.text
    assert "Spam" not in response.text
    assert snapshot(client, alice, alices) == before


def test_lists_are_per_tenant(
    client: TestClient, alice: Party, bob: Party, alices: dict[str, Any]
) -> None:
    bobs = client.get("/v1/contact-lists", headers=bob.headers).json()["items"]
    assert [x["name"] for x in bobs] == ["Spam"]  # the same name, a list of his own
    assert bobs[0]["id"] != alices["list"]
    assert bobs[0]["numbers"] == []
    mine = client.get("/v1/contact-lists", headers=alice.headers).json()["items"]
    assert [(x["id"], x["entry_count"], x["numbers"]) for x in mine] == [
        (alices["list"], 1, [HOTLINE])
    ]


def test_references_to_another_tenant_are_refused(
    client: TestClient, alice: Party, bob: Party, alices: dict[str, Any]
) -> None:
    before = snapshot(client, alice, alices)
    h = bob.headers
    stolen = client.put(
        f"/v1/numbers/{BOBS}/contact-lists",
        json={"black_list_id": alices["list"], "white_list_id": None},
        headers=h,
    )
    assert_problem(stolen, 422, "contact_list_not_found")
    bobs_list = client.get("/v1/contact-lists", headers=h).json()["items"][0]["id"]
    # Bob's list on Alice's number, through the bulk endpoint: her number is not his.
    refused = client.post(
        f"/v1/contact-lists/{bobs_list}/numbers", json={"numbers": [HOTLINE]}, headers=h
    )
    assert_problem(refused, 422, "number_not_found")
    # Deleting Alice's entry through Bob's list finds nothing.
    via_own = client.delete(f"/v1/contact-lists/{bobs_list}/entries/{alices['entry']}", headers=h)
    assert_problem(via_own, 404, "entry_not_found")
    assert client.get(f"/v1/numbers/{BOBS}/contact-lists", headers=h).json()["black"] is None
    assert snapshot(client, alice, alices) == before
