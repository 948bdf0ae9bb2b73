"""Synthetic but realistic phone-number stock for demos and benchmarks.

`generate_stock` yields rows in the documented CSV import format (`CSV_COLUMNS`). Numbers
use each country's real area codes, mobile prefixes and number lengths, so every row passes
`phonenumbers` validation with the matching number type; the tests check each prefix once,
which keeps this module free of per-row `phonenumbers` calls (they would dominate run time).

A small share of numbers gets a deliberately crafted vanity tail (tứ quý, ngũ quý, sảnh...)
so that every tier is represented; the `tier` column stays empty because the importer
classifies the digits itself. Prices follow the crafted tier and the number type.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Callable, Container, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate

from vpbx.numbers.enums import NumberStatus, NumberType, Tier

__all__ = ["AREA_CODES", "CSV_COLUMNS", "SUPPORTED_COUNTRIES", "generate_stock"]

CSV_COLUMNS: tuple[str, ...] = (
    "number",
    "country",
    "number_type",
    "carrier",
    "tier",
    "currency",
    "connection_price",
    "monthly_price",
    "prices",
    "sms",
    "status",
)


def _expand(spec: str) -> tuple[str, ...]:
    """Spell out "203-206 209" as ("203", "204", "205", "206", "209"); codes keep their width."""
    codes: list[str] = []
    for part in spec.split():
        first, _, last = part.partition("-")
        width = len(first)
        codes += (str(n).zfill(width) for n in range(int(first), int(last or first) + 1))
    return tuple(codes)


def _weighted(spec: str) -> dict[str, float]:
    """Parse "495:20 812:15" into {"495": 20.0, "812": 15.0}."""
    return {code: float(weight) for code, _, weight in (p.partition(":") for p in spec.split())}


# --- Vietnam --------------------------------------------------------------------------------
# Fixed NSNs are 10 digits: 24 Hà Nội / 28 TP HCM + 8 subscriber digits, or a 3-digit
# provincial code + 7. All 63 codes of the 2017 renumbering; every province weighs 1 except
# the big cities: Hà Nội, TP HCM, Đà Nẵng 236, Hải Phòng 225, Cần Thơ 292, Đồng Nai 251,
# Bình Dương 274, Khánh Hòa 258, Huế 234, Vũng Tàu 254.
_VN_PROVINCIAL = "203-216 218-222 225-229 232-239 251 252 254-263 269-277 290-294 296 297 299"
_VN_AREA = dict.fromkeys(("24", "28", *_expand(_VN_PROVINCIAL)), 1.0) | _weighted(
    "24:30 28:30 236:4 225:4 292:3 251:3 274:3 258:2 234:2 254:2"
)
# The first subscriber digit tells the fixed operator (024 3xxx xxxx is VNPT, ...).
_VN_FIXED_CARRIERS = (("VNPT", "3", 60.0), ("Viettel", "6", 30.0), ("FPT Telecom", "7", 10.0))
# Mobile NSNs are 9 digits. Mobifone's 89 is only allocated as 896-899.
_VN_MOBILE = (
    ("Viettel", "86 96-98 32-39", 45.0),
    ("Vinaphone", "88 91 94 81-85", 25.0),
    ("Mobifone", "896-899 90 93 70 76-79", 22.0),
    ("Vietnamobile", "92 56 58", 4.0),
    ("Itelecom", "87", 2.0),
    ("Gmobile", "59", 2.0),
)
# 1800 / 1900 numbers come as 8 or 10 digits; the short ones are scarce (10^4 of them).
_VN_SERVICE_CARRIERS = (("VNPT", 50.0), ("Viettel", 35.0), ("FPT Telecom", 15.0))
_VN_SERVICE_LENGTHS = ((8, 1.0), (10, 9.0))

# --- Russia ---------------------------------------------------------------------------------
# ABC (geographic) codes, 7-digit subscriber numbers, weighted by city size: Moscow 495/499,
# St Petersburg 812, Yekaterinburg 343, Novosibirsk 383, Nizhny Novgorod 831, Kazan 843,
# Samara 846, Krasnodar 861, Rostov-on-Don 863, Izhevsk 341, Perm 342, Ufa 347, Chelyabinsk
# 351, Omsk 381, Krasnoyarsk 391, Vladivostok 423, Voronezh 473, Volgograd 844, Ulan-Ude 301.
_RU_AREA = _weighted(
    "495:20 499:10 812:15 343:4 383:4 831:3 843:3 846:3 861:3 863:3 "
    "341:2 342:2 347:2 351:2 381:2 391:2 423:2 473:2 844:2 301:1"
)
_RU_FIXED_CARRIERS = (
    ("Rostelecom", "2345", 55.0),
    ("MTS", "6", 20.0),
    ("Beeline", "7", 15.0),
    ("MegaFon", "9", 10.0),
)
# DEF codes, 7 subscriber digits. 930 is skipped: only fragments of it are allocated.
_RU_MOBILE = (
    ("MTS", "910-919 980-989", 30.0),
    ("MegaFon", "920-929 931-938", 27.0),
    ("Beeline", "903 905 906 909 960-968", 23.0),
    ("Tele2", "900-902 904 908 950-953 977 991-996", 20.0),
)
_RU_TOLL_FREE = (("Rostelecom", 50.0), ("MTS", 20.0), ("Beeline", 15.0), ("MegaFon", 15.0))

# --- Countries ------------------------------------------------------------------------------
# OMICall quotes VND 22000 as USD 0.977; keep the same rate so the extra prices line up.
_USD_PER_VND = Decimal("0.977") / Decimal(22_000)
_FIXED_NSN = 10  # both countries: area code + subscriber number is 10 digits
# phonenumbers, and so the importer's classifier, take 3 digits as the mobile destination code
# (VN 961 234567), so a crafted mobile tail must fit in the digits after it.
_MOBILE_NDC = 3


@dataclass(frozen=True, slots=True)
class _Service:
    number_type: NumberType
    prefix: str
    lengths: Sequence[tuple[int, float]]  # (NSN length, weight)
    carriers: Sequence[tuple[str, float]]  # sharing the range: sold by whoever has a number


@dataclass(frozen=True, slots=True)
class _Country:
    calling_code: str
    currency: str
    cents: Decimal  # quantum of the currency: VND has no minor unit, RUB has kopecks
    usd_prices: bool
    types: Mapping[NumberType, tuple[float, int, int]]  # mix weight, plain connection, monthly
    # (connection, monthly) price multipliers by Tier rank, simple .. exclusive: vanity sells
    # for a one-off premium, the monthly fee grows much more slowly.
    tier_multipliers: Sequence[tuple[int, int]]
    area_weights: Mapping[str, float]
    fixed_carriers: Sequence[tuple[str, str, float]]  # carrier, first subscriber digits, weight
    mobile: Sequence[tuple[str, str, float]]  # carrier, prefixes, weight
    mobile_nsn: int
    services: Sequence[_Service]


_COUNTRIES: dict[str, _Country] = {
    "VN": _Country(
        calling_code="84",
        currency="VND",
        cents=Decimal(1),
        usd_prices=True,
        types={
            NumberType.FIXED: (55.0, 200_000, 22_000),
            NumberType.MOBILE: (35.0, 100_000, 50_000),
            NumberType.TOLL_FREE: (5.0, 1_000_000, 200_000),
            NumberType.PREMIUM: (5.0, 1_000_000, 200_000),
        },
        tier_multipliers=((1, 1), (2, 1), (10, 2), (100, 4), (400, 8), (1250, 20)),
        area_weights=_VN_AREA,
        fixed_carriers=_VN_FIXED_CARRIERS,
        mobile=_VN_MOBILE,
        mobile_nsn=9,
        services=(
            _Service(NumberType.TOLL_FREE, "1800", _VN_SERVICE_LENGTHS, _VN_SERVICE_CARRIERS),
            _Service(NumberType.PREMIUM, "1900", _VN_SERVICE_LENGTHS, _VN_SERVICE_CARRIERS),
        ),
    ),
    "RU": _Country(
        calling_code="7",
        currency="RUB",
        cents=Decimal("0.01"),
        usd_prices=False,
        types={
            NumberType.FIXED: (50.0, 99, 99),
            NumberType.MOBILE: (42.0, 199, 199),
            NumberType.TOLL_FREE: (8.0, 990, 990),
        },
        tier_multipliers=((1, 1), (5, 1), (10, 2), (30, 3), (100, 5), (500, 10)),
        area_weights=_RU_AREA,
        fixed_carriers=_RU_FIXED_CARRIERS,
        mobile=_RU_MOBILE,
        mobile_nsn=10,
        services=(_Service(NumberType.TOLL_FREE, "800", ((10, 1.0),), _RU_TOLL_FREE),),
    ),
}

SUPPORTED_COUNTRIES: frozenset[str] = frozenset(_COUNTRIES)
# The fixed-line area codes accepted by `generate_stock(area_codes=...)`, e.g. for CLI help.
AREA_CODES: Mapping[str, tuple[str, ...]] = {
    c: tuple(s.area_weights) for c, s in _COUNTRIES.items()
}


@dataclass(frozen=True, slots=True)
class _Plan:
    """One number range: national prefix plus `free` random digits, with its owner."""

    number_type: NumberType
    carrier: str
    area_code: str  # empty unless fixed
    prefix: str
    free: int
    weight: float  # share inside its number type
    room: int  # trailing digits a crafted tail may use: those after the destination code
    lead: str = ""  # subscriber digits fixed by the prefix (the fixed-line operator digit)


def _plans(country: str) -> list[_Plan]:
    """Every range of a country; leading digits are split out so each carries its carrier."""
    spec = _COUNTRIES[country]
    plans: list[_Plan] = []
    for code, area_weight in spec.area_weights.items():
        for carrier, leads, weight in spec.fixed_carriers:
            free = _FIXED_NSN - len(code) - 1
            share = area_weight * weight / len(leads)
            plans += (
                _Plan(NumberType.FIXED, carrier, code, code + d, free, share, free, d)
                for d in leads
            )
    for carrier, prefixes, weight in spec.mobile:
        codes = _expand(prefixes)
        nsn, room, share = spec.mobile_nsn, spec.mobile_nsn - _MOBILE_NDC, weight / len(codes)
        plans += (
            _Plan(NumberType.MOBILE, carrier, "", p, nsn - len(p), share, room) for p in codes
        )
    for service in spec.services:
        for nsn, length_weight in service.lengths:
            free = nsn - len(service.prefix)
            kind, prefix = service.number_type, service.prefix
            plans += (
                _Plan(kind, carrier, "", prefix, free, w * length_weight, free)
                for carrier, w in service.carriers
            )
    return plans


# --- Vanity tails ---------------------------------------------------------------------------
_Builder = Callable[[random.Random], str]
_PREVIOUS_DIGIT = {str(d): str((d - 1) % 10) for d in range(10)}


def _digit(rng: random.Random, *avoid: str) -> str:
    return rng.choice([d for d in "0123456789" if d not in avoid])


def _run(n: int) -> _Builder:
    return lambda rng: _digit(rng) * n


def _ascending(n: int) -> _Builder:
    return lambda rng: "0123456789"[(s := rng.randrange(11 - n)) : s + n]


def _alternating(n: int) -> _Builder:
    """xyxy, xyxyxy: two different digits taking turns, `n` pairs."""
    return lambda rng: ((x := _digit(rng)) + _digit(rng, x)) * n


def _pairs(n: int) -> _Builder:
    """xxyy, xxyyzz: `n` doubled digits, each different from the one before."""

    def build(rng: random.Random) -> str:
        digits = [_digit(rng)]
        while len(digits) < n:
            digits.append(_digit(rng, *digits))
        return "".join(d * 2 for d in digits)

    return build


def _lucky(rng: random.Random) -> str:
    return rng.choice(("6868", "8686", "3979", "3939", "7979"))  # lộc phát, thần tài


# Crafted tails: (tier they aim at, weight per 10,000 numbers, builder). The remaining 93%
# are random digits, which already give bronze (AA, ABA, 68/86/39/79 endings) and simple.
_PATTERNS: tuple[tuple[Tier, int, _Builder], ...] = (
    (Tier.EXCLUSIVE, 5, _run(7)),
    (Tier.EXCLUSIVE, 10, _run(6)),
    (Tier.EXCLUSIVE, 5, _ascending(7)),  # 1234567
    (Tier.PLATINUM, 60, _run(5)),  # ngũ quý
    (Tier.PLATINUM, 20, _ascending(6)),
    (Tier.GOLD, 100, _run(4)),  # tứ quý
    (Tier.GOLD, 40, _alternating(3)),
    (Tier.GOLD, 30, _pairs(3)),
    (Tier.GOLD, 30, _ascending(5)),
    (Tier.SILVER, 150, _run(3)),  # tam hoa
    (Tier.SILVER, 80, _alternating(2)),
    (Tier.SILVER, 50, _pairs(2)),
    (Tier.SILVER, 50, _ascending(4)),  # sảnh
    (Tier.SILVER, 70, _lucky),
)
_PATTERN_SCALE = 10_000
# Builders make fixed-length tails; measure each once rather than restate it in the table.
_PATTERN_LENGTHS = [len(build(random.Random(0))) for _, _, build in _PATTERNS]

# Consecutive duplicate draws tolerated before declaring the requested ranges exhausted.
_MAX_MISSES = 10_000
_TAIL_TRIES = 5  # rebuilds of a tail that clashes with the digit in front of it

_PatternTable = tuple[list[float], list[tuple[Tier, _Builder]]]


def _pattern_table(room: int) -> _PatternTable:
    """Cumulative weights of the tails that fit in `room` digits.

    A tail too long for the range (1234567 in 1800xxxx) hands its weight to the tier's
    shorter shapes, so the tier shares of the table hold in every range that can show them.
    """
    fits = [length <= room for length in _PATTERN_LENGTHS]
    by_tier: dict[Tier, list[float]] = {}
    for (tier, weight, _), fit in zip(_PATTERNS, fits, strict=True):
        by_tier.setdefault(tier, [0.0, 0.0])[0] += weight
        by_tier[tier][1] += weight if fit else 0
    kept = [(t, w, b) for (t, w, b), fit in zip(_PATTERNS, fits, strict=True) if fit]
    scaled = (w * by_tier[t][0] / by_tier[t][1] for t, w, _ in kept)
    return list(accumulate(scaled)), [(t, b) for t, _, b in kept]


def _draw_tail(rng: random.Random, table: _PatternTable) -> tuple[Tier, _Builder | None]:
    cum, patterns = table
    i = bisect_right(cum, rng.random() * _PATTERN_SCALE)
    return patterns[i] if i < len(patterns) else (Tier.SIMPLE, None)


def _lengthens(before: str, tail: str) -> bool:
    """Would the subscriber digits in front turn the crafted tail into a better pattern?"""
    if not before:
        return False
    if before[-1] in (tail[0], _PREVIOUS_DIGIT[tail[0]]):
        return True  # 7777 -> 77777, 4567 -> 34567
    if len(tail) != 4 or len(before) < 2:
        return False
    # xyxy -> xyxyxy and xxyy -> zzxxyy: the six-digit gold shapes.
    return before[-2:] == tail[:2] or (before[-2] == before[-1] and tail[0] == tail[1])


def _front(rng: random.Random, plan: _Plan, tail: str) -> str | None:
    """Random digits to put before `tail`, changing the last one if it would lengthen it."""
    head = plan.free - len(tail)
    digits = str(rng.randrange(10**head)).zfill(head) if head else ""
    if not _lengthens(plan.lead + digits, tail):
        return digits
    for step in range(1, 10 if digits else 0):
        candidate = digits[:-1] + str((int(digits[-1]) + step) % 10)
        if not _lengthens(plan.lead + candidate, tail):
            return candidate
    return None  # the tail fills the range and clashes with the operator digit


def _digits_after_prefix(rng: random.Random, plan: _Plan, build: _Builder | None) -> str | None:
    """The `plan.free` digits after the prefix, ending in a crafted tail when `build` is set.

    The digits in front never lengthen the tail, so its price matches the tier the importer
    will find; None (draw again) in the rare case no clean placement turned up.
    """
    if build is None:
        return str(rng.randrange(10**plan.free)).zfill(plan.free)
    for _ in range(_TAIL_TRIES):
        tail = build(rng)
        front = _front(rng, plan, tail)
        if front is not None:
            return front + tail
    return None


def _money(amount: Decimal, quantum: Decimal) -> str:
    return f"{amount.quantize(quantum):f}"


def _price_table(spec: _Country, kind: NumberType) -> list[tuple[str, str, str]]:
    """(connection, monthly, extra prices) strings by tier rank, computed once per type."""
    _, connection, monthly = spec.types[kind]
    table = []
    for cm, mm in spec.tier_multipliers:
        conn, month = Decimal(connection * cm), Decimal(monthly * mm)
        extra = ""
        if spec.usd_prices:
            usd = [(v * _USD_PER_VND).quantize(Decimal("0.001")).normalize() for v in (conn, month)]
            extra = f"USD:{usd[0]:f}:{usd[1]:f}"
        table.append((_money(conn, spec.cents), _money(month, spec.cents), extra))
    return table


def _select(country: str, area_codes: Sequence[str] | None) -> list[_Plan]:
    plans = _plans(country)
    if not area_codes:
        return plans
    valid = AREA_CODES[country]
    wanted = {code.strip() for code in area_codes}
    unknown = sorted(wanted.difference(valid))
    if unknown:
        listed = ", ".join(valid) if len(valid) <= 30 else ", ".join(valid[:12]) + ", ..."
        raise ValueError(
            f"not a {country} area code: {', '.join(unknown)} "
            f"(valid: {listed}; {len(valid)} codes in AREA_CODES[{country!r}])"
        )
    return [p for p in plans if p.area_code in wanted]


def _weights(country: str, plans: Sequence[_Plan]) -> list[float]:
    """Cumulative weights: the type mix first, then each plan's share inside its type."""
    totals: dict[NumberType, float] = {}
    for p in plans:
        totals[p.number_type] = totals.get(p.number_type, 0.0) + p.weight
    mix = _COUNTRIES[country].types
    return list(accumulate(mix[p.number_type][0] * p.weight / totals[p.number_type] for p in plans))


