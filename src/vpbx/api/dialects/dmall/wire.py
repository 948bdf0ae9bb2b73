"""DMall's shapes: the two request bodies and the `{success, errorCode, message, data}`
envelope every answer comes in."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"
Utm = Annotated[str | None, Field(default=None, max_length=255, pattern=NO_CONTROL)]

MSG_ORDER_CREATED = "Tạo giao dịch thành công"
MSG_REGISTERED = "Đăng ký gói cước thành công"


class GetOtpRequest(BaseModel):
    """`productCode` is typed Double in DMall's table, but every example is a string
    (MP5X, 6C120, V200B): a string is expected, and a whole number is taken as one."""

    model_config = ConfigDict(extra="ignore")
    phone: str = Field(min_length=1, max_length=32, pattern=NO_CONTROL)
    productCode: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_.\-]+$")
    telcoCode: str = Field(min_length=1, max_length=16, pattern=r"^[A-Za-z]+$")
    utmSource: Utm
    utmMedium: Utm
    utmContent: Utm
    utmCampaign: Utm

    @field_validator("productCode", mode="before")
    @classmethod
    def _whole_number_as_text(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value


class RegisterRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    orderCode: str = Field(min_length=1, max_length=64, pattern=NO_CONTROL)
    otp: str = Field(min_length=1, max_length=16, pattern=NO_CONTROL)


class OtpData(BaseModel):
    orderCode: str
    telcoTransId: str


class RegisterData(BaseModel):
    type: str
    code: str


def envelope(
    success: bool, error_code: int, message: str, data: BaseModel | None, *, status: int = 200
) -> JSONResponse:
    body = {
        "success": success,
        "errorCode": error_code,
        "message": message,
        "data": data.model_dump() if data is not None else None,
    }
    return JSONResponse(body, status_code=status)


def ok(message: str, data: BaseModel) -> JSONResponse:
    return envelope(True, 200, message, data)
