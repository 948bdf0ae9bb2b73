"""The order in which a ring group's strategy tries its members.

Ordering works on the configured member list, before unreachable members are dropped,
so that a member going offline does not reshuffle the others: round_robin's `rotation`
indexes the configured list, and random shuffles the configured list with its seed.
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import assert_never

from vpbx.routing.model import GroupMember, RingGroup, Strategy

__all__ = ["ordered_members"]


def _longest_idle_key(
    indexed: tuple[int, GroupMember], ended: dict[str, datetime | None]
) -> tuple[int, datetime | None, int]:
    index, member = indexed
    last = ended.get(member.extension)
    # Never called (None or no record) sorts first; then oldest last call; ties keep order.
    return (0, None, index) if last is None else (1, last, index)


def ordered_members(group: RingGroup) -> tuple[GroupMember, ...]:
    """Members in the order the group's strategy rings them (all of them, reachable or not).

    - simultaneous, sequential: configured order;
    - random: configured order shuffled by `random.Random(group.seed)`;
    - round_robin: configured order rotated to start at `rotation` modulo the member
      count (so it wraps around, and negative values count from the end);
    - longest_idle: never-called members first, then by `last_call_ended_at` ascending,
      ties in configured order.
    """
    members = group.members
    if not members:
        return ()
    match group.strategy:
        case Strategy.SIMULTANEOUS | Strategy.SEQUENTIAL:
            return members
        case Strategy.RANDOM:
            shuffled = list(members)
            random.Random(group.seed).shuffle(shuffled)
            return tuple(shuffled)
        case Strategy.ROUND_ROBIN:
            start = group.rotation % len(members)
            return members[start:] + members[:start]
        case Strategy.LONGEST_IDLE:
            ended: dict[str, datetime | None] = {}
            for extension, when in group.last_call_ended_at:
                ended.setdefault(extension, when)
            ranked = sorted(enumerate(members), key=lambda im: _longest_idle_key(im, ended))
            return tuple(member for _, member in ranked)
        case _:  # pragma: no cover - mypy checks exhaustiveness
            assert_never(group.strategy)
