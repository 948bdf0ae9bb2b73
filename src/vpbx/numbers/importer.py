"""Loading stock: CSV rows validated with phonenumbers, inserted in all-or-nothing batches.

Each row is checked on its own (a rejected row is reported with its line and reason and
does not stop the others); each batch of accepted rows lands in one transaction. On
PostgreSQL rows go in through COPY, on SQLite through one multi-row INSERT per batch.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TextIO, cast

import psycopg
from sqlalchemy import String, any_, insert, literal, select, text
from sqlalchemy import cast as sa_cast
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, sessionmaker

from vpbx.audit.service import record
from vpbx.db import transaction
from vpbx.errors import Invalid
from vpbx.models import Number, NumberPrice
from vpbx.numbers.enums import NumberStatus, NumberType, OwnerType, Tier
from vpbx.numbers.phone import parse_number
from vpbx.numbers.service import now_utc
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
_TRUE, _FALSE = {"true", "1", "yes", "y"}, {"false", "0", "no", "n"}
_NUMBER_COLUMNS = (
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
_PRICE_COLUMNS = ("number_id", "currency", "connection_price", "monthly_price")


@dataclass
class Rejection:
    line: int
    number: str
    reason: str


@dataclass
class ImportReport:
    read: int = 0
    imported: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    dry_run: bool = False


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


Progress = Callable[[int], None]


class NumberImporter:
    """Validates rows and writes them batch by batch; see the module docstring."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        *,
        batch_size: int = 10_000,
        dry_run: bool = False,
        actor: str = "cli",
    ) -> None:
        self.factory = factory
        self.batch_size = batch_size
        self.dry_run = dry_run
        self.actor = actor

    def import_csv(self, stream: TextIO, progress: Progress | None = None) -> ImportReport:
        reader = csv.DictReader(stream)
        check_header(reader.fieldnames)
        # reader.line_num is the file line a record ends on: blank lines and quoted
        # line breaks keep the reported line true to the file.
        return self._import(((reader.line_num, row) for row in reader), progress)

    def import_rows(
        self, rows: Iterable[Mapping[str, str | None]], progress: Progress | None = None
    ) -> ImportReport:
        """Rows as dicts (line numbers count from 2, as if under a header)."""
        return self._import(enumerate(rows, start=2), progress)

    def _import(
        self, rows: Iterable[tuple[int, Mapping[str, str | None]]], progress: Progress | None
    ) -> ImportReport:
        report = ImportReport(dry_run=self.dry_run)
        seen: set[str] = set()
        for batch in self._batches(rows, report, seen):
            self._write_batch(batch, report)
            if progress:
                progress(len(batch))
        return report

    def _batches(
        self,
        rows: Iterable[tuple[int, Mapping[str, str | None]]],
        report: ImportReport,
        seen: set[str],
    ) -> Iterator[list[tuple[int, dict[str, Any], list[Any]]]]:
        batch: list[tuple[int, dict[str, Any], list[Any]]] = []
        now = now_utc()
        for line, row in rows:
            report.read += 1
            try:
                values, prices = parse_row(row, now)
            except Invalid as exc:
                report.rejected.append(Rejection(line, (row.get("number") or ""), exc.message))
                continue
            if values["e164"] in seen:
                report.rejected.append(Rejection(line, values["e164"], "duplicate in the file"))
                continue
            seen.add(values["e164"])
            batch.append((line, values, prices))
            if len(batch) >= self.batch_size:
                yield batch
                batch = []
        if batch:
            yield batch

    def _write_batch(
        self, batch: list[tuple[int, dict[str, Any], list[Any]]], report: ImportReport
    ) -> None:
        with transaction(self.factory) as session:
            existing = _existing(session, [values["e164"] for _, values, _ in batch])
            fresh = []
            for line, values, prices in batch:
                if values["e164"] in existing:
                    report.rejected.append(Rejection(line, values["e164"], "already in stock"))
                else:
                    fresh.append((values, prices))
            if self.dry_run or not fresh:
                report.imported += len(fresh)
                session.rollback()
                return
            _insert(session, fresh)
            record(
                session,
                actor=self.actor,
                action="numbers.import",
                object_type="number",
                object_id=f"{fresh[0][0]['e164']}..{fresh[-1][0]['e164']}",
                partner_id=None,
                tenant_id=None,
                after={"count": len(fresh)},
            )
            report.imported += len(fresh)


def _existing(session: Session, e164s: list[str]) -> set[str]:
    if _is_postgres(session):
        # One array parameter instead of thousands of binds: ~10x faster on big batches.
        query = select(Number.e164).where(Number.e164 == any_(cast_array(e164s)))
        return set(session.scalars(query))
    found: set[str] = set()
    for start in range(0, len(e164s), 500):  # SQLite's bind-parameter limit
        chunk = e164s[start : start + 500]
        found.update(session.scalars(select(Number.e164).where(Number.e164.in_(chunk))))
    return found


def cast_array(values: list[str]) -> Any:
    return sa_cast(literal(values, ARRAY(String)), ARRAY(String))


def _is_postgres(session: Session) -> bool:
    return session.bind is not None and session.bind.dialect.name == "postgresql"


def _allocate_ids(session: Session, count: int) -> list[int]:
    """Ids chosen up front, so extra prices can reference rows sent by COPY."""
    if _is_postgres(session):
        rows = session.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence('numbers', 'id')) "
                "FROM generate_series(1, :n)"
            ),
            {"n": count},
        )
        return [row[0] for row in rows]
    # SQLite: the import transaction holds the write lock, so max(id) cannot move.
    start = (session.scalar(select(Number.id).order_by(Number.id.desc()).limit(1)) or 0) + 1
    return list(range(start, start + count))


def _insert(session: Session, fresh: list[tuple[dict[str, Any], list[Any]]]) -> None:
    ids = _allocate_ids(session, len(fresh))
    price_rows = []
    for number_id, (values, prices) in zip(ids, fresh, strict=True):
        values["id"] = number_id
        price_rows += [
            {
                "number_id": number_id,
                "currency": c,
                "connection_price": conn,
                "monthly_price": monthly,
            }
            for c, conn, monthly in prices
        ]
    numbers = [values for values, _ in fresh]
    if _is_postgres(session):
        _copy(session, "numbers", _NUMBER_COLUMNS, numbers)
        _copy(session, "number_prices", _PRICE_COLUMNS, price_rows)
        return
    session.execute(insert(Number), numbers)
    if price_rows:
        session.execute(insert(NumberPrice), price_rows)


def _copy(
    session: Session, table: str, columns: tuple[str, ...], rows: list[dict[str, Any]]
) -> None:
    """PostgreSQL COPY: several times faster than INSERT for bulk stock."""
    if not rows:
        return
    raw = cast(psycopg.Connection[Any], session.connection().connection.dbapi_connection)
    text_rows = "".join(",".join(map(_csv_field, (row[c] for c in columns))) + "\n" for row in rows)
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        copy.write(text_rows)


def _csv_field(value: Any) -> str:
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
