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
from vpbx.api.dialects.plusofon.base import Input, PlusofonRoute, parse
from vpbx.messaging.service import MessagingService
from vpbx.pbx.contacts import ContactListService
from vpbx.pbx.extensions import ExtensionService
from vpbx.pbx.groups import GroupService

router = APIRouter(prefix="/api/v1", route_class=PlusofonRoute)

# Plusofon's group sequence rules; vpbx's other strategies ring one member at a time
# in an order, which is Plusofon's "Order".
_SEQUENCE = {"simultaneous": "Simultaneous", "random": "Random"}


def _window(values: dict[str, Any]) -> tuple[int, int]:
    """The page number asked for, and the offset of its first row."""
    page = wire.page_of(values)
    return page, (page - 1) * wire.PER_PAGE


def _paginator(request: Request, page: int, rows: list[dict[str, Any]], total: int) -> JSONResponse:
    body = wire.paginator(request, rows, page=page, per_page=wire.PER_PAGE, total=total)
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
    page, offset = _window(values)
    found = ExtensionService(session, settings).page(principal, offset=offset, limit=wire.PER_PAGE)
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
        for e in found.items
    ]
    return _paginator(request, page, rows, found.total)


@router.get("/groups")
def list_groups(
    request: Request,
    values: Input,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> JSONResponse:
    page, offset = _window(values)
    found = GroupService(session, settings).groups_page(
        principal, offset=offset, limit=wire.PER_PAGE
    )
    rows = [
        {
            "id": g.id,
            "name": g.name,
            "timeout": g.timeout_s,
            "number": g.number,
            "sequence_rule": _SEQUENCE.get(g.strategy, "Order"),
        }
        for g in found.items
    ]
    return _paginator(request, page, rows, found.total)


@router.get("/contact-lists")
def list_contact_lists(
    request: Request,
    values: Input,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> JSONResponse:
    page, offset = _window(values)
    found = ContactListService(session, settings).lists_page(
        principal, offset=offset, limit=wire.PER_PAGE
    )
    rows = [{"id": c.id, "name": c.name, "type": c.type} for c in found.items]
    return _paginator(request, page, rows, found.total)


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
