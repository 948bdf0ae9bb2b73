"""Fixtures of the Plusofon dialect tests."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


@pytest.fixture
def safe(client: TestClient) -> TestClient:
    """The same app, but a crash comes back as the 500 a real client would see."""
    return TestClient(client.app, raise_server_exceptions=False)
