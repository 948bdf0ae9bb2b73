"""ListCallLogs over vpbx's call records, with every filter of eTelecom's page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Party
from tests.dialects.etelecom.helpers import (
    RFC3339,
    Etelecom,
    assert_error,
    assert_list,
    assert_shape,
)

NUMBER, BOBS = "+842836251234", "+842438256868"
RECORDING = "https://rec.example.vn/c1.mp3"
BASE = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
CALL_LOG = {
    "call_state": str,
    "call_status": "status",
    "call_targets": list,
    "callee": str,
    "caller": str,
    "contact_id": "int64",
    "created_at": "time",
    "direction": str,
    "duration": int,
    "ended_at": "time",
    "extension_id": "int64",
    "external_id": str,
    "external_session_id": str,
    "id": "int64",
    "note": str,
    "recording_urls": list,
    "started_at": "time",
    "updated_at": "time",
    "user_id": "int64",
}
CALL_TARGET = {
    "add_time": "time",
    "answered_time": "time",
    "end_reason": str,
    "ended_time": "time",
    "fail_code": int,
    "ring_duration": int,
    "ring_time": "time",
    "status": str,
    "target_number": str,
    "trunk_name": str,
}


def at(seconds: int) -> str:
    return (BASE + timedelta(seconds=seconds)).isoformat()


@dataclass(frozen=True)
class History:
    hotline_id: str
    user_id: str
    ext101: str
    ext102: str
    group_id: int


def _post(client: TestClient, party: Party, call_id: str, **fields: Any) -> None:
    body = {"call_id": call_id, **fields}
    response = client.post("/v1/calls", json=body, headers=party.headers)
    assert response.status_code == 201, response.text


@pytest.fixture
def history(et: Etelecom, client: TestClient, alice: Party, stock: list[str]) -> History:
    """Four calls of Alice's PBX, oldest first: c1 answered in (65 s), c2 busy out (20 s),
    c3 internal 101 → 102 (10 s), c4 unanswered in to ring group 699 (30 s)."""
    hotline_id = et.hotline(alice, NUMBER)
    user = et.user(alice)
    ext101 = et.extension(alice, 101, hotline_id, user_id=user["id"])
    ext102 = et.extension(alice, 102, hotline_id)
    group = client.post(
        "/v1/groups",
        json={"name": "Sales", "members": [{"extension_id": int(ext102["id"])}]},
        headers=alice.headers,
    )
    assert group.status_code == 201, group.text
    common = {"hotline": NUMBER}
    _post(client, alice, "c1", direction="in", caller="0912345678", callee="101",
          extension="101", started_at=at(0), answered_at=at(5), ended_at=at(65),
          disposition="answered", recording_url=RECORDING, **common)  # fmt: skip
    _post(client, alice, "c2", direction="out", caller="101", callee="0987776868",
          extension="101", started_at=at(100), ended_at=at(120), disposition="busy",
          sip_status=486, hangup_cause="USER_BUSY", **common)  # fmt: skip
    _post(client, alice, "c3", direction="internal", caller="101", callee="102",
          extension="102", started_at=at(200), answered_at=at(202), ended_at=at(210),
          disposition="answered")  # fmt: skip
    _post(client, alice, "c4", direction="in", caller="0911111111", callee=NUMBER,
          group=group.json()["number"], started_at=at(300), ended_at=at(330),
          disposition="no_answer", **common)  # fmt: skip
    return History(hotline_id, user["id"], ext101["id"], ext102["id"], group.json()["id"])


def _ids(et: Etelecom, party: Party, **wanted: Any) -> list[str]:
    body = et.ok("ListCallLogs", {"filter": wanted}, key=party.tenant_key)
    return [c["external_id"] for c in body["call_logs"]]


def test_the_documented_example_as_printed(et: Etelecom, alice: Party) -> None:
    printed = {
        "filter": {
            "call_number": "<string>",
            "call_state": "not_answered",
            "date_from": "<dateTime>",
            "date_to": "<dateTime>",
            "department_id": "<int64>",
            "direction": "in",
            "duration": {"comparison": "less_than_or_equal_to", "value": "<integer>"},
            "extension_ids": ["<int64>", "<int64>"],
            "external_id": "<string>",
            "external_session_id": "<string>",
            "hotline_ids": ["<int64>", "<int64>"],
            "user_id": "<int64>",
        },
        "paging": {
            "after": "<string>",
            "before": "<string>",
            "limit": "<integer>",
            "sort": "<string>",
        },
    }
    assert_error(et.post("ListCallLogs", printed, key=alice.tenant_key), 400, "malformed")
    generated = {
        "filter": {"call_state": "unknown", "direction": "unknown", "hotline_ids": ["text"],
                   "duration": {"comparison": "unknow", "value": 1}},
        "paging": {"after": "text", "before": "text", "limit": 1, "sort": "text"},
    }  # fmt: skip
    assert_error(et.post("ListCallLogs", generated, key=alice.tenant_key), 400, "invalid_argument")


def test_every_documented_field(et: Etelecom, alice: Party, history: History) -> None:
    body = et.ok("ListCallLogs", {"filter": {}, "paging": {}}, key=alice.tenant_key)
    logs = assert_list(body, "call_logs", CALL_LOG)
    assert [c["external_id"] for c in logs] == ["c4", "c3", "c2", "c1"]  # newest first
    for log in logs:
        for target in log["call_targets"]:
            assert_shape(target, CALL_TARGET)
        assert all(isinstance(url, str) for url in log["recording_urls"])
    c1, c2 = logs[3], logs[2]
    assert (c1["call_state"], c1["call_status"], c1["direction"]) == ("answered", "P", "in")
    assert c1["duration"] == 65
    assert c1["caller"] == "84912345678"
    assert c1["extension_id"] == history.ext101
    assert c1["user_id"] == history.user_id
    assert c1["recording_urls"] == [RECORDING]
    assert RFC3339.match(c1["started_at"])
    assert c1["call_targets"][0]["ring_duration"] == 5
    assert (c2["call_state"], c2["direction"]) == ("not_answered", "out")
    assert c2["call_targets"][0]["fail_code"] == 486
    assert c2["call_targets"][0]["answered_time"] == "0001-01-01T00:00:00Z"
    assert logs[1]["direction"] == "ext"
    assert body["paging"]["limit"] == 100


def test_each_filter(et: Etelecom, alice: Party, history: History) -> None:
    assert _ids(et, alice, call_state="answered") == ["c3", "c1"]
    assert _ids(et, alice, call_state="not_answered") == ["c4", "c2"]
    assert _ids(et, alice, call_state="unknown") == ["c4", "c3", "c2", "c1"]
    assert _ids(et, alice, direction="in") == ["c4", "c1"]
    assert _ids(et, alice, direction="out") == ["c2"]
    assert _ids(et, alice, direction="ext") == ["c3"]
    assert _ids(et, alice, direction="ext_out") == ["c3"]
    local = timezone_plus_7(BASE + timedelta(seconds=100))
    assert _ids(et, alice, date_from=local) == ["c4", "c3", "c2"]
    assert _ids(et, alice, date_to=local) == ["c1"]
    short = {"comparison": "less_than_or_equal_to", "value": 20}
    assert _ids(et, alice, duration=short) == ["c3", "c2"]
    assert _ids(et, alice, duration={"comparison": "greater_than", "value": 20}) == ["c4", "c1"]
    assert _ids(et, alice, duration={"comparison": "equal", "value": 30}) == ["c4"]
    assert _ids(et, alice, extension_ids=[history.ext102]) == ["c3"]
    assert _ids(et, alice, hotline_ids=[history.hotline_id]) == ["c4", "c2", "c1"]
    assert _ids(et, alice, call_number="0987776868") == ["c2"]
    assert _ids(et, alice, user_id=history.user_id) == ["c2", "c1"]
    assert _ids(et, alice, department_id=str(history.group_id)) == ["c4"]
    assert _ids(et, alice, external_id="c3") == ["c3"]
    assert _ids(et, alice, external_session_id="c2") == ["c2"]
    assert _ids(et, alice, direction="in", call_state="answered") == ["c1"]


def timezone_plus_7(moment: datetime) -> str:
    """The same instant as Vietnam writes it (the documents' example uses +07:00)."""
    return moment.astimezone(timezone(timedelta(hours=7))).isoformat()


def test_bad_filters(et: Etelecom, alice: Party, bob: Party, history: History) -> None:
    def refused(wanted: dict[str, Any], argument: str) -> None:
        response = et.post("ListCallLogs", {"filter": wanted}, key=alice.tenant_key)
        assert assert_error(response, 400, "invalid_argument")["meta"]["argument"] == argument

    refused({"external_id": "c1", "external_session_id": "c2"}, "filter.external_session_id")
    refused({"date_from": "2026-01-01T10:00:00"}, "filter.date_from")  # no offset
    refused({"date_from": at(100), "date_to": at(0)}, "filter.date_from")
    refused({"direction": "sideways"}, "filter.direction")
    refused({"duration": {"comparison": "about", "value": 3}}, "filter.duration.comparison")
    bobs_hotline = et.hotline(bob, BOBS)
    refused({"hotline_ids": [bobs_hotline]}, "filter.hotline_ids")
    refused({"department_id": "999"}, "filter.department_id")


def _page(et: Etelecom, party: Party, **paging: Any) -> dict[str, Any]:
    body = et.ok("ListCallLogs", {"paging": paging}, key=party.tenant_key)
    assert_list(body, "call_logs", CALL_LOG)
    return body


def _names(body: dict[str, Any]) -> list[str]:
    return [c["external_id"] for c in body["call_logs"]]


def test_paging_forward_and_back(et: Etelecom, alice: Party, history: History) -> None:
    first = _page(et, alice, limit=3)
    assert _names(first) == ["c4", "c3", "c2"]
    assert first["paging"]["prev"] == ""
    rest = _page(et, alice, after=first["paging"]["next"])
    assert _names(rest) == ["c1"]
    assert (rest["paging"]["next"], rest["paging"]["after"]) == ("", first["paging"]["next"])
    assert rest["paging"]["prev"]
    # `prev` pages back, sent in `before` or (as eTelecom's page says) in `after`.
    for field in ("before", "after"):
        back = _page(et, alice, limit=3, **{field: rest["paging"]["prev"]})
        assert _names(back) == ["c4", "c3", "c2"]
        assert back["paging"]["prev"] == ""  # the start again
        assert back["paging"]["next"] == first["paging"]["next"]
    # `next` pages forward wherever it is sent.
    assert _names(_page(et, alice, before=first["paging"]["next"])) == ["c1"]


def test_paging_both_ways_with_equal_start_times(
    et: Etelecom, client: TestClient, alice: Party, bob: Party, stock: list[str]
) -> None:
    for party in (alice, bob):
        for n in range(4):
            for second in (20, 0, 10):
                _post(client, party, f"t{second}-{n}", direction="internal", caller="101",
                      callee="102", started_at=at(second), ended_at=at(30),
                      disposition="no_answer")  # fmt: skip
    everything = _names(_page(et, alice))
    assert len(everything) == 12
    assert everything[:4] == ["t20-3", "t20-2", "t20-1", "t20-0"]
    for limit in (1, 3, 5, 12):
        forward = [_page(et, alice, limit=limit)]
        while forward[-1]["paging"]["next"]:
            forward.append(_page(et, alice, limit=limit, after=forward[-1]["paging"]["next"]))
        assert [c for page in forward for c in _names(page)] == everything, limit
        backward = [forward[-1]]
        while backward[-1]["paging"]["prev"]:
            backward.append(_page(et, alice, limit=limit, before=backward[-1]["paging"]["prev"]))
            assert len(backward) <= len(forward), "walked back past the first page"
        assert [_names(p) for p in reversed(backward)] == [_names(p) for p in forward], limit
        assert backward[-1]["paging"]["next"] == forward[0]["paging"]["next"]


def test_bad_paging(et: Etelecom, alice: Party, history: History) -> None:
    first = _page(et, alice, limit=1)
    second = _page(et, alice, limit=1, after=first["paging"]["next"])
    token = first["paging"]["next"][1:]
    for bad, argument in (
        ({"after": "string"}, "paging.after"),
        ({"before": "string"}, "paging.before"),
        ({"after": "n"}, "paging.after"),
        ({"before": "q" + token}, "paging.before"),
        ({"after": "nOTk5"}, "paging.after"),  # the direction is right, the rest is not ours
        ({"before": "p" + token + "x"}, "paging.before"),
        ({"after": token}, "paging.after"),  # no direction
        ({"after": first["paging"]["next"], "before": second["paging"]["prev"]}, "paging.before"),
        ({"sort": "id"}, "paging.sort"),
    ):
        response = et.post("ListCallLogs", {"paging": bad}, key=alice.tenant_key)
        assert assert_error(response, 400, "invalid_argument")["meta"]["argument"] == argument


def test_another_tenant_sees_only_its_own(
    et: Etelecom, client: TestClient, alice: Party, bob: Party, history: History
) -> None:
    et.hotline(bob, BOBS)
    _post(client, bob, "b1", direction="in", caller="0912345678", callee=BOBS, hotline=BOBS,
          started_at=at(0), ended_at=at(9), disposition="no_answer")  # fmt: skip
    assert _ids(et, bob) == ["b1"]
    assert _ids(et, bob, external_id="c1") == []
    assert _ids(et, bob, extension_ids=[history.ext101]) == []
    assert len(_ids(et, alice)) == 4
