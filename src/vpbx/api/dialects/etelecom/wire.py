"""eTelecom's wire shapes: the JSON messages of each method, with their names and types.

Requests follow proto3-over-JSON as eTelecom's Twirp server reads them: an int64 id is a
JSON string (a number is accepted too), an absent field, `""` and `0` all mean "not
set", and unknown fields are refused. Shapes marked *inferred* belong to methods whose
bodies eTelecom never published (provider-apis.md §1.4); their field names follow the
documented methods' conventions.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

MAX_ID = 2**63 - 1
NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"
Network = Literal["unknown", "mobifone", "vinaphone", "viettel", "other"]
Role = Literal["admin", "supervisor", "agent"]
Status = Literal["Z", "P", "N"]
Transport = Literal["udp", "tcp", "tls", "ws", "wss"]
CallDirection = Literal["unknown", "in", "out", "ext", "ext_in", "ext_out"]


def _int64(value: object) -> int | None:
    """An int64 id as proto3 JSON carries it: a decimal string or a number; "" and 0
    are the unset default."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("an id is a string of digits, not a boolean")
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit()):
            raise ValueError("an id is a string of digits (int64)")
        value = int(text)
    if not isinstance(value, int):
        raise ValueError("an id is a string of digits (int64)")
    if not 0 <= value <= MAX_ID:
        raise ValueError(f"an id is between 1 and {MAX_ID}")
    return value or None


def _required_int64(value: object) -> int:
    parsed = _int64(value)
    if parsed is None:
        raise ValueError("is required (an int64 id other than 0)")
    return parsed


OptionalId = Annotated[int | None, BeforeValidator(_int64)]
RequiredId = Annotated[int, BeforeValidator(_required_int64)]


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- common -----------------------------------------------------------------------


class PagingIn(Message):
    """Cursor paging: send a response's `next` (or `prev`) back as `after`."""

    after: str = Field(default="", max_length=200, pattern=NO_CONTROL)
    before: str = Field(default="", max_length=200, pattern=NO_CONTROL)
    limit: int = Field(default=0, ge=0, le=2**31 - 1, description="0: the default (100).")
    sort: str = Field(default="", max_length=50, pattern=NO_CONTROL)


class PagingOut(BaseModel):
    after: str
    before: str
    limit: int
    next: str
    prev: str
    sort: str


class Updated(BaseModel):
    """How many objects the call changed (0: nothing to do)."""

    updated: int


class Empty(Message):
    """A method that takes no arguments: `{}`."""


# --- partner methods --------------------------------------------------------------


class TenantFilter(Message):
    name: str = Field(default="", max_length=200, pattern=NO_CONTROL)
    owner_id: OptionalId = None


class GetPartnerTenantListRequest(Message):
    filter: TenantFilter = Field(default_factory=TenantFilter)
    paging: PagingIn = Field(default_factory=PagingIn)


class GetPartnerHotlineListRequest(Message):
    paging: PagingIn = Field(default_factory=PagingIn)


class PartnerAddHotlineRequest(Message):
    hotline: str = Field(min_length=1, max_length=32, pattern=NO_CONTROL)
    name: str = Field(min_length=1, max_length=200, pattern=NO_CONTROL)
    description: str = Field(default="", max_length=500, pattern=NO_CONTROL)
    is_free_charge: bool = False
    network: Network = "unknown"
    owner_id: OptionalId = None


class PartnerActivateTenantRequest(Message):
    connection_id: OptionalId = None
    hotline_id: RequiredId
    owner_id: OptionalId = None
    tenant_id: RequiredId


class PartnerHotlineTenantRequest(Message):
    """PartnerAddHotlineToTenant / PartnerRemoveHotlineFromTenant (inferred)."""

    hotline_id: RequiredId
    tenant_id: RequiredId


class PartnerRemoveHotlineRequest(Message):
    """PartnerRemoveHotline (inferred): the hotline as `hotline_id` (or `id`)."""

    hotline_id: OptionalId = None
    id: OptionalId = None


# --- shop (tenant) methods --------------------------------------------------------


class GetTenantRequest(Message):
    """GetTenant (inferred): `{}`, or the tenant's own `id`."""

    id: OptionalId = None


class GetHotlinesRequest(Message):
    paging: PagingIn = Field(default_factory=PagingIn)


class CreateUserRequest(Message):
    """CreateUser (inferred)."""

    full_name: str = Field(min_length=1, max_length=200, pattern=NO_CONTROL)
    email: str = Field(min_length=3, max_length=320, pattern=NO_CONTROL)
    phone: str = Field(default="", max_length=32, pattern=NO_CONTROL)
    role: Role = "agent"


class UserFilter(Message):
    keyword: str = Field(default="", max_length=100, pattern=NO_CONTROL)


class GetUsersRequest(Message):
    """GetUsers (inferred)."""

    filter: UserFilter = Field(default_factory=UserFilter)
    paging: PagingIn = Field(default_factory=PagingIn)


