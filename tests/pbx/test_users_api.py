"""/v1/users: the tenant's people."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Party
from tests.pbx.helpers import (
    assert_problem,
    error_fields,
    new_extension,
    new_user,
)


def post(client: TestClient, party: Party, body: Any) -> Any:
    return client.post("/v1/users", json=body, headers=party.headers)


def get(client: TestClient, party: Party, user_id: int) -> dict[str, Any]:
    response = client.get(f"/v1/users/{user_id}", headers=party.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def listing(client: TestClient, party: Party, **params: Any) -> dict[str, Any]:
    response = client.get("/v1/users", params=params, headers=party.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


# --- create -----------------------------------------------------------------------------


def test_create_and_get(client: TestClient, alice: Party) -> None:
    user = new_user(client, alice, full_name="  Lan Nguyen ", email="  Lan.Nguyen@ACME.vn ")
    assert user["full_name"] == "Lan Nguyen"
    assert user["email"] == "lan.nguyen@acme.vn"
    assert user["phone"] is None
    assert user["role"] == "agent"
    assert user["enabled"] is True
    assert user["created_at"].endswith("Z")
    assert get(client, alice, user["id"]) == user


@pytest.mark.parametrize("role", ["admin", "supervisor", "agent"])
def test_roles(client: TestClient, alice: Party, role: str) -> None:
    assert new_user(client, alice, role=role, enabled=False)["role"] == role


@pytest.mark.parametrize("role", ["owner", "Admin", "", None, 1])
def test_unknown_role_is_refused(client: TestClient, alice: Party, role: Any) -> None:
    body = assert_problem(
        post(client, alice, {"full_name": "X", "email": "x@acme.vn", "role": role}),
        422,
        "validation_failed",
    )
    assert "role" in error_fields(body)


def test_email_is_unique_per_tenant(client: TestClient, alice: Party, bob: Party) -> None:
    new_user(client, alice, email="lan@acme.vn")
    body = assert_problem(
        post(client, alice, {"full_name": "Other", "email": " LAN@acme.VN"}), 409, "user_exists"
    )
    assert "email" in error_fields(body)
    assert new_user(client, bob, email="Lan@Acme.vn")["email"] == "lan@acme.vn"
    assert len(listing(client, alice)["items"]) == 1


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("+84912345678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("+84 912 345 678", "+84912345678"),
        ("+7 (495) 133-45-27", "+74951334527"),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_phone_is_stored_as_e164(
    client: TestClient, alice: Party, given: str | None, stored: str | None
) -> None:
    assert new_user(client, alice, phone=given)["phone"] == stored


@pytest.mark.parametrize(
    "phone", ["+1234", "abc", "0912345678", "+84 0000", "+999123456789", "+8491234567890123"]
)
def test_invalid_phone_is_refused(client: TestClient, alice: Party, phone: str) -> None:
    assert_problem(
        post(client, alice, {"full_name": "X", "email": "x@acme.vn", "phone": phone}), 422
    )
    assert listing(client, alice)["items"] == []


@pytest.mark.parametrize("phone", ["abc", "++84"])
def test_unparsable_phone_error_names_phone(client: TestClient, alice: Party, phone: str) -> None:
    body = assert_problem(
        post(client, alice, {"full_name": "X", "email": "x@acme.vn", "phone": phone}), 422
    )
    assert error_fields(body) == ["phone"]


@pytest.mark.parametrize(
    "email", ["not-an-email", "a@b", "a b@acme.vn", "a@@acme.vn", "a\x01@b.vn"]
)
def test_invalid_email_is_refused(client: TestClient, alice: Party, email: str) -> None:
    body = assert_problem(post(client, alice, {"full_name": "X", "email": email}), 422)
    assert "email" in error_fields(body)


def test_blank_email_is_refused(safe: TestClient, alice: Party) -> None:
    assert_problem(
        safe.post("/v1/users", json={"full_name": "X", "email": "   "}, headers=alice.headers), 422
    )


@pytest.mark.parametrize("name", ["", "\x07bell", "x" * 201])
def test_invalid_full_name_is_refused(client: TestClient, alice: Party, name: str) -> None:
    assert_problem(post(client, alice, {"full_name": name, "email": "x@acme.vn"}), 422)


@pytest.mark.parametrize("name", ["   ", "Lan\x07"])
def test_blank_full_name_error_names_full_name(client: TestClient, alice: Party, name: str) -> None:
    body = assert_problem(post(client, alice, {"full_name": name, "email": "x@acme.vn"}), 422)
    assert error_fields(body) == ["full_name"]


@pytest.mark.parametrize("name", ["   ", "Lan\x07"])
def test_patch_blank_full_name_error_names_full_name(
    client: TestClient, alice: Party, name: str
) -> None:
    user = new_user(client, alice)
    body = assert_problem(patch(client, alice, user["id"], {"full_name": name}), 422)
    assert error_fields(body) == ["full_name"]
    assert get(client, alice, user["id"]) == user


def test_get_missing_user(client: TestClient, alice: Party) -> None:
    assert_problem(client.get("/v1/users/999", headers=alice.headers), 404, "user_not_found")


# --- list -------------------------------------------------------------------------------


def test_list_keyword_matches_name_and_email(client: TestClient, alice: Party) -> None:
    lan = new_user(client, alice, full_name="Lan Nguyen", email="lan@acme.vn")
    minh = new_user(client, alice, full_name="Minh Tran", email="minh@support.acme.vn")
    hoa = new_user(client, alice, full_name="Hoa Le", email="hoa@acme.vn")

    def ids(keyword: str) -> list[int]:
        return [u["id"] for u in listing(client, alice, keyword=keyword)["items"]]

    assert ids("nguyen") == [lan["id"]]
    assert ids("NGUYEN") == [lan["id"]]
    assert ids("SUPPORT") == [minh["id"]]
    assert ids("acme") == [lan["id"], minh["id"], hoa["id"]]
    assert ids("tran") == [minh["id"]]
    assert ids("nobody") == []
    assert ids("") == [lan["id"], minh["id"], hoa["id"]]


def test_list_keyword_is_literal(client: TestClient, alice: Party) -> None:
    wanted = new_user(client, alice, full_name="A", email="a_b@acme.vn")
    new_user(client, alice, full_name="B", email="axb@acme.vn")
    backslash = new_user(client, alice, full_name="C", email="a\\b@acme.vn")
    assert [u["id"] for u in listing(client, alice, keyword="a_b")["items"]] == [wanted["id"]]
    assert [u["id"] for u in listing(client, alice, keyword="\\")["items"]] == [backslash["id"]]
    assert listing(client, alice, keyword="%")["items"] == []


def test_list_pagination(client: TestClient, alice: Party) -> None:
    created = [new_user(client, alice, email=f"u{i}@acme.vn")["id"] for i in range(5)]
    seen: list[int] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 2} if cursor is None else {"limit": 2, "cursor": cursor}
        page = listing(client, alice, **params)
        assert len(page["items"]) <= 2
        seen += [u["id"] for u in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == created
    assert pages == 3
    assert listing(client, alice, limit=5)["next_cursor"] is None
    assert listing(client, alice, limit=4)["next_cursor"] == str(created[3])


@pytest.mark.parametrize(
    "params", [{"limit": 0}, {"limit": -1}, {"limit": 201}, {"cursor": 0}, {"limit": "x"}]
)
def test_list_bad_paging(client: TestClient, alice: Party, params: dict[str, Any]) -> None:
    assert_problem(client.get("/v1/users", params=params, headers=alice.headers), 422)


# --- update -----------------------------------------------------------------------------


def patch(client: TestClient, party: Party, user_id: int, body: Any) -> Any:
    return client.patch(f"/v1/users/{user_id}", json=body, headers=party.headers)


def test_patch_is_partial(client: TestClient, alice: Party) -> None:
    user = new_user(client, alice, phone="+84912345678", role="supervisor")
    response = patch(client, alice, user["id"], {"full_name": "Lan Tran"})
    assert response.status_code == 200, response.text
    changed = response.json()
    assert changed["full_name"] == "Lan Tran"
    for field in ("email", "phone", "role", "enabled", "created_at"):
        assert changed[field] == user[field]
    assert changed["updated_at"] >= user["updated_at"]
    assert get(client, alice, user["id"]) == changed


def test_patch_every_field(client: TestClient, alice: Party) -> None:
    user = new_user(client, alice, phone="+84912345678")
    body = {
        "full_name": "Minh",
        "email": "MINH@acme.vn",
        "phone": "+74951334527",
        "role": "admin",
        "enabled": False,
    }
    changed = patch(client, alice, user["id"], body).json()
    assert {k: changed[k] for k in body} == {**body, "email": "minh@acme.vn"}
    assert get(client, alice, user["id"]) == changed


def test_patch_null_phone_clears_and_null_others_are_ignored(
    client: TestClient, alice: Party
) -> None:
    user = new_user(client, alice, phone="+84912345678")
    body = {"phone": None, "full_name": None, "email": None, "role": None, "enabled": None}
    changed = patch(client, alice, user["id"], body).json()
    assert changed["phone"] is None
    assert {k: changed[k] for k in ("full_name", "email", "role", "enabled")} == {
        k: user[k] for k in ("full_name", "email", "role", "enabled")
    }


def test_patch_email_conflict(client: TestClient, alice: Party) -> None:
    lan = new_user(client, alice, email="lan@acme.vn")
    minh = new_user(client, alice, email="minh@acme.vn")
    assert_problem(patch(client, alice, minh["id"], {"email": "LAN@acme.vn"}), 409, "user_exists")
    assert get(client, alice, minh["id"])["email"] == "minh@acme.vn"
    same = patch(client, alice, lan["id"], {"email": "Lan@ACME.vn"})
    assert same.status_code == 200, same.text


@pytest.mark.parametrize(
    "body",
    [
        {"phone": "+1234"},
        {"email": "nope"},
        {"role": "owner"},
        {"full_name": ""},
        {"enabled": "maybe"},
        {"id": 5},
        {"tenant_id": 2},
    ],
)
def test_patch_invalid_changes_nothing(client: TestClient, alice: Party, body: Any) -> None:
    user = new_user(client, alice, phone="+84912345678")
    assert_problem(patch(client, alice, user["id"], body), 422)
    assert get(client, alice, user["id"]) == user


def test_patch_blank_email_is_refused(safe: TestClient, alice: Party) -> None:
    user = new_user(safe, alice)
    response = safe.patch(f"/v1/users/{user['id']}", json={"email": "   "}, headers=alice.headers)
    assert error_fields(assert_problem(response, 422)) == ["email"]
    assert get(safe, alice, user["id"]) == user


# --- delete -----------------------------------------------------------------------------


def test_delete_keeps_the_extensions(client: TestClient, alice: Party) -> None:
    user = new_user(client, alice)
    other = new_user(client, alice, email="other@acme.vn")
    ext = new_extension(client, alice, user_id=user["id"], display_name="Lan")
    kept = new_extension(client, alice, user_id=other["id"])
    response = client.delete(f"/v1/users/{user['id']}", headers=alice.headers)
    assert response.status_code == 204
    assert response.content == b""
    assert_problem(client.get(f"/v1/users/{user['id']}", headers=alice.headers), 404)
    got = client.get(f"/v1/extensions/{ext['id']}", headers=alice.headers).json()
    assert got["user_id"] is None
    assert got["display_name"] == "Lan"
    assert (
        client.get(f"/v1/extensions/{kept['id']}", headers=alice.headers).json()["user_id"]
        == (other["id"])
    )
    assert_problem(
        client.delete(f"/v1/users/{user['id']}", headers=alice.headers), 404, "user_not_found"
    )
    # The email is free again.
    assert new_user(client, alice)["email"] == user["email"]


def test_changes_are_audited(client: TestClient, alice: Party) -> None:
    user = new_user(client, alice)
    patch(client, alice, user["id"], {"role": "admin"})
    client.delete(f"/v1/users/{user['id']}", headers=alice.headers)
    events = client.get("/v1/audit", headers=alice.partner_headers).json()["items"]
    mine = [e for e in events if e["object_type"] == "user"]
    assert sorted(e["action"] for e in mine) == ["user.create", "user.delete", "user.update"]
    update = next(e for e in mine if e["action"] == "user.update")
    assert (update["before"]["role"], update["after"]["role"]) == ("agent", "admin")
    assert all(e["object_id"] == str(user["id"]) for e in mine)
