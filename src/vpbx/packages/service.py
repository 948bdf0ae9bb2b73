"""Package orders confirmed by a one-time code. Never commits.

A seller (a partner's or a tenant's key) asks for a code for a subscriber's phone and a
package of its catalogue; the connector sends the code; the seller confirms it and the
package runs for its validity. The rules that stop abuse live here: the phone must be a
mobile of the package's carrier, a resend cool-down and per-phone and per-key limits
(counted from the code log in the database, as API nodes keep no state), a code lives a
few minutes, and an order takes a few wrong codes before it fails for good. A wrong
code is a refusal that *keeps* its change (the counted try), so the route commits it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from vpbx.audit.service import record_change
from vpbx.config import Settings
from vpbx.crypto import derive_key
from vpbx.errors import Conflict, Invalid, NotFound, Unavailable
from vpbx.messaging.service import MessagingService
from vpbx.models import OtpSend, PackageOrder
from vpbx.models.base import utcnow
from vpbx.packages import rules
from vpbx.packages.catalogue import CatalogueService
from vpbx.packages.connector import (
    BuiltinConnector,
    CarrierConnector,
    Confirmation,
    HttpConnector,
    Ticket,
    Verdict,
)
from vpbx.packages.limits import check_limits
from vpbx.packages.repository import PackageRepository
from vpbx.packages.schemas import OrderOut, OrderRequest
from vpbx.packages.views import order_view
from vpbx.tenancy.principal import Principal

OTP_KEY_PURPOSE = "vpbx package otp v1"


class WrongCode(Invalid):
    """A wrong code: the try is counted (and kept) before the refusal leaves."""

    code = "otp_wrong"
    keeps_changes = True


class AttemptsExhausted(Conflict):
    """The last allowed wrong code: the order has failed, which is kept."""

    code = "otp_attempts_exhausted"
    keeps_changes = True


class CarrierRefused(Conflict):
    code = "carrier_refused"
    keeps_changes = True


class PackageOrderService:
    def __init__(
        self,
        session: Session,
        settings: Settings,
        connector: CarrierConnector | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.session = session
        self.settings = settings
        self.repo = PackageRepository(session)
        self.clock = clock
        self._connector = connector

    @property
    def connector(self) -> CarrierConnector:
        if self._connector is None:  # built on first use: reading orders needs none
            self._connector = self._default_connector()
        return self._connector

    def _default_connector(self) -> CarrierConnector:
        s = self.settings
        if s.carrier_connector == "http":
            if not s.carrier_url:
                raise Unavailable(
                    "VPBX_CARRIER_CONNECTOR=http needs VPBX_CARRIER_URL", code="carrier_unavailable"
                )
            return HttpConnector(
                s.carrier_url,
                token=s.carrier_token,
                timeout_s=s.carrier_timeout_s,
                retries=s.carrier_retries,
            )
        messaging = MessagingService(self.session, s)

        def send(phone: str, text: str, masked: str) -> None:
            messaging.send_system(s.otp_sender, phone, text, stored_text=masked)

        def stored_status(trans_id: str) -> str | None:
            order = self.repo.order_by_trans_id(trans_id)
            return order.status if order else None

        return BuiltinConnector(derive_key(s, OTP_KEY_PURPOSE), send, stored_status)

    # --- requesting a code --------------------------------------------------------

    def request(self, principal: Principal, data: OrderRequest) -> PackageOrder:
        package = CatalogueService(self.session).sellable(
            principal.partner_id, data.carrier, data.product_code
        )
        phone = rules.subscriber_phone(data.phone, package.carrier)
        now = self.clock()
        self.repo.lock_phone(phone)
        check_limits(self.repo, self.settings, principal, phone, now)
        if self.repo.running_order(phone, package.id, now) is not None:
            raise Conflict(
                f"{phone} has {package.product_code} active already",
                code="package_already_active",
                field="phone",
            )
        self.repo.cancel_pending(phone, package.id, reason="superseded")
        order_code = self._new_order_code(now)
        issued = self.connector.request_code(
            Ticket(
                order_code, package.carrier, package.product_code, phone, minutes=self._minutes()
            )
        )
        order = PackageOrder(
            order_code=order_code,
            partner_id=principal.partner_id,
            tenant_id=principal.tenant_id,
            api_key_id=principal.api_key_id,
            package_id=package.id,
            carrier=package.carrier,
            product_code=package.product_code,
            package_type=package.type,
            price=package.price,
            currency=package.currency,
            validity_days=package.validity_days,
            phone=phone,
            utm_source=data.utm_source,
            utm_medium=data.utm_medium,
            utm_content=data.utm_content,
            utm_campaign=data.utm_campaign,
            telco_trans_id=issued.telco_trans_id,
            otp_hash=issued.otp_hash,
            otp_expires_at=now + timedelta(seconds=self.settings.otp_ttl_seconds),
            last_sent_at=now,
            created_at=now,
        )
        self.repo.add(order)
        self.repo.add(
            OtpSend(order_id=order.id, phone=phone, api_key_id=principal.api_key_id, sent_at=now)
        )
        self._audit(principal, "package_order.request", order, None)
        return order

    def resend(self, principal: Principal, order_id: int) -> PackageOrder:
        """A new code for a pending order (the old one stops working); tries stay counted."""
        order = self._order(principal, order_id=order_id, lock=True)
        now = self.clock()
        if order.status != "pending":
            raise Conflict(f"order {order.order_code} is {order.status}", code="order_not_pending")
        self.repo.lock_phone(order.phone)
        check_limits(self.repo, self.settings, principal, order.phone, now)
        issued = self.connector.request_code(self._ticket(order))
        before = _state(order)
        order.telco_trans_id, order.otp_hash = issued.telco_trans_id, issued.otp_hash
        order.otp_expires_at = now + timedelta(seconds=self.settings.otp_ttl_seconds)
        order.sends, order.last_sent_at = order.sends + 1, now
        self.repo.add(
            OtpSend(
                order_id=order.id, phone=order.phone, api_key_id=principal.api_key_id, sent_at=now
            )
        )
        self._audit(principal, "package_order.resend", order, before)
        return order

    # --- confirming ---------------------------------------------------------------

    def confirm(
        self,
        principal: Principal,
        otp: str,
        *,
        order_id: int | None = None,
        order_code: str | None = None,
    ) -> PackageOrder:
        order = self._order(principal, order_id=order_id, order_code=order_code, lock=True)
        now = self.clock()
        if order.status == "active":
            return self._confirm_again(order, otp)
        if order.status in ("failed", "cancelled"):
            raise Conflict(
                f"order {order.order_code} is {order.status}: ask for a new code",
                code=f"order_{order.status}",
                reason=order.failure,
            )
        if now >= order.otp_expires_at:
            raise Conflict(
                f"the code of order {order.order_code} has expired: ask for a new one",
                code="otp_expired",
            )
        outcome = self.connector.confirm(self._ticket(order), otp)
        return self._settle(principal, order, otp, outcome, now)

    def _confirm_again(self, order: PackageOrder, otp: str) -> PackageOrder:
        """The same success for the same code, and nothing activated twice."""
        key = derive_key(self.settings, OTP_KEY_PURPOSE)
        if rules.code_matches(key, order.order_code, otp, order.otp_hash):
            return order
        raise Invalid(
            f"wrong code for order {order.order_code}", code="otp_wrong", tries_left=0, field="otp"
        )

    def _settle(
        self,
        principal: Principal,
        order: PackageOrder,
        otp: str,
        outcome: Confirmation,
        now: datetime,
    ) -> PackageOrder:
        before = _state(order)
        if outcome.verdict is Verdict.ACCEPTED:
            order.status, order.confirmed_at = "active", now
            order.active_until = now + timedelta(days=order.validity_days)
            # Kept so that confirming again with the same code answers the same success.
            order.otp_hash = rules.code_hash(
                derive_key(self.settings, OTP_KEY_PURPOSE), order.order_code, otp
            )
            self.session.flush()
            self._audit(principal, "package_order.confirm", order, before)
            return order
        if outcome.verdict is Verdict.EXPIRED:
            raise Conflict(f"the code of order {order.order_code} has expired", code="otp_expired")
        if outcome.verdict is Verdict.REFUSED:
            order.status, order.failure = "failed", "carrier_refused"
            self.session.flush()
            self._audit(principal, "package_order.fail", order, before)
            raise CarrierRefused(f"the carrier refused: {outcome.reason}", reason=outcome.reason)
        return self._wrong(principal, order, before)

    def _wrong(
        self, principal: Principal, order: PackageOrder, before: dict[str, Any]
    ) -> PackageOrder:
        order.attempts += 1
        left = self.settings.otp_max_attempts - order.attempts
        if left <= 0:
            order.status, order.failure = "failed", "too_many_attempts"
            self.session.flush()
            self._audit(principal, "package_order.fail", order, before)
            raise AttemptsExhausted(
                f"wrong code ({order.attempts} of {self.settings.otp_max_attempts} allowed): "
                f"order {order.order_code} has failed",
                field="otp",
            )
        self.session.flush()
        self._audit(principal, "package_order.wrong_code", order, before)
        raise WrongCode(
            f"wrong code for order {order.order_code}: {left} tries left",
            tries_left=left,
            field="otp",
        )

    # --- reading ------------------------------------------------------------------

    def get(
        self, principal: Principal, order_id: int | None = None, order_code: str | None = None
    ) -> PackageOrder:
        return self._order(principal, order_id=order_id, order_code=order_code)

    def list_orders(
        self,
        principal: Principal,
        *,
        status: str | None,
        phone: str | None,
        before_id: int | None,
        limit: int,
    ) -> list[PackageOrder]:
        normalized = rules.mobile_phone(phone) if phone else None
        return list(
            self.repo.orders(
                principal.partner_id,
                principal.tenant_id,
                status=status,
                phone=normalized,
                before_id=before_id,
                limit=limit,
            )
        )

    def operator_orders(
        self, *, partner_id: int | None, status: str | None, phone: str | None, limit: int
    ) -> list[PackageOrder]:
        """Every seller's orders, newest first (the operator's CLI acts above partners)."""
        normalized = rules.mobile_phone(phone) if phone else None
        rows = self.repo.orders(
            partner_id, None, status=status, phone=normalized, before_id=None, limit=limit
        )
        return list(rows)

    def view(self, order: PackageOrder) -> OrderOut:
        return order_view(order, self.settings, self.clock())

    # --- helpers ------------------------------------------------------------------

    def _order(
        self,
        principal: Principal,
        *,
        order_id: int | None = None,
        order_code: str | None = None,
        lock: bool = False,
    ) -> PackageOrder:
        order = self.repo.order(
            principal.partner_id,
            principal.tenant_id,
            order_id=order_id,
            order_code=order_code,
            lock=lock,
        )
        if order is None:
            ref = order_code if order_code is not None else order_id
            raise NotFound(f"order {ref} not found", code="order_not_found")
        return order

    def _ticket(self, order: PackageOrder) -> Ticket:
        return Ticket(
            order.order_code,
            order.carrier,
            order.product_code,
            order.phone,
            telco_trans_id=order.telco_trans_id,
            otp_hash=order.otp_hash,
            minutes=self._minutes(),
        )

    def _minutes(self) -> int:
        return max(1, self.settings.otp_ttl_seconds // 60)

    def _new_order_code(self, now: datetime) -> str:
        while True:  # a million codes a second: a clash is rare, and then we draw again
            code = rules.new_order_code(now)
            if not self.repo.order_code_taken(code):
                return code

    def _audit(
        self, principal: Principal, action: str, order: PackageOrder, before: dict[str, Any] | None
    ) -> None:
        record_change(
            self.session,
            principal,
            action,
            "package_order",
            order.id,
            before=before,
            after={"order_code": order.order_code, "phone": order.phone, **_state(order)},
        )


def _state(order: PackageOrder) -> dict[str, Any]:
    return {
        "status": order.status,
        "attempts": order.attempts,
        "sends": order.sends,
        "failure": order.failure,
        "active_until": order.active_until.isoformat() if order.active_until else None,
    }
