"""/v1/reservations and /v1/orders: hold numbers, then buy them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from vpbx.api.deps import PrincipalDep, SessionDep, SettingsDep
from vpbx.api.native.params import BodyText, IdCursor, IdPath, Limit
from vpbx.api.problems import problem
from vpbx.api.transaction import TransactionalRoute
from vpbx.errors import NotAvailable
from vpbx.numbers.enums import OwnerType
from vpbx.numbers.schemas import OrderOut, Page, ReservationOut, ReservationResult
from vpbx.numbers.service import MAX_NUMBERS_PER_REQUEST, NumberService

router = APIRouter(prefix="/v1", tags=["reservations and orders"], route_class=TransactionalRoute)

NumberList = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=32)]],
    Field(min_length=1, max_length=MAX_NUMBERS_PER_REQUEST),
]


class ReservationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    numbers: NumberList
    owner_type: OwnerType = OwnerType.BUSINESS
    minutes: int | None = Field(
        default=None,
        ge=1,
        le=7 * 24 * 60,
        description="Hold length; the instance default if omitted.",
    )


class ReservationBatch(BaseModel):
    data: list[ReservationResult]
    reserved: int
    failed: int


class OrderCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    numbers: NumberList
    months: int = Field(ge=1, le=1200)
    owner_type: OwnerType = OwnerType.BUSINESS
    note: BodyText = ""


def all_failed(results: list[ReservationResult]) -> tuple[int, str]:
    """One status and code for a batch where nothing was reserved, whatever its order."""
    codes = {r.error for r in results}
    if codes <= {"invalid_number", "duplicate_number"}:
        return 422, "invalid_number"
    if NotAvailable.code in codes:
        return 409, NotAvailable.code
    return 409, sorted(c for c in codes if c)[0]


@router.post(
    "/reservations",
    status_code=201,
    response_model=ReservationBatch,
    responses={409: {"description": "none of the numbers could be reserved"}},
)
def create_reservations(
    body: ReservationCreate,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> ReservationBatch | JSONResponse:
    results = NumberService(session, settings).reserve(
        principal, body.numbers, owner_type=body.owner_type, minutes=body.minutes
    )
    reserved = sum(r.status == "reserved" for r in results)
    if reserved == 0:
        status, code = all_failed(results)
        return problem(
            status,
            code,
            "none of the numbers could be reserved",
            results=[r.model_dump(mode="json") for r in results],
        )
    return ReservationBatch(data=results, reserved=reserved, failed=len(results) - reserved)


@router.get("/reservations", response_model=Page[ReservationOut])
def list_reservations(
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    include_ended: bool = False,
    cursor: IdCursor = None,
    limit: Limit = None,
) -> Page[ReservationOut]:
    return NumberService(session, settings).list_reservations(
        principal, include_ended=include_ended, after_id=cursor, limit=limit
    )


@router.get("/reservations/{reservation_id}", response_model=ReservationOut)
def get_reservation(
    reservation_id: IdPath, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> ReservationOut:
    return NumberService(session, settings).get_reservation(principal, reservation_id)


@router.delete("/reservations/{reservation_id}", response_model=ReservationOut)
def cancel_reservation(
    reservation_id: IdPath, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> ReservationOut:
    return NumberService(session, settings).cancel_reservation(principal, reservation_id)


@router.post("/orders", status_code=201, response_model=OrderOut)
def create_order(
    body: OrderCreate, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> OrderOut:
    return NumberService(session, settings).buy(
        principal, body.numbers, months=body.months, owner_type=body.owner_type, note=body.note
    )


@router.get("/orders/{order_id}", response_model=OrderOut)
def get_order(
    order_id: IdPath, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> OrderOut:
    return NumberService(session, settings).get_order(principal, order_id)
