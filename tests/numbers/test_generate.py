"""Tests for the synthetic number stock generator (vpbx.numbers.generate)."""

from __future__ import annotations

import random
import re
from collections import Counter
from decimal import Decimal

import phonenumbers
import pytest
from phonenumbers import PhoneNumberType

from vpbx.numbers.generate import (
    AREA_CODES,
    CSV_COLUMNS,
    SUPPORTED_COUNTRIES,
    _plans,
    generate_stock,
)

EXPECTED_TYPES = {
    "fixed": {PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE},
    "mobile": {PhoneNumberType.MOBILE},
    "toll_free": {PhoneNumberType.TOLL_FREE},
    "premium": {PhoneNumberType.PREMIUM_RATE},
}
CURRENCIES = {"VN": "VND", "RU": "RUB"}


def _check_number(number: str, country: str, number_type: str) -> None:
    parsed = phonenumbers.parse(number)
    assert phonenumbers.is_valid_number(parsed), number
    assert phonenumbers.region_code_for_number(parsed) == country, number
    assert phonenumbers.number_type(parsed) in EXPECTED_TYPES[number_type], number


def _nsn(number: str) -> str:
    return str(phonenumbers.parse(number).national_number)


@pytest.fixture(scope="module", params=sorted(SUPPORTED_COUNTRIES))
def sample(request: pytest.FixtureRequest) -> tuple[str, list[dict[str, str]]]:
    country: str = request.param
    return country, list(generate_stock(country, 5_000, seed=42))


@pytest.fixture(scope="module")
def large_vn() -> list[dict[str, str]]:
    return list(generate_stock("VN", 20_000, seed=7))


def test_supported_countries() -> None:
    assert {"VN", "RU"} <= SUPPORTED_COUNTRIES


def test_every_plan_prefix_is_valid_with_its_type() -> None:
    # Checks each range once, at its edges and in the middle, instead of every generated row.
    rng = random.Random(0)
    for country in sorted(SUPPORTED_COUNTRIES):
        code = phonenumbers.country_code_for_region(country)
        for plan in _plans(country):
            fills = ("0" * plan.free, "9" * plan.free, str(rng.randrange(10**plan.free)))
            for fill in fills:
                number = f"+{code}{plan.prefix}{fill.zfill(plan.free)}"
                _check_number(number, country, plan.number_type.value)


def test_rows_valid_and_typed(sample: tuple[str, list[dict[str, str]]]) -> None:
    country, rows = sample
    for row in rows:
        _check_number(row["number"], country, row["number_type"])
        assert row["country"] == country


def test_exact_count_distinct_and_columns(sample: tuple[str, list[dict[str, str]]]) -> None:
    _, rows = sample
    assert len(rows) == 5_000
    assert len({row["number"] for row in rows}) == 5_000
    for row in rows:
        assert tuple(row) == CSV_COLUMNS
        assert all(isinstance(value, str) for value in row.values())


def test_row_fields(sample: tuple[str, list[dict[str, str]]]) -> None:
    country, rows = sample
    for row in rows:
        assert row["tier"] == ""
        assert row["status"] == "available"
        assert row["currency"] == CURRENCIES[country]
        assert row["sms"] == ("true" if row["number_type"] == "mobile" else "false")
        assert row["carrier"]


def test_prices_are_positive_decimals(sample: tuple[str, list[dict[str, str]]]) -> None:
    country, rows = sample
    money = re.compile(r"^\d+(\.\d+)?$")  # no float exponents or stray formatting
    local = re.compile(r"^\d+\.\d\d$" if country == "RU" else r"^\d+$")  # kopecks; VND whole
    for row in rows:
        for column in ("connection_price", "monthly_price"):
            assert local.match(row[column]), row
            assert Decimal(row[column]) > 0
        if country == "RU":
            assert row["prices"] == ""
        else:
            currency, connection, monthly = row["prices"].split(":")
            assert currency == "USD"
            assert money.match(connection)
            assert money.match(monthly)
            assert Decimal(connection) > 0
            assert Decimal(monthly) > 0


def test_plain_prices_match_the_price_list() -> None:
    rows = list(generate_stock("VN", 2_000, area_codes=["24"], seed=3))
    monthly = Counter(row["monthly_price"] for row in rows)
    assert monthly.most_common(1)[0][0] == "22000"
    ru = list(generate_stock("RU", 2_000, area_codes=["495"], seed=3))
    assert Counter(row["monthly_price"] for row in ru).most_common(1)[0][0] == "99.00"


def test_vanity_numbers_cost_more() -> None:
    rows = list(generate_stock("VN", 20_000, area_codes=["28"], seed=5))
    tier4 = [r for r in rows if re.search(r"(\d)\1{3}$", r["number"])]
    plain = [r for r in rows if Decimal(r["connection_price"]) == 200_000]
    assert plain
    # A few random (uncrafted) numbers also end in 4 equal digits and keep the plain price.
    dear = [r for r in tier4 if Decimal(r["connection_price"]) >= 10_000_000]
    assert len(dear) > 0.8 * len(tier4) > 100


