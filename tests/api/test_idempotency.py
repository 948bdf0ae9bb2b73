"""Idempotency-Key on POST: replay the first success, refuse a reused key, scope per tenant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from vpbx.db import transaction
from vpbx.models import IdempotencyRecord

ORDER = {"numbers": ["+842477778823"], "months": 1}
HOLD = {"numbers": ["+842438256868"]}


def post(
    client: TestClient, path: str, body: dict[str, Any], headers: dict[str, str], key: str | None
) -> Any:
    extra = {"Idempotency-Key": key} if key is not None else {}
    return client.post(path, json=body, headers={**headers, **extra})


def owned(client: TestClient, party: Party) -> list[str]:
    return [n["e164"] for n in client.get("/v1/numbers", headers=party.headers).json()["items"]]


def events(client: TestClient, party: Party, action: str) -> list[dict[str, Any]]:
    response = client.get("/v1/audit", params={"action": action}, headers=party.partner_headers)
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def assert_problem(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == code


def test_a_repeated_order_is_replayed_not_repeated(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    first = post(client, "/v1/orders", ORDER, alice.headers, "order-1")
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    second = post(client, "/v1/orders", ORDER, alice.headers, "order-1")
    assert second.status_code == 201
    assert second.headers["idempotent-replayed"] == "true"
    assert second.json() == first.json()
    assert second.headers["content-type"].startswith("application/json")
    assert len(events(client, alice, "number.buy")) == 1
    assert owned(client, alice) == ["+842477778823"]


def test_a_repeated_reservation_is_replayed_not_repeated(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    first = post(client, "/v1/reservations", HOLD, alice.headers, "hold:1")
    second = post(client, "/v1/reservations", HOLD, alice.headers, "hold:1")
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    listed = client.get(
        "/v1/reservations", params={"include_ended": "true"}, headers=alice.headers
    ).json()["items"]
    assert [r["id"] for r in listed] == [first.json()["data"][0]["reservation_id"]]


def test_without_a_key_a_repeat_is_a_new_request(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    assert post(client, "/v1/orders", ORDER, alice.headers, None).status_code == 201
    assert post(client, "/v1/orders", ORDER, alice.headers, None).status_code == 409


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/orders", {"numbers": ["+84912345678"], "months": 1}),
        ("/v1/orders", {"numbers": ["+842477778823"], "months": 2}),
        ("/v1/reservations", {"numbers": ["+842477778823"]}),
    ],
)
def test_the_same_key_for_another_request_is_refused(
    client: TestClient, alice: Party, stock: list[str], path: str, body: dict[str, Any]
) -> None:
    assert post(client, "/v1/orders", ORDER, alice.headers, "k-1").status_code == 201
    assert_problem(post(client, path, body, alice.headers, "k-1"), 422, "idempotency_key_reused")
    assert owned(client, alice) == ["+842477778823"]
    assert len(events(client, alice, "number.buy")) == 1


def test_keys_are_scoped_per_tenant(
    client: TestClient, alice: Party, bob: Party, stock: list[str]
) -> None:
    assert post(client, "/v1/orders", ORDER, alice.headers, "shared").status_code == 201
    other = {"numbers": ["+84912345678"], "months": 1}
    response = post(client, "/v1/orders", other, bob.headers, "shared")
    assert response.status_code == 201, response.text
    assert "idempotent-replayed" not in response.headers
    assert owned(client, bob) == ["+84912345678"]


def test_a_partner_acting_for_a_tenant_shares_the_tenants_keys(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    first = post(client, "/v1/orders", ORDER, alice.headers, "from-tenant")
    again = post(client, "/v1/orders", ORDER, alice.acting(), "from-tenant")
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()


def test_a_failed_request_is_not_stored_so_a_retry_can_succeed(
    client: TestClient, alice: Party, bob: Party, stock: list[str]
) -> None:
    held = post(client, "/v1/reservations", {"numbers": ["+842477778823"]}, bob.headers, None)
    failed = post(client, "/v1/orders", ORDER, alice.headers, "retry-me")
    assert_problem(failed, 409, "number_not_available")
    reservation_id = held.json()["data"][0]["reservation_id"]
    assert (
        client.delete(f"/v1/reservations/{reservation_id}", headers=bob.headers).status_code == 200
    )
    retried = post(client, "/v1/orders", ORDER, alice.headers, "retry-me")
    assert retried.status_code == 201, retried.text
    assert "idempotent-replayed" not in retried.headers
    assert owned(client, alice) == ["+842477778823"]


def test_an_all_failed_reservation_is_not_stored(
    client: TestClient, alice: Party, bob: Party, stock: list[str]
) -> None:
    held = post(client, "/v1/reservations", HOLD, bob.headers, None).json()
    assert_problem(
        post(client, "/v1/reservations", HOLD, alice.headers, "h"), 409, "number_not_available"
    )
    client.delete(f"/v1/reservations/{held['data'][0]['reservation_id']}", headers=bob.headers)
    assert post(client, "/v1/reservations", HOLD, alice.headers, "h").status_code == 201


def test_a_validation_error_is_not_stored(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    bad = post(client, "/v1/orders", {"numbers": [], "months": 1}, alice.headers, "v")
    assert_problem(bad, 422, "validation_failed")
    assert post(client, "/v1/orders", ORDER, alice.headers, "v").status_code == 201


def test_a_key_expires_after_the_instance_ttl(
    client: TestClient, alice: Party, stock: list[str], factory: sessionmaker[Session]
) -> None:
    assert post(client, "/v1/orders", ORDER, alice.headers, "old").status_code == 201
    with transaction(factory) as session:
        session.execute(
            update(IdempotencyRecord).values(created_at=datetime.now(UTC) - timedelta(hours=25))
        )
    other = {"numbers": ["+84912345678"], "months": 1}
    response = post(client, "/v1/orders", other, alice.headers, "old")
    assert response.status_code == 201, response.text
    assert owned(client, alice) == ["+842477778823", "+84912345678"]


@pytest.mark.parametrize("key", ["a" * 256, "has space", "semi;colon", "slash/key", "é"])
def test_a_malformed_key_is_refused(
    client: TestClient, alice: Party, stock: list[str], key: str
) -> None:
    headers = {**alice.headers, "Idempotency-Key": key.encode()}  # type: ignore[dict-item]
    response = client.post("/v1/orders", json=ORDER, headers=headers)
    assert_problem(response, 422, "invalid_idempotency_key")
    assert owned(client, alice) == []


def test_the_longest_allowed_key_works(client: TestClient, alice: Party, stock: list[str]) -> None:
    key = "A-z_0:9." + "x" * 247
    assert post(client, "/v1/orders", ORDER, alice.headers, key).status_code == 201
    assert post(client, "/v1/orders", ORDER, alice.headers, key).headers["idempotent-replayed"]


def test_the_key_is_ignored_on_reads_and_deletes(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    headers = {**alice.headers, "Idempotency-Key": "x" * 300}
    assert client.get("/v1/numbers", headers=headers).status_code == 200
    assert post(client, "/v1/orders", ORDER, alice.headers, None).status_code == 201
    assert client.delete("/v1/numbers/+842477778823", headers=headers).status_code == 200


def test_a_partner_key_without_tenant_has_its_own_key_scope(
    client: TestClient, alice: Party
) -> None:
    first = post(client, "/v1/tenants", {"name": "Shop"}, alice.partner_headers, "t-1")
    again = post(client, "/v1/tenants", {"name": "Shop"}, alice.partner_headers, "t-1")
    assert first.status_code == 201, first.text
    assert again.status_code == 201
    assert again.json() == first.json()
    names = [
        t["name"] for t in client.get("/v1/tenants", headers=alice.partner_headers).json()["items"]
    ]
    assert names.count("Shop") == 1
