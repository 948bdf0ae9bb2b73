"""/v1/packages and /v1/package-orders: the partner's catalogue and orders by one-time code."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from vpbx.api.deps import PrincipalDep, SessionDep, SettingsDep
from vpbx.api.native.params import NO_NUL, IdCursor, IdPath, Limit, page_limit
from vpbx.api.transaction import TransactionalRoute
from vpbx.numbers.schemas import Page
from vpbx.packages.catalogue import CatalogueService
from vpbx.packages.rules import PackageType
from vpbx.packages.schemas import (
    OrderConfirm,
    OrderOut,
    OrderRequest,
    PackageCreate,
    PackageOut,
    PackageUpdate,
)
from vpbx.packages.service import PackageOrderService

router = APIRouter(prefix="/v1", tags=["packages"], route_class=TransactionalRoute)
CarrierFilter = Annotated[str | None, Query(max_length=16, pattern=r"^[A-Za-z]+$")]
PhoneFilter = Annotated[str | None, Query(max_length=32, pattern=NO_NUL)]
StoredStatus = Literal["pending", "active", "failed", "cancelled"]


@router.get("/packages", response_model=Page[PackageOut])
def list_packages(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    carrier: CarrierFilter = None,
    type: PackageType | None = None,
    active: bool | None = None,
    cursor: IdCursor = None,
    limit: Limit = None,
) -> Page[PackageOut]:
    """The catalogue of the caller's partner (a tenant key sees its partner's)."""
    size = page_limit(limit, settings.page_size_max)
    rows = CatalogueService(session).list_packages(
        principal, carrier=carrier, type_=type, active=active, after_id=cursor, limit=size + 1
    )
    items = [PackageOut.model_validate(p) for p in rows[:size]]
    return Page(items=items, next_cursor=str(items[-1].id) if len(rows) > size else None)


@router.post("/packages", status_code=201, response_model=PackageOut)
def create_package(body: PackageCreate, session: SessionDep, principal: PrincipalDep) -> PackageOut:
    """Add a package to the partner's catalogue (partner key)."""
    return PackageOut.model_validate(CatalogueService(session).create(principal, body))


@router.get("/packages/{package_id}", response_model=PackageOut)
def get_package(package_id: IdPath, session: SessionDep, principal: PrincipalDep) -> PackageOut:
    return PackageOut.model_validate(CatalogueService(session).get(principal, package_id))


@router.patch("/packages/{package_id}", response_model=PackageOut)
def update_package(
    package_id: IdPath, body: PackageUpdate, session: SessionDep, principal: PrincipalDep
) -> PackageOut:
    """Change price, validity, description, type, or take it off sale (`active: false`)."""
    return PackageOut.model_validate(CatalogueService(session).update(principal, package_id, body))


@router.post("/package-orders", status_code=201, response_model=OrderOut)
def request_code(
    body: OrderRequest, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> OrderOut:
    """Send a one-time code to the subscriber's phone for a package; the order waits for it."""
    service = PackageOrderService(session, settings)
    return service.view(service.request(principal, body))


@router.get("/package-orders", response_model=Page[OrderOut])
def list_orders(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    status: StoredStatus | None = None,
    phone: PhoneFilter = None,
    cursor: IdCursor = None,
    limit: Limit = None,
) -> Page[OrderOut]:
    """Newest first; `cursor` continues below the last id shown."""
    size = page_limit(limit, settings.page_size_max)
    service = PackageOrderService(session, settings)
    rows = service.list_orders(
        principal, status=status, phone=phone, before_id=cursor, limit=size + 1
    )
    items = [service.view(o) for o in rows[:size]]
    return Page(items=items, next_cursor=str(items[-1].id) if len(rows) > size else None)


@router.get("/package-orders/{order_id}", response_model=OrderOut)
def get_order(
    order_id: IdPath, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> OrderOut:
    service = PackageOrderService(session, settings)
    return service.view(service.get(principal, order_id=order_id))


@router.post("/package-orders/{order_id}/confirm", response_model=OrderOut)
def confirm_order(
    order_id: IdPath,
    body: OrderConfirm,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> OrderOut:
    """Confirm with the subscriber's code: the package runs for its validity. Confirming
    an active order with its code answers the same again."""
    service = PackageOrderService(session, settings)
    return service.view(service.confirm(principal, body.otp, order_id=order_id))


@router.post("/package-orders/{order_id}/resend", response_model=OrderOut)
def resend_code(
    order_id: IdPath, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> OrderOut:
    """A new code for a pending order, after the cool-down; the old code stops working."""
    service = PackageOrderService(session, settings)
    return service.view(service.resend(principal, order_id))
