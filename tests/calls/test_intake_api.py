"""POST /v1/calls: a SIP server records finished calls, once each, checked and normalised."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.calls.conftest import Pbx
from tests.calls.helpers import BASE, at, call, post, posted, stored_count
from tests.pbx.helpers import assert_problem, error_fields
from vpbx.models import AuditEvent, CallRecord


def test_an_answered_call_is_recorded_normalised_with_computed_durations(
    client: TestClient, alices: Pbx, factory: sessionmaker[Session]
) -> None:
    response = post(
        client,
        alices.party,
        call(
            caller="091 234-5678",
            callee="101",
            hotline="842438256868",
            extension="101",
            group=alices.group,
            started_at=at(0.4),
            answered_at=at(5.9),
            ended_at=at(66.5),
            hangup_cause="NORMAL_CLEARING",
            sip_status=200,
            recording_url="https://rec.acme.vn/2026/call-1.wav",
        ),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["caller"] == "+84912345678"  # national form, read in the default country
    assert body["callee"] == "101"
    assert body["hotline"] == "+842438256868"
    assert (body["extension_id"], body["extension"]) == (alices.ext101, "101")
    assert body["user_id"] == alices.user_id
    assert body["group"] == alices.group
    assert (body["duration_s"], body["billsec"]) == (66, 60)  # whole seconds, truncated
    assert body["started_at"].endswith("Z")
    assert body["recording_url"] == "https://rec.acme.vn/2026/call-1.wav"
    assert client.get(f"/v1/calls/{body['id']}", headers=alices.party.headers).json() == body
    with factory() as session:
        # A call record is its own log: no audit event per call.
        assert session.scalar(select(AuditEvent).where(AuditEvent.object_type == "call")) is None
        assert stored_count(factory) == 1


@pytest.mark.parametrize(
    ("disposition", "direction", "caller", "callee"),
    [
        ("no_answer", "in", "+74951334527", "101"),
        ("busy", "out", "102", "0987776868"),
        ("failed", "out", "101", "*97"),
        ("rejected", "in", "anonymous", "+842438256868"),
        ("no_answer", "internal", "101", "102"),
    ],
)
def test_unanswered_calls_have_no_billable_seconds(
    client: TestClient,
    alices: Pbx,
    disposition: str,
    direction: str,
    caller: str,
    callee: str,
) -> None:
    body = posted(
        client,
        alices.party,
        disposition=disposition,
        direction=direction,
        caller=caller,
        callee=callee,
        answered_at=...,
        ended_at=at(30),
    )
    assert (body["duration_s"], body["billsec"], body["answered_at"]) == (30, 0, None)
    assert body["disposition"] == disposition
    assert body["caller"] == caller
    assert body["callee"] == ("+84987776868" if callee == "0987776868" else callee)


def test_times_in_any_offset_are_stored_in_utc(client: TestClient, alices: Pbx) -> None:
    plus7 = timezone(timedelta(hours=7))
    body = posted(
        client,
        alices.party,
        started_at=BASE.astimezone(plus7).isoformat(),
        answered_at=(BASE + timedelta(seconds=1)).astimezone(plus7).isoformat(),
        ended_at=(BASE + timedelta(seconds=2)).isoformat().replace("+00:00", "Z"),
    )
    assert body["started_at"] == BASE.isoformat().replace("+00:00", "Z")
    assert body["duration_s"] == 2


def test_sender_durations_must_agree_within_a_second(client: TestClient, alices: Pbx) -> None:
    ok = posted(client, alices.party, call_id="a", duration_s=66, billsec=59)
    assert (ok["duration_s"], ok["billsec"]) == (65, 60)  # ours, not the sender's
    for field, value, code in [
        ("duration_s", 67, "duration_mismatch"),
        ("duration_s", 63, "duration_mismatch"),
        ("billsec", 62, "billsec_mismatch"),
        ("billsec", 0, "billsec_mismatch"),
    ]:
        response = post(client, alices.party, call(call_id="b", **{field: value}))
        problem = assert_problem(response, 422, code)
        assert error_fields(problem) == [field]
    unanswered = call(call_id="c", disposition="busy", answered_at=..., billsec=3)
    assert_problem(post(client, alices.party, unanswered), 422, "billsec_mismatch")


def test_the_same_call_again_is_a_replay_and_other_details_a_conflict(
    client: TestClient, alices: Pbx, factory: sessionmaker[Session]
) -> None:
    first = post(client, alices.party, call(caller="0912345678", extension="101"))
    assert first.status_code == 201
    # The same call written differently (national form, other offset) is the same call.
    plus7 = timezone(timedelta(hours=7))
    again = post(
        client,
        alices.party,
        call(
            caller="+84912345678",
            extension="101",
            started_at=BASE.astimezone(plus7).isoformat(),
        ),
    )
    assert again.status_code == 200, again.text
    assert again.json() == first.json()
    changed = post(client, alices.party, call(caller="+84912345678", extension="102"))
    problem = assert_problem(changed, 409, "call_exists")
    assert error_fields(problem) == ["call_id"]
    assert stored_count(factory) == 1
    assert client.get("/v1/calls", headers=alices.party.headers).json()["items"] == [first.json()]


def test_a_replay_still_answers_after_its_extension_is_gone(
    client: TestClient, alices: Pbx
) -> None:
    first = posted(client, alices.party, extension="102")
    gone = client.delete(f"/v1/extensions/{alices.ext102}", headers=alices.party.headers)
    assert gone.status_code == 204
    again = post(client, alices.party, call(extension="102"))
    assert again.status_code == 200, again.text
    # The call keeps the number it was made on; the link to the deleted extension goes.
    assert (again.json()["extension"], again.json()["extension_id"]) == ("102", None)
    assert again.json()["id"] == first["id"]


def test_call_ids_are_per_tenant(client: TestClient, alices: Pbx, bobs: Pbx) -> None:
    mine = posted(client, alices.party, caller="0912345678")
    theirs = posted(client, bobs.party, caller="0987776868")
    assert mine["id"] != theirs["id"]
    assert mine["call_id"] == theirs["call_id"]
    # Bob's post of the same call id with other details touched nothing of Alice's.
    h = alices.party.headers
    assert client.get(f"/v1/calls/{mine['id']}", headers=h).json() == mine
    assert client.get("/v1/calls", headers=h).json()["items"] == [mine]


def test_a_partner_posts_for_its_tenant_with_the_tenant_header(
    client: TestClient, alices: Pbx
) -> None:
    party = alices.party
    response = client.post("/v1/calls", json=call(), headers=party.acting())
    assert response.status_code == 201, response.text
    no_tenant = client.post("/v1/calls", json=call(), headers=party.partner_headers)
    assert_problem(no_tenant, 422, "tenant_required")
    anonymous = client.post("/v1/calls", json=call())
    assert_problem(anonymous, 401)


# --- references to the tenant's objects ------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"hotline": "+842477778823"}, "hotline_not_owned", "hotline"),  # Bob's
        ({"hotline": "+842438250000"}, "hotline_not_owned", "hotline"),  # in stock
        ({"hotline": "+84901234567"}, "hotline_not_owned", "hotline"),  # nobody's
        ({"hotline": "12"}, "invalid", "hotline"),
        ({"extension": "103"}, "extension_not_found", "extension"),
        ({"extension": "201"}, "extension_not_found", "extension"),
        ({"group": "101"}, "group_not_found", "group"),  # an extension, not a group
        ({"group": "600"}, "group_not_found", "group"),
    ],
)
def test_references_must_be_the_tenants_own(
    client: TestClient,
    alices: Pbx,
    bobs: Pbx,
    factory: sessionmaker[Session],
    fields: dict[str, Any],
    code: str,
    field: str,
) -> None:
    client.post("/v1/extensions", json={"number": "201"}, headers=bobs.party.headers)
    client.post("/v1/groups", json={"name": "B", "number": "600"}, headers=bobs.party.headers)
    response = post(client, alices.party, call(**fields))
    assert error_fields(assert_problem(response, 422, code)) == [field]
    assert stored_count(factory) == 0


# --- refusals ---------------------------------------------------------------------------------


REFUSALS: list[tuple[dict[str, Any], str, str]] = [
    ({"started_at": "2026-01-01T10:00:00"}, "validation_failed", "started_at"),
    ({"ended_at": at(65).replace("+00:00", "")}, "validation_failed", "ended_at"),
    ({"answered_at": at(5).replace("+00:00", "")}, "validation_failed", "answered_at"),
    ({"ended_at": at(-1)}, "call_times_out_of_order", "ended_at"),
    ({"answered_at": at(-1)}, "call_times_out_of_order", "answered_at"),
    ({"answered_at": at(66)}, "call_times_out_of_order", "answered_at"),
    ({"ended_at": at(3 * 86400)}, "call_in_future", "ended_at"),
    ({"ended_at": "9999-12-31T23:59:59Z"}, "call_in_future", "ended_at"),
    ({"ended_at": "9999-12-31T23:59:59-05:00"}, "invalid", "ended_at"),
    ({"started_at": "1999-12-31T23:59:59Z"}, "invalid", "started_at"),
    ({"started_at": "0001-01-01T00:00:00+01:00"}, "invalid", "started_at"),
    ({"answered_at": ...}, "answered_at_required", "answered_at"),
    ({"disposition": "busy"}, "answered_at_not_allowed", "answered_at"),
    ({"disposition": "hung_up"}, "validation_failed", "disposition"),
    ({"direction": "inbound"}, "validation_failed", "direction"),
    ({"sip_status": 99}, "validation_failed", "sip_status"),
    ({"sip_status": 700}, "validation_failed", "sip_status"),
    ({"recording_url": "ftp://rec.acme.vn/1.wav"}, "invalid", "recording_url"),
    ({"recording_url": "javascript:alert(1)"}, "invalid", "recording_url"),
    ({"recording_url": "https://"}, "invalid", "recording_url"),
    ({"recording_url": "https://a b/1.wav"}, "invalid", "recording_url"),
    ({"recording_url": "http://[::1/x"}, "invalid", "recording_url"),
    ({"caller": "lan@acme.vn"}, "invalid", "caller"),
    ({"caller": "+84 91x"}, "invalid", "caller"),
    ({"caller": "1" * 33}, "invalid", "caller"),
    ({"caller": "++84912345678"}, "invalid", "caller"),
    ({"caller": "+*1"}, "invalid", "caller"),
    ({"caller": "10\n1"}, "validation_failed", "caller"),
    ({"caller": ""}, "validation_failed", "caller"),
    ({"callee": "anonymous"}, "invalid", "callee"),
    ({"callee": " "}, "invalid", "callee"),
    ({"call_id": "a b"}, "validation_failed", "call_id"),
    ({"call_id": "a\x00b"}, "validation_failed", "call_id"),
    ({"call_id": "é"}, "validation_failed", "call_id"),
    ({"call_id": "x" * 256}, "validation_failed", "call_id"),
    ({"call_id": ...}, "validation_failed", "call_id"),
    ({"direction": ...}, "validation_failed", "direction"),
    ({"started_at": ...}, "validation_failed", "started_at"),
    ({"extension": "12"}, "validation_failed", "extension"),
    ({"extension": 101}, "validation_failed", "extension"),
    ({"group": "0699"}, "validation_failed", "group"),
    ({"hangup_cause": "x" * 65}, "validation_failed", "hangup_cause"),
    ({"hangup_cause": "A\rB"}, "validation_failed", "hangup_cause"),
    ({"duration_s": -1}, "validation_failed", "duration_s"),
    ({"duration_s": 2**31}, "validation_failed", "duration_s"),
    ({"id": 5}, "validation_failed", "id"),
    ({"tenant_id": 2}, "validation_failed", "tenant_id"),
    ({"extension_id": 1}, "validation_failed", "extension_id"),
]


@pytest.mark.parametrize(("fields", "code", "field"), REFUSALS, ids=lambda v: str(v)[:60])
def test_bad_calls_are_refused_and_nothing_is_stored(
    client: TestClient,
    alices: Pbx,
    factory: sessionmaker[Session],
    fields: dict[str, Any],
    code: str,
    field: str,
) -> None:
    response = post(client, alices.party, call(**fields))
    problem = assert_problem(response, 422, code)
    assert field in error_fields(problem), problem
    assert stored_count(factory) == 0


def test_the_future_allows_a_little_clock_skew(client: TestClient, alices: Pbx) -> None:
    now = datetime.now(UTC)
    body = posted(
        client,
        alices.party,
        started_at=(now - timedelta(seconds=30)).isoformat(),
        answered_at=(now - timedelta(seconds=20)).isoformat(),
        ended_at=(now + timedelta(minutes=2)).isoformat(),
    )
    assert body["billsec"] == 140


def test_unicode_digits_and_separators_in_numbers(client: TestClient, alices: Pbx) -> None:
    body = posted(client, alices.party, caller="(091) 234.5678", callee="１０１")
    assert (body["caller"], body["callee"]) == ("+84912345678", "101")
    unknown = posted(client, alices.party, call_id="2", caller="+999123", callee="#31#")
    # Not a valid number anywhere: kept as dialled, not refused (carriers send such).
    assert (unknown["caller"], unknown["callee"]) == ("+999123", "#31#")


def test_stored_rows_match_the_answer(
    client: TestClient, alices: Pbx, factory: sessionmaker[Session]
) -> None:
    body = posted(client, alices.party, hotline="+842438256868", extension="101")
    with factory() as session:
        row = session.scalar(select(CallRecord))
        assert row is not None
        assert row.tenant_id == alices.party.tenant_id
        assert (row.extension_id, row.extension_number) == (alices.ext101, "101")
        assert row.started_at.isoformat().replace("+00:00", "Z") == body["started_at"]


def test_an_idempotency_key_replays_the_first_answer(client: TestClient, alices: Pbx) -> None:
    headers = {**alices.party.headers, "Idempotency-Key": "cdr-batch-7"}
    first = client.post("/v1/calls", json=call(), headers=headers)
    again = client.post("/v1/calls", json=call(), headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()
