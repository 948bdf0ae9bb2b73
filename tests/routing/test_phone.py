"""Number normalisation and black/whitelist matching."""

from __future__ import annotations

import pytest

from vpbx.routing.phone import is_anonymous, list_matches, number_key, parses, to_e164


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        ("+84912345678", "VN", "+84912345678"),
        ("0912345678", "VN", "+84912345678"),  # national
        ("0084912345678", "VN", "+84912345678"),  # international prefix
        ("+84 24 7123 4567", "VN", "+842471234567"),  # spaces
        ("  02471234567 ", "VN", "+842471234567"),
        ("84951234567", "RU", "+74951234567"),  # Russian trunk prefix 8
        ("74951234567", "VN", "+74951234567"),  # E.164 without the plus
    ],
)
def test_to_e164_normalises(text: str, region: str, expected: str) -> None:
    assert to_e164(text, region) == expected


@pytest.mark.parametrize("text", ["105", "0241234", "+84281234567", "abc", "", "*123#"])
def test_to_e164_rejects_invalid(text: str) -> None:
    assert to_e164(text, "VN") is None


def test_parses_distinguishes_numbers_from_garbage() -> None:
    assert parses("0241234", "VN")
    assert not parses("abc", "VN")


def test_number_key_falls_back_to_text() -> None:
    assert number_key("0912345678", "VN") == "+84912345678"
    assert number_key(" 105 ", "VN") == "105"


@pytest.mark.parametrize("caller", ["anonymous", "Anonymous", " ", "", "unknown", "Restricted"])
def test_anonymous_markers(caller: str) -> None:
    assert is_anonymous(caller)


def test_a_number_is_not_anonymous() -> None:
    assert not is_anonymous("+84987654321")


@pytest.mark.parametrize(
    ("caller", "entries"),
    [
        ("+84987654321", ("+84987654321",)),  # exact
        ("0987654321", ("+84987654321",)),  # caller in national form
        ("+84987654321", ("0987654321",)),  # entry in national form
        ("+84987654321", ("+8498*",)),  # prefix
        ("+84987654321", ("8498*",)),  # prefix without plus
        ("+84987654321", ("*",)),  # everyone
        ("+84987654321", ("", "+111", "+84987654321")),  # blank entries skipped
    ],
)
def test_list_matches(caller: str, entries: tuple[str, ...]) -> None:
    assert list_matches(caller, entries, "VN")


@pytest.mark.parametrize(
    ("caller", "entries"),
    [
        ("+84987654321", ("+84987654322",)),
        ("+84987654321", ("+8499*",)),
        ("+84987654321", ()),
        ("+84987654321", ("",)),
        ("anonymous", ("*",)),  # anonymous matches nothing, not even "*"
        ("anonymous", ("anonymous",)),
    ],
)
def test_list_does_not_match(caller: str, entries: tuple[str, ...]) -> None:
    assert not list_matches(caller, entries, "VN")
