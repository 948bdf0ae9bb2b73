"""All SQL of lines: the numbers a partner's tenants hold (a live reservation) or own.

Faces that name a tenant's numbers by id (eTelecom's hotlines) read them here; every
read is scoped by partner, and by tenant when one is given: another tenant's number is
simply absent.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from vpbx.kit.rows import AnyRow
from vpbx.models import Number, Reservation, Tenant
from vpbx.numbers.enums import NumberStatus

_LINE_COLUMNS = (
    Number.id,
    Number.e164,
    Number.nsn,
    Number.region,
    Number.carrier,
    Number.number_type,
    Number.status,
    Number.tenant_id,
    Number.reserved_until,
    Number.active_since,
    Number.paid_until,
    Number.created_at,
    Number.updated_at,
    Tenant.status.label("tenant_status"),
)


def is_line(now: datetime) -> ColumnElement[bool]:
    """Owned, or held by a hold that has not lapsed (a lapsed hold is back on sale)."""
    return or_(
        Number.status == NumberStatus.ACTIVE,
        and_(Number.status == NumberStatus.RESERVED, Number.reserved_until > now),
    )


class LineRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def lines(
        self,
        partner_id: int,
        *,
        now: datetime,
        tenant_id: int | None = None,
        number_ids: Collection[int] | None = None,
        e164s: Collection[str] | None = None,
        after_id: int | None = None,
        descending: bool = False,
        limit: int | None = None,
    ) -> Sequence[AnyRow]:
        """Lines in id order; `descending` walks down from `after_id` instead of up."""
        query = (
            select(*_LINE_COLUMNS)
            .join(Tenant, Tenant.id == Number.tenant_id)
            .where(Tenant.partner_id == partner_id, is_line(now))
        )
        if tenant_id is not None:
            query = query.where(Number.tenant_id == tenant_id)
        if number_ids is not None:
            query = query.where(Number.id.in_(list(number_ids)))
        if e164s is not None:
            query = query.where(Number.e164.in_(list(e164s)))
        if after_id is not None:
            query = query.where(Number.id < after_id if descending else Number.id > after_id)
        query = query.order_by(Number.id.desc() if descending else Number.id)
        return self.session.execute(query if limit is None else query.limit(limit)).all()

    def live_reservation(self, tenant_id: int, number_id: int, now: datetime) -> int | None:
        """The id of the tenant's live hold on the number, if it has one."""
        return self.session.scalar(
            select(Reservation.id)
            .where(
                Reservation.tenant_id == tenant_id,
                Reservation.number_id == number_id,
                Reservation.state == "active",
                Reservation.expires_at > now,
            )
            .order_by(Reservation.id.desc())
            .limit(1)
        )

    def tenants_owning(self, tenant_ids: Collection[int]) -> set[int]:
        """Which of these tenants own at least one number."""
        if not tenant_ids:
            return set()
        rows = self.session.scalars(
            select(Number.tenant_id)
            .where(Number.tenant_id.in_(list(tenant_ids)), Number.status == NumberStatus.ACTIVE)
            .distinct()
        )
        return {tenant_id for tenant_id in rows if tenant_id is not None}
