"""Dialect-neutral shapes of SMS: packets, templates, messages, credentials."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from vpbx.numbers.schemas import MoneyStr, Schema

NO_NUL = r"^[^\x00]*$"
NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"
NumberText = Annotated[str, Field(min_length=1, max_length=32, pattern=NO_CONTROL)]
TemplateCode = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]
ParamValue = Annotated[str, Field(max_length=200)]
MessageStatus = Literal["queued", "sent", "delivered", "failed"]
TemplateStatus = Literal["pending", "approved", "rejected"]


class PacketOfferOut(Schema):
    code: str
    name: str
    quota: int
    price: MoneyStr
    currency: str


class PacketBuy(BaseModel):
    model_config = ConfigDict(extra="forbid")
    number: NumberText = Field(description="One of your SMS-capable numbers (E.164).")
    offer: str = Field(min_length=1, max_length=32, pattern=NO_CONTROL, description="Offer code.")


class PacketOut(Schema):
    id: int
    uid: str
    number: str
    name: str
    quota: int
    remaining: int
    price: MoneyStr
    currency: str
    created_at: datetime


class SmsNumberOut(BaseModel):
    """An SMS-capable number the tenant owns, with the packet its messages spend."""

    id: int
    number: str
    number_type: str
    owner_type: str | None
    packet: PacketOut | None


class TemplateCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: TemplateCode
    name: str = Field(default="", max_length=200, pattern=NO_CONTROL)
    body: str = Field(min_length=1, max_length=2000, pattern=NO_NUL)


class TemplateUpdate(BaseModel):
    """A new body goes back to review when templates need approval."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, max_length=200, pattern=NO_CONTROL)
    body: str | None = Field(default=None, min_length=1, max_length=2000, pattern=NO_NUL)


class TemplateOut(Schema):
    id: int
    code: str
    name: str
    body: str
    params: list[str]
    status: TemplateStatus
    created_at: datetime
    updated_at: datetime


class MessageSend(BaseModel):
    """A text, or a template's code with its parameters; from one of your numbers."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    sender: NumberText = Field(alias="from", description="Your SMS-capable number (E.164).")
    to: NumberText
    text: str | None = Field(default=None, max_length=5000, pattern=NO_NUL)
    template: TemplateCode | None = None
    params: dict[Annotated[str, Field(max_length=32)], ParamValue] = Field(
        default_factory=dict, max_length=50
    )

    @model_validator(mode="after")
    def _one_content(self) -> MessageSend:
        if (self.text is None) == (self.template is None):
            raise ValueError("give either text or template (with params), not both")
        if self.text is not None and self.params:
            raise ValueError("params go with a template")
        return self


class MessageOut(Schema):
    model_config = ConfigDict(from_attributes=True, populate_by_name=True)
    id: int
    ref: str
    sender: str = Field(serialization_alias="from")
    to: str
    text: str
    template: str | None
    params: dict[str, str] | None
    parts: int
    channel: str
    status: MessageStatus
    error: str | None
    packet_id: int | None
    created_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None
    failed_at: datetime | None


class DeliveryReport(BaseModel):
    """What the HTTP gateway posts back about a message."""

    model_config = ConfigDict(extra="ignore")
    status: Literal["delivered", "failed"]
    error: str | None = Field(default=None, max_length=200, pattern=NO_CONTROL)


class CredentialCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    number: NumberText = Field(description="The number messages sent with it go out from.")
    name: str = Field(default="", max_length=200, pattern=NO_CONTROL)


class CredentialOut(Schema):
    id: int
    username: str
    number: str
    name: str
    created_at: datetime


class CredentialIssued(CredentialOut):
    """Returned once: the password is kept only as a hash."""

    password: str
