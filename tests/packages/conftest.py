"""Fixtures of the package tests (the shared ones live in tests/conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Party
from tests.packages.helpers import load_catalogue


@pytest.fixture
def safe(client: TestClient) -> TestClient:
    """The same app, but a crash comes back as the 500 a real client would see."""
    return TestClient(client.app, raise_server_exceptions=False)


@pytest.fixture
def catalogue(client: TestClient, alice: Party) -> list[dict[str, Any]]:
    """Alice's partner sells Viettel, MobiFone and VinaPhone packages."""
    return load_catalogue(client, alice)
