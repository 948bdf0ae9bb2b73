"""The number and PBX lists read a page at a time: the statements a page takes do not grow
with the numbers on it (forwarding, black lists and caller-ID users are read per page), nor
with the tenant's SIP accounts, groups or contact lists (one page and a count are read)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from tests.dialects.plusofon.helpers import buy, headers, number_ids, send
from vpbx.api.app import create_app
from vpbx.config import Settings
from vpbx.numbers.importer import NumberImporter

# 31 Moscow-region mobile numbers: two full pages of 15 and one of 1.
MANY = [f"+7930123{n:04d}" for n in range(31)]
HELD = [f"+7495123{n:04d}" for n in range(3)]


@pytest.fixture
def many(factory: sessionmaker[Session]) -> list[str]:
    rows = [
        {"number": n, "currency": "RUB", "connection_price": "99", "monthly_price": "150"}
        for n in MANY + HELD
    ]
    report = NumberImporter(factory).import_rows(rows)
    assert report.imported == len(rows), report.rejected
    return MANY


@pytest.fixture
def tight(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    """An instance whose largest page is Plusofon's 15: a read of a tenant's whole list in
    batches would take more statements as the list grows past one page."""
    with TestClient(create_app(settings.model_copy(update={"page_size_max": 15}), engine)) as c:
        yield c


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def statements_of(client: TestClient, engine: Engine, party: Party, path: str) -> tuple[int, Any]:
    with counting(engine) as statements:
        response = client.get(path, headers=headers(party))
    assert response.status_code == 200, response.text
    return len(statements), response.json()


def ok(response: Any) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text
    result: dict[str, Any] = response.json()
    return result


def test_a_number_page_takes_the_same_statements_whatever_its_size(
    client: TestClient, engine: Engine, alice: Party, bob: Party, many: list[str]
) -> None:
    wire = [n.removeprefix("+") for n in many]
    buy(client, alice, *wire[:30])
    buy(client, bob, wire[30])
    ids = number_ids(client, alice)
    assert len(ids) == 15  # the first page
    ids = {n["number"]: n["id"] for p in (1, 2) for n in
           ok(client.get(f"/api/v1/number?page={p}", headers=headers(alice)))["data"]}  # fmt: skip
    assert set(ids) == set(wire[:30])
    # Every number forwards to a SIP account and has a black list; two accounts show one.
    sip = ok(client.post("/v1/extensions", json={"display_name": "Desk"}, headers=alice.headers))
    follow = {"type": "sip", "numbers": list(ids.values()), "sip_id": sip["id"], "cli_type": "Y"}
    assert send(client, alice, "POST", "number/follow", follow).json() == {"success": True}
    spam = ok(client.post("/v1/contact-lists", json={"name": "spam", "type": "black"},
                          headers=alice.headers))  # fmt: skip
    body = {"contact_list_id": spam["id"], "numbers": list(ids.values())}
    assert send(client, alice, "PATCH", "number/contact-list", body).json() == {"success": True}
    for name in ("Anna", "Boris"):
        extension = {"display_name": name, "caller_id_hotline": many[29]}
        ok(client.post("/v1/extensions", json=extension, headers=alice.headers))

    full, first = statements_of(client, engine, alice, "/api/v1/number")
    assert len(first["data"]) == 15
    # Alice's page 2 has her last 15 numbers; a tenant of one number is the small page.
    full_too, second = statements_of(client, engine, alice, "/api/v1/number?page=2")
    small, bobs = statements_of(client, engine, bob, "/api/v1/number")
    assert [n["number"] for n in bobs["data"]] == [wire[30]]
    assert full == full_too
    # Bob's number has no forwarding, list or caller-ID user: fewer label reads, if any.
    assert full <= small + 1, (full, small)
    assert full < 15, full  # not one (or more) per number
    for item in first["data"] + second["data"]:
        assert item["following"] == {"name": f"Sip аккаунт {sip['number']}",
                                     "cli_type": "Номер и имя звонящего"}  # fmt: skip
        assert item["black_list"] == spam["id"]
    shown = {item["number"]: item["aon_for_sips"] for item in second["data"]}
    assert [a["name"] for a in shown[wire[29]]] == ["Anna", "Boris"]
    assert all(not a for n, a in shown.items() if n != wire[29])
    assert (second["total"], second["from"], second["to"]) == (30, 16, 30)


def test_a_reservation_page_takes_the_same_statements_whatever_its_size(
    client: TestClient, engine: Engine, alice: Party, many: list[str]
) -> None:
    held = [n.removeprefix("+") for n in HELD]
    reserve = {"number": held[0][1:], "owner_type": "personal"}
    assert send(client, alice, "POST", "number/reserve", reserve).json() == {"success": True}
    one, body = statements_of(client, engine, alice, "/api/v1/number/reserve")
    assert [(n["number"], n["owner_type"]) for n in body["data"]] == [(held[0], "personal")]
    for number in held[1:]:
        reserve = {"number": number[1:], "owner_type": "business"}
        assert send(client, alice, "POST", "number/reserve", reserve).json() == {"success": True}
    three, body = statements_of(client, engine, alice, "/api/v1/number/reserve")
    assert [n["number"] for n in body["data"]] == held
    assert [n["owner_type"] for n in body["data"]] == ["personal", "business", "business"]
    assert one == three


def test_a_sip_page_takes_the_same_statements_whatever_the_accounts(
    tight: TestClient, engine: Engine, alice: Party, bob: Party, many: list[str]
) -> None:
    """The SIP list reads one page of extensions, their count and the page's caller IDs,
    not the tenant's whole list nor one caller ID per account."""
    wire = [n.removeprefix("+") for n in many]
    buy(tight, alice, wire[0], wire[1])
    desk = {"display_name": "Desk", "caller_id_hotline": many[0]}
    first_id = ok(tight.post("/v1/extensions", json=desk, headers=alice.headers))["id"]
    one, alone = statements_of(tight, engine, alice, "/api/v1/sip")
    assert [(e["id"], e["aon"]) for e in alone["data"]] == [(first_id, {"number": wire[0]})]
    for n in range(29):  # every account presents a caller ID, from two numbers
        body = {"display_name": f"Desk {n}", "caller_id_hotline": many[n % 2]}
        ok(tight.post("/v1/extensions", json=body, headers=alice.headers))
        if n % 10 == 0:  # Bob's accounts sit between Alice's and never show
            ok(tight.post("/v1/extensions", json={"display_name": "Bob"}, headers=bob.headers))

    thirty, first = statements_of(tight, engine, alice, "/api/v1/sip")
    thirty_too, second = statements_of(tight, engine, alice, "/api/v1/sip?page=2")
    assert thirty <= one, (thirty, one)
    assert thirty_too == thirty
    assert (first["total"], first["last_page"], len(first["data"])) == (30, 2, 15)
    assert (second["from"], second["to"], len(second["data"])) == (16, 30, 15)
    ids = [e["id"] for e in first["data"] + second["data"]]
    assert ids == sorted(ids)
    assert (ids[0], len(set(ids))) == (first_id, 30)
    assert all(e["aon"] in ({"number": wire[0]}, {"number": wire[1]}) for e in second["data"])
    assert "Bob" not in {e["name"] for e in first["data"] + second["data"]}


@pytest.mark.parametrize(
    ("path", "native", "body"),
    [
        ("groups", "/v1/groups", {"name": "Sales"}),
        ("contact-lists", "/v1/contact-lists", {"name": "spam", "type": "black"}),
    ],
)
def test_group_and_contact_list_pages_take_the_same_statements_whatever_their_count(
    tight: TestClient, engine: Engine, alice: Party, path: str, native: str, body: Any
) -> None:
    ok(tight.post(native, json=body, headers=alice.headers))
    one, alone = statements_of(tight, engine, alice, f"/api/v1/{path}")
    assert alone["total"] == 1
    for n in range(19):
        ok(tight.post(native, json={**body, "name": f"{body['name']} {n}"}, headers=alice.headers))
    twenty, first = statements_of(tight, engine, alice, f"/api/v1/{path}")
    assert twenty <= one, (twenty, one)
    assert (first["total"], len(first["data"])) == (20, 15)
