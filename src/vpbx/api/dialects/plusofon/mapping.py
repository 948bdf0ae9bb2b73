"""Plusofon wire ⇄ core: pure functions and the wire's own vocabularies, no I/O.

Ids are vpbx ids. Numbers go out in international form without the plus
("79309993750"); the stock's search shows them "with the city code" (the national
significant number, "4951332210") and reserve/buy take them back in that form.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Final

from pydantic import ValidationError

from vpbx.api.dialects.plusofon import wire
from vpbx.errors import Invalid
from vpbx.numbers.enums import NumberType, OwnerType, Tier
from vpbx.pbx.forwarding_schemas import ForwardingOut, ForwardingSpec

# Plusofon sells Russian numbers: a number "with the city code" is read in +7.
COUNTRY: Final = "RU"
COUNTRY_CODE: Final = "7"

PHONE_TYPES: Final = {
    "abc": NumberType.FIXED,
    "def": NumberType.MOBILE,
    "800": NumberType.TOLL_FREE,
}
_PHONE_TYPE_OUT: Final = {v: k for k, v in PHONE_TYPES.items()}

# Plusofon numbers the tiers 0 simple, 5 bronze, 1 silver, 2 gold, 3 platinum, 4 exclusive.
TIERS: Final = {
    "0": Tier.SIMPLE,
    "5": Tier.BRONZE,
    "1": Tier.SILVER,
    "2": Tier.GOLD,
    "3": Tier.PLATINUM,
    "4": Tier.EXCLUSIVE,
}
_TIER_OUT: Final = {tier: int(code) for code, tier in TIERS.items()}

# The seed's titles for the types it shows; the others in the same style.
FOLLOW_TITLES: Final = {
    "sip": "Sip аккаунт",
    "number": "Номер",
    "group": "Группа",
    "scenario": "Сценарий",
    "call_queue": "Очередь вызовов",
    "sip_uri": "SIP URI",
    "bitrix": "Битрикс24",
    "amo": "amoCRM",
    "empty": "Без переадресации",
}
CLI_TITLES: Final = {"Y": "Номер и имя звонящего", "N": "Переадресующий номер"}

# Which body field goes with which forwarding type, as the document's table says
# ("только для типа …"); a field sent for another type is not read, as Plusofon's own
# example sends every field at once.
_TARGETS: Final = {
    "sip": "sip_id",
    "number": "destination_number",
    "group": "group_id",
    "scenario": "scenario_id",
    "call_queue": "call_queue_id",
    "sip_uri": "destination_uri",
}
_CORE_FIELD: Final = {"sip_id": "extension_id"}
CRM: Final = frozenset({"bitrix", "amo"})

# code-regions: Plusofon's region ids are its own; these are the geographic (ABC) codes
# of Russia's largest cities, each region id the one the seed shows where it shows one.
REGIONS: Final[tuple[tuple[int, str, tuple[str, ...]], ...]] = (
    (1, "Москва (495, 499)", ("495", "499")),
    (2, "Санкт-Петербург (812)", ("812",)),
    (3, "Новосибирск (383)", ("383",)),
    (4, "Екатеринбург (343)", ("343",)),
    (5, "Казань (843)", ("843",)),
    (6, "Нижний Новгород (831)", ("831",)),
    (7, "Челябинск (351)", ("351",)),
    (8, "Самара (846)", ("846",)),
    (9, "Омск (3812)", ("3812",)),
    (10, "Ростов-на-Дону (863)", ("863",)),
    (11, "Уфа (347)", ("347",)),
    (12, "Красноярск (391)", ("391",)),
    (13, "Пермь (342)", ("342",)),
    (14, "Воронеж (473)", ("473",)),
    (15, "Волгоград (8442)", ("8442",)),
    (16, "Краснодар (861)", ("861",)),
    (23, "Ижевск(341)", ("341",)),
    (65, "Улан-Удэ (301)", ("301",)),
)
REGION_CODES: Final = {rid: codes for rid, _, codes in REGIONS}

# --- scalars ----------------------------------------------------------------------------


def wire_number(e164: str) -> str:
    return e164.removeprefix("+")


def number_in(text: str) -> str:
    """A number from the client in E.164: "+…" as is, ten digits "with the city code"
    in +7, eleven starting with 8 (the Russian trunk prefix) in +7, else international."""
    digits = text.strip().removeprefix("+")
    if text.strip().startswith("+"):
        return "+" + digits
    if len(digits) == 10:
        return f"+{COUNTRY_CODE}{digits}"
    if len(digits) == 11 and digits.startswith("8"):
        return f"+{COUNTRY_CODE}{digits[1:]}"
    return "+" + digits


def phone_type(number_type: str) -> str:
    """abc / def / 800; a premium-rate number (no Plusofon code) keeps vpbx's name."""
    return _PHONE_TYPE_OUT.get(NumberType(number_type), str(number_type))


