"""Parsing and describing phone numbers with libphonenumber (the `phonenumbers` package).

Import validates every row, so the hot path avoids re-parsing E.164 strings and asks
libphonenumber for the number type once, then derives the rest from that type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberType, carrier, geocoder
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

from vpbx.errors import Invalid
from vpbx.numbers.enums import NumberType

_TYPE_MAP = {
    PhoneNumberType.FIXED_LINE: NumberType.FIXED,
    PhoneNumberType.FIXED_LINE_OR_MOBILE: NumberType.FIXED,
    PhoneNumberType.MOBILE: NumberType.MOBILE,
    PhoneNumberType.TOLL_FREE: NumberType.TOLL_FREE,
    PhoneNumberType.PREMIUM_RATE: NumberType.PREMIUM,
    PhoneNumberType.SHARED_COST: NumberType.PREMIUM,
    PhoneNumberType.UAN: NumberType.PREMIUM,
}


@dataclass(frozen=True)
class NumberFacts:
    """What vpbx stores about a number besides its commercial terms."""

    e164: str
    country: str
    country_code: int
    nsn: str
    area_code: str
    subscriber: str
    region: str
    number_type: NumberType
    carrier: str


def to_phone_number(text: str, default_country: str | None = None) -> phonenumbers.PhoneNumber:
    """Parse user input (E.164, or national digits with a country), or raise Invalid."""
    text = text.strip()
    fast = _fast_e164(text)
    if fast is not None:
        return fast
    if not text.startswith("+") and default_country is None and text.isdigit():
        text = "+" + text  # providers send E.164 without the plus ("842477778823")
    try:
        return phonenumbers.parse(text, default_country)
    except phonenumbers.NumberParseException as exc:
        raise Invalid(f"not a phone number: {text!r} ({exc._msg})", field="number") from exc


def _fast_e164(text: str) -> phonenumbers.PhoneNumber | None:
    """Split '+CCNSN' without the general parser; None when the text needs it."""
    digits = text[1:]
    # isascii(): str.isdigit() also accepts '²' and other digits int() would choke on.
    if not 8 <= len(text) <= 16 or text[0] != "+" or not (digits.isascii() and digits.isdigit()):
        return None
    for cc_len in (1, 2, 3):
        cc = int(text[1 : 1 + cc_len])
        if cc in COUNTRY_CODE_TO_REGION_CODE:
            nsn = text[1 + cc_len :]
            if nsn.startswith("0"):
                return None  # Italian-style leading zeros need the full parser
            return phonenumbers.PhoneNumber(country_code=cc, national_number=int(nsn))
    return None


def describe(number: phonenumbers.PhoneNumber) -> NumberFacts:
    """Validate a parsed number and derive everything search and display need."""
    raw_type = phonenumbers.number_type(number)
    number_type = _TYPE_MAP.get(raw_type)
    if number_type is None:
        raise Invalid(
            f"{_e164(number)} is not a valid number of a supported type "
            "(fixed, mobile, toll-free or premium)",
            field="number",
        )
    country = _region_code(number)
    if country is None or country == "ZZ":
        raise Invalid(f"{_e164(number)} belongs to no country", field="number")
    nsn = phonenumbers.national_significant_number(number)
    country_code = number.country_code or 0
    area_len, region, carrier_name = _prefix_facts(country_code, nsn, raw_type)
    return NumberFacts(
        e164=f"+{country_code}{nsn}",  # E.164 is exactly this; format_number is slower
        country=country,
        country_code=country_code,
        nsn=nsn,
        area_code=nsn[:area_len],
        subscriber=nsn[area_len:],
        region=region,
        number_type=number_type,
        carrier=carrier_name,
    )


def _region_code(number: phonenumbers.PhoneNumber) -> str | None:
    regions = COUNTRY_CODE_TO_REGION_CODE.get(number.country_code or 0, ())
    if len(regions) == 1:
        return regions[0]  # the usual case: one country per calling code
    return phonenumbers.region_code_for_number(number)


def parse_number(text: str, default_country: str | None = None) -> NumberFacts:
    return describe(to_phone_number(text, default_country))


def _e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _prefix_facts(country_code: int, nsn: str, raw_type: int) -> tuple[int, str, str]:
    """(area code length, region name, carrier) by libphonenumber's own rules.

    Each public helper (geocoder, carrier, length_of_national_destination_code) would
    classify the number again; the type is known here, so the same steps run with it.
    """
    number = phonenumbers.PhoneNumber(country_code=country_code, national_number=int(nsn))
    return (
        _destination_code_length(number, raw_type),
        _region_name(number, raw_type),
        carrier.name_for_valid_number(number, "en") if raw_type in _CARRIER_TYPES else "",
    )


_CARRIER_TYPES = frozenset(
    {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE, PhoneNumberType.PAGER}
)
_NON_DIGITS = re.compile(r"\D+")


def _region_name(number: phonenumbers.PhoneNumber, raw_type: int) -> str:
    if not phonenumbers.is_number_type_geographical(raw_type, number.country_code or 0):
        return geocoder.country_name_for_number(number, "en")
    return geocoder.description_for_valid_number(number, "en")


def _destination_code_length(number: phonenumbers.PhoneNumber, raw_type: int) -> int:
    """phonenumbers.length_of_national_destination_code, given the number's type."""
    groups = _NON_DIGITS.split(
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    )
    if len(groups) <= 3:
        return 0
    country_code = number.country_code or 0
    if raw_type == PhoneNumberType.MOBILE and phonenumbers.country_mobile_token(country_code):
        return len(groups[2]) + len(groups[3])
    return len(groups[2])
