"""Route decisions from everything the dial plan loads: forwarding, contact lists,
scenarios, call queues, and the call records behind round-robin and longest-idle.

The rows are written with the ORM so that these tests pin the loader
(`pbx/dialplan.py`) on its own; the APIs that write them have their own tests.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from tests.pbx.helpers import buy, new_extension
from vpbx.models import (
    CallQueue,
    CallQueueMember,
    CallRecord,
    ContactList,
    ContactListEntry,
    GroupCallCount,
    Number,
    NumberContactList,
    NumberForwarding,
    Scenario,
)

HOTLINE = "+842438256868"
OUTSIDE = "+84912345678"


def resolve(client: TestClient, party: Party, **params: str) -> dict[str, Any]:
    response = client.get("/v1/routes/resolve", params=params, headers=party.headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def inbound(client: TestClient, party: Party, caller: str = OUTSIDE) -> dict[str, Any]:
    return resolve(client, party, dialled=HOTLINE, caller=caller, direction="from_trunk")


def number_id(session: Session, e164: str) -> int:
    found = session.scalar(select(Number.id).where(Number.e164 == e164))
    assert found is not None
    return found


def forward(factory: sessionmaker[Session], party: Party, **fields: Any) -> None:
    with factory.begin() as session:
        session.add(
            NumberForwarding(
                number_id=number_id(session, HOTLINE), tenant_id=party.tenant_id, **fields
            )
        )


def targets(decision: dict[str, Any]) -> list[list[str]]:
    return [[leg["target"] for leg in step["legs"]] for step in decision["steps"]]


def test_a_hotline_forwarded_to_an_extension_rings_it_with_the_callers_id(
    client: TestClient, alice: Party, stock: list[str], factory: sessionmaker[Session]
) -> None:
    buy(client, alice, HOTLINE)
    ext = new_extension(client, alice)
    forward(factory, alice, type="sip", extension_id=ext["id"], cli_mode="Y")
    decision = inbound(client, alice)
    assert decision["action"] == "route"
    assert targets(decision) == [[ext["number"]]]
    assert decision["caller_id"]["number"] == OUTSIDE


def test_caller_id_mode_n_presents_the_hotline(
    client: TestClient, alice: Party, stock: list[str], factory: sessionmaker[Session]
) -> None:
    buy(client, alice, HOTLINE)
    ext = new_extension(client, alice)
    forward(factory, alice, type="sip", extension_id=ext["id"], cli_mode="N")
    assert inbound(client, alice)["caller_id"]["number"] == HOTLINE


def test_forwarding_to_a_scenario_and_a_queue_hands_the_call_over(
    client: TestClient, alice: Party, stock: list[str], factory: sessionmaker[Session]
) -> None:
    buy(client, alice, HOTLINE)
    a, b = new_extension(client, alice), new_extension(client, alice)
    with factory.begin() as session:
        scenario = Scenario(tenant_id=alice.tenant_id, name="Main menu")
        queue = CallQueue(tenant_id=alice.tenant_id, name="Support", strategy="sequential")
        session.add_all([scenario, queue])
        session.flush()
        session.add_all(
            [
                CallQueueMember(queue_id=queue.id, extension_id=b["id"], position=0),
                CallQueueMember(queue_id=queue.id, extension_id=a["id"], position=1),
            ]
        )
        scenario_id, queue_id = scenario.id, queue.id
    forward(factory, alice, type="scenario", scenario_id=scenario_id, cli_mode="Y")
    decision = inbound(client, alice)
    assert decision["after"] == "handoff"
    [[leg]] = [step["legs"] for step in decision["steps"]]
    assert (leg["kind"], leg["target"], leg["name"]) == ("scenario", str(scenario_id), "Main menu")

    with factory.begin() as session:
        row = session.get(NumberForwarding, number_id(session, HOTLINE))
        assert row is not None
        row.type, row.scenario_id, row.call_queue_id = "call_queue", None, queue_id
    [[leg]] = [step["legs"] for step in inbound(client, alice)["steps"]]
    assert (leg["kind"], leg["target"]) == ("call_queue", str(queue_id))
    assert [m["target"] for m in leg["members"]] == [b["number"], a["number"]]


def test_a_crm_forwarding_hands_the_call_to_the_integration_host(
    client: TestClient, alice: Party, stock: list[str], factory: sessionmaker[Session]
) -> None:
    buy(client, alice, HOTLINE)
    forward(factory, alice, type="amo", host="acme.amocrm.ru", cli_mode="Y")
    [[leg]] = [step["legs"] for step in inbound(client, alice)["steps"]]
    assert (leg["kind"], leg["target"]) == ("crm", "acme.amocrm.ru")


def _assign(factory: sessionmaker[Session], party: Party, kind: str, *values: str) -> None:
    with factory.begin() as session:
        listing = ContactList(tenant_id=party.tenant_id, name=f"{kind} list", type=kind)
        session.add(listing)
        session.flush()
        session.add_all(ContactListEntry(list_id=listing.id, value=v) for v in values)
        session.add(
            NumberContactList(
                number_id=number_id(session, HOTLINE),
                list_type=kind,
                list_id=listing.id,
                tenant_id=party.tenant_id,
            )
        )


def test_a_blacklisted_caller_is_refused_and_others_get_through(
    client: TestClient, alice: Party, stock: list[str], factory: sessionmaker[Session]
) -> None:
    buy(client, alice, HOTLINE)
    ext = new_extension(client, alice)
    forward(factory, alice, type="sip", extension_id=ext["id"], cli_mode="Y")
    _assign(factory, alice, "black", "+84987776868", "+7495*")
    for caller in ("+84987776868", "+74951334527"):
        decision = inbound(client, alice, caller)
        assert (decision["action"], decision["status"]) == ("reject", 403), caller
    assert inbound(client, alice, OUTSIDE)["action"] == "route"


def test_a_whitelist_lets_only_its_callers_through(
    client: TestClient, alice: Party, stock: list[str], factory: sessionmaker[Session]
) -> None:
    buy(client, alice, HOTLINE)
    ext = new_extension(client, alice)
    forward(factory, alice, type="sip", extension_id=ext["id"], cli_mode="Y")
    _assign(factory, alice, "white", OUTSIDE)
    assert inbound(client, alice, OUTSIDE)["action"] == "route"
    assert inbound(client, alice, "+84987776868")["status"] == 403


def test_another_tenants_lists_and_forwarding_do_not_apply(
    client: TestClient, alice: Party, bob: Party, stock: list[str], factory: sessionmaker[Session]
) -> None:
    buy(client, alice, HOTLINE)
    ext = new_extension(client, alice)
    forward(factory, alice, type="sip", extension_id=ext["id"], cli_mode="Y")
    # Bob does not own the hotline: to his plan it is an outside number, and no trunk.
    decision = resolve(client, bob, dialled=HOTLINE, caller=OUTSIDE, direction="from_trunk")
    assert decision["action"] == "reject"
    assert decision["status"] == 404


def _group(client: TestClient, party: Party, strategy: str, members: list[dict[str, Any]]) -> str:
    response = client.post(
        "/v1/groups",
        json={
            "name": strategy,
            "strategy": strategy,
            "members": [{"extension_id": m["id"], "timeout_s": 10} for m in members],
        },
        headers=party.headers,
    )
    assert response.status_code == 201, response.text
    number: str = response.json()["number"]
    return number


def _record(
    factory: sessionmaker[Session],
    party: Party,
    *,
    call_id: str,
    ended: datetime,
    group: str | None = None,
    extension: dict[str, Any] | None = None,
) -> None:
    with factory.begin() as session:
        session.add(
            CallRecord(
                tenant_id=party.tenant_id,
                call_id=call_id,
                direction="in",
                caller=OUTSIDE,
                callee=HOTLINE,
                group_number=group,
                extension_id=None if extension is None else extension["id"],
                extension_number=None if extension is None else extension["number"],
                started_at=ended - timedelta(minutes=2),
                answered_at=ended - timedelta(minutes=1),
                ended_at=ended,
                duration_s=120,
                billsec=60,
                disposition="answered",
            )
        )


def test_round_robin_starts_one_member_further_after_each_recorded_call(
    client: TestClient, alice: Party, factory: sessionmaker[Session]
) -> None:
    members = [new_extension(client, alice) for _ in range(3)]
    caller = new_extension(client, alice)
    group = _group(client, alice, "round_robin", members)

    def first_rung() -> str:
        decision = resolve(client, alice, dialled=group, caller=caller["number"])
        return str(decision["steps"][0]["legs"][0]["target"])

    ended = datetime.now(UTC)

    def record(*call_ids: str) -> None:
        calls = [
            {
                "call_id": call_id,
                "direction": "internal",
                "caller": caller["number"],
                "callee": group,
                "group": group,
                "started_at": (ended - timedelta(seconds=30)).isoformat(),
                "ended_at": ended.isoformat(),
                "disposition": "no_answer",
            }
            for call_id in call_ids
        ]
        response = client.post("/v1/calls/batch", json={"calls": calls}, headers=alice.headers)
        assert response.status_code in (200, 201), response.text

    numbers = [m["number"] for m in members]
    seen = [first_rung()]
    record("rr-0")
    seen.append(first_rung())
    record("rr-0")  # the same call posted again is one call
    seen.append(first_rung())
    record("rr-1", "rr-2", "rr-3")
    seen.append(first_rung())
    assert seen == [numbers[0], numbers[1], numbers[1], numbers[1]]
    record("rr-4")
    assert first_rung() == numbers[2]
    # the rotation is a counter kept with the records, one row per group
    with factory() as session:
        assert session.get(GroupCallCount, (alice.tenant_id, group)).calls == 5


def test_longest_idle_rings_first_whoever_answered_least_recently(
    client: TestClient, alice: Party, factory: sessionmaker[Session]
) -> None:
    a, b, c = (new_extension(client, alice) for _ in range(3))
    caller = new_extension(client, alice)
    group = _group(client, alice, "longest_idle", [a, b, c])
    now = datetime.now(UTC)
    _record(factory, alice, call_id="a", ended=now - timedelta(minutes=5), extension=a)
    _record(factory, alice, call_id="b", ended=now - timedelta(hours=2), extension=b)
    _record(factory, alice, call_id="c", ended=now - timedelta(minutes=1), extension=c)
    decision = resolve(client, alice, dialled=group, caller=caller["number"])
    order = [step["legs"][0]["target"] for step in decision["steps"]]
    assert order == [b["number"], a["number"], c["number"]]
