"""All SQL of the number inventory: search, state transitions, reservations, orders.

State changes are single conditional UPDATEs: the row changes only if it is still in
the state the caller expects, so of many racing buyers exactly one sees a row back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from vpbx.kit.rows import AnyRow
from vpbx.models import Number, NumberPrice, Order, OrderItem, Reservation
from vpbx.numbers.enums import NumberStatus
from vpbx.numbers.mask import CompiledMask, prefix_upper_bound
from vpbx.numbers.schemas import SearchFilters


def free_at(now: datetime) -> ColumnElement[bool]:
    """A number that can be sold now: in stock, or a hold or quarantine that has lapsed."""
    return or_(
        Number.status == NumberStatus.AVAILABLE,
        and_(Number.status == NumberStatus.RESERVED, Number.reserved_until <= now),
        and_(Number.status == NumberStatus.AGING, Number.aging_until <= now),
    )


def held_by(tenant_id: int, now: datetime) -> ColumnElement[bool]:
    return and_(
        Number.status == NumberStatus.RESERVED,
        Number.tenant_id == tenant_id,
        Number.reserved_until > now,
    )


def offered_to(owner_type: str) -> ColumnElement[bool]:
    return or_(Number.offer_owner_type.is_(None), Number.offer_owner_type == owner_type)


def _mask_conditions(mask: CompiledMask, area_code: str | None) -> list[ColumnElement[bool]]:
    """LIKE for exactness, plus the most selective btree range the mask allows."""
    area = area_code or ""
    like = area + mask.like
    prefix = area + mask.prefix
    conditions: list[ColumnElement[bool]] = [Number.nsn.like(like)]
    if len(mask.suffix) > len(prefix):
        rev = mask.suffix[::-1]
        conditions += [Number.nsn_rev >= rev, Number.nsn_rev < prefix_upper_bound(rev)]
    elif prefix:
        conditions += [Number.nsn >= prefix, Number.nsn < prefix_upper_bound(prefix)]
    if mask.exact_length is not None:
        conditions.append(func.length(Number.nsn) == len(area) + mask.exact_length)
    return conditions


def _filter_conditions(filters: SearchFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.country:
        conditions.append(Number.country == filters.country.upper())
    if filters.area_code:
        conditions.append(Number.area_code == filters.area_code)
        if not filters.mask:
            prefix = filters.area_code
            conditions += [Number.nsn >= prefix, Number.nsn < prefix_upper_bound(prefix)]
    if filters.region:
        conditions.append(func.lower(Number.region) == filters.region.strip().lower())
    if filters.number_type:
        conditions.append(Number.number_type == filters.number_type.value)
    if filters.tiers:
        conditions.append(Number.tier.in_([int(t) for t in filters.tiers]))
    if filters.min_tier is not None:
        conditions.append(Number.tier >= int(filters.min_tier))
    if filters.owner_type:
        conditions.append(offered_to(filters.owner_type.value))
    if filters.currency:
        conditions.append(Number.currency == filters.currency.upper())
    if filters.price_min is not None:
        conditions.append(Number.monthly_price >= filters.price_min)
    if filters.price_max is not None:
        conditions.append(Number.monthly_price <= filters.price_max)
    if filters.sms is not None:
        conditions.append(Number.sms_enabled.is_(filters.sms))
    return conditions


def _search_conditions(
    filters: SearchFilters, mask: CompiledMask | None, now: datetime
) -> list[ColumnElement[bool]]:
    conditions = [free_at(now), *_filter_conditions(filters)]
    if mask is not None and not mask.matches_everything:
        conditions += _mask_conditions(mask, filters.area_code)
    return conditions


SEARCH_COLUMNS = (
    Number.id,
    Number.e164,
    Number.country,
    Number.nsn,
    Number.area_code,
    Number.subscriber,
    Number.region,
    Number.number_type,
    Number.carrier,
    Number.tier,
    Number.vanity_rule,
    Number.sms_enabled,
    Number.offer_owner_type,
    Number.currency,
    Number.connection_price,
    Number.monthly_price,
)


def search_statement(
    filters: SearchFilters,
    mask: CompiledMask | None,
    *,
    now: datetime,
    after: tuple[str, int] | None,
    limit: int,
) -> Select[Number]:
    """The search query (public so benchmarks can run the very same SQL on the driver)."""
    query = select(Number).where(*_search_conditions(filters, mask, now))
    if after is not None:
        query = query.where(
            or_(Number.nsn > after[0], and_(Number.nsn == after[0], Number.id > after[1]))
        )
    return query.order_by(Number.nsn, Number.id).limit(limit)


# Built once: every search page reads its numbers' prices with it.
_EXTRA_PRICES = (
    select(
        NumberPrice.number_id,
        NumberPrice.currency,
        NumberPrice.connection_price,
        NumberPrice.monthly_price,
    )
    .where(NumberPrice.number_id.in_(bindparam("ids", expanding=True)))
    .order_by(NumberPrice.number_id, NumberPrice.currency)
)


class NumberRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # --- reads -------------------------------------------------------------------

    def search(
        self,
        filters: SearchFilters,
        mask: CompiledMask | None,
        *,
        now: datetime,
        after: tuple[str, int] | None,
        limit: int,
    ) -> Sequence[AnyRow]:
        """Available numbers in (nsn, id) order, from after the keyset cursor.

        Plain rows rather than ORM objects: search is the hottest read and loading
        entities costs more than the query itself.
        """
        statement = search_statement(filters, mask, now=now, after=after, limit=limit)
        return self.session.execute(statement.with_only_columns(*SEARCH_COLUMNS)).all()

    def search_page(
        self,
        filters: SearchFilters,
        mask: CompiledMask | None,
        *,
        now: datetime,
        offset: int,
        limit: int,
    ) -> tuple[Sequence[AnyRow], int]:
        """A page of available numbers by position (nsn, id order), and how many match.

        For faces that page by number with a total (OMICall, Plusofon); the native API
        pages by keyset. The rows also carry when each number was listed and changed.
        """
        conditions = _search_conditions(filters, mask, now)
        statement = (
            select(*SEARCH_COLUMNS, Number.created_at, Number.updated_at)
            .where(*conditions)
            .order_by(Number.nsn, Number.id)
            .offset(offset)
            .limit(limit)
        )
        rows = self.session.execute(statement).all()
        total = self.session.scalar(select(func.count()).select_from(Number).where(*conditions))
        return rows, total or 0

    def is_held_by(self, e164: str, tenant_id: int, now: datetime) -> bool:
        """Whether the tenant has a live hold on the number right now."""
        query = select(Number.id).where(Number.e164 == e164, held_by(tenant_id, now))
        return self.session.scalar(query) is not None

    def by_e164(self, e164: str) -> Number | None:
        return self.session.scalar(select(Number).where(Number.e164 == e164))

    def extra_prices(self, number_ids: Sequence[int]) -> dict[int, list[AnyRow]]:
        """Further-currency prices of a page of numbers (plain rows: this is a hot path)."""
        if not number_ids:
            return {}
        rows = self.session.execute(_EXTRA_PRICES, {"ids": list(number_ids)}).all()
        prices: dict[int, list[AnyRow]] = {}
        for row in rows:
            prices.setdefault(row.number_id, []).append(row)
        return prices

    def owned(
        self,
        tenant_id: int,
        *,
        now: datetime,
        statuses: Sequence[str],
        after: tuple[str, int] | None,
        limit: int,
    ) -> Sequence[Number]:
        query = self._owned_query(tenant_id, now, statuses)
        if after is not None:
            query = query.where(
                or_(Number.nsn > after[0], and_(Number.nsn == after[0], Number.id > after[1]))
            )
        return self.session.scalars(query.order_by(Number.nsn, Number.id).limit(limit)).all()

    def owned_page(
        self,
        tenant_id: int,
        *,
        now: datetime,
        statuses: Sequence[str],
        number_type: str | None = None,
        sms: bool | None = None,
        offset: int,
        limit: int,
    ) -> tuple[Sequence[Number], int]:
        """A page of the tenant's numbers by position in (nsn, id) order, the order of
        `owned`, and how many match in all (faces that page by page number)."""
        query = self._owned_query(tenant_id, now, statuses)
        if number_type is not None:
            query = query.where(Number.number_type == number_type)
        if sms is not None:
            query = query.where(Number.sms_enabled.is_(sms))
        rows = self.session.scalars(
            query.order_by(Number.nsn, Number.id).offset(offset).limit(limit)
        ).all()
        total = self.session.scalar(select(func.count()).select_from(query.subquery()))
        return rows, total or 0

    def hold_owner_types(
        self, tenant_id: int, number_ids: Sequence[int], now: datetime
    ) -> dict[int, str]:
        """number id → the owner type its live hold by the tenant was asked for."""
        if not number_ids:
            return {}
        rows = self.session.execute(
            select(Reservation.number_id, Reservation.owner_type)
            .where(
                Reservation.tenant_id == tenant_id,
                Reservation.number_id.in_(list(number_ids)),
                Reservation.state == "active",
                Reservation.expires_at > now,
            )
            .order_by(Reservation.id)  # a renewal replaces the hold: the newest wins
        ).all()
        return {row.number_id: row.owner_type for row in rows}

    def _owned_query(self, tenant_id: int, now: datetime, statuses: Sequence[str]) -> Select[Any]:
        wanted: list[ColumnElement[bool]] = []
        if NumberStatus.ACTIVE in statuses:
            wanted.append(Number.status == NumberStatus.ACTIVE)
        if NumberStatus.RESERVED in statuses:
            wanted.append(held_by(tenant_id, now))
        return select(Number).where(Number.tenant_id == tenant_id, or_(*wanted))

    # --- state transitions -------------------------------------------------------

    def take_hold(
        self, e164: str, tenant_id: int, owner_type: str, *, now: datetime, until: datetime
    ) -> int | None:
        """Reserve a free number (or extend the caller's own hold); the id, or None."""
        statement = (
            update(Number)
            .where(
                Number.e164 == e164,
                or_(free_at(now), held_by(tenant_id, now)),
                offered_to(owner_type),
            )
            .values(
                status=NumberStatus.RESERVED,
                tenant_id=tenant_id,
                reserved_until=until,
                aging_until=None,
                updated_at=now,
            )
            .returning(Number.id)
        )
        return self.session.scalar(statement)

    def release_hold(self, number_id: int, tenant_id: int, *, now: datetime) -> bool:
        statement = (
            update(Number)
            .where(Number.id == number_id, held_by(tenant_id, now))
            .values(
                status=NumberStatus.AVAILABLE, tenant_id=None, reserved_until=None, updated_at=now
            )
            .returning(Number.id)
        )
        return self.session.scalar(statement) is not None

    def take_ownership(
        self, e164: str, tenant_id: int, owner_type: str, *, now: datetime, paid_until: datetime
    ) -> Number | None:
        """Sell a number that is free or held by this tenant; the row, or None."""
        statement = (
            update(Number)
            .where(
                Number.e164 == e164,
                or_(free_at(now), held_by(tenant_id, now)),
                offered_to(owner_type),
            )
            .values(
                status=NumberStatus.ACTIVE,
                tenant_id=tenant_id,
                owner_type=owner_type,
                reserved_until=None,
                aging_until=None,
                active_since=now,
                paid_until=paid_until,
                updated_at=now,
            )
            .returning(Number)
            .execution_options(populate_existing=True)
        )
        return self.session.scalar(statement)

    def give_up(self, e164: str, tenant_id: int, *, now: datetime, aging_until: datetime) -> bool:
        """Release an owned number into quarantine (or straight to stock if it has none)."""
        status = NumberStatus.AGING if aging_until > now else NumberStatus.AVAILABLE
        statement = (
            update(Number)
            .where(
                Number.e164 == e164,
                Number.tenant_id == tenant_id,
                Number.status == NumberStatus.ACTIVE,
            )
            .values(
                status=status,
                tenant_id=None,
                owner_type=None,
                active_since=None,
                paid_until=None,
                aging_until=aging_until,
                updated_at=now,
            )
            .returning(Number.id)
        )
        return self.session.scalar(statement) is not None

    def set_operator_status(self, e164: str, status: str, *, now: datetime) -> bool:
        """Take an unsold number out of sale, or put a disabled one back."""
        allowed = (
            free_at(now)
            if status == NumberStatus.DISABLED
            else Number.status == NumberStatus.DISABLED
        )
        statement = (
            update(Number)
            .where(Number.e164 == e164, allowed)
            .values(
                status=status, tenant_id=None, reserved_until=None, aging_until=None, updated_at=now
            )
            .returning(Number.id)
        )
        return self.session.scalar(statement) is not None

    # --- reservations and orders -------------------------------------------------

    def add(self, obj: Reservation | Order | OrderItem) -> None:
        self.session.add(obj)
        self.session.flush()

    def live_reservation_count(self, tenant_id: int, now: datetime) -> int:
        return (
            self.session.scalar(
                select(func.count())
                .select_from(Reservation)
                .where(
                    Reservation.tenant_id == tenant_id,
                    Reservation.state == "active",
                    Reservation.expires_at > now,
                )
            )
            or 0
        )

    def reservation(self, tenant_id: int, reservation_id: int) -> Reservation | None:
        return self.session.scalar(
            select(Reservation).where(
                Reservation.id == reservation_id, Reservation.tenant_id == tenant_id
            )
        )

    def reservations(
        self, tenant_id: int, *, now: datetime, live_only: bool, after_id: int | None, limit: int
    ) -> Sequence[Reservation]:
        query = select(Reservation).where(Reservation.tenant_id == tenant_id)
        if live_only:
            query = query.where(Reservation.state == "active", Reservation.expires_at > now)
        if after_id is not None:
            query = query.where(Reservation.id < after_id)
        return self.session.scalars(query.order_by(Reservation.id.desc()).limit(limit)).all()

    def end_live_reservations(
        self, tenant_id: int, number_id: int, *, state: str, now: datetime
    ) -> None:
        self.session.execute(
            update(Reservation)
            .where(
                Reservation.tenant_id == tenant_id,
                Reservation.number_id == number_id,
                Reservation.state == "active",
            )
            .values(state=state, ended_at=now)
        )

    def order(self, tenant_id: int, order_id: int) -> Order | None:
        return self.session.scalar(
            select(Order).where(Order.id == order_id, Order.tenant_id == tenant_id)
        )

    def order_items(self, order_id: int) -> Sequence[OrderItem]:
        return self.session.scalars(
            select(OrderItem).where(OrderItem.order_id == order_id).order_by(OrderItem.e164)
        ).all()


def price_totals(items: Sequence[OrderItem]) -> dict[str, tuple[Decimal, Decimal]]:
    """Connection and monthly totals per currency."""
    totals: dict[str, tuple[Decimal, Decimal]] = {}
    for item in items:
        connection, monthly = totals.get(item.currency, (Decimal(0), Decimal(0)))
        totals[item.currency] = (connection + item.connection_price, monthly + item.monthly_price)
    return totals
