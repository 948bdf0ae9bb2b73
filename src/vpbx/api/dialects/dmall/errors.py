"""DMall's failures: the success envelope with `success: false`, a Vietnamese message,
`errorCode` the HTTP status it comes with, and `data: null`.

DMall documents no failure; the shape mirrors its success answer, and the messages are
ours, in the style of the documented ones.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from vpbx.api.dialects.dmall.wire import envelope
from vpbx.api.dialects.kit import Failure

_MESSAGES: dict[str, str] = {
    "missing_api_key": "Thiếu api-key",
    "invalid_api_key": "api-key không hợp lệ",
    "tenant_inactive": "Tài khoản sử dụng api-key này đã bị khóa",
    "tenant_required": "api-key không được phép thực hiện thao tác này",
    "invalid_phone": "Số thuê bao không phải số di động Việt Nam hợp lệ",
    "carrier_mismatch": "Số thuê bao không thuộc nhà mạng {expected}",
    "carrier_not_supported": "Nhà mạng không được hỗ trợ",
    "package_not_found": "Không tìm thấy gói cước {product_code} của nhà mạng {carrier}",
    "package_already_active": "Thuê bao đang sử dụng gói cước này",
    "otp_cooldown": "Vui lòng đợi {retry_after} giây trước khi yêu cầu mã OTP mới",
    "otp_phone_limit": "Thuê bao đã yêu cầu quá nhiều mã OTP, vui lòng thử lại sau "
    "{retry_after} giây",
    "otp_key_limit": "Quá nhiều yêu cầu, vui lòng thử lại sau {retry_after} giây",
    "order_not_found": "Không tìm thấy giao dịch",
    "otp_wrong": "Mã OTP không chính xác",
    "otp_attempts_exhausted": "Nhập sai mã OTP quá số lần cho phép, giao dịch đã bị hủy",
    "order_failed": "Giao dịch đã bị hủy, vui lòng tạo giao dịch mới",
    "order_cancelled": "Giao dịch đã được thay thế bởi giao dịch mới hơn",
    "otp_expired": "Mã OTP đã hết hạn, vui lòng yêu cầu mã mới",
    "carrier_refused": "Nhà mạng từ chối đăng ký gói cước",
    "carrier_unavailable": "Nhà mạng tạm thời không phản hồi, vui lòng thử lại sau",
    "sms_gateway_unavailable": "Không gửi được tin nhắn OTP, vui lòng thử lại sau",
    "internal_error": "Lỗi hệ thống, vui lòng thử lại sau",
}
_HTTP = {404: "Không tìm thấy API", 405: "Phương thức không được hỗ trợ"}
_INPUT = {"invalid_phone", "carrier_mismatch", "carrier_not_supported", "otp_wrong"}


def message_of(failure: Failure) -> str:
    if failure.code == "validation_failed":
        return _validation_message(failure)
    if failure.code == "http_error" and failure.status in _HTTP:
        return _HTTP[failure.status]
    if failure.code == "otp_wrong" and failure.details.get("tries_left"):
        return f"Mã OTP không chính xác, còn {failure.details['tries_left']} lần thử"
    template = _MESSAGES.get(failure.code)
    if template is None:
        return "Yêu cầu không hợp lệ" if failure.status < 500 else _MESSAGES["internal_error"]
    try:
        return template.format(**_printable(failure.details))
    except (KeyError, IndexError):
        return template.split("{")[0].strip()


def _validation_message(failure: Failure) -> str:
    if not failure.errors:
        return "Dữ liệu gửi lên không hợp lệ"
    first = failure.errors[0]
    field, message = first["field"], first["message"]
    if message == "JSON decode error" or field.isdigit():
        return "Dữ liệu gửi lên không phải JSON hợp lệ"
    if field == "body":
        if message == "Field required":
            return "Thiếu dữ liệu gửi lên"
        return "Dữ liệu gửi lên phải là một đối tượng JSON"
    if message == "Field required":
        return f"Thiếu trường bắt buộc: {field}"
    return f"Giá trị của trường {field} không hợp lệ"


def _printable(details: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in details.items() if v is not None}


def status_of(failure: Failure) -> int:
    """Bad input of any kind is 400 Bad Request."""
    if failure.status == 422 or failure.code in _INPUT:
        return 400
    return failure.status


def render(failure: Failure) -> JSONResponse:
    status = status_of(failure)
    return envelope(False, status, message_of(failure), None, status=status)
