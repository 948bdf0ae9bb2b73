"""DMall ⇄ core, pure functions."""

from __future__ import annotations

from pydantic import ValidationError

from vpbx.api.dialects.dmall.wire import GetOtpRequest, OtpData, RegisterData, RegisterRequest
from vpbx.errors import Invalid
from vpbx.packages.schemas import OrderConfirm, OrderOut, OrderRequest

# DMall's register example answers "CALL/SMS" for MP5X, a bundle of calls and texts:
# our COMBO. The single types keep their names.
_TYPES = {"CALL": "CALL", "SMS": "SMS", "DATA": "DATA", "COMBO": "CALL/SMS"}
_CORE_TO_WIRE = {
    "phone": "phone",
    "carrier": "telcoCode",
    "product_code": "productCode",
    "otp": "otp",
}


def _invalid(exc: ValidationError) -> Invalid:
    first = exc.errors()[0]
    core = str(first["loc"][0]) if first["loc"] else "body"
    field = _CORE_TO_WIRE.get(core, core)
    return Invalid(f"{field}: {first['msg']}", code="validation_failed", field=field)


def order_request(body: GetOtpRequest) -> OrderRequest:
    try:
        return OrderRequest(
            phone=body.phone,
            carrier=body.telcoCode,
            product_code=body.productCode,
            utm_source=body.utmSource or "",
            utm_medium=body.utmMedium or "",
            utm_content=body.utmContent or "",
            utm_campaign=body.utmCampaign or "",
        )
    except ValidationError as exc:
        raise _invalid(exc) from None


def confirmation(body: RegisterRequest) -> OrderConfirm:
    """A code that is not 6 digits cannot be right: refused as invalid, no try counted."""
    try:
        return OrderConfirm(otp=body.otp.strip())
    except ValidationError as exc:
        raise _invalid(exc) from None


def otp_data(order: OrderOut) -> OtpData:
    return OtpData(orderCode=order.order_code, telcoTransId=order.telco_trans_id)


def register_data(order: OrderOut) -> RegisterData:
    return RegisterData(type=_TYPES[order.type.value], code=order.product_code)
