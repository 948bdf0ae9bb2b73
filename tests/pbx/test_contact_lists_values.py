"""Contact-list entries: every accepted form is stored as exactly what screening matches."""

from __future__ import annotations

import pytest

from vpbx.errors import Invalid
from vpbx.pbx.contacts_values import entry_kind, normalise_entry, search_terms
from vpbx.routing.phone import list_matches


@pytest.mark.parametrize(
    ("region", "text", "stored"),
    [
        ("VN", "+84912345678", "+84912345678"),
        ("VN", "0912345678", "+84912345678"),
        ("VN", "  0912 345 678 ", "+84912345678"),
        ("VN", "(024) 3825-6868", "+842438256868"),
        ("VN", "84912345678", "+84912345678"),  # libphonenumber strips a country code it sees
        ("VN", "+7 495 133-45-27", "+74951334527"),
        ("VN", "+８４９１２３４５６７８", "+84912345678"),  # fullwidth digits and plus
        ("VN", "٠٩١٢٣٤٥٦٧٨", "+84912345678"),  # Arabic-Indic digits
        ("RU", "8 (495) 133-45-27", "+74951334527"),
        ("VN", "+8424*", "+8424*"),
        ("VN", "+84 24 *", "+8424*"),
        ("VN", "024*", "+8424*"),  # national prefix form, trunk "0" dropped
        ("VN", "0084*", "+84*"),  # international dialling prefix
        ("VN", "0*", "+84*"),  # every domestic caller
        ("VN", "+12*", "+12*"),
        ("VN", "+38*", "+38*"),  # begins several country codes (+380 ...)
        ("VN", "+123456789012345*", "+123456789012345*"),
        ("RU", "8495*", "+7495*"),  # Russia's trunk prefix is 8
        ("RU", "810375*", "+375*"),  # ... and its international prefix 810 wins over it
        ("US", "1212*", "+1212*"),
        ("US", "011 44*", "+44*"),
        ("AU", "0011 61*", "+61*"),
        ("VN", "+８４２４*", "+8424*"),
    ],
)
def test_accepted_forms_are_normalised(region: str, text: str, stored: str) -> None:
    assert normalise_entry(text, region, field="value") == stored


@pytest.mark.parametrize(
    ("region", "text", "says"),
    [
        ("VN", "", "blank"),
        ("VN", "   ", "blank"),
        ("VN", "*", "bare '*'"),
        ("VN", "+*", "bare '*'"),
        ("VN", "**", "not a prefix"),
        ("VN", "+84*12", "may only end"),
        ("VN", "+8*4*", "not a prefix"),
        ("VN", "+1*", "2 to 15 digits"),
        ("VN", "00*", "2 to 15 digits"),
        ("VN", "+1234567890123456*", "2 to 15 digits"),
        ("VN", "+28*", "no country calling code"),
        ("VN", "+0*", "2 to 15 digits"),
        ("VN", "+01*", "no country calling code"),
        ("VN", "8419*", "ambiguous"),  # no trunk prefix: national or international?
        ("AU", "02*", "ambiguous"),  # Australia's trunk-prefix rule is not a plain "0"
        ("IT", "06*", "ambiguous"),  # Italy has no trunk prefix: 06 is part of the number
        ("VN", "abc", "not a phone number"),
        ("VN", "1-800-FLOWERS", "not a phone number"),  # no vanity letters
        ("VN", "0912345678 ext 5", "not a phone number"),
        ("VN", "+84 1234", "not a possible"),
        ("VN", "091234", "not a possible"),
        ("VN", "74951334527", "not a possible"),  # international without "+" is not read
        ("VN", "+", "not a phone number"),
        ("VN", "²³⁴", "not a phone number"),  # superscripts are not digits
        ("VN", "+84 24 x*", "not a prefix"),
    ],
)
def test_refused_forms_say_why(region: str, text: str, says: str) -> None:
    with pytest.raises(Invalid) as caught:
        normalise_entry(text, region, field="entries.0.value")
    assert caught.value.code == "invalid_entry"
    assert caught.value.details["field"] == "entries.0.value"
    assert says in caught.value.message


@pytest.mark.parametrize(
    ("entry", "caller", "matches"),
    [
        ("0912345678", "+84912345678", True),
        ("0912345678", "0912345678", True),
        ("0912345678", "84912345678", True),
        ("0912345678", "+84912345679", False),
        ("024*", "+842438256868", True),
        ("024*", "02438256868", True),
        ("024*", "+842838256868", False),
        ("+7495*", "74951334527", True),  # carriers send E.164 without "+"
        ("0*", "+84912345678", True),
        ("0*", "+74951334527", False),
        ("0*", "anonymous", False),
    ],
)
def test_stored_values_match_as_screening_reads_them(
    entry: str, caller: str, matches: bool
) -> None:
    stored = normalise_entry(entry, "VN", field="value")
    assert list_matches(caller, (stored,), "VN") is matches


def test_kind_of_a_stored_value() -> None:
    assert entry_kind("+8424*") == "prefix"
    assert entry_kind("+84912345678") == "number"


@pytest.mark.parametrize(
    ("keyword", "terms"),
    [
        ("8491", ("8491", None)),
        ("0912", ("0912", "+84912")),
        ("091 2", ("0912", "+84912")),
        ("+849", (None, "+849")),
        ("００", ("00", None)),  # the international prefix alone stands for no start
        ("24*", ("24", None)),
    ],
)
def test_search_terms(keyword: str, terms: tuple[str | None, str | None]) -> None:
    assert search_terms(keyword, "VN") == terms


@pytest.mark.parametrize("keyword", ["abc", "+", "*", "8%", "8_", "1+2", "١a"])
def test_search_terms_are_digits(keyword: str) -> None:
    with pytest.raises(Invalid) as caught:
        search_terms(keyword, "VN")
    assert caught.value.details["field"] == "keyword"
