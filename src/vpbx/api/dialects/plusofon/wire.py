"""Plusofon's shapes: the parameters of each method (the document's names and types)
and the Laravel paginator its lists answer in.

Parameters are read leniently where Laravel is lenient (a number may come as "6" from a
query string, `number_type` as 0 or "0") and strictly otherwise: a value outside the
documented codes ("nihil", "eligendi") is Laravel's 422, never a guess.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from fastapi import Request
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

MAX_ID = 2**63 - 1
NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"
MAX_NUMBERS = 100
PER_PAGE = 15
PER_PAGE_SEARCH = 20


def _no_bool(value: Any) -> Any:
    """JSON true is not the id 1."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    return value


def _text(value: Any) -> Any:
    """A code sent as a JSON number (800, 0) is the same code as the string."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


Id = Annotated[int, BeforeValidator(_no_bool), Field(ge=1, le=MAX_ID)]
PhoneType = Annotated[Literal["abc", "def", "800"], BeforeValidator(_text)]
OwnerTypeName = Literal["business", "personal"]
# A phone number "with the city code" (10 digits in Russia) or in international form;
# sent as a JSON integer in the document, a string of digits is taken too.
PhoneDigits = Annotated[
    str, BeforeValidator(_text), Field(min_length=6, max_length=16, pattern=r"^\+?[0-9]+$")
]
FollowType = Literal[
    "sip", "number", "group", "scenario", "call_queue", "sip_uri", "bitrix", "amo", "empty"
]
DefaultType = Literal["sip", "number", "group", "scenario", "call_queue", "sip_uri", "empty"]
CliType = Literal["Y", "N"]


class Params(BaseModel):
    # Laravel ignores parameters a method does not read (`page` among them).
    model_config = ConfigDict(extra="ignore")


class NumberFilter(Params):
    phone_type: PhoneType | None = None


class NumberDelete(Params):
    """`pin` appears in the document's example only; vpbx has no account PIN, so a PIN
    is checked for form (digits) and not against anything (inferred)."""

    pin: Annotated[str, BeforeValidator(_text), Field(pattern=r"^[0-9]{1,16}$")] | None = None


class Follow(Params):
    type: FollowType
    type_default: DefaultType | None = None
    numbers: list[Id] = Field(min_length=1, max_length=MAX_NUMBERS)
    sip_id: Id | None = None
    destination_number: str | None = Field(default=None, max_length=32, pattern=NO_CONTROL)
    group_id: Id | None = None
    scenario_id: Id | None = None
    call_queue_id: Id | None = None
    destination_uri: str | None = Field(default=None, max_length=255, pattern=NO_CONTROL)
    host: str | None = Field(default=None, max_length=300, pattern=NO_CONTROL)
    cli_type: CliType | None = None
    cli_type_default: CliType | None = None


class ContactListAssign(Params):
    """Without `contact_list_id` the number's black list is removed (documented)."""

    contact_list_id: Id | None = None
    numbers: list[Id] = Field(min_length=1, max_length=MAX_NUMBERS)


class Search(Params):
    owner_type: OwnerTypeName | None = None
    region: Id | None = None
    city_code: Annotated[int, BeforeValidator(_no_bool), Field(ge=1, le=99999)] | None = None
    phone_number: str | None = Field(default=None, max_length=20, pattern=r"^[0-9?*]+$")
    number_type: Annotated[Literal["0", "1", "2", "3", "4", "5"], BeforeValidator(_text)] | None = (
        None
    )
    phone_type: PhoneType | None = None


class CodeRegions(Params):
    type: PhoneType | None = None


class Reserve(Params):
    number: PhoneDigits
    owner_type: OwnerTypeName
    short: Annotated[Literal[0, 1], BeforeValidator(_no_bool)] | None = None


class Buy(Params):
    numbers: list[PhoneDigits] = Field(min_length=1, max_length=MAX_NUMBERS)
    owner_type: OwnerTypeName


class SmsSend(Params):
    """POST api/v1/sms, from third-party notes (inferred): `reject_long` and `count_pdu`
    are accepted; vpbx splits long texts itself."""

    number_id: Id
    to: PhoneDigits
    text: str = Field(min_length=1, max_length=1600, pattern=r"^[^\x00-\x08\x0b-\x1f\x7f]*$")
    reject_long: Annotated[int, BeforeValidator(_no_bool)] | bool | None = None
    count_pdu: Annotated[int, BeforeValidator(_no_bool)] | bool | None = None


# --- the Laravel paginator ------------------------------------------------------------


def page_of(values: dict[str, Any]) -> int:
    """`?page=N`; like Laravel, anything that is not a page number is page 1."""
    raw = values.get("page")
    text = str(raw).strip() if raw is not None and not isinstance(raw, bool) else ""
    if text.isascii() and text.isdigit() and 0 < len(text) <= 9:
        return max(1, int(text))
    return 1


def paginator(
    request: Request, items: list[dict[str, Any]], *, page: int, per_page: int, total: int
) -> dict[str, Any]:
    """Laravel's LengthAwarePaginator, with absolute URLs of this server."""
    path = str(request.base_url).rstrip("/") + request.url.path
    last = max(1, math.ceil(total / per_page))
    first_row = (page - 1) * per_page + 1

    def url(n: int) -> str:
        return f"{path}?page={n}"

    return {
        "current_page": page,
        "data": items,
        "first_page_url": url(1),
        "from": first_row if items else None,
        "last_page": last,
        "last_page_url": url(last),
        "next_page_url": url(page + 1) if page < last else None,
        "path": path,
        "per_page": per_page,
        "prev_page_url": url(page - 1) if page > 1 else None,
        "to": first_row + len(items) - 1 if items else None,
        "total": total,
        "success": True,
    }
