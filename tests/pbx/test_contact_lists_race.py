"""Writers racing on one name or one number: a clean refusal for the losers, never a crash.

On SQLite writers queue for the lock, so the service's own checks refuse the losers; on
PostgreSQL they can pass those checks together and the constraints decide.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from tests.pbx.helpers import buy
from vpbx.config import Settings
from vpbx.db import transaction
from vpbx.errors import Conflict
from vpbx.models import ContactList, NumberContactList
from vpbx.pbx.contacts import ContactListService
from vpbx.pbx.contacts_schemas import ContactListCreate, NumberContactListsSet
from vpbx.tenancy.principal import Principal

WRITERS = 6
HOTLINE = "+842438256868"


def race(
    factory: sessionmaker[Session], settings: Settings, work: Callable[[ContactListService], object]
) -> list[str]:
    """Run `work` in WRITERS threads at once; each outcome is "ok", a Conflict code, or
    the name of any other exception."""
    outcomes: list[str] = []
    start = threading.Barrier(WRITERS)

    def writer() -> None:
        start.wait()
        try:
            with transaction(factory) as session:
                work(ContactListService(session, settings))
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(exc.code)
        except Exception as exc:  # the test reports it instead of losing it in a thread
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=writer) for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_one_name_is_created_once(
    alice: Party, factory: sessionmaker[Session], settings: Settings
) -> None:
    me = Principal(
        actor="t", partner_id=alice.partner_id, tenant_id=alice.tenant_id, is_partner=False
    )
    outcomes = race(
        factory, settings, lambda s: s.create(me, ContactListCreate(name="Spam", type="black"))
    )
    assert sorted(outcomes) == ["contact_list_exists"] * (WRITERS - 1) + ["ok"]
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(ContactList)) == 1


def test_one_number_gets_one_list_of_a_type(
    client: TestClient,
    alice: Party,
    stock: list[str],
    factory: sessionmaker[Session],
    settings: Settings,
) -> None:
    buy(client, alice, HOTLINE)
    me = Principal(
        actor="t", partner_id=alice.partner_id, tenant_id=alice.tenant_id, is_partner=False
    )
    with transaction(factory) as session:
        service = ContactListService(session, settings)
        ids = [
            service.create(me, ContactListCreate(name=f"L{i}", type="black")).id
            for i in range(WRITERS)
        ]
    lists = iter(ids)
    lock = threading.Lock()

    def assign(service: ContactListService) -> object:
        with lock:
            list_id = next(lists)
        body = NumberContactListsSet(black_list_id=list_id, white_list_id=None)
        return service.set_number_lists(me, HOTLINE, body)

    outcomes = race(factory, settings, assign)
    assert set(outcomes) <= {"ok", "concurrent_change"}, outcomes
    assert "ok" in outcomes
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(NumberContactList)) == 1
