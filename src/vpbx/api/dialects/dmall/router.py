"""DMall's paths: a partner sells carrier packages confirmed by a one-time code.

`api-key` is a vpbx API key. A partner's key sells from the partner's catalogue; a
tenant's key (a shop of the partner) sells from the same catalogue, and its orders are
the tenant's. Every answer, failures included, is DMall's envelope.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from vpbx.api.deps import PrincipalDep, SessionDep, SettingsDep
from vpbx.api.dialects.dmall import errors, mapping, wire
from vpbx.api.dialects.kit import DialectRoute, Failure
from vpbx.errors import Unauthenticated
from vpbx.packages.service import PackageOrderService
from vpbx.tenancy.principal import Principal
from vpbx.tenancy.service import TenancyService

PREFIX = "/api-customer/public/order/partner"


class DmallRoute(DialectRoute):
    def identify(self, session: Session, request: Request) -> Principal | None:
        key = request.headers.get("api-key", "").strip()
        if not key:
            raise Unauthenticated("send the api-key header", code="missing_api_key")
        return TenancyService(session).authenticate(key)

    def render_error(self, request: Request, failure: Failure) -> Response:
        return errors.render(failure)


class DmallFallbackRoute(DmallRoute):
    """Paths and methods DMall does not have, answered in its envelope (no key needed)."""

    def identify(self, session: Session, request: Request) -> Principal | None:
        return None


router = APIRouter(prefix=PREFIX, tags=["dmall"], route_class=DmallRoute)
_fallback = APIRouter(route_class=DmallFallbackRoute)
_PATHS = ("get-otp", "register_with_otp")


@router.post("/get-otp")
def get_otp(
    body: wire.GetOtpRequest, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> JSONResponse:
    """Create an order and send the subscriber a one-time code."""
    service = PackageOrderService(session, settings)
    order = service.request(principal, mapping.order_request(body))
    return wire.ok(wire.MSG_ORDER_CREATED, mapping.otp_data(service.view(order)))


@router.post("/register_with_otp")
def register_with_otp(
    body: wire.RegisterRequest, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> JSONResponse:
    """Confirm the order with the subscriber's code: the package is active."""
    service = PackageOrderService(session, settings)
    otp = mapping.confirmation(body).otp
    order = service.confirm(principal, otp, order_code=body.orderCode.strip())
    return wire.ok(wire.MSG_REGISTERED, mapping.register_data(service.view(order)))


@_fallback.api_route(
    "/{path:path}",
    methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
    include_in_schema=False,
)
def unknown(path: str) -> Response:
    raise StarletteHTTPException(405 if path in _PATHS else 404)


router.include_router(_fallback)
