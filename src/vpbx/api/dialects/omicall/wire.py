"""OMICall's shapes on the wire: request bodies as the documents show them, responses
with every documented field and type (seeds 000 and 001, provider-apis.md §2).

Times are epoch milliseconds; object ids are 24 hexadecimal digits, the shape of
OMICall's own ids (MongoDB ObjectIds); phone numbers are E.164 without the plus
("842477778823"). Bounds on request fields are the core's, so a body that passes
here never fails deeper for its shape — only for its meaning.
"""

from __future__ import annotations

from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from vpbx.pbx.schemas import NO_CONTROL, NO_NUL

T = TypeVar("T")
SUCCESS = 9999
FAILURE = -9999


class Wire(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class Request(BaseModel):
    """Request bodies refuse fields the document does not show (a typo is an error)."""

    model_config = ConfigDict(extra="forbid")


# --- the envelope -------------------------------------------------------------------


class Envelope(Wire):
    status_code: int
    instance_id: str
    instance_name: str
    instance_version: str
    payload: Any
    key_enabled: bool


class FailPayload(Wire):
    status: Literal["fail"] = "fail"
    error: str
    message: str


class Page(Wire, Generic[T]):
    """OMICall's page: pages count from 1; `next_page` / `previous_page` stay on the
    page itself at the ends, as the documents' first pages show (previous_page 1)."""

    items: list[T]
    page_number: int
    page_size: int
    total_items: int
    total_pages: int
    has_next: bool
    next_page: int
    has_previous: bool
    previous_page: int


# --- auth ---------------------------------------------------------------------------


class AuthPayload(Wire):
    access_token: str
    # "bussiness" (sic) is the documented spelling for a partner's token.
    access_type: Literal["normal", "bussiness"]
    token_type: Literal["Bearer"] = "Bearer"


# --- number stock (seed 000) --------------------------------------------------------


class MaintainingPrice(Wire):
    currency: str
    price: int | float  # a JSON number, as documented (exact for integral amounts)


class PublicNumber(Wire):
    created_date: int
    last_updated_date: int
    number: str
    provider: str
    provider_type: str
    number_type: str
    nation: str
    maintaining_prices: list[MaintainingPrice]
    call_pricing: dict[str, Any]


class BuyNumber(Request):
    # number_count is the number of MONTHS (the document: "Số tháng sử dụng, tối thiểu 6").
    number_count: int = Field(ge=6, le=1200)
    note: str = Field(max_length=500, pattern=NO_NUL)
    number: str = Field(min_length=1, max_length=32, pattern=NO_NUL)
    email: str = Field(min_length=1, max_length=320, pattern=NO_NUL)


class BoughtNumber(Wire):
    """Inferred: the document's success body is empty; this says what was bought."""

    number: str
    email: str
    tenant_id: str
    number_count: int
    note: str
    status: str
    effective_date: int
    expire_date: int


# --- partner and tenants ------------------------------------------------------------


class PartnerMe(Wire):
    full_name: str
    email: str | None
    description: str
    enabled: bool
    status: str
    paid_type: str
    nation: str
    currency: str
    language: str
    balance: int


_SPECIALS = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


class TenantAdd(Request):
    email: str = Field(min_length=3, max_length=320, pattern=NO_NUL)
    # Checked by OMICall's rule, then dropped: a vpbx tenant has no web login.
    password: str = Field(max_length=128)
    fullName: str = Field(min_length=1, max_length=200, pattern=NO_CONTROL)
    ownerName: str | None = Field(default=None, max_length=200, pattern=NO_CONTROL)
    phone: str | None = Field(default=None, max_length=32, pattern=NO_NUL)
    isAutoActive: bool = True

    @field_validator("password")
    @classmethod
    def _strong(cls, value: str) -> str:
        """OMICall's documented rule: 8+ characters with an upper- and a lower-case
        letter, a digit and a special character."""
        if not (
            len(value) >= 8
            and any(c.isupper() for c in value)
            and any(c.islower() for c in value)
            and any(c.isdigit() for c in value)
            and any(c in _SPECIALS for c in value)
        ):
            raise ValueError(
                "the password needs 8 or more characters with an upper-case and a "
                "lower-case letter, a digit and a special character"
            )
        return value


class TenantCreated(Wire):
    id: str


class TenantItem(Wire):
    """Inferred: the partner's tenant list fields were never published."""

    id: str
    full_name: str
    email: str | None
    domain: str
    enabled: bool
    status: str
    created_date: int
    last_updated_date: int


class OwnedPublicNumber(Wire):
    number: str
    provider: str
    expire_date: int | None
    status: str


class ServicePackage(Wire):
    code_name: str
    service_name: str
    staff_num: int | None


class TenantDetail(Wire):
    id: str
    full_name: str
    email: str | None
    description: str
    enabled: bool
    domain: str
    domain_fusion: str
    domain_expire: int | None
    effective_date: int
    expire_date: int | None
    phone: str | None
    status: str
    paid_type: str
    nation: str
    currency: str
    language: str
    balance: int
    public_numbers: list[OwnedPublicNumber]
    service_package: ServicePackage


# --- call centre (seed 001) ---------------------------------------------------------


class InternalPhone(Wire):
    domain: str
    outbound_proxy: str
    sip_user: str
    password: str
    full_name: str
    email: str
    public_number: str
    last_updated_date: int
    created_date: int
    agent_id: str
    enabled: bool


class PhoneStatus(Wire):
    """Inferred: the document's success body is empty."""

    sip_user: str
    enabled: bool


class Actor(Wire):
    id: str
    name: str


class GroupMember(Wire):
    agent_id: str | None
    contact_id: str | None
    order: int
    view: Any
    timeout: int
    sip_user: str | None
    hold_music_id: str | None


class InternalGroup(Wire):
    id: str = Field(serialization_alias="_id")
    tenant_id: str
    group_name: str
    group_name_unsigned: str
    group_number: str
    created_date: int
    last_updated_date: int
    create_by: Actor
    last_update_by: Actor | None
    is_deleted: bool
    note: str | None
    members: list[GroupMember]
    is_forward_to_user_owner: bool | None
    is_forward_to_outer_group: bool
    outer_group_id: str | None
    strategy: str
    ring_back_id: str
    ring_back_name: str | None
    is_answer: str
    target_timeout_type: str
    target_timeout: str
    target_timeout_name: str | None
    ring_group_type: int
    ring_group_wait_time: int
    ring_group_wait_time_sequence: int
    ring_group_type_result: Any
    enable_criteria: bool
    criterias: list[Any]


# --- call history (provider-apis.md §2.3; every parameter name inferred or found) ---

EPOCH_MS_MAX = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z
MAX_FILTER_VALUES = 100  # the core's limit per filter list
OmiDirection = Literal["inbound", "outbound", "local"]
FilterText = Annotated[str, Field(min_length=1, max_length=64, pattern=NO_CONTROL)]


class CallSearch(Request):
    """`POST /api/v2/callTransaction/search` body. The published field list is cut off
    ("…"), so fields beyond these are accepted and ignored rather than refused."""

    model_config = ConfigDict(extra="ignore")
    fromDate: int | None = Field(default=None, ge=0, le=EPOCH_MS_MAX)
    toDate: int | None = Field(default=None, ge=0, le=EPOCH_MS_MAX)
    directions: list[OmiDirection] = Field(default_factory=list, max_length=3)
    tagIds: list[FilterText] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    sipNumbers: list[FilterText] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    sipUsers: list[FilterText] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    phoneNumbers: list[FilterText] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    transactionIds: list[Annotated[str, Field(min_length=1, max_length=255)]] = Field(
        default_factory=list, max_length=MAX_FILTER_VALUES
    )
    agentEmails: list[FilterText] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    agentUuids: list[FilterText] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)


