"""Fixtures of the end-to-end SIP tests: a running vpbx + Kamailio per test."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.cli.test_cli import Cli, reset_cli_caches
from tests.sip.harness import Stack, missing_tools, running_stack
from tests.sip.helpers import TOKEN
from vpbx.config import Settings
from vpbx.sip.settings import SipSettings, get_sip_settings


@pytest.fixture
def stack(settings: Settings, engine: Engine) -> Iterator[Stack]:
    yield from _stack(settings, engine)


@pytest.fixture
def uncached_stack(settings: Settings, engine: Engine) -> Iterator[Stack]:
    """Kamailio without its credential cache (auth_db reads the view on every request)."""
    yield from _stack(settings, engine, credential_cache_s=0)


@pytest.fixture
def draining_stack(settings: Settings, engine: Engine) -> Iterator[Stack]:
    """Kamailio keeping all its shared memory for calls in progress: what an overloaded
    server does to every new call, it does here to all of them."""
    yield from _stack(settings, engine, overload_reserve_percent=100)


@pytest.fixture
def capped_stack(settings: Settings, engine: Engine) -> Iterator[Stack]:
    """Kamailio routing at most 3 new calls per second."""
    yield from _stack(settings, engine, max_calls_per_s=3)


def _stack(settings: Settings, engine: Engine, **sip_settings: Any) -> Iterator[Stack]:
    reason = missing_tools(settings.database_url)
    if reason is not None:
        if os.environ.get("VPBX_REQUIRE_SIP") == "1":  # CI installs them: missing is a failure
            pytest.fail(reason)
        pytest.skip(reason)
    # Unix socket paths are short (108 bytes): a folder of our own under /tmp.
    workdir = Path(tempfile.mkdtemp(prefix="vsip-"))
    try:
        with running_stack(settings, engine, workdir, **sip_settings) as running:
            yield running
    except BaseException:
        print((workdir / "kamailio.log").read_text(errors="replace")[-6000:])  # noqa: T201
        raise
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def sip_client(client: TestClient) -> TestClient:
    """The test client with a known SIP server token."""
    client.app.state.sip_settings = SipSettings(token=TOKEN)  # type: ignore[attr-defined]
    return client


@pytest.fixture
def safe(sip_client: TestClient) -> TestClient:
    """The same app, but a crash comes back as the 500 a real client would see."""
    return TestClient(sip_client.app, raise_server_exceptions=False)


@pytest.fixture
def sip_cli(
    monkeypatch: pytest.MonkeyPatch, db_url: str, engine: Engine, tmp_path: Path
) -> Iterator[Cli]:
    for name in list(os.environ):
        if name.startswith("VPBX_") and name != "VPBX_TEST_DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.setenv("VPBX_DATABASE_URL", db_url)
    monkeypatch.setenv("VPBX_SIP_TOKEN_FILE", str(tmp_path / "sip.token"))
    monkeypatch.setenv("VPBX_SIP_RUN_DIR", str(tmp_path / "run"))
    get_sip_settings.cache_clear()
    reset_cli_caches()
    yield Cli(monkeypatch)
    get_sip_settings.cache_clear()
    reset_cli_caches()
