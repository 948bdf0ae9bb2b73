"""Bad input of every kind gets Plusofon's envelope (a clear 4xx), never a 500, and
changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Party
from tests.dialects.plusofon.helpers import assert_failure, buy, headers, number_ids, send

PATHS = [
    ("GET", "number"),
    ("GET", "number/sms"),
    ("GET", "number/follow-types"),
    ("GET", "number/search"),
    ("POST", "number/follow"),
    ("PATCH", "number/contact-list"),
    ("POST", "number/reserve"),
    ("GET", "number/reserve"),
    ("POST", "number/buy"),
    ("DELETE", "number/1"),
    ("GET", "sip"),
    ("GET", "groups"),
    ("GET", "contact-lists"),
]


@pytest.mark.parametrize(("method", "path"), PATHS)
def test_without_a_key_is_401(safe: TestClient, method: str, path: str) -> None:
    response = safe.request(method, f"/api/v1/{path}", headers={"Client": "10553"})
    assert_failure(response, 401)
    bad = safe.request(method, f"/api/v1/{path}", headers={"Authorization": "Bearer nope"})
    assert_failure(bad, 401)


def test_a_partner_key_is_not_a_tenant(safe: TestClient, alice: Party) -> None:
    response = safe.get("/api/v1/number", headers=headers(alice, partner=True))
    assert "tenant" in assert_failure(response, 403)["message"]
    # Acting for one of its tenants, as on the native API, it may.
    acting = {**headers(alice, partner=True), "Vpbx-Tenant": str(alice.tenant_id)}
    assert safe.get("/api/v1/number", headers=acting).status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "number/follow", {"type": "sip", "numbers": "abc", "cli_type": "Y"}),
        ("POST", "number/follow", {"type": "sip", "numbers": [True], "sip_id": 1, "cli_type": "Y"}),
        (
            "POST",
            "number/follow",
            {"type": "sip", "numbers": [2**70], "sip_id": 1, "cli_type": "Y"},
        ),
        ("POST", "number/follow", {"type": "sip", "numbers": [0], "sip_id": 1, "cli_type": "Y"}),
        (
            "POST",
            "number/follow",
            {"type": "number", "numbers": [1], "destination_number": "7\x00", "cli_type": "Y"},
        ),
        ("POST", "number/follow", {"numbers": [1]}),
        ("POST", "number/follow", {"type": None, "numbers": None}),
        ("PATCH", "number/contact-list", {"contact_list_id": "x", "numbers": [1]}),
        ("PATCH", "number/contact-list", {"contact_list_id": 2**64, "numbers": [1]}),
        ("PATCH", "number/contact-list", {"numbers": []}),
        ("POST", "number/reserve", {"number": "74951\x00", "owner_type": "business"}),
        ("POST", "number/reserve", {"number": 4951919036}),
        ("POST", "number/reserve", {"number": 4951919036, "owner_type": "business", "short": True}),
        ("POST", "number/buy", {"numbers": "4951919036", "owner_type": "business"}),
        ("POST", "number/buy", {"numbers": [{"a": 1}], "owner_type": "business"}),
        ("POST", "number/buy", {"numbers": ["4951919036"] * 101, "owner_type": "business"}),
        ("GET", "number/search", {"city_code": "abc"}),
        ("GET", "number/search", {"region": 2**63}),
        ("GET", "number/search", {"region": 999}),
        ("GET", "number/search", {"number_type": "9"}),
        ("GET", "number/search", {"phone_number": "1" * 30}),
        ("POST", "sms", {"number_id": 1, "to": "7916", "text": ""}),
        ("POST", "sms", {"number_id": 1, "to": "79161234567", "text": "hi"}),
    ],
)
def test_bad_bodies_are_422(
    safe: TestClient, alice: Party, stock: list[str], method: str, path: str, body: Any
) -> None:
    buy(safe, alice, "74951334527")
    before = safe.get("/v1/numbers", headers=alice.headers).json()
    response = send(safe, alice, method, path, body)
    assert_failure(response, 422)
    assert safe.get("/v1/numbers", headers=alice.headers).json() == before


@pytest.mark.parametrize(
    "payload", [b"{", b"[1, 2]", b'"text"', b"\xff\xfe", b'{"numbers": [1]' + b"]" * 5]
)
def test_malformed_json_is_422(safe: TestClient, alice: Party, payload: bytes) -> None:
    for method, path in (("POST", "number/follow"), ("GET", "number"), ("DELETE", "number/1")):
        response = safe.request(method, f"/api/v1/{path}", headers=headers(alice), content=payload)
        assert_failure(response, 422)


def test_deeply_nested_json_is_422(safe: TestClient, alice: Party) -> None:
    payload = b"[" * 100_000 + b"]" * 100_000
    response = safe.post("/api/v1/number/buy", headers=headers(alice), content=payload)
    assert_failure(response, 422)


def test_wrong_content_type_is_422(safe: TestClient, alice: Party) -> None:
    response = safe.post(
        "/api/v1/number/buy",
        headers={**headers(alice), "Content-Type": "application/x-www-form-urlencoded"},
        content=b"numbers=1&owner_type=business",
    )
    assert_failure(response, 422)


@pytest.mark.parametrize("number_id", ["abc", "0", "-1", str(2**63), "9" * 40, "1.5", "%00"])
def test_ids_in_paths_that_name_nothing_are_404(
    safe: TestClient, alice: Party, stock: list[str], number_id: str
) -> None:
    buy(safe, alice, "74951334527")
    for path in (f"number/{number_id}", f"number/reserve/{number_id}"):
        assert_failure(send(safe, alice, "DELETE", path), 404)
    assert len(number_ids(safe, alice)) == 1


def test_unknown_paths_and_methods(safe: TestClient, alice: Party) -> None:
    assert_failure(send(safe, alice, "GET", "nothing/here"), 404)
    assert_failure(safe.get("/api/v1/nothing"), 404)
    assert_failure(send(safe, alice, "PUT", "number/follow"), 405)
    assert_failure(send(safe, alice, "POST", "number"), 405)


def test_query_values_are_checked_like_body_values(safe: TestClient, alice: Party) -> None:
    response = safe.get("/api/v1/number/search?phone_type=xyz&region=abc", headers=headers(alice))
    failure = assert_failure(response, 422)
    assert {"phone_type", "region"} <= set(failure["errors"])
    listed = safe.get("/api/v1/number/search?numbers[]=1&numbers[]=2", headers=headers(alice))
    assert listed.status_code == 200  # unknown parameters are not read, as in Laravel


@pytest.mark.parametrize("path", ["number", "number/search", "number/sms", "number/reserve", "sip"])
def test_far_pages_are_empty_pages(
    safe: TestClient, alice: Party, stock: list[str], path: str
) -> None:
    response = safe.get(f"/api/v1/{path}?page=999999999", headers=headers(alice))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["data"] == []
    assert body["current_page"] == 999999999
