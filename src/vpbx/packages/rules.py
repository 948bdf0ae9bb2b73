"""Pure rules of carrier packages: carriers, subscribers' phones, order codes, code hashes.

A subscriber's carrier is read from libphonenumber's prefix data. A number ported to
another carrier keeps its old prefix, and nothing public tells it apart: such an order
is refused here (or accepted for the wrong carrier) and the carrier has the last word.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime
from enum import StrEnum

import phonenumbers
from phonenumbers import PhoneNumberType, carrier

from vpbx.errors import Invalid


class PackageType(StrEnum):
    CALL = "CALL"
    SMS = "SMS"
    DATA = "DATA"
    COMBO = "COMBO"


# Carrier code -> how libphonenumber names the carrier ("Viettel", or "Viettel Mobile"
# in other data releases: compared by prefix, lower case, letters only).
CARRIERS: dict[str, str] = {
    "VIETTEL": "viettel",
    "MOBIFONE": "mobifone",
    "VINAPHONE": "vinaphone",
    "VIETNAMOBILE": "vietnamobile",
    "GMOBILE": "gmobile",
}
CARRIER_NAMES = {
    "VIETTEL": "Viettel",
    "MOBIFONE": "MobiFone",
    "VINAPHONE": "VinaPhone",
    "VIETNAMOBILE": "Vietnamobile",
    "GMOBILE": "Gmobile",
}
_PHONE_TEXT = re.compile(r"^\+?[0-9][0-9 .\-]{6,20}$")
_NOT_LETTERS = re.compile(r"[^a-z]")
OTP_DIGITS = 6


def carrier_code(text: str) -> str:
    code = text.strip().upper()
    if code not in CARRIERS:
        raise Invalid(
            f"carrier {text!r} is not supported (supported: {', '.join(CARRIERS)})",
            code="carrier_not_supported",
            field="carrier",
        )
    return code


def carrier_of(number: phonenumbers.PhoneNumber) -> str | None:
    """The carrier code of a number by its prefix, or None when it is none we know."""
    name = _NOT_LETTERS.sub("", carrier.name_for_number(number, "en").lower())
    return next((code for code, key in CARRIERS.items() if name and name.startswith(key)), None)


def mobile_phone(text: str) -> str:
    """A Vietnamese mobile number as E.164, from national (0337880699), international
    without plus (84337880699) or E.164 (+84337880699) form."""
    return _e164(_vn_mobile(text))


def subscriber_phone(text: str, expected_carrier: str) -> str:
    """A Vietnamese mobile number of the expected carrier, as E.164."""
    number = _vn_mobile(text)
    actual = carrier_of(number)
    if actual != expected_carrier:
        raise Invalid(
            f"{text} is a {CARRIER_NAMES.get(actual or '', 'other carrier')} number, "
            f"not {CARRIER_NAMES[expected_carrier]}",
            code="carrier_mismatch",
            field="phone",
            carrier=actual,
            expected=expected_carrier,
        )
    return _e164(number)


def _vn_mobile(text: str) -> phonenumbers.PhoneNumber:
    raw = text.strip()
    if not _PHONE_TEXT.match(raw):
        raise Invalid(f"{text!r} is not a phone number", code="invalid_phone", field="phone")
    try:  # libphonenumber also takes 84… without the plus as international
        number = phonenumbers.parse(re.sub(r"[ .\-]", "", raw), "VN")
    except phonenumbers.NumberParseException:
        raise Invalid(
            f"{text!r} is not a phone number", code="invalid_phone", field="phone"
        ) from None
    if (
        number.country_code != 84
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) != PhoneNumberType.MOBILE
    ):
        raise Invalid(
            f"{text!r} is not a Vietnamese mobile number", code="invalid_phone", field="phone"
        )
    return number


def _e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def new_order_code(now: datetime) -> str:
    """`DG` + the UTC time to the second + 6 random digits: DG20231113172059456724."""
    return f"DG{now:%Y%m%d%H%M%S}{secrets.randbelow(10**6):06d}"


def new_trans_id() -> str:
    """A carrier transaction id as the built-in authority issues it (9 digits)."""
    return str(100_000_000 + secrets.randbelow(900_000_000))


def new_code() -> str:
    return f"{secrets.randbelow(10**OTP_DIGITS):0{OTP_DIGITS}d}"


def code_hash(key: bytes, order_code: str, code: str) -> str:
    """The only form a code is kept in: an HMAC bound to its order, so one order's hash
    says nothing about a code of another."""
    return hmac.new(key, f"{order_code}:{code}".encode(), hashlib.sha256).hexdigest()


def code_matches(key: bytes, order_code: str, code: str, stored: str | None) -> bool:
    if stored is None:
        return False
    return hmac.compare_digest(code_hash(key, order_code, code), stored)
