"""Dialect-neutral shapes of the number inventory (the native API serialises these)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from vpbx.numbers.enums import NumberStatus, NumberType, OwnerType, Tier

T = TypeVar("T")


def format_money(value: Decimal) -> str:
    """Money as a plain decimal string without exponent or padding zeros ('22000', '0.977')."""
    return format(value.normalize(), "f")


MoneyStr = Annotated[Decimal, PlainSerializer(format_money, return_type=str)]
TierLabel = Annotated[Tier, PlainSerializer(lambda t: t.label, return_type=str)]


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Price(Schema):
    currency: str
    connection: MoneyStr
    monthly: MoneyStr


class AvailableNumber(Schema):
    """A number as the stock shows it to a buyer."""

    e164: str
    country: str
    national_number: str
    area_code: str
    subscriber: str
    region: str
    number_type: NumberType
    carrier: str
    tier: TierLabel
    vanity_rule: str | None
    sms: bool
    owner_types: list[OwnerType]
    prices: list[Price]


class StockNumber(AvailableNumber):
    """A number on sale with when it was listed and last changed (faces that show them)."""

    created_at: datetime
    updated_at: datetime


class OwnedNumber(AvailableNumber):
    """A number as its holder sees it, with its lifecycle state."""

    status: NumberStatus
    owner_type: OwnerType | None
    reserved_until: datetime | None
    active_since: datetime | None
    paid_until: datetime | None


class TenantNumber(OwnedNumber):
    """A number the tenant owns or holds, with its id (faces that name numbers by id).
    `hold_owner_type` is the owner type a live hold was asked for (held numbers only)."""

    id: int
    hold_owner_type: OwnerType | None = None


class Line(Schema):
    """A number a tenant holds (`reserved`, a live hold) or owns (`active`), named by id:
    what faces that list a partner's or a tenant's lines (eTelecom's hotlines) show."""

    id: int
    e164: str
    national_number: str
    region: str
    carrier: str
    number_type: NumberType
    status: NumberStatus
    tenant_id: int
    tenant_active: bool
    reserved_until: datetime | None
    active_since: datetime | None
    paid_until: datetime | None
    created_at: datetime
    updated_at: datetime


class SearchFilters(BaseModel):
    """What a buyer can ask of the stock. Every field is optional."""

    mask: str | None = None
    country: str | None = None
    area_code: str | None = None
    region: str | None = None
    number_type: NumberType | None = None
    tiers: list[Tier] = Field(default_factory=list)
    min_tier: Tier | None = None
    owner_type: OwnerType | None = None
    currency: str | None = None
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    sms: bool | None = None


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class ReservationResult(Schema):
    """The outcome for one number of a reservation request (each stands alone)."""

    number: str
    status: str  # "reserved" or "failed"
    reservation_id: int | None = None
    expires_at: datetime | None = None
    error: str | None = None
    message: str | None = None


class ReservationOut(Schema):
    id: int
    number: str
    owner_type: OwnerType
    state: str
    created_at: datetime
    expires_at: datetime
    ended_at: datetime | None


class OrderItemOut(Schema):
    number: str
    currency: str
    connection_price: MoneyStr
    monthly_price: MoneyStr
    paid_until: datetime


class OrderOut(Schema):
    id: int
    months: int
    owner_type: OwnerType
    note: str
    created_at: datetime
    items: list[OrderItemOut]
    totals: list[Price]
