"""/v1/numbers: search the stock, list and read owned numbers, release."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from vpbx.api.deps import PrincipalDep, SessionDep, SettingsDep
from vpbx.api.native.params import Limit, Price, Text
from vpbx.api.transaction import TransactionalRoute
from vpbx.numbers.enums import NumberType, OwnerType, Tier
from vpbx.numbers.schemas import AvailableNumber, OwnedNumber, Page, SearchFilters
from vpbx.numbers.service import NumberService

router = APIRouter(prefix="/v1/numbers", tags=["numbers"], route_class=TransactionalRoute)

TierName = Annotated[str, Query(pattern="^(simple|bronze|silver|gold|platinum|exclusive)$")]


@router.get("/available", response_model=Page[AvailableNumber])
def search_available(
    session: SessionDep,
    settings: SettingsDep,
    _principal: PrincipalDep,
    mask: Annotated[
        str | None,
        Query(
            max_length=40,
            description=(
                "Digits, '?' for exactly one digit, '*' for any run. Matched against the national "
                "number, or against the subscriber part when area_code is given."
            ),
        ),
    ] = None,
    country: Annotated[str | None, Query(pattern="^[A-Za-z]{2}$")] = None,
    area_code: Annotated[str | None, Query(pattern="^[0-9]{1,6}$")] = None,
    region: Text = None,
    number_type: NumberType | None = None,
    tier: Annotated[list[TierName] | None, Query()] = None,
    min_tier: TierName | None = None,
    owner_type: OwnerType | None = None,
    currency: Annotated[str | None, Query(pattern="^[A-Za-z]{3}$")] = None,
    price_min: Price = None,
    price_max: Price = None,
    sms: bool | None = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Limit = None,
) -> Response:
    filters = SearchFilters(
        mask=mask,
        country=country,
        area_code=area_code,
        region=region,
        number_type=number_type,
        tiers=[Tier.from_label(t) for t in tier or []],
        min_tier=Tier.from_label(min_tier) if min_tier else None,
        owner_type=owner_type,
        currency=currency,
        price_min=price_min,
        price_max=price_max,
        sms=sms,
    )
    page = NumberService(session, settings).search(filters, cursor=cursor, limit=limit)
    # The page is already validated: serialise it once instead of letting FastAPI
    # re-validate it against response_model (search is the hottest endpoint).
    return Response(page.model_dump_json(), media_type="application/json")


@router.get("", response_model=Page[OwnedNumber])
def list_owned(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    status: Annotated[str | None, Query(pattern="^(active|reserved)$")] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Limit = None,
) -> Page[OwnedNumber]:
    return NumberService(session, settings).list_owned(
        principal, status=status, cursor=cursor, limit=limit
    )


@router.get("/{number}", response_model=OwnedNumber | AvailableNumber)
def get_number(
    number: str, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> OwnedNumber | AvailableNumber:
    return NumberService(session, settings).get(principal, number)


@router.delete("/{number}", response_model=OwnedNumber)
def release_number(
    number: str, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> OwnedNumber | AvailableNumber:
    return NumberService(session, settings).release(principal, number)
