"""Call queues over HTTP: ordered members of the tenant only, unique names, no deleting
one that calls still reach."""

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
    put_forwarding,
    queue,
    scenario,
)
from tests.pbx.helpers import assert_handled, assert_problem, error_fields

HOTLINE = "+842438256868"


def test_a_queue_keeps_its_members_in_order(
    client: TestClient, alice: Party, factory: sessionmaker[Session]
) -> None:
    first, second, third = (extension(client, alice) for _ in range(3))
    made = queue(
        client,
        alice,
        strategy="round_robin",
        max_wait_s=120,
        members=[third["id"], first["id"], second["id"]],
    )
    assert (made["strategy"], made["max_wait_s"]) == ("round_robin", 120)
    assert [m["extension_number"] for m in made["members"]] == ["103", "101", "102"]
    assert [m["extension_id"] for m in made["members"]] == [third["id"], first["id"], second["id"]]
    path = f"/v1/call-queues/{made['id']}"
    assert client.get(path, headers=alice.headers).json() == made

    patched = client.patch(
        path, json={"members": [second["id"]], "strategy": "sequential"}, headers=alice.headers
    ).json()
    assert [m["extension_number"] for m in patched["members"]] == ["102"]
    assert (patched["strategy"], patched["max_wait_s"], patched["name"]) == (
        "sequential",
        120,
        "Support",
    )
    untouched = client.patch(path, json={"max_wait_s": 60}, headers=alice.headers).json()
    assert untouched["members"] == patched["members"]
    assert client.delete(path, headers=alice.headers).status_code == 204
    assert_problem(client.get(path, headers=alice.headers), 404, "call_queue_not_found")
    assert [a for a, _ in audit_actions(factory, "call_queue")] == [
        "call_queue.create",
        "call_queue.update",
        "call_queue.update",
        "call_queue.delete",
    ]


def test_defaults(client: TestClient, alice: Party) -> None:
    made = queue(client, alice)
    assert (made["strategy"], made["max_wait_s"], made["members"]) == ("longest_idle", 300, [])


@pytest.mark.parametrize(
    "strategy", ["simultaneous", "sequential", "random", "round_robin", "longest_idle"]
)
def test_every_strategy_is_accepted(client: TestClient, alice: Party, strategy: str) -> None:
    assert queue(client, alice, strategy=strategy)["strategy"] == strategy


def test_names_are_unique_per_tenant(client: TestClient, alice: Party, bob: Party) -> None:
    queue(client, alice, name="Support")
    other = queue(client, alice, name="Sales")
    dup = client.post("/v1/call-queues", json={"name": "Support "}, headers=alice.headers)
    assert "name" in error_fields(assert_problem(dup, 409, "call_queue_exists"))
    rename = client.patch(
        f"/v1/call-queues/{other['id']}", json={"name": "Support"}, headers=alice.headers
    )
    assert_problem(rename, 409, "call_queue_exists")
    assert queue(client, bob, name="Support")["name"] == "Support"


def test_members_must_be_the_tenants_extensions_each_once(
    client: TestClient, alice: Party, bob: Party
) -> None:
    mine, bobs = extension(client, alice), extension(client, bob)
    for members, code, field in (
        ([bobs["id"]], "extension_not_found", "members.0"),
        ([mine["id"], 999_999], "extension_not_found", "members.1"),
        ([mine["id"], mine["id"]], None, "members.1"),
    ):
        response = client.post(
            "/v1/call-queues", json={"name": "Q", "members": members}, headers=alice.headers
        )
        assert field in error_fields(assert_problem(response, 422, code))
    made = queue(client, alice, members=[mine["id"]])
    refused = client.patch(
        f"/v1/call-queues/{made['id']}", json={"members": [bobs["id"]]}, headers=alice.headers
    )
    assert_problem(refused, 422, "extension_not_found")
    shown = client.get(f"/v1/call-queues/{made['id']}", headers=alice.headers).json()
    assert [m["extension_id"] for m in shown["members"]] == [mine["id"]]
    assert [
        q["name"] for q in client.get("/v1/call-queues", headers=alice.headers).json()["items"]
    ] == ["Support"]


def test_a_used_queue_cannot_be_deleted(client: TestClient, alice: Party, stock: list[str]) -> None:
    buy_as(client, alice, "business", HOTLINE)
    made = queue(client, alice)
    path = f"/v1/call-queues/{made['id']}"
    put_forwarding(
        client, alice, HOTLINE, type="call_queue", call_queue_id=made["id"], cli_mode="Y"
    )
    menu = scenario(
        client,
        alice,
        options=[{"digit": "1", "target": {"kind": "call_queue", "value": made["id"]}}],
    )
    problem = assert_problem(client.delete(path, headers=alice.headers), 409, "in_use")
    assert (problem["numbers"], problem["scenarios"]) == ([HOTLINE], ["Main menu"])
    client.delete(forwarding_path(HOTLINE), headers=alice.headers)
    client.delete(f"/v1/scenarios/{menu['id']}", headers=alice.headers)
    assert client.delete(path, headers=alice.headers).status_code == 204


