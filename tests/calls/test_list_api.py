"""GET /v1/calls: newest first, every filter, keyset pages; another tenant sees nothing."""

from __future__ import annotations

from datetime import timedelta, timezone
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.calls.conftest import Pbx
from tests.calls.helpers import BASE, at, call, ids, listing, post, posted
from tests.pbx.helpers import assert_problem, error_fields

PLUS7 = timezone(timedelta(hours=7))


def spec(call_id: str, **fields: Any) -> dict[str, Any]:
    """A call of the fixture; `talk` is its billable seconds (none: not answered)."""
    return {"call_id": call_id, **fields}


@pytest.fixture
def calls(client: TestClient, alices: Pbx, bobs: Pbx) -> Pbx:
    """Alice's calls, one a minute from BASE; Bob has one of his own in the middle."""
    h, g = alices.hotline, alices.group
    rows = [
        spec("in-ans", caller="0912345678", callee="101", hotline=h, extension="101", group=g,
             talk=120),
        spec("in-miss", disposition="no_answer", caller="0987776868", callee="102", hotline=h,
             extension="102", group=g),
        spec("out-ans", direction="out", caller="101", callee="0987776868", hotline=h,
             extension="101", talk=30),
        spec("out-busy", direction="out", disposition="busy", caller="102",
             callee="+74951334527", extension="102"),
        spec("int-ans", direction="internal", caller="101", callee="102", extension="102",
             talk=10),
        spec("in-rej", disposition="rejected", caller="anonymous", callee="101", hotline=h),
    ]  # fmt: skip
    for minute, row in enumerate(rows):
        talk = row.pop("talk", None)
        start = minute * 60
        times = {"started_at": at(start), "ended_at": at(start + 5 + (talk or 0))}
        times["answered_at"] = at(start + 5) if talk else ...
        posted(client, alices.party, **{"disposition": "answered", **times, **row})
    posted(
        client,
        bobs.party,
        call_id="bobs",
        started_at=at(150),
        answered_at=at(155),
        ended_at=at(300),
    )
    return alices


def get(client: TestClient, pbx: Pbx, **params: Any) -> list[str]:
    return ids(listing(client, pbx.party, **params))


ALL = ["in-rej", "int-ans", "out-busy", "out-ans", "in-miss", "in-ans"]


def test_newest_first_and_only_the_tenants_own(client: TestClient, calls: Pbx) -> None:
    assert get(client, calls) == ALL
    acting = client.get("/v1/calls", headers=calls.party.acting())
    assert ids(acting.json()["items"]) == ALL


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"direction": "in"}, ["in-rej", "in-miss", "in-ans"]),
        ({"direction": ["out", "internal"]}, ["int-ans", "out-busy", "out-ans"]),
        ({"disposition": "answered"}, ["int-ans", "out-ans", "in-ans"]),
        ({"disposition": ["busy", "rejected"]}, ["in-rej", "out-busy"]),
        ({"extension": "101"}, ["out-ans", "in-ans"]),
        ({"extension": ["101", "102"]}, ALL[1:]),
        ({"group": "699"}, ["in-miss", "in-ans"]),
        ({"call_id": ["in-ans", "bobs", "nope"]}, ["in-ans"]),
        ({"hotline": "+842438256868"}, ["in-rej", "out-ans", "in-miss", "in-ans"]),
        ({"hotline": "02438256868"}, ["in-rej", "out-ans", "in-miss", "in-ans"]),
        ({"hotline": "+842477778823"}, []),
        ({"number": "0987776868"}, ["out-ans", "in-miss"]),  # caller or callee
        ({"number": "+84 98 777 6868"}, ["out-ans", "in-miss"]),
        ({"number": ["102", "0912345678"]}, ["int-ans", "out-busy", "in-miss", "in-ans"]),
        ({"number": "anonymous"}, ["in-rej"]),
        ({"number": "74951334527"}, ["out-busy"]),
        ({"number": "lan@acme.vn"}, []),
        ({"duration_gt": 30}, ["out-ans", "in-ans"]),
        ({"duration_gte": 35}, ["out-ans", "in-ans"]),
        ({"duration_lt": 6}, ["in-rej", "out-busy", "in-miss"]),
        ({"duration_lte": 15}, ["in-rej", "int-ans", "out-busy", "in-miss"]),
        ({"duration_eq": 125}, ["in-ans"]),
        ({"duration_ne": 5}, ["int-ans", "out-ans", "in-ans"]),
        ({"duration_gt": 10, "duration_lt": 100}, ["int-ans", "out-ans"]),
        ({"billsec_gte": 30}, ["out-ans", "in-ans"]),
        ({"billsec_eq": 0}, ["in-rej", "out-busy", "in-miss"]),
        ({"billsec_gt": 0, "billsec_lte": 30}, ["int-ans", "out-ans"]),
        ({"billsec_lt": 0}, []),
    ],
    ids=str,
)
def test_each_filter(
    client: TestClient, calls: Pbx, params: dict[str, Any], expected: list[str]
) -> None:
    assert get(client, calls, **params) == expected


