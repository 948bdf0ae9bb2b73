"""Tenants never see or touch each other's PBX; partner keys act through Vpbx-Tenant."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from tests.pbx.helpers import assert_problem, buy, new_extension, new_user, stored_extension
from vpbx.db import transaction
from vpbx.tenancy.service import TenancyService

ENDPOINTS = [
    ("GET", "/v1/pbx", None),
    ("PATCH", "/v1/pbx", {"extension_length": 4}),
    ("GET", "/v1/users", None),
    ("POST", "/v1/users", {"full_name": "X", "email": "x@acme.vn"}),
    ("GET", "/v1/users/{user}", None),
    ("PATCH", "/v1/users/{user}", {"full_name": "Y"}),
    ("DELETE", "/v1/users/{user}", None),
    ("GET", "/v1/extensions", None),
    ("POST", "/v1/extensions", {}),
    ("GET", "/v1/extensions/{ext}", None),
    ("PATCH", "/v1/extensions/{ext}", {"enabled": False}),
    ("DELETE", "/v1/extensions/{ext}", None),
    ("POST", "/v1/extensions/{ext}/password", {}),
    ("GET", "/v1/extensions/{ext}/secret", None),
]


@pytest.fixture
def alices(client: TestClient, alice: Party) -> dict[str, Any]:
    user = new_user(client, alice)
    ext = new_extension(client, alice, user_id=user["id"], display_name="Lan")
    return {"user": user, "ext": ext}


def snapshot(
    client: TestClient, party: Party, objects: dict[str, Any], factory: sessionmaker[Session]
) -> dict[str, Any]:
    h = party.headers
    row = stored_extension(factory, objects["ext"]["id"])
    return {
        "user": client.get(f"/v1/users/{objects['user']['id']}", headers=h).json(),
        "ext": client.get(f"/v1/extensions/{objects['ext']['id']}/secret", headers=h).json(),
        "users": client.get("/v1/users", headers=h).json(),
        "exts": client.get("/v1/extensions", headers=h).json(),
        "pbx": client.get("/v1/pbx", headers=h).json(),
        "hashes": (row.ha1, row.ha1b, row.password_sealed),
    }


@pytest.mark.parametrize(
    ("method", "path", "body"), [e for e in ENDPOINTS if "{" in e[1]], ids=lambda v: str(v)
)
def test_another_tenant_gets_404_and_changes_nothing(
    client: TestClient,
    alice: Party,
    bob: Party,
    alices: dict[str, Any],
    factory: sessionmaker[Session],
    method: str,
    path: str,
    body: Any,
) -> None:
    new_user(client, bob)  # Bob has objects of his own, with other ids
    new_extension(client, bob)
    before = snapshot(client, alice, alices, factory)
    url = path.format(user=alices["user"]["id"], ext=alices["ext"]["id"])
    response = client.request(method, url, json=body, headers=bob.headers)
    code = "user_not_found" if "users" in path else "extension_not_found"
    assert_problem(response, 404, code)
    assert alices["ext"]["password"] not in response.text
    assert snapshot(client, alice, alices, factory) == before


def test_lists_are_per_tenant(client: TestClient, alice: Party, bob: Party) -> None:
    mine = new_user(client, alice, full_name="Shared Name", email="same@acme.vn")
    theirs = new_user(client, bob, full_name="Shared Name", email="same@acme.vn")
    e1 = new_extension(client, alice, user_id=mine["id"])
    e2 = new_extension(client, bob, user_id=theirs["id"])
    for party, user, ext in ((alice, mine, e1), (bob, theirs, e2)):
        users = client.get("/v1/users", params={"keyword": "shared"}, headers=party.headers)
        assert [u["id"] for u in users.json()["items"]] == [user["id"]]
        exts = client.get("/v1/extensions", params={"keyword": "same"}, headers=party.headers)
        assert [e["id"] for e in exts.json()["items"]] == [ext["id"]]
    other = client.get("/v1/extensions", params={"user_id": mine["id"]}, headers=bob.headers)
    assert other.json()["items"] == []


def test_references_to_another_tenant_are_refused(
    client: TestClient, alice: Party, bob: Party, stock: list[str]
) -> None:
    buy(client, alice, stock[0])
    alice_user = new_user(client, alice)
    ext = new_extension(client, bob)
    h = bob.headers
    for response in (
        client.post("/v1/extensions", json={"user_id": alice_user["id"]}, headers=h),
        client.patch(f"/v1/extensions/{ext['id']}", json={"user_id": alice_user["id"]}, headers=h),
    ):
        assert_problem(response, 422, "user_not_found")
    for field, value in (("caller_id_hotline", stock[0]), ("outbound_hotlines", [stock[0]])):
        for response in (
            client.post("/v1/extensions", json={field: value}, headers=h),
            client.patch(f"/v1/extensions/{ext['id']}", json={field: value}, headers=h),
        ):
            assert_problem(response, 422, "hotline_not_owned")
    got = client.get(f"/v1/extensions/{ext['id']}", headers=h).json()
    assert (got["user_id"], got["caller_id_hotline"], got["outbound_hotlines"]) == (None, None, [])


def test_partner_key_acting_for_its_tenant(
    client: TestClient, alice: Party, factory: sessionmaker[Session]
) -> None:
    acting = alice.acting()
    user = client.post("/v1/users", json={"full_name": "X", "email": "x@acme.vn"}, headers=acting)
    assert user.status_code == 201, user.text
    ext = client.post("/v1/extensions", json={"user_id": user.json()["id"]}, headers=acting)
    assert ext.status_code == 201, ext.text
    ext_id = ext.json()["id"]
    # The tenant's own key sees what the partner made, and the other way round.
    assert client.get(f"/v1/users/{user.json()['id']}", headers=alice.headers).json() == user.json()
    secret = client.get(f"/v1/extensions/{ext_id}/secret", headers=acting).json()
    assert secret["password"] == ext.json()["password"]
    assert (
        client.get("/v1/pbx", headers=acting).json()
        == client.get("/v1/pbx", headers=alice.headers).json()
    )
    rotated = client.post(f"/v1/extensions/{ext_id}/password", json={}, headers=acting)
    assert rotated.status_code == 200
    assert (
        client.get(f"/v1/extensions/{ext_id}/secret", headers=alice.headers).json()["password"]
        == rotated.json()["password"]
    )
    assert client.patch("/v1/pbx", json={"extension_length": 4}, headers=acting).status_code == 200
    assert client.delete(f"/v1/extensions/{ext_id}", headers=acting).status_code == 204
    assert client.delete(f"/v1/users/{user.json()['id']}", headers=acting).status_code == 204
    events = client.get("/v1/audit", headers=alice.partner_headers).json()["items"]
    assert {e["tenant_id"] for e in events if e["object_type"] in ("user", "extension")} == {
        alice.tenant_id
    }


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=lambda v: str(v))
def test_partner_key_without_tenant(
    client: TestClient, alice: Party, method: str, path: str, body: Any
) -> None:
    url = path.format(user=1, ext=1)
    response = client.request(method, url, json=body, headers=alice.partner_headers)
    assert_problem(response, 422, "tenant_required")


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=lambda v: str(v))
def test_acting_for_a_tenant_of_another_partner(
    client: TestClient,
    alice: Party,
    bob: Party,
    alices: dict[str, Any],
    method: str,
    path: str,
    body: Any,
) -> None:
    url = path.format(user=alices["user"]["id"], ext=alices["ext"]["id"])
    headers = {**bob.partner_headers, "Vpbx-Tenant": str(alice.tenant_id)}
    assert_problem(client.request(method, url, json=body, headers=headers), 404, "tenant_not_found")
    # A tenant key naming another tenant is refused the same way.
    headers = {**bob.headers, "Vpbx-Tenant": str(alice.tenant_id)}
    assert_problem(client.request(method, url, json=body, headers=headers), 404, "tenant_not_found")
    assert client.get(f"/v1/extensions/{alices['ext']['id']}", headers=alice.headers).json()[
        "enabled"
    ]


def test_sibling_tenants_of_one_partner_are_separate(
    client: TestClient, alice: Party, alices: dict[str, Any], factory: sessionmaker[Session]
) -> None:
    with transaction(factory) as session:
        service = TenancyService(session)
        sibling = service.create_tenant(alice.partner_id, "Alice branch", email="b@alice.example")
        sibling_id = sibling.id
    acting = {**alice.partner_headers, "Vpbx-Tenant": str(sibling_id)}
    created = client.post("/v1/extensions", json={}, headers=acting)
    assert created.status_code == 201, created.text
    assert created.json()["number"] == "101"  # its own numbering
    assert created.json()["sip"]["domain"] != alices["ext"]["sip"]["domain"]
    assert_problem(client.get(f"/v1/extensions/{alices['ext']['id']}", headers=acting), 404)
    assert_problem(client.get(f"/v1/users/{alices['user']['id']}", headers=acting), 404)
    listed = client.get("/v1/extensions", headers=alice.headers).json()["items"]
    assert [e["id"] for e in listed] == [alices["ext"]["id"]]
