"""Tenants are apart: another tenant's number, hold or list is not found through
Plusofon either, and stays as it was."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Party
from tests.dialects.plusofon.helpers import assert_failure, buy, number_ids, send


def test_another_tenants_number_is_not_found_and_unchanged(
    client: TestClient, alice: Party, bob: Party, stock: list[str]
) -> None:
    buy(client, bob, "79309993750")
    (bobs,) = number_ids(client, bob).values()
    assert number_ids(client, alice) == {}

    failure = assert_failure(send(client, alice, "DELETE", f"number/{bobs}"), 404)
    assert "not found" in failure["message"]
    assert number_ids(client, bob) == {"79309993750": bobs}


def test_another_tenants_number_in_a_body_is_refused(
    client: TestClient, alice: Party, bob: Party, stock: list[str]
) -> None:
    buy(client, bob, "79309993750")
    buy(client, alice, "74951334527")
    (bobs,) = number_ids(client, bob).values()
    (alices,) = number_ids(client, alice).values()
    extension = client.post("/v1/extensions", json={}, headers=alice.headers).json()
    follow = {"type": "sip", "numbers": [alices, bobs], "sip_id": extension["id"], "cli_type": "Y"}
    failure = assert_failure(send(client, alice, "POST", "number/follow", follow), 422)
    assert "numbers" in failure["errors"]
    # All or nothing: alice's own number was not changed either.
    assert send(client, alice, "GET", "number").json()["data"][0]["following"] is None
    assert send(client, bob, "GET", "number").json()["data"][0]["following"] is None

    patch = {"numbers": [bobs]}
    assert (
        "numbers"
        in assert_failure(send(client, alice, "PATCH", "number/contact-list", patch), 422)["errors"]
    )


def test_another_tenants_references_are_refused(
    client: TestClient, alice: Party, bob: Party, stock: list[str]
) -> None:
    buy(client, alice, "74951334527")
    (alices,) = number_ids(client, alice).values()
    bobs_list = client.post(
        "/v1/contact-lists", json={"name": "bob", "type": "black"}, headers=bob.headers
    ).json()
    bobs_extension = client.post("/v1/extensions", json={}, headers=bob.headers).json()
    patch = {"contact_list_id": bobs_list["id"], "numbers": [alices]}
    failure = assert_failure(send(client, alice, "PATCH", "number/contact-list", patch), 422)
    assert "contact_list_id" in failure["errors"]
    follow = {"type": "sip", "numbers": [alices], "sip_id": bobs_extension["id"], "cli_type": "Y"}
    failure = assert_failure(send(client, alice, "POST", "number/follow", follow), 422)
    assert "sip_id" in failure["errors"]
    assert send(client, alice, "GET", "contact-lists").json()["total"] == 0
    assert send(client, alice, "GET", "sip").json()["total"] == 0


def test_another_tenants_hold_is_not_found(
    client: TestClient, alice: Party, bob: Party, stock: list[str]
) -> None:
    send(client, bob, "POST", "number/reserve", {"number": 4951919036, "owner_type": "business"})
    (held,) = send(client, bob, "GET", "number/reserve").json()["data"]
    assert_failure(send(client, alice, "DELETE", f"number/reserve/{held['id']}"), 404)
    assert send(client, alice, "GET", "number/reserve").json()["total"] == 0
    assert send(client, bob, "GET", "number/reserve").json()["total"] == 1
    # Held by bob, it is not for sale to alice.
    taken = send(
        client, alice, "POST", "number/reserve", {"number": 4951919036, "owner_type": "business"}
    )
    assert_failure(taken, 400)
