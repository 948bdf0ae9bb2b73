"""DMall's two paths, replaying the document's own examples, and every failure in its
envelope: `{success, errorCode, message, data}`, never problem+json, never a 500."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Party
from tests.packages.helpers import client_with, last_code, other_code
from vpbx.config import Settings
from vpbx.models import PackageOrder

BASE = "/api-customer/public/order/partner"
# The curl example of get-otp, verbatim.
GET_OTP_CURL = {
    "telcoCode": "VIETTEL",
    "productCode": "MP5X",
    "phone": "0337880699",
    "utmCampaign": "",
    "utmContent": "",
    "utmMedium": "",
    "utmSource": "",
}
# The RequestBody example of get-otp, verbatim.
GET_OTP_BODY = {
    "telcoCode": "MOBIFONE",
    "productCode": "6C120",
    "phone": "0936004420",
    "utmCampaign": "",
    "utmContent": "",
    "utmMedium": "",
    "utmSource": "",
}
pytestmark = pytest.mark.usefixtures("catalogue")


def key(party: Party, *, tenant: bool = False) -> dict[str, str]:
    return {"api-key": party.tenant_key if tenant else party.partner_key}


def assert_envelope(response: Any, status: int, *, success: bool) -> dict[str, Any]:
    """DMall's envelope with its documented types; errorCode is the HTTP status."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    assert set(body) == {"success", "errorCode", "message", "data"}, body
    assert body["success"] is success
    assert type(body["errorCode"]) is int
    assert body["errorCode"] == status
    assert isinstance(body["message"], str)
    assert body["message"]
    if not success:
        assert body["data"] is None
    return body


def get_otp(client: TestClient, headers: dict[str, str], body: Any = None) -> Any:
    return client.post(f"{BASE}/get-otp", json=body or GET_OTP_CURL, headers=headers)


def register(client: TestClient, headers: dict[str, str], order_code: str, otp: str) -> Any:
    return client.post(
        f"{BASE}/register_with_otp", json={"orderCode": order_code, "otp": otp}, headers=headers
    )


@pytest.mark.parametrize(
    ("body", "e164"), [(GET_OTP_CURL, "+84337880699"), (GET_OTP_BODY, "+84936004420")]
)
def test_the_documented_examples_register_a_package(
    client: TestClient,
    alice: Party,
    factory: sessionmaker[Session],
    body: dict[str, str],
    e164: str,
) -> None:
    created = assert_envelope(get_otp(client, key(alice), body), 200, success=True)
    assert created["message"] == "Tạo giao dịch thành công"
    data = created["data"]
    assert set(data) == {"orderCode", "telcoTransId"}
    assert re.fullmatch(r"DG\d{20}", data["orderCode"])  # DG20231113172059456724
    assert isinstance(data["telcoTransId"], str)
    assert data["telcoTransId"].isdigit()

    otp = last_code(factory, e164)
    done = assert_envelope(register(client, key(alice), data["orderCode"], otp), 200, success=True)
    assert done["message"] == "Đăng ký gói cước thành công"
    assert done["data"] == {"type": "CALL/SMS", "code": body["productCode"]}
    again = assert_envelope(register(client, key(alice), data["orderCode"], otp), 200, success=True)
    assert again == done


def test_the_register_example_body_shape(client: TestClient, alice: Party) -> None:
    """The document's register example (its order does not exist here)."""
    response = client.post(
        f"{BASE}/register_with_otp",
        json={"orderCode": "DG20231113172847592599", "otp": "246595"},
        headers=key(alice),
    )
    body = assert_envelope(response, 404, success=False)
    assert body["message"] == "Không tìm thấy giao dịch"


def test_a_data_package_is_typed_data(
    client: TestClient, alice: Party, factory: sessionmaker[Session]
) -> None:
    body = {"telcoCode": "VINAPHONE", "productCode": "D60G", "phone": "0912345678"}
    order = get_otp(client, key(alice), body).json()["data"]
    otp = last_code(factory, "+84912345678")
    done = register(client, key(alice), order["orderCode"], otp).json()
    assert done["data"] == {"type": "DATA", "code": "D60G"}


