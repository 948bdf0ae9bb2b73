"""The tenant's (shop key) methods over the same data as /v1, and tenant isolation."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Party
from tests.dialects.etelecom.helpers import (
    EXTENSION,
    HOTLINE,
    TENANT,
    USER,
    Etelecom,
    assert_error,
    assert_list,
    assert_shape,
)

NUMBER, SECOND = "+842836251234", "+842438256868"


@pytest.fixture
def hotline(et: Etelecom, alice: Party, stock: list[str]) -> str:
    return et.hotline(alice, NUMBER)


def _native(client: TestClient, party: Party, path: str) -> dict[str, Any]:
    response = client.get(path, headers=party.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


# --- tenant, driver config, hotlines -------------------------------------------------


def test_create_tenant_answers_the_tenant_every_time(
    et: Etelecom, client: TestClient, alice: Party
) -> None:
    first = et.ok("CreateTenant", {}, key=alice.tenant_key)
    assert et.ok("CreateTenant", {}, key=alice.tenant_key)["id"] == first["id"]
    assert et.ok("GetTenant", {}, key=alice.tenant_key) == first
    assert et.ok("GetTenant", {"id": first["id"]}, key=alice.tenant_key) == first
    assert first["domain"] == _native(client, alice, "/v1/pbx")["sip_domain"]
    assert first["name"] == "Alice tenant"


def test_get_tenant_of_another_tenant_is_not_found(et: Etelecom, alice: Party, bob: Party) -> None:
    response = et.post("GetTenant", {"id": str(bob.tenant_id)}, key=alice.tenant_key)
    assert_error(response, 404, "not_found")


@pytest.mark.parametrize(
    ("proxy", "expected"),
    [
        (None, ("wss", "127.0.0.1", 8443)),
        ("wss://sip.example.vn", ("wss", "sip.example.vn", 443)),
        ("ws://sip.example.vn:8080/ws", ("ws", "sip.example.vn", 8080)),
        ("sip:pbx.example.vn:5080;transport=tcp", ("tcp", "pbx.example.vn", 5080)),
        ("sip:pbx.example.vn", ("udp", "pbx.example.vn", 5060)),
        ("sips:pbx.example.vn", ("tls", "pbx.example.vn", 5061)),
        ("sip:[2001:db8::1]:5070", ("udp", "[2001:db8::1]", 5070)),
    ],
)
def test_driver_config_is_what_a_softphone_needs(
    et: Etelecom,
    client: TestClient,
    alice: Party,
    proxy: str | None,
    expected: tuple[str, str, int],
) -> None:
    if proxy is not None:
        response = client.patch("/v1/pbx", json={"outbound_proxy": proxy}, headers=alice.headers)
        assert response.status_code == 200, response.text
    config = et.ok("GetDriverConfig", {}, key=alice.tenant_key)
    pbx = _native(client, alice, "/v1/pbx")
    assert config["domain"] == pbx["sip_domain"]
    assert config["outbound_proxy"] == pbx["outbound_proxy"]
    assert (config["transport"], config["proxy_host"], config["proxy_port"]) == expected
    assert config["tenant_id"] == str(alice.tenant_id)
    assert config["extension_length"] == 3


def test_get_hotlines_lists_only_the_tenants_own(
    et: Etelecom, client: TestClient, alice: Party, bob: Party, hotline: str
) -> None:
    et.hotline(bob, SECOND)
    body = et.ok("GetHotlines", {"paging": {}}, key=alice.tenant_key)
    (listed,) = assert_list(body, "hotlines", HOTLINE)
    assert listed["id"] == hotline
    assert listed["hotline"] == NUMBER.removeprefix("+")
    assert [n["e164"] for n in _native(client, alice, "/v1/numbers")["items"]] == [NUMBER]


# --- users ---------------------------------------------------------------------------


def test_a_user_made_here_is_the_native_user(
    et: Etelecom, client: TestClient, alice: Party
) -> None:
    body = {"full_name": "Lan Nguyen", "email": "Lan@Shop.vn", "phone": "0912345678"}
    user = et.ok("CreateUser", body, key=alice.tenant_key)
    assert_shape(user, USER)
    native = _native(client, alice, f"/v1/users/{user['id']}")
    assert native["email"] == user["email"] == "lan@shop.vn"
    assert native["phone"] == "+84912345678"
    assert user["phone"] == "84912345678"
    assert (user["role"], user["status"]) == ("agent", "P")
    again = et.post("CreateUser", body, key=alice.tenant_key)
    assert_error(again, 409, "already_exists")
    bad = et.post("CreateUser", {**body, "email": "not-an-email"}, key=alice.tenant_key)
    assert_error(bad, 400, "invalid_argument")


def test_get_users_pages_and_filters(et: Etelecom, alice: Party, bob: Party) -> None:
    for n in range(3):
        et.user(alice, f"agent{n}@shop.vn")
    et.user(bob, "bob@shop.vn")
    body = et.ok("GetUsers", {"paging": {"limit": 2}}, key=alice.tenant_key)
    first = assert_list(body, "users", USER)
    rest = et.ok("GetUsers", {"paging": {"after": body["paging"]["next"]}}, key=alice.tenant_key)
    emails = [u["email"] for u in first + rest["users"]]
    assert emails == ["agent0@shop.vn", "agent1@shop.vn", "agent2@shop.vn"]
    found = et.ok("GetUsers", {"filter": {"keyword": "AGENT1"}}, key=alice.tenant_key)["users"]
    assert [u["email"] for u in found] == ["agent1@shop.vn"]


# --- extensions ----------------------------------------------------------------------


def test_an_extension_made_here_is_the_native_extension(
    et: Etelecom, client: TestClient, alice: Party, hotline: str
) -> None:
    user = et.user(alice)
    extension = et.extension(alice, 101, hotline, user_id=user["id"])
    native = _native(client, alice, f"/v1/extensions/{extension['id']}")
    assert native["number"] == extension["extension_number"] == "101"
    assert native["caller_id_hotline"] == NUMBER
    assert native["user_id"] == int(user["id"])
    assert native["sip"]["domain"] == extension["tenant_domain"]
    secret = _native(client, alice, f"/v1/extensions/{extension['id']}/secret")
    assert secret["password"] == extension["extension_password"]
    got = et.ok("GetExtension", {"extension_id": extension["id"]}, key=alice.tenant_key)
    assert got == extension
    assert et.ok("GetExtension", {"id": extension["id"]}, key=alice.tenant_key) == extension


def test_a_native_extension_shows_here(et: Etelecom, client: TestClient, alice: Party) -> None:
    response = client.post("/v1/extensions", json={"display_name": "Desk"}, headers=alice.headers)
    assert response.status_code == 201, response.text
    (extension,) = et.ok("GetExtensions", {}, key=alice.tenant_key)["extensions"]
    assert_shape(extension, EXTENSION)
    assert extension["hotline_id"] == "0"
    assert extension["user_id"] == "0"
    assert extension["extension_password"] == response.json()["password"]
    client.patch(
        f"/v1/extensions/{extension['id']}", json={"enabled": False}, headers=alice.headers
    )
    got = et.ok("GetExtension", {"extension_id": extension["id"]}, key=alice.tenant_key)
    assert got["state"] == "N"


def test_create_extension_refusals(
    et: Etelecom, alice: Party, bob: Party, hotline: str, stock: list[str]
) -> None:
    et.extension(alice, 101, hotline)

    def refused(body: dict[str, Any], status: int, code: str, argument: str) -> None:
        response = et.post("CreateExtension", body, key=alice.tenant_key)
        assert assert_error(response, status, code)["meta"]["argument"] == argument

    refused(
        {"extension_number": 101, "hotline_id": hotline}, 409, "already_exists", "extension_number"
    )
    refused(
        {"extension_number": 1001, "hotline_id": hotline},
        400,
        "invalid_argument",
        "extension_number",
    )
    bobs = et.hotline(bob, SECOND)
    refused({"extension_number": 102, "hotline_id": bobs}, 400, "invalid_argument", "hotline_id")
    held = et.hold(alice, "+842438250000")["id"]
    refused({"extension_number": 102, "hotline_id": held}, 400, "invalid_argument", "hotline_id")
    bob_user = et.user(bob)["id"]
    body = {"extension_number": 102, "hotline_id": hotline, "user_id": bob_user}
    refused(body, 400, "invalid_argument", "user_id")
    assert len(et.ok("GetExtensions", {}, key=alice.tenant_key)["extensions"]) == 1


def test_assign_and_remove_users(
    et: Etelecom, client: TestClient, alice: Party, hotline: str
) -> None:
    extension = et.extension(alice, 101, hotline)
    lan, minh = et.user(alice, "lan@shop.vn"), et.user(alice, "minh@shop.vn")
    assign = {"extension_id": extension["id"], "user_id": lan["id"]}
    assert et.ok("AssignUserToExtension", assign, key=alice.tenant_key) == {"updated": 1}
    assert et.ok("AssignUserToExtension", assign, key=alice.tenant_key) == {"updated": 0}
    assert _native(client, alice, f"/v1/extensions/{extension['id']}")["user_id"] == int(lan["id"])
    other = {"extension_id": extension["id"], "user_id": minh["id"]}
    assert et.ok("RemoveUserOfExtension", other, key=alice.tenant_key) == {"updated": 0}
    assert _native(client, alice, f"/v1/extensions/{extension['id']}")["user_id"] == int(lan["id"])
    everyone = {"extension_id": extension["id"]}
    assert et.ok("RemoveUserOfExtension", everyone, key=alice.tenant_key) == {"updated": 1}
    assert _native(client, alice, f"/v1/extensions/{extension['id']}")["user_id"] is None
    assert et.ok("RemoveUserOfExtension", everyone, key=alice.tenant_key) == {"updated": 0}


def test_update_extension_hotline(
    et: Etelecom, client: TestClient, alice: Party, hotline: str
) -> None:
    second = et.hotline(alice, SECOND)
    extension = et.extension(alice, 101, hotline)
    path = f"/v1/extensions/{extension['id']}"
    client.patch(path, json={"outbound_hotlines": [NUMBER]}, headers=alice.headers)
    body = {"extension_id": extension["id"], "hotline_id": second}
    assert et.ok("UpdateExtensionHotline", body, key=alice.tenant_key) == {"updated": 1}
    native = _native(client, alice, path)
    assert native["caller_id_hotline"] == SECOND
    assert native["outbound_hotlines"] == sorted([NUMBER, SECOND])
    assert et.ok("UpdateExtensionHotline", body, key=alice.tenant_key) == {"updated": 0}
    got = et.ok("GetExtension", {"extension_id": extension["id"]}, key=alice.tenant_key)
    assert got["hotline_id"] == second


def test_another_tenants_extension_is_not_found_and_unchanged(
    et: Etelecom, client: TestClient, alice: Party, bob: Party, hotline: str
) -> None:
    extension = et.extension(alice, 101, hotline, user_id=et.user(alice)["id"])
    bob_user = et.user(bob)["id"]
    bob_hotline = et.hotline(bob, SECOND)
    for method, body in (
        ("GetExtension", {"extension_id": extension["id"]}),
        ("AssignUserToExtension", {"extension_id": extension["id"], "user_id": bob_user}),
        ("RemoveUserOfExtension", {"extension_id": extension["id"]}),
        ("UpdateExtensionHotline", {"extension_id": extension["id"], "hotline_id": bob_hotline}),
    ):
        assert_error(et.post(method, body, key=bob.tenant_key), 404, "not_found")
    assert et.ok("GetExtensions", {}, key=bob.tenant_key)["extensions"] == []
    after = et.ok("GetExtension", {"extension_id": extension["id"]}, key=alice.tenant_key)
    assert after == extension
    assert _native(client, alice, f"/v1/extensions/{extension['id']}")["user_id"] is not None


def test_a_partner_acting_for_its_tenant_manages_extensions(
    et: Etelecom, alice: Party, hotline: str
) -> None:
    acting = {"Vpbx-Tenant": str(alice.tenant_id)}
    body = {"extension_number": 105, "hotline_id": hotline}
    made = et.ok("CreateExtension", body, key=alice.partner_key, headers=acting)
    assert_shape(made, EXTENSION)
    assert made["tenant_id"] == str(alice.tenant_id)
    listed = et.ok("GetExtensions", {}, key=alice.tenant_key)["extensions"]
    assert [e["id"] for e in listed] == [made["id"]]
    assert_shape(et.ok("CreateTenant", {}, key=alice.partner_key, headers=acting), TENANT)
