"""Bad input gets eTelecom's envelope with a clear message: never a 500, never a change.

Twirp's split: a body that cannot be decoded into the method's message (not JSON, not an
object, a field of another JSON type, an unknown field) is `malformed`; a decodable one
whose values break a rule (missing, out of range, NUL, unknown id) is `invalid_argument`.
Both are 400.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Party
from tests.dialects.etelecom.helpers import Etelecom, assert_client_error, assert_error
from vpbx.api.dialects.etelecom.router import METHODS

HUGE = "9" * 30


def _key(party: Party, method: str) -> str:
    return party.partner_key if METHODS[method].scope == "partner" else party.tenant_key


@pytest.mark.parametrize(
    "content",
    [b"{", b"{'a': 1}", b'{"paging": }', b"\xff\xfe{}", b'{"paging": NaN}', b"[" * 100_000],
)
def test_undecodable_json_is_malformed(et: Etelecom, alice: Party, content: bytes) -> None:
    response = et.post("GetPartnerHotlineList", content=content, key=alice.partner_key)
    body = assert_error(response, 400, "malformed")
    assert body["msg"].startswith("the json request")


@pytest.mark.parametrize("content", [b"[]", b"null", b'"string"', b"42", b"true"])
def test_a_body_that_is_not_an_object_is_malformed(
    et: Etelecom, alice: Party, content: bytes
) -> None:
    response = et.post("GetPartnerHotlineList", content=content, key=alice.partner_key)
    assert_error(response, 400, "malformed")


def test_an_empty_body_is_the_empty_message(et: Etelecom, alice: Party) -> None:
    response = et.post("CreateTenant", content=b"", key=alice.tenant_key)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"paging": "all"}, "paging"),
        ({"paging": []}, "paging"),
        ({"paging": {"limit": "ten"}}, "paging.limit"),
        ({"paging": {"limit": 1.5}}, "paging.limit"),
        ({"paging": {"after": 5}}, "paging.after"),
        ({"paging": {"sort": ["id"]}}, "paging.sort"),
        ({"pagination": {}}, "pagination"),
        ({"paging": {"offset": 0}}, "paging.offset"),
    ],
)
def test_wrong_types_and_unknown_fields_are_malformed(
    et: Etelecom, alice: Party, body: dict[str, Any], field: str
) -> None:
    response = et.post("GetPartnerHotlineList", body, key=alice.partner_key)
    error = assert_error(response, 400, "malformed")
    assert error["meta"]["argument"] == field


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"paging": {"limit": -1}}, "paging.limit"),
        ({"paging": {"limit": 2**40}}, "paging.limit"),
        ({"paging": {"after": "a\x00b"}}, "paging.after"),
        ({"paging": {"after": "bjEyMw", "before": "cDQ1"}}, "paging.before"),
        ({"paging": {"sort": "name"}}, "paging.sort"),
        ({"paging": {"after": "x" * 201}}, "paging.after"),
    ],
)
def test_bad_paging_values_are_invalid(
    et: Etelecom, alice: Party, body: dict[str, Any], field: str
) -> None:
    response = et.post("GetPartnerHotlineList", body, key=alice.partner_key)
    error = assert_error(response, 400, "invalid_argument")
    assert error["meta"]["argument"] == field


@pytest.mark.parametrize(
    "hotline_id",
    [HUGE, "-1", "1e3", "0x10", " ", "١٢", -5, True, 1.5, 2**63, "9223372036854775808"],
)
def test_bad_ids_are_invalid(et: Etelecom, alice: Party, hotline_id: Any) -> None:
    body = {"hotline_id": hotline_id, "tenant_id": str(alice.tenant_id)}
    response = et.post("PartnerActivateTenant", body, key=alice.partner_key)
    error = assert_error(response, 400, "invalid_argument")
    assert error["meta"]["argument"] == "hotline_id"


def test_ids_may_be_numbers_or_strings(et: Etelecom, alice: Party) -> None:
    for tenant_id in (alice.tenant_id, str(alice.tenant_id)):
        body = {"filter": {"owner_id": tenant_id}}
        tenants = et.ok("GetPartnerTenantList", body, key=alice.partner_key)["tenants"]
        assert [t["id"] for t in tenants] == [str(alice.tenant_id)]


def test_missing_required_fields_are_invalid(et: Etelecom, alice: Party) -> None:
    response = et.post("PartnerAddHotline", {"hotline": "02836251234"}, key=alice.partner_key)
    error = assert_error(response, 400, "invalid_argument")
    assert error["meta"]["argument"] == "name"
    empty = et.post(
        "PartnerActivateTenant", {"hotline_id": "0", "tenant_id": ""}, key=alice.partner_key
    )
    assert_error(empty, 400, "invalid_argument")


def test_text_with_control_characters_is_invalid(et: Etelecom, alice: Party) -> None:
    for name in ("Sa\x00les", "Sales\r\nX-Header: forged"):
        body = {"hotline": "02836251234", "name": name, "owner_id": str(alice.tenant_id)}
        response = et.post("PartnerAddHotline", body, key=alice.partner_key)
        assert_error(response, 400, "invalid_argument")
    user = {"full_name": "Lan\x00", "email": "lan@shop.vn"}
    assert_error(et.post("CreateUser", user, key=alice.tenant_key), 400, "invalid_argument")


def test_a_refused_request_changes_nothing(
    et: Etelecom, client: TestClient, alice: Party, stock: list[str]
) -> None:
    """A bad network value refuses the whole call: the number is not held."""
    body = {
        "hotline": "02836251234",
        "name": "Sales",
        "owner_id": str(alice.tenant_id),
        "network": "telstra",
    }
    assert_error(et.post("PartnerAddHotline", body, key=alice.partner_key), 400, "invalid_argument")
    owned = client.get("/v1/numbers", headers=alice.headers).json()
    assert owned["items"] == []
    bad_owner = {**body, "network": "viettel", "owner_id": "999"}
    assert_error(et.post("PartnerAddHotline", bad_owner, key=alice.partner_key), 404, "not_found")
    assert client.get("/v1/numbers", headers=alice.headers).json()["items"] == []


def test_a_number_that_is_no_number_is_invalid(
    et: Etelecom, alice: Party, stock: list[str]
) -> None:
    for number in ("string", "12", "+999123", "0" * 40):
        body = {"hotline": number, "name": "Sales", "owner_id": str(alice.tenant_id)}
        error = assert_error(
            et.post("PartnerAddHotline", body, key=alice.partner_key), 400, "invalid_argument"
        )
        assert error["meta"]["argument"] == "hotline"


GARBAGE: list[bytes] = [
    b"",
    b"{}",
    b"[]",
    b'{"paging": {"limit": 0, "after": "string"}}',
    json.dumps({"hotline_id": HUGE, "extension_id": HUGE, "tenant_id": HUGE}).encode(),
    json.dumps({"id": "1", "hotline_id": "2", "extension_id": "3", "user_id": "4"}).encode(),
    json.dumps({"filter": {"name": "\x00"}, "paging": {"limit": 2**62}}).encode(),
    json.dumps(
        {"extension_number": 10**12, "hotline": "x" * 33, "name": "", "email": "@", "full_name": 1}
    ).encode(),
]


@pytest.mark.parametrize("method", sorted(METHODS))
def test_no_method_crashes_on_garbage(
    et: Etelecom, alice: Party, stock: list[str], method: str
) -> None:
    for content in GARBAGE:
        response = et.post(method, content=content, key=_key(alice, method))
        if response.status_code != 200:
            assert_client_error(response)
