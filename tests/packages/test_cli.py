"""`vpbx packages` and `vpbx sms`: the catalogue from CSV, orders, the outbox, offers."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.cli.test_cli import Cli, assert_failed, assert_ok, flat, reset_cli_caches
from tests.conftest import Party
from tests.packages.helpers import last_code, load_catalogue, ordered
from vpbx.db import create_db_engine, make_session_factory
from vpbx.models import CarrierPackage, SmsPacketOffer

COLUMNS = ("carrier", "product_code", "type", "price", "validity_days", "description")


@pytest.fixture
def vpbx(monkeypatch: pytest.MonkeyPatch, db_url: str, engine: Engine) -> Iterator[Cli]:
    for name in list(os.environ):
        if name.startswith("VPBX_") and name != "VPBX_TEST_DATABASE_URL":
            monkeypatch.delenv(name)
    reset_cli_caches()
    runner = Cli(monkeypatch)
    runner.use(db_url)
    yield runner
    reset_cli_caches()


def _csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


ROWS = [
    {"carrier": "VIETTEL", "product_code": "MP5X", "type": "COMBO", "price": "5000",
     "validity_days": "5", "description": "Gọi và nhắn tin 5 ngày"},
    {"carrier": "MOBIFONE", "product_code": "6C120", "type": "COMBO", "price": "720000",
     "validity_days": "180", "description": ""},
]  # fmt: skip


def _packages(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(CarrierPackage)) or 0


def test_load_a_catalogue_from_csv(
    vpbx: Cli, alice: Party, tmp_path: Path, factory: sessionmaker[Session]
) -> None:
    path = _csv(tmp_path / "packages.csv", ROWS)
    dry = vpbx("packages", "load", path, "--partner", "Alice partner", "--dry-run")
    assert_ok(dry)
    assert "would create 2" in dry.stdout
    assert _packages(factory) == 0
    result = vpbx("packages", "load", path, "--partner", str(alice.partner_id))
    assert_ok(result)
    assert "created 2, updated 0, rejected 0" in result.stdout
    listed = vpbx("packages", "list", "--partner", "Alice partner")
    assert_ok(listed)
    assert "MP5X" in listed.stdout
    assert "6C120" in listed.stdout
    again = vpbx("packages", "load", path, "--partner", "Alice partner")
    assert "created 0, updated 2" in again.stdout


def test_bad_rows_are_reported_by_line(
    vpbx: Cli, alice: Party, tmp_path: Path, factory: sessionmaker[Session]
) -> None:
    rows = [*ROWS, {**ROWS[0], "product_code": "X1", "type": "VOICE"}]
    result = vpbx("packages", "load", _csv(tmp_path / "p.csv", rows), "--partner", "Alice partner")
    assert result.exit_code == 1
    assert "line 4:" in flat(result.stdout)
    assert _packages(factory) == 2  # the good rows landed


def test_load_refuses_unknown_partners_and_files(vpbx: Cli, tmp_path: Path) -> None:
    path = _csv(tmp_path / "p.csv", ROWS)
    assert_failed(vpbx("packages", "load", path, "--partner", "Nobody"), 1, "no partner 'Nobody'")
    missing = vpbx("packages", "load", tmp_path / "nope.csv", "--partner", "x")
    assert missing.exit_code == 2
    assert "Traceback" not in missing.output


def test_orders_and_the_outbox(
    vpbx: Cli, client: TestClient, alice: Party, factory: sessionmaker[Session]
) -> None:
    load_catalogue(client, alice)
    order = ordered(client, alice.headers)
    outbox = vpbx("sms", "outbox", "--to", "0337880699")
    assert_ok(outbox)
    assert last_code(factory, "+84337880699") in outbox.stdout
    orders = vpbx("packages", "orders", "--status", "pending")
    assert_ok(orders)
    assert "pending" in orders.stdout
    assert order["order_code"][:6] in orders.stdout
    assert "+843" in orders.stdout
    assert_failed(vpbx("packages", "orders", "--status", "done"), 1, "--status must be one of")
    assert_failed(vpbx("sms", "outbox", "--to", "hello"), 1, "not a mobile number")
    empty = vpbx("packages", "orders", "--partner", "Alice partner", "--status", "active")
    assert_ok(empty)
    assert "DG" not in empty.stdout


def test_offers_and_template_reviews(vpbx: Cli, factory: sessionmaker[Session]) -> None:
    assert_ok(
        vpbx(
            "sms",
            "offers",
            "set",
            "sms500",
            "--quota",
            "500",
            "--price",
            "300",
            "--currency",
            "RUB",
        )
    )
    listed = vpbx("sms", "offers", "list")
    assert "SMS500" in listed.stdout
    assert "300" in listed.stdout
    with factory() as session:
        offer = session.scalars(select(SmsPacketOffer)).one()
        assert (offer.quota, offer.currency, offer.name) == (500, "RUB", "SMS500")
    assert_failed(
        vpbx("sms", "offers", "set", "X", "--quota", "5", "--price", "abc"), 1, "not a price"
    )
    assert_failed(
        vpbx("sms", "offers", "set", "X!", "--quota", "5", "--price", "1"), 1, "offer code"
    )
    assert_failed(vpbx("sms", "templates", "approve", "12345"), 1, "template 12345 not found")
    huge = vpbx("sms", "templates", "approve", "99999999999999999999")
    assert huge.exit_code == 2
    assert "Traceback" not in huge.output


def test_the_demo_loads_a_catalogue_and_says_how_to_read_the_outbox(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in list(os.environ):
        if name.startswith("VPBX_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("vpbx.cli.demo.DEMO_STOCK", (("VN", 20, 1),))
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    runner = Cli(monkeypatch)
    runner.use(url)
    for _ in range(2):  # a second run reuses the instance
        result = runner("demo", "--no-serve")
        assert_ok(result)
    out = result.stdout
    assert "carrier packages: 10" in out
    assert "/api-customer/public/order/partner/get-otp" in out
    assert "vpbx sms outbox --to 0337880699" in out
    engine = create_db_engine(url)
    try:
        with make_session_factory(engine)() as session:
            codes: Any = set(session.scalars(select(CarrierPackage.product_code)))
            offers = session.scalar(select(func.count()).select_from(SmsPacketOffer))
        assert {"MP5X", "V200B", "6C120", "D60G"} <= codes
        assert offers == 3
    finally:
        engine.dispose()
