"""Plusofon is a face of the same data: what it buys is in the native API, and the
other way round."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Party
from tests.dialects.plusofon.helpers import buy, number_ids, send


def test_a_number_bought_through_plusofon_is_in_v1(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    buy(client, alice, "74951334527", owner_type="personal")
    (item,) = send(client, alice, "GET", "number").json()["data"]
    native = client.get("/v1/numbers", headers=alice.headers).json()["items"]
    (owned,) = native
    assert owned["e164"] == "+" + item["number"]
    assert owned["status"] == "active"
    assert owned["owner_type"] == "personal"
    price = owned["prices"][0]
    assert (price["connection"], price["monthly"]) == (
        str(item["buy_price"]),
        str(item["period_price"]),
    )


def test_a_number_bought_natively_is_in_plusofon(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    response = client.post(
        "/v1/orders", json={"numbers": ["+79309993750"], "months": 1}, headers=alice.headers
    )
    assert response.status_code == 201, response.text
    assert set(number_ids(client, alice)) == {"79309993750"}
    # And released through Plusofon, it is gone from /v1 too.
    (number_id,) = number_ids(client, alice).values()
    assert send(client, alice, "DELETE", f"number/{number_id}").json() == {"success": True}
    assert client.get("/v1/numbers", headers=alice.headers).json()["items"] == []


def test_a_number_bought_through_plusofon_is_in_the_other_faces(
    client: TestClient, alice: Party, stock: list[str]
) -> None:
    buy(client, alice, "79309993750")
    token = client.get("/api/auth", params={"apiKey": alice.tenant_key}).json()
    omi = {"Authorization": f"Bearer {token['payload']['access_token']}"}
    hotlines = client.get("/api/call_center/hotline/list", headers=omi).json()
    assert hotlines["payload"] == ["79309993750"]
    etelecom = client.post(
        "/etelecom/api.Etelecom/GetHotlines",
        json={"paging": {}},
        headers={"Authorization": f"Bearer {alice.tenant_key}"},
    )
    assert etelecom.status_code == 200, etelecom.text
    assert [h["hotline"] for h in etelecom.json()["hotlines"]] == ["79309993750"]
