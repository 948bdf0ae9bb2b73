"""/v1/sms-packet-offers, /v1/sms-packets, /v1/sms-numbers: quotas bought for numbers."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from tests.messaging.helpers import FIXED, NUMBER, OTHER_NUMBER, buy_packet, own, send
from tests.problems import assert_handled, assert_problem
from vpbx.messaging.packets import PacketService
from vpbx.tenancy.principal import Principal

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def test_offers_are_listed_smallest_first(client: TestClient, alice: Party, offers: None) -> None:
    response = client.get("/v1/sms-packet-offers", headers=alice.headers)
    assert response.json() == [
        {"code": "SMS10", "name": "SMS 10", "quota": 10, "price": "9000", "currency": "VND"},
        {
            "code": "SMS500",
            "name": "Пакет СМС 500",
            "quota": 500,
            "price": "300",
            "currency": "RUB",
        },
    ]


def test_a_packet_bought_for_an_owned_number(client: TestClient, alice: Party, owned: str) -> None:
    packet = buy_packet(client, alice, offer="sms500")
    assert UUID.match(packet["uid"])
    assert packet["number"] == NUMBER
    assert packet["name"] == "Пакет СМС 500"
    assert (packet["quota"], packet["remaining"]) == (500, 500)
    assert (packet["price"], packet["currency"]) == ("300", "RUB")
    assert client.get(f"/v1/sms-packets/{packet['id']}", headers=alice.headers).json() == packet
    listed = client.get(f"/v1/sms-packets?number={NUMBER}", headers=alice.headers).json()
    assert [p["id"] for p in listed["items"]] == [packet["id"]]


@pytest.mark.parametrize(
    ("number", "code"),
    [
        (OTHER_NUMBER, "number_not_found"),  # in stock, not Alice's
        ("+8412", "invalid_number"),
        ("not a number", "invalid_number"),
    ],
)
def test_a_packet_only_for_an_sms_number_you_own(
    client: TestClient, alice: Party, owned: str, number: str, code: str
) -> None:
    response = client.post(
        "/v1/sms-packets", json={"number": number, "offer": "SMS10"}, headers=alice.headers
    )
    body = assert_problem(response, 422, code)
    assert body["field"] == "number"


def test_a_fixed_line_cannot_take_sms(client: TestClient, alice: Party, owned: str) -> None:
    own(client, alice, FIXED)
    response = client.post(
        "/v1/sms-packets", json={"number": FIXED, "offer": "SMS10"}, headers=alice.headers
    )
    assert_problem(response, 422, "number_not_found")


def test_an_unknown_offer_is_refused(client: TestClient, alice: Party, owned: str) -> None:
    response = client.post(
        "/v1/sms-packets", json={"number": NUMBER, "offer": "SMS9"}, headers=alice.headers
    )
    assert_problem(response, 422, "offer_not_found")


def test_another_tenants_packets_and_numbers_are_invisible(
    client: TestClient, alice: Party, bob: Party, packet: dict[str, Any]
) -> None:
    assert_problem(client.get(f"/v1/sms-packets/{packet['id']}", headers=bob.headers), 404)
    assert client.get("/v1/sms-packets", headers=bob.headers).json()["items"] == []
    assert client.get("/v1/sms-numbers", headers=bob.headers).json()["items"] == []
    # Bob may not buy for, nor send from, Alice's number: it is not his.
    bought = client.post(
        "/v1/sms-packets", json={"number": NUMBER, "offer": "SMS10"}, headers=bob.headers
    )
    assert_problem(bought, 422, "number_not_found")
    assert_problem(send(client, bob), 422, "number_not_found")
    assert client.get(f"/v1/sms-packets/{packet['id']}", headers=alice.headers).json() == packet


def test_sms_numbers_show_the_packet_being_spent(
    client: TestClient, alice: Party, owned: str
) -> None:
    own(client, alice, OTHER_NUMBER, FIXED)
    first = buy_packet(client, alice)  # 10 messages
    second = buy_packet(client, alice, offer="SMS500")
    numbers = client.get("/v1/sms-numbers", headers=alice.headers).json()["items"]
    assert [n["number"] for n in numbers] == [OTHER_NUMBER, NUMBER]  # by id: stock order
    by_number = {n["number"]: n for n in numbers}
    assert FIXED not in by_number  # not SMS-capable
    assert by_number[OTHER_NUMBER]["packet"] is None
    assert by_number[NUMBER]["packet"]["uid"] == first["uid"]
    assert by_number[NUMBER]["number_type"] == "mobile"
    for _ in range(10):
        assert send(client, alice).status_code == 201
    # The first packet is empty: messages now spend the second, which is shown.
    numbers = client.get("/v1/sms-numbers", headers=alice.headers).json()["items"]
    shown = {n["number"]: n for n in numbers}[NUMBER]["packet"]
    assert (shown["uid"], shown["remaining"]) == (second["uid"], 500)
    assert send(client, alice).json()["packet_id"] == second["id"]


@pytest.mark.parametrize(
    "body",
    [
        {"number": NUMBER},
        {"offer": "SMS10"},
        {"number": NUMBER, "offer": "SMS10", "quota": 1_000_000},
        {"number": 84987776868, "offer": "SMS10"},
        {"number": NUMBER + "\x00", "offer": "SMS10"},
        {"number": NUMBER, "offer": "S" * 33},
        [],
    ],
)
def test_bad_input_is_4xx(safe: TestClient, alice: Party, owned: str, body: Any) -> None:
    response = safe.post("/v1/sms-packets", json=body, headers=alice.headers)
    assert_problem(response, 422)


def test_bad_paths_are_4xx(safe: TestClient, alice: Party) -> None:
    for path in (
        "/v1/sms-packets/99999999999999999999",
        "/v1/sms-packets/0",
        "/v1/sms-numbers?limit=0",
    ):
        response = safe.get(path, headers=alice.headers)
        assert_handled(response)
        assert response.status_code == 422
    assert_problem(
        safe.get("/v1/sms-packets", headers=alice.partner_headers), 422, "tenant_required"
    )


def test_a_page_by_position_with_the_total_for_page_numbered_faces(
    client: TestClient, alice: Party, owned: str, factory: sessionmaker[Session]
) -> None:
    own(client, alice, OTHER_NUMBER, FIXED)
    packet = buy_packet(client, alice)
    me = Principal(
        actor="t", partner_id=alice.partner_id, tenant_id=alice.tenant_id, is_partner=False
    )
    with factory() as session:
        first, total = PacketService(session).sms_number_page(me, offset=0, limit=1)
        second, _ = PacketService(session).sms_number_page(me, offset=1, limit=1)
        beyond, _ = PacketService(session).sms_number_page(me, offset=2, limit=1)
    assert total == 2  # the fixed line takes no SMS
    assert [n.number for n in first + second] == [OTHER_NUMBER, NUMBER]
    assert second[0].packet is not None
    assert (second[0].packet.uid, second[0].packet.remaining) == (packet["uid"], 10)
    assert beyond == []
