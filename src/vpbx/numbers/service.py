"""Rules of the number inventory: search, reserve, buy, release. Never commits."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import phonenumbers
from sqlalchemy.orm import Session

from vpbx.audit.service import record, record_change
from vpbx.config import Settings
from vpbx.errors import Invalid, NotAvailable, NotFound
from vpbx.kit.pages import OffsetPage, check_window
from vpbx.kit.rows import AnyRow
from vpbx.models import Number, Order, OrderItem, Reservation
from vpbx.numbers.enums import NumberStatus, NumberType, OwnerType, Tier
from vpbx.numbers.mask import compile_mask
from vpbx.numbers.phone import to_phone_number
from vpbx.numbers.repository import NumberRepository, price_totals
from vpbx.numbers.schemas import (
    AvailableNumber,
    OrderItemOut,
    OrderOut,
    OwnedNumber,
    Page,
    Price,
    ReservationOut,
    ReservationResult,
    SearchFilters,
    StockNumber,
    TenantNumber,
)
from vpbx.numbers.timeutil import add_months
from vpbx.pbx.repository import PbxRepository
from vpbx.tenancy.principal import Principal

MAX_NUMBERS_PER_REQUEST = 100
# A number as an ORM object or as a search row: both carry the same attribute names.
NumberLike = Number | AnyRow


def now_utc() -> datetime:
    return datetime.now(UTC)


def encode_cursor(nsn: str, row_id: int) -> str:
    return base64.urlsafe_b64encode(f"{nsn}:{row_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        nsn, row_id = base64.urlsafe_b64decode(padded.encode()).decode().split(":")
        if not (_ascii_digits(nsn) and _ascii_digits(row_id) and int(row_id) < 2**63):
            raise ValueError(cursor)
        return nsn, int(row_id)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise Invalid("the cursor is not one this server issued", field="cursor") from exc


def _ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def canonical_e164(text: str) -> str:
    """Normalise a number given by a client to E.164 (the stock's key)."""
    number = to_phone_number(text)
    if not phonenumbers.is_valid_number(number):
        raise Invalid(f"{text!r} is not a valid phone number", field="number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class NumberService:
    def __init__(self, session: Session, settings: Settings) -> None:
        self.session = session
        self.settings = settings
        self.repo = NumberRepository(session)

    # --- presentation ------------------------------------------------------------

    def _prices(self, numbers: Sequence[NumberLike]) -> dict[int, list[Price]]:
        extra = self.repo.extra_prices([n.id for n in numbers])
        return {
            n.id: [
                Price(currency=n.currency, connection=n.connection_price, monthly=n.monthly_price)
            ]
            + [
                Price(currency=p.currency, connection=p.connection_price, monthly=p.monthly_price)
                for p in extra.get(n.id, [])
            ]
            for n in numbers
        }

    @staticmethod
    def _fields(number: NumberLike, prices: list[Price]) -> dict[str, Any]:
        owner_types = (
            [OwnerType(number.offer_owner_type)] if number.offer_owner_type else list(OwnerType)
        )
        return {
            "e164": number.e164,
            "country": number.country,
            "national_number": number.nsn,
            "area_code": number.area_code,
            "subscriber": number.subscriber,
            "region": number.region,
            "number_type": number.number_type,
            "carrier": number.carrier,
            "tier": Tier(number.tier),
            "vanity_rule": number.vanity_rule,
            "sms": number.sms_enabled,
            "owner_types": owner_types,
            "prices": prices,
        }

    def _available_view(self, numbers: Sequence[NumberLike]) -> list[AvailableNumber]:
        prices = self._prices(numbers)
        return [AvailableNumber(**self._fields(n, prices[n.id])) for n in numbers]

    def _owned_fields(self, numbers: Sequence[Number]) -> list[dict[str, Any]]:
        prices = self._prices(numbers)
        return [
            {
                **self._fields(n, prices[n.id]),
                "status": NumberStatus(n.status),
                "owner_type": n.owner_type,
                "reserved_until": n.reserved_until,
                "active_since": n.active_since,
                "paid_until": n.paid_until,
            }
            for n in numbers
        ]

    def _owned_view(self, numbers: Sequence[Number]) -> list[OwnedNumber]:
        return [OwnedNumber(**fields) for fields in self._owned_fields(numbers)]

    def _limit(self, limit: int | None) -> int:
        """The page size asked for, or the default (50) capped at the instance maximum."""
        if limit is None:
            return min(50, self.settings.page_size_max)
        if not 1 <= limit <= self.settings.page_size_max:
            raise Invalid(
                f"limit must be between 1 and {self.settings.page_size_max}",
                field="limit",
                code="validation_failed",
            )
        return limit

    # --- search and reads --------------------------------------------------------

    def search(
        self, filters: SearchFilters, *, cursor: str | None = None, limit: int | None = None
    ) -> Page[AvailableNumber]:
        limit = self._limit(limit)
        mask = compile_mask(filters.mask) if filters.mask is not None else None
        if filters.area_code is not None and not filters.area_code.isdigit():
            raise Invalid("area_code must be digits", field="area_code")
        after = decode_cursor(cursor) if cursor else None
        rows = self.repo.search(filters, mask, now=now_utc(), after=after, limit=limit + 1)
        next_cursor = (
            encode_cursor(rows[limit - 1].nsn, rows[limit - 1].id) if len(rows) > limit else None
        )
        return Page(items=self._available_view(rows[:limit]), next_cursor=next_cursor)

    def search_page(
        self, filters: SearchFilters, *, offset: int, limit: int | None = None
    ) -> tuple[list[StockNumber], int]:
        """A page of the stock by position, with the number of matches (faces that page by
        page number and show a total); same filters and order as `search`."""
        limit = self._limit(limit)
        if offset < 0:
            raise Invalid("offset must not be negative", field="offset", code="validation_failed")
        mask = compile_mask(filters.mask) if filters.mask is not None else None
        if filters.area_code is not None and not filters.area_code.isdigit():
            raise Invalid("area_code must be digits", field="area_code")
        rows, total = self.repo.search_page(
            filters, mask, now=now_utc(), offset=offset, limit=limit
        )
        prices = self._prices(rows)
        items = [
            StockNumber(
                **self._fields(n, prices[n.id]), created_at=n.created_at, updated_at=n.updated_at
            )
            for n in rows
        ]
        return items, total

    def get(self, principal: Principal, number_text: str) -> OwnedNumber | AvailableNumber:
        """The caller's own number in full, a number in stock in its public view, else 404."""
        e164 = canonical_e164(number_text)
        number = self.repo.by_e164(e164)
        now = now_utc()
        if number is not None and self._is_callers(number, principal, now):
            return self._owned_view([number])[0]
        if number is not None and self._is_free(number, now):
            return self._available_view([number])[0]
        raise NotFound(f"number {e164} not found", code="number_not_found")

    @staticmethod
    def _is_callers(number: Number, principal: Principal, now: datetime) -> bool:
        if principal.tenant_id is None or number.tenant_id != principal.tenant_id:
            return False
        if number.status == NumberStatus.ACTIVE:
            return True
        return (
            number.status == NumberStatus.RESERVED
            and number.reserved_until is not None
            and number.reserved_until > now
        )

    @staticmethod
    def _is_free(number: Number, now: datetime) -> bool:
        if number.status == NumberStatus.AVAILABLE:
            return True
        lapse = {
            NumberStatus.RESERVED: number.reserved_until,
            NumberStatus.AGING: number.aging_until,
        }.get(NumberStatus(number.status))
        return lapse is not None and lapse <= now

    def list_owned(
        self,
        principal: Principal,
        *,
        status: str | None = None,
        cursor: str | None = None,
        limit: int | None = None,
    ) -> Page[OwnedNumber]:
        tenant_id = principal.require_tenant()
        limit = self._limit(limit)
        statuses = self._statuses(status)
        after = decode_cursor(cursor) if cursor else None
        rows = self.repo.owned(
            tenant_id, now=now_utc(), statuses=statuses, after=after, limit=limit + 1
        )
        next_cursor = (
            encode_cursor(rows[limit - 1].nsn, rows[limit - 1].id) if len(rows) > limit else None
        )
        return Page(items=self._owned_view(rows[:limit]), next_cursor=next_cursor)

    def owned_page(
        self,
        principal: Principal,
        *,
        status: str | None = None,
        number_type: NumberType | None = None,
        sms: bool | None = None,
        offset: int,
        limit: int | None = None,
    ) -> OffsetPage[TenantNumber]:
        """A page of the tenant's numbers by position, in the order of `list_owned`, with
        their ids and how many match in all (faces that page by page number with a total).
        Held numbers carry the owner type their hold was asked for."""
        tenant_id = principal.require_tenant()
        limit = self._limit(limit)
        check_window(offset, limit, self.settings.page_size_max)
        statuses = self._statuses(status)
        now = now_utc()
        rows, total = self.repo.owned_page(
            tenant_id,
            now=now,
            statuses=statuses,
            number_type=None if number_type is None else NumberType(number_type).value,
            sms=sms,
            offset=offset,
            limit=limit,
        )
        held = [n.id for n in rows if n.status == NumberStatus.RESERVED]
        kinds = self.repo.hold_owner_types(tenant_id, held, now)
        items = [
            TenantNumber(**fields, id=row.id, hold_owner_type=kinds.get(row.id))
            for row, fields in zip(rows, self._owned_fields(rows), strict=True)
        ]
        return OffsetPage[TenantNumber](items=items, total=total)

    @staticmethod
    def _statuses(status: str | None) -> list[NumberStatus]:
        """The states of the tenant's numbers a list asks for (none: both)."""
        if status is None:
            return [NumberStatus.ACTIVE, NumberStatus.RESERVED]
        if status not in (NumberStatus.ACTIVE, NumberStatus.RESERVED):
            raise Invalid("status must be active or reserved", field="status")
        return [NumberStatus(status)]

    # --- reservations ------------------------------------------------------------

    def reserve(
        self,
        principal: Principal,
        numbers: Sequence[str],
        *,
        owner_type: OwnerType,
        minutes: int | None = None,
    ) -> list[ReservationResult]:
        """Hold each number on its own: one failing does not stop the others.

        Renewing a hold the tenant already has extends it and does not count against the
        cap; a number listed twice is held once and the repeat is reported as failed.
        """
        tenant_id = principal.require_tenant()
        _check_batch(numbers)
        hold = timedelta(minutes=minutes or self.settings.reservation_minutes)
        now = now_utc()
        cap = self.settings.max_reservations_per_tenant
        room = cap - self.repo.live_reservation_count(tenant_id, now)
        results: list[ReservationResult] = []
        asked: set[str] = set()
        for text in numbers:
            try:
                e164 = canonical_e164(text)
            except Invalid as exc:
                results.append(_failed(text, "invalid_number", exc.message))
                continue
            if e164 in asked:
                results.append(_failed(e164, "duplicate_number", f"{e164} is listed twice"))
                continue
            asked.add(e164)
            renewal = self.repo.is_held_by(e164, tenant_id, now)
            if room <= 0 and not renewal:
                results.append(
                    _failed(
                        e164, "reservation_limit", f"at most {cap} live reservations per tenant"
                    )
                )
                continue
            result = self._hold(principal, tenant_id, e164, owner_type, now, now + hold)
            room -= result.status == "reserved" and not renewal
            results.append(result)
        return results

    def _hold(
        self,
        principal: Principal,
        tenant_id: int,
        e164: str,
        owner_type: OwnerType,
        now: datetime,
        until: datetime,
    ) -> ReservationResult:
        number_id = self.repo.take_hold(e164, tenant_id, owner_type, now=now, until=until)
        if number_id is None:
            return _failed(e164, NotAvailable.code, f"{e164} is not available")
        self.repo.end_live_reservations(tenant_id, number_id, state="replaced", now=now)
        reservation = Reservation(
            tenant_id=tenant_id,
            number_id=number_id,
            e164=e164,
            owner_type=owner_type,
            created_at=now,
            expires_at=until,
        )
        self.repo.add(reservation)
        self._audit(
            principal,
            "number.reserve",
            e164,
            after={"reservation_id": reservation.id, "expires_at": until.isoformat()},
        )
        return ReservationResult(
            number=e164, status="reserved", reservation_id=reservation.id, expires_at=until
        )

    def list_reservations(
        self,
        principal: Principal,
        *,
        include_ended: bool = False,
        after_id: int | None = None,
        limit: int | None = None,
    ) -> Page[ReservationOut]:
        tenant_id = principal.require_tenant()
        limit = self._limit(limit)
        now = now_utc()
        rows = self.repo.reservations(
            tenant_id, now=now, live_only=not include_ended, after_id=after_id, limit=limit + 1
        )
        items = [self._reservation_view(r, now) for r in rows[:limit]]
        next_cursor = str(rows[limit - 1].id) if len(rows) > limit else None
        return Page(items=items, next_cursor=next_cursor)

    def get_reservation(self, principal: Principal, reservation_id: int) -> ReservationOut:
        reservation = self.repo.reservation(principal.require_tenant(), reservation_id)
        if reservation is None:
            raise NotFound(f"reservation {reservation_id} not found", code="reservation_not_found")
        return self._reservation_view(reservation, now_utc())

    @staticmethod
    def _reservation_view(reservation: Reservation, now: datetime) -> ReservationOut:
        state = reservation.state
        if state == "active" and reservation.expires_at <= now:
            state = "expired"  # lapsed holds need no job: the clock decides
        return ReservationOut(
            id=reservation.id,
            number=reservation.e164,
            owner_type=OwnerType(reservation.owner_type),
            state=state,
            created_at=reservation.created_at,
            expires_at=reservation.expires_at,
            ended_at=reservation.ended_at,
        )

    def cancel_reservation(self, principal: Principal, reservation_id: int) -> ReservationOut:
        tenant_id = principal.require_tenant()
        now = now_utc()
        reservation = self.repo.reservation(tenant_id, reservation_id)
        if reservation is None or self._reservation_view(reservation, now).state != "active":
            raise NotFound(f"no live reservation {reservation_id}", code="reservation_not_found")
        self.repo.release_hold(reservation.number_id, tenant_id, now=now)
        reservation.state, reservation.ended_at = "cancelled", now
        self.session.flush()
        self._audit(
            principal,
            "number.unreserve",
            reservation.e164,
            before={"reservation_id": reservation.id},
            after=None,
        )
        return self._reservation_view(reservation, now)

    # --- orders and release ------------------------------------------------------

    def buy(
        self,
        principal: Principal,
        numbers: Sequence[str],
        *,
        months: int,
        owner_type: OwnerType,
        note: str = "",
    ) -> OrderOut:
        """Sell all the numbers or none: an order never half-succeeds."""
        tenant_id = principal.require_tenant()
        _check_batch(numbers)
        self._check_months(months)
        # A fixed lock order keeps two orders over the same numbers from deadlocking.
        wanted = sorted({canonical_e164(text) for text in numbers})
        now = now_utc()
        paid_until = add_months(now, months)
        order = Order(
            tenant_id=tenant_id,
            months=months,
            owner_type=owner_type,
            note=note[:500],
            created_at=now,
        )
        self.repo.add(order)
        sold: list[tuple[Number, str]] = []
        refused: list[str] = []
        for e164 in wanted:
            # What the audit must say it was: the tenant's own hold, or on sale.
            before = "reserved" if self.repo.is_held_by(e164, tenant_id, now) else "available"
            number = self.repo.take_ownership(
                e164, tenant_id, owner_type, now=now, paid_until=paid_until
            )
            if number is None:
                refused.append(e164)
            else:
                sold.append((number, before))
        if refused:
            raise NotAvailable(
                f"not available: {', '.join(refused)}; nothing was bought", numbers=refused
            )
        return self._record_order(principal, order, sold, months, now)

    def _check_months(self, months: int) -> None:
        low, high = self.settings.min_purchase_months, self.settings.max_purchase_months
        if not low <= months <= high:
            raise Invalid(f"months must be between {low} and {high}", field="months")

    def _record_order(
        self,
        principal: Principal,
        order: Order,
        sold: list[tuple[Number, str]],
        months: int,
        now: datetime,
    ) -> OrderOut:
        tenant_id = principal.require_tenant()
        for number, before in sold:
            self.repo.end_live_reservations(tenant_id, number.id, state="purchased", now=now)
            assert number.paid_until is not None
            self.repo.add(
                OrderItem(
                    order_id=order.id,
                    number_id=number.id,
                    e164=number.e164,
                    currency=number.currency,
                    connection_price=number.connection_price,
                    monthly_price=number.monthly_price,
                    paid_until=number.paid_until,
                )
            )
            self._audit(
                principal,
                "number.buy",
                number.e164,
                before={"status": before},
                after={
                    "status": "active",
                    "order_id": order.id,
                    "owner_type": order.owner_type,
                    "months": months,
                    "paid_until": number.paid_until.isoformat(),
                },
            )
        return self.get_order(principal, order.id)

    def get_order(self, principal: Principal, order_id: int) -> OrderOut:
        order = self.repo.order(principal.require_tenant(), order_id)
        if order is None:
            raise NotFound(f"order {order_id} not found", code="order_not_found")
        items = self.repo.order_items(order.id)
        totals = [
            Price(currency=c, connection=conn, monthly=monthly)
            for c, (conn, monthly) in sorted(price_totals(items).items())
        ]
        return OrderOut(
            id=order.id,
            months=order.months,
            owner_type=OwnerType(order.owner_type),
            note=order.note,
            created_at=order.created_at,
            items=[
                OrderItemOut(
                    number=i.e164,
                    currency=i.currency,
                    connection_price=i.connection_price,
                    monthly_price=i.monthly_price,
                    paid_until=i.paid_until,
                )
                for i in items
            ],
            totals=totals,
        )

    def release(self, principal: Principal, number_text: str) -> OwnedNumber | AvailableNumber:
        """Give an owned number back; it waits out the quarantine before sale."""
        tenant_id = principal.require_tenant()
        e164 = canonical_e164(number_text)
        now = now_utc()
        aging_until = now + timedelta(days=self.settings.aging_days)
        if not self.repo.give_up(e164, tenant_id, now=now, aging_until=aging_until):
            raise NotFound(f"number {e164} not found among your numbers", code="number_not_found")
        self._audit(
            principal,
            "number.release",
            e164,
            before={"status": "active"},
            after={"status": "aging", "aging_until": aging_until.isoformat()},
        )
        number = self.repo.by_e164(e164)
        assert number is not None
        PbxRepository(self.session).forget_number(number.id)
        return self._owned_view([number])[0]

    def set_operator_status(self, e164_text: str, *, disabled: bool, actor: str = "cli") -> None:
        e164 = canonical_e164(e164_text)
        status = NumberStatus.DISABLED if disabled else NumberStatus.AVAILABLE
        if not self.repo.set_operator_status(e164, status, now=now_utc()):
            raise NotAvailable(
                f"{e164} is not in stock or is sold/held" if disabled else f"{e164} is not disabled"
            )
        record(
            self.session,
            actor=actor,
            action=f"number.{'disable' if disabled else 'enable'}",
            object_type="number",
            object_id=e164,
            partner_id=None,
            tenant_id=None,
            after={"status": status.value},
        )

    def _audit(
        self,
        principal: Principal,
        action: str,
        e164: str,
        *,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        record_change(self.session, principal, action, "number", e164, before, after)


def _failed(number: str, error: str, message: str) -> ReservationResult:
    return ReservationResult(number=number, status="failed", error=error, message=message)


def _check_batch(numbers: Sequence[str]) -> None:
    if not numbers:
        raise Invalid("give at least one number", field="numbers")
    if len(numbers) > MAX_NUMBERS_PER_REQUEST:
        raise Invalid(f"at most {MAX_NUMBERS_PER_REQUEST} numbers per request", field="numbers")
