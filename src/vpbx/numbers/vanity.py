"""Vanity ("golden", Vietnamese "số đẹp") tier of a phone number, from its digits alone.

Used when numbers are imported: the classifier looks at the subscriber part (the digits
after the area/city code, or a whole national number; the rules look mostly at the tail,
so both work) and returns the tier of the first rule that matches.

The rules are a table (``VANITY_RULES``) ordered highest tier first, so "first match
wins" is also "best tier wins", and the README table is generated from the same data.
The ladder follows the Vietnamese market terms and is consistent with the Russian one
(A1 Belarus: platinum = 5 equal in a row, gold = last 6 pairwise, silver = last 4
pairwise or last 3 zero, bronze = 3 equal digits).

Descending runs (sảnh lùi, 9876) rank one tier below an ascending run (sảnh tiến, 6789)
of the same length: buyers pay for both, but less for the descending one.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

from vpbx.numbers.enums import Tier

# A run is a substring of these, so 9→0 does not wrap: "7890" is not a straight,
# but "0123" is (0 is the lowest digit, not a stand-in for 10).
_ASCENDING = "0123456789"
_DESCENDING = "9876543210"

# Four-digit lộc phát / thần tài endings buyers recognise by name (6868 "lộc phát lộc phát",
# 3979 "thần tài lớn", 1368 "sinh lộc phát"...). Kept short on purpose: anything looser
# would lift a large share of ordinary numbers to silver.
_LOC_PHAT_ENDINGS = ("6868", "8686", "6886", "8668", "3939", "7979", "3979", "7939", "1368")
_LOC_PHAT_PAIRS = ("68", "86")  # lộc phát: "lộc" (fortune) and "phát" (prosper)
_THAN_TAI_PAIRS = ("39", "79")  # thần tài: the god of wealth


@dataclass(frozen=True)
class VanityRule:
    """One row of the rule table: a named predicate on the subscriber digits."""

    name: str
    tier: Tier
    description: str
    matches: Callable[[str], bool]
    # A necessary condition, not part of the rule's meaning: the rule can only match a
    # number whose longest run of equal digits is at least this long. classify() uses it
    # to skip rules cheaply (import classifies a million numbers).
    min_run: int = 1


@dataclass(frozen=True)
class VanityMatch:
    """The tier of a number and the rule that gave it (None when nothing matched)."""

    tier: Tier
    rule: str | None


# --- shapes of a block of digits -------------------------------------------------------


def _is_same(block: str) -> bool:
    return len(set(block)) == 1


def _is_ascending(block: str) -> bool:
    return block in _ASCENDING


def _is_descending(block: str) -> bool:
    return block in _DESCENDING


def _is_doubles(block: str) -> bool:
    """xxyy / xxyyzz. The doubles need not differ: 111155 is a fine pairwise number."""
    return len(block) % 2 == 0 and all(block[i] == block[i + 1] for i in range(0, len(block), 2))


def _is_alternating(block: str) -> bool:
    """xyxy / xyxyxy: the block repeats with period 2."""
    return block[2:] == block[:-2]


def _is_ganh(block: str) -> bool:
    """ABA. A == B would be AAA, which tam hoa already ranks higher."""
    return block[0] == block[-1]


def _tail_is(digits: str, n: int, shape: Callable[[str], bool]) -> bool:
    """Apply shape to the last n digits; a number shorter than n never matches."""
    return len(digits) >= n and shape(digits[-n:])


def _run_anywhere(digits: str, n: int) -> bool:
    """Some digit repeats at least n times in a row, at any position."""
    return any(d * n in digits for d in _ASCENDING)


# --- the rules, one small function each so the table below reads as data ---------------


def _luc_quy(digits: str) -> bool:
    return _run_anywhere(digits, 6)


def _sanh_tien_7(digits: str) -> bool:
    return _tail_is(digits, 7, _is_ascending)


def _ngu_quy(digits: str) -> bool:
    return _run_anywhere(digits, 5)


def _sanh_tien_6(digits: str) -> bool:
    return _tail_is(digits, 6, _is_ascending)


def _sanh_lui_7(digits: str) -> bool:
    return _tail_is(digits, 7, _is_descending)


def _tu_quy_tail(digits: str) -> bool:
    return _tail_is(digits, 4, _is_same)


def _xyxyxy_tail(digits: str) -> bool:
    return _tail_is(digits, 6, _is_alternating)


def _xxyyzz_tail(digits: str) -> bool:
    return _tail_is(digits, 6, _is_doubles)


def _sanh_tien_5(digits: str) -> bool:
    return _tail_is(digits, 5, _is_ascending)


def _sanh_lui_6(digits: str) -> bool:
    return _tail_is(digits, 6, _is_descending)


def _loc_phat_tail(digits: str) -> bool:
    return digits.endswith(_LOC_PHAT_ENDINGS)


def _tu_quy_anywhere(digits: str) -> bool:
    return _run_anywhere(digits, 4)


def _tam_hoa_tail(digits: str) -> bool:
    return _tail_is(digits, 3, _is_same)


def _xxyy_tail(digits: str) -> bool:
    return _tail_is(digits, 4, _is_doubles)


def _xyxy_tail(digits: str) -> bool:
    return _tail_is(digits, 4, _is_alternating)


def _sanh_tien_4(digits: str) -> bool:
    return _tail_is(digits, 4, _is_ascending)


def _sanh_lui_5(digits: str) -> bool:
    return _tail_is(digits, 5, _is_descending)


def _tam_hoa_anywhere(digits: str) -> bool:
    return _run_anywhere(digits, 3)


def _kep_tail(digits: str) -> bool:
    return _tail_is(digits, 2, _is_same)


def _ganh_tail(digits: str) -> bool:
    return _tail_is(digits, 3, _is_ganh)


def _loc_phat_pair(digits: str) -> bool:
    return digits.endswith(_LOC_PHAT_PAIRS)


def _than_tai_pair(digits: str) -> bool:
    return digits.endswith(_THAN_TAI_PAIRS)


def _pair_block_last6(digits: str) -> bool:
    last6 = digits[-6:]
    blocks = (last6[i : i + 4] for i in range(len(last6) - 3))
    return any(_is_doubles(b) or _is_alternating(b) for b in blocks)


def _sanh_lui_4(digits: str) -> bool:
    return _tail_is(digits, 4, _is_descending)


# --- the table ---------------------------------------------------------------------------

_E, _P, _G, _S, _B = Tier.EXCLUSIVE, Tier.PLATINUM, Tier.GOLD, Tier.SILVER, Tier.BRONZE

VANITY_RULES: tuple[VanityRule, ...] = (
    VanityRule(
        "luc_quy",
        _E,
        "six or more equal digits in a row (lục quý), e.g. 38 666666",
        _luc_quy,
        min_run=6,
    ),
    VanityRule("sanh_tien_7", _E, "7 ascending digits at the end, e.g. 1234567", _sanh_tien_7),
    VanityRule(
        "ngu_quy",
        _P,
        "five equal digits in a row (ngũ quý; Russian platinum), e.g. 24 3 55555",
        _ngu_quy,
        min_run=5,
    ),
    VanityRule("sanh_tien_6", _P, "6 ascending digits at the end, e.g. 38 234567", _sanh_tien_6),
    VanityRule("sanh_lui_7", _P, "7 descending digits at the end, e.g. 9876543", _sanh_lui_7),
    VanityRule(
        "tu_quy_tail", _G, "last 4 equal (tứ quý đuôi), e.g. 3825 9999", _tu_quy_tail, min_run=4
    ),
    VanityRule(
        "xyxyxy_tail",
        _G,
        "last 6 alternate xyxyxy (Russian gold: last 6 pairwise), e.g. 38 676767",
        _xyxyxy_tail,
    ),
    VanityRule(
        "xxyyzz_tail",
        _G,
        "last 6 are three doubles xxyyzz (Russian gold: last 6 pairwise), e.g. 38 115599",
        _xxyyzz_tail,
        min_run=2,
    ),
    VanityRule("sanh_tien_5", _G, "5 ascending at the end (sảnh 5), e.g. 382 45678", _sanh_tien_5),
    VanityRule("sanh_lui_6", _G, "6 descending digits at the end, e.g. 38 987654", _sanh_lui_6),
    VanityRule(
        "loc_phat_tail",
        _S,
        "lộc phát / thần tài ending: " + ", ".join(_LOC_PHAT_ENDINGS) + ", e.g. 3825 6886",
        _loc_phat_tail,
    ),
    # Not in the proposal: without it 4 equal digits mid-number would rank with 3 (bronze),
    # although such a run is rarer than a tail tam hoa (silver).
    VanityRule(
        "tu_quy_anywhere",
        _S,
        "four equal digits in a row anywhere (tứ quý giữa), e.g. 38 2222 15",
        _tu_quy_anywhere,
        min_run=4,
    ),
    VanityRule(
        "tam_hoa_tail",
        _S,
        "last 3 equal (tam hoa đuôi; Russian silver ...000), e.g. 38256 000",
        _tam_hoa_tail,
        min_run=3,
    ),
    VanityRule(
        "xxyy_tail",
        _S,
        "last 4 are two doubles xxyy (Russian silver: last 4 pairwise), e.g. 3824 5588",
        _xxyy_tail,
        min_run=2,
    ),
    VanityRule(
        "xyxy_tail",
        _S,
        "last 4 alternate xyxy (Russian silver: last 4 pairwise), e.g. 3824 5656",
        _xyxy_tail,
    ),
    VanityRule("sanh_tien_4", _S, "4 ascending digits at the end, e.g. 3824 6789", _sanh_tien_4),
    VanityRule("sanh_lui_5", _S, "5 descending digits at the end, e.g. 382 98765", _sanh_lui_5),
    VanityRule(
        "tam_hoa_anywhere",
        _B,
        "three equal digits in a row anywhere (tam hoa giữa; Russian bronze), e.g. 38 777 215",
        _tam_hoa_anywhere,
        min_run=3,
    ),
    VanityRule(
        "kep_tail", _B, "ends in a double AA (kép đuôi), e.g. 382614 55", _kep_tail, min_run=2
    ),
    VanityRule("ganh_tail", _B, "ends in ABA (gánh), e.g. 38261 545", _ganh_tail),
    VanityRule("loc_phat_pair", _B, "ends in 68 or 86 (lộc phát), e.g. 382541 68", _loc_phat_pair),
    VanityRule("than_tai_pair", _B, "ends in 39 or 79 (thần tài), e.g. 382541 39", _than_tai_pair),
    VanityRule(
        "pair_block_last6",
        _B,
        "an AABB or ABAB block within the last 6 digits, e.g. 38 5522 14",
        _pair_block_last6,
    ),
    VanityRule("sanh_lui_4", _B, "4 descending digits at the end, e.g. 3821 4321", _sanh_lui_4),
)

_SIMPLE = VanityMatch(Tier.SIMPLE, None)


# --- public entry points -----------------------------------------------------------------


def _check_digits(subscriber: str) -> None:
    # str.isdigit() alone also accepts "²" and non-ASCII digits, which the rules cannot order.
    if not (subscriber.isascii() and subscriber.isdigit()):
        raise ValueError(f"subscriber must be a non-empty string of digits 0-9: {subscriber!r}")


def classify(subscriber: str) -> VanityMatch:
    """Tier and rule name of the first (hence highest) rule the subscriber digits match."""
    _check_digits(subscriber)
    longest = _longest_run(subscriber)
    for rule in VANITY_RULES:
        if rule.min_run <= longest and rule.matches(subscriber):
            return VanityMatch(rule.tier, rule.name)
    return _SIMPLE


def _longest_run(digits: str) -> int:
    longest = run = 1
    for previous, current in itertools.pairwise(digits):
        run = run + 1 if previous == current else 1
        longest = max(longest, run)
    return longest


def classify_tier(subscriber: str) -> Tier:
    """Just the tier, for callers that do not record which rule gave it."""
    return classify(subscriber).tier


def rules_table_markdown() -> str:
    """The rule table as markdown (tier | rule | description), for the README."""
    lines = ["| Tier | Rule | Description |", "| --- | --- | --- |"]
    lines += [f"| {r.tier.label} | `{r.name}` | {_md_cell(r.description)} |" for r in VANITY_RULES]
    lines.append(f"| {Tier.SIMPLE.label} | — | everything else |")
    return "\n".join(lines) + "\n"


def _md_cell(text: str) -> str:
    # A bare "|" would split the cell.
    return text.replace("|", "\\|")
