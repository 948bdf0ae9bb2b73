"""One row of a stock CSV: validated with phonenumbers and turned into table values.

Pure functions, safe to run in worker processes: the importer parses big files in a
pool and keeps all database work in the main process.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from vpbx.errors import Invalid
from vpbx.numbers.enums import NumberStatus, NumberType, OwnerType, Tier
from vpbx.numbers.phone import parse_number
from vpbx.numbers.vanity import classify

REQUIRED_COLUMNS = ("number", "currency", "connection_price", "monthly_price")
OPTIONAL_COLUMNS = (
    "country",
    "number_type",
    "carrier",
    "tier",
    "prices",
    "sms",
    "status",
    "owner_type",
)
# Columns of `numbers` the importer writes, id first (the importer assigns it).
NUMBER_COLUMNS = (
    "id",
    "e164",
    "country",
    "country_code",
    "nsn",
    "nsn_rev",
    "area_code",
    "subscriber",
    "region",
    "number_type",
    "carrier",
    "tier",
    "vanity_rule",
    "sms_enabled",
    "currency",
    "connection_price",
    "monthly_price",
    "status",
    "offer_owner_type",
    "created_at",
    "updated_at",
)
PRICE_COLUMNS = ("number_id", "currency", "connection_price", "monthly_price")
_TRUE, _FALSE = {"true", "1", "yes", "y"}, {"false", "0", "no", "n"}

ExtraPrice = tuple[str, Decimal, Decimal]


@dataclass(frozen=True)
class ParsedRow:
    """A valid row: its file line, its values for `numbers` (no id yet), extra prices.

    `copy_text` is the same row already rendered for PostgreSQL COPY (without the id),
    so worker processes do that work too.
    """

    line: int
    e164: str
    values: dict[str, Any] | None
    prices: list[ExtraPrice]
    copy_text: str | None = None


@dataclass(frozen=True)
class RejectedRow:
    line: int
    number: str
    reason: str


_MONEY_QUANTUM = Decimal("0.0001")  # the columns' scale: NUMERIC(18, 4)
_MONEY_LIMIT = Decimal("1e14")


def _money(value: str, name: str) -> Decimal:
    try:
        amount = Decimal(value.strip())
        if amount.is_finite():
            # Check what will be stored: 99999999999999.99999 rounds up to 10^14.
            amount = amount.quantize(_MONEY_QUANTUM)
    except InvalidOperation:
        raise Invalid(f"{name} {value!r} is not a decimal amount") from None
    if not amount.is_finite() or amount < 0 or amount >= _MONEY_LIMIT:
        raise Invalid(f"{name} {value!r} must be a non-negative amount below 10^14")
    return amount


def _currency(value: str) -> str:
    value = value.strip().upper()
    if len(value) != 3 or not value.isalpha():
        raise Invalid(f"currency {value!r} is not an ISO 4217 code")
    return value


def _extra_prices(value: str, list_currency: str) -> list[tuple[str, Decimal, Decimal]]:
    prices: list[tuple[str, Decimal, Decimal]] = []
    for entry in filter(None, (part.strip() for part in value.split(";"))):
        parts = entry.split(":")
        if len(parts) != 3:
            raise Invalid(f"price {entry!r} is not CURRENCY:connection:monthly")
        currency = _currency(parts[0])
        if currency == list_currency or currency in {p[0] for p in prices}:
            raise Invalid(f"currency {currency} is priced twice")
        prices.append((currency, _money(parts[1], "connection"), _money(parts[2], "monthly")))
    return prices


def _choice(value: str, allowed: Iterable[str], name: str) -> str:
    value = value.strip().lower()
    if value not in allowed:
        raise Invalid(f"{name} {value!r} is not one of {', '.join(sorted(allowed))}")
    return value


def _sms(value: str, number_type: str) -> bool:
    value = value.strip().lower()
    if not value:
        return number_type == NumberType.MOBILE
    if value not in _TRUE | _FALSE:
        raise Invalid(f"sms {value!r} is not true or false")
    return value in _TRUE


def _tier(value: str, subscriber: str) -> tuple[int, str | None]:
    if value.strip():
        try:
            return int(Tier.from_label(value)), None
        except KeyError:
            raise Invalid(f"tier {value!r} is not a tier name") from None
    match = classify(subscriber)
    return int(match.tier), match.rule


_NUMBER_TYPES = frozenset(t.value for t in NumberType)
_OWNER_TYPES = frozenset(o.value for o in OwnerType)
_ROW_STATUSES = frozenset({NumberStatus.AVAILABLE.value, NumberStatus.DISABLED.value})


def _field(row: Mapping[str, str | None], name: str) -> str:
    value = row.get(name)
    return value.strip() if value else ""


def parse_row(row: Mapping[str, str | None], now: datetime) -> tuple[dict[str, Any], list[Any]]:
    """One CSV row as a `numbers` row and its extra prices, or Invalid with the reason.

    This runs once per imported number, so it reads each column once and avoids work
    for blank optional columns.
    """
    country = _field(row, "country").upper() or None
    facts = parse_number(_field(row, "number"), country)
    if country and facts.country != country:
        raise Invalid(f"{facts.e164} is a number of {facts.country}, not {country}")
    declared_type = _field(row, "number_type")
    number_type = (
        _choice(declared_type, _NUMBER_TYPES, "number_type")
        if declared_type
        else facts.number_type.value
    )
    currency = _currency(_field(row, "currency"))
    tier, rule = _tier(_field(row, "tier"), facts.subscriber or facts.nsn)
    offer = _field(row, "owner_type")
    if offer:
        offer = _choice(offer, _OWNER_TYPES, "owner_type")
    elif number_type in ("toll_free", "premium"):
        offer = OwnerType.BUSINESS.value
    status = _field(row, "status")
    extra = _field(row, "prices")
    values = {
        "e164": facts.e164,
        "country": facts.country,
        "country_code": facts.country_code,
        "nsn": facts.nsn,
        "nsn_rev": facts.nsn[::-1],
        "area_code": facts.area_code,
        "subscriber": facts.subscriber,
        "region": facts.region[:120],
        "number_type": number_type,
        "carrier": (_field(row, "carrier") or facts.carrier)[:64],
        "tier": tier,
        "vanity_rule": rule,
        "sms_enabled": _sms(_field(row, "sms"), number_type),
        "currency": currency,
        "connection_price": _money(_field(row, "connection_price"), "connection_price"),
        "monthly_price": _money(_field(row, "monthly_price"), "monthly_price"),
        "status": _choice(status, _ROW_STATUSES, "status") if status else "available",
        "offer_owner_type": offer or None,
        "created_at": now,
        "updated_at": now,
    }
    return values, _extra_prices(extra, currency) if extra else []


def check_header(fieldnames: Iterable[str] | None) -> None:
    names = set(fieldnames or ())
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise Invalid(
            f"the CSV lacks the column(s) {', '.join(missing)}; expected "
            f"{', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)}"
        )


def parse_chunk(
    chunk: list[tuple[int, Mapping[str, str | None]]], now: datetime, as_copy_text: bool
) -> list[ParsedRow | RejectedRow]:
    """Parse a run of rows (what one worker process does per task)."""
    results: list[ParsedRow | RejectedRow] = []
    for line, row in chunk:
        try:
            values, prices = parse_row(row, now)
        except Invalid as exc:
            results.append(RejectedRow(line, row.get("number") or "", exc.message))
            continue
        if as_copy_text:
            text = ",".join(map(copy_field, (values[c] for c in NUMBER_COLUMNS[1:])))
            results.append(ParsedRow(line, values["e164"], None, prices, text))
        else:
            results.append(ParsedRow(line, values["e164"], values, prices))
    return results


def copy_field(value: Any) -> str:
    """One COPY csv field: NULL is an unquoted empty field, so every string is quoted."""
    if value is None:
        return ""
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"'
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)
