"""Lines: the numbers a partner's tenants hold or own, named by id. Never commits.

Some faces (eTelecom's hotlines) manage numbers by id and in two steps: a partner takes
a number for a tenant, then activates it. In vpbx the first step is a hold (a
reservation for the tenant, which lapses like any hold) and the second a purchase; a
line is a number in either state. Everything here is built on NumberService's rules.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy.orm import Session

from vpbx.config import Settings
from vpbx.errors import Conflict, Invalid, NotAvailable, NotFound, RateLimited
from vpbx.kit.rows import AnyRow
from vpbx.numbers.enums import NumberStatus, OwnerType
from vpbx.numbers.line_repository import LineRepository
from vpbx.numbers.schemas import Line
from vpbx.numbers.service import NumberService, now_utc
from vpbx.tenancy.principal import Principal


def _line(row: AnyRow) -> Line:
    return Line(
        id=row.id,
        e164=row.e164,
        national_number=row.nsn,
        region=row.region,
        carrier=row.carrier,
        number_type=row.number_type,
        status=NumberStatus(row.status),
        tenant_id=row.tenant_id,
        tenant_active=row.tenant_status == "active",
        reserved_until=row.reserved_until,
        active_since=row.active_since,
        paid_until=row.paid_until,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class LineService:
    def __init__(self, session: Session, settings: Settings) -> None:
        self.session = session
        self.settings = settings
        self.repo = LineRepository(session)
        self.numbers = NumberService(session, settings)

    # --- reads --------------------------------------------------------------------

    def lines(
        self,
        principal: Principal,
        *,
        whole_partner: bool = False,
        after_id: int | None = None,
        descending: bool = False,
        limit: int = 50,
    ) -> list[Line]:
        """The tenant's lines, or with `whole_partner` every line of the partner's tenants
        (a partner key only), in id order from the keyset bound `after_id`."""
        partner_id, tenant_id = self._scope(principal, whole_partner)
        rows = self.repo.lines(
            partner_id,
            now=now_utc(),
            tenant_id=tenant_id,
            after_id=after_id,
            descending=descending,
            limit=limit,
        )
        return [_line(row) for row in rows]

    def line(
        self,
        principal: Principal,
        number_id: int,
        *,
        whole_partner: bool = False,
        field: str | None = None,
    ) -> Line:
        """One line in scope. Out of scope it is not found; named in a request body
        (`field`), it is an invalid reference instead."""
        partner_id, tenant_id = self._scope(principal, whole_partner)
        rows = self.repo.lines(
            partner_id, now=now_utc(), tenant_id=tenant_id, number_ids=[number_id]
        )
        if not rows:
            message = f"hotline {number_id} not found"
            if field is not None:
                raise Invalid(message, code="hotline_not_found", field=field)
            raise NotFound(message, code="hotline_not_found")
        return _line(rows[0])

    def by_ids(self, principal: Principal, number_ids: Collection[int]) -> dict[int, Line]:
        """The tenant's lines among these ids, by id, in one read; others are absent."""
        if not number_ids:
            return {}
        partner_id, tenant_id = self._scope(principal, whole_partner=False)
        rows = self.repo.lines(
            partner_id, now=now_utc(), tenant_id=tenant_id, number_ids=set(number_ids)
        )
        return {row.id: _line(row) for row in rows}

    def by_e164(self, principal: Principal, e164s: Collection[str]) -> dict[str, Line]:
        """The tenant's lines among these numbers, by E.164."""
        if not e164s:
            return {}
        partner_id, tenant_id = self._scope(principal, whole_partner=False)
        rows = self.repo.lines(partner_id, now=now_utc(), tenant_id=tenant_id, e164s=set(e164s))
        return {row.e164: _line(row) for row in rows}

    def tenants_owning(self, tenant_ids: Sequence[int]) -> set[int]:
        """Which of these tenants own a number (a PBX that can take outside calls)."""
        return self.repo.tenants_owning(tenant_ids)

    # --- changes ------------------------------------------------------------------

    def hold(
        self,
        principal: Principal,
        number_text: str,
        *,
        owner_type: OwnerType = OwnerType.BUSINESS,
        field: str = "number",
    ) -> Line:
        """Hold a number of the stock for the tenant (renewing its own hold), as a line."""
        result = self.numbers.reserve(principal, [number_text], owner_type=owner_type)[0]
        if result.status != "reserved":
            message = result.message or f"{number_text} cannot be held"
            if result.error == "invalid_number":
                raise Invalid(message, code="invalid_number", field=field)
            if result.error == "reservation_limit":
                raise RateLimited(message, code="reservation_limit", field=field)
            raise NotAvailable(message, numbers=[result.number], field=field)
        return self.by_e164(principal, [result.number])[result.number]

    def activate(
        self, principal: Principal, number_id: int, *, months: int | None = None, note: str = ""
    ) -> bool:
        """Buy the tenant's held line; False if the tenant owns it already (no change)."""
        line = self._tenants_line(principal, number_id)
        if line.status == NumberStatus.ACTIVE:
            return False
        self.numbers.buy(
            principal,
            [line.e164],
            months=months or self.settings.min_purchase_months,
            owner_type=OwnerType.BUSINESS,
            note=note,
        )
        return True

    def give_back(self, principal: Principal, number_id: int) -> None:
        """End the tenant's hold on the line, or release it if owned (quarantine follows)."""
        line = self._tenants_line(principal, number_id)
        if line.status == NumberStatus.ACTIVE:
            self.numbers.release(principal, line.e164)
            return
        reservation_id = self.repo.live_reservation(line.tenant_id, line.id, now_utc())
        if reservation_id is None:  # a hold always has its reservation row
            raise NotFound(f"hotline {number_id} not found", code="hotline_not_found")
        self.numbers.cancel_reservation(principal, reservation_id)

    # --- helpers ------------------------------------------------------------------

    @staticmethod
    def _scope(principal: Principal, whole_partner: bool) -> tuple[int, int | None]:
        if whole_partner:
            return principal.require_partner(), None
        return principal.partner_id, principal.require_tenant()

    def _tenants_line(self, principal: Principal, number_id: int) -> Line:
        """The acting tenant's line. A partner acting for a tenant learns that its line
        is another of its tenants' (a conflict); a tenant key only ever sees its own."""
        tenant_id = principal.require_tenant()
        if not principal.is_partner:
            return self.line(principal, number_id)
        line = self.line(principal, number_id, whole_partner=True)
        if line.tenant_id != tenant_id:
            raise Conflict(
                f"hotline {number_id} is held or owned by another tenant (id {line.tenant_id}); "
                "remove it from that tenant first",
                code="hotline_of_another_tenant",
            )
        return line
