"""/v1/calls: call records. The SIP server posts them; the tenant reads them back."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from vpbx.api.deps import PrincipalDep, SessionDep, SettingsDep
from vpbx.api.native.params import IdPath, page_limit, utc_bound
from vpbx.api.transaction import TransactionalRoute
from vpbx.calls.schemas import (
    CALL_ID,
    DIAL_PLAN_NUMBER,
    MAX_FILTER_VALUES,
    MAX_ID,
    MAX_SECONDS,
    NO_CONTROL,
    CallBatchIn,
    CallBatchOut,
    CallFilter,
    CallPage,
    CallRecordIn,
    CallRecordOut,
    Comparison,
    ComparisonOp,
    Direction,
    Disposition,
)
from vpbx.calls.service import CallRecordService

router = APIRouter(prefix="/v1", tags=["calls"], route_class=TransactionalRoute)

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Seconds = Annotated[int | None, Field(default=None, ge=0, le=MAX_SECONDS)]
DialPlanNumber = Annotated[str, Field(pattern=DIAL_PLAN_NUMBER)]
Phone = Annotated[str, Field(min_length=1, max_length=40, pattern=NO_CONTROL)]
CallId = Annotated[str, Field(min_length=1, max_length=255, pattern=CALL_ID)]


class CallQuery(BaseModel):
    """GET /v1/calls parameters. Repeat a list parameter to match any of its values."""

    date_from: datetime | None = Field(
        default=None, description="RFC 3339 with an offset; calls started at or after."
    )
    date_to: datetime | None = Field(
        default=None, description="RFC 3339 with an offset; calls started before."
    )
    direction: list[Direction] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    disposition: list[Disposition] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    extension_id: list[Id] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    extension: list[DialPlanNumber] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    hotline: list[Phone] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    number: list[Phone] = Field(
        default_factory=list,
        max_length=MAX_FILTER_VALUES,
        description="Caller or callee; E.164 or national form.",
    )
    group: list[DialPlanNumber] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    call_id: list[CallId] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    user_id: Id | None = Field(default=None, description="The user of the call's extension now.")
    duration_eq: Seconds = None
    duration_ne: Seconds = None
    duration_lt: Seconds = None
    duration_lte: Seconds = None
    duration_gt: Seconds = None
    duration_gte: Seconds = None
    billsec_eq: Seconds = None
    billsec_ne: Seconds = None
    billsec_lt: Seconds = None
    billsec_lte: Seconds = None
    billsec_gt: Seconds = None
    billsec_gte: Seconds = None
    cursor: str | None = Field(
        default=None, max_length=64, description="A next_cursor: the page after that one."
    )
    before: str | None = Field(
        default=None, max_length=64, description="A prev_cursor: the page before that one."
    )
    limit: int | None = Field(default=None, ge=1, description="Page size (default 50).")

    def comparisons(self, measure: str) -> list[Comparison]:
        ops: tuple[ComparisonOp, ...] = ("eq", "ne", "lt", "lte", "gt", "gte")
        values = {op: getattr(self, f"{measure}_{op}") for op in ops}
        return [Comparison(op=op, value=v) for op, v in values.items() if v is not None]

    def filters(self) -> CallFilter:
        return CallFilter(
            date_from=utc_bound(self.date_from, "date_from"),
            date_to=utc_bound(self.date_to, "date_to"),
            directions=self.direction,
            dispositions=self.disposition,
            extension_ids=self.extension_id,
            extensions=self.extension,
            hotlines=self.hotline,
            numbers=self.number,
            groups=self.group,
            call_ids=self.call_id,
            user_id=self.user_id,
            duration=self.comparisons("duration"),
            billsec=self.comparisons("billsec"),
        )


@router.post("/calls", status_code=201, response_model=CallRecordOut)
def post_call(
    body: CallRecordIn,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> CallRecordOut:
    """Record a finished call (201); the same call posted again answers 200 with it."""
    record, created = CallRecordService(session, settings).record(principal, body)
    response.status_code = 201 if created else 200
    return record


@router.post("/calls/batch", status_code=201, response_model=CallBatchOut)
def post_calls(
    body: CallBatchIn,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> CallBatchOut:
    """Record up to 500 calls, all or none; 200 when every one was already recorded."""
    result = CallRecordService(session, settings).record_batch(principal, body.calls)
    response.status_code = 201 if result.created else 200
    return result


@router.get("/calls", response_model=CallPage)
def list_calls(
    query: Annotated[CallQuery, Query()],
    session: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
) -> CallPage:
    """The tenant's calls, newest first. Send `next_cursor` back as `cursor` for the
    older calls, `prev_cursor` as `before` for the newer ones; each is null at its end."""
    return CallRecordService(session, settings).list_calls(
        principal,
        query.filters(),
        cursor=query.cursor,
        before=query.before,
        limit=page_limit(query.limit, settings.page_size_max),
    )


@router.get("/calls/{record_id}", response_model=CallRecordOut)
def get_call(
    record_id: IdPath, session: SessionDep, settings: SettingsDep, principal: PrincipalDep
) -> CallRecordOut:
    """One call by its vpbx id (not the SIP Call-ID: filter the list by call_id for that)."""
    return CallRecordService(session, settings).get(principal, record_id)
