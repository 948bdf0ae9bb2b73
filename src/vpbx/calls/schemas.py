"""Dialect-neutral shapes of call records: what a SIP server posts, what a reader gets,
and the filter every face (native, OMICall, eTelecom) maps its own query onto."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from vpbx.numbers.schemas import Schema

Direction = Literal["in", "out", "internal"]
Disposition = Literal["answered", "no_answer", "busy", "failed", "rejected"]
ComparisonOp = Literal["eq", "ne", "lt", "lte", "gt", "gte"]
DIRECTIONS: tuple[Direction, ...] = ("in", "out", "internal")
DISPOSITIONS: tuple[Disposition, ...] = ("answered", "no_answer", "busy", "failed", "rejected")
COMPARISON_OPS: tuple[ComparisonOp, ...] = ("eq", "ne", "lt", "lte", "gt", "gte")

MAX_ID = 2**63 - 1
MAX_SECONDS = 2**31 - 1  # the columns are INTEGER
MAX_FILTER_VALUES = 100
# A SIP Call-ID is printable ASCII without spaces (RFC 3261 `word`); so is ours.
CALL_ID = r"^[!-~]+$"
NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"
DIAL_PLAN_NUMBER = r"^[1-9][0-9]{2,5}$"
MAX_BATCH = 500
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class CallRecordIn(BaseModel):
    """One finished call as the SIP server reports it.

    `caller` and `callee` are phone numbers (normalised to E.164 when they parse) or
    dial-plan numbers; `hotline`, `extension` and `group` name the tenant's own objects.
    `duration_s` and `billsec` are computed from the times; a sender may include its own
    values, which must agree within a second.
    """

    model_config = ConfigDict(extra="forbid")
    call_id: str = Field(min_length=1, max_length=255, pattern=CALL_ID)
    direction: Direction
    caller: str = Field(min_length=1, max_length=64, pattern=NO_CONTROL)
    callee: str = Field(min_length=1, max_length=64, pattern=NO_CONTROL)
    hotline: str | None = Field(default=None, max_length=32, pattern=NO_CONTROL)
    extension: str | None = Field(default=None, pattern=DIAL_PLAN_NUMBER)
    group: str | None = Field(default=None, pattern=DIAL_PLAN_NUMBER)
    started_at: AwareDatetime
    answered_at: AwareDatetime | None = None
    ended_at: AwareDatetime
    disposition: Disposition
    hangup_cause: str = Field(default="", max_length=64, pattern=NO_CONTROL)
    sip_status: int | None = Field(default=None, ge=100, le=699)
    recording_url: str | None = Field(default=None, max_length=1000, pattern=NO_CONTROL)
    duration_s: int | None = Field(default=None, ge=0, le=MAX_SECONDS)
    billsec: int | None = Field(default=None, ge=0, le=MAX_SECONDS)


class CallBatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    calls: list[CallRecordIn] = Field(min_length=1, max_length=MAX_BATCH)


class CallRecordOut(Schema):
    """A stored call. `user_id` is the user of its extension now (None: no extension,
    or one without a user)."""

    id: int
    call_id: str
    direction: Direction
    caller: str
    callee: str
    hotline: str | None
    extension_id: int | None
    extension: str | None
    group: str | None
    user_id: int | None
    started_at: datetime
    answered_at: datetime | None
    ended_at: datetime
    duration_s: int
    billsec: int
    disposition: Disposition
    hangup_cause: str
    sip_status: int | None
    recording_url: str | None
    created_at: datetime


class CallBatchOut(BaseModel):
    """One item per posted call, in the posted order; `created` of them are new."""

    created: int
    existing: int
    items: list[CallRecordOut]


class Comparison(BaseModel):
    """A condition on a number of seconds, e.g. `gte 30` (eTelecom's duration filter,
    OMICall's bill_sec)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    op: ComparisonOp
    value: int = Field(ge=0, le=MAX_SECONDS)


class CallFilter(BaseModel):
    """Which calls to read. Every list means "any of these"; the lists combine with AND.

    `date_from` is inclusive and `date_to` exclusive (on `started_at`). `numbers` match
    caller or callee; `user_id` is the user of the call's extension at query time.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    date_from: AwareDatetime | None = None
    date_to: AwareDatetime | None = None
    directions: list[Direction] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    dispositions: list[Disposition] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    extension_ids: list[Id] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    extensions: list[str] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    hotlines: list[str] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    numbers: list[str] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    groups: list[str] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    call_ids: list[str] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    user_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    duration: list[Comparison] = Field(default_factory=list, max_length=12)
    billsec: list[Comparison] = Field(default_factory=list, max_length=12)


class CallPage(BaseModel):
    """A keyset page of calls, newest first. `next_cursor` reads the older calls after
    it, `prev_cursor` the newer ones before it; None: there is nothing that way (the
    first page has no previous one)."""

    items: list[CallRecordOut]
    next_cursor: str | None = None
    prev_cursor: str | None = None


class CallOffsetPage(BaseModel):
    """A numbered page (OMICall's page/size paging) and the number of matching calls."""

    items: list[CallRecordOut]
    page: int
    size: int
    total: int
