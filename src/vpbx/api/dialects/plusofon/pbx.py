"""Plusofon's PBX lists found in its public notes (provider-apis.md §3.2; inferred):
`api/v1/sip`, `api/v1/groups`, `api/v1/contact-lists`, and sending SMS (`api/v1/sms`).

The notes give these lists' fields, not their envelope: they answer in the paginator
every other Plusofon list uses.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from vpbx.api.deps import PrincipalDep, SessionDep, SettingsDep
from vpbx.api.dialects.plusofon import mapping, wire
from vpbx.api.dialects.plusofon.base import Input, PlusofonRoute, collect, parse
from vpbx.messaging.service import MessagingService
from vpbx.pbx.contacts import ContactListService
from vpbx.pbx.extensions import ExtensionService
from vpbx.pbx.groups import GroupService

router = APIRouter(prefix="/api/v1", route_class=PlusofonRoute)

# Plusofon's group sequence rules; vpbx's other strategies ring one member at a time
# in an order, which is Plusofon's "Order".
_SEQUENCE = {"simultaneous": "Simultaneous", "random": "Random"}


def _page(request: Request, values: dict[str, Any], rows: list[dict[str, Any]]) -> JSONResponse:
    page = wire.page_of(values)
    shown = rows[(page - 1) * wire.PER_PAGE : page * wire.PER_PAGE]
    body = wire.paginator(request, shown, page=page, per_page=wire.PER_PAGE, total=len(rows))
    return JSONResponse(body)


@router.get("/sip")
def list_sip(
    request: Request,
    values: Input,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> JSONResponse:
    """SIP accounts: vpbx extensions. `kazoo_id` is null (vpbx runs no Kazoo);
    `finally_created` is whether the account can register (enabled)."""
    service = ExtensionService(session, settings)
    extensions = collect(
        lambda after: service.list(principal, after_id=after, limit=settings.page_size_max),
        lambda e: e.id,
    )
    rows = [
        {
            "id": e.id,
            "name": e.display_name or e.number,
            "number": e.number,
            "kazoo_id": None,
            "finally_created": e.enabled,
            "aon": {"number": mapping.wire_number(e.caller_id_hotline)}
            if e.caller_id_hotline
            else None,
        }
        for e in extensions
    ]
    return _page(request, values, rows)


@router.get("/groups")
def list_groups(
    request: Request,
    values: Input,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> JSONResponse:
    service = GroupService(session)
    groups = collect(
        lambda after: service.list_groups(principal, after_id=after, limit=settings.page_size_max),
        lambda g: g.id,
    )
    rows = [
        {
            "id": g.id,
            "name": g.name,
            "timeout": g.timeout_s,
            "number": g.number,
            "sequence_rule": _SEQUENCE.get(g.strategy, "Order"),
        }
        for g in groups
    ]
    return _page(request, values, rows)


@router.get("/contact-lists")
def list_contact_lists(
    request: Request,
    values: Input,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> JSONResponse:
    service = ContactListService(session, settings)
    lists = collect(
        lambda after: service.list_lists(
            principal, list_type=None, after_id=after, limit=settings.page_size_max
        ),
        lambda c: c.id,
    )
    rows = [{"id": c.id, "name": c.name, "type": c.type} for c in lists]
    return _page(request, values, rows)


@router.post("/sms")
def send_sms(
    values: Input, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> JSONResponse:
    """Send a text from one of the tenant's SMS numbers (by id), spending its packet."""
    body = parse(wire.SmsSend, values)
    message = MessagingService(session, settings).send_from(
        principal, body.number_id, mapping.number_in(body.to), text=body.text
    )
    return JSONResponse({"success": True, "id": message.id, "parts": message.parts})
