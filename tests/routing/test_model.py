"""Input types: frozen values, enum coercion from plain strings, construction checks."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import pytest

from tests.routing.factory import NOW, make_group, make_plan
from vpbx.routing import (
    CallQueue,
    CallRequest,
    CliMode,
    Direction,
    Extension,
    Forwarding,
    ForwardingType,
    GroupMember,
    RingGroup,
    Strategy,
    Target,
    TargetKind,
)

NAIVE = datetime(2025, 6, 1, 12, 0)


def test_types_are_frozen() -> None:
    ext = Extension(number="101")
    with pytest.raises(dataclasses.FrozenInstanceError):
        ext.enabled = False  # type: ignore[misc]


def test_enum_fields_accept_plain_strings() -> None:
    forwarding = Forwarding(type="sip", value="101", cli_mode="N")  # type: ignore[arg-type]
    assert forwarding.type is ForwardingType.SIP
    assert forwarding.cli_mode is CliMode.SHOW_HOTLINE
    assert Target(kind="group", value="600").kind is TargetKind.GROUP  # type: ignore[arg-type]
    assert make_group(strategy="round_robin").strategy is Strategy.ROUND_ROBIN  # type: ignore[arg-type]
    call = CallRequest(dialled="1", caller="2", direction_hint="from_trunk", now=NOW)  # type: ignore[arg-type]
    assert call.direction_hint is Direction.FROM_TRUNK
    queue = CallQueue(id="1", strategy="simultaneous")  # type: ignore[arg-type]
    assert queue.strategy is Strategy.SIMULTANEOUS


def test_unknown_enum_string_is_rejected() -> None:
    with pytest.raises(ValueError, match="telegram"):
        Forwarding(type="telegram")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="maybe"):
        Forwarding(type=ForwardingType.SIP, cli_mode="maybe")  # type: ignore[arg-type]


def test_naive_now_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        CallRequest(dialled="1", caller="2", direction_hint=Direction.FROM_TRUNK, now=NAIVE)


def test_naive_expiry_is_rejected() -> None:
    with pytest.raises(ValueError, match="expires_at"):
        Extension(number="101", expires_at=NAIVE)


def test_naive_last_call_is_rejected() -> None:
    with pytest.raises(ValueError, match="last call of 101"):
        make_group(last_call_ended_at=(("101", NAIVE),))


@pytest.mark.parametrize("bad", [0, -5])
def test_non_positive_timeouts_are_rejected(bad: int) -> None:
    with pytest.raises(ValueError, match="timeout_s"):
        GroupMember(extension="101", timeout_s=bad)
    with pytest.raises(ValueError, match="group_timeout_s"):
        RingGroup(
            number="6", name="g", strategy=Strategy.SEQUENTIAL, members=(), group_timeout_s=bad
        )
    with pytest.raises(ValueError, match="ring_timeout_s"):
        make_plan(ring_timeout_s=bad)
    with pytest.raises(ValueError, match="max_wait_s"):
        CallQueue(id="1", max_wait_s=bad)


def test_aware_values_in_other_zones_are_accepted() -> None:
    later = NOW.astimezone(tz=None) + timedelta(days=1)
    assert Extension(number="101", expires_at=later).expires_at == later
