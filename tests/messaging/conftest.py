"""Fixtures of the SMS tests (the shared ones live in tests/conftest.py)."""

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


@pytest.fixture
def offers(factory: sessionmaker[Session]) -> None:
    add_offers(factory)


@pytest.fixture
def owned(client: TestClient, alice: Party, stock: list[str], offers: None) -> str:
    """Alice owns an SMS-capable number (no packet yet)."""
    own(client, alice, NUMBER)
    return NUMBER


@pytest.fixture
def packet(client: TestClient, alice: Party, owned: str) -> dict[str, Any]:
    """…with a packet of 10 messages on it."""
    return buy_packet(client, alice)
