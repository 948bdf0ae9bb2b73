"""The Partner* methods over the same data as /v1: hold, activate, remove; tenants.

A hotline added by a partner is a hold for the tenant named by owner_id (status Z), and
activating it buys it for that tenant (status P): both show in the tenant's /v1 views.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Party
from tests.dialects.etelecom.helpers import HOTLINE, Etelecom, assert_error, assert_shape

NUMBER = "+842836251234"


def _second_tenant(client: TestClient, party: Party, name: str = "Alice branch") -> int:
    response = client.post("/v1/tenants", json={"name": name}, headers=party.partner_headers)
    assert response.status_code == 201, response.text
    tenant_id: int = response.json()["id"]
    return tenant_id


def _owned(client: TestClient, party: Party, status: str | None = None) -> list[dict[str, Any]]:
    params = {"status": status} if status else {}
    response = client.get("/v1/numbers", params=params, headers=party.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _available(client: TestClient, party: Party) -> set[str]:
    response = client.get("/v1/numbers/available", params={"limit": 200}, headers=party.headers)
    return {n["e164"] for n in response.json()["items"]}


def _partner_hotlines(et: Etelecom, party: Party) -> list[dict[str, Any]]:
    hotlines: list[dict[str, Any]] = et.ok("GetPartnerHotlineList", {}, key=party.partner_key)[
        "hotlines"
    ]
    return hotlines


# --- the lifecycle -------------------------------------------------------------------


def test_an_added_hotline_is_a_hold_for_the_tenant(
    et: Etelecom, client: TestClient, alice: Party, stock: list[str]
) -> None:
    hotline = et.hold(alice, "028 3625 1234")
    assert hotline["status"] == "Z"
    assert hotline["name"] == "028 3625 1234"
    (held,) = _owned(client, alice, "reserved")
    assert held["e164"] == NUMBER
    live = client.get("/v1/reservations", headers=alice.headers).json()["items"]
    assert [r["number"] for r in live] == [NUMBER]
    assert NUMBER not in _available(client, alice)
    shop = et.ok("GetHotlines", {}, key=alice.tenant_key)["hotlines"]
    assert shop == [hotline]


def test_adding_it_again_renews_the_hold(et: Etelecom, alice: Party, stock: list[str]) -> None:
    first = et.hold(alice, NUMBER)
    again = et.hold(alice, "842836251234")
    assert again["id"] == first["id"]
    assert again["status"] == "Z"
    assert len(_partner_hotlines(et, alice)) == 1


def test_activation_buys_it_for_the_tenant(
    et: Etelecom, client: TestClient, alice: Party, stock: list[str]
) -> None:
    hotline = et.hold(alice, NUMBER)
    tenant = et.ok("GetTenant", {}, key=alice.tenant_key)
    assert tenant["status"] == "Z"
    assert et.activate(alice, hotline["id"]) == {"updated": 1}
    (owned,) = _owned(client, alice, "active")
    assert owned["e164"] == NUMBER
    assert owned["paid_until"] is not None
    (listed,) = _partner_hotlines(et, alice)
    assert listed["status"] == "P"
    assert_shape(listed, HOTLINE)
    assert et.ok("GetTenant", {}, key=alice.tenant_key)["status"] == "P"
    assert et.activate(alice, hotline["id"]) == {"updated": 0}  # already the tenant's


def test_add_hotline_to_tenant_buys_a_held_hotline(
    et: Etelecom, client: TestClient, alice: Party, stock: list[str]
) -> None:
    hotline = et.hold(alice, NUMBER)
    body = {"hotline_id": hotline["id"], "tenant_id": str(alice.tenant_id)}
    assert et.ok("PartnerAddHotlineToTenant", body, key=alice.partner_key) == {"updated": 1}
    assert [n["e164"] for n in _owned(client, alice, "active")] == [NUMBER]


def test_removing_an_owned_hotline_releases_it(
    et: Etelecom, client: TestClient, alice: Party, stock: list[str]
) -> None:
    hotline_id = et.hotline(alice, NUMBER)
    body = {"hotline_id": hotline_id, "tenant_id": str(alice.tenant_id)}
    assert et.ok("PartnerRemoveHotlineFromTenant", body, key=alice.partner_key) == {"updated": 1}
    assert _owned(client, alice) == []
    assert _partner_hotlines(et, alice) == []
    # Released numbers wait out vpbx's quarantine before they are on sale again.
    assert NUMBER not in _available(client, alice)
    again = et.post("PartnerRemoveHotlineFromTenant", body, key=alice.partner_key)
    assert_error(again, 404, "not_found")


def test_removing_a_held_hotline_ends_the_hold(
    et: Etelecom, client: TestClient, alice: Party, stock: list[str]
) -> None:
    hotline = et.hold(alice, NUMBER)
    body = {"hotline_id": hotline["id"]}
    assert et.ok("PartnerRemoveHotline", body, key=alice.partner_key) == {"updated": 1}
    assert _owned(client, alice) == []
    assert NUMBER in _available(client, alice)  # a cancelled hold is on sale at once
    assert client.get("/v1/reservations", headers=alice.headers).json()["items"] == []


def test_remove_hotline_accepts_id_too(et: Etelecom, alice: Party, stock: list[str]) -> None:
    hotline_id = et.hotline(alice, NUMBER)
    assert et.ok("PartnerRemoveHotline", {"id": hotline_id}, key=alice.partner_key) == {
        "updated": 1
    }
    missing = et.post("PartnerRemoveHotline", {}, key=alice.partner_key)
    assert_error(missing, 400, "invalid_argument")


def test_the_audit_log_names_the_partner_key(
    et: Etelecom, client: TestClient, alice: Party, stock: list[str]
) -> None:
    et.hotline(alice, NUMBER)
    response = client.get("/v1/audit", params={"object_id": NUMBER}, headers=alice.partner_headers)
    actions = {e["action"]: e for e in response.json()["items"]}
    assert {"number.reserve", "number.buy"} <= set(actions)
    assert actions["number.buy"]["tenant_id"] == alice.tenant_id
    assert actions["number.buy"]["actor"].startswith("key:")


# --- conflicts and bad references ----------------------------------------------------


def test_a_number_someone_else_has_already_exists(
    et: Etelecom, client: TestClient, alice: Party, bob: Party, stock: list[str]
) -> None:
    response = client.post(
        "/v1/orders", json={"numbers": [NUMBER], "months": 1}, headers=bob.headers
    )
    assert response.status_code == 201, response.text
    body = {"hotline": NUMBER, "name": "Sales", "owner_id": str(alice.tenant_id)}
    refused = et.post("PartnerAddHotline", body, key=alice.partner_key)
    assert_error(refused, 409, "already_exists")
    assert _owned(client, alice) == []


def test_a_number_not_in_stock_cannot_be_added(
    et: Etelecom, alice: Party, stock: list[str]
) -> None:
    body = {"hotline": "+842439999999", "name": "Sales", "owner_id": str(alice.tenant_id)}
    assert_error(et.post("PartnerAddHotline", body, key=alice.partner_key), 409, "already_exists")


def test_owner_id_is_required_and_must_be_the_tenant(
    et: Etelecom, alice: Party, stock: list[str]
) -> None:
    body = {"hotline": NUMBER, "name": "Sales"}
    error = assert_error(
        et.post("PartnerAddHotline", body, key=alice.partner_key), 400, "invalid_argument"
    )
    assert error["meta"]["argument"] == "owner_id"
    hotline = et.hold(alice, NUMBER)
    wrong = {
        "hotline_id": hotline["id"],
        "tenant_id": str(alice.tenant_id),
        "owner_id": str(alice.tenant_id + 100),
    }
    refused = et.post("PartnerActivateTenant", wrong, key=alice.partner_key)
    assert_error(refused, 400, "invalid_argument")


def test_a_hotline_of_another_tenant_of_the_partner(
    et: Etelecom, client: TestClient, alice: Party, stock: list[str]
) -> None:
    branch = _second_tenant(client, alice)
    hotline = et.hold(alice, NUMBER)
    body = {"hotline_id": hotline["id"], "tenant_id": str(branch)}
    refused = et.post("PartnerActivateTenant", body, key=alice.partner_key)
    error = assert_error(refused, 412, "failed_precondition")
    assert "another tenant" in error["msg"]
    assert _owned(client, alice, "reserved")[0]["e164"] == NUMBER


# --- isolation between partners ------------------------------------------------------


def test_another_partner_sees_and_touches_nothing(
    et: Etelecom, client: TestClient, alice: Party, bob: Party, stock: list[str]
) -> None:
    hotline_id = et.hotline(alice, NUMBER)
    assert _partner_hotlines(et, bob) == []
    for method, body in (
        ("PartnerActivateTenant", {"hotline_id": hotline_id, "tenant_id": str(alice.tenant_id)}),
        ("PartnerRemoveHotline", {"hotline_id": hotline_id}),
        (
            "PartnerRemoveHotlineFromTenant",
            {"hotline_id": hotline_id, "tenant_id": str(bob.tenant_id)},
        ),
        ("PartnerAddHotlineToTenant", {"hotline_id": hotline_id, "tenant_id": str(bob.tenant_id)}),
        (
            "PartnerAddHotline",
            {"hotline": "+842438256868", "name": "x", "owner_id": str(alice.tenant_id)},
        ),
    ):
        response = et.post(method, body, key=bob.partner_key)
        assert_error(response, 404, "not_found")
    (still,) = _partner_hotlines(et, alice)
    assert still["id"] == hotline_id
    assert still["status"] == "P"
    assert [n["e164"] for n in _owned(client, alice)] == [NUMBER]
    assert _owned(client, bob) == []


# --- the tenant list -----------------------------------------------------------------


@pytest.fixture
def tenants(client: TestClient, alice: Party) -> dict[str, int]:
    names = ["Phở 24 Hà Nội", "Pho Saigon", "100%_real"]
    return {name: _second_tenant(client, alice, name) for name in names}


def _names(et: Etelecom, party: Party, **filters: Any) -> list[str]:
    body = et.ok("GetPartnerTenantList", {"filter": filters}, key=party.partner_key)
    return [t["name"] for t in body["tenants"]]


def test_tenant_list_filters(
    et: Etelecom, alice: Party, bob: Party, tenants: dict[str, int]
) -> None:
    assert _names(et, alice) == ["Alice tenant", *tenants]
    assert _names(et, alice, name="pho") == ["Pho Saigon"]
    assert _names(et, alice, name="PHỞ") == ["Phở 24 Hà Nội"]
    assert _names(et, alice, name="%_") == ["100%_real"]  # taken literally, not as a pattern
    assert _names(et, alice, owner_id=str(tenants["Pho Saigon"])) == ["Pho Saigon"]
    assert _names(et, alice, owner_id=str(bob.tenant_id)) == []  # not hers: simply absent
    assert _names(et, bob) == ["Bob tenant"]


def test_idempotency_key_replays_a_partner_call(
    et: Etelecom, client: TestClient, alice: Party, stock: list[str]
) -> None:
    """A retried PartnerAddHotline with the same Idempotency-Key is answered from the first
    call; the key reused for another request is refused in eTelecom's envelope."""
    key = {"Idempotency-Key": "add-hotline-1"}
    body = {"hotline": NUMBER, "name": "Sales", "owner_id": str(alice.tenant_id)}
    first = et.post("PartnerAddHotline", body, key=alice.partner_key, headers=key)
    again = et.post("PartnerAddHotline", body, key=alice.partner_key, headers=key)
    assert first.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    other = {**body, "hotline": "+842438256868"}
    reused = et.post("PartnerAddHotline", other, key=alice.partner_key, headers=key)
    assert_error(reused, 400, "invalid_argument")
    assert len(_owned(client, alice)) == 1
