"""OMICall call history over vpbx call records: v1 list and v2 search, with their
documented fields (provider-apis.md §2.3), filters, paging, and tenant isolation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.dialects.omicall.conftest import Omi
from tests.dialects.omicall.helpers import assert_shape, buy_v1, fail, ok, v1_post

LIST = "/api/call_transaction/list"
SEARCH = "/api/v2/callTransaction/search"
BASE = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
_AGENT = {
    "id": "6209c98561c1cb163ded25fa",
    "name": "Lan",
    "contact_id": None,
    "avatar": None,
    "gender": None,
    "uuid": "6209c98561c1cb163ded25fa",
    "type": "extension",
}
# The documented fields of a v1 call transaction, with values of their documented types
# (null where the document names the field without a type, or vpbx may have none).
V1_ITEM: dict[str, Any] = {
    "transaction_id": "c1",
    "direction": "inbound",
    "source_number": "84912345678",
    "destination_number": "101",
    "disposition": "answered",
    "bill_sec": 60,
    "record_seconds": 60,
    "time_start_to_answer": None,
    "recording_file": "",
    "sip_user": "101",
    "duration": 65,
    "provider": "",
    "note": "",
    "tag": [],
    "call_out_price": 0,
    "created_date": 1660883378087,
    "last_updated_date": 1660883378087,
    "is_voicemail": False,
    "recording_file_voicemail": "",
    "user": [],
    "create_by": None,
    "internal_destination": None,
}
V2_ITEM: dict[str, Any] = {
    **V1_ITEM,
    "tenant_id": "6209c98461c1cb163ded25f7",
    "recording_file_url": "",
    "recording_data": None,
    "is_auto_call": False,
    "ivr": None,
    "customer": None,
    "state": "answered",
    "call_uuid": "c1",
    "from_number": "84912345678",
    "to_number": "101",
    "hotline": "842477778823",
    "is_have_forward_out": False,
    "bill_sec_forward_out": 0,
    "invite_failure_status": None,
    "answer_sec": 5,
    "autocall_uuid": None,
    "autocall_id": None,
    "sip_number": "842477778823",
    "phone_number": "84912345678",
    "time_start_call": 1660883378087,
    "time_answer_start": None,
    "time_end_call": 1660883378087,
    "time_ringing_start": 1660883378087,
}


def _at(seconds: int) -> str:
    return (BASE + timedelta(seconds=seconds)).isoformat()


def _ms(seconds: int) -> int:
    return int((BASE + timedelta(seconds=seconds)).timestamp()) * 1000


@pytest.fixture
def calls(client: TestClient, omi_alice: Omi, stock: list[str]) -> dict[str, Any]:
    party = omi_alice.party
    buy_v1(client, party, "+842477778823")
    user = v1_post(client, party, "/v1/users", {"full_name": "Lan", "email": "lan@alice.vn"})
    v1_post(client, party, "/v1/extensions", {"number": "101", "user_id": user["id"]})
    v1_post(client, party, "/v1/extensions", {"number": "102"})
    bodies = [
        {
            "call_id": "c1",
            "direction": "in",
            "caller": "0912345678",
            "callee": "101",
            "hotline": "+842477778823",
            "extension": "101",
            "started_at": _at(0),
            "answered_at": _at(5),
            "ended_at": _at(65),
            "disposition": "answered",
            "recording_url": "https://rec.example/c1.wav",
        },
        {
            "call_id": "c2",
            "direction": "out",
            "caller": "101",
            "callee": "0987776868",
            "hotline": "+842477778823",
            "extension": "101",
            "started_at": _at(100),
            "ended_at": _at(130),
            "disposition": "no_answer",
            "sip_status": 487,
        },
        {
            "call_id": "c3",
            "direction": "internal",
            "caller": "101",
            "callee": "102",
            "extension": "101",
            "started_at": _at(200),
            "answered_at": _at(202),
            "ended_at": _at(212),
            "disposition": "answered",
        },
    ]
    for body in bodies:
        response = client.post("/v1/calls", json=body, headers=party.headers)
        assert response.status_code == 201, response.text
    return {"user": user}


def _timed(body: dict[str, Any]) -> dict[str, Any]:
    """ "T100" in a test body stands for the epoch ms of BASE + 100 s."""
    return {
        k: _ms(int(v[1:])) if isinstance(v, str) and v[:1] == "T" and v[1:].isdigit() else v
        for k, v in body.items()
    }


def _ids(payload: dict[str, Any]) -> list[str]:
    return [c["transaction_id"] for c in payload["items"]]


def test_v1_list(client: TestClient, omi_alice: Omi, calls: dict[str, Any]) -> None:
    payload = ok(client.get(LIST, headers=omi_alice.tenant))
    for item in payload["items"]:
        assert_shape(item, V1_ITEM)
    assert _ids(payload) == ["c3", "c2", "c1"]  # newest first
    assert payload["total_items"] == 3
    c3, c2, c1 = payload["items"]
    assert (c1["direction"], c2["direction"], c3["direction"]) == ("inbound", "outbound", "local")
    assert (c1["disposition"], c2["disposition"]) == ("answered", "cancelled")
    assert (c1["source_number"], c1["destination_number"]) == ("84912345678", "101")
    assert c2["destination_number"] == "84987776868"
    assert (c1["duration"], c1["bill_sec"], c1["record_seconds"]) == (65, 60, 60)
    assert c1["recording_file"] == "https://rec.example/c1.wav"
    assert c1["time_start_to_answer"] == _ms(5) // 1000
    assert c2["time_start_to_answer"] is None
    assert c1["create_by"] == {
        **_AGENT,
        "id": f"{calls['user']['id']:024x}",
        "uuid": f"{calls['user']['id']:024x}",
    }
    assert c3["internal_destination"] == {"sip_user": "102", "type": "extension"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"direction": "inbound"}, ["c1"]),
        ({"direction": "local"}, ["c3"]),
        ({"sip_user": "101"}, ["c3", "c2", "c1"]),
        ({"sip_user": "102"}, []),
        ({"phone_number": "0912345678"}, ["c1"]),
        ({"phone_number": "84987776868"}, ["c2"]),
        ({"from_date": "FROM100"}, ["c3", "c2"]),
        ({"to_date": "FROM100"}, ["c2", "c1"]),  # toDate is inclusive
        ({"from_date": "FROM100", "to_date": "FROM100"}, ["c2"]),
    ],
)
def test_v1_filters(
    client: TestClient,
    omi_alice: Omi,
    calls: dict[str, Any],
    params: dict[str, Any],
    expected: list[str],
) -> None:
    params = {k: _ms(100) if v == "FROM100" else v for k, v in params.items()}
    payload = ok(client.get(LIST, params=params, headers=omi_alice.tenant))
    assert _ids(payload) == expected
    assert payload["total_items"] == len(expected)


def test_v1_paging(client: TestClient, omi_alice: Omi, calls: dict[str, Any]) -> None:
    first = ok(client.get(LIST, params={"page": 1, "size": 2}, headers=omi_alice.tenant))
    second = ok(client.get(LIST, params={"page": 2, "size": 2}, headers=omi_alice.tenant))
    assert _ids(first) + _ids(second) == ["c3", "c2", "c1"]
    assert (first["total_pages"], first["has_next"], second["has_next"]) == (2, True, False)


def test_v2_search(client: TestClient, omi_alice: Omi, calls: dict[str, Any]) -> None:
    payload = ok(
        client.post(SEARCH, params={"page": 1, "size": 50}, json={}, headers=omi_alice.tenant)
    )
    for item in payload["items"]:
        assert_shape(item, V2_ITEM)
    assert _ids(payload) == ["c3", "c2", "c1"]
    _, c2, c1 = payload["items"]
    assert c1["tenant_id"] == f"{omi_alice.party.tenant_id:024x}"
    assert (c1["hotline"], c1["sip_number"], c1["phone_number"]) == (
        "842477778823",
        "842477778823",
        "84912345678",
    )
    assert c2["phone_number"] == "84987776868"
    assert (c1["answer_sec"], c2["answer_sec"]) == (5, 0)
    assert (c1["time_start_call"], c1["time_answer_start"], c1["time_end_call"]) == (
        _ms(0),
        _ms(5),
        _ms(65),
    )
    assert c2["time_answer_start"] is None
    assert c2["invite_failure_status"] == 487
    assert c1["invite_failure_status"] is None
    assert c1["call_uuid"] == "c1"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"directions": ["outbound", "local"]}, ["c3", "c2"]),
        ({"sipUsers": ["101"]}, ["c3", "c2", "c1"]),
        ({"sipNumbers": ["842477778823"]}, ["c2", "c1"]),
        ({"sipNumbers": ["02477778823"]}, ["c2", "c1"]),
        ({"phoneNumbers": ["0912345678", "84987776868"]}, ["c2", "c1"]),
        ({"transactionIds": ["c1", "c3", "nope"]}, ["c3", "c1"]),
        ({"agentEmails": ["lan@alice.vn"]}, ["c3", "c2", "c1"]),
        ({"agentEmails": ["nobody@alice.vn"]}, []),
        ({"agentUuids": ["f" * 24]}, []),
        ({"tagIds": ["vip"]}, []),
        ({"fromDate": "T100", "toDate": "T200"}, ["c3", "c2"]),
        ({"directions": ["inbound"], "phoneNumbers": ["84987776868"]}, []),
        ({"someFieldNotPublished": [1, 2]}, ["c3", "c2", "c1"]),
    ],
)
def test_v2_filters(
    client: TestClient,
    omi_alice: Omi,
    calls: dict[str, Any],
    body: dict[str, Any],
    expected: list[str],
) -> None:
    body = _timed(body)
    payload = ok(client.post(SEARCH, json=body, headers=omi_alice.tenant))
    assert _ids(payload) == expected
    assert payload["total_items"] == len(expected)


def test_v2_agent_by_id(client: TestClient, omi_alice: Omi, calls: dict[str, Any]) -> None:
    body = {"agentUuids": [f"{calls['user']['id']:024x}"], "directions": ["inbound"]}
    assert _ids(ok(client.post(SEARCH, json=body, headers=omi_alice.tenant))) == ["c1"]


@pytest.mark.parametrize(
    ("params", "body", "code"),
    [
        ({"size": 51}, {}, "size_invalid"),
        ({"page": 0}, {}, "page_invalid"),
        ({}, {"directions": ["sideways"]}, "request_invalid"),
        ({}, {"fromDate": "yesterday"}, "request_invalid"),
        ({}, {"fromDate": -1}, "request_invalid"),
        ({}, {"toDate": 10**20}, "request_invalid"),
        ({}, {"sipUsers": "101"}, "request_invalid"),
        ({}, {"phoneNumbers": ["a\x00"]}, "request_invalid"),
        ({}, {"transactionIds": ["x"] * 101}, "request_invalid"),
        ({}, {"sipNumbers": ["not a number"]}, "request_invalid"),
        ({}, {"agentUuids": ["zz"]}, "id_invalid"),
        ({}, {"fromDate": "T200", "toDate": "T100"}, "request_invalid"),
    ],
)
def test_v2_bad_input(
    safe: TestClient,
    omi_alice: Omi,
    calls: dict[str, Any],
    params: dict[str, Any],
    body: dict[str, Any],
    code: str,
) -> None:
    body = _timed(body)
    fail(safe.post(SEARCH, params=params, json=body, headers=omi_alice.tenant), code)


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"size": 201}, "size_invalid"),
        ({"direction": "up"}, "request_invalid"),
        ({"from_date": "today"}, "request_invalid"),
        ({"to_date": -5}, "request_invalid"),
        ({"sip_user": "1\x00"}, "request_invalid"),
    ],
)
def test_v1_bad_input(
    safe: TestClient, omi_alice: Omi, calls: dict[str, Any], params: dict[str, Any], code: str
) -> None:
    fail(safe.get(LIST, params=params, headers=omi_alice.tenant), code)


def test_calls_are_the_tenants_own(
    client: TestClient, omi_alice: Omi, omi_bob: Omi, calls: dict[str, Any]
) -> None:
    assert ok(client.get(LIST, headers=omi_bob.tenant))["items"] == []
    body = {"transactionIds": ["c1", "c2", "c3"]}
    assert ok(client.post(SEARCH, json=body, headers=omi_bob.tenant))["total_items"] == 0
    body = {"agentEmails": ["lan@alice.vn"]}
    assert ok(client.post(SEARCH, json=body, headers=omi_bob.tenant))["items"] == []
    fail(client.get(LIST, headers=omi_alice.partner), "tenant_invalid")
    fail(client.post(SEARCH, json={}, headers=omi_alice.partner), "tenant_invalid")
