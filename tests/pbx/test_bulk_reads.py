"""Reads of many numbers at once (a page of a provider face's number list): forwarding,
contact lists and the extensions presenting each number, a few queries whatever the
count; another tenant's numbers and objects are simply absent."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from tests.pbx.forwarding_helpers import buy_as, extension, group, put_forwarding
from vpbx.config import Settings
from vpbx.errors import Invalid
from vpbx.numbers.lines import LineService
from vpbx.pbx.contacts import ContactListService
from vpbx.pbx.extensions import ExtensionService
from vpbx.pbx.forwarding import ForwardingService
from vpbx.tenancy.principal import Principal

FIRST, SECOND, THIRD = "+842438256868", "+842438250000", "+842477778823"
BOBS = "+842836251234"


def principal_of(party: Party) -> Principal:
    return Principal(
        actor="test", partner_id=party.partner_id, tenant_id=party.tenant_id, is_partner=False
    )


def ok(response: Any) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text
    result: dict[str, Any] = response.json()
    return result


def forward(client: TestClient, party: Party, number: str, **body: Any) -> None:
    response = put_forwarding(client, party, number, cli_mode="Y", **body)
    assert response.status_code == 200, response.text


def black_list(client: TestClient, party: Party, *numbers: str) -> dict[str, Any]:
    h = party.headers
    spam = ok(client.post("/v1/contact-lists", json={"name": "spam", "type": "black"}, headers=h))
    path = f"/v1/contact-lists/{spam['id']}/numbers"
    ok(client.post(path, json={"numbers": list(numbers)}, headers=h))
    return spam


@pytest.fixture
def pbxs(client: TestClient, alice: Party, bob: Party, stock: list[str]) -> dict[str, Any]:
    """Alice: FIRST to extension 101 (which presents it), SECOND to a group with a black
    list, THIRD with nothing set. Bob: his own number forwarded, listed and presented."""
    buy_as(client, alice, "business", FIRST, SECOND, THIRD)
    buy_as(client, bob, "business", BOBS)
    ext = extension(client, alice, caller_id_hotline=FIRST)
    sales = group(client, alice, members=[{"extension_id": ext["id"]}])
    forward(client, alice, FIRST, type="sip", extension_id=ext["id"])
    forward(client, alice, SECOND, type="group", group_id=sales["id"])
    spam = black_list(client, alice, SECOND)
    bobs_ext = extension(client, bob, caller_id_hotline=BOBS)
    forward(client, bob, BOBS, type="sip", extension_id=bobs_ext["id"])
    black_list(client, bob, BOBS)
    return {"ext": ext, "group": sales, "spam": spam, "bobs_ext": bobs_ext}


def number_ids(session: Session, settings: Settings, party: Party) -> dict[str, int]:
    lines = LineService(session, settings).by_e164(
        principal_of(party), [FIRST, SECOND, THIRD, BOBS]
    )
    return {e164: line.id for e164, line in lines.items()}


def test_forwarding_of_many_numbers(
    factory: sessionmaker[Session], alice: Party, bob: Party, pbxs: dict[str, Any]
) -> None:
    with factory() as session:
        service = ForwardingService(session)
        views = service.get_many(principal_of(alice), [FIRST, "842438250000", THIRD, BOBS])
        assert set(views) == {FIRST, SECOND, THIRD}  # Bob's number is not Alice's
        assert (views[FIRST].type, views[FIRST].extension_number) == ("sip", "101")
        assert (views[SECOND].type, views[SECOND].group_name) == ("group", "Sales")
        assert views[THIRD].type == "empty"
        assert views == {n: service.get(principal_of(alice), n) for n in views}  # as one by one
        assert set(service.get_many(principal_of(bob), [FIRST, SECOND, BOBS])) == {BOBS}
        assert service.get_many(principal_of(alice), []) == {}
        with pytest.raises(Invalid):
            service.get_many(principal_of(alice), ["not a number"])


def test_contact_lists_of_many_numbers(
    factory: sessionmaker[Session], settings: Settings, alice: Party, bob: Party, pbxs: Any
) -> None:
    with factory() as session:
        service = ContactListService(session, settings)
        lists = service.lists_of_numbers(principal_of(alice), [FIRST, SECOND, THIRD, BOBS])
        assert set(lists) == {FIRST, SECOND, THIRD}
        assert lists[SECOND].black is not None
        assert (lists[SECOND].black.id, lists[SECOND].white) == (pbxs["spam"]["id"], None)
        assert (lists[FIRST].black, lists[THIRD].black) == (None, None)
        for number, view in lists.items():
            assert view == service.number_lists(principal_of(alice), number)
        theirs = service.lists_of_numbers(principal_of(bob), [SECOND, BOBS])
        assert set(theirs) == {BOBS}
        assert theirs[BOBS].black is not None
        assert theirs[BOBS].black.id != pbxs["spam"]["id"]


def test_extensions_presenting_many_numbers(
    factory: sessionmaker[Session], settings: Settings, alice: Party, bob: Party, pbxs: Any
) -> None:
    with factory() as session:
        ids = {**number_ids(session, settings, alice), **number_ids(session, settings, bob)}
        service = ExtensionService(session, settings)
        mine = service.presenting(principal_of(alice), list(ids.values()))
        assert {k: [e.id for e in v] for k, v in mine.items()} == {ids[FIRST]: [pbxs["ext"]["id"]]}
        theirs = service.presenting(principal_of(bob), list(ids.values()))
        assert {k: [e.id for e in v] for k, v in theirs.items()} == {
            ids[BOBS]: [pbxs["bobs_ext"]["id"]]
        }
        assert service.presenting(principal_of(alice), []) == {}


def test_bulk_reads_take_a_fixed_number_of_queries(
    engine: Engine,
    factory: sessionmaker[Session],
    settings: Settings,
    alice: Party,
    pbxs: dict[str, Any],
) -> None:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    def reads(numbers: list[str]) -> int:
        with factory() as session:
            ids = list(number_ids(session, settings, alice).values())
            statements.clear()
            me = principal_of(alice)
            ForwardingService(session).get_many(me, numbers)
            ContactListService(session, settings).lists_of_numbers(me, numbers)
            ExtensionService(session, settings).presenting(me, ids[: len(numbers)])
            return len(statements)

    event.listen(engine, "before_cursor_execute", count)
    try:
        one, three = reads([SECOND]), reads([FIRST, SECOND, THIRD])
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # Three numbers add one label query (the extension FIRST forwards to), nothing per number.
    assert three <= one + 1, statements
    assert three <= 8, statements
