"""Contract: every documented OMICall request (seeds 000, 001; provider-apis.md §2)
replayed against vpbx, answered in the documented envelope with every documented field
in its documented type — and with the data the native API holds."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.dialects.omicall import examples
from tests.dialects.omicall.conftest import Omi
from tests.dialects.omicall.helpers import assert_shape, buy_v1, fail, ok, v1_post

VND_NUMBER = "+842477778823"


@pytest.fixture
def made(client: TestClient, omi_alice: Omi, stock: list[str]) -> dict[str, Any]:
    """A user, an extension of theirs presenting an owned number, another extension
    without a person, and a ring group of both."""
    party = omi_alice.party
    buy_v1(client, party, VND_NUMBER)
    user = v1_post(client, party, "/v1/users", {"full_name": "Đỗ Thị Hồng Vy", "email": "vy@x.vn"})
    ext = v1_post(
        client,
        party,
        "/v1/extensions",
        {
            "number": "147",
            "user_id": user["id"],
            "caller_id_hotline": VND_NUMBER,
            "outbound_hotlines": [VND_NUMBER],
        },
    )
    bare = v1_post(client, party, "/v1/extensions", {"display_name": "Lễ tân"})
    group = v1_post(
        client,
        party,
        "/v1/groups",
        {
            "name": "Nhóm Tech",
            "members": [{"extension_id": ext["id"], "timeout_s": 30}, {"extension_id": bare["id"]}],
        },
    )
    return {"user": user, "ext": ext, "bare": bare, "group": group}


def test_auth_gives_tokens_in_the_documented_envelope(client: TestClient, omi_alice: Omi) -> None:
    for key, kind in (
        (omi_alice.party.partner_key, "bussiness"),
        (omi_alice.party.tenant_key, "normal"),
    ):
        response = client.get(
            "/api/auth", params={"apiKey": key}, headers={"Content-Type": "application/json"}
        )
        assert_shape(response.json(), examples.AUTH)
        payload = ok(response)
        assert payload["access_type"] == kind
        assert payload["token_type"] == "Bearer"
        assert payload["access_token"].count(".") == 2  # JWT-shaped


def test_public_number_list(client: TestClient, omi_alice: Omi, stock: list[str]) -> None:
    response = client.get(
        "/api/partner/public_number/list", params={"page": 1, "size": 50}, headers=omi_alice.partner
    )
    assert_shape(response.json(), examples.PUBLIC_NUMBER_LIST)
    payload = ok(response)
    assert payload["total_items"] == len(stock)
    assert payload["page_number"] == 1
    assert payload["page_size"] == 50
    assert payload["total_pages"] == 1
    assert payload["has_next"] is False
    item = next(i for i in payload["items"] if i["number"] == "842477778823")
    assert item["nation"] == "vn"
    assert item["number_type"] == "fixed"
    assert item["maintaining_prices"] == [
        {"currency": "VND", "price": 22000},
        {"currency": "USD", "price": 0.977},
    ]
    toll_free = next(i for i in payload["items"] if i["number"] == "78001234567")
    assert toll_free["number_type"] == "1800"
    assert toll_free["nation"] == "ru"
    # Ordered by national number, as the native search is.
    v1 = client.get("/v1/numbers/available", params={"limit": 50}, headers=omi_alice.party.headers)
    assert [i["number"] for i in payload["items"]] == [
        n["e164"].lstrip("+") for n in v1.json()["items"]
    ]


def test_public_number_buy(client: TestClient, omi_alice: Omi, stock: list[str]) -> None:
    body = {"number_count": 6, "note": "Mua số", "number": "842477778823", "email": omi_alice.email}
    payload = ok(
        client.post("/api/partner/public_number/buy", json=body, headers=omi_alice.partner)
    )
    assert payload["number"] == "842477778823"
    assert payload["number_count"] == 6
    assert payload["status"] == "active"
    assert payload["expire_date"] > payload["effective_date"] > 10**12
    # The tenant owns it, for 6 months, in the native API.
    owned = client.get("/v1/numbers/+842477778823", headers=omi_alice.party.headers).json()
    assert owned["status"] == "active"
    assert owned["owner_type"] == "business"
    listed = client.get("/v1/numbers", headers=omi_alice.party.headers).json()["items"]
    assert [n["e164"] for n in listed] == [VND_NUMBER]


def test_internal_phone_list(client: TestClient, omi_alice: Omi, made: dict[str, Any]) -> None:
    response = client.get(
        "/api/call_center/internal_phone/list",
        params={"keyword": "", "page": 1, "size": 50},
        headers=omi_alice.tenant,
    )
    assert_shape(response.json(), examples.INTERNAL_PHONE_LIST)
    payload = ok(response)
    assert payload["total_items"] == 2
    phone = next(i for i in payload["items"] if i["sip_user"] == "147")
    secret = client.get(
        f"/v1/extensions/{made['ext']['id']}/secret", headers=omi_alice.party.headers
    ).json()
    assert phone["password"] == secret["password"]
    assert phone["domain"] == secret["sip"]["domain"]
    assert phone["outbound_proxy"] == secret["sip"]["outbound_proxy"]
    assert phone["full_name"] == "Đỗ Thị Hồng Vy"
    assert phone["email"] == "vy@x.vn"
    assert phone["public_number"] == "842477778823"
    assert phone["agent_id"] == f"{made['user']['id']:024x}"
    bare = next(i for i in payload["items"] if i["sip_user"] == made["bare"]["number"])
    assert bare["full_name"] == "Lễ tân"
    assert bare["email"] == ""
    assert bare["public_number"] == ""


def test_internal_phone_keyword_matches_extension_email_and_name(
    client: TestClient, omi_alice: Omi, made: dict[str, Any]
) -> None:
    for keyword, expected in (
        ("147", ["147"]),
        ("vy@x", ["147"]),
        ("hồng vy", ["147"]),
        ("lễ", [made["bare"]["number"]]),
        ("nobody", []),
    ):
        payload = ok(
            client.get(
                "/api/call_center/internal_phone/list",
                params={"keyword": keyword},
                headers=omi_alice.tenant,
            )
        )
        assert [i["sip_user"] for i in payload["items"]] == expected, keyword
        assert payload["total_items"] == len(expected)


def test_internal_phone_status(client: TestClient, omi_alice: Omi, made: dict[str, Any]) -> None:
    for enabled in ("false", "true"):
        payload = ok(
            client.put(
                "/api/call_center/internal_phone/status",
                params={"enabled": enabled, "sip_user": "147"},
                headers=omi_alice.tenant,
            )
        )
        assert payload == {"sip_user": "147", "enabled": enabled == "true"}
        native = client.get(
            f"/v1/extensions/{made['ext']['id']}", headers=omi_alice.party.headers
        ).json()
        assert native["enabled"] is (enabled == "true")


def test_hotline_list(client: TestClient, omi_alice: Omi, made: dict[str, Any]) -> None:
    buy_v1(client, omi_alice.party, "+842836251234")
    response = client.get(
        "/api/call_center/hotline/list", params={"extension": "147"}, headers=omi_alice.tenant
    )
    assert_shape(response.json(), examples.HOTLINE_LIST)
    assert ok(response) == ["842477778823"]  # its outbound_hotlines
    # No restriction set: every number of the tenant; no extension: the same.
    bare = made["bare"]["number"]
    everything = ["842477778823", "842836251234"]
    for params in ({"extension": bare}, {}, {"extension": ""}):
        response = client.get(
            "/api/call_center/hotline/list", params=params, headers=omi_alice.tenant
        )
        assert ok(response) == everything


def test_internal_group_get_all(client: TestClient, omi_alice: Omi, made: dict[str, Any]) -> None:
    response = client.get("/api/call_center/internal_group/get_all", headers=omi_alice.tenant)
    assert_shape(response.json(), examples.INTERNAL_GROUP_GET_ALL)
    (group,) = ok(response)
    assert group["_id"] == f"{made['group']['id']:024x}"
    assert group["tenant_id"] == f"{omi_alice.party.tenant_id:024x}"
    assert group["group_name"] == "Nhóm Tech"
    assert group["group_name_unsigned"] == "Nhom Tech"
    assert group["group_number"] == made["group"]["number"]
    assert [m["sip_user"] for m in group["members"]] == ["147", made["bare"]["number"]]
    assert [m["order"] for m in group["members"]] == [0, 1]
    assert [m["timeout"] for m in group["members"]] == [30, 20]
    assert group["members"][0]["agent_id"] == f"{made['user']['id']:024x}"
    assert group["members"][1]["agent_id"] is None
    assert group["strategy"] == "simultaneous"
    assert group["ring_group_type"] == 0
    assert group["last_update_by"] is None  # never edited
    assert group["create_by"]["id"] == group["tenant_id"]


def test_internal_group_no_answer_targets(
    client: TestClient, omi_alice: Omi, made: dict[str, Any]
) -> None:
    other = v1_post(
        client,
        omi_alice.party,
        "/v1/groups",
        {
            "name": "Overflow",
            "strategy": "sequential",
            "no_answer": {"kind": "group", "value": made["group"]["number"]},
        },
    )
    groups = ok(client.get("/api/call_center/internal_group/get_all", headers=omi_alice.tenant))
    overflow = next(g for g in groups if g["group_name"] == "Overflow")
    assert overflow["_id"] == f"{other['id']:024x}"
    assert overflow["is_forward_to_outer_group"] is True
    assert overflow["outer_group_id"] == f"{made['group']['id']:024x}"
    assert overflow["target_timeout_type"] == "internal_group"
    assert overflow["target_timeout"] == made["group"]["number"]
    assert overflow["ring_group_type"] == 1
    assert overflow["strategy"] == "sequential"


def test_failure_envelope_is_the_documented_one(client: TestClient, omi_alice: Omi) -> None:
    response = client.post(
        "/api/partner/public_number/buy", json={"note": "x"}, headers=omi_alice.partner
    )
    assert_shape(response.json(), examples.FAILURE)
    fail(response, "data_is_required")


def test_partner_me(client: TestClient, omi_alice: Omi) -> None:
    payload = ok(client.get("/api/partner/me", headers=omi_alice.partner))
    assert_shape(payload, examples.PARTNER_ME)
    assert payload["full_name"] == "Alice partner"
    assert payload["enabled"] is True
    assert payload["status"] == "activated"


def test_tenant_add_then_list_info_and_detail(client: TestClient, omi_alice: Omi) -> None:
    body = {
        "email": "Chu@CongTy.vn",
        "password": "Str0ng!pass",
        "fullName": "Công ty Mới",
        "ownerName": "Nguyễn Văn Chủ",
        "phone": "0912345678",
        "isAutoActive": True,
    }
    created = ok(client.post("/api/partner/tenant/add", json=body, headers=omi_alice.partner))
    assert_shape(created, examples.TENANT_ADDED)
    tenant_id = int(created["id"], 16)
    # It is the partner's tenant in the native API too, with its owner as an admin user.
    native = client.get("/v1/tenants", headers=omi_alice.party.partner_headers).json()["items"]
    assert {t["id"]: t["name"] for t in native}[tenant_id] == "Công ty Mới"
    acting = {**omi_alice.party.partner_headers, "Vpbx-Tenant": str(tenant_id)}
    (owner,) = client.get("/v1/users", headers=acting).json()["items"]
    assert (owner["full_name"], owner["email"], owner["phone"], owner["role"]) == (
        "Nguyễn Văn Chủ",
        "chu@congty.vn",
        "+84912345678",
        "admin",
    )
    listed = ok(client.post("/api/partner/tenant/list", headers=omi_alice.partner))
    assert [t["id"] for t in listed["items"]] == [
        f"{omi_alice.party.tenant_id:024x}",
        created["id"],
    ]
    info = ok(
        client.get(
            "/api/partner/tenant/info", params={"id": created["id"]}, headers=omi_alice.partner
        )
    )
    assert_shape(info, examples.TENANT_DETAIL)
    assert info["full_name"] == "Công ty Mới"
    assert info["email"] == "chu@congty.vn"
    assert info["phone"] == "84912345678"
    assert info["public_numbers"] == []
    # The plain decimal id vpbx shows elsewhere reaches the same tenant.
    same = ok(
        client.get("/api/partner/tenant/info", params={"id": tenant_id}, headers=omi_alice.partner)
    )
    assert same == info


def test_tenant_detail(client: TestClient, omi_alice: Omi, made: dict[str, Any]) -> None:
    payload = ok(client.get("/api/tenant/detail", headers=omi_alice.tenant))
    assert_shape(payload, examples.TENANT_DETAIL)
    assert payload["id"] == f"{omi_alice.party.tenant_id:024x}"
    assert payload["email"] == omi_alice.email
    pbx = client.get("/v1/pbx", headers=omi_alice.party.headers).json()
    assert payload["domain_fusion"] == pbx["sip_domain"]
    assert [n["number"] for n in payload["public_numbers"]] == ["842477778823"]
    assert payload["public_numbers"][0]["status"] == "active"
    assert payload["service_package"]["staff_num"] == 2
