"""Member ordering of each ring-group strategy."""

from __future__ import annotations

import random
from datetime import timedelta

from tests.routing.factory import NOW, make_group
from vpbx.routing import RingGroup, Strategy
from vpbx.routing.groups import ordered_members

FIVE = (("101", 10), ("102", 10), ("106", 10), ("107", 10), ("108", 10))


def order(group: RingGroup) -> list[str]:
    return [m.extension for m in ordered_members(group)]


def test_sequential_and_simultaneous_keep_configured_order() -> None:
    assert order(make_group(strategy=Strategy.SEQUENTIAL)) == ["101", "102", "106"]
    assert order(make_group(strategy=Strategy.SIMULTANEOUS)) == ["101", "102", "106"]


def test_round_robin_starts_at_rotation() -> None:
    group = make_group(strategy=Strategy.ROUND_ROBIN, member_list=FIVE, rotation=2)
    assert order(group) == ["106", "107", "108", "101", "102"]


def test_round_robin_wraps_around() -> None:
    group = make_group(strategy=Strategy.ROUND_ROBIN, member_list=FIVE, rotation=7)
    assert order(group) == ["106", "107", "108", "101", "102"]


def test_round_robin_at_member_count_starts_over() -> None:
    group = make_group(strategy=Strategy.ROUND_ROBIN, member_list=FIVE, rotation=5)
    assert order(group) == ["101", "102", "106", "107", "108"]


def test_round_robin_negative_rotation_counts_from_the_end() -> None:
    group = make_group(strategy=Strategy.ROUND_ROBIN, member_list=FIVE, rotation=-1)
    assert order(group) == ["108", "101", "102", "106", "107"]


def test_random_is_deterministic_for_a_seed() -> None:
    first = order(make_group(strategy=Strategy.RANDOM, member_list=FIVE, seed=42))
    again = order(make_group(strategy=Strategy.RANDOM, member_list=FIVE, seed=42))
    assert first == again
    assert sorted(first) == ["101", "102", "106", "107", "108"]


def test_random_is_the_seeded_shuffle_of_the_configured_list() -> None:
    expected = ["101", "102", "106", "107", "108"]
    random.Random(42).shuffle(expected)
    assert order(make_group(strategy=Strategy.RANDOM, member_list=FIVE, seed=42)) == expected


def test_random_depends_on_the_seed() -> None:
    orders = {
        tuple(order(make_group(strategy=Strategy.RANDOM, member_list=FIVE, seed=s)))
        for s in range(10)
    }
    assert len(orders) > 1


def test_longest_idle_orders_by_last_call_never_called_first() -> None:
    group = make_group(
        strategy=Strategy.LONGEST_IDLE,
        member_list=FIVE,
        last_call_ended_at=(
            ("101", NOW - timedelta(minutes=1)),
            ("102", NOW - timedelta(hours=2)),
            ("106", None),
            ("107", NOW - timedelta(minutes=30)),
            # 108 has no record: never called
        ),
    )
    assert order(group) == ["106", "108", "102", "107", "101"]


def test_longest_idle_ties_keep_member_order() -> None:
    same = NOW - timedelta(minutes=5)
    group = make_group(
        strategy=Strategy.LONGEST_IDLE,
        member_list=(("106", 10), ("101", 10), ("102", 10)),
        last_call_ended_at=(("101", same), ("102", same), ("106", same)),
    )
    assert order(group) == ["106", "101", "102"]


def test_longest_idle_never_called_ties_keep_member_order() -> None:
    group = make_group(
        strategy=Strategy.LONGEST_IDLE,
        member_list=(("106", 10), ("101", 10), ("102", 10)),
        last_call_ended_at=(("101", NOW - timedelta(minutes=5)),),
    )
    assert order(group) == ["106", "102", "101"]


def test_longest_idle_first_record_of_an_extension_counts() -> None:
    group = make_group(
        strategy=Strategy.LONGEST_IDLE,
        member_list=(("101", 10), ("102", 10)),
        last_call_ended_at=(
            ("101", NOW - timedelta(hours=1)),
            ("102", NOW - timedelta(minutes=30)),
            ("101", NOW),
        ),
    )
    assert order(group) == ["101", "102"]


def test_no_members_gives_no_order() -> None:
    for strategy in Strategy:
        assert order(make_group(strategy=strategy, member_list=())) == []
