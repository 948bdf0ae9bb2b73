"""/v1/packages: each partner's catalogue, written by its partner key, read by its tenants."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from tests.problems import assert_handled, assert_problem
from vpbx.db import transaction
from vpbx.models import AuditEvent
from vpbx.packages.catalogue import CatalogueService

MP5X = {"carrier": "viettel", "product_code": "mp5x", "type": "COMBO", "price": "5000",
        "validity_days": 5, "description": "Gọi và nhắn tin"}  # fmt: skip


def test_a_partner_adds_a_package_and_its_tenants_see_it(client: TestClient, alice: Party) -> None:
    response = client.post("/v1/packages", json=MP5X, headers=alice.partner_headers)
    assert response.status_code == 201, response.text
    package = response.json()
    assert package["carrier"] == "VIETTEL"
    assert package["product_code"] == "MP5X"
    assert package["price"] == "5000"
    assert package["currency"] == "VND"
    assert package["type"] == "COMBO"
    assert package["validity_days"] == 5
    assert package["active"]
    listed = client.get("/v1/packages", headers=alice.headers).json()
    assert [p["id"] for p in listed["items"]] == [package["id"]]
    got = client.get(f"/v1/packages/{package['id']}", headers=alice.headers)
    assert got.json() == package


def test_only_a_partner_key_writes_the_catalogue(client: TestClient, alice: Party) -> None:
    response = client.post("/v1/packages", json=MP5X, headers=alice.headers)
    assert_problem(response, 403, "partner_key_required")
    created = client.post("/v1/packages", json=MP5X, headers=alice.partner_headers).json()
    patch = client.patch(
        f"/v1/packages/{created['id']}", json={"price": "1"}, headers=alice.headers
    )
    assert_problem(patch, 403, "partner_key_required")


def test_another_partners_package_is_not_found_and_stays_unchanged(
    client: TestClient, alice: Party, bob: Party
) -> None:
    created = client.post("/v1/packages", json=MP5X, headers=alice.partner_headers).json()
    path = f"/v1/packages/{created['id']}"
    assert_problem(client.get(path, headers=bob.partner_headers), 404, "package_not_found")
    assert_problem(client.get(path, headers=bob.headers), 404, "package_not_found")
    changed = client.patch(path, json={"price": "1"}, headers=bob.partner_headers)
    assert_problem(changed, 404, "package_not_found")
    assert client.get(path, headers=alice.headers).json()["price"] == "5000"
    assert client.get("/v1/packages", headers=bob.headers).json()["items"] == []


def test_the_same_product_twice_is_a_conflict(client: TestClient, alice: Party, bob: Party) -> None:
    assert client.post("/v1/packages", json=MP5X, headers=alice.partner_headers).status_code == 201
    again = client.post("/v1/packages", json=MP5X, headers=alice.partner_headers)
    assert_problem(again, 409, "package_exists")
    # Another partner has a catalogue of its own.
    assert client.post("/v1/packages", json=MP5X, headers=bob.partner_headers).status_code == 201


def test_patch_changes_terms_and_takes_off_sale(
    client: TestClient, alice: Party, factory: sessionmaker[Session]
) -> None:
    created = client.post("/v1/packages", json=MP5X, headers=alice.partner_headers).json()
    path = f"/v1/packages/{created['id']}"
    response = client.patch(
        path,
        json={"price": "6000.50", "validity_days": 7, "active": False},
        headers=alice.partner_headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["price"] == "6000.5"
    assert not response.json()["active"]
    inactive = client.get("/v1/packages?active=false", headers=alice.headers).json()["items"]
    assert [p["id"] for p in inactive] == [created["id"]]
    assert client.get("/v1/packages?active=true", headers=alice.headers).json()["items"] == []
    with factory() as session:
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["package.create", "package.update"]


def test_filters_and_pages(
    client: TestClient, alice: Party, catalogue: list[dict[str, Any]]
) -> None:
    viettel = client.get("/v1/packages?carrier=viettel", headers=alice.headers).json()["items"]
    assert {p["product_code"] for p in viettel} == {"MP5X", "V200B"}
    data = client.get("/v1/packages?type=DATA", headers=alice.headers).json()["items"]
    assert [p["product_code"] for p in data] == ["D60G"]
    first = client.get("/v1/packages?limit=3", headers=alice.headers).json()
    assert len(first["items"]) == 3
    assert first["next_cursor"]
    rest = client.get(f"/v1/packages?limit=3&cursor={first['next_cursor']}", headers=alice.headers)
    assert [p["product_code"] for p in rest.json()["items"]] == ["D60G"]
    assert rest.json()["next_cursor"] is None


@pytest.mark.parametrize(
    "body",
    [
        {**MP5X, "price": "-1"},
        {**MP5X, "price": 1e20},
        {**MP5X, "type": "VOICE"},
        {**MP5X, "carrier": "BEELINE"},
        {**MP5X, "carrier": "VIETTEL\x00"},
        {**MP5X, "product_code": "MP 5X"},
        {**MP5X, "product_code": ""},
        {**MP5X, "validity_days": 0},
        {**MP5X, "validity_days": "five"},
        {**MP5X, "description": "a\x00b"},
        {**MP5X, "currency": "vnd"},
        {**MP5X, "owner": 1},
        {k: v for k, v in MP5X.items() if k != "price"},
        [],
        "MP5X",
    ],
)
def test_bad_input_is_a_clear_4xx(safe: TestClient, alice: Party, body: Any) -> None:
    response = safe.post("/v1/packages", json=body, headers=alice.partner_headers)
    assert 400 <= response.status_code < 500, response.text
    assert_handled(response)


def test_malformed_json_huge_ids_and_nul_filters_are_4xx(safe: TestClient, alice: Party) -> None:
    headers = {**alice.partner_headers, "Content-Type": "application/json"}
    assert_handled(safe.post("/v1/packages", content=b"{", headers=headers))
    assert safe.post("/v1/packages", content=b"{", headers=headers).status_code == 422
    for path in ("/v1/packages/99999999999999999999", "/v1/packages/0", "/v1/packages/x"):
        response = safe.get(path, headers=alice.headers)
        assert response.status_code == 422, response.text
    assert safe.get("/v1/packages?carrier=V%00", headers=alice.headers).status_code == 422
    assert_problem(safe.get("/v1/packages/9223372036854775807", headers=alice.headers), 404)


def test_csv_rows_load_with_line_numbered_rejections(
    factory: sessionmaker[Session], alice: Party
) -> None:
    rows = [
        {"carrier": "VIETTEL", "product_code": "MP5X", "type": "COMBO", "price": "5000",
         "validity_days": "5", "description": "Gọi 5 ngày", "currency": "", "active": ""},
        {"carrier": "MOBIFONE", "product_code": "6C120", "type": "combo", "price": "720000",
         "validity_days": "180"},
        {"carrier": "BEELINE", "product_code": "X", "type": "DATA", "price": "1",
         "validity_days": "1"},
        {"carrier": "VIETTEL", "product_code": "V1", "type": "DATA", "price": "abc",
         "validity_days": "1"},
        {"carrier": "VIETTEL", "product_code": "V2", "type": "", "price": "1",
         "validity_days": "1"},
    ]  # fmt: skip
    with transaction(factory) as session:
        report = CatalogueService(session).load(alice.partner_id, rows)
    assert (report.created, report.updated) == (2, 0)
    assert [line for line, _ in report.rejected] == [4, 5, 6]
    assert "BEELINE" in report.rejected[0][1]
    assert "missing type" in report.rejected[2][1]
    changed = [{**rows[0], "price": "5500", "active": "false"}]
    with transaction(factory) as session:
        again = CatalogueService(session).load(alice.partner_id, changed)
        package = CatalogueService(session).repo.package_by_code(
            alice.partner_id, "VIETTEL", "MP5X"
        )
        assert package is not None
        assert (package.price, package.active, package.currency) == (5500, False, "VND")
    assert (again.created, again.updated, again.rejected) == (0, 1, [])