class CallUser(Wire):
    full_name: str
    full_name_unsigned: str
    note: str
    tag: list[Any]


class CallAgent(Wire):
    id: str | None
    name: str
    contact_id: str | None
    avatar: str | None
    gender: str | None
    uuid: str | None
    type: str


class CallTransaction(Wire):
    """One call as `GET /api/call_transaction/list` shows it (v1)."""

    transaction_id: str
    direction: str
    source_number: str
    destination_number: str
    disposition: str
    bill_sec: int
    record_seconds: int
    time_start_to_answer: int | None  # epoch seconds, as documented
    recording_file: str
    sip_user: str
    duration: int
    provider: str
    note: str
    tag: list[Any]
    call_out_price: int
    created_date: int
    last_updated_date: int
    is_voicemail: bool
    recording_file_voicemail: str
    user: list[CallUser]
    create_by: CallAgent | None
    internal_destination: dict[str, Any] | None


class CallCustomer(Wire):
    full_name: str
    full_name_unsigned: str


class CallTransactionV2(CallTransaction):
    """One call as `POST /api/v2/callTransaction/search` shows it (v1 fields and more)."""

    tenant_id: str
    recording_file_url: str
    recording_data: Any
    is_auto_call: bool
    ivr: Any
    customer: CallCustomer | None
    state: str
    call_uuid: str
    from_number: str
    to_number: str
    hotline: str
    is_have_forward_out: bool
    bill_sec_forward_out: int
    invite_failure_status: int | None
    answer_sec: int
    autocall_uuid: str | None
    autocall_id: str | None
    sip_number: str
    phone_number: str
    time_start_call: int
    time_answer_start: int | None
    time_end_call: int
    time_ringing_start: int
