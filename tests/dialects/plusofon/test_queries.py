"""The number lists read a page at a time: the statements a page takes do not grow with
the numbers on it (forwarding, black lists and caller-ID users are read per page)."""

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
