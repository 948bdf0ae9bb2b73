"""OMICall's page/size paging: pages from 1, size 50 by default, at most 200, and the
page fields (has_next, next_page, has_previous, previous_page, totals) at every edge."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.dialects.omicall.conftest import Omi
from tests.dialects.omicall.helpers import PAGE_KEYS, fail, ok, v1_post

STOCK_LIST = "/api/partner/public_number/list"


def _page(client: TestClient, path: str, headers: dict[str, str], **params: Any) -> Any:
    method = "POST" if path.endswith("tenant/list") else "GET"
    payload = ok(client.request(method, path, params=params, headers=headers))
    assert payload.keys() == PAGE_KEYS
    return payload


def test_defaults_are_page_1_size_50(client: TestClient, omi_alice: Omi, stock: list[str]) -> None:
    payload = _page(client, STOCK_LIST, omi_alice.partner)
    assert (payload["page_number"], payload["page_size"]) == (1, 50)
    assert payload["total_items"] == len(stock) == len(payload["items"])


def test_walking_the_pages(client: TestClient, omi_alice: Omi, stock: list[str]) -> None:
    seen: list[str] = []
    pages = []
    for page in (1, 2, 3):
        payload = _page(client, STOCK_LIST, omi_alice.partner, page=page, size=5)
        pages.append(payload)
        seen += [i["number"] for i in payload["items"]]
    assert len(seen) == len(set(seen)) == len(stock) == 14
    first, middle, last = pages
    assert (
        first["has_previous"],
        first["previous_page"],
        first["has_next"],
        first["next_page"],
    ) == (
        False,
        1,
        True,
        2,
    )
    assert (middle["previous_page"], middle["next_page"]) == (1, 3)
    assert (last["has_next"], last["next_page"], last["has_previous"], last["previous_page"]) == (
        False,
        3,
        True,
        2,
    )
    assert len(last["items"]) == 4
    for payload in pages:
        assert (payload["total_items"], payload["total_pages"], payload["page_size"]) == (14, 3, 5)


def test_past_the_last_page_is_empty(client: TestClient, omi_alice: Omi, stock: list[str]) -> None:
    for page in (4, 1_000_000_000):
        payload = _page(client, STOCK_LIST, omi_alice.partner, page=page, size=5)
        assert payload["items"] == []
        assert payload["has_next"] is False
        assert payload["total_items"] == 14


def test_empty_list(client: TestClient, omi_alice: Omi) -> None:
    payload = _page(client, STOCK_LIST, omi_alice.partner)
    assert payload["items"] == []
    assert (payload["total_items"], payload["total_pages"], payload["has_next"]) == (0, 0, False)


def test_size_bounds(client: TestClient, omi_alice: Omi, stock: list[str]) -> None:
    assert _page(client, STOCK_LIST, omi_alice.partner, size=1)["total_pages"] == 14
    assert _page(client, STOCK_LIST, omi_alice.partner, size=200)["page_size"] == 200
    for size in (0, -1, 201, 10**6, 10**30):
        response = client.get(STOCK_LIST, params={"size": size}, headers=omi_alice.partner)
        fail(response, "size_invalid")


@pytest.mark.parametrize("value", ["abc", "1.5", "", "true", "1e3", "\x00", "١"])
def test_non_numbers_are_refused(client: TestClient, omi_alice: Omi, value: str) -> None:
    for name, code in (("page", "page_invalid"), ("size", "size_invalid")):
        response = client.get(STOCK_LIST, params={name: value}, headers=omi_alice.partner)
        fail(response, code)


@pytest.mark.parametrize("page", [0, -1, 10**10, 2**63])
def test_page_bounds(client: TestClient, omi_alice: Omi, page: int) -> None:
    fail(client.get(STOCK_LIST, params={"page": page}, headers=omi_alice.partner), "page_invalid")


def test_internal_phones_page(client: TestClient, omi_alice: Omi) -> None:
    numbers = [v1_post(client, omi_alice.party, "/v1/extensions", {})["number"] for _ in range(5)]
    path = "/api/call_center/internal_phone/list"
    got: list[str] = []
    for page in (1, 2, 3):
        payload = _page(client, path, omi_alice.tenant, page=page, size=2)
        assert (payload["total_items"], payload["total_pages"]) == (5, 3)
        got += [i["sip_user"] for i in payload["items"]]
    assert got == numbers
    fail(client.get(path, params={"size": 201}, headers=omi_alice.tenant), "size_invalid")


def test_tenants_page(client: TestClient, omi_alice: Omi) -> None:
    for n in range(3):
        body = {"email": f"t{n}@x.vn", "password": "Str0ng!pass", "fullName": f"Shop {n}"}
        ok(client.post("/api/partner/tenant/add", json=body, headers=omi_alice.partner))
    path = "/api/partner/tenant/list"
    first = _page(client, path, omi_alice.partner, page=1, size=3)
    second = _page(client, path, omi_alice.partner, page=2, size=3)
    assert (first["total_items"], first["total_pages"], first["has_next"]) == (4, 2, True)
    assert [t["full_name"] for t in first["items"] + second["items"]] == [
        "Alice tenant",
        "Shop 0",
        "Shop 1",
        "Shop 2",
    ]
    fail(client.post(path, params={"page": 0}, headers=omi_alice.partner), "page_invalid")
