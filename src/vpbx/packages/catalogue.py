"""The package catalogue: what a partner sells, from the API or a CSV file. Never commits.

Each partner has its own catalogue (the carriers' bundles at the partner's prices); a
tenant's key sees and sells its partner's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from vpbx.audit.service import record, record_change
from vpbx.errors import Conflict, DomainError, Invalid, NotFound
from vpbx.models import CarrierPackage
from vpbx.packages import rules
from vpbx.packages.repository import PackageRepository
from vpbx.packages.schemas import LoadReport, PackageCreate, PackageOut, PackageUpdate
from vpbx.tenancy.principal import Principal

CSV_COLUMNS = (
    "carrier",
    "product_code",
    "type",
    "price",
    "currency",
    "validity_days",
    "description",
    "active",
)


def _fields(package: CarrierPackage) -> dict[str, Any]:
    out = PackageOut.model_validate(package).model_dump(mode="json")
    return {k: v for k, v in out.items() if k not in ("id", "created_at", "updated_at")}


class CatalogueService:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.repo = PackageRepository(session)

    def get(self, principal: Principal, package_id: int) -> CarrierPackage:
        package = self.repo.package(principal.partner_id, package_id)
        if package is None:
            raise NotFound(f"package {package_id} not found", code="package_not_found")
        return package

    def list_packages(
        self,
        principal: Principal,
        *,
        carrier: str | None,
        type_: str | None,
        active: bool | None,
        after_id: int | None,
        limit: int,
    ) -> Sequence[CarrierPackage]:
        return self.repo.packages(
            principal.partner_id,
            carrier=rules.carrier_code(carrier) if carrier else None,
            type_=type_,
            active=active,
            after_id=after_id,
            limit=limit,
        )

    def of_partner(self, partner_id: int) -> Sequence[CarrierPackage]:
        """A partner's whole catalogue (the operator's CLI)."""
        return self.repo.packages(
            partner_id, carrier=None, type_=None, active=None, after_id=None, limit=100_000
        )

    def sellable(self, partner_id: int, carrier: str, product_code: str) -> CarrierPackage:
        """The partner's active package, or a 422 naming what is missing."""
        code = rules.carrier_code(carrier)
        package = self.repo.package_by_code(partner_id, code, product_code.strip().upper())
        if package is None or not package.active:
            raise Invalid(
                f"no package {product_code} of {code} in the catalogue",
                code="package_not_found",
                field="product_code",
                carrier=code,
                product_code=product_code,
            )
        return package

    def create(self, principal: Principal, data: PackageCreate) -> CarrierPackage:
        partner_id = principal.require_partner()
        package = self._new(partner_id, data)
        record_change(
            self.session,
            principal,
            "package.create",
            "carrier_package",
            package.id,
            after=_fields(package),
        )
        return package

    def update(self, principal: Principal, package_id: int, data: PackageUpdate) -> CarrierPackage:
        principal.require_partner()
        package = self.get(principal, package_id)
        before = _fields(package)
        for name, value in data.model_dump(exclude_unset=True).items():
            if value is None:
                raise Invalid(f"{name} cannot be null", field=name)
            setattr(package, name, value.strip() if isinstance(value, str) else value)
        self.session.flush()
        record_change(
            self.session,
            principal,
            "package.update",
            "carrier_package",
            package.id,
            before=before,
            after=_fields(package),
        )
        return package

    def load(
        self, partner_id: int, rows: Iterable[Mapping[str, str | None]], *, actor: str = "cli"
    ) -> LoadReport:
        """Create or update the partner's packages from CSV rows (line numbers from 2).

        A bad row is reported with its line and reason and does not stop the others.
        """
        created = updated = 0
        rejected: list[tuple[int, str]] = []
        for line, row in enumerate(rows, start=2):
            try:
                data = _row(row)
                existing = self.repo.package_by_code(partner_id, data.carrier, data.product_code)
                if existing is None:
                    package = self._new(partner_id, data)
                    before = None
                    created += 1
                else:
                    package, before = existing, _fields(existing)
                    self._apply(package, data)
                    updated += 1
            except DomainError as exc:
                rejected.append((line, exc.message))
                continue
            record(
                self.session,
                actor=actor,
                action="package.load",
                object_type="carrier_package",
                object_id=package.id,
                partner_id=partner_id,
                tenant_id=None,
                before=before,
                after=_fields(package),
            )
        return LoadReport(created=created, updated=updated, rejected=rejected)

    def _new(self, partner_id: int, data: PackageCreate) -> CarrierPackage:
        carrier = rules.carrier_code(data.carrier)
        product_code = data.product_code.strip().upper()
        if self.repo.package_by_code(partner_id, carrier, product_code) is not None:
            raise Conflict(
                f"{product_code} of {carrier} is in the catalogue already",
                code="package_exists",
                field="product_code",
            )
        package = CarrierPackage(partner_id=partner_id, carrier=carrier, product_code=product_code)
        self._apply(package, data)
        self.repo.add(package)
        return package

    def _apply(self, package: CarrierPackage, data: PackageCreate) -> None:
        package.type, package.price, package.currency = data.type, data.price, data.currency
        package.validity_days, package.active = data.validity_days, data.active
        package.description = data.description.strip()
        self.session.flush()


def _row(row: Mapping[str, str | None]) -> PackageCreate:
    """One CSV row as a package: blank optional cells take their defaults."""
    cells = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
    missing = [
        c for c in ("carrier", "product_code", "type", "price", "validity_days") if not cells.get(c)
    ]
    if missing:
        raise Invalid(f"missing {', '.join(missing)}")
    try:
        price = Decimal(cells["price"])
        days = int(cells["validity_days"])
    except (InvalidOperation, ValueError):
        raise Invalid("price must be a decimal and validity_days a whole number") from None
    active = cells.get("active", "").lower()
    if active not in ("", "true", "false", "1", "0", "yes", "no"):
        raise Invalid(f"active must be true or false, not {active!r}")
    try:
        return PackageCreate(
            carrier=rules.carrier_code(cells["carrier"]),
            product_code=cells["product_code"].upper(),
            type=cells["type"].upper(),
            price=price,
            currency=(cells.get("currency") or "VND").upper(),
            validity_days=days,
            description=cells.get("description", ""),
            active=active not in ("false", "0", "no"),
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise Invalid(f"{field}: {first['msg']}") from None
