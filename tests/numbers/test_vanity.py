"""The vanity classifier: every rule has a positive example, near misses stay below."""

from __future__ import annotations

import pytest

from vpbx.numbers.enums import Tier
from vpbx.numbers.vanity import (
    VANITY_RULES,
    VanityMatch,
    classify,
    classify_tier,
    rules_table_markdown,
)

# (subscriber, expected tier, expected rule name). VN fixed subscriber parts are 8 digits
# ("38256868"), RU ones 7 ("6666666").
POSITIVE: list[tuple[str, Tier, str]] = [
    ("38666666", Tier.EXCLUSIVE, "luc_quy"),
    ("6666666", Tier.EXCLUSIVE, "luc_quy"),
    ("26666662", Tier.EXCLUSIVE, "luc_quy"),
    ("1234567", Tier.EXCLUSIVE, "sanh_tien_7"),
    ("31234567", Tier.EXCLUSIVE, "sanh_tien_7"),
    ("38255555", Tier.PLATINUM, "ngu_quy"),
    ("24555551", Tier.PLATINUM, "ngu_quy"),
    ("38234567", Tier.PLATINUM, "sanh_tien_6"),
    ("39876543", Tier.PLATINUM, "sanh_lui_7"),
    ("38259999", Tier.GOLD, "tu_quy_tail"),
    ("2430000", Tier.GOLD, "tu_quy_tail"),
    ("38676767", Tier.GOLD, "xyxyxy_tail"),
    ("38115599", Tier.GOLD, "xxyyzz_tail"),
    ("38111155", Tier.GOLD, "xxyyzz_tail"),
    ("38245678", Tier.GOLD, "sanh_tien_5"),
    ("38987654", Tier.GOLD, "sanh_lui_6"),
    ("38256868", Tier.SILVER, "loc_phat_tail"),
    ("38256886", Tier.SILVER, "loc_phat_tail"),
    ("38258668", Tier.SILVER, "loc_phat_tail"),
    ("38253979", Tier.SILVER, "loc_phat_tail"),
    ("38257939", Tier.SILVER, "loc_phat_tail"),
    ("38251368", Tier.SILVER, "loc_phat_tail"),
    ("38222215", Tier.SILVER, "tu_quy_anywhere"),
    ("38256000", Tier.SILVER, "tam_hoa_tail"),
    ("2437000", Tier.SILVER, "tam_hoa_tail"),
    ("38245588", Tier.SILVER, "xxyy_tail"),
    ("38245656", Tier.SILVER, "xyxy_tail"),
    ("38246789", Tier.SILVER, "sanh_tien_4"),
    ("38240123", Tier.SILVER, "sanh_tien_4"),
    ("38298765", Tier.SILVER, "sanh_lui_5"),
    ("38777215", Tier.BRONZE, "tam_hoa_anywhere"),
    ("38261455", Tier.BRONZE, "kep_tail"),
    ("38261545", Tier.BRONZE, "ganh_tail"),
    ("38254168", Tier.BRONZE, "loc_phat_pair"),
    ("38254186", Tier.BRONZE, "loc_phat_pair"),
    ("38254139", Tier.BRONZE, "than_tai_pair"),
    ("38254179", Tier.BRONZE, "than_tai_pair"),
    ("38552214", Tier.BRONZE, "pair_block_last6"),
    ("38252514", Tier.BRONZE, "pair_block_last6"),
    ("38214321", Tier.BRONZE, "sanh_lui_4"),
]

# (subscriber, the rule it looks like but must not get, the tier it does get).
NEAR_MISS: list[tuple[str, str, Tier]] = [
    ("38555552", "luc_quy", Tier.PLATINUM),  # only five in a row
    ("12345670", "sanh_tien_7", Tier.SIMPLE),  # the run does not reach the end
    ("38244445", "ngu_quy", Tier.SILVER),  # four in a row, mid-number
    ("38134567", "sanh_tien_6", Tier.GOLD),  # 1 breaks the run: only five ascend
    ("38876543", "sanh_lui_7", Tier.GOLD),  # 8 breaks the run: only six descend
    ("38299998", "tu_quy_tail", Tier.SILVER),  # tứ quý, but not at the end
    ("38676768", "xyxyxy_tail", Tier.BRONZE),  # last digit breaks the alternation
    ("38115598", "xxyyzz_tail", Tier.BRONZE),  # last pair is not a double
    ("1234568", "sanh_tien_5", Tier.BRONZE),  # 4568 is not a run; only the 68 counts
    ("38287654", "sanh_lui_6", Tier.SILVER),  # only five descend
    ("38251386", "loc_phat_tail", Tier.BRONZE),  # 1386 is not a named ending; 86 is
    ("38256001", "tam_hoa_tail", Tier.SIMPLE),  # 001: two zeros only
    ("38245589", "xxyy_tail", Tier.SIMPLE),  # 5589: second pair is not a double
    ("38245657", "xyxy_tail", Tier.SIMPLE),  # 5657 does not alternate
    ("38246780", "sanh_tien_4", Tier.SIMPLE),  # 0 ends the run
    ("3847890", "sanh_tien_4", Tier.SIMPLE),  # 9 -> 0 does not wrap around
    ("38265431", "sanh_lui_5", Tier.SIMPLE),  # 5431: the 1 skips a step
    ("38772415", "tam_hoa_anywhere", Tier.SIMPLE),  # a double mid-number is nothing
    ("38261456", "kep_tail", Tier.SIMPLE),  # no double at the end
    ("38261546", "ganh_tail", Tier.SIMPLE),  # 546 is not ABA
    ("38254167", "loc_phat_pair", Tier.SIMPLE),  # 67 means nothing
    ("38254138", "than_tai_pair", Tier.SIMPLE),  # 38 means nothing
    ("55223814", "pair_block_last6", Tier.SIMPLE),  # the AABB block is before the last 6
    ("38214320", "sanh_lui_4", Tier.SIMPLE),  # 4320: the 0 skips a step
]

