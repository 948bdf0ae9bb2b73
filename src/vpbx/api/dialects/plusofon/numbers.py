"""Plusofon's number methods (`api/v1/number…`), the seed's whole group.

Each endpoint reads its parameters (base.Input), calls the services and writes the
document's shapes. Lists are Laravel's numbered pages, read by position from the
services with their totals; what a number list shows beside each number (forwarding,
black list, the SIP accounts presenting it) is read for the whole page at once.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from vpbx.api.deps import PrincipalDep, SessionDep, SettingsDep
from vpbx.api.dialects.plusofon import mapping, wire
from vpbx.api.dialects.plusofon.base import Input, PlusofonRoute, parse, path_id
from vpbx.config import Settings
from vpbx.errors import Invalid, NotAvailable, NotFound, RateLimited
from vpbx.kit.pages import OffsetPage
from vpbx.messaging.packets import PacketService
from vpbx.numbers.enums import NumberStatus
from vpbx.numbers.lines import LineService
from vpbx.numbers.schemas import Line, SearchFilters, StockNumber, TenantNumber
from vpbx.numbers.service import NumberService
from vpbx.pbx.contacts import ContactListService
from vpbx.pbx.extensions import ExtensionService
from vpbx.pbx.forwarding import ForwardingService
from vpbx.tenancy.principal import Principal

router = APIRouter(prefix="/api/v1/number", route_class=PlusofonRoute)
SUCCESS = {"success": True}
_SHORT_HOLD_MINUTES = 60


def line_of(session: Session, settings: Settings, principal: Principal, number_id: int) -> Line:
    """The tenant's number by id; another tenant's, or none, is not found."""
    try:
        return LineService(session, settings).line(principal, number_id)
    except NotFound:
        raise NotFound(f"number {number_id} not found", code="number_not_found") from None


def _numbers_page(
    session: Session, settings: Settings, principal: Principal, status: str, values: Input
) -> tuple[int, OffsetPage[TenantNumber]]:
    """The page asked for (`page`, `phone_type`) of the tenant's numbers in one state."""
    query = parse(wire.NumberFilter, values)
    page = wire.page_of(values)
    found = NumberService(session, settings).owned_page(
        principal,
        status=status,
        number_type=mapping.PHONE_TYPES[query.phone_type] if query.phone_type else None,
        offset=(page - 1) * wire.PER_PAGE,
        limit=wire.PER_PAGE,
    )
    return page, found


# --- the tenant's numbers ---------------------------------------------------------------


