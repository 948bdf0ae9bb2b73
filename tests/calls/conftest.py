"""Fixtures of the call-record tests: two tenants with a small PBX each."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Party
from tests.pbx.helpers import buy, new_extension, new_user


@pytest.fixture
def safe(client: TestClient) -> TestClient:
    """The same app, but a crash comes back as the 500 a real client would see."""
    return TestClient(client.app, raise_server_exceptions=False)


@dataclass(frozen=True)
class Pbx:
    """A tenant's hotline, extensions 101 (with a user) and 102, and ring group 699."""

    party: Party
    hotline: str
    user_id: int
    ext101: int
    ext102: int
    group: str


def make_pbx(client: TestClient, party: Party, hotline: str) -> Pbx:
    buy(client, party, hotline)
    user = new_user(client, party)
    first = new_extension(client, party, user_id=user["id"])
    second = new_extension(client, party)
    assert (first["number"], second["number"]) == ("101", "102")
    group = client.post(
        "/v1/groups",
        json={"name": "Sales", "members": [{"extension_id": first["id"]}]},
        headers=party.headers,
    )
    assert group.status_code == 201, group.text
    return Pbx(party, hotline, user["id"], first["id"], second["id"], group.json()["number"])


@pytest.fixture
def alices(client: TestClient, alice: Party, stock: list[str]) -> Pbx:
    return make_pbx(client, alice, "+842438256868")


@pytest.fixture
def bobs(client: TestClient, bob: Party, stock: list[str]) -> Pbx:
    return make_pbx(client, bob, "+842477778823")