def test_brute_force_stops_at_five_wrong_codes(
    client: TestClient, alice: Party, factory: sessionmaker[Session]
) -> None:
    order = get_otp(client, key(alice)).json()["data"]["orderCode"]
    otp = last_code(factory, "+84337880699")
    for left in (4, 3, 2, 1):
        wrong = assert_envelope(
            register(client, key(alice), order, other_code(otp)), 400, success=False
        )
        assert wrong["message"] == f"Mã OTP không chính xác, còn {left} lần thử"
    fifth = assert_envelope(
        register(client, key(alice), order, other_code(otp)), 409, success=False
    )
    assert "quá số lần" in fifth["message"]
    sixth = assert_envelope(register(client, key(alice), order, otp), 409, success=False)
    assert sixth["message"] == "Giao dịch đã bị hủy, vui lòng tạo giao dịch mới"


def test_an_expired_code_fails(
    settings: Settings, engine: Engine, alice: Party, factory: sessionmaker[Session]
) -> None:
    with client_with(settings, engine, otp_ttl_seconds=30) as client:
        order = get_otp(client, key(alice)).json()["data"]["orderCode"]
    otp = last_code(factory, "+84337880699")
    with factory() as session, session.begin():
        session.execute(
            update(PackageOrder)
            .where(PackageOrder.order_code == order)
            .values(otp_expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    with client_with(settings, engine) as client:
        body = assert_envelope(register(client, key(alice), order, otp), 409, success=False)
    assert body["message"] == "Mã OTP đã hết hạn, vui lòng yêu cầu mã mới"


def test_a_mobifone_number_cannot_take_a_viettel_package(client: TestClient, alice: Party) -> None:
    body = {**GET_OTP_CURL, "phone": "0936004420"}
    failed = assert_envelope(get_otp(client, key(alice), body), 400, success=False)
    assert failed["message"] == "Số thuê bao không thuộc nhà mạng VIETTEL"


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"productCode": "NOPE"}, 400, "Không tìm thấy gói cước NOPE của nhà mạng VIETTEL"),
        ({"telcoCode": "BEELINE"}, 400, "Nhà mạng không được hỗ trợ"),
        ({"phone": "02438256868"}, 400, "Số thuê bao không phải số di động Việt Nam hợp lệ"),
        ({"phone": None}, 400, "Giá trị của trường phone không hợp lệ"),
        ({"phone": 337880699}, 400, "Giá trị của trường phone không hợp lệ"),
        ({"productCode": ["MP5X"]}, 400, "Giá trị của trường productCode không hợp lệ"),
        ({"productCode": 6.5}, 400, "Giá trị của trường productCode không hợp lệ"),
        ({"utmSource": "a\x00"}, 400, "Giá trị của trường utmSource không hợp lệ"),
        ({"utmSource": "x" * 256}, 400, "Giá trị của trường utmSource không hợp lệ"),
    ],
)
def test_refused_code_requests_say_why_in_vietnamese(
    safe: TestClient, alice: Party, change: dict[str, Any], status: int, message: str
) -> None:
    failed = assert_envelope(
        get_otp(safe, key(alice), {**GET_OTP_CURL, **change}), status, success=False
    )
    assert failed["message"] == message


def test_a_whole_number_product_code_is_taken_as_text(client: TestClient, alice: Party) -> None:
    """productCode is typed Double in DMall's table; a number is looked up as its digits."""
    failed = assert_envelope(
        get_otp(client, key(alice), {**GET_OTP_CURL, "productCode": 120}), 400, success=False
    )
    assert failed["message"] == "Không tìm thấy gói cước 120 của nhà mạng VIETTEL"


