"""Partner keys acting for tenants (Vpbx-Tenant), /v1/tenants and /v1/audit."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.conftest import Party
from vpbx.sip.notifier import RecordingNotifier

TENANT_SCOPED = [
    ("GET", "/v1/reservations"),
    ("GET", "/v1/reservations/1"),
    ("DELETE", "/v1/reservations/1"),
    ("GET", "/v1/orders/1"),
    ("GET", "/v1/numbers"),
    ("DELETE", "/v1/numbers/+842477778823"),
]


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    return body


def audit(client: TestClient, party: Party, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/v1/audit", params=params, headers=party.partner_headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def key_id(client: TestClient, party: Party, secret: str) -> int:
    """The id of one of the party's keys, from the audit event that created it."""
    for event in audit(client, party, action="api_key.create", limit=200):
        if event["after"]["prefix"] == secret[:12]:
            return int(event["object_id"])
    raise AssertionError("no api_key.create event for the key")


def raw_status(client: TestClient, path: str, headers: list[tuple[bytes, bytes]]) -> Any:
    """Send header bytes as a server receives them (TestClient re-encodes them as UTF-8)."""

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=client.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            return await http.get(path, headers=headers)

    return asyncio.run(send())


def reserve(client: TestClient, headers: dict[str, str], *numbers: str) -> Any:
    return client.post("/v1/reservations", json={"numbers": list(numbers)}, headers=headers)


# --- acting for a tenant ------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), TENANT_SCOPED)
def test_a_partner_key_must_name_the_tenant_it_acts_for(
    client: TestClient, alice: Party, method: str, path: str
) -> None:
    response = client.request(method, path, headers=alice.partner_headers)
    assert_problem(response, 422, "tenant_required")


@pytest.mark.parametrize("path", ["/v1/reservations", "/v1/orders"])
def test_a_partner_key_cannot_buy_or_hold_without_a_tenant(
    client: TestClient, alice: Party, stock: list[str], path: str
) -> None:
    body = (
        {"numbers": ["+842477778823"], "months": 1}
        if path == "/v1/orders"
        else {"numbers": ["+842477778823"]}
    )
    assert_problem(
        client.post(path, json=body, headers=alice.partner_headers), 422, "tenant_required"
    )
    listed = client.get(
        "/v1/numbers/available", params={"mask": "2477778823"}, headers=alice.partner_headers
    )
    assert [i["e164"] for i in listed.json()["items"]] == ["+842477778823"]


