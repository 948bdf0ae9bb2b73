"""OMICall's call history: `GET /api/call_transaction/list` (v1) and
`POST /api/v2/callTransaction/search` (v2), over the core's call records.

Neither document publishes every parameter: the v1 query parameters (page, size,
from_date, to_date in epoch ms, direction, sip_user, phone_number) are inferred from
OMICall's conventions; the v2 body fields are the published ones (the list is cut off,
so unknown fields are ignored). Newest calls first, page/size paging, size ≤ 50 on v2
as documented.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from vpbx.api.deps import PrincipalDep, SessionDep, SettingsDep
from vpbx.api.dialects.omicall import mapping, mapping_calls, wire
from vpbx.api.dialects.omicall.base import OmiRoute, PageNumber, PageSize
from vpbx.api.dialects.omicall.errors import ok
from vpbx.calls.schemas import CallFilter, CallOffsetPage
from vpbx.calls.service import CallRecordService
from vpbx.config import Settings
from vpbx.errors import Invalid
from vpbx.pbx.extensions import ExtensionService
from vpbx.pbx.schemas import NO_CONTROL
from vpbx.pbx.users import UserService
from vpbx.tenancy.principal import Principal

router = APIRouter(route_class=OmiRoute)
V2_SIZE_MAX = 50  # documented: "size max 50"
EpochMs = Annotated[int | None, Query(ge=0, le=wire.EPOCH_MS_MAX)]
Text = Annotated[str | None, Query(min_length=1, max_length=64, pattern=NO_CONTROL)]
# Extensions of the agents a v2 search names are read at most this many per agent.
_AGENT_EXTENSIONS = 100


def _page(
    session: Session,
    settings: Settings,
    principal: Principal,
    filters: CallFilter | None,
    *,
    page: int,
    size: int,
) -> CallOffsetPage:
    """A page of calls, or an empty one when the filter can match nothing (a tag, or
    agents without extensions: vpbx calls have no tags)."""
    if filters is None:
        return CallOffsetPage(items=[], page=page, size=size, total=0)
    return CallRecordService(session, settings).list_page(principal, filters, page=page, size=size)


@router.get("/api/call_transaction/list")
def list_call_transactions(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    page: PageNumber = 1,
    size: PageSize = 50,
    from_date: EpochMs = None,
    to_date: EpochMs = None,
    direction: Annotated[wire.OmiDirection | None, Query()] = None,
    sip_user: Text = None,
    phone_number: Text = None,
) -> JSONResponse:
    principal.require_tenant()
    mapping.page_offset(page, size, settings.page_size_max)
    filters = mapping_calls.call_filter(
        from_ms=from_date,
        to_ms=to_date,
        directions=[direction] if direction else [],
        extensions=[sip_user] if sip_user else [],
        hotlines=[],
        numbers=[phone_number] if phone_number else [],
        call_ids=[],
        extension_ids=[],
    )
    result = _page(session, settings, principal, filters, page=page, size=size)
    users = UserService(session).by_ids(
        principal, [c.user_id for c in result.items if c.user_id is not None]
    )
    items = [mapping_calls.call_transaction(c, users.get(c.user_id or 0)) for c in result.items]
    return ok(mapping.page_of(items, page=page, size=size, total=result.total))


@router.post("/api/v2/callTransaction/search")
def search_call_transactions(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    body: wire.CallSearch | None = None,
    page: PageNumber = 1,
    size: PageSize = 50,
) -> JSONResponse:
    tenant_id = principal.require_tenant()
    mapping.page_offset(page, size, V2_SIZE_MAX)
    body = body or wire.CallSearch()
    agents = _agent_extensions(session, settings, principal, body)
    filters = None
    if not body.tagIds and agents != []:
        filters = mapping_calls.call_filter(
            from_ms=body.fromDate,
            to_ms=body.toDate,
            directions=list(body.directions),
            extensions=body.sipUsers,
            hotlines=[mapping.number_in(n, settings.default_country) for n in body.sipNumbers],
            numbers=body.phoneNumbers,
            call_ids=body.transactionIds,
            extension_ids=agents or [],
        )
    result = _page(session, settings, principal, filters, page=page, size=size)
    users = UserService(session).by_ids(
        principal, [c.user_id for c in result.items if c.user_id is not None]
    )
    items = [
        mapping_calls.call_transaction_v2(c, users.get(c.user_id or 0), tenant_id)
        for c in result.items
    ]
    return ok(mapping.page_of(items, page=page, size=size, total=result.total))


def _agent_extensions(
    session: Session, settings: Settings, principal: Principal, body: wire.CallSearch
) -> list[int] | None:
    """The extensions of the agents named by email or id: None when none is named,
    [] when they have none (or do not exist), so nothing can match."""
    if not body.agentEmails and not body.agentUuids:
        return None
    users = UserService(session)
    user_ids = {u.id for e in body.agentEmails if (u := users.by_email(principal, e))}
    wanted = [mapping.parse_object_id(text, "agentUuids") for text in body.agentUuids]
    user_ids |= set(users.by_ids(principal, [i for i in wanted if i is not None]))
    service = ExtensionService(session, settings)
    found = [
        e.id
        for user_id in sorted(user_ids)
        for e in service.list(principal, user_id=user_id, limit=_AGENT_EXTENSIONS)
    ]
    if len(found) > wire.MAX_FILTER_VALUES:
        raise Invalid(
            f"these agents have more than {wire.MAX_FILTER_VALUES} extensions: name fewer",
            field="agentEmails",
        )
    return found
