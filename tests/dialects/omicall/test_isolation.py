"""Multi-tenant isolation through OMICall: another tenant's extension, group, number or
tenant is "not found" and stays unchanged; lists show only the caller's own."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.dialects.omicall.conftest import Omi
from tests.dialects.omicall.helpers import buy_v1, fail, ok, v1_post


@pytest.fixture
def alices(client: TestClient, omi_alice: Omi, stock: list[str]) -> dict[str, Any]:
    party = omi_alice.party
    buy_v1(client, party, "+842477778823")
    user = v1_post(client, party, "/v1/users", {"full_name": "Lan", "email": "lan@alice.vn"})
    ext = v1_post(
        client,
        party,
        "/v1/extensions",
        {"user_id": user["id"], "outbound_hotlines": ["+842477778823"]},
    )
    group = v1_post(
        client, party, "/v1/groups", {"name": "Sales", "members": [{"extension_id": ext["id"]}]}
    )
    return {"ext": ext, "group": group}


def test_lists_show_only_the_callers_own(
    client: TestClient, omi_alice: Omi, omi_bob: Omi, alices: dict[str, Any]
) -> None:
    assert (
        ok(client.get("/api/call_center/internal_phone/list", headers=omi_bob.tenant))["items"]
        == []
    )
    assert ok(client.get("/api/call_center/internal_group/get_all", headers=omi_bob.tenant)) == []
    assert ok(client.get("/api/call_center/hotline/list", headers=omi_bob.tenant)) == []
    detail = ok(client.get("/api/tenant/detail", headers=omi_bob.tenant))
    assert detail["public_numbers"] == []
    assert detail["email"] == omi_bob.email
    tenants = ok(client.post("/api/partner/tenant/list", headers=omi_bob.partner))["items"]
    assert [t["full_name"] for t in tenants] == ["Bob tenant"]
    # Alice sees hers.
    phones = ok(client.get("/api/call_center/internal_phone/list", headers=omi_alice.tenant))
    assert [p["sip_user"] for p in phones["items"]] == [alices["ext"]["number"]]


def test_same_extension_number_in_two_tenants(
    client: TestClient, omi_alice: Omi, omi_bob: Omi, alices: dict[str, Any]
) -> None:
    """Extension numbers are per tenant: Bob's 101 is Bob's, whatever Alice has."""
    number = alices["ext"]["number"]
    bobs = v1_post(client, omi_bob.party, "/v1/extensions", {"number": number})
    ok(
        client.put(
            "/api/call_center/internal_phone/status",
            params={"enabled": "false", "sip_user": number},
            headers=omi_bob.tenant,
        )
    )
    bob = client.get(f"/v1/extensions/{bobs['id']}", headers=omi_bob.party.headers).json()
    alice = client.get(
        f"/v1/extensions/{alices['ext']['id']}", headers=omi_alice.party.headers
    ).json()
    assert bob["enabled"] is False
    assert alice["enabled"] is True


def test_another_tenants_extension_is_not_found_and_unchanged(
    client: TestClient, omi_alice: Omi, omi_bob: Omi, alices: dict[str, Any]
) -> None:
    number = alices["ext"]["number"]
    response = client.put(
        "/api/call_center/internal_phone/status",
        params={"enabled": "false", "sip_user": number},
        headers=omi_bob.tenant,
    )
    fail(response, "extension_not_found")
    response = client.get(
        "/api/call_center/hotline/list", params={"extension": number}, headers=omi_bob.tenant
    )
    fail(response, "extension_not_found")
    native = client.get(f"/v1/extensions/{alices['ext']['id']}", headers=omi_alice.party.headers)
    assert native.json()["enabled"] is True


def test_another_partners_tenant_is_not_found(
    client: TestClient, omi_alice: Omi, omi_bob: Omi
) -> None:
    for tenant_id in (f"{omi_alice.party.tenant_id:024x}", str(omi_alice.party.tenant_id)):
        response = client.get(
            "/api/partner/tenant/info", params={"id": tenant_id}, headers=omi_bob.partner
        )
        fail(response, "tenant_not_found")
    # Nor one that does not exist at all: the same answer.
    response = client.get(
        "/api/partner/tenant/info", params={"id": "f" * 24}, headers=omi_bob.partner
    )
    fail(response, "tenant_not_found")


def test_buying_for_another_partners_tenant(
    client: TestClient, omi_alice: Omi, omi_bob: Omi, stock: list[str]
) -> None:
    body = {"number_count": 6, "note": "", "number": "842438256868", "email": omi_alice.email}
    fail(
        client.post("/api/partner/public_number/buy", json=body, headers=omi_bob.partner),
        "tenant_not_found",
    )
    # Still on sale; nobody owns it.
    stock_list = ok(client.get("/api/partner/public_number/list", headers=omi_alice.partner))[
        "items"
    ]
    assert "842438256868" in [n["number"] for n in stock_list]
    assert client.get("/v1/numbers", headers=omi_alice.party.headers).json()["items"] == []


def test_tenant_emails_are_unique_per_partner_only(
    client: TestClient, omi_alice: Omi, omi_bob: Omi
) -> None:
    body = {"email": omi_alice.email, "password": "Str0ng!pass", "fullName": "Bob's shop"}
    ok(client.post("/api/partner/tenant/add", json=body, headers=omi_bob.partner))
    body = {**body, "fullName": "Alice's second shop"}
    fail(
        client.post("/api/partner/tenant/add", json=body, headers=omi_alice.partner),
        "email_registered",
    )


def test_a_number_someone_owns_is_not_in_the_stock_list(
    client: TestClient, omi_alice: Omi, omi_bob: Omi, alices: dict[str, Any]
) -> None:
    listed = ok(client.get("/api/partner/public_number/list", headers=omi_bob.partner))
    assert "842477778823" not in [n["number"] for n in listed["items"]]
    assert listed["total_items"] == 13
    body = {"number_count": 6, "note": "", "number": "842477778823", "email": omi_bob.email}
    fail(
        client.post("/api/partner/public_number/buy", json=body, headers=omi_bob.partner),
        "number_not_available",
    )
    owned = client.get("/v1/numbers/+842477778823", headers=omi_alice.party.headers).json()
    assert owned["status"] == "active"
