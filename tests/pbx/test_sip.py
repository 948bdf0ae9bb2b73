"""SIP account rules without HTTP: digest hashes, passwords, domain names."""

from __future__ import annotations

import hashlib
import re
import string

import pytest

from vpbx.errors import Invalid
from vpbx.pbx.sip import (
    MAX_PASSWORD,
    MIN_PASSWORD,
    check_password,
    digest_hashes,
    domain_for,
    generate_password,
    normalize_domain,
)

# --- digest hashes ----------------------------------------------------------------------


def test_ha1_matches_rfc_2617_example() -> None:
    ha1, _ = digest_hashes("Mufasa", "testrealm@host.com", "Circle Of Life")
    assert ha1 == "939e7578ed9e3c518a452acee763bce9"


def test_digest_hashes_known_values() -> None:
    ha1, ha1b = digest_hashes("101", "acme.vpbx.local", "Xy7kPq2mZt")
    assert ha1 == "9ef8eb9bd3dd48d673b8ead85860bb1e"
    assert ha1b == "8b94e0652d784f5d0cb7a383503c1b87"
    assert ha1b == hashlib.md5(b"101@acme.vpbx.local:acme.vpbx.local:Xy7kPq2mZt").hexdigest()


def test_digest_hashes_depend_on_every_part() -> None:
    base = digest_hashes("101", "acme.vpbx.local", "Xy7kPq2mZt")
    assert digest_hashes("102", "acme.vpbx.local", "Xy7kPq2mZt") != base
    assert digest_hashes("101", "acme2.vpbx.local", "Xy7kPq2mZt") != base
    assert digest_hashes("101", "acme.vpbx.local", "Xy7kPq2mZu") != base
    assert all(re.fullmatch(r"[0-9a-f]{32}", h) for h in base)


# --- generated passwords ----------------------------------------------------------------


def test_generated_password_is_20_strong_unambiguous_characters() -> None:
    seen = set()
    for _ in range(300):
        password = generate_password()
        seen.add(password)
        assert len(password) == 20
        assert password.isascii()
        assert password.isalnum()
        assert not set(password) & set("0O1lI"), password  # no look-alikes
        kinds = [
            any(c in string.ascii_lowercase for c in password),
            any(c in string.ascii_uppercase for c in password),
            any(c in string.digits for c in password),
        ]
        assert all(kinds), password
        assert check_password(password, "101") == password
    assert len(seen) == 300


def test_generated_password_length_is_configurable() -> None:
    assert len(generate_password(32)) == 32
    assert len(generate_password(MIN_PASSWORD)) == MIN_PASSWORD


# --- chosen passwords -------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "Xy7kPq2mZt",  # exactly the minimum length
        "A1b" + "c" * (MAX_PASSWORD - 3),  # exactly the maximum
        "abcdefgh!2",  # lower, digit, symbol
        "ABCDEFGH!x",  # upper, symbol, lower
        "Tr0ub4dor&3",
    ],
)
def test_strong_passwords_are_accepted(password: str) -> None:
    assert check_password(password, "101") == password


@pytest.mark.parametrize(
    "password",
    [
        "Ab1cdef",  # short
        "Ab1cdefgh",  # one below the minimum
        "A1b" + "c" * (MAX_PASSWORD - 2),  # one above the maximum
        "abcdefghijkl",  # one class
        "abcdefgh1234",  # two classes
        "ABCDEFGH1234",
        "password123",
        "PASSWORD123",
        "Abcd 1234xyz",  # space
        "Abcd\t1234xyz",
        "Äbcdefgh1234",  # not ASCII
        "Abcdefgh12\x00",  # NUL
        "Abcdefgh12\x7f",
        "Ab101cdefgh",  # contains the extension number
        "101Abcdefgh",
        "Abcdefgh101",
        "",
    ],
)
def test_weak_passwords_are_refused(password: str) -> None:
    with pytest.raises(Invalid) as caught:
        check_password(password, "101")
    assert caught.value.code == "weak_password"
    assert caught.value.details["field"] == "password"


def test_extension_number_rule_uses_the_given_number() -> None:
    assert check_password("Abcdefgh101", "102") == "Abcdefgh101"
    with pytest.raises(Invalid):
        check_password("Abcdefgh102", "102")


@pytest.mark.parametrize("password", ["Password123", "Welcome2024!", "Qwerty123456", "Admin12345"])
def test_common_words_are_refused(password: str) -> None:
    with pytest.raises(Invalid):
        check_password(password, "101")


# --- domains ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("acme.vpbx.local", "acme.vpbx.local"),
        ("Acme.VPBX.Local", "acme.vpbx.local"),
        ("  acme.example.  ", "acme.example"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("a-b.c-d.example", "a-b.c-d.example"),
        ("a" * 63 + ".example", "a" * 63 + ".example"),
    ],
)
def test_domains_are_normalised(given: str, expected: str) -> None:
    assert normalize_domain(given) == expected


@pytest.mark.parametrize(
    "given",
    [
        "",
        "localhost",
        "acme",
        "acme..example",
        ".acme.example",
        "-acme.example",
        "acme-.example",
        "ac_me.example",
        "ac me.example",
        "acme.example/x",
        "sip:acme.example",
        "ácme.example",
        "a" * 64 + ".example",
        ".".join(["abcdefghi"] * 26),  # 259 characters
        "acme.example\x00",
    ],
)
def test_bad_domains_are_refused(given: str) -> None:
    with pytest.raises(Invalid) as caught:
        normalize_domain(given)
    assert caught.value.details["field"] == "sip_domain"


@pytest.mark.parametrize("given", ["acme\n.example", "acme.example\n.local"])
def test_newline_inside_a_domain_is_refused(given: str) -> None:
    with pytest.raises(Invalid):
        normalize_domain(given)


def test_domain_for_a_new_tenant() -> None:
    domain = domain_for("Công ty ABC", "vpbx.local")
    assert re.fullmatch(r"cong-ty-abc-[0-9a-f]{6}\.vpbx\.local", domain), domain
    assert re.fullmatch(r"tenant-[0-9a-f]{6}\.vpbx\.local", domain_for("!!!", "vpbx.local"))
    assert normalize_domain(domain) == domain