@pytest.mark.parametrize("missing", ["phone", "productCode", "telcoCode"])
def test_missing_fields_are_named(safe: TestClient, alice: Party, missing: str) -> None:
    body = {k: v for k, v in GET_OTP_CURL.items() if k != missing}
    failed = assert_envelope(get_otp(safe, key(alice), body), 400, success=False)
    assert failed["message"] == f"Thiếu trường bắt buộc: {missing}"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{", "Dữ liệu gửi lên không phải JSON hợp lệ"),
        (b"not json", "Dữ liệu gửi lên không phải JSON hợp lệ"),
        (b"[]", "Dữ liệu gửi lên phải là một đối tượng JSON"),
        (b"", "Thiếu dữ liệu gửi lên"),
    ],
)
def test_malformed_bodies(safe: TestClient, alice: Party, content: bytes, message: str) -> None:
    headers = {**key(alice), "Content-Type": "application/json"}
    for path in ("get-otp", "register_with_otp"):
        response = safe.post(f"{BASE}/{path}", content=content, headers=headers)
        assert assert_envelope(response, 400, success=False)["message"] == message


@pytest.mark.parametrize(
    "body",
    [
        {"orderCode": "DG1", "otp": 246595},
        {"orderCode": "DG1", "otp": "12345"},
        {"orderCode": "DG1", "otp": "12a456"},
        {"orderCode": "DG1\x00", "otp": "246595"},
        {"orderCode": "D" * 65, "otp": "246595"},
        {"otp": "246595"},
        {"orderCode": 20231113, "otp": "246595"},
    ],
)
def test_bad_register_bodies(safe: TestClient, alice: Party, body: Any) -> None:
    response = safe.post(f"{BASE}/register_with_otp", json=body, headers=key(alice))
    assert_envelope(response, 400, success=False)


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "Thiếu api-key"),
        ({"api-key": ""}, "Thiếu api-key"),
        ({"api-key": "6vZNjMXffyBXCqqSw3dMULc5OZgSxZnN"}, "api-key không hợp lệ"),  # the doc's
        ({"Authorization": "Bearer whatever"}, "Thiếu api-key"),
    ],
)
def test_the_api_key_is_required(safe: TestClient, headers: dict[str, str], message: str) -> None:
    for path in ("get-otp", "register_with_otp"):
        response = safe.post(f"{BASE}/{path}", json=GET_OTP_CURL, headers=headers)
        assert assert_envelope(response, 401, success=False)["message"] == message


def test_a_native_bearer_key_is_not_an_api_key(safe: TestClient, alice: Party) -> None:
    response = get_otp(safe, alice.partner_headers)
    assert_envelope(response, 401, success=False)


def test_unknown_paths_and_methods_answer_in_the_envelope(safe: TestClient) -> None:
    assert_envelope(safe.get(f"{BASE}/get-otp"), 405, success=False)
    assert_envelope(safe.put(f"{BASE}/register_with_otp"), 405, success=False)
    assert_envelope(safe.post(f"{BASE}/order-status", json={}), 404, success=False)


def test_a_tenant_key_sells_and_its_orders_are_its_own(
    client: TestClient, alice: Party, bob: Party, factory: sessionmaker[Session]
) -> None:
    order = get_otp(client, key(alice, tenant=True)).json()["data"]["orderCode"]
    otp = last_code(factory, "+84337880699")
    # Another partner, or another partner's tenant, cannot confirm it: not found.
    for headers in (key(bob), key(bob, tenant=True)):
        stolen = assert_envelope(register(client, headers, order, otp), 404, success=False)
        assert stolen["message"] == "Không tìm thấy giao dịch"
    # Its own partner sees it in the native API; the tenant confirms it.
    listed = client.get("/v1/package-orders", headers=alice.partner_headers).json()["items"]
    assert [o["order_code"] for o in listed] == [order]
    assert listed[0]["tenant_id"] == alice.tenant_id
    assert_envelope(register(client, key(alice, tenant=True), order, otp), 200, success=True)


def test_the_cool_down_is_worded_with_the_wait(client: TestClient, alice: Party) -> None:
    assert_envelope(get_otp(client, key(alice)), 200, success=True)
    again = assert_envelope(get_otp(client, key(alice)), 429, success=False)
    assert re.fullmatch(r"Vui lòng đợi \d+ giây trước khi yêu cầu mã OTP mới", again["message"])


def test_another_partners_catalogue_is_not_sold(client: TestClient, bob: Party) -> None:
    failed = assert_envelope(get_otp(client, key(bob)), 400, success=False)
    assert failed["message"].startswith("Không tìm thấy gói cước MP5X")
