"""Hostile input on every /v1/calls endpoint: a 4xx problem document, never a 500, and
nothing stored by a refused request. (The tenant has no PBX objects here: references to
them are the intake tests' business.)"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.calls.helpers import call, posted, stored_count
from tests.conftest import Party
from tests.pbx.helpers import assert_handled, assert_problem, error_fields
from tests.pbx.test_bad_input import MAX_ID, ODD_VALUES

FIELDS = [
    *call().keys(),
    "hotline",
    "extension",
    "group",
    "hangup_cause",
    "sip_status",
    "recording_url",
    "duration_s",
    "billsec",
]
ODD_TIMES = [
    "2026-02-30T10:00:00Z",
    "2026-01-01T25:00:00+07:00",
    "2026-01-01T10:00:00+24:00",
    "2026-01-01",
    "10:00:00Z",
    "1e10",
    1e10,
    -1,
    253402300800,
    "now",
]
ENDPOINTS = ["/v1/calls", "/v1/calls/batch"]


def wrap(path: str, body: Any) -> Any:
    return {"calls": [body]} if path.endswith("batch") else body


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize(
    "raw",
    [
        b"{",
        b'{"call_id": "x",',
        b"[1,",
        b"nul",
        b"\xff\xfe\xfd",
        b"",
        b"null",
        b"[]",
        b'"text"',
        b"42",
        b'{"sip_status": NaN}',
        b'{"duration_s": 1e999999}',
        b"[" * 5000 + b"]" * 5000,
        b'{"call_id": "\\ud800"}',
        b'{"calls": {"a": 1}}',
        b'{"calls": null}',
    ],
    ids=lambda raw: repr(raw[:20]),
)
def test_malformed_json(
    safe: TestClient, alice: Party, factory: sessionmaker[Session], path: str, raw: bytes
) -> None:
    headers = {**alice.headers, "Content-Type": "application/json"}
    assert_problem(safe.post(path, content=raw, headers=headers), 422, "validation_failed")
    assert stored_count(factory) == 0


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_body_that_is_not_json(
    safe: TestClient, alice: Party, factory: sessionmaker[Session], path: str, content_type: str
) -> None:
    headers = {**alice.headers, "Content-Type": content_type}
    response = safe.post(path, content=b"call_id=1", headers=headers)
    assert_handled(response)
    assert response.status_code >= 400
    assert stored_count(factory) == 0


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("field", FIELDS)
def test_odd_values_in_every_field(
    safe: TestClient, alice: Party, factory: sessionmaker[Session], path: str, field: str
) -> None:
    values = ODD_VALUES + (ODD_TIMES if field.endswith("_at") else [])
    for n, value in enumerate(values):
        before = stored_count(factory)
        body = {**call(f"odd-{n}"), field: value}
        response = safe.post(path, json=wrap(path, body), headers=alice.headers)
        assert_handled(response)
        if response.status_code >= 400:
            assert stored_count(factory) == before, (field, value)


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("extra", ["unknown", "id", "tenant_id", "extension_id", "user_id", ""])
def test_extra_fields_are_forbidden(
    safe: TestClient, alice: Party, factory: sessionmaker[Session], path: str, extra: str
) -> None:
    body = wrap(path, {**call(), extra: 1})
    problem = assert_problem(safe.post(path, json=body, headers=alice.headers), 422)
    assert any(field.endswith(extra) for field in error_fields(problem)), problem
    assert stored_count(factory) == 0


@pytest.mark.parametrize("path", ENDPOINTS)
def test_nul_and_control_characters_in_text_fields(
    safe: TestClient, alice: Party, factory: sessionmaker[Session], path: str
) -> None:
    for field in ("call_id", "caller", "callee", "hotline", "hangup_cause", "recording_url"):
        for value in ("a\x00b", "\x00", "101\x00", "x\x1b[31m", "https://a.vn/\n1"):
            body = wrap(path, call(**{field: value}))
            response = safe.post(path, json=body, headers=alice.headers)
            assert_problem(response, 422)
    assert stored_count(factory) == 0


@pytest.mark.parametrize(
    "ref",
    [str(MAX_ID + 1), "9" * 40, "0", "-1", "1e3", "0x10", "abc", "%00", "%D9%A1", "%EF%BC%91"],
)
def test_bad_ids_in_paths(safe: TestClient, alice: Party, ref: str) -> None:
    response = safe.get(f"/v1/calls/{ref}", headers=alice.headers)
    assert error_fields(assert_problem(response, 422, "validation_failed"))


def test_largest_id_is_just_not_found(safe: TestClient, alice: Party) -> None:
    assert_problem(safe.get(f"/v1/calls/{MAX_ID}", headers=alice.headers), 404)


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "9" * 30},
        {"limit": "0"},
        {"limit": "201"},
        {"limit": "１"},
        {"extension_id": str(MAX_ID + 1)},
        {"extension_id": "٣"},
        {"user_id": "0"},
        {"user_id": "abc"},
        {"direction": "inbound"},
        {"disposition": "cancelled"},
        {"extension": "12"},
        {"extension": "1\x00"},
        {"group": "abc"},
        {"hotline": "12"},
        {"hotline": "+84\x00"},
        {"hotline": "x" * 41},
        {"number": "1\x00"},
        {"number": "1" * 41},
        {"call_id": "a b"},
        {"duration_gt": "-1"},
        {"duration_lte": str(2**31)},
        {"billsec_eq": "1.5"},
        {"date_from": "yesterday"},
        {"date_to": "2026-01-01T00:00:00"},
        {"date_from": "0001-01-01T00:00:00+01:00"},
        {"date_to": "9999-12-31T23:59:59-01:00"},
        {"cursor": "c" * 65},
        {"direction": ["in"] * 101},
    ],
    ids=str,
)
def test_bad_query_parameters(safe: TestClient, alice: Party, params: dict[str, Any]) -> None:
    response = safe.get("/v1/calls", params=params, headers=alice.headers)
    problem = assert_problem(response, 422)
    name = next(iter(params))
    assert any(field.split(".")[0] == name for field in error_fields(problem)), problem


@pytest.mark.parametrize(
    "number", ["%", "_", "'; DROP TABLE call_records; --", "\\", "ễ", "\ud7ff", "*", "+"]
)
def test_odd_numbers_searched_are_answered(safe: TestClient, alice: Party, number: str) -> None:
    posted(safe, alice)
    response = safe.get("/v1/calls", params={"number": number}, headers=alice.headers)
    assert response.status_code == 200, response.text
    assert response.json()["items"] == []


def test_unknown_query_parameters_are_ignored_like_elsewhere(
    safe: TestClient, alice: Party
) -> None:
    posted(safe, alice)
    response = safe.get("/v1/calls", params={"_": "123"}, headers=alice.headers)
    assert len(response.json()["items"]) == 1
