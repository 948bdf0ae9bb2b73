"""All SQL of carrier packages. Catalogue reads are scoped by partner, orders by partner
and (for a tenant's caller) by tenant: another seller's row is None."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, func, select, text, update
from sqlalchemy.orm import Session

from vpbx.models import CarrierPackage, OtpSend, PackageOrder


class PackageRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, obj: CarrierPackage | PackageOrder | OtpSend) -> None:
        self.session.add(obj)
        self.session.flush()

    # --- catalogue ----------------------------------------------------------------

    def package(self, partner_id: int, package_id: int) -> CarrierPackage | None:
        return self.session.scalar(
            select(CarrierPackage).where(
                CarrierPackage.id == package_id, CarrierPackage.partner_id == partner_id
            )
        )

    def package_by_code(
        self, partner_id: int, carrier: str, product_code: str
    ) -> CarrierPackage | None:
        return self.session.scalar(
            select(CarrierPackage).where(
                CarrierPackage.partner_id == partner_id,
                CarrierPackage.carrier == carrier,
                CarrierPackage.product_code == product_code,
            )
        )

    def packages(
        self,
        partner_id: int,
        *,
        carrier: str | None,
        type_: str | None,
        active: bool | None,
        after_id: int | None,
        limit: int,
    ) -> Sequence[CarrierPackage]:
        query = select(CarrierPackage).where(CarrierPackage.partner_id == partner_id)
        if carrier is not None:
            query = query.where(CarrierPackage.carrier == carrier)
        if type_ is not None:
            query = query.where(CarrierPackage.type == type_)
        if active is not None:
            query = query.where(CarrierPackage.active.is_(active))
        if after_id is not None:
            query = query.where(CarrierPackage.id > after_id)
        return self.session.scalars(query.order_by(CarrierPackage.id).limit(limit)).all()

    # --- orders -------------------------------------------------------------------

    def _orders(self, partner_id: int, tenant_id: int | None) -> Select[PackageOrder]:
        query = select(PackageOrder).where(PackageOrder.partner_id == partner_id)
        if tenant_id is not None:
            query = query.where(PackageOrder.tenant_id == tenant_id)
        return query

    def order(
        self,
        partner_id: int,
        tenant_id: int | None,
        *,
        order_id: int | None = None,
        order_code: str | None = None,
        lock: bool = False,
    ) -> PackageOrder | None:
        """An order of the seller, by id or code; `lock` holds its row until the end of
        the transaction, so two confirmations of one order run one after the other."""
        query = self._orders(partner_id, tenant_id)
        if order_id is not None:
            query = query.where(PackageOrder.id == order_id)
        else:
            query = query.where(PackageOrder.order_code == order_code)
        if lock:
            query = query.with_for_update()
        return self.session.scalar(query)

    def order_by_trans_id(self, telco_trans_id: str) -> PackageOrder | None:
        return self.session.scalar(
            select(PackageOrder).where(PackageOrder.telco_trans_id == telco_trans_id)
        )

    def orders(
        self,
        partner_id: int | None,
        tenant_id: int | None,
        *,
        status: str | None,
        phone: str | None,
        before_id: int | None,
        limit: int,
    ) -> Sequence[PackageOrder]:
        """Newest first. `partner_id` None lists every seller's (the operator's CLI)."""
        query = select(PackageOrder)
        if partner_id is not None:
            query = self._orders(partner_id, tenant_id)
        if status is not None:
            query = query.where(PackageOrder.status == status)
        if phone is not None:
            query = query.where(PackageOrder.phone == phone)
        if before_id is not None:
            query = query.where(PackageOrder.id < before_id)
        return self.session.scalars(query.order_by(PackageOrder.id.desc()).limit(limit)).all()

    def order_code_taken(self, order_code: str) -> bool:
        query = select(PackageOrder.id).where(PackageOrder.order_code == order_code)
        return self.session.scalar(query) is not None

    def running_order(self, phone: str, package_id: int, now: datetime) -> PackageOrder | None:
        """An order that has the package active on the phone now."""
        return self.session.scalar(
            select(PackageOrder).where(
                PackageOrder.phone == phone,
                PackageOrder.package_id == package_id,
                PackageOrder.status == "active",
                PackageOrder.active_until > now,
            )
        )

    def cancel_pending(self, phone: str, package_id: int, *, reason: str) -> int:
        """Pending orders of the phone for the package end: one code is out at a time."""
        result = self.session.execute(
            update(PackageOrder)
            .where(
                PackageOrder.phone == phone,
                PackageOrder.package_id == package_id,
                PackageOrder.status == "pending",
            )
            .values(status="cancelled", failure=reason)
            .execution_options(synchronize_session="fetch")
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    # --- the code log (rate limits) -----------------------------------------------

    def lock_phone(self, phone: str) -> None:
        """Serialise code requests for one phone until the transaction ends.

        SQLite writers already run one at a time (BEGIN IMMEDIATE); PostgreSQL takes a
        transaction-scoped advisory lock, so the cool-down and limits counted below are
        exact even when two requests for the phone arrive together.
        """
        if self.session.get_bind().dialect.name != "postgresql":
            return
        key = int.from_bytes(
            hashlib.sha256(f"otp:{phone}".encode()).digest()[:8], "big", signed=True
        )
        self.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})

    def last_send(self, phone: str) -> datetime | None:
        return self.session.scalar(select(func.max(OtpSend.sent_at)).where(OtpSend.phone == phone))

    def sends_since(
        self, since: datetime, *, phone: str | None = None, api_key_id: int | None = None
    ) -> tuple[int, datetime | None]:
        """How many codes went to the phone (or by the key) since then, and the first."""
        query = select(func.count(), func.min(OtpSend.sent_at)).where(OtpSend.sent_at >= since)
        if phone is not None:
            query = query.where(OtpSend.phone == phone)
        if api_key_id is not None:
            query = query.where(OtpSend.api_key_id == api_key_id)
        count, first = self.session.execute(query).one()
        return int(count), first
