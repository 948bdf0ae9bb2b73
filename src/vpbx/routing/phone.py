"""Number handling for routing: E.164 normalisation, anonymous callers, caller lists."""

from __future__ import annotations

import phonenumbers

__all__ = ["ANONYMOUS", "is_anonymous", "list_matches", "number_key", "parses", "to_e164"]

# Calling-number values carriers use for a withheld or missing caller ID (compared
# case-insensitively after stripping; the empty string counts too).
ANONYMOUS: frozenset[str] = frozenset(
    {"", "anonymous", "unknown", "unavailable", "restricted", "private", "withheld"}
)


def is_anonymous(caller: str) -> bool:
    """True when the calling number is withheld."""
    return caller.strip().lower() in ANONYMOUS


def _parse(text: str, region: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None


def parses(text: str, region: str) -> bool:
    """Whether phonenumbers reads the text as a number at all (valid or not)."""
    return _parse(text.strip(), region) is not None


def to_e164(text: str, region: str) -> str | None:
    """The valid number `text` denotes, as E.164, or None.

    Reads E.164 ("+84912345678"), international dialling ("0084..."), and national
    dialling in `region` ("0912345678"). Failing those, digits are tried as E.164
    without the plus ("74951234567"), the form many carriers send.
    """
    text = text.strip()
    number = _parse(text, region)
    if number is not None and phonenumbers.is_valid_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if text.isascii() and text.isdigit():
        number = _parse("+" + text, region)
        if number is not None and phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def number_key(text: str, region: str) -> str:
    """A comparison key: the E.164 form when valid, else the text as given (stripped)."""
    return to_e164(text, region) or text.strip()


def list_matches(caller: str, entries: tuple[str, ...], region: str) -> bool:
    """Whether a caller matches any black/whitelist entry.

    An entry ending in "*" is a prefix of the caller's E.164 form ("+8419*"; a prefix
    written without "+" gets one, so "8419*" works the same, and "*" alone matches every
    caller). Any other entry is a number compared in normalised form. Anonymous callers
    match nothing, not even "*". Blank entries match nothing.
    """
    if is_anonymous(caller):
        return False
    key = number_key(caller, region)
    for raw in entries:
        entry = raw.strip()
        if entry.endswith("*"):
            prefix = entry[:-1]
            if prefix and not prefix.startswith("+"):
                prefix = "+" + prefix
            if key.startswith(prefix):
                return True
        elif number_key(entry, region) == key:
            return True
    return False
