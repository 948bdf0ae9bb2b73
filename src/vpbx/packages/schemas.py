"""Dialect-neutral shapes of carrier packages and their orders."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from vpbx.numbers.schemas import MoneyStr, Schema
from vpbx.packages.rules import PackageType

NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"
ProductCode = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_.\-]+$")]
CarrierCode = Annotated[str, Field(min_length=1, max_length=16, pattern=r"^[A-Za-z]+$")]
Utm = Annotated[str, Field(max_length=255, pattern=NO_CONTROL)]
Price = Annotated[Decimal, Field(ge=0, lt=Decimal("1e14"), decimal_places=4)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
OrderStatus = Literal["pending", "expired", "active", "ended", "failed", "cancelled"]


class PackageCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    carrier: CarrierCode
    product_code: ProductCode
    type: PackageType
    price: Price
    currency: Currency = "VND"
    validity_days: int = Field(ge=1, le=3660)
    description: str = Field(default="", max_length=500, pattern=NO_CONTROL)
    active: bool = True


class PackageUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: PackageType | None = None
    price: Price | None = None
    currency: Currency | None = None
    validity_days: int | None = Field(default=None, ge=1, le=3660)
    description: str | None = Field(default=None, max_length=500, pattern=NO_CONTROL)
    active: bool | None = None


class PackageOut(Schema):
    id: int
    carrier: str
    product_code: str
    type: PackageType
    price: MoneyStr
    currency: str
    validity_days: int
    description: str
    active: bool
    created_at: datetime
    updated_at: datetime


class OrderRequest(BaseModel):
    """Ask for a one-time code for a subscriber's phone and a package."""

    model_config = ConfigDict(extra="forbid")
    phone: str = Field(min_length=1, max_length=32, pattern=NO_CONTROL)
    carrier: CarrierCode
    product_code: ProductCode
    utm_source: Utm = ""
    utm_medium: Utm = ""
    utm_content: Utm = ""
    utm_campaign: Utm = ""


class OrderConfirm(BaseModel):
    model_config = ConfigDict(extra="forbid")
    otp: str = Field(pattern=r"^[0-9]{6}$", description="The 6-digit code the subscriber got.")


class Utms(BaseModel):
    source: str
    medium: str
    content: str
    campaign: str


class OrderOut(BaseModel):
    """An order as its seller sees it. `status` is derived from the clock: a pending
    order whose code ran out is `expired`, an active one past its validity `ended`."""

    id: int
    order_code: str
    telco_trans_id: str
    carrier: str
    product_code: str
    type: PackageType
    price: MoneyStr
    currency: str
    validity_days: int
    phone: str
    status: OrderStatus
    attempts_left: int
    otp_expires_at: datetime
    resend_after: datetime | None
    failure: str | None
    utm: Utms
    tenant_id: int | None
    created_at: datetime
    confirmed_at: datetime | None
    active_until: datetime | None


class LoadReport(BaseModel):
    created: int
    updated: int
    rejected: list[tuple[int, str]]
