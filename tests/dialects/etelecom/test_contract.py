"""The documents' own examples, replayed against vpbx (seed 002, provider-apis.md §1).

The examples carry placeholders ("string", "text", 0): as sent, they get eTelecom's
invalid_argument envelope naming the field, never a crash. With the placeholders read as
proto3 defaults ("" and 0 mean "not set") or replaced by real ids, each answers 200 with
every documented field in its documented type.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Party
from tests.dialects.etelecom.helpers import (
    EXTENSION,
    HOTLINE,
    TENANT,
    Etelecom,
    assert_error,
    assert_list,
    assert_shape,
)

SEED_PAGING = {"after": "string", "before": "string", "limit": 0, "sort": "string"}
SEED_HTTP_PAGING = {"after": "text", "before": "text", "limit": 1, "sort": "text"}


def test_seed_get_partner_hotline_list_as_printed(et: Etelecom, alice: Party) -> None:
    """The curl of seed 002 as printed: "string" is no cursor of this server."""
    response = et.post("GetPartnerHotlineList", {"paging": SEED_PAGING}, key=alice.partner_key)
    body = assert_error(response, 400, "invalid_argument")
    assert body["meta"]["argument"] == "paging.after"
    assert "'string' is not a cursor" in body["msg"]


def test_seed_http_example_as_printed(et: Etelecom, alice: Party) -> None:
    response = et.post("GetPartnerHotlineList", {"paging": SEED_HTTP_PAGING}, key=alice.partner_key)
    assert_error(response, 400, "invalid_argument")


def test_the_http_examples_spelling_of_the_service_works_too(et: Etelecom, alice: Party) -> None:
    """Seed 002's HTTP example writes `$BASE_URL.ETelecom` (its curl `.Etelecom`)."""
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {alice.partner_key}"}
    url = f"{et.prefix}.ETelecom/GetPartnerHotlineList"
    response = et.http.post(url, json={"paging": {"limit": 1}}, headers=headers)
    assert response.status_code == 200, response.text
    assert set(response.json()) == {"hotlines", "paging"}
    wrong_verb = et.http.get(url, headers=headers)
    assert_error(wrong_verb, 404, "bad_route")


def test_seed_get_partner_hotline_list_with_defaults(
    et: Etelecom, alice: Party, stock: list[str]
) -> None:
    """The seed's request with its placeholders at their proto3 defaults, and the
    documented response: hotlines with every field, and the paging block."""
    hotline_id = et.hotline(alice, "+842836251234")
    held = et.hold(alice, "+842438256868")
    paging = {"after": "", "before": "", "limit": 0, "sort": ""}
    response = et.post("GetPartnerHotlineList", {"paging": paging}, key=alice.partner_key)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    hotlines = assert_list(response.json(), "hotlines", HOTLINE)
    assert [h["id"] for h in hotlines] == sorted([hotline_id, held["id"]], key=int)
    by_id = {h["id"]: h for h in hotlines}
    assert by_id[hotline_id]["status"] == "P"
    assert by_id[held["id"]]["status"] == "Z"
    assert by_id[hotline_id]["hotline"] == "842836251234"
    assert by_id[hotline_id]["owner_id"] == str(alice.tenant_id)
    assert response.json()["paging"] == {
        "after": "",
        "before": "",
        "limit": 100,
        "next": "",
        "prev": "",
        "sort": "",
    }


def test_seed_request_with_a_limit_pages(et: Etelecom, alice: Party, stock: list[str]) -> None:
    """The seed's HTTP example with limit 1 and empty cursors: one hotline and `next`."""
    et.hold(alice, "+842836251234")
    et.hold(alice, "+842438256868")
    paging = {"after": "", "before": "", "limit": 1, "sort": ""}
    body = et.ok("GetPartnerHotlineList", {"paging": paging}, key=alice.partner_key)
    assert len(assert_list(body, "hotlines", HOTLINE)) == 1
    assert body["paging"]["limit"] == 1
    assert body["paging"]["next"]


def test_partner_add_hotline_example(et: Etelecom, alice: Party, stock: list[str]) -> None:
    printed = {
        "description": "string",
        "hotline": "string",
        "is_free_charge": True,
        "name": "string",
        "network": "unknown",
        "owner_id": "string",
    }
    response = et.post("PartnerAddHotline", printed, key=alice.partner_key)
    assert_error(response, 400, "invalid_argument")
    real = {**printed, "hotline": "02836251234", "owner_id": str(alice.tenant_id)}
    hotline = et.ok("PartnerAddHotline", real, key=alice.partner_key)
    assert_shape(hotline, HOTLINE)
    assert hotline["status"] == "Z"  # "newly created": held for the tenant
    assert hotline["hotline"] == "842836251234"
    assert hotline["owner_id"] == str(alice.tenant_id)
    assert hotline["connection_method"] == "unknown"


