"""The dial-plan version: every change a route reads bumps the tenant's `plan_version`
(database triggers, whatever wrote it), and only that tenant's; route decisions served
from the per-process plan cache follow each change on the next call."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from tests.pbx.forwarding_helpers import buy_as, created, group, queue, scenario
from vpbx.kit.cache import VersionedCache
from vpbx.models import Tenant

HOTLINE = "+842438256868"


def _version(factory: sessionmaker[Session], party: Party) -> int:
    with factory() as session:
        version = session.scalar(select(Tenant.plan_version).where(Tenant.id == party.tenant_id))
        assert version is not None
        return version


def _ok(response: Any) -> Any:
    assert response.status_code < 300, response.text
    return response.json() if response.content else None


def test_every_kind_of_change_a_route_reads_bumps_the_version_of_its_tenant_only(
    client: TestClient,
    factory: sessionmaker[Session],
    alice: Party,
    bob: Party,
    stock: list[str],
) -> None:
    h = alice.headers
    made: dict[str, Any] = {}

    def add_extensions() -> None:
        made["a"] = created(client, alice, "/v1/extensions", number="101")
        made["b"] = created(client, alice, "/v1/extensions", number="102")

    def add_group() -> None:
        made["group"] = group(client, alice, members=[{"extension_id": made["a"]["id"]}])

    def add_list() -> None:
        made["list"] = created(client, alice, "/v1/contact-lists", name="spam", type="black")

    lists = "/v1/contact-lists/{}"
    steps: list[tuple[str, Callable[[], object]]] = [
        ("extension created", add_extensions),
        (
            "extension changed",
            lambda: _ok(
                client.patch(
                    f"/v1/extensions/{made['a']['id']}", json={"display_name": "Lan"}, headers=h
                )
            ),
        ),
        ("group created with a member", add_group),
        (
            "group members changed",
            lambda: _ok(
                client.patch(
                    f"/v1/groups/{made['group']['id']}",
                    json={"members": [{"extension_id": made["b"]["id"]}]},
                    headers=h,
                )
            ),
        ),
        ("number bought", lambda: buy_as(client, alice, "business", HOTLINE)),
        (
            "forwarding set",
            lambda: _ok(
                client.put(
                    f"/v1/numbers/{HOTLINE}/forwarding",
                    json={"type": "sip", "extension_id": made["a"]["id"], "cli_mode": "Y"},
                    headers=h,
                )
            ),
        ),
        ("contact list created", add_list),
        (
            "entry added",
            lambda: _ok(
                client.post(
                    lists.format(made["list"]["id"]) + "/entries",
                    json={"entries": [{"value": "+84987776868"}]},
                    headers=h,
                )
            ),
        ),
        (
            "list assigned",
            lambda: _ok(
                client.post(
                    lists.format(made["list"]["id"]) + "/numbers",
                    json={"numbers": [HOTLINE]},
                    headers=h,
                )
            ),
        ),
        (
            "scenario created",
            lambda: scenario(
                client,
                alice,
                options=[{"digit": "1", "target": {"kind": "extension", "value": "101"}}],
            ),
        ),
        ("queue created", lambda: queue(client, alice, members=[made["a"]["id"]])),
        (
            "forwarding removed",
            lambda: _ok(client.delete(f"/v1/numbers/{HOTLINE}/forwarding", headers=h)),
        ),
        (
            "extension deleted",
            lambda: _ok(client.delete(f"/v1/extensions/{made['b']['id']}", headers=h)),
        ),
        ("number released", lambda: _ok(client.delete(f"/v1/numbers/{HOTLINE}", headers=h))),
    ]
    for what, change in steps:
        before, other = _version(factory, alice), _version(factory, bob)
        change()
        assert _version(factory, alice) > before, f"{what}: alice's plan version unchanged"
        assert _version(factory, bob) == other, f"{what}: bob's plan version moved"


def test_a_write_outside_the_services_bumps_the_version_too(
    client: TestClient, factory: sessionmaker[Session], alice: Party
) -> None:
    """An operator's SQL counts like an API call: the triggers see every writer."""
    made = created(client, alice, "/v1/extensions", number="101")
    before = _version(factory, alice)
    with factory.begin() as session:
        session.execute(
            text("UPDATE extensions SET display_name = 'SQL' WHERE id = :id"), {"id": made["id"]}
        )
    assert _version(factory, alice) == before + 1
    with factory.begin() as session:  # a statement touching no row bumps nothing
        session.execute(text("UPDATE extensions SET display_name = 'x' WHERE id = -1"))
    assert _version(factory, alice) == before + 1


def test_the_cache_serves_a_value_only_for_its_version_and_age() -> None:
    cache: VersionedCache[str] = VersionedCache(capacity=2, max_age_s=60)
    cache.put("t1", (1, "a"), "plan v1")
    assert cache.get("t1", (1, "a")) == "plan v1"
    assert cache.get("t1", (2, "a")) is None  # a newer version: rebuild
    cache.put("t2", 1, "two")
    cache.put("t3", 1, "three")  # capacity 2: the least recently used (t1) goes
    assert cache.get("t1", (1, "a")) is None
    assert len(cache) == 2
    aged: VersionedCache[str] = VersionedCache(capacity=2, max_age_s=1e-9)
    aged.put("t1", 1, "old")
    assert aged.get("t1", 1) is None
