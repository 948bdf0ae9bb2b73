"""OMICall wire ⇄ core: pure functions, no I/O.

Where vpbx has no counterpart of a documented field, the value is the neutral one
for its type and the README's OMICall table says so (e.g. `balance` 0: vpbx bills per
order, not from a prepaid balance).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TypeVar

import phonenumbers

from vpbx.api.dialects.omicall import wire
from vpbx.errors import Invalid
from vpbx.models import Partner, Tenant
from vpbx.numbers.schemas import OwnedNumber, StockNumber
from vpbx.pbx.schemas import ExtensionWithPassword, GroupOut, UserOut

T = TypeVar("T")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_ID = 2**63 - 1

# --- scalars ------------------------------------------------------------------------


def epoch_ms(moment: datetime) -> int:
    """OMICall's time: integer milliseconds since the epoch (UTC)."""
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def epoch_ms_or_none(moment: datetime | None) -> int | None:
    return None if moment is None else epoch_ms(moment)


def object_id(value: int) -> str:
    """A vpbx id in the shape of OMICall's ids (24 hex digits, like a MongoDB ObjectId)."""
    return f"{value:024x}"


def parse_object_id(text: str, field: str = "id") -> int | None:
    """An id as OMICall shows it (24 hex digits), or the plain decimal id vpbx shows;
    None for a well-formed id no vpbx object can have (0, or beyond BIGINT).

    The two forms never collide: a decimal id within BIGINT has at most 19 digits.
    """
    text = text.strip()
    if len(text) == 24 and all(c in "0123456789abcdefABCDEF" for c in text):
        value = int(text, 16)
    elif text.isascii() and text.isdigit() and len(text) <= 24:
        value = int(text)
    else:
        raise Invalid(f"{field} is not an id: {text[:40]!r}", field=field, code="id_invalid")
    return value if 1 <= value <= MAX_ID else None


def wire_number(e164: str) -> str:
    """E.164 as OMICall writes it: without the plus ("842477778823")."""
    return e164.removeprefix("+")


def number_in(text: str, default_country: str) -> str:
    """A number from a client as the core reads it.

    OMICall sends international digits without the plus, which the core reads as
    such; a national form with the trunk prefix ("02477778823") is read in the
    instance's country. Anything unreadable goes on unchanged for the core to refuse.
    """
    text = text.strip()
    if text.startswith("0") and text.isascii() and text.isdigit():
        try:
            parsed = phonenumbers.parse(text, default_country)
        except phonenumbers.NumberParseException:
            return text
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return text


def money(value: Decimal) -> int | float:
    """A price as the JSON number OMICall shows: exact for whole amounts; fractional
    ones (at most 4 places in vpbx) round-trip through a double unchanged."""
    value = value.normalize()
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def unsigned(text: str) -> str:
    """Vietnamese without diacritics ("Nhóm Tech" → "Nhom Tech"), as OMICall's
    `*_unsigned` fields carry for accent-insensitive search."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Country → (nation, currency, language) for the account fields vpbx does not store.
_LOCALE = {"VN": ("vn", "VND", "vi"), "RU": ("ru", "RUB", "ru")}


def locale(country: str) -> tuple[str, str, str]:
    return _LOCALE.get(country.upper(), (country.lower(), "USD", "en"))


# --- paging -------------------------------------------------------------------------


def page_offset(page: int, size: int, size_max: int) -> int:
    """The row offset of a page (pages count from 1), or Invalid."""
    if not 1 <= size <= size_max:
        raise Invalid(f"size must be between 1 and {size_max}", field="size", code="size_invalid")
    if page < 1:
        raise Invalid("page must be 1 or more", field="page", code="page_invalid")
    return (page - 1) * size


def page_of(items: Sequence[T], *, page: int, size: int, total: int) -> wire.Page[T]:
    total_pages = math.ceil(total / size)
    has_next = page < total_pages
    has_previous = page > 1
    return wire.Page[T](
        items=list(items),
        page_number=page,
        page_size=size,
        total_items=total,
        total_pages=total_pages,
        has_next=has_next,
        next_page=page + 1 if has_next else page,
        has_previous=has_previous,
        previous_page=page - 1 if has_previous else 1,
    )


# --- numbers ------------------------------------------------------------------------

_NUMBER_TYPES = {"fixed": "fixed", "mobile": "mobile", "toll_free": "1800", "premium": "1900"}
# OMICall's short carrier names where they differ from the carrier's first word.
_PROVIDER_TYPES = {"itelecom": "itel"}


def provider_type(carrier: str) -> str:
    """A carrier's short name: "Itelecom" → "itel", "Viettel Mobile" → "viettel"."""
    first = carrier.split()[0] if carrier.split() else ""
    key = "".join(c for c in first.lower() if c.isalnum())
    return _PROVIDER_TYPES.get(key, key)


def public_number(number: StockNumber) -> wire.PublicNumber:
    return wire.PublicNumber(
        created_date=epoch_ms(number.created_at),
        last_updated_date=epoch_ms(number.updated_at),
        number=wire_number(number.e164),
        provider=number.carrier,
        provider_type=provider_type(number.carrier),
        number_type=_NUMBER_TYPES.get(number.number_type.value, number.number_type.value),
        nation=number.country.lower(),
        maintaining_prices=[
            wire.MaintainingPrice(currency=p.currency, price=money(p.monthly))
            for p in number.prices
        ],
        call_pricing={},  # vpbx keeps no per-minute call prices
    )


def owned_public_number(number: OwnedNumber) -> wire.OwnedPublicNumber:
    return wire.OwnedPublicNumber(
        number=wire_number(number.e164),
        provider=number.carrier,
        expire_date=epoch_ms_or_none(number.paid_until),
        status=number.status.value,
    )


