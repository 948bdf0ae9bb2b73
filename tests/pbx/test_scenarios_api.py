"""Scenarios (voice menus) over HTTP: targets of the tenant only, unique names and keys,
no deleting one that calls still reach."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from tests.pbx.forwarding_helpers import (
    audit_actions,
    buy_as,
    extension,
    forwarding_path,
    group,
    put_forwarding,
    queue,
    scenario,
)
from tests.pbx.helpers import assert_handled, assert_problem, error_fields

HOTLINE = "+842438256868"


@pytest.fixture
def targets(client: TestClient, alice: Party, bob: Party) -> dict[str, Any]:
    ext = extension(client, alice)
    return {
        "ext": ext,
        "group": group(client, alice),
        "queue": queue(client, alice, members=[ext["id"]]),
        "other": scenario(client, alice, name="Other menu"),
        # Numbers Alice's dial plan lacks: by number, Bob's 101 would be Alice's 101.
        "bob_ext": extension(client, bob, number="150"),
        "bob_group": group(client, bob, number="650"),
        "bob_queue": queue(client, bob),
        "bob_scenario": scenario(client, bob),
    }


def full_menu(targets: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": "Main menu",
        "greeting": "Welcome to Acme.\nPress 1 for sales, 2 for support.",
        "input_timeout_s": 7,
        "options": [
            {"digit": "1", "target": {"kind": "extension", "value": targets["ext"]["number"]}},
            {"digit": "2", "target": {"kind": "group", "value": targets["group"]["number"]}},
            {"digit": "3", "target": {"kind": "number", "value": "84987776868"}},
            {"digit": "4", "target": {"kind": "sip_uri", "value": "sip:desk@pbx.example.com"}},
            {"digit": "5", "target": {"kind": "scenario", "value": targets["other"]["id"]}},
            {"digit": "*", "target": {"kind": "call_queue", "value": str(targets["queue"]["id"])}},
            {"digit": "#", "target": {"kind": "hangup"}},
        ],
        "no_input": {"kind": "call_queue", "value": targets["queue"]["id"]},
    }


def test_a_scenario_keeps_its_menu_in_routing_form(
    client: TestClient, alice: Party, targets: dict[str, Any], factory: sessionmaker[Session]
) -> None:
    response = client.post("/v1/scenarios", json=full_menu(targets), headers=alice.headers)
    assert response.status_code == 201, response.text
    made = response.json()
    assert made["greeting"].startswith("Welcome to Acme.\n")
    assert made["input_timeout_s"] == 7
    options = {o["digit"]: (o["target"]["kind"], o["target"]["value"]) for o in made["options"]}
    assert options == {
        "1": ("extension", targets["ext"]["number"]),
        "2": ("group", targets["group"]["number"]),
        "3": ("number", "+84987776868"),
        "4": ("sip_uri", "sip:desk@pbx.example.com"),
        "5": ("scenario", str(targets["other"]["id"])),
        "*": ("call_queue", str(targets["queue"]["id"])),
        "#": ("hangup", None),
    }
    assert made["no_input"] == {"kind": "call_queue", "value": str(targets["queue"]["id"])}
    assert client.get(f"/v1/scenarios/{made['id']}", headers=alice.headers).json() == made
    assert ("scenario.create", str(made["id"])) in audit_actions(factory, "scenario")


def test_defaults_patch_and_delete(
    client: TestClient, alice: Party, targets: dict[str, Any], factory: sessionmaker[Session]
) -> None:
    made = scenario(client, alice, name="Night")
    assert (made["greeting"], made["input_timeout_s"], made["options"]) == ("", 10, [])
    assert made["no_input"] == {"kind": "hangup", "value": None}
    path = f"/v1/scenarios/{made['id']}"
    patched = client.patch(
        path,
        json={
            "name": " Night mode ",
            "options": [{"digit": "0", "target": {"kind": "extension", "value": "101"}}],
        },
        headers=alice.headers,
    ).json()
    assert patched["name"] == "Night mode"
    assert patched["options"] == [{"digit": "0", "target": {"kind": "extension", "value": "101"}}]
    again = client.patch(path, json={"greeting": "Closed."}, headers=alice.headers).json()
    assert again["options"] == patched["options"]  # options untouched when not sent
    assert again["greeting"] == "Closed."
    cleared = client.patch(path, json={"options": []}, headers=alice.headers).json()
    assert cleared["options"] == []
    assert client.delete(path, headers=alice.headers).status_code == 204
    assert_problem(client.get(path, headers=alice.headers), 404, "scenario_not_found")
    actions = [a for a, oid in audit_actions(factory, "scenario") if oid == str(made["id"])]
    assert actions == [
        "scenario.create",
        "scenario.update",
        "scenario.update",
        "scenario.update",
        "scenario.delete",
    ]


def test_the_list_pages_by_cursor(client: TestClient, alice: Party, bob: Party) -> None:
    names = [f"Menu {i}" for i in range(5)]
    for name in names:
        scenario(client, alice, name=name)
    scenario(client, bob, name="Bob's")
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get("/v1/scenarios", params=params, headers=alice.headers).json()
        seen += [s["name"] for s in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == names
    assert_problem(client.get("/v1/scenarios?limit=100000", headers=alice.headers), 422)


def test_names_are_unique_per_tenant(client: TestClient, alice: Party, bob: Party) -> None:
    first = scenario(client, alice, name="Main")
    second = scenario(client, alice, name="Second")
    dup = client.post("/v1/scenarios", json={"name": " Main "}, headers=alice.headers)
    assert "name" in error_fields(assert_problem(dup, 409, "scenario_exists"))
    rename = client.patch(
        f"/v1/scenarios/{second['id']}", json={"name": "Main"}, headers=alice.headers
    )
    assert_problem(rename, 409, "scenario_exists")
    assert scenario(client, bob, name="Main")["name"] == "Main"  # Bob's own namespace
    same = client.patch(
        f"/v1/scenarios/{first['id']}", json={"name": "Main"}, headers=alice.headers
    )
    assert same.status_code == 200


REFUSED_TARGETS = [
    ({"kind": "extension", "value": "BOB_EXT"}, "extension_not_found"),
    ({"kind": "extension", "value": "999"}, "extension_not_found"),
    ({"kind": "group", "value": "BOB_GROUP"}, "group_not_found"),
    ({"kind": "group", "value": "EXT"}, "group_not_found"),
    ({"kind": "scenario", "value": "BOB_SCENARIO"}, "scenario_not_found"),
    ({"kind": "scenario", "value": "99999999999999999999999"}, "scenario_not_found"),
    ({"kind": "scenario", "value": "abc"}, "scenario_not_found"),
    ({"kind": "call_queue", "value": "BOB_QUEUE"}, "call_queue_not_found"),
    ({"kind": "call_queue", "value": "-1"}, "call_queue_not_found"),
    ({"kind": "number", "value": "12"}, None),
    ({"kind": "number", "value": "0987776868"}, None),
    ({"kind": "sip_uri", "value": "desk@pbx.example.com"}, None),
    ({"kind": "sip_uri", "value": "sip:desk@pbx example.com"}, None),
    ({"kind": "hangup", "value": "101"}, None),
    ({"kind": "extension"}, None),
    ({"kind": "number", "value": "  "}, None),
]


def _resolve(target: dict[str, Any], targets: dict[str, Any]) -> dict[str, Any]:
    names = {
        "BOB_EXT": targets["bob_ext"]["number"],
        "BOB_GROUP": targets["bob_group"]["number"],
        "BOB_SCENARIO": str(targets["bob_scenario"]["id"]),
        "BOB_QUEUE": str(targets["bob_queue"]["id"]),
        "EXT": targets["ext"]["number"],
    }
    value = target.get("value")
    return {**target, "value": names.get(value, value)} if "value" in target else target


@pytest.mark.parametrize(("target", "code"), REFUSED_TARGETS, ids=lambda v: str(v))
def test_targets_must_be_valid_and_the_tenants_own(
    client: TestClient,
    alice: Party,
    targets: dict[str, Any],
    target: dict[str, Any],
    code: str | None,
) -> None:
    resolved = _resolve(target, targets)
    as_option = client.post(
        "/v1/scenarios",
        json={"name": "X", "options": [{"digit": "1", "target": resolved}]},
        headers=alice.headers,
    )
    assert "options.0.target.value" in error_fields(assert_problem(as_option, 422, code))
    as_no_input = client.post(
        "/v1/scenarios", json={"name": "X", "no_input": resolved}, headers=alice.headers
    )
    assert "no_input.value" in error_fields(assert_problem(as_no_input, 422, code))
    listed = client.get("/v1/scenarios", headers=alice.headers).json()["items"]
    assert [s["name"] for s in listed] == ["Other menu"]


def test_a_scenario_may_not_point_at_itself(
    client: TestClient, alice: Party, targets: dict[str, Any]
) -> None:
    menu = targets["other"]
    path = f"/v1/scenarios/{menu['id']}"
    for body in (
        {"options": [{"digit": "9", "target": {"kind": "scenario", "value": menu["id"]}}]},
        {"no_input": {"kind": "scenario", "value": menu["id"]}},
    ):
        assert_problem(
            client.patch(path, json=body, headers=alice.headers), 422, "scenario_not_found"
        )
    assert client.get(path, headers=alice.headers).json() == menu
    # Pointing at the next id before it exists is refused too.
    ahead = client.post(
        "/v1/scenarios",
        json={"name": "Y", "no_input": {"kind": "scenario", "value": menu["id"] + 100}},
        headers=alice.headers,
    )
    assert_problem(ahead, 422, "scenario_not_found")


def test_keys_are_unique_and_well_formed(client: TestClient, alice: Party) -> None:
    hang = {"kind": "hangup"}
    twice = [{"digit": "1", "target": hang}, {"digit": "1", "target": hang}]
    response = client.post(
        "/v1/scenarios", json={"name": "X", "options": twice}, headers=alice.headers
    )
    assert "options.1.digit" in error_fields(assert_problem(response, 422))
    for digit in ("10", "a", "", " ", "١"):
        body = {"name": "X", "options": [{"digit": digit, "target": hang}]}
        assert_problem(client.post("/v1/scenarios", json=body, headers=alice.headers), 422)
    every = [{"digit": d, "target": hang} for d in "0123456789*#"]
    ok = client.post("/v1/scenarios", json={"name": "All", "options": every}, headers=alice.headers)
    assert ok.status_code == 201, ok.text
    assert len(ok.json()["options"]) == 12


def test_a_used_scenario_cannot_be_deleted(
    client: TestClient, alice: Party, targets: dict[str, Any], stock: list[str]
) -> None:
    buy_as(client, alice, "business", HOTLINE)
    menu = targets["other"]
    path = f"/v1/scenarios/{menu['id']}"
    put_forwarding(client, alice, HOTLINE, type="scenario", scenario_id=menu["id"], cli_mode="Y")
    main = client.post("/v1/scenarios", json=full_menu(targets), headers=alice.headers).json()

    problem = assert_problem(client.delete(path, headers=alice.headers), 409, "in_use")
    assert problem["numbers"] == [HOTLINE]
    assert problem["scenarios"] == ["Main menu"]
    assert HOTLINE in problem["detail"]
    assert "Main menu" in problem["detail"]

    client.delete(forwarding_path(HOTLINE), headers=alice.headers)
    problem = assert_problem(client.delete(path, headers=alice.headers), 409, "in_use")
    assert (problem["numbers"], problem["scenarios"]) == ([], ["Main menu"])
    client.patch(f"/v1/scenarios/{main['id']}", json={"options": []}, headers=alice.headers)
    assert client.delete(path, headers=alice.headers).status_code == 204


def test_targets_in_a_menu_hold_extensions_groups_and_queues(
    client: TestClient, alice: Party, targets: dict[str, Any]
) -> None:
    made = client.post("/v1/scenarios", json=full_menu(targets), headers=alice.headers).json()
    ext, grp, que = targets["ext"], targets["group"], targets["queue"]
    ext_refused = client.delete(f"/v1/extensions/{ext['id']}", headers=alice.headers)
    assert assert_problem(ext_refused, 409, "in_use")["scenarios"] == ["Main menu"]
    group_refused = client.delete(f"/v1/groups/{grp['id']}", headers=alice.headers)
    assert assert_problem(group_refused, 409, "in_use")["scenarios"] == ["Main menu"]
    queue_refused = client.delete(f"/v1/call-queues/{que['id']}", headers=alice.headers)
    assert assert_problem(queue_refused, 409, "in_use")["scenarios"] == ["Main menu"]
    assert client.delete(f"/v1/scenarios/{made['id']}", headers=alice.headers).status_code == 204
    for path in (
        f"/v1/extensions/{ext['id']}",
        f"/v1/groups/{grp['id']}",
        f"/v1/call-queues/{que['id']}",
    ):
        assert client.delete(path, headers=alice.headers).status_code == 204, path


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_another_tenants_scenario_is_404_and_unchanged(
    client: TestClient, alice: Party, bob: Party, targets: dict[str, Any], method: str
) -> None:
    mine = client.post("/v1/scenarios", json=full_menu(targets), headers=alice.headers).json()
    path = f"/v1/scenarios/{mine['id']}"
    body = {"name": "Hijacked"} if method == "PATCH" else None
    response = client.request(method, path, json=body, headers=bob.headers)
    assert_problem(response, 404, "scenario_not_found")
    assert client.get(path, headers=alice.headers).json() == mine
    bobs = client.get("/v1/scenarios", headers=bob.headers).json()["items"]
    assert [s["name"] for s in bobs] == ["Main menu"]  # his own, made by the fixture
    assert bobs[0]["id"] == targets["bob_scenario"]["id"]


def test_idempotency_key_replays_a_create(client: TestClient, alice: Party) -> None:
    headers = {**alice.headers, "Idempotency-Key": "menu-1"}
    first = client.post("/v1/scenarios", json={"name": "Once"}, headers=headers)
    second = client.post("/v1/scenarios", json={"name": "Once"}, headers=headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.headers.get("idempotent-replayed") == "true"
    assert second.json() == first.json()
    assert len(client.get("/v1/scenarios", headers=alice.headers).json()["items"]) == 1


BAD_BODIES: list[Any] = [
    {},
    [],
    {"name": ""},
    {"name": "   "},
    {"name": "a\x00b"},
    {"name": "a\nb"},
    {"name": "x" * 201},
    {"name": "x", "greeting": "hello\x00"},
    {"name": "x", "greeting": "bell\x07"},
    {"name": "x", "greeting": "x" * 5000},
    {"name": "x", "input_timeout_s": 0},
    {"name": "x", "input_timeout_s": 10**20},
    {"name": "x", "input_timeout_s": "soon"},
    {"name": "x", "options": {"1": "hangup"}},
    {"name": "x", "options": [{"digit": "1"}]},
    {"name": "x", "options": [{"digit": "1", "target": {"kind": "voicemail"}}]},
    {"name": "x", "options": [{"digit": "1", "target": {"kind": "scenario", "value": 2**63}}]},
    {"name": "x", "options": [{"digit": "1", "target": {"kind": "scenario", "value": 0}}]},
    {"name": "x", "options": [{"digit": "1", "target": {"kind": "number", "value": 1.5}}]},
    {"name": "x", "options": [{"digit": "1", "target": {"kind": "sip_uri", "value": "s\x00"}}]},
    {"name": "x", "options": [{"digit": "1", "target": {"kind": "hangup"}, "x": 1}]},
    {
        "name": "x",
        "options": [{"digit": str(i % 10), "target": {"kind": "hangup"}} for i in range(13)],
    },
    {"name": "x", "no_input": "hangup"},
    {"name": "x", "owner": "bob"},
]


@pytest.mark.parametrize("body", BAD_BODIES, ids=lambda v: repr(v)[:50])
def test_bad_bodies_are_4xx_and_change_nothing(safe: TestClient, alice: Party, body: Any) -> None:
    made = safe.post("/v1/scenarios", json={"name": "Kept"}, headers=alice.headers).json()
    path = f"/v1/scenarios/{made['id']}"
    for method, url in (("POST", "/v1/scenarios"), ("PATCH", path)):
        response = safe.request(method, url, json=body, headers=alice.headers)
        if method == "PATCH" and body == {}:
            assert response.status_code == 200  # an empty patch changes nothing
            continue
        assert_handled(response)
        assert 400 <= response.status_code < 500, (method, response.text)
    listed = safe.get("/v1/scenarios", headers=alice.headers).json()["items"]
    assert listed == [safe.get(path, headers=alice.headers).json()]
    assert listed[0]["name"] == "Kept"
    assert listed[0]["options"] == []


@pytest.mark.parametrize("raw", [b"{", b'{"name": "x",}', b"\xff", b"null", b""])
def test_malformed_json_is_refused(safe: TestClient, alice: Party, raw: bytes) -> None:
    headers = {**alice.headers, "Content-Type": "application/json"}
    assert_problem(safe.post("/v1/scenarios", content=raw, headers=headers), 422)
    assert safe.get("/v1/scenarios", headers=alice.headers).json()["items"] == []


@pytest.mark.parametrize("path", ["0", "-1", "abc", str(2**63), "1.5", "%00"])
def test_bad_ids_in_the_path_are_4xx(safe: TestClient, alice: Party, path: str) -> None:
    for method in ("GET", "PATCH", "DELETE"):
        body = {"name": "x"} if method == "PATCH" else None
        response = safe.request(method, f"/v1/scenarios/{path}", json=body, headers=alice.headers)
        assert_handled(response)
        assert 400 <= response.status_code < 500