def generate_stock(
    country: str,
    count: int,
    *,
    area_codes: Sequence[str] | None = None,
    seed: int | None = None,
    exclude: Container[str] = frozenset(),
) -> Iterator[dict[str, str]]:
    """Yield `count` distinct number rows for `country`, none of them in `exclude`.

    With `area_codes` only fixed numbers in those codes are produced. Arguments are checked
    here, before the first row, so a bad request fails at the call and not midway; only a
    range that runs dry (say, `exclude` already holds nearly all of it) raises while iterating.
    """
    country = country.strip().upper()
    if country not in _COUNTRIES:
        supported = ", ".join(sorted(SUPPORTED_COUNTRIES))
        raise ValueError(f"unsupported country {country!r}; supported: {supported}")
    if count < 1:
        raise ValueError(f"count must be at least 1, got {count}")
    plans = _select(country, area_codes)
    capacity = sum(10**free for free in {(p.prefix, p.free): p.free for p in plans}.values())
    if count > capacity:
        raise ValueError(f"count {count} exceeds the {capacity} numbers in the chosen ranges")
    return _rows(country, plans, count, random.Random(seed), exclude)


def _rows(
    country: str, plans: Sequence[_Plan], count: int, rng: random.Random, exclude: Container[str]
) -> Iterator[dict[str, str]]:
    spec = _COUNTRIES[country]
    cum = _weights(country, plans)
    total, last = cum[-1], len(plans) - 1
    prices = {kind: _price_table(spec, kind) for kind in {p.number_type for p in plans}}
    tails = {room: _pattern_table(room) for room in {p.room for p in plans}}
    seen: set[str] = set()
    misses = 0
    while len(seen) < count:
        plan = plans[min(bisect_right(cum, rng.random() * total), last)]
        tier, build = _draw_tail(rng, tails[plan.room])
        digits = _digits_after_prefix(rng, plan, build)
        if digits is None:
            continue
        number = f"+{spec.calling_code}{plan.prefix}{digits}"
        if number in seen or number in exclude:
            misses += 1
            if misses > _MAX_MISSES:
                raise ValueError(f"number ranges exhausted after {len(seen)} of {count} numbers")
            continue
        misses = 0
        seen.add(number)
        connection, monthly, extra = prices[plan.number_type][tier]
        yield {
            "number": number,
            "country": country,
            "number_type": plan.number_type.value,
            "carrier": plan.carrier,
            "tier": "",
            "currency": spec.currency,
            "connection_price": connection,
            "monthly_price": monthly,
            "prices": extra,
            "sms": "true" if plan.number_type is NumberType.MOBILE else "false",
            "status": NumberStatus.AVAILABLE.value,
        }
