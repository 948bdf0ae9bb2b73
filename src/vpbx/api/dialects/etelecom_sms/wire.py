"""eTelecom SMS Brandname's shapes. Credentials travel in the body; answers are HTTP 200
with a `status` ("1", or a negative error number), except bad credentials: 401."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"
ID_PREFIX = "ICOMNI"  # idOmniMess is this prefix and 30 characters


class Credentials(BaseModel):
    """Read first, alone, so bad credentials are 401 whatever else the body holds."""

    model_config = ConfigDict(extra="ignore")
    username: str = ""
    password: str = ""

    @field_validator("username", "password", mode="before")
    @classmethod
    def _text_only(cls, value: Any) -> str:
        """Anything but a short printable text is no credential (and so a 401)."""
        if isinstance(value, str) and len(value) <= 200 and value.isprintable():
            return value
        return ""


class SendMessageRequest(BaseModel):
    """`routerule`: channels to try in order, 1 ZNS, 2 AutoCall, 3 SMS ("1,3", 3, [1, 3]).
    `list_param`: the template's variables; numbers are taken as their text."""

    model_config = ConfigDict(extra="ignore")
    phonenumber: str = Field(min_length=1, max_length=32, pattern=NO_CONTROL)
    routerule: str | int | list[str | int] = Field(default="3")
    templatecode: str = Field(min_length=1, max_length=64, pattern=NO_CONTROL)
    list_param: dict[Annotated[str, Field(max_length=32)], str] = Field(
        default_factory=dict, max_length=50
    )

    @field_validator("list_param", mode="before")
    @classmethod
    def _values_as_text(cls, value: Any) -> Any:
        if value is None:
            return {}
        if isinstance(value, dict):
            return {
                k: str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v
                for k, v in value.items()
            }
        return value


class StatusRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    idOmniMess: str = Field(min_length=1, max_length=64, pattern=NO_CONTROL)


class SendResult(BaseModel):
    status: str = "1"
    code: str = "Success"
    idOmniMess: str


class MessageStatus(BaseModel):
    phonenumber: str
    list_param: str  # a JSON text, as eTelecom sends it
    createdatetime: str  # dd/mm/YYYY HH:MM:SS, Vietnam time
    status: str  # SUCCESS | FAIL | PROCESSING
    channel: str
    templatecode: str
    errorCode: str
    mtcount: int
    telcoid: str


def answer(model: BaseModel) -> JSONResponse:
    return JSONResponse(model.model_dump())


def error(status: str, code: str, *, http_status: int = 200) -> JSONResponse:
    return JSONResponse({"status": status, "code": code}, status_code=http_status)


def unauthorized() -> PlainTextResponse:
    return PlainTextResponse("Unauthorized", status_code=401)
