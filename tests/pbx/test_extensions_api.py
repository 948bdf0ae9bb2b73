"""/v1/extensions: numbering, SIP passwords (generated, chosen, rotated, revealed)."""

from __future__ import annotations

import string
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from tests.pbx.helpers import (
    assert_problem,
    error_fields,
    ha1,
    ha1b,
    new_extension,
    stored_extension,
)
from vpbx.config import Settings
from vpbx.models import IdempotencyRecord

WEAK = [
    "Ab1cdefgh",  # 9 characters
    "abcdefghijkl",  # one class
    "abcdefgh1234",  # two classes
    "password123",
    "PASSWORD123",
    "Ab101cdefgh",  # contains the extension number
    "Abcdefgh101",
    "Abcd efgh123",  # space
    "Äbcdefgh1234",  # not ASCII
    "Abcdefgh12\x00",  # NUL
    "Abcdefgh12\x1b",
]


def domain(client: TestClient, party: Party) -> str:
    value: str = client.get("/v1/pbx", headers=party.headers).json()["sip_domain"]
    return value


def post(client: TestClient, party: Party, body: Any) -> Any:
    return client.post("/v1/extensions", json=body, headers=party.headers)


def listing(client: TestClient, party: Party, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/v1/extensions", params=params, headers=party.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


# --- numbering --------------------------------------------------------------------------


def test_create_with_defaults(client: TestClient, alice: Party, settings: Settings) -> None:
    ext = new_extension(client, alice)
    assert ext["number"] == "101"
    assert ext["display_name"] == ""
    assert ext["user_id"] is None
    assert ext["enabled"] is True
    assert ext["expires_at"] is None
    assert ext["caller_id_hotline"] is None
    assert ext["outbound_hotlines"] == []
    assert ext["sip"] == {
        "username": "101",
        "domain": domain(client, alice),
        "outbound_proxy": settings.outbound_proxy,
    }
    assert new_extension(client, alice)["number"] == "102"
    assert new_extension(client, alice, number=None)["number"] == "103"


def test_next_number_fills_gaps(client: TestClient, alice: Party) -> None:
    first, second = new_extension(client, alice), new_extension(client, alice)
    new_extension(client, alice, number="104")
    assert client.delete(f"/v1/extensions/{first['id']}", headers=alice.headers).status_code == 204
    assert new_extension(client, alice)["number"] == "101"
    assert second["number"] == "102"
    assert new_extension(client, alice)["number"] == "103"
    assert new_extension(client, alice)["number"] == "105"


def test_numbers_are_per_tenant(client: TestClient, alice: Party, bob: Party) -> None:
    assert new_extension(client, alice, number="555")["number"] == "555"
    assert new_extension(client, bob, number="555")["number"] == "555"
    assert new_extension(client, bob)["number"] == "101"


def test_duplicate_number_is_refused(client: TestClient, alice: Party) -> None:
    new_extension(client, alice, number="555")
    body = assert_problem(post(client, alice, {"number": "555"}), 409, "extension_exists")
    assert "number" in error_fields(body)
    assert len(listing(client, alice)) == 1


@pytest.mark.parametrize("number", ["1234", "123456", "10"])
def test_number_of_the_wrong_length_is_refused(
    client: TestClient, alice: Party, number: str
) -> None:
    body = assert_problem(post(client, alice, {"number": number}), 422)
    assert "number" in error_fields(body)
    assert listing(client, alice) == []


@pytest.mark.parametrize(
    "number",
    ["12a", "١٠١", "１０１", "1O1", " 101", "101 ", "101\n", "+101", "-10", "1.0", "", 101, None],
)
def test_number_must_be_ascii_digits(client: TestClient, alice: Party, number: Any) -> None:
    response = post(client, alice, {"number": number})
    if number is None:  # null means "the next free one"
        assert response.status_code == 201
        return
    body = assert_problem(response, 422, "validation_failed")
    assert "number" in error_fields(body)
    assert listing(client, alice) == []


# --- passwords --------------------------------------------------------------------------


def _classes(password: str) -> int:
    sets = (string.ascii_lowercase, string.ascii_uppercase, string.digits)
    return sum(any(c in chars for c in password) for chars in sets)


def test_generated_password(
    client: TestClient, alice: Party, factory: sessionmaker[Session]
) -> None:
    ext = new_extension(client, alice)
    password = ext["password"]
    assert len(password) == 20
    assert password.isascii()
    assert password.isalnum()
    assert _classes(password) == 3
    row = stored_extension(factory, ext["id"])
    assert row.ha1 == ha1("101", domain(client, alice), password)
    assert row.ha1b == ha1b("101", domain(client, alice), password)
    assert password not in row.password_sealed
    assert new_extension(client, alice)["password"] != password


def test_chosen_password(client: TestClient, alice: Party, factory: sessionmaker[Session]) -> None:
    ext = new_extension(client, alice, password="Chosen-Pass-42")
    assert ext["password"] == "Chosen-Pass-42"
    row = stored_extension(factory, ext["id"])
    assert row.ha1 == ha1("101", domain(client, alice), "Chosen-Pass-42")


@pytest.mark.parametrize("password", WEAK)
def test_weak_chosen_password_is_refused(client: TestClient, alice: Party, password: str) -> None:
    body = assert_problem(post(client, alice, {"password": password}), 422, "weak_password")
    assert error_fields(body) == ["password"]
    assert password not in body["detail"]  # never echoed
    assert listing(client, alice) == []


def test_password_is_checked_against_the_chosen_number(client: TestClient, alice: Party) -> None:
    assert_problem(post(client, alice, {"number": "555", "password": "Xy555abcdef"}), 422)
    assert new_extension(client, alice, number="556", password="Xy555abcdef")["number"] == "556"


@pytest.mark.parametrize("password", ["A1b" + "c" * 62, 12345678901, ["Chosen-Pass-42"]])
def test_password_too_long_or_not_a_string(client: TestClient, alice: Party, password: Any) -> None:
    assert_problem(post(client, alice, {"password": password}), 422, "validation_failed")


def test_password_shown_only_where_it_should_be(client: TestClient, alice: Party) -> None:
    ext = new_extension(client, alice, display_name="Lan")
    password = ext["password"]
    h = alice.headers
    rotated = client.post(f"/v1/extensions/{ext['id']}/password", json={}, headers=h).json()
    fresh = rotated["password"]
    shown = [
        client.get(f"/v1/extensions/{ext['id']}", headers=h),
        client.get("/v1/extensions", headers=h),
        client.get("/v1/extensions", params={"keyword": "Lan"}, headers=h),
        client.patch(f"/v1/extensions/{ext['id']}", json={"display_name": "Lan T"}, headers=h),
        client.get("/v1/audit", headers=alice.partner_headers),
        client.get(
            "/v1/audit", params={"action": "extension.password"}, headers=alice.partner_headers
        ),
    ]
    for response in shown:
        assert response.status_code == 200, response.text
        assert password not in response.text
        assert fresh not in response.text
    assert "password" not in shown[0].json()
    assert "password" not in shown[3].json()
    assert all("password" not in item for item in shown[1].json()["items"])
    events = shown[4].json()["items"]
    assert {e["action"] for e in events} >= {"extension.create", "extension.password"}
    change = next(e for e in events if e["action"] == "extension.password")
    assert change["after"] == {"password": "rotated"}


def test_secret_reveals_the_current_password(client: TestClient, alice: Party) -> None:
    ext = new_extension(client, alice, display_name="Lan")
    secret = client.get(f"/v1/extensions/{ext['id']}/secret", headers=alice.headers)
    assert secret.status_code == 200, secret.text
    assert secret.json() == ext
    assert_problem(
        client.get("/v1/extensions/999/secret", headers=alice.headers), 404, "extension_not_found"
    )


# --- rotation ---------------------------------------------------------------------------


def rotate(client: TestClient, party: Party, extension_id: int, body: Any) -> Any:
    return client.post(f"/v1/extensions/{extension_id}/password", json=body, headers=party.headers)


@pytest.mark.parametrize("body", [{}, {"password": None}])
def test_rotate_generates(
    client: TestClient, alice: Party, factory: sessionmaker[Session], body: Any
) -> None:
    ext = new_extension(client, alice)
    response = rotate(client, alice, ext["id"], body)
    assert response.status_code == 200, response.text
    fresh = response.json()["password"]
    assert fresh != ext["password"]
    assert len(fresh) == 20
    assert _classes(fresh) == 3
    row = stored_extension(factory, ext["id"])
    dom = domain(client, alice)
    assert row.ha1 == ha1("101", dom, fresh)
    assert row.ha1b == ha1b("101", dom, fresh)
    assert row.ha1 != ha1("101", dom, ext["password"])
    assert row.ha1b != ha1b("101", dom, ext["password"])
    secret = client.get(f"/v1/extensions/{ext['id']}/secret", headers=alice.headers).json()
    assert secret["password"] == fresh
    assert {k: v for k, v in response.json().items() if k not in ("password", "updated_at")} == {
        k: v for k, v in ext.items() if k not in ("password", "updated_at")
    }


def test_rotate_to_a_chosen_password(
    client: TestClient, alice: Party, factory: sessionmaker[Session]
) -> None:
    ext = new_extension(client, alice)
    response = rotate(client, alice, ext["id"], {"password": "Chosen-Pass-42"})
    assert response.status_code == 200, response.text
    assert response.json()["password"] == "Chosen-Pass-42"
    row = stored_extension(factory, ext["id"])
    assert row.ha1 == ha1("101", domain(client, alice), "Chosen-Pass-42")
    assert row.ha1 != ha1("101", domain(client, alice), ext["password"])


@pytest.mark.parametrize("password", WEAK)
def test_rotate_to_a_weak_password_changes_nothing(
    client: TestClient, alice: Party, factory: sessionmaker[Session], password: str
) -> None:
    ext = new_extension(client, alice)
    before = stored_extension(factory, ext["id"])
    assert_problem(rotate(client, alice, ext["id"], {"password": password}), 422, "weak_password")
    after = stored_extension(factory, ext["id"])
    assert (after.ha1, after.ha1b, after.password_sealed) == (
        before.ha1,
        before.ha1b,
        before.password_sealed,
    )
    secret = client.get(f"/v1/extensions/{ext['id']}/secret", headers=alice.headers).json()
    assert secret["password"] == ext["password"]


def test_rotate_missing_extension(client: TestClient, alice: Party) -> None:
    assert_problem(rotate(client, alice, 999, {}), 404, "extension_not_found")


@pytest.mark.parametrize("body", [{"password": 1}, {"new_password": "Chosen-Pass-42"}, []])
def test_rotate_bad_body(client: TestClient, alice: Party, body: Any) -> None:
    ext = new_extension(client, alice)
    assert_problem(rotate(client, alice, ext["id"], body), 422, "validation_failed")


@pytest.mark.parametrize("rotation", [False, True])
def test_password_is_not_stored_in_the_idempotency_log(
    client: TestClient, alice: Party, factory: sessionmaker[Session], rotation: bool
) -> None:
    key = {**alice.headers, "Idempotency-Key": "k-1"}
    url = "/v1/extensions"
    if rotation:
        url = f"/v1/extensions/{new_extension(client, alice)['id']}/password"
    response = client.post(url, json={}, headers=key)
    assert response.status_code in (200, 201), response.text
    password = response.json()["password"]
    with factory() as session:
        bodies = session.scalars(select(IdempotencyRecord.response_body)).all()
    assert len(bodies) == 1  # the key was honoured...
    assert password not in bodies[0]  # ...without the plaintext password at rest
    # A retry still gets the first answer, password included, and changes nothing.
    replay = client.post(url, json={}, headers=key)
    assert replay.headers.get("Idempotent-Replayed") == "true"
    assert (replay.status_code, replay.json()) == (response.status_code, response.json())
    assert len(listing(client, alice)) == 1
    ext_id = response.json()["id"]
    secret = client.get(f"/v1/extensions/{ext_id}/secret", headers=alice.headers).json()
    assert secret["password"] == password
