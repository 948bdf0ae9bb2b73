"""ForwardingService directly: one forwarding for many numbers, all or nothing (what the
Plusofon number/follow face needs), and the forwarding as route resolution reads it."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from tests.pbx.forwarding_helpers import (
    buy_as,
    extension,
    forwarding_events,
    group,
    put_forwarding,
    queue,
    scenario,
    stored_forwardings,
)
from vpbx.db import transaction
from vpbx.errors import Invalid
from vpbx.pbx.forwarding import ForwardingService
from vpbx.pbx.forwarding_schemas import ForwardingSpec
from vpbx.tenancy.principal import Principal

FIRST, SECOND, PERSONAL = "+842438256868", "+842438250000", "+842477778823"
BOBS = "+842836251234"


def principal_of(party: Party) -> Principal:
    return Principal(
        actor="test", partner_id=party.partner_id, tenant_id=party.tenant_id, is_partner=False
    )


@pytest.fixture
def numbers(client: TestClient, alice: Party, bob: Party, stock: list[str]) -> dict[str, Any]:
    buy_as(client, alice, "business", FIRST, SECOND)
    buy_as(client, alice, "personal", PERSONAL)
    buy_as(client, bob, "business", BOBS)
    ext = extension(client, alice)
    return {"ext": ext, "group": group(client, alice, members=[{"extension_id": ext["id"]}])}


def test_one_forwarding_for_many_numbers(
    alice: Party, numbers: dict[str, Any], factory: sessionmaker[Session]
) -> None:
    spec = ForwardingSpec(type="sip", extension_id=numbers["ext"]["id"], cli_mode="N")
    with transaction(factory) as session:
        views = ForwardingService(session).set_many(
            principal_of(alice), [SECOND, "842438256868", PERSONAL], spec
        )
    assert [v.number for v in views] == [SECOND, FIRST, PERSONAL]
    assert {(v.type, v.extension_number, v.cli_mode) for v in views} == {("sip", "101", "N")}
    assert sorted(oid for _, oid in forwarding_events(factory)) == sorted([FIRST, SECOND, PERSONAL])


@pytest.mark.parametrize(
    ("listed", "code"),
    [
        ([FIRST, BOBS], "number_not_found"),  # another tenant's number
        ([FIRST, "+84912345678"], "number_not_found"),  # in stock, nobody's
        ([FIRST, "not a number"], "invalid"),
        ([FIRST, "842438256868"], "invalid"),  # the same number twice
        ([], "invalid"),
        ([FIRST] * 101, "invalid"),
    ],
)
def test_any_bad_number_changes_nothing(
    alice: Party,
    numbers: dict[str, Any],
    factory: sessionmaker[Session],
    listed: list[str],
    code: str,
) -> None:
    spec = ForwardingSpec(type="number", destination_number="+84987776868", cli_mode="Y")
    with pytest.raises(Invalid) as refused, transaction(factory) as session:
        ForwardingService(session).set_many(principal_of(alice), listed, spec)
    assert refused.value.code == code
    assert refused.value.details["field"] == "numbers"
    assert stored_forwardings(factory) == []
    assert forwarding_events(factory) == []


def test_a_personal_number_in_the_batch_stops_a_business_only_type(
    client: TestClient,
    alice: Party,
    numbers: dict[str, Any],
    factory: sessionmaker[Session],
) -> None:
    put_forwarding(
        client, alice, FIRST, type="sip", extension_id=numbers["ext"]["id"], cli_mode="Y"
    )
    before = stored_forwardings(factory)
    spec = ForwardingSpec(type="group", group_id=numbers["group"]["id"], cli_mode="Y")
    with pytest.raises(Invalid) as refused, transaction(factory) as session:
        ForwardingService(session).set_many(principal_of(alice), [FIRST, PERSONAL], spec)
    assert refused.value.code == "forwarding_not_allowed"
    assert refused.value.details["number"] == PERSONAL
    assert stored_forwardings(factory) == before


def test_a_bad_spec_is_refused_before_any_number_changes(
    alice: Party, numbers: dict[str, Any], factory: sessionmaker[Session]
) -> None:
    spec = ForwardingSpec(type="sip", extension_id=numbers["ext"]["id"])  # no cli_mode
    with pytest.raises(Invalid) as refused, transaction(factory) as session:
        ForwardingService(session).set_many(principal_of(alice), [FIRST, SECOND], spec)
    assert (refused.value.code, refused.value.details["field"]) == ("field_required", "cli_mode")
    assert stored_forwardings(factory) == []


def test_the_tables_are_data() -> None:
    types = {t.type: t.owner_types for t in ForwardingService.types()}
    assert types["group"] == ["business"]
    assert set(types["sip"]) == {"business", "personal"}
    assert [m.mode for m in ForwardingService.cli_modes()] == ["Y", "N"]


# --- what route resolution makes of it --------------------------------------------------


def inbound(client: TestClient, party: Party, dialled: str) -> dict[str, Any]:
    response = client.get(
        "/v1/routes/resolve",
        params={"dialled": dialled, "caller": "+84987776868", "direction": "from_trunk"},
        headers=party.headers,
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_inbound_calls_follow_the_forwarding(
    client: TestClient, alice: Party, numbers: dict[str, Any]
) -> None:
    ext = numbers["ext"]
    menu = scenario(client, alice)
    line = queue(client, alice, members=[ext["id"]])
    assert inbound(client, alice, FIRST)["action"] == "reject"  # empty: not in service

    put_forwarding(client, alice, FIRST, type="sip", extension_id=ext["id"], cli_mode="N")
    decision = inbound(client, alice, FIRST)
    assert decision["steps"][0]["legs"][0]["target"] == ext["number"]
    assert decision["caller_id"]["number"] == FIRST  # N: the forwarding number

    put_forwarding(client, alice, FIRST, type="scenario", scenario_id=menu["id"], cli_mode="Y")
    leg = inbound(client, alice, FIRST)["steps"][0]["legs"][0]
    assert (leg["kind"], leg["target"]) == ("scenario", str(menu["id"]))

    put_forwarding(client, alice, FIRST, type="call_queue", call_queue_id=line["id"], cli_mode="Y")
    leg = inbound(client, alice, FIRST)["steps"][0]["legs"][0]
    assert (leg["kind"], leg["target"]) == ("call_queue", str(line["id"]))

    put_forwarding(
        client, alice, FIRST, type="group", group_id=numbers["group"]["id"], cli_mode="Y"
    )
    leg = inbound(client, alice, FIRST)["steps"][0]["legs"][0]
    assert leg["target"] == ext["number"]  # the group's only member

    put_forwarding(
        client, alice, FIRST, type="sip_uri", destination_uri="sip:a@b.example", cli_mode="Y"
    )
    leg = inbound(client, alice, FIRST)["steps"][0]["legs"][0]
    assert (leg["kind"], leg["target"]) == ("sip_uri", "sip:a@b.example")

    put_forwarding(client, alice, FIRST, type="amo", host="https://acme.amocrm.ru", cli_mode="Y")
    leg = inbound(client, alice, FIRST)["steps"][0]["legs"][0]
    assert (leg["kind"], leg["target"]) == ("crm", "acme.amocrm.ru")