def number_type(tier: Tier) -> int:
    return _TIER_OUT[Tier(tier)]


def money(value: Decimal) -> int | float:
    """A price as the JSON number the number lists show (99, 99.5)."""
    value = value.normalize()
    return int(value) if value == value.to_integral_value() else float(value)


def money_text(value: Decimal) -> str:
    """A price as the search and SMS answers show it ("99.00")."""
    return f"{value:.2f}"


def timestamp(moment: datetime | None) -> str | None:
    """`YYYY-MM-DD HH:MM:SS` in UTC."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def owner_type(value: str) -> OwnerType:
    return OwnerType(value)


# --- forwarding ---------------------------------------------------------------------------


def forwarding_spec(body: wire.Follow, destination: str | None) -> ForwardingSpec:
    """The follow body as the core's spec: the fields of its type, under the core's names."""
    fields: dict[str, Any] = {"type": body.type}
    if body.type == "empty":
        return ForwardingSpec(type="empty")
    ringing: str = body.type
    if body.type in CRM:
        fields["host"] = body.host
        fields["type_default"] = body.type_default
        ringing = body.type_default or "empty"
        if ringing != "empty":
            fields["cli_mode_default"] = body.cli_type_default
    target = _TARGETS.get(ringing)
    if target is not None:
        value = destination if target == "destination_number" else getattr(body, target)
        fields[_CORE_FIELD.get(target, target)] = value
    fields["cli_mode"] = body.cli_type
    try:
        return ForwardingSpec(**fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "type"
        raise Invalid(f"{field}: {first['msg']}", field=field) from None


def _target_name(view: ForwardingOut, type_: str | None) -> str:
    """What the seed's `following.name` says: the type's title and its target."""
    target = {
        "sip": view.extension_number,
        "number": wire_number(view.destination_number or "") or None,
        "group": view.group_name or view.group_number,
        "scenario": view.scenario_name,
        "call_queue": view.call_queue_name,
        "sip_uri": view.destination_uri,
    }.get(type_ or "")
    title = FOLLOW_TITLES.get(type_ or "empty", type_ or "")
    return f"{title} {target}" if target else title


def following(view: ForwardingOut) -> dict[str, Any] | None:
    """`following`: where calls ring (for a CRM forwarding, its default); none for empty."""
    if view.type in CRM:
        if view.type_default in (None, "empty"):
            return None
        return {
            "name": _target_name(view, view.type_default),
            "cli_type": CLI_TITLES.get(view.cli_mode_default or "", None),
        }
    if view.type == "empty":
        return None
    return {"name": _target_name(view, view.type), "cli_type": CLI_TITLES.get(view.cli_mode or "")}


def integration_following(view: ForwardingOut) -> dict[str, Any] | None:
    if view.type not in CRM:
        return None
    return {"host": view.host, "type": view.type, "cli_type": CLI_TITLES.get(view.cli_mode or "")}