# --- partner and tenants ------------------------------------------------------------


def tenant_status(tenant: Tenant) -> str:
    return "activated" if tenant.status == "active" else "deactivated"


def partner_me(partner: Partner, country: str) -> wire.PartnerMe:
    nation, currency, language = locale(country)
    return wire.PartnerMe(
        full_name=partner.name,
        email=partner.email,
        description="",
        enabled=True,
        status="activated",
        paid_type="postpaid",
        nation=nation,
        currency=currency,
        language=language,
        balance=0,
    )


def tenant_item(tenant: Tenant) -> wire.TenantItem:
    return wire.TenantItem(
        id=object_id(tenant.id),
        full_name=tenant.name,
        email=tenant.email,
        domain=tenant.sip_domain,
        enabled=tenant.status == "active",
        status=tenant_status(tenant),
        created_date=epoch_ms(tenant.created_at),
        last_updated_date=epoch_ms(tenant.updated_at),
    )


def tenant_detail(
    tenant: Tenant,
    owner: UserOut | None,
    numbers: Sequence[OwnedNumber],
    extensions: int,
    country: str,
) -> wire.TenantDetail:
    nation, currency, language = locale(country)
    return wire.TenantDetail(
        id=object_id(tenant.id),
        full_name=tenant.name,
        email=tenant.email,
        description="",
        enabled=tenant.status == "active",
        domain=tenant.sip_domain,
        domain_fusion=tenant.sip_domain,
        domain_expire=None,  # vpbx tenants and their domains do not expire
        effective_date=epoch_ms(tenant.created_at),
        expire_date=None,
        phone=wire_number(owner.phone) if owner and owner.phone else None,
        status=tenant_status(tenant),
        paid_type="postpaid",
        nation=nation,
        currency=currency,
        language=language,
        balance=0,
        public_numbers=[owned_public_number(n) for n in numbers],
        service_package=wire.ServicePackage(
            code_name="vpbx", service_name="vpbx virtual PBX", staff_num=extensions
        ),
    )


# --- call centre --------------------------------------------------------------------


def internal_phone(extension: ExtensionWithPassword, user: UserOut | None) -> wire.InternalPhone:
    hotline = extension.caller_id_hotline or next(iter(extension.outbound_hotlines), None)
    return wire.InternalPhone(
        domain=extension.sip.domain,
        outbound_proxy=extension.sip.outbound_proxy,
        sip_user=extension.number,
        password=extension.password,
        full_name=user.full_name if user else extension.display_name,
        email=user.email if user else "",
        public_number=wire_number(hotline) if hotline else "",
        last_updated_date=epoch_ms(extension.updated_at),
        created_date=epoch_ms(extension.created_at),
        agent_id=object_id(user.id) if user else "",
        enabled=extension.enabled,
    )


# vpbx strategies as OMICall's ring_group_type codes (inferred: the documents show 0 only).
RING_GROUP_TYPES = {
    "simultaneous": 0,
    "sequential": 1,
    "random": 2,
    "round_robin": 3,
    "longest_idle": 4,
}
# Where an unanswered group call goes, as target_timeout_type (inferred).
_TIMEOUT_TARGETS = {
    "hangup": "",
    "extension": "internal_phone",
    "group": "internal_group",
    "number": "phone_number",
}


def internal_group(
    group: GroupOut,
    tenant: Tenant,
    agents: dict[int, int | None],
    group_ids: dict[str, int],
) -> wire.InternalGroup:
    """`agents` maps extension id → its user id; `group_ids` group number → group id."""
    owner = wire.Actor(id=object_id(tenant.id), name=tenant.name)
    kind, value = group.no_answer.kind, group.no_answer.value
    outer = group_ids.get(value or "") if kind == "group" else None
    return wire.InternalGroup(
        id=object_id(group.id),
        tenant_id=object_id(tenant.id),
        group_name=group.name,
        group_name_unsigned=unsigned(group.name),
        group_number=group.number,
        created_date=epoch_ms(group.created_at),
        last_updated_date=epoch_ms(group.updated_at),
        create_by=owner,
        last_update_by=owner if _edited(group.created_at, group.updated_at) else None,
        is_deleted=False,
        note=None,
        members=[
            _member(m.extension_id, m.extension_number, m.timeout_s, i, agents)
            for i, m in enumerate(group.members)
        ],
        is_forward_to_user_owner=None,
        is_forward_to_outer_group=kind == "group",
        outer_group_id=object_id(outer) if outer is not None else None,
        strategy=group.strategy,
        ring_back_id="",
        ring_back_name=None,
        is_answer="false",
        target_timeout_type=_TIMEOUT_TARGETS[kind],
        target_timeout=wire_number(value) if kind == "number" and value else value or "",
        target_timeout_name=None,
        ring_group_type=RING_GROUP_TYPES[group.strategy],
        ring_group_wait_time=group.timeout_s,
        ring_group_wait_time_sequence=0,
        ring_group_type_result=None,
        enable_criteria=False,
        criterias=[],
    )


def _edited(created: datetime, updated: datetime) -> bool:
    # The two stamps of a new row are taken apart by microseconds: only a change later
    # than that is an edit.
    return updated - created > timedelta(seconds=1)


def _member(
    extension_id: int, number: str, timeout: int, order: int, agents: dict[int, int | None]
) -> wire.GroupMember:
    agent = agents.get(extension_id)
    return wire.GroupMember(
        agent_id=object_id(agent) if agent is not None else None,
        contact_id=None,
        order=order,
        view=None,
        timeout=timeout,
        sip_user=number,
        hold_music_id=None,
    )
