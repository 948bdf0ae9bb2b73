"""Dialect-neutral shapes of contact lists, their entries and their assignment to numbers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from vpbx.pbx.schemas import NO_CONTROL

ListType = Literal["black", "white"]
LIST_TYPES: tuple[ListType, ...] = ("black", "white")
MAX_ID = 2**63 - 1
# One request adds at most this many entries, and names at most this many numbers.
BATCH_MAX = 1000

NumberText = Annotated[str, Field(min_length=1, max_length=32, pattern=NO_CONTROL)]


class ContactListCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200, pattern=NO_CONTROL)
    type: ListType = Field(description="black: these callers are refused; white: only these.")


class ContactListUpdate(BaseModel):
    """Only the name changes; `type` is accepted when it repeats the list's own type."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=200, pattern=NO_CONTROL)
    type: ListType | None = Field(
        default=None, description="Fixed once the list is created; create a new list instead."
    )


class ContactListOut(BaseModel):
    id: int
    name: str
    type: ListType
    entry_count: int
    numbers: list[str] = Field(description="The tenant's numbers this list screens (E.164).")
    created_at: datetime
    updated_at: datetime


class EntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: str = Field(
        min_length=1,
        max_length=40,
        pattern=NO_CONTROL,
        description="A number (E.164, or national form of the instance's default country) "
        'or a prefix ending in "*" ("+8424*", or "024*" in national form).',
    )
    note: str = Field(default="", max_length=200, pattern=NO_CONTROL)


class EntriesAdd(BaseModel):
    model_config = ConfigDict(extra="forbid")
    entries: list[EntryIn] = Field(min_length=1, max_length=BATCH_MAX)


class EntryOut(BaseModel):
    id: int
    value: str = Field(description='E.164 number, or prefix "+<digits>*".')
    kind: Literal["number", "prefix"]
    note: str
    created_at: datetime


class EntriesOut(BaseModel):
    items: list[EntryOut]


class ListRef(BaseModel):
    id: int
    name: str


class NumberContactLists(BaseModel):
    """The lists screening calls to one of the tenant's numbers."""

    number: str
    black: ListRef | None
    white: ListRef | None


class NumberContactListsSet(BaseModel):
    """Both fields are required: `null` removes that type's list from the number."""

    model_config = ConfigDict(extra="forbid")
    black_list_id: int | None = Field(ge=1, le=MAX_ID)
    white_list_id: int | None = Field(ge=1, le=MAX_ID)


class NumbersAttach(BaseModel):
    model_config = ConfigDict(extra="forbid")
    numbers: list[NumberText] = Field(
        min_length=1,
        max_length=BATCH_MAX,
        description="The tenant's active numbers (E.164) to screen with this list.",
    )
