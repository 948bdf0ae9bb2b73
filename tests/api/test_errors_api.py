"""The error envelope: problem+json, 401/404/405/422 codes, and no 500 for any bad input."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Party
from tests.problems import assert_handled, assert_problem

ORDER = {"numbers": ["+842477778823"], "months": 1}
PROTECTED = [
    ("GET", "/v1/numbers/available", None),
    ("GET", "/v1/numbers", None),
    ("GET", "/v1/numbers/+842477778823", None),
    ("DELETE", "/v1/numbers/+842477778823", None),
    ("GET", "/v1/reservations", None),
    ("POST", "/v1/reservations", {"numbers": ["+842477778823"]}),
    ("GET", "/v1/reservations/1", None),
    ("DELETE", "/v1/reservations/1", None),
    ("POST", "/v1/orders", ORDER),
    ("GET", "/v1/orders/1", None),
    ("GET", "/v1/tenants", None),
    ("POST", "/v1/tenants", {"name": "X"}),
    ("GET", "/v1/audit", None),
]


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


def assert_validation(response: Any, field: str) -> None:
    body = assert_problem(response, 422, "validation_failed")
    assert body["errors"], body
    assert all({"field", "message"} <= e.keys() for e in body["errors"])
    assert field in [e["field"] for e in body["errors"]], body["errors"]


@pytest.fixture
def safe(client: TestClient) -> TestClient:
    """The same app, but a crash comes back as the 500 a real client would see."""
    return TestClient(client.app, raise_server_exceptions=False)


# --- authentication -----------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "body"), PROTECTED)
@pytest.mark.parametrize(
    ("authorization", "code"),
    [
        (None, "missing_api_key"),
        ("Bearer vpbx_not-a-real-key", "invalid_api_key"),
        ("bearer   vpbx_not-a-real-key  ", "invalid_api_key"),
        ("Basic dXNlcjpwYXNz", "invalid_authorization"),
        ("Bearer", "invalid_authorization"),
        ("Bearer    ", "invalid_authorization"),
        ("vpbx_not-a-real-key", "invalid_authorization"),
    ],
)
def test_every_endpoint_needs_a_valid_bearer_key(
    client: TestClient,
    alice: Party,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    authorization: str | None,
    code: str,
) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = client.request(method, path, json=body, headers=headers)
    assert_problem(response, 401, code)
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_tenant_key_works_with_any_case_of_bearer(client: TestClient, alice: Party) -> None:
    headers = {"Authorization": f"BEARER {alice.tenant_key}"}
    assert client.get("/v1/reservations", headers=headers).status_code == 200


# --- routing ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/v1/nope", "/v2/numbers", "/v1/numbers/available/x", "/"])
def test_an_unknown_path_is_route_not_found(client: TestClient, alice: Party, path: str) -> None:
    assert_problem(client.get(path, headers=alice.headers), 404, "route_not_found")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/v1/numbers/available"),
        ("POST", "/v1/numbers"),
        ("PATCH", "/v1/orders/1"),
        ("DELETE", "/v1/orders/1"),
        ("PUT", "/v1/reservations/1"),
        ("DELETE", "/v1/tenants"),
        ("POST", "/healthz"),
    ],
)
def test_a_wrong_method_is_method_not_allowed(
    client: TestClient, alice: Party, method: str, path: str
) -> None:
    assert_problem(client.request(method, path, headers=alice.headers), 405, "method_not_allowed")


def test_health_needs_no_key(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_docs_and_schema_are_served(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    schema = client.get("/openapi.json")
    assert schema.status_code == 200
    assert {"/v1/numbers/available", "/v1/orders", "/v1/reservations"} <= set(
        schema.json()["paths"]
    )


def test_every_path_parameter_of_the_schema_is_declared(client: TestClient) -> None:
    """Client generators refuse an OpenAPI document whose path names a parameter it does
    not declare (schemathesis found `{prefix}` and `{method}` of the eTelecom face)."""
    undeclared = []
    for path, operations in client.get("/openapi.json").json()["paths"].items():
        named = set(re.findall(r"{([^}:]+)", path))
        for verb, operation in operations.items():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            if named != declared:
                undeclared.append((verb, path, sorted(named ^ declared)))
    assert undeclared == []


# --- validation ---------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/v1/reservations", "/v1/orders", "/v1/tenants"])
@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"{bad json", "application/json"),
        (b"", "application/json"),
        (b'{"numbers": ["+842477778823"], "months": 1, "name": "X"}', "text/plain"),
        (b"numbers=%2B842477778823&months=1&name=X", "application/x-www-form-urlencoded"),
        (b"[]", "application/json"),
        (b"null", "application/json"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_refused(
    client: TestClient, alice: Party, path: str, content: bytes, content_type: str
) -> None:
    headers = alice.partner_headers if path == "/v1/tenants" else alice.headers
    response = client.post(path, content=content, headers={**headers, "Content-Type": content_type})
    assert_problem(response, 422, "validation_failed")
    assert response.json()["errors"]


@pytest.mark.parametrize("path", ["/v1/reservations", "/v1/orders"])
def test_a_json_body_that_is_not_utf8_is_a_validation_error(
    client: TestClient, alice: Party, path: str
) -> None:
    headers = {**alice.headers, "Content-Type": "application/json"}
    response = client.post(path, content=b"\xff\xfe\x00", headers=headers)
    assert_problem(response, 422, "validation_failed")


def test_an_anonymous_malformed_post_is_unauthenticated(client: TestClient) -> None:
    headers = {"Content-Type": "application/json"}
    response = client.post("/v1/orders", content=b"{bad", headers=headers)
    assert_problem(response, 401, "missing_api_key")


def test_an_invalid_key_is_unauthenticated_whatever_the_tenant_header(client: TestClient) -> None:
    headers = {"Authorization": "Bearer vpbx_not-a-real-key", "Vpbx-Tenant": "abc"}
    assert_problem(client.get("/v1/reservations", headers=headers), 401, "invalid_api_key")


def test_an_anonymous_post_with_a_bad_body_is_unauthenticated(client: TestClient) -> None:
    response = client.post("/v1/orders", json={"numbers": [], "months": 0})
    assert_problem(response, 401, "missing_api_key")


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/reservations", {}, "numbers"),
        ("/v1/reservations", {"numbers": []}, "numbers"),
        ("/v1/reservations", {"numbers": ["+842477778823"] * 101}, "numbers"),
        ("/v1/reservations", {"numbers": "+842477778823"}, "numbers"),
        ("/v1/reservations", {"numbers": [842477778823]}, "numbers.0"),
        ("/v1/reservations", {"numbers": [""]}, "numbers.0"),
        ("/v1/reservations", {"numbers": ["1" * 33]}, "numbers.0"),
        ("/v1/reservations", {"numbers": ["+842477778823"], "minutes": 0}, "minutes"),
        ("/v1/reservations", {"numbers": ["+842477778823"], "minutes": 10**30}, "minutes"),
        ("/v1/reservations", {"numbers": ["+842477778823"], "owner_type": "robot"}, "owner_type"),
        ("/v1/reservations", {"numbers": ["+842477778823"], "colour": "red"}, "colour"),
        ("/v1/orders", {"numbers": ["+842477778823"]}, "months"),
        ("/v1/orders", {**ORDER, "months": 0}, "months"),
        ("/v1/orders", {**ORDER, "months": -3}, "months"),
        ("/v1/orders", {**ORDER, "months": 1.5}, "months"),
        ("/v1/orders", {**ORDER, "months": "many"}, "months"),
        ("/v1/orders", {**ORDER, "months": 10**40}, "months"),
        ("/v1/orders", {**ORDER, "note": "x" * 501}, "note"),
        ("/v1/orders", {**ORDER, "note": 5}, "note"),
        ("/v1/orders", {**ORDER, "price": "0"}, "price"),
        ("/v1/orders", {"numbers": [], "months": 1}, "numbers"),
        ("/v1/orders", {"numbers": ["+842477778823"] * 101, "months": 1}, "numbers"),
    ],
)
def test_a_bad_body_is_a_validation_error_naming_the_field(
    client: TestClient, alice: Party, stock: list[str], path: str, body: Any, field: str
) -> None:
    assert_validation(client.post(path, json=body, headers=alice.headers), field)
    assert client.get("/v1/numbers", headers=alice.headers).json()["items"] == []


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/v1/numbers/available", {"limit": 0}, "limit"),
        ("/v1/numbers/available", {"limit": -5}, "limit"),
        ("/v1/numbers/available", {"limit": 201}, "limit"),
        ("/v1/numbers/available", {"limit": "ten"}, "limit"),
        ("/v1/numbers/available", {"tier": "diamond"}, "tier.0"),
        ("/v1/numbers/available", {"min_tier": "GOLD"}, "min_tier"),
        ("/v1/numbers/available", {"number_type": "fax"}, "number_type"),
        ("/v1/numbers/available", {"owner_type": "robot"}, "owner_type"),
        ("/v1/numbers/available", {"country": "VNM"}, "country"),
        ("/v1/numbers/available", {"currency": "US"}, "currency"),
        ("/v1/numbers/available", {"area_code": "2a"}, "area_code"),
        ("/v1/numbers/available", {"price_min": "-1"}, "price_min"),
        ("/v1/numbers/available", {"price_max": "NaN"}, "price_max"),
        ("/v1/numbers/available", {"sms": "maybe"}, "sms"),
        ("/v1/numbers/available", {"mask": "1" * 41}, "mask"),
        ("/v1/numbers", {"status": "aging"}, "status"),
        ("/v1/reservations", {"include_ended": "perhaps"}, "include_ended"),
        ("/v1/reservations", {"cursor": "abc"}, "cursor"),
        ("/v1/reservations", {"cursor": 0}, "cursor"),
    ],
)
def test_a_bad_query_is_a_validation_error_naming_the_field(
    client: TestClient, alice: Party, path: str, params: dict[str, Any], field: str
) -> None:
    assert_validation(client.get(path, params=params, headers=alice.headers), field)


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/v1/audit", {"limit": 0}, "limit"),
        ("/v1/audit", {"tenant_id": 0}, "tenant_id"),
        ("/v1/audit", {"since": "yesterday"}, "since"),
        ("/v1/audit", {"action": "x" * 65}, "action"),
        ("/v1/tenants", {"cursor": -1}, "cursor"),
        ("/v1/tenants", {"limit": 201}, "limit"),
    ],
)
def test_a_bad_partner_query_is_a_validation_error(
    client: TestClient, alice: Party, path: str, params: dict[str, Any], field: str
) -> None:
    assert_validation(client.get(path, params=params, headers=alice.partner_headers), field)


# fmt: off
CURSOR_GARBAGE = [
    "!!!", "é", "abc", "=", "x" * 200, "__46MQ", b64("nope"), b64("24:x"), b64("24"),
    b64("24:1:2"), b64("abc:1"), b64(":1"), b64("2\x00:1"), b64("-24:1"),
]
WEIRD_PATH_NUMBERS = [
    "abc", "+", "0", "+0", "+84", "+1" + "2" * 30, "9" * 300, " ", "+84 24 7777 88 23 ext 5",
    "+８４１２", "١٢٣٤٥٦٧٨٩٠", "tel:+842477778823", "💩", "'; DROP TABLE numbers;--",
    "+842477778823\u200b", "%2B842477778823",
]
WEIRD_BODY_NUMBERS = [
    "💩", "", "+", "+84" + "9" * 29, "\x00", "０", "+٨٤٢٤٧٧٧٧٨٨٢٣", "'; --", "+842477778823\n",
]
WEIRD_SEARCHES: list[dict[str, Any]] = [
    {"mask": "💩"}, {"mask": "%"}, {"mask": "_"}, {"mask": "*" * 40}, {"mask": "?" * 15},
    {"mask": "2477" * 10}, {"mask": "'; DROP TABLE numbers;--"}, {"region": "ñ" * 120},
    {"region": "%"}, {"region": "'"}, {"country": "ZZ"}, {"country": "éé"}, {"area_code": "0"},
    {"area_code": "1234567"}, {"price_min": "abc"}, {"price_min": "12345678901234567890.12345"},
    {"price_max": "Infinity"}, {"price_max": "1e20"}, {"price_min": "0.00000000001"},
    {"limit": str(10**30)}, {"limit": "1.5"}, {"cursor": "x" * 201},
    {"tier": ["gold", "gold", "simple"]}, {"min_tier": ""}, {"sms": "0"},
]
WEIRD_AUDITS: list[dict[str, Any]] = [
    {"since": "2024-13-01T00:00:00Z"}, {"until": ""}, {"tenant_id": "-1"}, {"cursor": "0"},
    {"object_id": "💩"}, {"action": "'; --"}, {"since": "1700000000"}, {"limit": "201"},
    {"until": "9999-12-31T23:59:59+00:00"}, {"since": "2024-01-01T00:00:00Z"},
]
WEIRD_TENANTS: list[dict[str, Any]] = [
    {"name": "💩"}, {"name": "ñ" * 200}, {"name": "x", "email": ""}, {"name": "y", "email": None},
    {"name": "z", "email": "é@é.é"}, {"name": "w", "email": "a" * 316 + "@b.cd"},
    {"name": ["x"]}, {"name": "v", "email": 5},
]
# fmt: on


@pytest.mark.parametrize("path", ["/v1/numbers/available", "/v1/numbers"])
@pytest.mark.parametrize("cursor", CURSOR_GARBAGE)
def test_cursor_garbage_is_refused_with_field_cursor(
    client: TestClient, alice: Party, stock: list[str], path: str, cursor: str
) -> None:
    response = client.get(path, params={"cursor": cursor}, headers=alice.headers)
    assert assert_problem(response, 422, "invalid")["field"] == "cursor"


@pytest.mark.parametrize("reservation_id", ["abc", "1.5", "-1", "0x1", "%20"])
def test_a_non_integer_id_in_the_path_is_a_validation_error(
    client: TestClient, alice: Party, reservation_id: str
) -> None:
    for path in (f"/v1/reservations/{reservation_id}", f"/v1/orders/{reservation_id}"):
        response = client.get(path, headers=alice.headers)
        assert response.status_code in (404, 422), response.text
        assert_problem(response, response.status_code)


def test_the_largest_int64_id_is_simply_not_found(client: TestClient, alice: Party) -> None:
    largest = 2**63 - 1
    assert_problem(client.get(f"/v1/reservations/{largest}", headers=alice.headers), 404)
    assert_problem(client.get(f"/v1/orders/{largest}", headers=alice.headers), 404)


@pytest.mark.parametrize(
    ("method", "path", "partner", "tenant"),
    [
        ("GET", f"/v1/reservations/{2**63}", False, None),
        ("DELETE", f"/v1/reservations/{2**63}", False, None),
        ("GET", f"/v1/orders/{10**25}", False, None),
        ("GET", f"/v1/reservations?cursor={2**63}", False, None),
        ("GET", f"/v1/audit?cursor={2**63}", True, None),
        ("GET", f"/v1/audit?tenant_id={2**63}", True, None),
        ("GET", f"/v1/tenants?cursor={2**63}", True, None),
        ("GET", "/v1/reservations", True, str(2**63)),
    ],
)
def test_ids_beyond_int64_never_crash(
    safe: TestClient, alice: Party, method: str, path: str, partner: bool, tenant: str | None
) -> None:
    headers = alice.partner_headers if partner else alice.headers
    headers = headers | ({"Vpbx-Tenant": tenant} if tenant else {})
    assert_handled(safe.request(method, path, headers=headers))


@pytest.mark.parametrize("text", WEIRD_PATH_NUMBERS)
def test_weird_numbers_in_the_path_never_crash(
    safe: TestClient, alice: Party, stock: list[str], text: str
) -> None:
    assert_handled(safe.get(f"/v1/numbers/{text}", headers=alice.headers))
    assert_handled(safe.delete(f"/v1/numbers/{text}", headers=alice.headers))


@pytest.mark.parametrize("text", WEIRD_BODY_NUMBERS)
def test_weird_numbers_in_bodies_never_crash(
    safe: TestClient, alice: Party, stock: list[str], text: str
) -> None:
    body = {"numbers": [text], "months": 1}
    assert_handled(safe.post("/v1/reservations", json={"numbers": [text]}, headers=alice.headers))
    assert_handled(safe.post("/v1/orders", json=body, headers=alice.headers))


@pytest.mark.parametrize("params", WEIRD_SEARCHES)
def test_weird_search_queries_never_crash(
    safe: TestClient, alice: Party, stock: list[str], params: dict[str, Any]
) -> None:
    assert_handled(safe.get("/v1/numbers/available", params=params, headers=alice.headers))


@pytest.mark.parametrize("params", WEIRD_AUDITS)
def test_weird_audit_queries_never_crash(
    safe: TestClient, alice: Party, params: dict[str, Any]
) -> None:
    assert_handled(safe.get("/v1/audit", params=params, headers=alice.partner_headers))


@pytest.mark.parametrize("body", WEIRD_TENANTS)
def test_weird_tenant_bodies_never_crash(
    safe: TestClient, alice: Party, body: dict[str, Any]
) -> None:
    assert_handled(safe.post("/v1/tenants", json=body, headers=alice.partner_headers))
