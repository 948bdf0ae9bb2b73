"""Fixtures of the eTelecom SMS Brandname tests: a tenant with a number, a packet, a
template and credentials."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from tests.messaging.helpers import NUMBER, add_offers, buy_packet, own


@pytest.fixture
def safe(client: TestClient) -> TestClient:
    """The same app, but a crash comes back as the 500 a real client would see."""
    return TestClient(client.app, raise_server_exceptions=False)


def sms_account(client: TestClient, party: Party, number: str = NUMBER) -> dict[str, Any]:
    own(client, party, number)
    packet = buy_packet(client, party, number=number)
    template = client.post(
        "/v1/sms-templates",
        json={"code": "OTP_LOGIN", "body": "Ma dang nhap cua {name} la {otp}"},
        headers=party.headers,
    )
    assert template.status_code == 201, template.text
    credential = client.post("/v1/sms-credentials", json={"number": number}, headers=party.headers)
    assert credential.status_code == 201, credential.text
    issued: dict[str, Any] = credential.json()
    return {"packet": packet, **issued}


@pytest.fixture
def account(
    client: TestClient, alice: Party, stock: list[str], factory: sessionmaker[Session]
) -> dict[str, Any]:
    add_offers(factory)
    return sms_account(client, alice)
