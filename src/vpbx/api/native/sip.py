"""The SIP server's face: /v1/sip/* for Kamailio, /v1/trunks for partners, and
/v1/extensions/{id}/registrations for tenants.

Kamailio is not a tenant's API caller: it serves every tenant, so it authenticates with
the instance's SIP token (`Authorization: Basic` with user `sip`, or `Bearer`), and each
request names its tenant by what the call carries (see vpbx.sip.service).
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Body, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from vpbx.api.deps import PrincipalDep, SessionDep, SettingsDep
from vpbx.api.native.params import IdCursor, IdPath, Limit, page_limit
from vpbx.api.transaction import TransactionalRoute
from vpbx.config import Settings
from vpbx.db import transaction
from vpbx.errors import Unauthenticated
from vpbx.numbers.schemas import Page
from vpbx.numbers.service import now_utc
from vpbx.sip.registrations import RegistrationService
from vpbx.sip.schemas import (
    MAX_OUTCOMES,
    CallEvent,
    CallsRecorded,
    Registrations,
    RouteRequest,
    TrunkCreate,
    TrunkOut,
    TrunkUpdate,
)
from vpbx.sip.service import SipService
from vpbx.sip.settings import SipSettings, get_sip_settings, sip_token
from vpbx.sip.trunks import TrunkService

T = TypeVar("T")


def _sip_settings(request: Request) -> SipSettings:
    settings: SipSettings | None = getattr(request.app.state, "sip_settings", None)
    return settings or get_sip_settings()


def _presented_token(request: Request) -> str | None:
    header = request.headers.get("authorization") or ""
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    if scheme.lower() == "basic":
        try:
            user, _, password = (
                base64.b64decode(value.strip(), validate=True).decode().partition(":")
            )
        except (binascii.Error, UnicodeDecodeError):
            return None
        return password if user == "sip" else None
    return None


def _require_sip_token(request: Request) -> None:
    presented = _presented_token(request)
    expected = sip_token(_sip_settings(request))
    if presented is None or not hmac.compare_digest(presented.encode(), expected.encode()):
        raise Unauthenticated(
            "this endpoint is for the SIP server: send its token", code="invalid_sip_token"
        )


class SipServerRoute(APIRoute):
    """Routes only the SIP server may call: the instance's SIP token (checked before
    the body is read), no tenant key.

    Kamailio asks once per call, so these routes take the short path: the endpoint
    runs its whole transaction in one trip to the thread pool (`in_transaction`),
    where the API's TransactionalRoute makes three; on this 2-core machine each trip
    costs about as much as the route decision's query."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        endpoint = super().get_route_handler()

        async def handler(request: Request) -> Response:
            _require_sip_token(request)
            return await endpoint(request)

        return handler


def _in_transaction(request: Request, work: Callable[[Session, Settings], T]) -> T:
    """`work` in one transaction: committed when it returns, rolled back if it raises."""
    with transaction(request.app.state.session_factory) as session:
        return work(session, request.app.state.settings)


async def in_transaction(request: Request, work: Callable[[Session, Settings], T]) -> T:
    return await run_in_threadpool(_in_transaction, request, work)


server = APIRouter(prefix="/v1/sip", tags=["sip server"], route_class=SipServerRoute)
native = APIRouter(prefix="/v1", tags=["sip"], route_class=TransactionalRoute)


@server.post("/route", response_model=None)
async def route_call(body: RouteRequest, request: Request) -> JSONResponse:
    """The plan Kamailio carries out for a new call: `{"action": "reject", "status",
    "reason"}` or `{"action": "route", "steps": [{"uris", "lookup", "timeout",
    "from_user", "from_name", "pai"}], "context"}`. A rejected call is recorded here."""
    plan = await in_transaction(
        request, lambda session, settings: SipService(session, settings).route(body, now_utc())
    )
    return JSONResponse(plan)


@server.post("/calls", response_model=None)
async def record_call(body: CallEvent, request: Request) -> JSONResponse:
    """How a routed call ended; stored as its call record (once per call_id)."""
    await in_transaction(
        request, lambda session, settings: SipService(session, settings).record(body)
    )
    return JSONResponse({"recorded": True})


@server.post("/calls/batch", response_model=CallsRecorded)
async def record_calls(
    body: Annotated[list[Any], Body(max_length=MAX_OUTCOMES)], request: Request
) -> Response:
    """Many call outcomes at once (a JSON array of what `/calls` takes), as Kamailio's
    timer posts them: each checked alone, the good ones stored, the rest listed in
    `rejected` with their index — one bad outcome never loses the others."""
    result = await in_transaction(
        request, lambda session, settings: SipService(session, settings).record_many(body)
    )
    return Response(result.model_dump_json(), media_type="application/json")


def _page(items: list[TrunkOut], limit: int) -> Page[TrunkOut]:
    more = len(items) > limit
    return Page(items=items[:limit], next_cursor=str(items[limit - 1].id) if more else None)


@native.get("/trunks", response_model=Page[TrunkOut])
def list_trunks(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    cursor: IdCursor = None,
    limit: Limit = None,
) -> Page[TrunkOut]:
    size = page_limit(limit, settings.page_size_max)
    return _page(TrunkService(session).list(principal, after_id=cursor, limit=size + 1), size)


@native.post("/trunks", status_code=201, response_model=TrunkOut)
def create_trunk(body: TrunkCreate, session: SessionDep, principal: PrincipalDep) -> TrunkOut:
    return TrunkService(session).create(principal, body)


@native.get("/trunks/{trunk_id}", response_model=TrunkOut)
def get_trunk(trunk_id: IdPath, session: SessionDep, principal: PrincipalDep) -> TrunkOut:
    service = TrunkService(session)
    return service.view([service.get(principal, trunk_id)])[0]


@native.patch("/trunks/{trunk_id}", response_model=TrunkOut)
def update_trunk(
    trunk_id: IdPath, body: TrunkUpdate, session: SessionDep, principal: PrincipalDep
) -> TrunkOut:
    return TrunkService(session).update(principal, trunk_id, body)


@native.delete("/trunks/{trunk_id}", status_code=204)
def delete_trunk(trunk_id: IdPath, session: SessionDep, principal: PrincipalDep) -> Response:
    TrunkService(session).delete(principal, trunk_id)
    return Response(status_code=204)


@native.put("/trunks/{trunk_id}/tenants/{tenant_id}", response_model=TrunkOut)
def assign_trunk(
    trunk_id: IdPath, tenant_id: IdPath, session: SessionDep, principal: PrincipalDep
) -> TrunkOut:
    """The tenant's outside calls leave through this trunk (one trunk per tenant)."""
    return TrunkService(session).assign(principal, trunk_id, tenant_id)


@native.delete("/trunks/{trunk_id}/tenants/{tenant_id}", status_code=204)
def unassign_trunk(
    trunk_id: IdPath, tenant_id: IdPath, session: SessionDep, principal: PrincipalDep
) -> Response:
    TrunkService(session).unassign(principal, trunk_id, tenant_id)
    return Response(status_code=204)


@native.get("/extensions/{extension_id}/registrations", response_model=Registrations, tags=["pbx"])
def extension_registrations(
    extension_id: IdPath, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> Registrations:
    """Who is registered with this extension now: contact, source, expiry, user agent."""
    return RegistrationService(session, settings).for_extension(principal, extension_id)
