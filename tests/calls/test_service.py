"""CallRecordService below the API: racing posts, offset pages, and what routing reads."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.calls.conftest import Pbx
from tests.calls.helpers import BASE, at, call, posted, stored_count
from tests.conftest import Party
from vpbx.calls.repository import CallRepository
from vpbx.calls.schemas import CallFilter, CallRecordIn, Comparison
from vpbx.calls.service import CallRecordService
from vpbx.config import Settings
from vpbx.db import transaction
from vpbx.errors import Conflict, Invalid
from vpbx.tenancy.principal import Principal


def principal(party: Party) -> Principal:
    return Principal(
        actor="test", partner_id=party.partner_id, tenant_id=party.tenant_id, is_partner=False
    )


def record(
    factory: sessionmaker[Session], settings: Settings, party: Party, **fields: Any
) -> tuple[int, bool]:
    with transaction(factory) as session:
        out, created = CallRecordService(session, settings).record(
            principal(party), CallRecordIn.model_validate(call(**fields))
        )
    return out.id, created


# --- concurrent posts of one call --------------------------------------------------------------


def _lose_the_race(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first lookup misses what another request has just stored, as in a race."""
    real = CallRepository.by_call_ids
    calls = {"n": 0}

    def stale(self: CallRepository, tenant_id: int, call_ids: Any) -> Any:
        calls["n"] += 1
        return {} if calls["n"] == 1 else real(self, tenant_id, call_ids)

    monkeypatch.setattr(CallRepository, "by_call_ids", stale)