# Ascending and descending runs of the same length, at the end of a VN fixed number.
RUN_PAIRS: list[tuple[str, str]] = [
    ("38246789", "38249876"),
    ("38245678", "38298765"),
    ("38234567", "38987654"),
    ("31234567", "39876543"),
]


@pytest.mark.parametrize(("subscriber", "tier", "rule"), POSITIVE)
def test_positive_example_gets_its_tier_and_rule(subscriber: str, tier: Tier, rule: str) -> None:
    assert classify(subscriber) == VanityMatch(tier, rule)


@pytest.mark.parametrize(("subscriber", "tier", "rule"), POSITIVE)
def test_positive_example_satisfies_its_rule_predicate(
    subscriber: str, tier: Tier, rule: str
) -> None:
    by_name = {r.name: r for r in VANITY_RULES}
    assert by_name[rule].matches(subscriber)
    assert by_name[rule].tier == tier


def test_every_rule_has_a_positive_example() -> None:
    assert {rule for _, _, rule in POSITIVE} == {r.name for r in VANITY_RULES}


@pytest.mark.parametrize(("subscriber", "not_rule", "tier"), NEAR_MISS)
def test_near_miss_does_not_reach_the_rule(subscriber: str, not_rule: str, tier: Tier) -> None:
    rule_tier = next(r.tier for r in VANITY_RULES if r.name == not_rule)
    match = classify(subscriber)
    assert match.rule != not_rule
    assert match.tier == tier
    assert tier <= rule_tier


@pytest.mark.parametrize(("ascending", "descending"), RUN_PAIRS)
def test_descending_run_is_one_tier_below_ascending(ascending: str, descending: str) -> None:
    assert classify_tier(descending) == classify_tier(ascending) - 1


def test_table_is_ordered_highest_tier_first() -> None:
    tiers = [r.tier for r in VANITY_RULES]
    assert tiers == sorted(tiers, reverse=True)


def test_rule_names_are_unique() -> None:
    names = [r.name for r in VANITY_RULES]
    assert len(names) == len(set(names))


def test_no_rule_yields_simple() -> None:
    assert all(r.tier > Tier.SIMPLE for r in VANITY_RULES)


def test_plain_number_is_simple() -> None:
    # 243 7261945 (Hanoi): no run, pair, straight or lucky ending.
    assert classify("37261945") == VanityMatch(Tier.SIMPLE, None)
    assert classify_tier("37261945") is Tier.SIMPLE


def test_classify_tier_agrees_with_classify() -> None:
    for subscriber, tier, _ in POSITIVE:
        assert classify_tier(subscriber) == tier


def test_short_numbers_do_not_match_longer_tail_rules() -> None:
    # "5588" must not be read as xxyyzz by a six-digit rule looking past the start.
    assert classify("5588") == VanityMatch(Tier.SILVER, "xxyy_tail")
    assert classify("7") == VanityMatch(Tier.SIMPLE, None)


@pytest.mark.parametrize("bad", ["", " ", "3825 6868", "+84382568", "38a56868", "٣٨٢٥", "²³"])
def test_invalid_input_raises(bad: str) -> None:
    with pytest.raises(ValueError, match="digits 0-9"):
        classify(bad)
    with pytest.raises(ValueError, match="digits 0-9"):
        classify_tier(bad)


def test_markdown_table_lists_every_rule_in_order() -> None:
    lines = rules_table_markdown().splitlines()
    assert lines[0] == "| Tier | Rule | Description |"
    assert lines[1] == "| --- | --- | --- |"
    body = lines[2:]
    assert len(body) == len(VANITY_RULES) + 1
    for line, rule in zip(body, VANITY_RULES, strict=False):
        assert line.startswith(f"| {rule.tier.label} | `{rule.name}` | ")
        assert rule.description in line
    assert body[-1].startswith("| simple |")


def test_the_run_gate_never_changes_a_classification() -> None:
    """classify() skips rules by longest run; the result must equal plain first-match."""
    import random

    rng = random.Random(2026)
    samples = ["".join(rng.choice("0123456789") for _ in range(8)) for _ in range(20_000)]
    samples += [s[:3] + s[3] * 5 for s in samples[:500]] + [s[:1] + s[1] * 7 for s in samples[:500]]

    def first_match(digits: str) -> tuple[Tier, str | None]:
        for rule in VANITY_RULES:
            if rule.matches(digits):
                return rule.tier, rule.name
        return Tier.SIMPLE, None

    for digits in samples:
        match = classify(digits)
        assert (match.tier, match.rule) == first_match(digits), digits