def test_a_queue_as_a_crm_default_is_in_use_too(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    buy_as(client, alice, "business", HOTLINE)
    made = queue(client, alice)
    put_forwarding(
        client,
        alice,
        HOTLINE,
        type="amo",
        host="acme.amocrm.ru",
        type_default="call_queue",
        call_queue_id=made["id"],
        cli_mode="Y",
        cli_mode_default="N",
    )
    shown = client.get(forwarding_path(HOTLINE), headers=alice.headers).json()
    assert (shown["call_queue_id"], shown["call_queue_name"]) == (made["id"], "Support")
    refused = client.delete(f"/v1/call-queues/{made['id']}", headers=alice.headers)
    assert assert_problem(refused, 409, "in_use")["numbers"] == [HOTLINE]


def test_the_list_pages_by_cursor(client: TestClient, alice: Party, bob: Party) -> None:
    for i in range(3):
        queue(client, alice, name=f"Q{i}")
    queue(client, bob, name="Bob's")
    first = client.get("/v1/call-queues?limit=2", headers=alice.headers).json()
    assert [q["name"] for q in first["items"]] == ["Q0", "Q1"]
    rest = client.get(
        f"/v1/call-queues?limit=2&cursor={first['next_cursor']}", headers=alice.headers
    ).json()
    assert ([q["name"] for q in rest["items"]], rest["next_cursor"]) == (["Q2"], None)


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_another_tenants_queue_is_404_and_unchanged(
    client: TestClient, alice: Party, bob: Party, method: str
) -> None:
    mine = queue(client, alice, members=[extension(client, alice)["id"]])
    path = f"/v1/call-queues/{mine['id']}"
    body = {"name": "Hijacked", "members": []} if method == "PATCH" else None
    response = client.request(method, path, json=body, headers=bob.headers)
    assert_problem(response, 404, "call_queue_not_found")
    assert client.get(path, headers=alice.headers).json() == mine
    assert client.get("/v1/call-queues", headers=bob.headers).json()["items"] == []


def test_idempotency_key_replays_a_create(client: TestClient, alice: Party) -> None:
    headers = {**alice.headers, "Idempotency-Key": "queue-1"}
    first = client.post("/v1/call-queues", json={"name": "Once"}, headers=headers)
    second = client.post("/v1/call-queues", json={"name": "Once"}, headers=headers)
    assert second.headers.get("idempotent-replayed") == "true"
    assert second.json() == first.json()
    assert len(client.get("/v1/call-queues", headers=alice.headers).json()["items"]) == 1


BAD_BODIES: list[Any] = [
    {},
    [],
    {"name": ""},
    {"name": " "},
    {"name": "q\x00"},
    {"name": "q\r\n"},
    {"name": "x" * 201},
    {"name": "q", "strategy": "loudest"},
    {"name": "q", "max_wait_s": 0},
    {"name": "q", "max_wait_s": 10**6},
    {"name": "q", "max_wait_s": "long"},
    {"name": "q", "members": [0]},
    {"name": "q", "members": [2**63]},
    {"name": "q", "members": ["abc"]},
    {"name": "q", "members": [{"extension_id": 1}]},
    {"name": "q", "members": list(range(1, 300))},
    {"name": "q", "members": 1},
    {"name": "q", "extra": True},
]


@pytest.mark.parametrize("body", BAD_BODIES, ids=lambda v: repr(v)[:50])
def test_bad_bodies_are_4xx_and_change_nothing(safe: TestClient, alice: Party, body: Any) -> None:
    made = safe.post("/v1/call-queues", json={"name": "Kept"}, headers=alice.headers).json()
    path = f"/v1/call-queues/{made['id']}"
    for method, url in (("POST", "/v1/call-queues"), ("PATCH", path)):
        response = safe.request(method, url, json=body, headers=alice.headers)
        if method == "PATCH" and body == {}:
            assert response.status_code == 200
            continue
        assert_handled(response)
        assert 400 <= response.status_code < 500, (method, response.text)
    assert safe.get("/v1/call-queues", headers=alice.headers).json()["items"] == [made]


@pytest.mark.parametrize("raw", [b"{", b"[1,", b"\xff", b"null", b""])
def test_malformed_json_is_refused(safe: TestClient, alice: Party, raw: bytes) -> None:
    headers = {**alice.headers, "Content-Type": "application/json"}
    assert_problem(safe.post("/v1/call-queues", content=raw, headers=headers), 422)
    assert safe.get("/v1/call-queues", headers=alice.headers).json()["items"] == []


@pytest.mark.parametrize("path", ["0", "abc", str(2**63), "%00"])
def test_bad_ids_in_the_path_are_4xx(safe: TestClient, alice: Party, path: str) -> None:
    for method in ("GET", "PATCH", "DELETE"):
        body = {"name": "x"} if method == "PATCH" else None
        response = safe.request(method, f"/v1/call-queues/{path}", json=body, headers=alice.headers)
        assert_handled(response)
        assert 400 <= response.status_code < 500
