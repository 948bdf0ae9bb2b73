from __future__ import annotations

import pytest

from vpbx.errors import Invalid
from vpbx.numbers.enums import NumberType
from vpbx.numbers.phone import parse_number


def test_a_hanoi_fixed_line_is_described_from_its_digits() -> None:
    facts = parse_number("+842477778823")
    assert facts.country == "VN"
    assert facts.country_code == 84
    assert facts.nsn == "2477778823"
    assert facts.area_code == "24"
    assert facts.subscriber == "77778823"
    assert facts.region == "Hanoi City"
    assert facts.number_type is NumberType.FIXED


def test_provider_style_numbers_without_plus_and_national_numbers_parse() -> None:
    assert parse_number("842477778823").e164 == "+842477778823"
    assert parse_number("024 7777 8823", "VN").e164 == "+842477778823"
    assert parse_number("8 (495) 133-45-27", "RU").e164 == "+74951334527"


@pytest.mark.parametrize(
    ("number", "kind"),
    [
        ("+84912345678", NumberType.MOBILE),
        ("+8418001234", NumberType.TOLL_FREE),
        ("+8419001234", NumberType.PREMIUM),
        ("+74951334527", NumberType.FIXED),
        ("+79309993750", NumberType.MOBILE),
        ("+78001234567", NumberType.TOLL_FREE),
    ],
)
def test_number_types_follow_libphonenumber(number: str, kind: NumberType) -> None:
    assert parse_number(number).number_type is kind


def test_mobile_carrier_comes_from_the_prefix() -> None:
    assert parse_number("+84912345678").carrier == "Vinaphone"


@pytest.mark.parametrize("number", ["+84000", "hello", "+8424", "", "+999123456789"])
def test_invalid_numbers_are_refused(number: str) -> None:
    with pytest.raises(Invalid):
        parse_number(number)
