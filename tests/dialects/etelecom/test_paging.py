"""eTelecom's cursor paging: limit, next, prev (sent back in `after` or `before`), sort."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Party
from tests.dialects.etelecom.helpers import Etelecom, assert_error
from vpbx.api.dialects.etelecom import paging
from vpbx.api.dialects.etelecom.wire import PagingIn
from vpbx.errors import Invalid


@pytest.fixture
def numbers(client: TestClient, alice: Party) -> list[str]:
    """Five extensions made on /v1: their numbers in creation (id) order."""
    made = []
    for _ in range(5):
        response = client.post("/v1/extensions", json={}, headers=alice.headers)
        assert response.status_code == 201, response.text
        made.append(response.json()["number"])
    return made


def _page(et: Etelecom, party: Party, **paging_in: Any) -> tuple[list[str], dict[str, Any]]:
    body = et.ok("GetExtensions", {"paging": paging_in}, key=party.tenant_key)
    return [e["extension_number"] for e in body["extensions"]], body["paging"]


def test_forward_and_back(et: Etelecom, alice: Party, numbers: list[str]) -> None:
    first, p1 = _page(et, alice, limit=2)
    assert first == numbers[:2]
    assert p1["prev"] == ""
    second, p2 = _page(et, alice, limit=2, after=p1["next"])
    assert second == numbers[2:4]
    assert p2["after"] == p1["next"]
    third, p3 = _page(et, alice, limit=2, after=p2["next"])
    assert third == numbers[4:]
    assert p3["next"] == ""
    # `prev` goes back whether it is sent as `after` (as eTelecom's page words it) or
    # as `before`.
    assert _page(et, alice, limit=2, after=p3["prev"])[0] == numbers[2:4]
    back, pb = _page(et, alice, limit=2, before=p2["prev"])
    assert back == numbers[:2]
    assert pb["prev"] == ""
    assert _page(et, alice, limit=2, before=pb["next"])[0] == numbers[2:4]


def test_newest_first(et: Etelecom, alice: Party, numbers: list[str]) -> None:
    newest = numbers[::-1]
    for sort in ("-id", "-created_at"):
        first, p1 = _page(et, alice, limit=2, sort=sort)
        assert first == newest[:2]
        assert p1["sort"] == sort
        second, p2 = _page(et, alice, limit=2, sort=sort, after=p1["next"])
        assert second == newest[2:4]
        assert _page(et, alice, limit=2, sort=sort, after=p2["prev"])[0] == newest[:2]
    assert _page(et, alice, sort="created_at")[0] == numbers


def test_limits(et: Etelecom, alice: Party, numbers: list[str]) -> None:
    everything, p = _page(et, alice, limit=0)
    assert everything == numbers
    assert p["limit"] == 100  # eTelecom's default page
    assert _page(et, alice, limit=10_000)[1]["limit"] == 200  # capped at page_size_max


def test_hotline_lists_page_too(et: Etelecom, alice: Party, stock: list[str]) -> None:
    ids = [et.hold(alice, n)["id"] for n in ("+842836251234", "+842438256868", "+842477778823")]
    body = et.ok("GetPartnerHotlineList", {"paging": {"limit": 2}}, key=alice.partner_key)
    rest = et.ok("GetHotlines", {"paging": {"after": body["paging"]["next"]}}, key=alice.tenant_key)
    assert [h["id"] for h in body["hotlines"] + rest["hotlines"]] == sorted(ids, key=int)
    refused = et.post(
        "GetPartnerHotlineList", {"paging": {"sort": "created_at"}}, key=alice.partner_key
    )
    assert_error(refused, 400, "invalid_argument")  # hotlines are listed in id order only


def test_cursors_are_opaque_and_checked() -> None:
    token = paging.encode_cursor("n", 42)
    assert paging.decode_cursor(token, "paging.after") == ("n", 42)
    for bad in ("string", "42", "bjA", "cC0x", "eDQy", "bjk5OTk5OTk5OTk5OTk5OTk5OTk5OTk"):
        with pytest.raises(Invalid) as caught:
            paging.decode_cursor(bad, "paging.after")
        assert caught.value.details["field"] == "paging.after"


def test_a_plan_walks_the_ids_the_right_way() -> None:
    def walk(**given: Any) -> tuple[int | None, bool, bool]:
        planned = paging.plan(PagingIn(**given), sorts=paging.BY_ID, max_limit=200)
        return planned.after_id, planned.descending, planned.backward

    n7, p7 = paging.encode_cursor("n", 7), paging.encode_cursor("p", 7)
    assert walk() == (None, False, False)
    assert walk(sort="-id") == (None, True, False)
    assert walk(after=n7) == (7, False, False)
    assert walk(after=p7) == (7, True, True)
    assert walk(before=p7, sort="-id") == (7, False, True)
    assert walk(after=n7, sort="-id") == (7, True, False)
