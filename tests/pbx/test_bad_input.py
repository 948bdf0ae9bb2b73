"""Hostile input on every PBX endpoint: always a 4xx problem document, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Party
from tests.pbx.helpers import (
    assert_handled,
    assert_problem,
    buy,
    error_fields,
    new_extension,
    new_user,
)

MAX_ID = 2**63 - 1
FIELDS: dict[tuple[str, str], list[str]] = {
    ("PATCH", "/v1/pbx"): ["sip_domain", "outbound_proxy", "extension_length"],
    ("POST", "/v1/users"): ["full_name", "email", "phone", "role", "enabled"],
    ("PATCH", "/v1/users/{user}"): ["full_name", "email", "phone", "role", "enabled"],
    ("POST", "/v1/extensions"): [
        "number",
        "password",
        "display_name",
        "user_id",
        "enabled",
        "expires_at",
        "caller_id_hotline",
        "outbound_hotlines",
    ],
    ("PATCH", "/v1/extensions/{ext}"): [
        "display_name",
        "user_id",
        "enabled",
        "expires_at",
        "caller_id_hotline",
        "outbound_hotlines",
    ],
    ("POST", "/v1/extensions/{ext}/password"): ["password"],
}
VALID: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/v1/users"): {"full_name": "X", "email": "x@acme.vn"},
}
BODY_ENDPOINTS = list(FIELDS)
ID_PATHS = [
    ("GET", "/v1/users/{id}"),
    ("PATCH", "/v1/users/{id}"),
    ("DELETE", "/v1/users/{id}"),
    ("GET", "/v1/extensions/{id}"),
    ("PATCH", "/v1/extensions/{id}"),
    ("DELETE", "/v1/extensions/{id}"),
    ("POST", "/v1/extensions/{id}/password"),
    ("GET", "/v1/extensions/{id}/secret"),
]
ODD_VALUES: list[Any] = [
    None,
    0,
    -1,
    2**63,
    2**64,
    10**40,
    1.5,
    1e308,
    True,
    "",
    " ",
    "x" * 5000,
    "\x00",
    "abc\x00def",
    "\ud7ff\ue000",
    "١٠١",
    "１０１",
    "+٨٤٢٤٣٨٢٥٦٨٦٨",
    "2030-13-45T99:99:99Z",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    [],
    [None],
    ["\x00"],
    [1, 2],
    ["+842438256868"] * 101,
    {},
    {"$gt": ""},
]


@pytest.fixture
def objects(client: TestClient, alice: Party, stock: list[str]) -> dict[str, int]:
    buy(client, alice, "+842438256868")
    user = new_user(client, alice)
    ext = new_extension(client, alice, user_id=user["id"])
    return {"user": user["id"], "ext": ext["id"]}


def url_of(path: str, objects: dict[str, int]) -> str:
    return path.format(user=objects["user"], ext=objects["ext"])


@pytest.mark.parametrize("endpoint", BODY_ENDPOINTS, ids=str)
@pytest.mark.parametrize(
    "raw",
    [
        b"{",
        b'{"full_name": "X",',
        b"[1,",
        b"nul",
        b"\xff\xfe\xfd",
        b"",
        b"null",
        b"[]",
        b'"text"',
        b"42",
        b'{"enabled": NaN}',
        b'{"x": 1e999999}',
        b"[" * 5000 + b"]" * 5000,
        b'{"a": "\\ud800"}',
    ],
    ids=lambda raw: repr(raw[:20]),
)
def test_malformed_json(
    safe: TestClient,
    alice: Party,
    objects: dict[str, int],
    endpoint: tuple[str, str],
    raw: bytes,
) -> None:
    method, path = endpoint
    headers = {**alice.headers, "Content-Type": "application/json"}
    response = safe.request(method, url_of(path, objects), content=raw, headers=headers)
    assert_problem(response, 422, "validation_failed")


@pytest.mark.parametrize("endpoint", BODY_ENDPOINTS, ids=str)
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_body_that_is_not_json(
    safe: TestClient,
    alice: Party,
    objects: dict[str, int],
    endpoint: tuple[str, str],
    content_type: str,
) -> None:
    method, path = endpoint
    headers = {**alice.headers, "Content-Type": content_type}
    response = safe.request(method, url_of(path, objects), content=b"a=1", headers=headers)
    assert_handled(response)
    assert response.status_code >= 400


@pytest.mark.parametrize("endpoint", BODY_ENDPOINTS, ids=str)
def test_odd_values_in_every_field(
    safe: TestClient, alice: Party, objects: dict[str, int], endpoint: tuple[str, str]
) -> None:
    method, path = endpoint
    for field in FIELDS[endpoint]:
        for value in ODD_VALUES:
            body = {**VALID.get(endpoint, {}), field: value}
            response = safe.request(method, url_of(path, objects), json=body, headers=alice.headers)
            assert response.status_code < 500, (field, value, response.text)
            assert_handled(response)


@pytest.mark.parametrize("endpoint", BODY_ENDPOINTS, ids=str)
@pytest.mark.parametrize("extra", ["unknown", "id", "tenant_id", "ha1", "password_sealed", ""])
def test_extra_fields_are_forbidden(
    safe: TestClient, alice: Party, objects: dict[str, int], endpoint: tuple[str, str], extra: str
) -> None:
    method, path = endpoint
    if extra in FIELDS[endpoint]:
        pytest.skip("a real field")
    body = {**VALID.get(endpoint, {}), extra: 1}
    response = safe.request(method, url_of(path, objects), json=body, headers=alice.headers)
    problem = assert_problem(response, 422, "validation_failed")
    assert (extra or "body") in error_fields(problem) or extra == "", problem


@pytest.mark.parametrize("endpoint", BODY_ENDPOINTS, ids=str)
def test_nul_in_every_text_field_is_refused(
    safe: TestClient, alice: Party, objects: dict[str, int], endpoint: tuple[str, str]
) -> None:
    method, path = endpoint
    text_fields = [
        f for f in FIELDS[endpoint] if f not in ("enabled", "user_id", "extension_length")
    ]
    for field in text_fields:
        for value in ("a\x00b", "\x00", "x@acme.vn\x00"):
            sent: Any = [value] if field == "outbound_hotlines" else value
            body = {**VALID.get(endpoint, {}), field: sent}
            response = safe.request(method, url_of(path, objects), json=body, headers=alice.headers)
            assert_problem(response, 422)


@pytest.mark.parametrize(("method", "path"), ID_PATHS, ids=str)
@pytest.mark.parametrize(
    "ref",
    [
        str(MAX_ID + 1),
        "9" * 40,
        "0",
        "-1",
        "1e3",
        "0x10",
        "abc",
        "%00",
        "1%00",
        "%D9%A1",  # ١
        "%EF%BC%91",  # fullwidth 1
        "%C2%B9",  # superscript 1
    ],
)
def test_bad_ids_in_paths(
    safe: TestClient, alice: Party, objects: dict[str, int], method: str, path: str, ref: str
) -> None:
    body: dict[str, Any] | None = {} if method in ("PATCH", "POST") else None
    response = safe.request(method, path.format(id=ref), json=body, headers=alice.headers)
    body_out = assert_problem(response, 422, "validation_failed")
    assert error_fields(body_out)


@pytest.mark.parametrize(("method", "path"), ID_PATHS, ids=str)
def test_largest_id_is_just_not_found(
    safe: TestClient, alice: Party, method: str, path: str
) -> None:
    body: dict[str, Any] | None = {} if method in ("PATCH", "POST") else None
    response = safe.request(method, path.format(id=MAX_ID), json=body, headers=alice.headers)
    assert_problem(response, 404)


@pytest.mark.parametrize("path", ["/v1/users", "/v1/extensions"])
@pytest.mark.parametrize(
    "params",
    [
        {"cursor": str(MAX_ID + 1)},
        {"cursor": "١"},
        {"limit": "9" * 30},
        {"limit": "１"},
        {"keyword": "a\x00"},
        {"keyword": "k" * 101},
        {"user_id": str(MAX_ID + 1)},
        {"user_id": "٣"},
        {"enabled": "١"},
    ],
)
def test_bad_query_parameters(
    safe: TestClient, alice: Party, path: str, params: dict[str, str]
) -> None:
    if ("user_id" in params or "enabled" in params) and path == "/v1/users":
        pytest.skip("extensions only")
    response = safe.get(path, params=params, headers=alice.headers)
    body = assert_problem(response, 422, "validation_failed")
    assert next(iter(params)) in error_fields(body)


@pytest.mark.parametrize("path", ["/v1/users", "/v1/extensions"])
@pytest.mark.parametrize("keyword", ["%", "_", "'; DROP TABLE users; --", "\\", "ễ", "\ud7ff"])
def test_odd_keywords_are_answered(
    safe: TestClient, alice: Party, objects: dict[str, int], path: str, keyword: str
) -> None:
    response = safe.get(path, params={"keyword": keyword}, headers=alice.headers)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "value", [str(MAX_ID + 1), "١".encode(), b"\xb9", "1 2", "abc", "-1", "0", "1.0", ""]
)
def test_bad_tenant_header(safe: TestClient, alice: Party, value: str | bytes) -> None:
    headers = {**alice.partner_headers, "Vpbx-Tenant": value}
    body = assert_problem(safe.get("/v1/users", headers=headers), 422)
    assert error_fields(body) == ["Vpbx-Tenant"]


def test_user_id_beyond_int64_in_bodies(
    safe: TestClient, alice: Party, objects: dict[str, int]
) -> None:
    h = alice.headers
    for value in (MAX_ID + 1, -5, 0):
        for response in (
            safe.post("/v1/extensions", json={"user_id": value}, headers=h),
            safe.patch(f"/v1/extensions/{objects['ext']}", json={"user_id": value}, headers=h),
        ):
            assert "user_id" in error_fields(assert_problem(response, 422, "validation_failed"))
    response = safe.post("/v1/extensions", json={"user_id": MAX_ID}, headers=h)
    assert_problem(response, 422, "user_not_found")


def test_unicode_digits_are_normalised_or_refused(
    safe: TestClient, alice: Party, objects: dict[str, int]
) -> None:
    h = alice.headers
    user = safe.post(
        "/v1/users",
        json={"full_name": "U", "email": "u@acme.vn", "phone": "+８４９１２３４５６７８"},
        headers=h,
    )
    assert user.status_code == 201, user.text
    assert user.json()["phone"] == "+84912345678"
    ext = safe.post("/v1/extensions", json={"caller_id_hotline": "+٨٤٢٤٣٨٢٥٦٨٦٨"}, headers=h)
    assert ext.status_code == 201, ext.text
    assert ext.json()["caller_id_hotline"] == "+842438256868"
    for number in ("١٠٢", "１０２", "߁߀߂", "1٠2"):
        response = safe.post("/v1/extensions", json={"number": number}, headers=h)
        assert_problem(response, 422, "validation_failed")
