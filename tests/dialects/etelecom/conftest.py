"""Fixtures of the eTelecom dialect tests."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.dialects.etelecom.helpers import Etelecom


@pytest.fixture
def safe(client: TestClient) -> TestClient:
    """The same app, but a crash comes back as the 500 a real client would see."""
    return TestClient(client.app, raise_server_exceptions=False)


@pytest.fixture
def et(safe: TestClient) -> Etelecom:
    """An eTelecom client of the app (crashes answer 500, which every test refuses)."""
    return Etelecom(safe)