def test_partner_activate_tenant_example(et: Etelecom, alice: Party, stock: list[str]) -> None:
    printed = {"connection_id": "string", "hotline_id": "string", "owner_id": "string"}
    response = et.post(
        "PartnerActivateTenant", {**printed, "tenant_id": "string"}, key=alice.partner_key
    )
    assert_error(response, 400, "invalid_argument")
    held = et.hold(alice, "+842836251234")
    real = {
        "connection_id": "0",
        "hotline_id": held["id"],
        "owner_id": str(alice.tenant_id),
        "tenant_id": str(alice.tenant_id),
    }
    assert et.ok("PartnerActivateTenant", real, key=alice.partner_key) == {"updated": 1}


def test_get_partner_tenant_list_example(et: Etelecom, alice: Party) -> None:
    printed = {"filter": {"name": "string", "owner_id": "string"}, "paging": SEED_PAGING}
    assert_error(
        et.post("GetPartnerTenantList", printed, key=alice.partner_key), 400, "invalid_argument"
    )
    body = et.ok("GetPartnerTenantList", {"filter": {}, "paging": {}}, key=alice.partner_key)
    (tenant,) = assert_list(body, "tenants", TENANT)
    assert tenant["id"] == tenant["owner_id"] == str(alice.tenant_id)
    assert tenant["status"] == "Z"  # no hotline yet: not activated


def test_create_tenant_example(et: Etelecom, alice: Party) -> None:
    """CreateTenant takes `{}` with the shop key and answers the Tenant."""
    tenant = et.ok("CreateTenant", {}, key=alice.tenant_key)
    assert_shape(tenant, TENANT)
    assert tenant["id"] == str(alice.tenant_id)
    assert tenant["domain"].endswith(".vpbx.local")


def _four_digit_plan(client: TestClient, party: Party) -> None:
    """eTelecom's examples number extensions from 1001: a PBX of 4-digit numbers."""
    response = client.patch("/v1/pbx", json={"extension_length": 4}, headers=party.headers)
    assert response.status_code == 200, response.text


def test_create_extension_example(
    et: Etelecom, client: TestClient, alice: Party, stock: list[str]
) -> None:
    printed = {"extension_number": 1001, "hotline_id": "string", "user_id": "string"}
    assert_error(et.post("CreateExtension", printed, key=alice.tenant_key), 400, "invalid_argument")
    _four_digit_plan(client, alice)
    hotline_id = et.hotline(alice, "+842836251234")
    user = et.user(alice)
    body = {"extension_number": 1001, "hotline_id": hotline_id, "user_id": user["id"]}
    extension = et.ok("CreateExtension", body, key=alice.tenant_key)
    assert_shape(extension, EXTENSION)
    assert extension["extension_number"] == "1001"
    assert extension["hotline_id"] == hotline_id
    assert extension["user_id"] == user["id"]
    assert extension["tenant_id"] == str(alice.tenant_id)
    assert extension["expires_at"] == "0001-01-01T00:00:00Z"  # never, as eTelecom says it
    assert len(extension["extension_password"]) >= 10


@pytest.fixture
def ready(et: Etelecom, client: TestClient, alice: Party, stock: list[str]) -> dict[str, Any]:
    _four_digit_plan(client, alice)
    hotline_id = et.hotline(alice, "+842836251234")
    user = et.user(alice)
    extension = et.extension(alice, 1001, hotline_id)
    return {"hotline_id": hotline_id, "user_id": user["id"], "extension_id": extension["id"]}


def test_get_extensions_example(et: Etelecom, alice: Party, ready: dict[str, Any]) -> None:
    assert_error(
        et.post("GetExtensions", {"paging": SEED_PAGING}, key=alice.tenant_key),
        400,
        "invalid_argument",
    )
    body = et.ok("GetExtensions", {"paging": {"limit": 0}}, key=alice.tenant_key)
    (extension,) = assert_list(body, "extensions", EXTENSION)
    assert extension["id"] == ready["extension_id"]


def test_assign_and_remove_user_examples(et: Etelecom, alice: Party, ready: dict[str, Any]) -> None:
    printed = {"extension_id": "string", "user_id": "string"}
    for method in ("AssignUserToExtension", "RemoveUserOfExtension"):
        assert_error(et.post(method, printed, key=alice.tenant_key), 400, "invalid_argument")
    body = {"extension_id": ready["extension_id"], "user_id": ready["user_id"]}
    assert et.ok("AssignUserToExtension", body, key=alice.tenant_key) == {"updated": 1}
    assert et.ok("RemoveUserOfExtension", body, key=alice.tenant_key) == {"updated": 1}
