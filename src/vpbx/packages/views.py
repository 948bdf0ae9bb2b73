"""How an order is shown: its stored state read against the clock."""

from __future__ import annotations

from datetime import datetime, timedelta

from vpbx.config import Settings
from vpbx.models import PackageOrder
from vpbx.packages.rules import PackageType
from vpbx.packages.schemas import OrderOut, OrderStatus, Utms


def shown_status(order: PackageOrder, now: datetime) -> OrderStatus:
    """A pending order whose code ran out is `expired`; an active one past its validity
    `ended`. No background job is needed: the clock decides when the order is read."""
    if order.status == "pending" and now >= order.otp_expires_at:
        return "expired"
    if order.status == "active" and order.active_until and now >= order.active_until:
        return "ended"
    status: OrderStatus = order.status  # type: ignore[assignment]
    return status


def order_view(order: PackageOrder, settings: Settings, now: datetime) -> OrderOut:
    pending = order.status == "pending"
    cooldown = timedelta(seconds=settings.otp_resend_cooldown_seconds)
    return OrderOut(
        id=order.id,
        order_code=order.order_code,
        telco_trans_id=order.telco_trans_id,
        carrier=order.carrier,
        product_code=order.product_code,
        type=PackageType(order.package_type),
        price=order.price,
        currency=order.currency,
        validity_days=order.validity_days,
        phone=order.phone,
        status=shown_status(order, now),
        attempts_left=max(settings.otp_max_attempts - order.attempts, 0) if pending else 0,
        otp_expires_at=order.otp_expires_at,
        resend_after=order.last_sent_at + cooldown if pending else None,
        failure=order.failure,
        utm=Utms(
            source=order.utm_source,
            medium=order.utm_medium,
            content=order.utm_content,
            campaign=order.utm_campaign,
        ),
        tenant_id=order.tenant_id,
        created_at=order.created_at,
        confirmed_at=order.confirmed_at,
        active_until=order.active_until,
    )
