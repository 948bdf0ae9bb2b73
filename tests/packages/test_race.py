"""Code requests and confirmations racing for one phone and one order, on the real database."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from tests.packages.helpers import last_code, load_catalogue, other_code
from vpbx.config import Settings
from vpbx.db import begin_writing, transaction
from vpbx.errors import DomainError
from vpbx.models import OtpSend, PackageOrder
from vpbx.packages.schemas import OrderRequest
from vpbx.packages.service import PackageOrderService
from vpbx.tenancy.principal import Principal

THREADS = 8


def _principal(party: Party, api_key_id: int | None = None) -> Principal:
    return Principal(
        actor="race",
        partner_id=party.partner_id,
        tenant_id=party.tenant_id,
        is_partner=False,
        api_key_id=api_key_id,
    )


def _race(work: Callable[[int], None]) -> Counter[str]:
    """Run `work` on THREADS threads at once; count how each ended."""
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def run(i: int) -> None:
        start.wait()
        try:
            work(i)
            result = "ok"
        except DomainError as exc:
            result = exc.code
        with lock:
            outcomes[result] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_racing_code_requests_for_one_phone_send_one_code(
    client: TestClient, alice: Party, factory: sessionmaker[Session], settings: Settings
) -> None:
    load_catalogue(client, alice)
    me = _principal(alice)
    data = OrderRequest(phone="0337880699", carrier="VIETTEL", product_code="MP5X")

    def ask(_: int) -> None:
        with transaction(factory) as session:
            PackageOrderService(session, settings).request(me, data)

    outcomes = _race(ask)
    assert outcomes == Counter({"ok": 1, "otp_cooldown": THREADS - 1})
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(OtpSend)) == 1
        assert session.scalar(select(func.count()).select_from(PackageOrder)) == 1


def _commit_kept(factory: sessionmaker[Session], work: Callable[[Session], None]) -> None:
    """One unit of work as a request runs it: a refusal that keeps its changes commits."""
    with factory() as session:
        begin_writing(session)
        try:
            work(session)
        except DomainError as exc:
            if exc.keeps_changes:
                session.commit()
            raise
        else:
            session.commit()


def test_racing_wrong_codes_are_each_counted_and_the_order_fails_once(
    client: TestClient, alice: Party, factory: sessionmaker[Session], settings: Settings
) -> None:
    load_catalogue(client, alice)
    me = _principal(alice)
    with transaction(factory) as session:
        order = PackageOrderService(session, settings).request(
            me, OrderRequest(phone="0337880699", carrier="VIETTEL", product_code="MP5X")
        )
        order_id = order.id
    wrong = other_code(last_code(factory, "+84337880699"))

    def guess(_: int) -> None:
        _commit_kept(
            factory,
            lambda s: PackageOrderService(s, settings).confirm(me, wrong, order_id=order_id),
        )

    outcomes = _race(guess)
    # Five tries are counted (four refusals, then the one that fails the order); the
    # rest find the order failed. No try is lost and none is counted twice.
    assert outcomes == Counter(
        {"otp_wrong": 4, "otp_attempts_exhausted": 1, "order_failed": THREADS - 5}
    )
    with factory() as session:
        stored = session.get(PackageOrder, order_id)
        assert stored is not None
        assert (stored.status, stored.attempts) == ("failed", 5)