class CreateExtensionRequest(Message):
    extension_number: int = Field(ge=100, le=999_999)
    hotline_id: RequiredId
    user_id: OptionalId = None


class GetExtensionRequest(Message):
    """GetExtension (inferred): the extension as `extension_id` (or `id`)."""

    extension_id: OptionalId = None
    id: OptionalId = None


class GetExtensionsRequest(Message):
    paging: PagingIn = Field(default_factory=PagingIn)


class AssignUserToExtensionRequest(Message):
    extension_id: RequiredId
    user_id: RequiredId


class UpdateExtensionHotlineRequest(Message):
    """UpdateExtensionHotline (inferred)."""

    extension_id: RequiredId
    hotline_id: RequiredId


class RemoveUserOfExtensionRequest(Message):
    extension_id: RequiredId
    user_id: OptionalId = None


# --- objects ----------------------------------------------------------------------


class Hotline(BaseModel):
    connection_id: str
    connection_method: str
    created_at: str
    description: str
    hotline: str
    id: str
    is_free_charge: bool
    name: str
    network: Network
    owner_id: str
    status: Status
    updated_at: str


class Tenant(BaseModel):
    connection_id: str
    connection_method: str
    created_at: str
    domain: str
    id: str
    name: str
    owner_id: str
    status: Status
    updated_at: str


class Extension(BaseModel):
    account_id: str
    created_at: str
    expires_at: str
    extension_number: str
    extension_password: str
    hotline_id: str
    id: str
    state: Status
    subscription_id: str
    tenant_domain: str
    tenant_id: str
    updated_at: str
    user_id: str


class User(BaseModel):
    """An account user of the tenant (inferred shape)."""

    id: str
    full_name: str
    email: str
    phone: str
    role: str
    status: Status
    created_at: str
    updated_at: str


class DriverConfig(BaseModel):
    """What a softphone (eTelecom's VoIP SDK "driver") needs to register (inferred)."""

    tenant_id: str
    domain: str
    outbound_proxy: str
    transport: Transport
    proxy_host: str
    proxy_port: int
    extension_length: int


class HotlineList(BaseModel):
    hotlines: list[Hotline]
    paging: PagingOut


class TenantList(BaseModel):
    tenants: list[Tenant]
    paging: PagingOut


class UserList(BaseModel):
    users: list[User]
    paging: PagingOut


class ExtensionList(BaseModel):
    extensions: list[Extension]
    paging: PagingOut


# --- call history (ListCallLogs) ------------------------------------------------------


def _unset_time(value: object) -> object:
    return None if value == "" else value


OptionalTime = Annotated[AwareDatetime | None, BeforeValidator(_unset_time)]
Comparison = Literal[
    "",
    "unknown",
    "unknow",  # as the documents' generated example spells the default
    "equal",
    "not_equal",
    "greater_than",
    "greater_than_or_equal_to",
    "less_than",
    "less_than_or_equal_to",
]


class DurationFilter(Message):
    comparison: Comparison = ""
    value: int = Field(default=0, ge=0, le=2**31 - 1)


class CallLogFilter(Message):
    call_number: str = Field(default="", max_length=40, pattern=NO_CONTROL)
    call_state: Literal["", "unknown", "answered", "not_answered"] = ""
    date_from: OptionalTime = None
    date_to: OptionalTime = None
    department_id: OptionalId = None
    direction: Literal["", "unknown", "in", "out", "ext", "ext_in", "ext_out"] = ""
    duration: DurationFilter = Field(default_factory=DurationFilter)
    extension_ids: list[RequiredId] = Field(default_factory=list, max_length=100)
    external_id: str = Field(default="", max_length=255, pattern=NO_CONTROL)
    external_session_id: str = Field(default="", max_length=255, pattern=NO_CONTROL)
    hotline_ids: list[RequiredId] = Field(default_factory=list, max_length=100)
    user_id: OptionalId = None


class ListCallLogsRequest(Message):
    filter: CallLogFilter = Field(default_factory=CallLogFilter)
    paging: PagingIn = Field(default_factory=PagingIn)


class CallTarget(BaseModel):
    add_time: str
    answered_time: str
    end_reason: str
    ended_time: str
    fail_code: int
    ring_duration: int
    ring_time: str
    status: str
    target_number: str
    trunk_name: str


class CallLog(BaseModel):
    call_state: Literal["unknown", "answered", "not_answered"]
    call_status: Status
    call_targets: list[CallTarget]
    callee: str
    caller: str
    contact_id: str
    created_at: str
    direction: CallDirection
    duration: int
    ended_at: str
    extension_id: str
    external_id: str
    external_session_id: str
    id: str
    note: str
    recording_urls: list[str]
    started_at: str
    updated_at: str
    user_id: str


class CallLogList(BaseModel):
    call_logs: list[CallLog]
    paging: PagingOut
