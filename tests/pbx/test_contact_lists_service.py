"""ContactListService rules that the HTTP tests cannot reach cheaply."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from tests.pbx.helpers import assert_problem
from vpbx.config import Settings
from vpbx.db import transaction
from vpbx.errors import Conflict, Invalid
from vpbx.models import ContactList, ContactListEntry
from vpbx.pbx import contacts
from vpbx.pbx.contacts import ContactListService
from vpbx.pbx.contacts_repository import ContactListRepository
from vpbx.pbx.contacts_schemas import ContactListCreate, EntriesAdd, EntryIn
from vpbx.tenancy.principal import Principal


def tenant(party: Party) -> Principal:
    return Principal(
        actor="test", partner_id=party.partner_id, tenant_id=party.tenant_id, is_partner=False
    )


def test_a_list_has_a_ceiling(
    client: TestClient, alice: Party, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(contacts, "MAX_ENTRIES", 3)
    made = client.post(
        "/v1/contact-lists", json={"name": "Small", "type": "black"}, headers=alice.headers
    )
    url = f"/v1/contact-lists/{made.json()['id']}/entries"
    two = {"entries": [{"value": "+84912345678"}, {"value": "+84912345679"}]}
    assert client.post(url, json=two, headers=alice.headers).status_code == 201
    more = {"entries": [{"value": "+84912345670"}, {"value": "+84912345671"}]}
    body = assert_problem(client.post(url, json=more, headers=alice.headers), 409)
    assert body["code"] == "contact_list_full"
    assert "prefix" in body["detail"]
    one = {"entries": [{"value": "+8491234567*"}]}
    assert client.post(url, json=one, headers=alice.headers).status_code == 201


def test_a_clash_at_flush_is_a_conflict_and_the_session_goes_on(
    alice: Party, factory: sessionmaker[Session], settings: Settings
) -> None:
    """What a concurrent writer would cause: the unique constraint, not the pre-check,
    refuses the row, and the request's earlier work in the session survives."""
    with transaction(factory) as session:
        made = ContactListService(session, settings).create(
            tenant(alice), ContactListCreate(name="Spam", type="black")
        )
        repo = ContactListRepository(session)
        with pytest.raises(Conflict) as caught, repo.guarded("taken", "contact_list_exists"):
            repo.add(ContactList(tenant_id=alice.tenant_id, name="Spam", type="white"))
        assert caught.value.code == "contact_list_exists"
        twins = [ContactListEntry(list_id=made.id, value="+84912345678") for _ in range(2)]
        with pytest.raises(Conflict), repo.guarded("listed", "entry_exists"):
            session.add_all(twins)
        session.add(ContactListEntry(list_id=made.id, value="+84987776868"))
    with factory() as session:
        assert session.scalars(select(ContactList.name)).all() == ["Spam"]
        assert session.scalars(select(ContactListEntry.value)).all() == ["+84987776868"]


def test_the_service_acts_for_a_tenant_only(
    alice: Party, factory: sessionmaker[Session], settings: Settings
) -> None:
    partner = Principal(actor="test", partner_id=alice.partner_id, tenant_id=None, is_partner=True)
    with transaction(factory) as session:
        service = ContactListService(session, settings)
        with pytest.raises(Invalid) as caught:
            service.create(partner, ContactListCreate(name="X", type="black"))
        assert caught.value.code == "tenant_required"


def test_entries_are_read_with_the_instance_country(
    alice: Party, factory: sessionmaker[Session], db_url: str
) -> None:
    russian = Settings(database_url=db_url, default_country="RU")
    with transaction(factory) as session:
        service = ContactListService(session, russian)
        made = service.create(tenant(alice), ContactListCreate(name="RU", type="black"))
        added = service.add_entries(
            tenant(alice),
            made.id,
            EntriesAdd(entries=[EntryIn(value="8 (495) 133-45-27"), EntryIn(value="8495*")]),
        )
    assert [e.value for e in added.items] == ["+74951334527", "+7495*"]