def test_a_partner_acting_for_its_tenant_shares_the_tenants_view(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    assert reserve(client, alice.acting(), "+842477778823").status_code == 201
    order = client.post(
        "/v1/orders", json={"numbers": ["+84912345678"], "months": 1}, headers=alice.acting()
    )
    assert order.status_code == 201, order.text
    mine = client.get("/v1/numbers", headers=alice.headers).json()["items"]
    assert {n["e164"] for n in mine} == {"+842477778823", "+84912345678"}
    seen = client.get(f"/v1/orders/{order.json()['id']}", headers=alice.headers)
    assert seen.status_code == 200


def test_a_partner_cannot_act_for_another_partners_tenant(
    client: TestClient, alice: Party, bob: Party, stock: list[str]
) -> None:
    assert reserve(client, bob.headers, "+842477778823").status_code == 201
    headers = {**alice.partner_headers, "Vpbx-Tenant": str(bob.tenant_id)}
    assert_problem(client.get("/v1/numbers", headers=headers), 404, "tenant_not_found")
    assert_problem(reserve(client, headers, "+84912345678"), 404, "tenant_not_found")
    assert client.get("/v1/numbers/+84912345678", headers=bob.headers).json().get("status") is None


def test_a_tenant_key_cannot_name_another_tenant(
    client: TestClient, alice: Party, bob: Party
) -> None:
    own = client.get(
        "/v1/reservations", headers={**alice.headers, "Vpbx-Tenant": str(alice.tenant_id)}
    )
    assert own.status_code == 200
    other = {**alice.headers, "Vpbx-Tenant": str(bob.tenant_id)}
    assert_problem(client.get("/v1/reservations", headers=other), 404, "tenant_not_found")
    unknown = {**alice.headers, "Vpbx-Tenant": "987654"}
    assert_problem(client.get("/v1/reservations", headers=unknown), 404, "tenant_not_found")


@pytest.mark.parametrize("value", ["abc", "-1", "1.0", "0x10", "", " ", "1 2"])
def test_a_non_numeric_tenant_header_is_refused(
    client: TestClient, alice: Party, value: str
) -> None:
    headers = {**alice.partner_headers, "Vpbx-Tenant": value}
    body = assert_problem(client.get("/v1/reservations", headers=headers), 422, "invalid")
    assert body["field"] == "Vpbx-Tenant"


# --- tenants ------------------------------------------------------------------------


def test_a_partner_creates_tenants_and_acts_for_them(client: TestClient, alice: Party) -> None:
    response = client.post(
        "/v1/tenants",
        json={"name": "  Branch  ", "email": "Ops@Branch.Example"},
        headers=alice.partner_headers,
    )
    assert response.status_code == 201, response.text
    tenant = response.json()
    assert (tenant["name"], tenant["email"], tenant["status"]) == (
        "Branch",
        "ops@branch.example",
        "active",
    )
    assert tenant["created_at"].endswith("Z")
    listed = client.get("/v1/tenants", headers=alice.partner_headers).json()["items"]
    assert [t["id"] for t in listed] == [alice.tenant_id, tenant["id"]]
    acting = {**alice.partner_headers, "Vpbx-Tenant": str(tenant["id"])}
    assert client.get("/v1/reservations", headers=acting).json()["items"] == []


def test_a_partner_sees_only_its_own_tenants(client: TestClient, alice: Party, bob: Party) -> None:
    mine = client.get("/v1/tenants", headers=alice.partner_headers).json()
    assert [t["name"] for t in mine["items"]] == ["Alice tenant"]
    assert mine["next_cursor"] is None
    theirs = client.get("/v1/tenants", headers=bob.partner_headers).json()["items"]
    assert [t["id"] for t in theirs] == [bob.tenant_id]


def test_tenants_page_with_a_cursor(client: TestClient, alice: Party) -> None:
    for name in ("B", "C", "D"):
        client.post("/v1/tenants", json={"name": name}, headers=alice.partner_headers)
    first = client.get("/v1/tenants", params={"limit": 2}, headers=alice.partner_headers).json()
    rest = client.get(
        "/v1/tenants",
        params={"limit": 2, "cursor": first["next_cursor"]},
        headers=alice.partner_headers,
    ).json()
    names = [t["name"] for t in first["items"] + rest["items"]]
    assert names == ["Alice tenant", "B", "C", "D"]
    assert rest["next_cursor"] is None


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_tenants_need_a_partner_key(client: TestClient, alice: Party, method: str) -> None:
    response = client.request(method, "/v1/tenants", json={"name": "X"}, headers=alice.headers)
    assert_problem(response, 403, "partner_key_required")


def test_a_duplicate_tenant_name_is_a_conflict(
    client: TestClient, alice: Party, bob: Party
) -> None:
    body = {"name": "Alice tenant"}
    assert_problem(
        client.post("/v1/tenants", json=body, headers=alice.partner_headers), 409, "tenant_exists"
    )
    assert client.post("/v1/tenants", json=body, headers=bob.partner_headers).status_code == 201


@pytest.mark.parametrize("email", ["nobody", "a@b", "a b@c.de", "@x.io", "a@@b.cd"])
def test_a_bad_email_is_refused(client: TestClient, alice: Party, email: str) -> None:
    response = client.post(
        "/v1/tenants", json={"name": "New", "email": email}, headers=alice.partner_headers
    )
    assert assert_problem(response, 422, "invalid")["field"] == "email"
    names = [
        t["name"] for t in client.get("/v1/tenants", headers=alice.partner_headers).json()["items"]
    ]
    assert "New" not in names


@pytest.mark.parametrize(
    "body", [{}, {"name": ""}, {"name": "x" * 201}, {"name": 5}, {"name": "X", "plan": "gold"}]
)
def test_a_bad_tenant_body_is_a_validation_error(
    client: TestClient, alice: Party, body: dict[str, Any]
) -> None:
    response = client.post("/v1/tenants", json=body, headers=alice.partner_headers)
    assert_problem(response, 422, "validation_failed")


def test_a_blank_tenant_name_is_refused(client: TestClient, alice: Party) -> None:
    response = client.post("/v1/tenants", json={"name": "   "}, headers=alice.partner_headers)
    assert assert_problem(response, 422, "invalid")["field"] == "name"


# --- one tenant: read, change, suspend ----------------------------------------------


def _patch(client: TestClient, party: Party, body: dict[str, Any], tenant: int = 0) -> Any:
    path = f"/v1/tenants/{tenant or party.tenant_id}"
    return client.patch(path, json=body, headers=party.partner_headers)


def test_a_partner_reads_and_renames_its_tenant(client: TestClient, alice: Party) -> None:
    path = f"/v1/tenants/{alice.tenant_id}"
    before = client.get(path, headers=alice.partner_headers).json()
    response = _patch(client, alice, {"name": "Alice & Co", "email": "Boss@Alice.example"})
    assert response.status_code == 200, response.text
    after = response.json()
    assert (after["name"], after["email"], after["status"]) == (
        "Alice & Co",
        "boss@alice.example",
        "active",
    )
    assert after["sip_domain"] == before["sip_domain"]  # phones keep their settings
    assert client.get(path, headers=alice.partner_headers).json() == after
    cleared = _patch(client, alice, {"email": None}).json()
    assert cleared["email"] is None
    assert _patch(client, alice, {}).json() == cleared  # nothing asked, nothing changed
    (event, first) = audit(client, alice, action="tenant.update")[:2]
    assert (event["before"], event["after"]) == ({"email": "boss@alice.example"}, {"email": None})
    assert first["after"] == {"name": "Alice & Co", "email": "boss@alice.example"}


def test_a_suspended_tenants_key_stops_and_comes_back(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    assert client.get("/v1/numbers", headers=alice.headers).status_code == 200
    assert _patch(client, alice, {"status": "suspended"}).json()["status"] == "suspended"
    assert_problem(client.get("/v1/numbers", headers=alice.headers), 401, "tenant_inactive")
    # its partner still manages it (to look, to settle, to reactivate)
    assert client.get("/v1/numbers", headers=alice.acting()).status_code == 200
    assert _patch(client, alice, {"status": "active"}).json()["status"] == "active"
    assert client.get("/v1/numbers", headers=alice.headers).status_code == 200
    events = audit(client, alice, action="tenant.update")
    assert [e["after"] for e in events] == [{"status": "active"}, {"status": "suspended"}]


def test_suspending_unregisters_the_tenants_phones(
    client: TestClient, alice: Party, bob: Party, notifier: RecordingNotifier
) -> None:
    for number in ("101", "102"):
        body = {"number": number, "password": "Kx7-tq9Lm2"}
        assert client.post("/v1/extensions", json=body, headers=alice.headers).status_code == 201
    body = {"number": "101", "password": "Kx7-tq9Lm2"}
    assert client.post("/v1/extensions", json=body, headers=bob.headers).status_code == 201
    domain = client.get("/v1/pbx", headers=alice.headers).json()["sip_domain"]
    notifier.dropped.clear()
    _patch(client, alice, {"status": "suspended"})
    assert notifier.flushes == 1  # the cached credentials of the whole domain
    assert notifier.dropped == [f"101@{domain}", f"102@{domain}"]  # Bob's 101 stays
    _patch(client, alice, {"status": "suspended"})  # already: nothing to tell
    assert notifier.flushes == 1
    _patch(client, alice, {"status": "active"})
    assert (notifier.flushes, len(notifier.dropped)) == (2, 2)


def test_a_refused_tenant_change_changes_nothing(
    client: TestClient, alice: Party, bob: Party, notifier: RecordingNotifier
) -> None:
    assert_problem(
        _patch(client, alice, {"name": "Bob tenant"}, bob.tenant_id), 404, "tenant_not_found"
    )
    assert_problem(_patch(client, alice, {}, 999_999), 404, "tenant_not_found")
    body = {"name": "Second"}
    assert client.post("/v1/tenants", json=body, headers=alice.partner_headers).status_code == 201
    response = _patch(client, alice, {"name": "Second", "status": "suspended"})
    assert assert_problem(response, 409, "tenant_exists")["field"] == "name"
    response = _patch(client, alice, {"email": "nobody", "status": "suspended"})
    assert assert_problem(response, 422, "invalid")["field"] == "email"
    for bad in ({"status": "deleted"}, {"status": None, "plan": "gold"}, {"name": ""}):
        assert_problem(_patch(client, alice, bad), 422, "validation_failed")
    tenant = client.get(f"/v1/tenants/{alice.tenant_id}", headers=alice.partner_headers).json()
    assert (tenant["name"], tenant["status"]) == ("Alice tenant", "active")
    assert notifier.flushes == 0  # a rolled-back change tells the SIP server nothing
    assert audit(client, alice, action="tenant.update") == []
    path = f"/v1/tenants/{alice.tenant_id}"
    assert_problem(client.get(path, headers=alice.headers), 403, "partner_key_required")
    assert_problem(
        client.patch(path, json={"status": "suspended"}, headers=alice.headers),
        403,
        "partner_key_required",
    )
    assert_problem(
        client.get(f"/v1/tenants/{bob.tenant_id}", headers=alice.partner_headers),
        404,
        "tenant_not_found",
    )


# --- audit --------------------------------------------------------------------------


def test_reserve_buy_and_release_are_audited(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    assert reserve(client, alice.headers, "+842477778823").status_code == 201
    order = client.post(
        "/v1/orders", json={"numbers": ["+842477712345"], "months": 2}, headers=alice.headers
    ).json()
    assert client.delete("/v1/numbers/+842477712345", headers=alice.headers).status_code == 200
    actor = f"key:{key_id(client, alice, alice.tenant_key)}"
    events = audit(client, alice, tenant_id=alice.tenant_id)
    numbered = [e for e in events if e["object_type"] == "number"]
    assert [(e["action"], e["object_id"]) for e in numbered] == [
        ("number.release", "+842477712345"),
        ("number.buy", "+842477712345"),
        ("number.reserve", "+842477778823"),
    ]
    for event in numbered:
        assert (event["actor"], event["tenant_id"]) == (actor, alice.tenant_id)
        assert event["at"].endswith("Z")
    release, buy, hold = numbered
    assert release["before"] == {"status": "active"}
    assert release["after"]["status"] == "aging"
    assert buy["after"]["status"] == "active"
    assert (buy["after"]["order_id"], buy["after"]["months"]) == (order["id"], 2)
    assert hold["before"] is None
    assert isinstance(hold["after"]["reservation_id"], int)


def test_a_partner_key_is_the_actor_when_it_acts(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    assert reserve(client, alice.acting(), "+842477778823").status_code == 201
    (event,) = audit(client, alice, action="number.reserve")
    assert event["actor"] == f"key:{key_id(client, alice, alice.partner_key)}"
    assert event["tenant_id"] == alice.tenant_id


def test_audit_filters_by_action_object_and_tenant(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    reserve(client, alice.headers, "+842477778823", "+842438256868")
    assert [e["object_id"] for e in audit(client, alice, object_id="+842438256868")] == [
        "+842438256868"
    ]
    assert len(audit(client, alice, action="number.reserve")) == 2
    assert audit(client, alice, action="number.buy") == []
    assert audit(client, alice, tenant_id=alice.tenant_id + 1000) == []


def test_a_partner_never_sees_another_partners_events(
    client: TestClient, alice: Party, bob: Party, stock: list[str]
) -> None:
    reserve(client, alice.headers, "+842477778823")
    assert audit(client, bob, object_id="+842477778823") == []
    assert audit(client, bob, tenant_id=alice.tenant_id) == []
    assert all(e["tenant_id"] in (None, bob.tenant_id) for e in audit(client, bob, limit=200))


def test_audit_pages_newest_first_with_a_cursor(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    reserve(client, alice.headers, *stock[:5])
    everything = [e["id"] for e in audit(client, alice, limit=200)]
    assert everything == sorted(everything, reverse=True)
    walked: list[int] = []
    cursor = None
    for _ in range(50):
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = client.get("/v1/audit", params=params, headers=alice.partner_headers).json()
        walked += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert walked == everything


def test_audit_filters_by_time(client: TestClient, alice: Party, stock: list[str]) -> None:
    reserve(client, alice.headers, "+842477778823")
    everything = audit(client, alice, limit=200)
    assert audit(client, alice, since="2000-01-01T00:00:00Z", limit=200) == everything
    assert audit(client, alice, until="2000-01-01T00:00:00Z") == []
    assert audit(client, alice, since="2999-01-01T00:00:00+07:00") == []
    newest = everything[0]["at"]
    assert [e["id"] for e in audit(client, alice, since=newest)] == [everything[0]["id"]]


def test_audit_needs_a_partner_key(client: TestClient, alice: Party) -> None:
    assert_problem(client.get("/v1/audit", headers=alice.headers), 403, "partner_key_required")


def test_a_failed_change_leaves_no_audit_event(
    client: TestClient, alice: Party, bob: Party, stock: list[str]
) -> None:
    reserve(client, bob.headers, "+842438256868")
    response = client.post(
        "/v1/orders",
        json={"numbers": ["+842477778823", "+842438256868"], "months": 1},
        headers=alice.headers,
    )
    assert response.status_code == 409
    assert audit(client, alice, action="number.buy") == []


def test_buying_a_held_number_audits_its_real_previous_state(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    reserve(client, alice.headers, "+842477778823")
    client.post(
        "/v1/orders", json={"numbers": ["+842477778823"], "months": 1}, headers=alice.headers
    )
    (event,) = audit(client, alice, action="number.buy")
    assert event["before"]["status"] == "reserved"


# --- known bugs ---------------------------------------------------------------------


@pytest.fixture
def safe(client: TestClient) -> TestClient:
    return TestClient(client.app, raise_server_exceptions=False)


def assert_handled(response: Any) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    "params",
    [
        {"since": "2024-01-01T00:00:00"},
        {"until": "2024-01-01"},
        {"since": "0001-01-01T00:00:00+10:00"},
        {"until": "9999-12-31T23:59:59-10:00"},
    ],
)
def test_audit_time_filters_never_crash(
    safe: TestClient, alice: Party, params: dict[str, str]
) -> None:
    assert_handled(safe.get("/v1/audit", params=params, headers=alice.partner_headers))


def test_a_tenant_header_of_non_ascii_digits_is_refused(client: TestClient, alice: Party) -> None:
    headers = [
        (b"authorization", f"Bearer {alice.partner_key}".encode()),
        (b"vpbx-tenant", b"\xb2"),
    ]
    response = raw_status(client, "/v1/reservations", headers)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "Vpbx-Tenant"


@pytest.mark.parametrize(
    ("method", "path", "body", "params"),
    [
        ("POST", "/v1/tenants", {"name": "a\x00b"}, {}),
        ("POST", "/v1/tenants", {"name": "ok", "email": "a\x00@b.cd"}, {}),
        ("GET", "/v1/audit", None, {"action": "a\x00b"}),
        ("GET", "/v1/audit", None, {"object_id": "a\x00b"}),
    ],
)
def test_a_nul_character_never_crashes(
    safe: TestClient, alice: Party, method: str, path: str, body: Any, params: dict[str, str]
) -> None:
    response = safe.request(method, path, json=body, params=params, headers=alice.partner_headers)
    assert_handled(response)
