"""/v1/extensions: users, hotlines, PATCH, list filters and DELETE."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Party
from tests.pbx.helpers import (
    assert_problem,
    buy,
    error_fields,
    new_extension,
    new_user,
)

ONE, TWO, THREE = "+842438256868", "+842438250000", "+842477778823"
BOBS, FREE, HELD = "+842836251234", "+842838777999", "+84912345678"


@pytest.fixture
def owned(client: TestClient, alice: Party, bob: Party, stock: list[str]) -> list[str]:
    """Alice owns ONE, TWO, THREE; Bob owns BOBS; Alice only holds HELD; FREE is for sale."""
    buy(client, alice, ONE, TWO, THREE)
    buy(client, bob, BOBS)
    held = client.post("/v1/reservations", json={"numbers": [HELD]}, headers=alice.headers)
    assert held.status_code == 201, held.text
    return [ONE, TWO, THREE]


def get(client: TestClient, party: Party, extension_id: int) -> dict[str, Any]:
    response = client.get(f"/v1/extensions/{extension_id}", headers=party.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def patch(client: TestClient, party: Party, extension_id: int, body: Any) -> Any:
    return client.patch(f"/v1/extensions/{extension_id}", json=body, headers=party.headers)


def without_password(ext: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in ext.items() if k != "password"}


# --- user -------------------------------------------------------------------------------


def test_user_must_be_of_the_tenant(client: TestClient, alice: Party, bob: Party) -> None:
    mine = new_user(client, alice)
    theirs = new_user(client, bob)
    assert new_extension(client, alice, user_id=mine["id"])["user_id"] == mine["id"]
    for user_id in (theirs["id"], 999):
        response = client.post("/v1/extensions", json={"user_id": user_id}, headers=alice.headers)
        body = assert_problem(response, 422, "user_not_found")
        assert error_fields(body) == ["user_id"]
    assert len(client.get("/v1/extensions", headers=alice.headers).json()["items"]) == 1


# --- hotlines ---------------------------------------------------------------------------


def test_hotlines_are_canonical_sorted_and_unique(
    client: TestClient, alice: Party, owned: list[str]
) -> None:
    ext = new_extension(
        client,
        alice,
        caller_id_hotline="+84 2438 256 868",
        outbound_hotlines=[THREE, "842438256868", " +84 24 3825 0000 ", ONE],
    )
    assert ext["caller_id_hotline"] == ONE
    assert ext["outbound_hotlines"] == sorted([ONE, TWO, THREE])
    assert get(client, alice, ext["id"]) == without_password(ext)


def test_caller_id_without_outbound_list(
    client: TestClient, alice: Party, owned: list[str]
) -> None:
    ext = new_extension(client, alice, caller_id_hotline=TWO)
    assert (ext["caller_id_hotline"], ext["outbound_hotlines"]) == (TWO, [])


@pytest.mark.parametrize("number", [BOBS, FREE, HELD])
@pytest.mark.parametrize("field", ["caller_id_hotline", "outbound_hotlines"])
def test_hotline_must_be_owned(
    client: TestClient, alice: Party, owned: list[str], number: str, field: str
) -> None:
    value: Any = [ONE, number] if field == "outbound_hotlines" else number
    response = client.post("/v1/extensions", json={field: value}, headers=alice.headers)
    body = assert_problem(response, 422, "hotline_not_owned")
    assert error_fields(body) == [field]
    assert client.get("/v1/extensions", headers=alice.headers).json()["items"] == []
    ext = new_extension(client, alice)
    assert_problem(patch(client, alice, ext["id"], {field: value}), 422, "hotline_not_owned")
    assert get(client, alice, ext["id"]) == without_password(ext)


@pytest.mark.parametrize("number", ["not a number", "+1234", "", "0243825686"])
def test_hotline_must_be_a_phone_number(
    client: TestClient, alice: Party, owned: list[str], number: str
) -> None:
    for body in ({"caller_id_hotline": number}, {"outbound_hotlines": [number]}):
        assert_problem(client.post("/v1/extensions", json=body, headers=alice.headers), 422)


def test_caller_id_must_be_among_outbound(
    client: TestClient, alice: Party, owned: list[str]
) -> None:
    body = {"caller_id_hotline": THREE, "outbound_hotlines": [ONE, TWO]}
    problem = assert_problem(client.post("/v1/extensions", json=body, headers=alice.headers), 422)
    assert error_fields(problem) == ["caller_id_hotline"]
    ext = new_extension(client, alice, caller_id_hotline=ONE, outbound_hotlines=[ONE, TWO])
    for change in ({"caller_id_hotline": THREE}, {"outbound_hotlines": [TWO, THREE]}):
        assert_problem(patch(client, alice, ext["id"], change), 422)
        assert get(client, alice, ext["id"]) == without_password(ext)


def test_patch_hotlines(client: TestClient, alice: Party, owned: list[str]) -> None:
    ext = new_extension(client, alice, caller_id_hotline=ONE, outbound_hotlines=[ONE, TWO])
    steps: list[tuple[dict[str, Any], str | None, list[str]]] = [
        ({"caller_id_hotline": TWO}, TWO, [ONE, TWO]),
        ({"outbound_hotlines": [TWO, THREE]}, TWO, [TWO, THREE]),
        ({"outbound_hotlines": None}, TWO, [TWO, THREE]),  # null leaves the list
        ({"caller_id_hotline": THREE, "outbound_hotlines": [THREE]}, THREE, [THREE]),
        ({"outbound_hotlines": []}, THREE, []),
        ({"caller_id_hotline": ONE}, ONE, []),
        ({"outbound_hotlines": [ONE, TWO]}, ONE, [ONE, TWO]),
        ({"caller_id_hotline": None}, None, [ONE, TWO]),
    ]
    for change, caller_id, outbound in steps:
        response = patch(client, alice, ext["id"], change)
        assert response.status_code == 200, (change, response.text)
        assert (response.json()["caller_id_hotline"], response.json()["outbound_hotlines"]) == (
            caller_id,
            sorted(outbound),
        ), change
        assert get(client, alice, ext["id"]) == response.json()


def test_released_number_leaves_the_extension(
    client: TestClient, alice: Party, owned: list[str]
) -> None:
    ext = new_extension(client, alice, caller_id_hotline=ONE, outbound_hotlines=[ONE, TWO])
    assert client.delete(f"/v1/numbers/{ONE}", headers=alice.headers).status_code == 200
    got = get(client, alice, ext["id"])
    assert (got["caller_id_hotline"], got["outbound_hotlines"]) == (None, [TWO])


# --- other fields -----------------------------------------------------------------------


def test_patch_fields_one_at_a_time(client: TestClient, alice: Party) -> None:
    user = new_user(client, alice)
    ext = without_password(new_extension(client, alice, display_name="Lan"))
    steps: list[tuple[dict[str, Any], dict[str, Any]]] = [
        ({"enabled": False}, {"enabled": False}),
        ({"display_name": "Lan Nguyen"}, {"display_name": "Lan Nguyen"}),
        ({"display_name": ""}, {"display_name": ""}),
        ({"user_id": user["id"]}, {"user_id": user["id"]}),
        ({"expires_at": "2030-01-01T12:00:00+07:00"}, {"expires_at": "2030-01-01T05:00:00Z"}),
        ({"expires_at": "2031-06-30T00:00:00Z"}, {"expires_at": "2031-06-30T00:00:00Z"}),
        ({"enabled": True, "user_id": None}, {"enabled": True, "user_id": None}),
        ({"expires_at": None}, {"expires_at": None}),
        ({"enabled": None, "display_name": None}, {}),  # null leaves these alone
        ({}, {}),
    ]
    for change, effect in steps:
        response = patch(client, alice, ext["id"], change)
        assert response.status_code == 200, (change, response.text)
        got = response.json()
        expected = {**ext, **effect, "updated_at": got["updated_at"]}
        assert got == expected, change
        assert get(client, alice, ext["id"]) == got
        ext = got


@pytest.mark.parametrize(
    "change",
    [
        {"expires_at": "2030-01-01T12:00:00"},  # naive
        {"expires_at": "tomorrow"},
        {"user_id": 999},
        {"user_id": 0},
        {"enabled": "maybe"},
        {"display_name": "x" * 201},
        {"number": "102"},  # the number never changes
        {"password": "Chosen-Pass-42"},  # only through /password
        {"sip": {"domain": "x.example"}},
    ],
)
def test_patch_refusals_change_nothing(
    client: TestClient, alice: Party, change: dict[str, Any]
) -> None:
    ext = without_password(new_extension(client, alice, display_name="Lan"))
    body = assert_problem(patch(client, alice, ext["id"], change), 422)
    assert body["errors"]
    assert get(client, alice, ext["id"]) == ext


@pytest.mark.parametrize("name", ["Lan\r\nX-Injected: 1", "Lan\x07", "\x1b[31mLan"])
def test_display_name_control_characters_are_refused(
    client: TestClient, alice: Party, name: str
) -> None:
    response = client.post("/v1/extensions", json={"display_name": name}, headers=alice.headers)
    assert error_fields(assert_problem(response, 422)) == ["display_name"]


def test_naive_expiry_is_refused_on_create(client: TestClient, alice: Party) -> None:
    response = client.post(
        "/v1/extensions", json={"expires_at": "2030-01-01T12:00:00"}, headers=alice.headers
    )
    assert error_fields(assert_problem(response, 422)) == ["expires_at"]


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_out_of_range_expiry_is_a_4xx(safe: TestClient, alice: Party, moment: str) -> None:
    h = alice.headers
    assert_problem(safe.post("/v1/extensions", json={"expires_at": moment}, headers=h), 422)
    ext = new_extension(safe, alice)
    assert_problem(
        safe.patch(f"/v1/extensions/{ext['id']}", json={"expires_at": moment}, headers=h), 422
    )


def test_missing_extension(client: TestClient, alice: Party) -> None:
    for response in (
        client.get("/v1/extensions/999", headers=alice.headers),
        patch(client, alice, 999, {"enabled": False}),
        client.delete("/v1/extensions/999", headers=alice.headers),
    ):
        assert_problem(response, 404, "extension_not_found")


# --- list -------------------------------------------------------------------------------


def test_list_filters(client: TestClient, alice: Party) -> None:
    lan = new_user(client, alice, full_name="Lan Nguyen", email="lan@acme.vn")
    minh = new_user(client, alice, full_name="Minh Tran", email="minh@support.acme.vn")
    a = new_extension(client, alice, display_name="Reception", user_id=lan["id"])
    b = new_extension(client, alice, display_name="Sales desk", user_id=minh["id"], enabled=False)
    c = new_extension(client, alice, number="555", display_name="Fax")
    d = new_extension(client, alice, display_name="Lan mobile", user_id=lan["id"])

    def ids(**params: Any) -> list[int]:
        response = client.get("/v1/extensions", params=params, headers=alice.headers)
        assert response.status_code == 200, response.text
        return [e["id"] for e in response.json()["items"]]

    everyone = [a["id"], b["id"], c["id"], d["id"]]
    assert ids() == everyone
    assert ids(keyword="55") == [c["id"]]
    assert ids(keyword="10") == [a["id"], b["id"], d["id"]]
    assert ids(keyword="sales") == [b["id"]]
    assert ids(keyword="SUPPORT") == [b["id"]]  # the user's email
    assert ids(keyword="nguyen") == [a["id"], d["id"]]  # the user's name
    assert ids(keyword="lan") == [a["id"], d["id"]]  # name, email and display name
    assert ids(keyword="nobody") == []
    assert ids(enabled="false") == [b["id"]]
    assert ids(enabled="true") == [a["id"], c["id"], d["id"]]
    assert ids(user_id=lan["id"]) == [a["id"], d["id"]]
    assert ids(user_id=lan["id"], keyword="mobile") == [d["id"]]
    assert ids(user_id=lan["id"], enabled="false") == []
    assert ids(user_id=999) == []


def test_list_keyword_is_literal(client: TestClient, alice: Party) -> None:
    sale = new_extension(client, alice, display_name="50% off_line")
    new_extension(client, alice, display_name="500 offline")

    def ids(keyword: str) -> list[int]:
        response = client.get("/v1/extensions", params={"keyword": keyword}, headers=alice.headers)
        return [e["id"] for e in response.json()["items"]]

    assert ids("%") == [sale["id"]]
    assert ids("f_l") == [sale["id"]]
    assert ids("0%") == [sale["id"]]


def test_list_pagination(client: TestClient, alice: Party) -> None:
    created = [new_extension(client, alice)["id"] for _ in range(5)]
    seen: list[int] = []
    params: dict[str, Any] = {"limit": 2}
    while True:
        page = client.get("/v1/extensions", params=params, headers=alice.headers).json()
        assert 0 < len(page["items"]) <= 2
        seen += [e["id"] for e in page["items"]]
        if page["next_cursor"] is None:
            break
        params = {"limit": 2, "cursor": page["next_cursor"]}
    assert seen == created
    page = client.get("/v1/extensions", params={"limit": 5}, headers=alice.headers).json()
    assert page["next_cursor"] is None
    page = client.get("/v1/extensions", params={"cursor": created[2]}, headers=alice.headers)
    assert [e["id"] for e in page.json()["items"]] == created[3:]


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 201}, {"cursor": -1}, {"user_id": 0}, {"enabled": "2"}],
)
def test_list_bad_params(client: TestClient, alice: Party, params: dict[str, Any]) -> None:
    body = assert_problem(
        client.get("/v1/extensions", params=params, headers=alice.headers), 422, "validation_failed"
    )
    assert error_fields(body) == list(params)


# --- delete -----------------------------------------------------------------------------


def test_delete(client: TestClient, alice: Party, owned: list[str]) -> None:
    ext = new_extension(client, alice, caller_id_hotline=ONE, outbound_hotlines=[ONE])
    other = new_extension(client, alice, outbound_hotlines=[ONE])
    response = client.delete(f"/v1/extensions/{ext['id']}", headers=alice.headers)
    assert response.status_code == 204
    assert response.content == b""
    assert_problem(client.get(f"/v1/extensions/{ext['id']}", headers=alice.headers), 404)
    assert_problem(client.get(f"/v1/extensions/{ext['id']}/secret", headers=alice.headers), 404)
    assert_problem(client.delete(f"/v1/extensions/{ext['id']}", headers=alice.headers), 404)
    assert get(client, alice, other["id"])["outbound_hotlines"] == [ONE]
    assert new_extension(client, alice, number="101")["number"] == "101"
    events = client.get(
        "/v1/audit", params={"action": "extension.delete"}, headers=alice.partner_headers
    )
    [event] = events.json()["items"]
    assert event["object_id"] == str(ext["id"])
    assert event["before"]["caller_id_hotline"] == ONE
    assert event["after"] is None