def test_losing_the_race_with_the_same_call_is_a_replay(
    factory: sessionmaker[Session],
    settings: Settings,
    alices: Pbx,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, _ = record(factory, settings, alices.party)
    _lose_the_race(monkeypatch)
    again, created = record(factory, settings, alices.party)
    assert (again, created) == (first, False)
    assert stored_count(factory) == 1


def test_losing_the_race_with_other_details_is_a_conflict(
    factory: sessionmaker[Session],
    settings: Settings,
    alices: Pbx,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    record(factory, settings, alices.party)
    _lose_the_race(monkeypatch)
    with pytest.raises(Conflict) as refused:
        record(factory, settings, alices.party, caller="0987776868")
    assert refused.value.code == "call_exists"
    assert stored_count(factory) == 1


def test_losing_every_race_is_a_clear_conflict(
    factory: sessionmaker[Session],
    settings: Settings,
    alices: Pbx,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    record(factory, settings, alices.party)
    monkeypatch.setattr(CallRepository, "by_call_ids", lambda *_: {})
    with pytest.raises(Conflict) as refused:
        record(factory, settings, alices.party)
    assert refused.value.code == "call_busy"
    assert stored_count(factory) == 1


def test_racing_posts_of_one_call_store_it_once(
    factory: sessionmaker[Session], settings: Settings, alices: Pbx
) -> None:
    threads, start = 6, threading.Barrier(6)
    outcomes: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def post() -> None:
        start.wait()
        try:
            outcomes.append(record(factory, settings, alices.party, call_id="race"))
        except BaseException as exc:  # the assertion below names it
            errors.append(exc)

    workers = [threading.Thread(target=post) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert errors == []
    assert len(outcomes) == threads
    assert len({record_id for record_id, _ in outcomes}) == 1
    assert sum(created for _, created in outcomes) == 1
    assert stored_count(factory) == 1


# --- numbered pages (OMICall's page/size) ----------------------------------------------------


def test_numbered_pages_count_every_match(
    client: TestClient, factory: sessionmaker[Session], settings: Settings, alices: Pbx
) -> None:
    for i in range(7):
        posted(
            client,
            alices.party,
            call_id=f"c{i}",
            started_at=at(i),
            answered_at=at(i + 1),
            ended_at=at(i + 1 + i * 10),
        )
    with factory() as session:
        service = CallRecordService(session, settings)
        me = principal(alices.party)
        pages = [service.list_page(me, CallFilter(), page=p, size=3) for p in (1, 2, 3, 4)]
        assert [[c.call_id for c in p.items] for p in pages] == [
            ["c6", "c5", "c4"],
            ["c3", "c2", "c1"],
            ["c0"],
            [],
        ]
        assert {p.total for p in pages} == {7}
        long_calls = CallFilter(billsec=[Comparison(op="gte", value=30)])
        result = service.list_page(me, long_calls, page=1, size=50)
        assert (result.total, [c.call_id for c in result.items]) == (4, ["c6", "c5", "c4", "c3"])
        for page, size in ((0, 10), (1, 0), (1, settings.page_size_max + 1), (10**9, 200)):
            with pytest.raises(Invalid):
                service.list_page(me, CallFilter(), page=page, size=size)


# --- what route resolution reads --------------------------------------------------------------


def test_last_call_ended_is_the_end_of_each_extensions_last_answered_call(
    client: TestClient,
    factory: sessionmaker[Session],
    settings: Settings,
    alices: Pbx,
    bobs: Pbx,
) -> None:
    posted(client, alices.party, call_id="1", extension="101", ended_at=at(100))
    posted(client, alices.party, call_id="2", extension="101", ended_at=at(50))
    # Unanswered calls leave an extension idle.
    posted(
        client,
        alices.party,
        call_id="3",
        extension="102",
        disposition="no_answer",
        answered_at=...,
        ended_at=at(500),
    )
    posted(client, bobs.party, call_id="4", extension="102", ended_at=at(900))
    with factory() as session:
        service = CallRecordService(session, settings)
        ended = service.last_call_ended(alices.party.tenant_id, ["101", "102", "555"])
        assert ended == {"101": BASE + timedelta(seconds=100)}
        assert service.last_call_ended(bobs.party.tenant_id, ["102"]) == {
            "102": BASE + timedelta(seconds=900)
        }
        assert service.last_call_ended(alices.party.tenant_id, []) == {}


def test_a_reused_extension_number_starts_idle(
    client: TestClient, factory: sessionmaker[Session], settings: Settings, alices: Pbx
) -> None:
    posted(client, alices.party, extension="102")
    h = alices.party.headers
    assert client.delete(f"/v1/extensions/{alices.ext102}", headers=h).status_code == 204
    assert client.post("/v1/extensions", json={"number": "102"}, headers=h).status_code == 201
    with factory() as session:
        service = CallRecordService(session, settings)
        assert service.last_call_ended(alices.party.tenant_id, ["102"]) == {}


def test_filters_are_normalised_and_checked(
    factory: sessionmaker[Session], settings: Settings
) -> None:
    with factory() as session:
        service = CallRecordService(session, settings)
        f = service.normalise(CallFilter(hotlines=["02438256868"], numbers=["0912 345 678", "101"]))
        assert f.hotlines == ["+842438256868"]
        assert f.numbers == ["+84912345678", "101"]
        with pytest.raises(Invalid):
            service.normalise(CallFilter(hotlines=["12"]))
        with pytest.raises(Invalid):
            service.normalise(CallFilter(date_from=BASE + timedelta(seconds=1), date_to=BASE))


# --- keyset pages both ways -------------------------------------------------------------------


def _pages_both_ways(
    service: CallRecordService, me: Principal, filters: CallFilter, limit: int
) -> tuple[list[list[str]], list[list[str]]]:
    """Every page forwards from the first, then backwards from the last to the first."""
    forward = [service.list_calls(me, filters, limit=limit)]
    assert forward[0].prev_cursor is None
    while forward[-1].next_cursor is not None:
        forward.append(service.list_calls(me, filters, cursor=forward[-1].next_cursor, limit=limit))
        assert len(forward) < 100, "the pages never end"
    backward = [forward[-1]]
    while backward[-1].prev_cursor is not None:
        before = backward[-1].prev_cursor
        backward.append(service.list_calls(me, filters, before=before, limit=limit))
        assert len(backward) < 100, "the pages never end"
    # The start reached going back is a first page: nothing before it, more after it.
    assert backward[-1].prev_cursor is None
    assert (backward[-1].next_cursor is None) == (len(forward) == 1)
    names = [[c.call_id for c in page.items] for page in forward]
    return names, [[c.call_id for c in page.items] for page in reversed(backward)]


def test_pages_forwards_then_back_with_equal_start_times(
    client: TestClient, factory: sessionmaker[Session], settings: Settings, alices: Pbx, bobs: Pbx
) -> None:
    # 3 start times with 5 calls each, posted out of order; Bob has calls at the same times.
    calls = [
        call(f"t{second}-{n}", started_at=at(second), answered_at=at(second), ended_at=at(99))
        for n in range(5)
        for second in (20, 0, 10)
    ]
    for party, batch in ((alices.party, calls), (bobs.party, calls[:4])):
        response = client.post("/v1/calls/batch", json={"calls": batch}, headers=party.headers)
        assert response.status_code == 201, response.text
    with factory() as session:
        service = CallRecordService(session, settings)
        me = principal(alices.party)
        everything = [c.call_id for c in service.list_calls(me, CallFilter(), limit=100).items]
        assert len(everything) == 15
        assert everything[:5] == [f"t20-{n}" for n in reversed(range(5))]  # ties by id
        for limit in (1, 2, 4, 5, 7, 14, 15, 16):
            forward, backward = _pages_both_ways(service, me, CallFilter(), limit)
            assert [c for page in forward for c in page] == everything, limit
            assert backward == forward, limit  # the same pages, neither repeats nor gaps
        early = CallFilter(date_to=BASE + timedelta(seconds=20))
        forward, backward = _pages_both_ways(service, me, early, 3)
        assert [c for page in forward for c in page] == everything[5:]
        assert backward == forward


def test_paging_back_past_new_calls_and_bad_cursors(
    client: TestClient, factory: sessionmaker[Session], settings: Settings, alices: Pbx
) -> None:
    for i in range(5):
        posted(client, alices.party, call_id=f"c{i}", started_at=at(i), answered_at=at(i))
    with factory() as session:
        service = CallRecordService(session, settings)
        me = principal(alices.party)
        first = service.list_calls(me, CallFilter(), limit=2)
        second = service.list_calls(me, CallFilter(), cursor=first.next_cursor, limit=2)
        assert [c.call_id for c in second.items] == ["c2", "c1"]
        assert second.prev_cursor is not None
    # A newer call arrives: going back now finds a page before the old first one.
    posted(client, alices.party, call_id="new", started_at=at(50), answered_at=at(50))
    with factory() as session:
        service = CallRecordService(session, settings)
        back = service.list_calls(me, CallFilter(), before=second.prev_cursor, limit=2)
        assert [c.call_id for c in back.items] == ["c4", "c3"]
        assert back.prev_cursor is not None
        newest = service.list_calls(me, CallFilter(), before=back.prev_cursor, limit=2)
        assert ([c.call_id for c in newest.items], newest.prev_cursor) == (["new"], None)
        for bad in ("x", "", "MTIz", "a" * 65):
            with pytest.raises(Invalid) as caught:
                service.list_calls(me, CallFilter(), before=bad, limit=2)
            assert caught.value.details["field"] == "before"
        with pytest.raises(Invalid) as caught:
            service.list_calls(
                me, CallFilter(), cursor=first.next_cursor, before=second.prev_cursor, limit=2
            )
        assert caught.value.details["field"] == "before"
