"""Ring groups over HTTP: one dial plan with extensions, members of the tenant only."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Party


def extension(client: TestClient, party: Party, **body: Any) -> dict[str, Any]:
    response = client.post("/v1/extensions", json=body, headers=party.headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def group(client: TestClient, party: Party, **body: Any) -> Any:
    return client.post("/v1/groups", json={"name": "Sales", **body}, headers=party.headers)


def test_a_group_rings_ordered_members_and_shares_the_dial_plan(
    client: TestClient, alice: Party
) -> None:
    first, second = extension(client, alice), extension(client, alice)
    created = group(
        client,
        alice,
        strategy="sequential",
        timeout_s=45,
        members=[
            {"extension_id": second["id"], "timeout_s": 15},
            {"extension_id": first["id"], "timeout_s": 25},
        ],
        no_answer={"kind": "extension", "value": first["number"]},
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["number"] == "699"
    assert [(m["extension_number"], m["timeout_s"]) for m in body["members"]] == [
        ("102", 15),
        ("101", 25),
    ]
    assert body["no_answer"] == {"kind": "extension", "value": "101"}

    # The group's number is taken for extensions, and an extension's for groups.
    clash = client.post("/v1/extensions", json={"number": "699"}, headers=alice.headers)
    assert (clash.status_code, clash.json()["code"]) == (409, "extension_exists")
    assert group(client, alice, number="101").status_code == 409

    listed = client.get("/v1/groups", headers=alice.headers).json()["items"]
    assert [g["number"] for g in listed] == ["699"]


def test_members_and_fallbacks_must_be_the_tenants_own(
    client: TestClient, alice: Party, bob: Party
) -> None:
    bobs = extension(client, bob)
    refused = group(client, alice, members=[{"extension_id": bobs["id"]}])
    assert (refused.status_code, refused.json()["code"]) == (422, "extension_not_found")
    assert (
        group(client, alice, no_answer={"kind": "extension", "value": bobs["number"]}).status_code
        == 422
    )
    assert group(client, alice, no_answer={"kind": "number", "value": "12"}).status_code == 422
    assert group(client, alice, no_answer={"kind": "group"}).status_code == 422
    external = group(client, alice, no_answer={"kind": "number", "value": "0912345678"})
    assert external.status_code == 422  # national numbers need E.164 here
    ok = group(client, alice, no_answer={"kind": "number", "value": "+84912345678"})
    assert ok.json()["no_answer"] == {"kind": "number", "value": "+84912345678"}
    self_loop = client.patch(
        f"/v1/groups/{ok.json()['id']}",
        json={"no_answer": {"kind": "group", "value": ok.json()["number"]}},
        headers=alice.headers,
    )
    assert self_loop.status_code == 422


def test_other_tenants_cannot_see_or_change_a_group(
    client: TestClient, alice: Party, bob: Party
) -> None:
    made = group(client, alice).json()
    path = f"/v1/groups/{made['id']}"
    assert client.get(path, headers=bob.headers).status_code == 404
    assert client.patch(path, json={"name": "x"}, headers=bob.headers).status_code == 404
    assert client.delete(path, headers=bob.headers).status_code == 404
    assert client.get("/v1/groups", headers=bob.headers).json()["items"] == []
    assert client.get(path, headers=alice.headers).json()["name"] == "Sales"
    assert client.delete(path, headers=alice.headers).status_code == 204
    assert client.get(path, headers=alice.headers).status_code == 404


def test_deleting_an_extension_removes_it_from_groups(client: TestClient, alice: Party) -> None:
    member = extension(client, alice)
    made = group(client, alice, members=[{"extension_id": member["id"]}]).json()
    client.delete(f"/v1/extensions/{member['id']}", headers=alice.headers)
    again = client.get(f"/v1/groups/{made['id']}", headers=alice.headers).json()
    assert again["members"] == []


def test_bad_group_input_is_refused(client: TestClient, alice: Party) -> None:
    member = extension(client, alice)
    for body in (
        {"name": ""},
        {"name": "x", "strategy": "loudest"},
        {"name": "x", "timeout_s": 1},
        {"name": "x", "number": "12"},
        {"name": "x", "members": [{"extension_id": member["id"]}] * 2},
        {"name": "x", "members": [{"extension_id": member["id"], "timeout_s": 0}]},
        {"name": "x", "extra": 1},
    ):
        response = client.post("/v1/groups", json=body, headers=alice.headers)
        assert response.status_code == 422, (body, response.text)
    assert client.get("/v1/groups", headers=alice.headers).json()["items"] == []
