"""Pure rules: subscribers' carriers, order codes, code hashes."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from vpbx.errors import Invalid
from vpbx.packages import rules


@pytest.mark.parametrize(
    ("text", "carrier", "e164"),
    [
        ("0337880699", "VIETTEL", "+84337880699"),  # DMall's example
        ("84337880699", "VIETTEL", "+84337880699"),
        ("+84337880699", "VIETTEL", "+84337880699"),
        ("033 788 0699", "VIETTEL", "+84337880699"),
        ("0936004420", "MOBIFONE", "+84936004420"),  # DMall's other example
        ("0707123456", "MOBIFONE", "+84707123456"),
        ("0912345678", "VINAPHONE", "+84912345678"),
        ("0886123456", "VINAPHONE", "+84886123456"),
        ("0923456789", "VIETNAMOBILE", "+84923456789"),
    ],
)
def test_a_subscriber_of_the_named_carrier_is_accepted(text: str, carrier: str, e164: str) -> None:
    assert rules.subscriber_phone(text, carrier) == e164


def test_a_mobifone_number_ordering_a_viettel_package_is_refused_clearly() -> None:
    with pytest.raises(Invalid) as caught:
        rules.subscriber_phone("0936004420", "VIETTEL")
    assert caught.value.code == "carrier_mismatch"
    assert "MobiFone" in caught.value.message
    assert "Viettel" in caught.value.message
    assert caught.value.details["carrier"] == "MOBIFONE"
    assert caught.value.details["expected"] == "VIETTEL"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "0243825686",  # not a valid number
        "02438256868",  # Hanoi fixed line, not a mobile
        "+79309993750",  # a Russian mobile
        "0337880699\x00",
        "03378806991234567890123",
        "٠٣٣٧٨٨٠٦٩٩",  # Arabic-Indic digits
    ],
)
def test_anything_but_a_vietnamese_mobile_is_refused(text: str) -> None:
    with pytest.raises(Invalid) as caught:
        rules.subscriber_phone(text, "VIETTEL")
    assert caught.value.code == "invalid_phone"
    assert caught.value.details["field"] == "phone"


def test_unknown_carriers_are_refused() -> None:
    with pytest.raises(Invalid) as caught:
        rules.carrier_code("BEELINE")
    assert caught.value.code == "carrier_not_supported"
    assert rules.carrier_code(" viettel ") == "VIETTEL"


def test_order_codes_have_the_documented_form() -> None:
    now = datetime(2023, 11, 13, 17, 20, 59, tzinfo=UTC)
    code = rules.new_order_code(now)
    assert re.fullmatch(r"DG20231113172059\d{6}", code), code
    assert len(code) == len("DG20231113172059456724")
    assert len({rules.new_order_code(now) for _ in range(200)}) > 190


def test_codes_are_six_random_digits() -> None:
    codes = {rules.new_code() for _ in range(500)}
    assert all(re.fullmatch(r"\d{6}", c) for c in codes)
    assert len(codes) > 490  # not a constant nor a short cycle
    assert re.fullmatch(r"\d{9}", rules.new_trans_id())


def test_a_code_is_kept_as_a_keyed_hash_bound_to_its_order() -> None:
    key, other_key = b"k" * 32, b"x" * 32
    stored = rules.code_hash(key, "DG1", "123456")
    assert "123456" not in stored
    assert len(stored) == 64
    assert rules.code_matches(key, "DG1", "123456", stored)
    assert not rules.code_matches(key, "DG1", "123457", stored)
    assert not rules.code_matches(key, "DG2", "123456", stored)  # another order
    assert not rules.code_matches(other_key, "DG1", "123456", stored)  # another instance
    assert not rules.code_matches(key, "DG1", "123456", None)