def test_deterministic_with_seed() -> None:
    first = list(generate_stock("VN", 1_000, seed=123))
    assert first == list(generate_stock("VN", 1_000, seed=123))
    assert first != list(generate_stock("VN", 1_000, seed=124))


def test_exclude_is_respected() -> None:
    taken = {row["number"] for row in generate_stock("RU", 1_000, seed=9)}
    rows = list(generate_stock("RU", 1_000, seed=9, exclude=taken))
    assert len(rows) == 1_000
    assert not taken & {row["number"] for row in rows}


@pytest.mark.parametrize(
    ("country", "codes"),
    [("VN", ["24", "236"]), ("VN", ["28"]), ("RU", ["495", "343"]), ("RU", ["812"])],
)
def test_area_codes_restrict_to_fixed_numbers_in_those_codes(
    country: str, codes: list[str]
) -> None:
    rows = list(generate_stock(country, 2_000, area_codes=codes, seed=1))
    assert len(rows) == 2_000
    seen = set()
    for row in rows:
        assert row["number_type"] == "fixed"
        parsed = phonenumbers.parse(row["number"])
        ndc = _nsn(row["number"])[: phonenumbers.length_of_national_destination_code(parsed)]
        assert ndc in codes
        seen.add(ndc)
    assert seen == set(codes)


def test_every_area_code_yields_valid_numbers() -> None:
    for country, codes in AREA_CODES.items():
        for code in codes:
            for row in generate_stock(country, 20, area_codes=[code], seed=2):
                _check_number(row["number"], country, "fixed")
                assert _nsn(row["number"]).startswith(code)


def test_mixed_vn_sample_has_all_types_and_carriers(large_vn: list[dict[str, str]]) -> None:
    types = Counter(row["number_type"] for row in large_vn)
    assert set(types) == {"fixed", "mobile", "toll_free", "premium"}
    assert types["fixed"] > types["mobile"] > types["toll_free"]
    carriers = {row["carrier"] for row in large_vn}
    assert {"Viettel", "VNPT", "Vinaphone", "Mobifone", "Itelecom"} <= carriers


def test_mixed_ru_sample_types_and_carriers() -> None:
    rows = list(generate_stock("RU", 5_000, seed=42))
    assert {row["number_type"] for row in rows} == {"fixed", "mobile", "toll_free"}
    assert {"MTS", "Beeline", "MegaFon", "Tele2", "Rostelecom"} <= {r["carrier"] for r in rows}


def test_high_tier_tails_are_present(large_vn: list[dict[str, str]]) -> None:
    # Random digits end in 4 equal digits 0.1% of the time; crafted tails make it ~2%.
    share = sum(1 for r in large_vn if re.search(r"(\d)\1{3}$", r["number"])) / len(large_vn)
    assert 0.01 < share < 0.05
    assert any(re.search(r"(\d)\1{5}$", r["number"]) for r in large_vn)  # 6+ equal: exclusive
    assert any(r["number"].endswith(("6868", "3979")) for r in large_vn)


def test_lowercase_country_is_accepted() -> None:
    rows = list(generate_stock("vn", 3, seed=1))
    assert [row["country"] for row in rows] == ["VN"] * 3


@pytest.mark.parametrize("country", ["US", "", "XX"])
def test_unsupported_country_raises(country: str) -> None:
    with pytest.raises(ValueError, match="unsupported country"):
        generate_stock(country, 10)


@pytest.mark.parametrize("count", [0, -5])
def test_count_below_one_raises(count: int) -> None:
    with pytest.raises(ValueError, match="count must be at least 1"):
        generate_stock("VN", count)


def test_bad_area_code_raises_and_lists_valid_codes() -> None:
    with pytest.raises(ValueError, match=r"not a RU area code: 999") as info:
        generate_stock("RU", 10, area_codes=["495", "999"])
    assert "495" in str(info.value)
    assert "812" in str(info.value)
    with pytest.raises(ValueError, match="not a VN area code: 217"):
        generate_stock("VN", 10, area_codes=["217"])


def test_count_beyond_the_ranges_raises() -> None:
    with pytest.raises(ValueError, match="exceeds"):
        generate_stock("VN", 10**9, area_codes=["236"])


class _Everything:
    def __contains__(self, item: object) -> bool:
        return True


def test_exhausted_ranges_raise_instead_of_looping() -> None:
    rows = generate_stock("VN", 5, area_codes=["24"], seed=1, exclude=_Everything())
    with pytest.raises(ValueError, match="exhausted after 0 of 5"):
        next(rows)
