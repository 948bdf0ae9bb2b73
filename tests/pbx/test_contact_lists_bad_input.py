"""Hostile input on every contact-list endpoint: a 4xx problem document, never a 500,
and nothing changed."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from tests.pbx.helpers import assert_handled, assert_problem, buy, error_fields
from vpbx.models import AuditEvent, ContactList, ContactListEntry, NumberContactList

MAX_ID = 2**63 - 1
HOTLINE = "+842438256868"
FIELDS: dict[tuple[str, str], list[str]] = {
    ("POST", "/v1/contact-lists"): ["name", "type"],
    ("PATCH", "/v1/contact-lists/{list}"): ["name", "type"],
    ("POST", "/v1/contact-lists/{list}/entries"): ["entries"],
    ("POST", "/v1/contact-lists/{list}/numbers"): ["numbers"],
    ("PUT", "/v1/numbers/{number}/contact-lists"): ["black_list_id", "white_list_id"],
}
VALID: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/v1/contact-lists"): {"name": "Fresh", "type": "black"},
    ("PUT", "/v1/numbers/{number}/contact-lists"): {"black_list_id": None, "white_list_id": None},
}
BODY_ENDPOINTS = list(FIELDS)
ID_PATHS = [
    ("GET", "/v1/contact-lists/{id}"),
    ("PATCH", "/v1/contact-lists/{id}"),
    ("DELETE", "/v1/contact-lists/{id}"),
    ("GET", "/v1/contact-lists/{id}/entries"),
    ("POST", "/v1/contact-lists/{id}/entries"),
    ("DELETE", "/v1/contact-lists/{id}/entries?value=%2B84912345678"),
    ("DELETE", "/v1/contact-lists/{id}/entries/1"),
    ("DELETE", "/v1/contact-lists/1/entries/{id}"),
    ("POST", "/v1/contact-lists/{id}/numbers"),
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
    "line\nbreak",
    "\ud7ff\ue000",
    "١٠١",
    "+٨٤٢٤٣٨٢٥٦٨٦٨",
    "*",
    "%",
    [],
    [None],
    ["\x00"],
    [1, 2],
    [{"value": None}],
    [{"value": "+84912345678", "note": "\x00"}],
    [{"value": "+84912345678", "extra": 1}],
    [{"value": "\x00*"}],
    [{"value": "+84912345678"}, 7],
    ["+842438256868"] * 1001,
    {},
    {"$gt": ""},
]


@pytest.fixture
def objects(client: TestClient, alice: Party, stock: list[str]) -> dict[str, Any]:
    buy(client, alice, HOTLINE)
    h = alice.headers
    spam = client.post("/v1/contact-lists", json={"name": "Spam", "type": "black"}, headers=h)
    list_id = spam.json()["id"]
    client.post(
        f"/v1/contact-lists/{list_id}/entries",
        json={"entries": [{"value": "+84912345678"}, {"value": "+8424*"}]},
        headers=h,
    )
    client.put(
        f"/v1/numbers/{HOTLINE}/contact-lists",
        json={"black_list_id": list_id, "white_list_id": None},
        headers=h,
    )
    return {"list": list_id, "number": HOTLINE}


def url_of(path: str, objects: dict[str, Any]) -> str:
    return path.format(list=objects["list"], number=objects["number"])


def state(factory: sessionmaker[Session]) -> tuple[Any, ...]:
    """Every row contact lists own, and how many audit events exist."""
    with factory() as session:
        return (
            session.execute(
                select(ContactList.id, ContactList.name, ContactList.type, ContactList.updated_at)
            ).all(),
            session.execute(
                select(ContactListEntry.list_id, ContactListEntry.value, ContactListEntry.note)
            ).all(),
            session.execute(
                select(
                    NumberContactList.number_id,
                    NumberContactList.list_type,
                    NumberContactList.list_id,
                )
            ).all(),
            session.scalar(select(func.count()).select_from(AuditEvent)),
        )


MALFORMED = [
    b"{",
    b'{"name": "X",',
    b"[1,",
    b"nul",
    b"\xff\xfe\xfd",
    b"",
    b"null",
    b"[]",
    b'"text"',
    b"42",
    b'{"black_list_id": NaN}',
    b'{"x": 1e999999}',
    b"[" * 5000 + b"]" * 5000,
    b'{"name": "\\ud800"}',
]


@pytest.mark.parametrize("endpoint", BODY_ENDPOINTS, ids=str)
def test_malformed_json(
    safe: TestClient,
    alice: Party,
    objects: dict[str, Any],
    factory: sessionmaker[Session],
    endpoint: tuple[str, str],
) -> None:
    # One test per endpoint, looping over the bodies: each test's fixtures cost more
    # (on PostgreSQL) than all of its requests.
    method, path = endpoint
    before = state(factory)
    headers = {**alice.headers, "Content-Type": "application/json"}
    for raw in MALFORMED:
        response = safe.request(method, url_of(path, objects), content=raw, headers=headers)
        assert response.status_code == 422, (raw[:20], response.text)
        assert_problem(response, 422, "validation_failed")
    assert state(factory) == before


@pytest.mark.parametrize("endpoint", BODY_ENDPOINTS, ids=str)
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_body_that_is_not_json(
    safe: TestClient,
    alice: Party,
    objects: dict[str, Any],
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
    safe: TestClient, alice: Party, objects: dict[str, Any], endpoint: tuple[str, str]
) -> None:
    # Some odd values are fine ("\ud7ff\ue000" is a name, null clears a list): the
    # point is that none of them crashes the server.
    method, path = endpoint
    for field in FIELDS[endpoint]:
        for value in ODD_VALUES:
            body = {**VALID.get(endpoint, {}), field: value}
            response = safe.request(method, url_of(path, objects), json=body, headers=alice.headers)
            assert response.status_code < 500, (field, value, response.text)
            assert_handled(response)


@pytest.mark.parametrize("endpoint", BODY_ENDPOINTS, ids=str)
def test_extra_fields_are_forbidden(
    safe: TestClient, alice: Party, objects: dict[str, Any], endpoint: tuple[str, str]
) -> None:
    method, path = endpoint
    for extra in ("unknown", "id", "tenant_id", "entry_count", "list_id", ""):
        if extra in FIELDS[endpoint]:
            continue
        body = {**VALID.get(endpoint, {}), extra: 1}
        response = safe.request(method, url_of(path, objects), json=body, headers=alice.headers)
        problem = assert_problem(response, 422, "validation_failed")
        assert (extra or "body") in error_fields(problem) or extra == "", problem


@pytest.mark.parametrize("value", ["a\x00b", "\x00", "Spam\x00", "tab\there", "cr\rlf", "\x7f"])
def test_control_characters_in_text_are_refused(
    safe: TestClient,
    alice: Party,
    objects: dict[str, Any],
    factory: sessionmaker[Session],
    value: str,
) -> None:
    before = state(factory)
    h = alice.headers
    list_url = f"/v1/contact-lists/{objects['list']}"
    for response in (
        safe.post("/v1/contact-lists", json={"name": value, "type": "black"}, headers=h),
        safe.patch(list_url, json={"name": value}, headers=h),
        safe.post(f"{list_url}/entries", json={"entries": [{"value": value}]}, headers=h),
        safe.post(
            f"{list_url}/entries",
            json={"entries": [{"value": "+84987776868", "note": value}]},
            headers=h,
        ),
        safe.post(f"{list_url}/numbers", json={"numbers": [value]}, headers=h),
    ):
        assert_problem(response, 422)
    assert state(factory) == before


BAD_IDS = [
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
]


@pytest.mark.parametrize(("method", "path"), ID_PATHS, ids=str)
def test_bad_ids_in_paths(
    safe: TestClient, alice: Party, objects: dict[str, Any], method: str, path: str
) -> None:
    body: dict[str, Any] | None = {} if method in ("PATCH", "POST") else None
    for ref in BAD_IDS:
        response = safe.request(method, path.format(id=ref), json=body, headers=alice.headers)
        assert response.status_code == 422, (ref, response.text)
        problem = assert_problem(response, 422, "validation_failed")
        assert error_fields(problem)


@pytest.mark.parametrize(("method", "path"), ID_PATHS, ids=str)
def test_largest_id_is_just_not_found(
    safe: TestClient, alice: Party, objects: dict[str, Any], method: str, path: str
) -> None:
    bodies = {
        "PATCH": {"name": "X"},
        "POST": {"entries": [{"value": "+84987776868"}]}
        if "entries" in path
        else {"numbers": [HOTLINE]},
    }
    url = path.format(id=MAX_ID).replace("/1/", f"/{objects['list']}/")
    response = safe.request(method, url, json=bodies.get(method), headers=alice.headers)
    assert_problem(response, 404)


@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_bad_numbers_in_paths(
    safe: TestClient,
    alice: Party,
    objects: dict[str, Any],
    factory: sessionmaker[Session],
    method: str,
) -> None:
    before = state(factory)
    body = {"black_list_id": None, "white_list_id": None} if method == "PUT" else None
    for number in (
        "abc",
        "0",
        "%00",
        "+84%00",
        "%2B" + "9" * 30,
        "1" * 33,
        "+٨٤",
        "%F0%9F%93%9E",
        "+84 24",
    ):
        url = f"/v1/numbers/{number}/contact-lists"
        response = safe.request(method, url, json=body, headers=alice.headers)
        assert response.status_code == 422, (number, response.text)
        assert_problem(response, 422)
    assert state(factory) == before


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/contact-lists", {"cursor": str(MAX_ID + 1)}),
        ("/v1/contact-lists", {"cursor": "١"}),
        ("/v1/contact-lists", {"cursor": "abc"}),
        ("/v1/contact-lists", {"limit": "9" * 30}),
        ("/v1/contact-lists", {"limit": "0"}),
        ("/v1/contact-lists", {"limit": "１"}),
        ("/v1/contact-lists", {"type": "BLACK"}),
        ("/v1/contact-lists", {"type": "\x00"}),
        ("/v1/contact-lists/{list}/entries", {"cursor": "-1"}),
        ("/v1/contact-lists/{list}/entries", {"limit": "100000"}),
        ("/v1/contact-lists/{list}/entries", {"keyword": "a\x00"}),
        ("/v1/contact-lists/{list}/entries", {"keyword": "9" * 41}),
        ("/v1/contact-lists/{list}/entries", {"keyword": "%"}),
        ("/v1/contact-lists/{list}/entries", {"keyword": "_"}),
        ("/v1/contact-lists/{list}/entries", {"keyword": "'; DROP TABLE x; --"}),
    ],
)
def test_bad_query_parameters(
    safe: TestClient, alice: Party, objects: dict[str, Any], path: str, params: dict[str, str]
) -> None:
    response = safe.get(url_of(path, objects), params=params, headers=alice.headers)
    body = assert_problem(response, 422)
    assert next(iter(params)) in error_fields(body)


@pytest.mark.parametrize("value", ["", "\x00", "x" * 41, "abc", "*", "+84*1", "١٢"])
def test_bad_values_to_delete_by(
    safe: TestClient,
    alice: Party,
    objects: dict[str, Any],
    factory: sessionmaker[Session],
    value: str,
) -> None:
    before = state(factory)
    url = f"/v1/contact-lists/{objects['list']}/entries"
    response = safe.delete(url, params={"value": value}, headers=alice.headers)
    assert_problem(response, 422)
    assert state(factory) == before


def test_unicode_digits_are_read_as_digits(
    client: TestClient, alice: Party, objects: dict[str, Any]
) -> None:
    url = f"/v1/contact-lists/{objects['list']}/entries"
    added = client.post(
        url,
        json={"entries": [{"value": "+٨٤٩٨٧٧٧٦٨٦٨"}, {"value": "０２８*"}]},
        headers=alice.headers,
    )
    assert added.status_code == 201, added.text
    assert [e["value"] for e in added.json()["items"]] == ["+84987776868", "+8428*"]
    found = client.get(url, params={"keyword": "٩٨٧"}, headers=alice.headers).json()["items"]
    assert [e["value"] for e in found] == ["+84987776868"]
