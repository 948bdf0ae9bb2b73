"""Hostile input on every OMICall endpoint: always OMICall's failure envelope with a
clear code and message, never a crash, and nothing changed."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.dialects.omicall.conftest import Omi
from tests.dialects.omicall.helpers import fail, handled, ok
from vpbx.models import AuditEvent, Tenant, User

BUY = "/api/partner/public_number/buy"
ADD = "/api/partner/tenant/add"
ODD_VALUES: list[Any] = [
    None,
    0,
    -1,
    2**63,
    10**40,
    1.5,
    1e308,
    True,
    "",
    " ",
    "x" * 5000,
    "\x00",
    "abc\x00def",
    "\r\nX-Injected: 1",
    "١٠١",
    [],
    {},
    ["842477778823"],
]


def _counts(factory: sessionmaker[Session]) -> tuple[int, int, int]:
    with factory() as session:
        return (
            session.scalar(select(func.count()).select_from(Tenant)) or 0,
            session.scalar(select(func.count()).select_from(User)) or 0,
            session.scalar(select(func.count()).select_from(AuditEvent)) or 0,
        )


@pytest.fixture
def buy_body(omi_alice: Omi, stock: list[str]) -> dict[str, Any]:
    return {"number_count": 6, "note": "n", "number": "842438256868", "email": omi_alice.email}


@pytest.fixture
def add_body() -> dict[str, Any]:
    return {
        "email": "new@shop.vn",
        "password": "Str0ng!pass",
        "fullName": "New shop",
        "ownerName": "Owner",
        "phone": "0912345678",
        "isAutoActive": True,
    }


@pytest.mark.parametrize("field", ["number_count", "note", "number", "email"])
def test_buy_missing_field(
    safe: TestClient, omi_alice: Omi, buy_body: dict[str, Any], field: str
) -> None:
    body = {k: v for k, v in buy_body.items() if k != field}
    payload = fail(safe.post(BUY, json=body, headers=omi_alice.partner), "data_is_required")
    assert field in payload["message"]


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("number_count", 5, "number_count_invalid"),  # the document's minimum is 6
        ("number_count", 0, "number_count_invalid"),
        ("number_count", "six", "number_count_invalid"),
        ("number_count", 6.5, "number_count_invalid"),
        ("number_count", 121, "number_count_invalid"),  # above the instance's maximum
        ("number_count", 2**63, "number_count_invalid"),
        ("number", "abc", "number_invalid"),
        ("number", "", "number_invalid"),
        ("number", "84247777882\x00", "number_invalid"),
        ("number", 842438256868, "number_invalid"),
        ("number", "849", "number_invalid"),
        ("email", "not-an-email", "email_invalid"),
        ("email", "", "email_invalid"),
        ("email", "a@b.vn\x00", "email_invalid"),
        ("note", "x" * 501, "request_invalid"),
        ("note", None, "request_invalid"),
        ("unknown", 1, "request_invalid"),
    ],
)
def test_buy_bad_field(
    safe: TestClient,
    omi_alice: Omi,
    buy_body: dict[str, Any],
    factory: sessionmaker[Session],
    field: str,
    value: Any,
    code: str,
) -> None:
    before = _counts(factory)
    fail(safe.post(BUY, json={**buy_body, field: value}, headers=omi_alice.partner), code)
    assert _counts(factory) == before
    assert safe.get("/v1/numbers", headers=omi_alice.party.headers).json()["items"] == []


def test_buy_unknown_email_and_unknown_number(
    safe: TestClient, omi_alice: Omi, buy_body: dict[str, Any]
) -> None:
    response = safe.post(BUY, json={**buy_body, "email": "nobody@x.vn"}, headers=omi_alice.partner)
    fail(response, "tenant_not_found")
    response = safe.post(BUY, json={**buy_body, "number": "84901234567"}, headers=omi_alice.partner)
    fail(response, "number_not_available")


def test_buy_ambiguous_email(safe: TestClient, omi_alice: Omi, buy_body: dict[str, Any]) -> None:
    """The native API lets two tenants share an email; buying by it then is refused."""
    twin = safe.post(
        "/v1/tenants",
        json={"name": "Twin", "email": omi_alice.email},
        headers=omi_alice.party.partner_headers,
    )
    assert twin.status_code == 201, twin.text
    fail(safe.post(BUY, json=buy_body, headers=omi_alice.partner), "tenant_email_ambiguous")


@pytest.mark.parametrize(
    ("content", "content_type", "code"),
    [
        (b"{bad json", "application/json", "request_invalid"),
        (b"", "application/json", "body_request_is_required"),
        (b"[]", "application/json", "request_invalid"),
        (b"null", "application/json", "request_invalid"),
        (b'"text"', "application/json", "request_invalid"),
        (b"number_count=6", "application/x-www-form-urlencoded", "request_invalid"),
        (b'{"number_count": 6}', "text/plain", "request_invalid"),
        (b"\xff\xfe", "application/json", "request_invalid"),
    ],
)
def test_malformed_bodies(
    safe: TestClient,
    omi_alice: Omi,
    factory: sessionmaker[Session],
    content: bytes,
    content_type: str,
    code: str,
) -> None:
    before = _counts(factory)
    for path in (BUY, ADD):
        headers = {**omi_alice.partner, "Content-Type": content_type}
        fail(safe.post(path, content=content, headers=headers), code)
    assert _counts(factory) == before


@pytest.mark.parametrize("field", ["number_count", "note", "number", "email"])
def test_buy_never_crashes(
    safe: TestClient, omi_alice: Omi, buy_body: dict[str, Any], field: str
) -> None:
    for value in ODD_VALUES:
        if field == "note" and isinstance(value, str) and "\x00" not in value and len(value) <= 500:
            continue  # any such text is a valid note
        response = safe.post(BUY, json={**buy_body, field: value}, headers=omi_alice.partner)
        handled(response)
        fail(response)
    assert safe.get("/v1/numbers", headers=omi_alice.party.headers).json()["items"] == []


@pytest.mark.parametrize(
    "field", ["email", "password", "fullName", "ownerName", "phone", "isAutoActive"]
)
def test_tenant_add_never_crashes(
    safe: TestClient,
    omi_alice: Omi,
    add_body: dict[str, Any],
    factory: sessionmaker[Session],
    field: str,
) -> None:
    for value in ODD_VALUES:
        before = _counts(factory)
        response = safe.post(ADD, json={**add_body, field: value}, headers=omi_alice.partner)
        handled(response)
        if response.json()["status_code"] == -9999:
            assert _counts(factory) == before, value
        else:  # accepted (e.g. a null ownerName): the next one needs a fresh email and name
            add_body = {**add_body, "email": f"n{before[0]}@shop.vn", "fullName": f"S{before[0]}"}


@pytest.mark.parametrize(
    "password",
    ["short1!A", "alllowercase1!", "ALLUPPER1!", "NoDigits!!", "NoSpecial11", "Aa1!", ""],
)
def test_tenant_add_weak_password(
    safe: TestClient, omi_alice: Omi, add_body: dict[str, Any], password: str
) -> None:
    if password == "short1!A":  # exactly 8 with every class: the document's minimum
        ok(safe.post(ADD, json={**add_body, "password": password}, headers=omi_alice.partner))
        return
    response = safe.post(ADD, json={**add_body, "password": password}, headers=omi_alice.partner)
    fail(response, "password_invalid")


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("email", "nope", "email_invalid"),
        ("phone", "12", "phone_invalid"),
        ("phone", "not a phone", "phone_invalid"),
        ("fullName", "", "request_invalid"),
        ("fullName", "a\x00b", "request_invalid"),
        ("fullName", "Line\nBreak", "request_invalid"),
        ("fullName", "x" * 201, "request_invalid"),
        ("ownerName", "x" * 201, "request_invalid"),
        ("isAutoActive", "maybe", "request_invalid"),
    ],
)
def test_tenant_add_bad_field(
    safe: TestClient,
    omi_alice: Omi,
    add_body: dict[str, Any],
    factory: sessionmaker[Session],
    field: str,
    value: Any,
    code: str,
) -> None:
    before = _counts(factory)
    fail(safe.post(ADD, json={**add_body, field: value}, headers=omi_alice.partner), code)
    assert _counts(factory) == before


def test_tenant_add_conflicts_change_nothing(
    safe: TestClient, omi_alice: Omi, add_body: dict[str, Any], factory: sessionmaker[Session]
) -> None:
    ok(safe.post(ADD, json=add_body, headers=omi_alice.partner))
    before = _counts(factory)
    fail(safe.post(ADD, json=add_body, headers=omi_alice.partner), "email_registered")
    same_name = {**add_body, "email": "other@shop.vn"}
    fail(safe.post(ADD, json=same_name, headers=omi_alice.partner), "create_tenant_error")
    assert _counts(factory) == before


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("zz", "id_invalid"),
        ("12ab", "id_invalid"),
        ("g" * 24, "id_invalid"),
        ("1" * 25, "id_invalid"),
        ("-1", "id_invalid"),
        ("", "request_invalid"),
        ("\x00", "request_invalid"),
        ("0" * 24, "tenant_not_found"),
        ("0", "tenant_not_found"),
        (str(2**63), "tenant_not_found"),
        ("9" * 24, "tenant_not_found"),
    ],
)
def test_tenant_info_bad_id(safe: TestClient, omi_alice: Omi, value: str, code: str) -> None:
    response = safe.get("/api/partner/tenant/info", params={"id": value}, headers=omi_alice.partner)
    fail(response, code)


def test_tenant_info_without_id(safe: TestClient, omi_alice: Omi) -> None:
    fail(safe.get("/api/partner/tenant/info", headers=omi_alice.partner), "data_is_required")


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"enabled": "true"}, "data_is_required"),
        ({"sip_user": "101"}, "data_is_required"),
        ({"enabled": "maybe", "sip_user": "101"}, "request_invalid"),
        ({"enabled": "true", "sip_user": "abc"}, "request_invalid"),
        ({"enabled": "true", "sip_user": "1" * 7}, "request_invalid"),
        ({"enabled": "true", "sip_user": "10\x001"}, "request_invalid"),
        ({"enabled": "true", "sip_user": "999"}, "extension_not_found"),
    ],
)
def test_status_bad_params(
    safe: TestClient, omi_alice: Omi, params: dict[str, str], code: str
) -> None:
    response = safe.put(
        "/api/call_center/internal_phone/status", params=params, headers=omi_alice.tenant
    )
    fail(response, code)


@pytest.mark.parametrize(
    ("path", "params", "code"),
    [
        ("/api/call_center/hotline/list", {"extension": "abc"}, "request_invalid"),
        ("/api/call_center/hotline/list", {"extension": "1234567"}, "request_invalid"),
        ("/api/call_center/hotline/list", {"extension": "999"}, "extension_not_found"),
        ("/api/call_center/internal_phone/list", {"keyword": "a\x00"}, "request_invalid"),
        ("/api/call_center/internal_phone/list", {"keyword": "k" * 101}, "request_invalid"),
        ("/api/call_center/internal_phone/list", {"keyword": "%_\\"}, None),
    ],
)
def test_call_center_bad_params(
    safe: TestClient, omi_alice: Omi, path: str, params: dict[str, str], code: str | None
) -> None:
    response = safe.get(path, params=params, headers=omi_alice.tenant)
    if code is None:  # LIKE wildcards are plain characters: nothing matches, no error
        assert ok(response)["items"] == []
    else:
        fail(response, code)


def test_auth_bad_api_key_param(safe: TestClient) -> None:
    fail(safe.get("/api/auth", params={"apiKey": "a\x00b"}), "request_invalid")
    fail(safe.get("/api/auth", params={"apiKey": "k" * 201}), "request_invalid")


@pytest.mark.parametrize(
    ("method", "path", "code"),
    [
        ("GET", "/api/partner/nothing", "api_not_found"),
        ("GET", "/api/tenant/nothing", "api_not_found"),
        ("GET", "/api/call_center/x/y/z", "api_not_found"),
        ("DELETE", "/api/agent/delete", "api_not_found"),
        ("POST", "/api/partner/me", "method_not_allowed"),
        ("DELETE", "/api/tenant/detail", "method_not_allowed"),
        ("GET", "/api/partner/public_number/buy", "method_not_allowed"),
        ("POST", "/api/auth", "method_not_allowed"),
        ("GET", "/api/call_center/internal_phone/status", "method_not_allowed"),
    ],
)
def test_unknown_routes_answer_in_the_envelope(
    safe: TestClient, omi_alice: Omi, method: str, path: str, code: str
) -> None:
    # With or without a token: the route is what is wrong.
    for headers in ({}, omi_alice.tenant):
        fail(safe.request(method, path, headers=headers), code)


def test_other_dialects_namespaces_are_not_claimed(safe: TestClient) -> None:
    """/api/ is shared: Plusofon's /api/v1/ and eTelecom SMS's /api/Omni* are not OMICall's."""
    for path in ("/api/v1/nothing-here", "/api/Nothing/Here"):
        response = safe.get(path)
        assert response.status_code == 404
        assert "status_code" not in response.json()
