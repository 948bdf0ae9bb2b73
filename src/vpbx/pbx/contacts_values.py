"""What a contact-list entry may hold, in the one form route screening reads.

Entries are matched by `vpbx.routing.phone.list_matches`: an E.164 number compared with
the caller's E.164 form, or a prefix "+<digits>*" of it. Everything a client may write is
turned into exactly those two forms here, so what is stored always matches as intended.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import PhoneMetadata
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

from vpbx.errors import Invalid

__all__ = ["entry_kind", "normalise_entry", "search_terms"]

# Digits of any script (phonenumbers reads them), a leading plus and the separators
# people type. Letters are refused: phonenumbers would read "1-800-FLOWERS" as digits.
_NUMBER_TEXT = re.compile(r"^[+＋]?[\d\s().\-/]+\Z")
_SEPARATORS = re.compile(r"[\s().\-/]")
_DIGITS = re.compile(r"^\d+\Z")
_MIN_PREFIX, _MAX_PREFIX = 2, 15
_COUNTRY_CODES = frozenset(str(code) for code in COUNTRY_CODE_TO_REGION_CODE)
_EXAMPLE = "e.g. +84912345678, 0912345678 or the prefix +8424*"


def entry_kind(value: str) -> str:
    """Whether a stored value is a "prefix" ("+8424*") or a "number"."""
    return "prefix" if value.endswith("*") else "number"


def normalise_entry(text: str, region: str, *, field: str) -> str:
    """The stored form of an entry: E.164 ("+84912345678") or a prefix ("+8424*").

    Raises Invalid (code invalid_entry) naming `field` when the text is neither.
    """
    raw = text.strip()
    if not raw:
        raise _bad(field, "an entry must not be blank")
    if raw.endswith("*"):
        return _prefix(raw[:-1].strip(), region, field)
    if "*" in raw:
        raise _bad(field, f"{text!r}: '*' may only end a prefix ({_EXAMPLE})")
    return _number(raw, region, field)


def search_terms(keyword: str, region: str) -> tuple[str | None, str | None]:
    """What a keyword finds, as (digits anywhere in an entry, start of an entry).

    "8491" finds those digits anywhere; "0912", written nationally, also finds entries
    starting "+84912"; "+849" finds entries starting "+849" only. Invalid when the
    keyword holds anything but digits and separators."""
    compact = _SEPARATORS.sub("", keyword.strip()).replace("＋", "+").rstrip("*")
    international = compact.startswith("+")
    digits = compact.lstrip("+")
    if not digits or not _DIGITS.match(digits):
        raise Invalid(
            "keyword searches the digits of entries: give digits, e.g. 8491 or 0912",
            field="keyword",
        )
    digits = phonenumbers.normalize_digits_only(digits)
    if international:
        return None, f"+{digits}"
    try:
        national = _from_dialling(digits, region, "keyword")
    except Invalid:
        return digits, None
    return digits, f"+{national}" if national else None


def _number(raw: str, region: str, field: str) -> str:
    if not _NUMBER_TEXT.match(raw):
        raise _bad(field, f"{raw!r} is not a phone number ({_EXAMPLE})")
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise _bad(field, f"{raw!r} is not a phone number ({_EXAMPLE})") from None
    if not phonenumbers.is_possible_number(number):
        raise _bad(field, f"{raw!r} is not a possible phone number ({_EXAMPLE})")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _prefix(body: str, region: str, field: str) -> str:
    compact = _SEPARATORS.sub("", body).replace("＋", "+")
    international = compact.startswith("+")
    digits = compact[1:] if international else compact
    if not digits:
        raise _bad(field, "a prefix needs digits before '*' (a bare '*' would match everyone)")
    if not _DIGITS.match(digits):
        raise _bad(field, f"{body + '*'!r} is not a prefix: write '+', digits, then '*' (+8424*)")
    digits = phonenumbers.normalize_digits_only(digits)
    if not international:
        digits = _from_dialling(digits, region, field)
    if not _MIN_PREFIX <= len(digits) <= _MAX_PREFIX:
        raise _bad(
            field,
            f"a prefix has {_MIN_PREFIX} to {_MAX_PREFIX} digits after '+' (e.g. +8424*)",
        )
    if not _may_start_a_number(digits):
        raise _bad(
            field, f"no country calling code begins +{digits[:3]}: +{digits}* matches no one"
        )
    return f"+{digits}*"


def _from_dialling(digits: str, region: str, field: str) -> str:
    """A prefix as dialled in `region` ("024" or "0084" in VN) in international digits.

    The international prefix is tried first, as libphonenumber does, because it often
    begins with the trunk prefix ("00" and "0" in Vietnam, "810" and "8" in Russia).
    The trunk prefix is read only where it is a plain digit string, so the conversion
    is unambiguous; anything else must be written with "+".
    """
    meta = PhoneMetadata.metadata_for_region(region)
    if meta is None:
        raise _bad(field, f"{digits}* is ambiguous: write it with '+', e.g. +8424*")
    idd = re.match(meta.international_prefix or "(?!)", digits)
    if idd is not None and idd.end() > 0:
        return digits[idd.end() :]
    trunk = meta.national_prefix or ""
    plain = _DIGITS.match(trunk) and meta.national_prefix_for_parsing in (None, trunk)
    if plain and digits.startswith(trunk):
        return f"{meta.country_code}{digits[len(trunk) :]}"
    raise _bad(
        field,
        f"{digits}* is ambiguous: write it in international form, '+' and the country "
        f"code first (+{meta.country_code}…*)",
    )


def _may_start_a_number(digits: str) -> bool:
    """Whether some country calling code begins the digits, or the digits begin one."""
    return any(digits[:n] in _COUNTRY_CODES for n in (1, 2, 3)) or any(
        code.startswith(digits) for code in _COUNTRY_CODES
    )


def _bad(field: str, message: str) -> Invalid:
    return Invalid(message, code="invalid_entry", field=field)
