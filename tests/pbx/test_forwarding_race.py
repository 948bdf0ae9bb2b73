"""Two writers of one number's forwarding: the second waits for the first and replaces
what it wrote (a PUT is a replacement), never a crash; and a write the database refuses
in a race is a 409 to retry, never a 500."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from tests.pbx.forwarding_helpers import buy_as, get_forwarding, put_forwarding, stored_forwardings
from vpbx.db import transaction
from vpbx.pbx.forwarding import ForwardingService
from vpbx.pbx.forwarding_repository import ForwardingRepository
from vpbx.pbx.forwarding_schemas import ForwardingSpec
from vpbx.tenancy.principal import Principal

HOTLINE = "+842438256868"
FIRST = ForwardingSpec(type="number", destination_number="+84987776868", cli_mode="Y")
SECOND = ForwardingSpec(type="number", destination_number="+84912345678", cli_mode="N")


def _me(party: Party) -> Principal:
    return Principal(
        actor="test", partner_id=party.partner_id, tenant_id=party.tenant_id, is_partner=False
    )


def test_the_second_writer_waits_and_replaces_the_first(
    client: TestClient, alice: Party, stock: list[str], factory: sessionmaker[Session]
) -> None:
    """The first writer holds its transaction open while the second starts: on
    PostgreSQL the second used to miss the first's uncommitted row, insert its own and
    fail on the unique number; now it waits for the number and updates the row."""
    buy_as(client, alice, "business", HOTLINE)
    first_wrote, outcome = threading.Event(), []

    def first() -> None:
        with transaction(factory) as session:
            ForwardingService(session).set(_me(alice), HOTLINE, FIRST)
            first_wrote.set()
            time.sleep(0.5)  # the second writer starts meanwhile

    def second() -> None:
        first_wrote.wait(5)
        try:
            with transaction(factory) as session:
                ForwardingService(session).set(_me(alice), HOTLINE, SECOND)
            outcome.append("ok")
        except Exception as exc:  # reported by the assertion, not lost in the thread
            outcome.append(type(exc).__name__)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert outcome == ["ok"]
    assert len(stored_forwardings(factory)) == 1
    now = get_forwarding(client, alice, HOTLINE)
    assert (now["type"], now["destination_number"], now["cli_mode"]) == (
        "number",
        "+84912345678",
        "N",
    )


def test_a_write_the_database_refuses_in_a_race_is_a_409_to_retry(
    client: TestClient,
    alice: Party,
    stock: list[str],
    factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    buy_as(client, alice, "business", HOTLINE)
    before = stored_forwardings(factory)

    def refused(self: ForwardingRepository, row: Any) -> None:
        self.session.add(row)
        self.session.flush()
        raise IntegrityError("INSERT ...", {}, Exception("duplicate key"))

    monkeypatch.setattr(ForwardingRepository, "save_forwarding", refused)
    body = {"type": "number", "destination_number": "+84987776868", "cli_mode": "Y"}
    response = put_forwarding(client, alice, HOTLINE, **body)
    assert response.status_code == 409, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "concurrent_change"
    assert "duplicate key" not in response.text
    assert stored_forwardings(factory) == before  # rolled back