@router.get("")
def list_numbers(
    request: Request,
    values: Input,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> JSONResponse:
    """The numbers connected in this account (active), with forwarding and black list."""
    page, found = _numbers_page(session, settings, principal, "active", values)
    shown = found.items
    e164s = [n.e164 for n in shown]
    forwarding = ForwardingService(session).get_many(principal, e164s)
    lists = ContactListService(session, settings).lists_of_numbers(principal, e164s)
    sips = ExtensionService(session, settings).presenting(principal, [n.id for n in shown])
    data = []
    for number in shown:
        view = forwarding.get(number.e164)
        black = lists[number.e164].black if number.e164 in lists else None
        price = number.prices[0]
        data.append(
            {
                "id": number.id,
                "number": mapping.wire_number(number.e164),
                "phone_type": mapping.phone_type(number.number_type),
                "owner_type": (number.owner_type or "business"),
                "period_price": mapping.money(price.monthly),
                "buy_price": mapping.money(price.connection),
                "black_list": black.id if black else None,
                "aon_for_sips": [
                    {"id": e.id, "name": e.display_name or e.number}
                    for e in sips.get(number.id, [])
                ],
                "following": None if view is None else mapping.following(view),
                "integration_following": (
                    None if view is None else mapping.integration_following(view)
                ),
            }
        )
    body = wire.paginator(request, data, page=page, per_page=wire.PER_PAGE, total=found.total)
    return JSONResponse(body)


@router.get("/sms")
def list_sms_numbers(
    request: Request,
    values: Input,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> JSONResponse:
    """Numbers with SMS service, each with the packet its messages spend now."""
    page = wire.page_of(values)
    rows, total = PacketService(session).sms_number_page(
        principal, offset=(page - 1) * wire.PER_PAGE, limit=wire.PER_PAGE
    )
    data = [
        {
            "id": row.id,
            "number": mapping.wire_number(row.number),
            "phone_type": mapping.phone_type(row.number_type),
            "owner_type": row.owner_type or "business",
            "sms_packet": None
            if row.packet is None
            else {
                "packet": row.packet.uid,
                "packet_name": row.packet.name,
                "sms_amount": row.packet.quota,
                "price": mapping.money_text(row.packet.price),
                "sms_remaining": row.packet.remaining,
            },
        }
        for row in rows
    ]
    body = wire.paginator(request, data, page=page, per_page=wire.PER_PAGE, total=total)
    return JSONResponse(body)


@router.post("/follow")
def follow(
    values: Input, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> JSONResponse:
    """Set one forwarding on the numbers given by id, all or nothing."""
    body = parse(wire.Follow, values)
    e164s = _body_numbers(session, settings, principal, body.numbers)
    destination = body.destination_number
    if destination is not None and destination.strip():
        destination = mapping.number_in(destination)
    spec = mapping.forwarding_spec(body, destination)
    ForwardingService(session).set_many(principal, e164s, spec)
    return JSONResponse(SUCCESS)


def _body_numbers(
    session: Session, settings: Settings, principal: Principal, number_ids: list[int]
) -> list[str]:
    """The tenant's active numbers named by id in a body; any other is 422."""
    wanted = list(dict.fromkeys(number_ids))
    lines = LineService(session, settings).by_ids(principal, wanted)
    for number_id in wanted:
        line = lines.get(number_id)
        if line is None or line.status != NumberStatus.ACTIVE:
            raise Invalid(
                f"number {number_id} not found among your numbers",
                code="number_not_found",
                field="numbers",
            )
    return [lines[number_id].e164 for number_id in wanted]


@router.patch("/contact-list")
def assign_contact_list(
    values: Input, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> JSONResponse:
    """Put a black list on the numbers (none: remove theirs), all or nothing."""
    body = parse(wire.ContactListAssign, values)
    ContactListService(session, settings).assign_ids(
        principal, body.contact_list_id, "black", body.numbers
    )
    return JSONResponse(SUCCESS)


@router.get("/follow-types")
def follow_types(principal: PrincipalDep) -> JSONResponse:
    """Every forwarding type vpbx has, with the owner types it is allowed for."""
    types = [
        {
            "type": kind.type,
            "title": mapping.FOLLOW_TITLES.get(kind.type, kind.title),
            "owner_types": list(kind.owner_types),
        }
        for kind in ForwardingService.types()
    ]
    return JSONResponse({"follow_types": types})


@router.get("/cli-types")
def cli_types(principal: PrincipalDep) -> JSONResponse:
    modes = [
        {"type": mode.mode, "title": mapping.CLI_TITLES.get(mode.mode, mode.title)}
        for mode in ForwardingService.cli_modes()
    ]
    return JSONResponse({"cli_types": modes})


# --- the stock ----------------------------------------------------------------------------


@router.get("/search")
def search(
    request: Request,
    values: Input,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> JSONResponse:
    """The stock on sale (Russian numbers), 20 a page. `phone_number` is a mask of the
    number without its city code: after `city_code` when one is given, else anywhere
    at the end of the number."""
    query = parse(wire.Search, values)
    page = wire.page_of(values)
    filters = SearchFilters(
        country=mapping.COUNTRY,
        number_type=mapping.PHONE_TYPES[query.phone_type] if query.phone_type else None,
        tiers=[mapping.TIERS[query.number_type]] if query.number_type is not None else [],
        owner_type=mapping.owner_type(query.owner_type) if query.owner_type else None,
    )
    codes = _area_codes(query)
    if query.phone_number:
        filters.mask = query.phone_number if query.city_code else "*" + query.phone_number
    items, total = _search_codes(
        NumberService(session, settings), filters, codes, offset=(page - 1) * wire.PER_PAGE_SEARCH
    )
    data = [
        {
            "number_type": mapping.number_type(n.tier),
            "number": n.national_number,
            "buy_price": mapping.money_text(n.prices[0].connection),
            "period_price": mapping.money_text(n.prices[0].monthly),
            "owner_type": query.owner_type or n.owner_types[0].value,
            "phone_type": mapping.phone_type(n.number_type),
        }
        for n in items
    ]
    body = wire.paginator(request, data, page=page, per_page=wire.PER_PAGE_SEARCH, total=total)
    return JSONResponse(body)


def _area_codes(query: wire.Search) -> list[str | None]:
    """The city codes searched: `city_code`, else the region's codes, else any."""
    if query.city_code is not None:
        if query.region is not None and str(query.city_code) not in mapping.REGION_CODES.get(
            query.region, ()
        ):
            return []  # a city outside the region: nothing matches both
        return [str(query.city_code)]
    if query.region is not None:
        if query.region not in mapping.REGION_CODES:
            raise Invalid(
                f"region {query.region} not found (see api/v1/number/code-regions)",
                code="region_not_found",
                field="region",
            )
        return list(mapping.REGION_CODES[query.region])
    return [None]


def _search_codes(
    service: NumberService, filters: SearchFilters, codes: list[str | None], *, offset: int
) -> tuple[list[StockNumber], int]:
    """One numbered page over several city codes searched one after another."""
    items: list[StockNumber] = []
    total = 0
    for code in codes:
        filters.area_code = code
        room = wire.PER_PAGE_SEARCH - len(items)
        start = max(0, offset - total)
        found, count = service.search_page(filters, offset=start, limit=max(room, 1))
        if room > 0 and start < count:
            items.extend(found[:room])
        total += count
    return items, total


@router.get("/code-regions")
def code_regions(values: Input, principal: PrincipalDep) -> JSONResponse:
    """Regions and their city codes (geographic, "abc", numbers only)."""
    query = parse(wire.CodeRegions, values)
    regions = [] if query.type not in (None, "abc") else mapping.REGIONS
    data = [{"id": rid, "title": title, "code": list(codes)} for rid, title, codes in regions]
    return JSONResponse({"code_regions": data, "success": True})


# --- reservations and purchase -------------------------------------------------------------


@router.post("/reserve")
def reserve(
    values: Input, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> JSONResponse:
    """Hold a number of the stock (`short: 1`: for one hour, else the instance's hold)."""
    body = parse(wire.Reserve, values)
    minutes = _SHORT_HOLD_MINUTES if body.short == 1 else None
    result = NumberService(session, settings).reserve(
        principal,
        [mapping.number_in(body.number)],
        owner_type=mapping.owner_type(body.owner_type),
        minutes=minutes,
    )[0]
    if result.status != "reserved":
        message = result.message or f"{body.number} cannot be reserved"
        if result.error == "invalid_number":
            raise Invalid(message, code="invalid_number", field="number")
        if result.error == "reservation_limit":
            raise RateLimited(message, code="reservation_limit")
        raise NotAvailable(message, numbers=[result.number])
    return JSONResponse(SUCCESS)


@router.get("/reserve")
def list_reserved(
    request: Request,
    values: Input,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> JSONResponse:
    """The tenant's live holds, by number id."""
    page, found = _numbers_page(session, settings, principal, "reserved", values)
    data = [
        {
            "id": n.id,
            "number": mapping.wire_number(n.e164),
            "reserved_untill": mapping.timestamp(n.reserved_until),
            "phone_type": mapping.phone_type(n.number_type),
            "owner_type": n.hold_owner_type or n.owner_type or "business",
            "buy_price": mapping.money(n.prices[0].connection),
            "period_price": mapping.money(n.prices[0].monthly),
        }
        for n in found.items
    ]
    body = wire.paginator(request, data, page=page, per_page=wire.PER_PAGE, total=found.total)
    return JSONResponse(body)


@router.delete("/reserve/{reserve_number_id}")
def cancel_reservation(
    reserve_number_id: str, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> JSONResponse:
    """End the tenant's hold on a number (by the number's id, as the list shows it)."""
    number_id = path_id(reserve_number_id)
    line = line_of(session, settings, principal, number_id)
    if line.status != NumberStatus.RESERVED:
        raise NotFound(f"no reservation of number {number_id}", code="reservation_not_found")
    LineService(session, settings).give_back(principal, number_id)
    return JSONResponse(SUCCESS)


@router.post("/buy")
def buy(
    values: Input, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> JSONResponse:
    """Buy the numbers (held or on sale), all or none, for the shortest term vpbx sells
    (Plusofon bills monthly)."""
    body = parse(wire.Buy, values)
    NumberService(session, settings).buy(
        principal,
        [mapping.number_in(n) for n in body.numbers],
        months=settings.min_purchase_months,
        owner_type=mapping.owner_type(body.owner_type),
    )
    return JSONResponse(SUCCESS)


@router.delete("/{number_id}")
def delete_number(
    number_id: str,
    values: Input,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> JSONResponse:
    """Give a connected number back (it ages before going on sale again)."""
    parse(wire.NumberDelete, values)
    line = line_of(session, settings, principal, path_id(number_id))
    if line.status != NumberStatus.ACTIVE:
        raise NotFound(f"number {number_id} not found", code="number_not_found")
    NumberService(session, settings).release(principal, line.e164)
    return JSONResponse(SUCCESS)