def test_date_range_is_from_inclusive_to_exclusive_in_any_offset(
    client: TestClient, calls: Pbx
) -> None:
    minute = timedelta(minutes=1)
    assert get(client, calls, date_from=at(120), date_to=at(240)) == ["out-busy", "out-ans"]
    local_from = (BASE + 2 * minute).astimezone(PLUS7).isoformat()
    assert get(client, calls, date_from=local_from) == ["in-rej", "int-ans", "out-busy", "out-ans"]
    assert get(client, calls, date_to=at(60)) == ["in-ans"]
    assert get(client, calls, date_from=at(300), date_to=at(300)) == []
    naive = at(0).replace("+00:00", "")
    problem = assert_problem(
        client.get("/v1/calls", params={"date_from": naive}, headers=calls.party.headers), 422
    )
    assert error_fields(problem) == ["date_from"]
    backwards = client.get(
        "/v1/calls", params={"date_from": at(60), "date_to": at(0)}, headers=calls.party.headers
    )
    assert error_fields(assert_problem(backwards, 422)) == ["date_from"]


def test_extension_id_and_user_id(client: TestClient, calls: Pbx) -> None:
    h = calls.party.headers
    assert get(client, calls, extension_id=calls.ext101) == ["out-ans", "in-ans"]
    both = get(client, calls, extension_id=[calls.ext101, calls.ext102])
    assert both == ALL[1:]
    assert get(client, calls, user_id=calls.user_id) == ["out-ans", "in-ans"]
    # The user of the extension at query time: hand 102 to the user, and take 101 away.
    client.patch(f"/v1/extensions/{calls.ext102}", json={"user_id": calls.user_id}, headers=h)
    client.patch(f"/v1/extensions/{calls.ext101}", json={"user_id": None}, headers=h)
    assert get(client, calls, user_id=calls.user_id) == ["int-ans", "out-busy", "in-miss"]
    listed = {c["call_id"]: c["user_id"] for c in listing(client, calls.party)}
    assert listed["in-miss"] == calls.user_id
    assert listed["in-ans"] is None


def test_filters_combine(client: TestClient, calls: Pbx) -> None:
    assert get(
        client,
        calls,
        direction=["in", "out"],
        disposition="answered",
        hotline="+842438256868",
        duration_gte=30,
        date_from=at(60),
    ) == ["out-ans"]
    assert get(client, calls, direction="in", extension="101", number="0912345678") == ["in-ans"]
    assert get(client, calls, direction="internal", hotline="+842438256868") == []


def test_another_tenants_call_is_not_found(client: TestClient, calls: Pbx, bobs: Pbx) -> None:
    mine = listing(client, calls.party)[0]
    response = client.get(f"/v1/calls/{mine['id']}", headers=bobs.party.headers)
    assert_problem(response, 404, "call_not_found")
    assert get(client, bobs) == ["bobs"]
    assert get(client, bobs, call_id="in-ans") == []
    assert get(client, bobs, extension_id=calls.ext101) == []
    assert get(client, bobs, user_id=calls.user_id) == []
    assert client.get(f"/v1/calls/{mine['id']}", headers=calls.party.headers).json() == mine


# --- keyset pages ------------------------------------------------------------------------------


def walk(client: TestClient, pbx: Pbx, limit: int, **params: Any) -> list[list[str]]:
    pages: list[list[str]] = []
    cursor = None
    while True:
        query = {**params, "limit": limit, **({"cursor": cursor} if cursor else {})}
        response = client.get("/v1/calls", params=query, headers=pbx.party.headers)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(ids(body["items"]))
        cursor = body["next_cursor"]
        if cursor is None:
            return pages
        assert len(body["items"]) == limit
        assert len(pages) < 100, "the pages never end"


def test_pages_cover_every_call_once_with_equal_start_times(
    client: TestClient, alices: Pbx
) -> None:
    # 4 start times with 7 calls each, posted out of order: ties broken by id.
    calls = [
        call(f"t{second}-{n}", started_at=at(second), answered_at=at(second), ended_at=at(99))
        for n in range(7)
        for second in (30, 0, 20, 10)
    ]
    response = client.post("/v1/calls/batch", json={"calls": calls}, headers=alices.party.headers)
    assert response.status_code == 201, response.text
    everything = get(client, alices, limit=200)
    assert len(everything) == 28
    assert everything[:7] == [f"t30-{n}" for n in reversed(range(7))]
    for limit in (1, 3, 5, 7, 27, 28):
        pages = walk(client, alices, limit)
        flat = [c for page in pages for c in page]
        assert flat == everything, limit  # no gaps, no repeats, the same order
    filtered = [c for page in walk(client, alices, 4, date_to=at(20)) for c in page]
    assert filtered == [c for c in everything if c.startswith(("t10-", "t0-"))]


