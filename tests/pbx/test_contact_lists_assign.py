"""Which lists screen which numbers: one number at a time, in bulk, and after release."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from tests.pbx.helpers import assert_problem, buy, error_fields
from vpbx.config import Settings
from vpbx.db import transaction
from vpbx.errors import Invalid
from vpbx.models import Number
from vpbx.pbx.contacts import ContactListService
from vpbx.pbx.contacts_repository import ContactListRepository
from vpbx.routing.phone import list_matches
from vpbx.tenancy.principal import Principal

HOTLINE, SECOND, THIRD, BOBS = "+842438256868", "+842438250000", "+842477778823", "+842477712345"


def new_list(client: TestClient, party: Party, name: str, kind: str = "black") -> int:
    response = client.post(
        "/v1/contact-lists", json={"name": name, "type": kind}, headers=party.headers
    )
    assert response.status_code == 201, response.text
    list_id: int = response.json()["id"]
    return list_id


def lists_of(client: TestClient, party: Party, number: str) -> Any:
    response = client.get(f"/v1/numbers/{number}/contact-lists", headers=party.headers)
    assert response.status_code == 200, response.text
    return response.json()


def put(client: TestClient, party: Party, number: str, **body: Any) -> Any:
    return client.put(f"/v1/numbers/{number}/contact-lists", json=body, headers=party.headers)


def principal_of(party: Party) -> Principal:
    return Principal(
        actor="test", partner_id=party.partner_id, tenant_id=party.tenant_id, is_partner=False
    )


@pytest.fixture
def owned(client: TestClient, alice: Party, bob: Party, stock: list[str]) -> None:
    buy(client, alice, HOTLINE, SECOND, THIRD)
    buy(client, bob, BOBS)


@pytest.mark.usefixtures("owned")
def test_a_number_has_one_list_of_each_type(client: TestClient, alice: Party) -> None:
    spam, robots = new_list(client, alice, "Spam"), new_list(client, alice, "Robots")
    vip = new_list(client, alice, "VIP", "white")
    assert lists_of(client, alice, HOTLINE) == {"number": HOTLINE, "black": None, "white": None}

    both = put(client, alice, HOTLINE, black_list_id=spam, white_list_id=vip)
    assert both.json() == {
        "number": HOTLINE,
        "black": {"id": spam, "name": "Spam"},
        "white": {"id": vip, "name": "VIP"},
    }
    # Another black list replaces the first; the numbers of each list follow.
    put(client, alice, HOTLINE, black_list_id=robots, white_list_id=vip)
    assert lists_of(client, alice, HOTLINE)["black"] == {"id": robots, "name": "Robots"}
    h = alice.headers
    assert client.get(f"/v1/contact-lists/{spam}", headers=h).json()["numbers"] == []
    assert client.get(f"/v1/contact-lists/{robots}", headers=h).json()["numbers"] == [HOTLINE]
    # National and E.164-without-plus spellings of the number address it too.
    assert lists_of(client, alice, "842438256868")["number"] == HOTLINE

    cleared = put(client, alice, HOTLINE, black_list_id=None, white_list_id=None)
    assert cleared.json() == {"number": HOTLINE, "black": None, "white": None}


@pytest.mark.usefixtures("owned")
def test_assignment_refusals_change_nothing(client: TestClient, alice: Party, bob: Party) -> None:
    spam, vip = new_list(client, alice, "Spam"), new_list(client, alice, "VIP", "white")
    bobs_list = new_list(client, bob, "Bob's")
    put(client, alice, HOTLINE, black_list_id=spam, white_list_id=None)
    before = lists_of(client, alice, HOTLINE)

    mismatch = put(client, alice, HOTLINE, black_list_id=vip, white_list_id=None)
    body = assert_problem(mismatch, 422, "contact_list_type_mismatch")
    assert error_fields(body) == ["black_list_id"]
    mismatch = put(client, alice, HOTLINE, black_list_id=spam, white_list_id=spam)
    assert error_fields(assert_problem(mismatch, 422, "contact_list_type_mismatch")) == [
        "white_list_id"
    ]
    for ref in (bobs_list, 2**63 - 1):
        refused = put(client, alice, HOTLINE, black_list_id=ref, white_list_id=None)
        assert error_fields(assert_problem(refused, 422, "contact_list_not_found")) == [
            "black_list_id"
        ]
    # Both fields are required: a forgotten one must not silently drop a list.
    partial = put(client, alice, HOTLINE, white_list_id=vip)
    assert error_fields(assert_problem(partial, 422, "validation_failed")) == ["black_list_id"]
    assert lists_of(client, alice, HOTLINE) == before

    # Bob's number, a number in stock and a number nobody sells are all "not found".
    for number in (BOBS, "+842836251234", "+84912000000"):
        for response in (
            client.get(f"/v1/numbers/{number}/contact-lists", headers=alice.headers),
            put(client, alice, number, black_list_id=spam, white_list_id=None),
        ):
            assert_problem(response, 404, "number_not_found")
    assert lists_of(client, bob, BOBS) == {"number": BOBS, "black": None, "white": None}
    for bad in ("abc", "0", "+84", "1" * 33):
        assert_problem(client.get(f"/v1/numbers/{bad}/contact-lists", headers=alice.headers), 422)


@pytest.mark.usefixtures("owned")
def test_a_list_screens_many_numbers_at_once(client: TestClient, alice: Party) -> None:
    spam, robots = new_list(client, alice, "Spam"), new_list(client, alice, "Robots")
    vip = new_list(client, alice, "VIP", "white")
    put(client, alice, THIRD, black_list_id=robots, white_list_id=vip)
    url = f"/v1/contact-lists/{spam}/numbers"

    # One number that is not Alice's refuses them all, naming it.
    refused = client.post(url, json={"numbers": [HOTLINE, BOBS]}, headers=alice.headers)
    body = assert_problem(refused, 422, "number_not_found")
    assert body["numbers"] == [BOBS]
    assert lists_of(client, alice, HOTLINE)["black"] is None

    done = client.post(
        url, json={"numbers": [HOTLINE, "842438250000", HOTLINE, THIRD]}, headers=alice.headers
    )
    assert done.status_code == 200, done.text
    assert done.json()["numbers"] == sorted([HOTLINE, SECOND, THIRD])
    # It replaced Robots on the third number and left its white list alone.
    third = lists_of(client, alice, THIRD)
    assert (third["black"]["id"], third["white"]["id"]) == (spam, vip)

    bad = client.post(url, json={"numbers": ["nonsense"]}, headers=alice.headers)
    assert error_fields(assert_problem(bad, 422)) == ["numbers.0"]
    too_many = client.post(url, json={"numbers": [HOTLINE] * 1001}, headers=alice.headers)
    assert_problem(too_many, 422, "validation_failed")
    assert_problem(client.post(url, json={"numbers": []}, headers=alice.headers), 422)


@pytest.mark.usefixtures("owned")
def test_service_bulk_assignment_for_provider_faces(
    client: TestClient, alice: Party, bob: Party, factory: sessionmaker[Session], settings: Settings
) -> None:
    spam, vip = new_list(client, alice, "Spam"), new_list(client, alice, "VIP", "white")
    bobs_list = new_list(client, bob, "Bob's")
    me = principal_of(alice)
    with transaction(factory) as session:
        ids = {n.e164: n.id for n in session.query(Number).filter(Number.tenant_id.isnot(None))}
    with transaction(factory) as session:
        service = ContactListService(session, settings)
        assert service.assign(me, spam, "black", [HOTLINE, SECOND]) == [HOTLINE, SECOND]
        assert service.assign_ids(me, vip, "white", [ids[THIRD], ids[HOTLINE]]) == [
            THIRD,
            HOTLINE,
        ]
    assert lists_of(client, alice, SECOND)["black"]["id"] == spam
    assert lists_of(client, alice, HOTLINE)["white"]["id"] == vip

    refusals: list[tuple[Any, str]] = [
        (lambda s: s.assign(me, vip, "black", [HOTLINE]), "contact_list_type_mismatch"),
        (lambda s: s.assign(me, bobs_list, "black", [HOTLINE]), "contact_list_not_found"),
        (lambda s: s.assign(me, spam, "black", [THIRD, BOBS]), "number_not_found"),
        (lambda s: s.assign_ids(me, spam, "black", [ids[THIRD], ids[BOBS]]), "number_not_found"),
        (lambda s: s.assign_ids(me, spam, "black", [ids[THIRD], 2**70]), "number_not_found"),
        (lambda s: s.assign(me, spam, "grey", [THIRD]), "invalid"),
    ]
    for call, code in refusals:
        with transaction(factory) as session, pytest.raises(Invalid) as caught:
            call(ContactListService(session, settings))
        assert caught.value.code == code
    assert lists_of(client, alice, THIRD)["black"] is None

    # Without a list, the given numbers lose their list of that type (Plusofon's removal).
    with transaction(factory) as session:
        ContactListService(session, settings).assign_ids(me, None, "black", [ids[HOTLINE]])
    assert lists_of(client, alice, HOTLINE)["black"] is None
    assert lists_of(client, alice, HOTLINE)["white"]["id"] == vip
    assert lists_of(client, alice, SECOND)["black"]["id"] == spam


@pytest.mark.usefixtures("owned")
def test_releasing_a_number_drops_its_lists(client: TestClient, alice: Party) -> None:
    spam, vip = new_list(client, alice, "Spam"), new_list(client, alice, "VIP", "white")
    put(client, alice, HOTLINE, black_list_id=spam, white_list_id=vip)
    put(client, alice, SECOND, black_list_id=spam, white_list_id=None)

    released = client.delete(f"/v1/numbers/{HOTLINE}", headers=alice.headers)
    assert released.status_code == 200, released.text
    assert_problem(
        client.get(f"/v1/numbers/{HOTLINE}/contact-lists", headers=alice.headers),
        404,
        "number_not_found",
    )
    h = alice.headers
    assert client.get(f"/v1/contact-lists/{spam}", headers=h).json()["numbers"] == [SECOND]
    assert client.get(f"/v1/contact-lists/{vip}", headers=h).json()["numbers"] == []
    assert client.delete(f"/v1/contact-lists/{vip}", headers=h).status_code == 204
    assert lists_of(client, alice, SECOND)["black"]["id"] == spam


@pytest.mark.usefixtures("owned")
def test_screening_feeds_route_resolution(
    client: TestClient, alice: Party, bob: Party, factory: sessionmaker[Session]
) -> None:
    spam, vip = new_list(client, alice, "Spam"), new_list(client, alice, "VIP", "white")
    empty = new_list(client, alice, "Empty")
    body = {"entries": [{"value": "0912345678"}, {"value": "024*"}]}
    client.post(f"/v1/contact-lists/{spam}/entries", json=body, headers=alice.headers)
    body = {"entries": [{"value": "+74951334527"}]}
    client.post(f"/v1/contact-lists/{vip}/entries", json=body, headers=alice.headers)
    put(client, alice, HOTLINE, black_list_id=spam, white_list_id=vip)
    put(client, alice, SECOND, black_list_id=empty, white_list_id=None)
    bobs = new_list(client, bob, "Bob's")
    put(client, bob, BOBS, black_list_id=bobs, white_list_id=None)

    with factory() as session:
        screening = ContactListRepository(session).screening(alice.tenant_id)
    assert screening == {
        HOTLINE: (("+84912345678", "+8424*"), ("+74951334527",)),
        SECOND: ((), ()),
    }
    black, white = screening[HOTLINE]
    assert list_matches("0912345678", black, "VN")
    assert list_matches("+842438000000", black, "VN")
    assert not list_matches("74951334527", black, "VN")
    assert list_matches("74951334527", white, "VN")
