"""Fixtures of the OMICall dialect tests: access tokens for the shared parties."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Party


@pytest.fixture
def safe(client: TestClient) -> TestClient:
    """The same app, but a crash comes back as the 500 a real client would see."""
    return TestClient(client.app, raise_server_exceptions=False)


def access_token(client: TestClient, api_key: str) -> str:
    response = client.get("/api/auth", params={"apiKey": api_key})
    body = response.json()
    assert response.status_code == 200, response.text
    assert body["status_code"] == 9999, response.text
    token: str = body["payload"]["access_token"]
    return token


@dataclass(frozen=True)
class Omi:
    """A party with its OMICall access tokens (partner "bussiness", tenant "normal")
    and its tenant's owner email (what conftest.make_party gives it)."""

    party: Party
    partner_token: str
    tenant_token: str
    email: str

    @property
    def partner(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.partner_token}"}

    @property
    def tenant(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tenant_token}", "Content-Type": "application/json"}


def omi(client: TestClient, party: Party, name: str) -> Omi:
    return Omi(
        party,
        access_token(client, party.partner_key),
        access_token(client, party.tenant_key),
        f"owner@{name}.example",
    )


@pytest.fixture
def omi_alice(client: TestClient, alice: Party) -> Omi:
    return omi(client, alice, "alice")


@pytest.fixture
def omi_bob(client: TestClient, bob: Party) -> Omi:
    return omi(client, bob, "bob")