def test_pages_are_stable_while_calls_arrive(client: TestClient, alices: Pbx) -> None:
    for i in range(6):
        posted(client, alices.party, call_id=f"c{i}", started_at=at(i), answered_at=at(i))
    h = alices.party.headers
    first = client.get("/v1/calls", params={"limit": 3}, headers=h).json()
    assert ids(first["items"]) == ["c5", "c4", "c3"]
    # Newer calls, and one at the same second as the page's last: none slip into page 2.
    posted(client, alices.party, call_id="late", started_at=at(3), answered_at=at(3))
    posted(client, alices.party, call_id="newest", started_at=at(50), answered_at=at(50))
    rest = client.get("/v1/calls", params={"limit": 3, "cursor": first["next_cursor"]}, headers=h)
    assert ids(rest.json()["items"]) == ["c2", "c1", "c0"]
    assert rest.json()["next_cursor"] is None


def test_a_short_last_page_has_no_cursor(client: TestClient, alices: Pbx) -> None:
    assert client.get("/v1/calls", headers=alices.party.headers).json() == {
        "items": [],
        "next_cursor": None,
        "prev_cursor": None,
    }
    post(client, alices.party, call("only"))
    body = client.get("/v1/calls", params={"limit": 1}, headers=alices.party.headers).json()
    assert (ids(body["items"]), body["next_cursor"], body["prev_cursor"]) == (["only"], None, None)


@pytest.mark.parametrize(
    "cursor",
    ["x", "", "%%%", "MTIz", "LTEuMQ", "OTk5OTk5OTk5OTk5OTk5OTk5OTkuMQ", "١", "a" * 65, "AAAA\x00"],
)
def test_cursors_not_from_this_api_are_refused(
    client: TestClient, alices: Pbx, cursor: str
) -> None:
    response = client.get("/v1/calls", params={"cursor": cursor}, headers=alices.party.headers)
    assert error_fields(assert_problem(response, 422, "validation_failed")) == ["cursor"]


def test_before_walks_back_to_the_first_page_with_equal_start_times(
    client: TestClient, alices: Pbx, bobs: Pbx
) -> None:
    calls = [
        call(f"t{second}-{n}", started_at=at(second), answered_at=at(second), ended_at=at(99))
        for n in range(6)
        for second in (10, 0, 20)
    ]
    for party in (alices.party, bobs.party):
        response = client.post("/v1/calls/batch", json={"calls": calls}, headers=party.headers)
        assert response.status_code == 201, response.text
    everything = get(client, alices, limit=200)
    h = alices.party.headers
    for limit in (1, 4, 6, 7, 18):
        forward = [client.get("/v1/calls", params={"limit": limit}, headers=h).json()]
        assert forward[0]["prev_cursor"] is None
        while forward[-1]["next_cursor"] is not None:
            params = {"limit": limit, "cursor": forward[-1]["next_cursor"]}
            forward.append(client.get("/v1/calls", params=params, headers=h).json())
            assert forward[-1]["prev_cursor"] is not None
        assert [c for page in forward for c in ids(page["items"])] == everything
        backward = [forward[-1]]
        while backward[-1]["prev_cursor"] is not None:
            params = {"limit": limit, "before": backward[-1]["prev_cursor"]}
            response = client.get("/v1/calls", params=params, headers=h)
            assert response.status_code == 200, response.text
            backward.append(response.json())
            assert len(backward) <= len(forward), "walked back past the first page"
        assert [ids(p["items"]) for p in reversed(backward)] == [ids(p["items"]) for p in forward]
        # Back at the start: no page before it, and the same way on as the first time.
        assert backward[-1] == forward[0], limit


@pytest.mark.parametrize("before", ["x", "", "%%%", "MTIz", "LTEuMQ", "١", "a" * 65])
def test_before_cursors_not_from_this_api_are_refused(
    client: TestClient, alices: Pbx, before: str
) -> None:
    response = client.get("/v1/calls", params={"before": before}, headers=alices.party.headers)
    assert error_fields(assert_problem(response, 422, "validation_failed")) == ["before"]


def test_cursor_and_before_together_are_refused(client: TestClient, alices: Pbx) -> None:
    for i in range(3):
        posted(client, alices.party, call_id=f"c{i}", started_at=at(i), answered_at=at(i))
    h = alices.party.headers
    first = client.get("/v1/calls", params={"limit": 1}, headers=h).json()
    second = client.get(
        "/v1/calls", params={"limit": 1, "cursor": first["next_cursor"]}, headers=h
    ).json()
    both = {"cursor": second["next_cursor"], "before": second["prev_cursor"]}
    response = client.get("/v1/calls", params=both, headers=h)
    assert error_fields(assert_problem(response, 422, "validation_failed")) == ["before"]
