"""Helpers of the SMS tests: a tenant with an SMS-capable number and a packet on it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from vpbx.db import transaction
from vpbx.messaging.packets import PacketService

NUMBER = "+84987776868"  # a Viettel mobile of the test stock: SMS-capable
OTHER_NUMBER = "+84912345678"  # a VinaPhone mobile of the stock
FIXED = "+842438256868"  # a Hanoi fixed line: no SMS
TO = "0337880699"


def add_offers(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as session:
        service = PacketService(session)
        service.save_offer("SMS10", "SMS 10", 10, Decimal("9000"), "VND")
        service.save_offer("SMS500", "Пакет СМС 500", 500, Decimal("300.00"), "RUB")


def own(client: TestClient, party: Party, *numbers: str) -> None:
    response = client.post(
        "/v1/orders", json={"numbers": list(numbers), "months": 1}, headers=party.headers
    )
    assert response.status_code == 201, response.text


def buy_packet(
    client: TestClient, party: Party, number: str = NUMBER, offer: str = "SMS10"
) -> dict[str, Any]:
    response = client.post(
        "/v1/sms-packets", json={"number": number, "offer": offer}, headers=party.headers
    )
    assert response.status_code == 201, response.text
    packet: dict[str, Any] = response.json()
    return packet


def send(client: TestClient, party: Party, **fields: Any) -> Any:
    body = {"from": NUMBER, "to": TO, "text": "Xin chao", **fields}
    return client.post("/v1/messages", json=body, headers=party.headers)
