"""Shared fixtures: a migrated database per test run, emptied between tests.

The suite runs on SQLite by default and on PostgreSQL when VPBX_TEST_DATABASE_URL names
one (the Makefile runs both). API requests commit for real, so isolation is by a fresh
copy of a migrated SQLite file, or TRUNCATE on PostgreSQL, not by an outer rollback.
"""

from __future__ import annotations

import base64
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from vpbx import schema
from vpbx.api.app import create_app
from vpbx.config import Settings
from vpbx.db import create_db_engine, make_session_factory, normalize_url, transaction
from vpbx.models import Base
from vpbx.numbers.importer import NumberImporter
from vpbx.sip.notifier import RecordingNotifier, use_notifier
from vpbx.tenancy.service import TenancyService

PG_URL = os.environ.get("VPBX_TEST_DATABASE_URL", "")


def _ensure_pg_database(url: str) -> None:
    parsed = make_url(normalize_url(url))
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}
        )
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


@pytest.fixture(scope="session")
def migrated_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if PG_URL:
        _ensure_pg_database(PG_URL)
        engine = create_db_engine(PG_URL)
        with engine.begin() as conn:  # start from nothing: migrations are under test too
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
        schema.upgrade(PG_URL)
        return PG_URL
    template = tmp_path_factory.mktemp("db") / "template.db"
    url = f"sqlite:///{template}"
    schema.upgrade(url)
    return url


@pytest.fixture
def db_url(migrated_url: str, tmp_path: Path) -> str:
    if PG_URL:
        return migrated_url
    path = Path(make_url(migrated_url).database or "")
    copy = tmp_path / "vpbx.db"
    shutil.copyfile(path, copy)
    return f"sqlite:///{copy}"


def _empty_pg(engine: Engine) -> None:
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        # A transaction left open by the code under test would block this forever:
        # fail the test instead, naming the cause.
        conn.execute(text("SET LOCAL lock_timeout = '15s'"))
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = create_db_engine(db_url, busy_timeout_ms=30_000)
    yield engine
    if PG_URL:
        _empty_pg(engine)
    engine.dispose()


@pytest.fixture
def settings(db_url: str) -> Settings:
    # A key of the test's own: nothing may write vpbx.key into the working directory.
    return Settings(
        database_url=db_url, secret_key=base64.urlsafe_b64encode(os.urandom(32)).decode()
    )


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def session(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session for service tests; the test commits or not as it needs."""
    with factory() as session:
        yield session


@pytest.fixture
def client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(settings, engine)) as test_client:
        yield test_client


@dataclass(frozen=True)
class Party:
    """A tenant and the keys that can act for it."""

    partner_id: int
    tenant_id: int
    partner_key: str
    tenant_key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tenant_key}"}

    @property
    def partner_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.partner_key}"}

    def acting(self) -> dict[str, str]:
        return {**self.partner_headers, "Vpbx-Tenant": str(self.tenant_id)}


def make_party(factory: sessionmaker[Session], name: str) -> Party:
    with transaction(factory) as session:
        service = TenancyService(session)
        partner = service.create_partner(f"{name} partner")
        tenant = service.create_tenant(
            partner.id, f"{name} tenant", email=f"owner@{name.lower()}.example"
        )
        return Party(
            partner.id,
            tenant.id,
            service.issue_key(partner_id=partner.id).secret,
            service.issue_key(tenant_id=tenant.id).secret,
        )


@pytest.fixture
def alice(factory: sessionmaker[Session]) -> Party:
    return make_party(factory, "Alice")


@pytest.fixture
def bob(factory: sessionmaker[Session]) -> Party:
    return make_party(factory, "Bob")


STOCK = [
    # number, tier label expected from the classifier is not asserted here
    ("+842438256868", "VND", "200000", "22000"),
    ("+842438250000", "VND", "200000", "22000"),
    ("+842477778823", "VND", "200000", "22000"),
    ("+842477712345", "VND", "200000", "22000"),
    ("+842836251234", "VND", "200000", "22000"),
    ("+842838777999", "VND", "5000000", "99000"),
    ("+842363555555", "VND", "90000000", "500000"),
    ("+84912345678", "VND", "300000", "50000"),
    ("+84987776868", "VND", "300000", "50000"),
    ("+74951334527", "RUB", "99", "150"),
    ("+74951919036", "RUB", "99", "99"),
    ("+74956666666", "RUB", "10000", "990"),
    ("+79309993750", "RUB", "99", "99"),
    ("+78001234567", "RUB", "790", "1500"),
]


def stock_rows() -> list[dict[str, str]]:
    return [
        {
            "number": n,
            "currency": c,
            "connection_price": conn,
            "monthly_price": month,
            "prices": "USD:8.9:0.977" if c == "VND" else "",
        }
        for n, c, conn, month in STOCK
    ]


@pytest.fixture
def stock(factory: sessionmaker[Session]) -> list[str]:
    report = NumberImporter(factory).import_rows(stock_rows())
    assert report.imported == len(STOCK), report.rejected
    return [row[0] for row in STOCK]


@pytest.fixture
def notifier() -> Iterator[RecordingNotifier]:
    """What the services tell the SIP server, recorded instead of sent."""
    with use_notifier(RecordingNotifier()) as recording:
        assert isinstance(recording, RecordingNotifier)
        yield recording
