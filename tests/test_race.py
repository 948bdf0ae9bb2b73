"""Many clients racing for the same numbers: each number is sold exactly once."""

from __future__ import annotations

import random
import threading
from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party, make_party
from vpbx.config import Settings
from vpbx.db import transaction
from vpbx.errors import NotAvailable
from vpbx.models import Number, OrderItem
from vpbx.numbers.enums import OwnerType
from vpbx.numbers.generate import generate_stock
from vpbx.numbers.importer import NumberImporter
from vpbx.numbers.service import NumberService
from vpbx.tenancy.principal import Principal

CLIENTS, NUMBERS, TENANTS = 16, 40, 4


def _client(
    factory: sessionmaker[Session],
    settings: Settings,
    party: Party,
    numbers: list[str],
    seed: int,
    wins: list[str],
    start: threading.Barrier,
) -> None:
    me = Principal(
        actor=f"client:{seed}",
        partner_id=party.partner_id,
        tenant_id=party.tenant_id,
        is_partner=False,
    )
    order = numbers[:]
    random.Random(seed).shuffle(order)
    start.wait()
    for e164 in order:
        with transaction(factory) as session:
            [held] = NumberService(session, settings).reserve(
                me, [e164], owner_type=OwnerType.BUSINESS
            )
        if held.status != "reserved":
            continue
        try:
            with transaction(factory) as session:
                NumberService(session, settings).buy(
                    me, [e164], months=1, owner_type=OwnerType.BUSINESS
                )
            wins.append(e164)
        except NotAvailable:
            pass  # another client of the same tenant bought it first


def test_racing_clients_buy_each_number_exactly_once(
    factory: sessionmaker[Session], settings: Settings
) -> None:
    rows = list(generate_stock("VN", NUMBERS, seed=7))
    NumberImporter(factory).import_rows(rows)
    numbers = [row["number"] for row in rows]
    parties = [make_party(factory, f"Racer{i}") for i in range(TENANTS)]
    wins: list[str] = []
    start = threading.Barrier(CLIENTS)
    threads = [
        threading.Thread(
            target=_client, args=(factory, settings, parties[i % TENANTS], numbers, i, wins, start)
        )
        for i in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sorted(wins) == sorted(numbers), "every number won exactly once"
    with factory() as session:
        sales = Counter(session.scalars(select(OrderItem.e164)).all())
        owners = session.execute(select(Number.status, func.count()).group_by(Number.status)).all()
    assert set(sales) == set(numbers)
    assert max(sales.values()) == 1, "no double sale"
    assert dict(owners) == {"active": NUMBERS}
