"""Builders for routing tests: a small Vietnamese tenant and call requests against it.

The base plan (`make_plan`):

- extensions 101 (outbound on HOTLINE), 102, 106, 107 (no sip_uri, no caller ID),
  103 disabled, 104 expired, 108 expires in an hour;
- hotlines HOTLINE (forwarded to 102) and SALES (forwarded to group 600);
- group 600: sequential 101, 102, 106 with timeouts 10, 20, 30;
- scenario "7" and queue "3" (members 102, 103, 106);
- trunk "carrier-1", default country VN.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from vpbx.routing import (
    CallQueue,
    CallRequest,
    Decision,
    DialPlan,
    Direction,
    Extension,
    Forwarding,
    ForwardingType,
    GroupMember,
    Hotline,
    Reject,
    RingGroup,
    Route,
    Scenario,
    Strategy,
    Target,
    resolve,
)

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
DOMAIN = "acme.vpbx.local"
TRUNK = "carrier-1"
HOTLINE = "+842471234567"  # Hà Nội fixed line, national form "02471234567"
SALES = "+842438251234"
OUTSIDE = "+84987654321"  # an outside mobile caller, national "0987654321"
MOBILE = "+84912345678"  # an outside number to call, national "0912345678"


def make_ext(number: str, **fields: object) -> Extension:
    base = Extension(
        number=number,
        display_name=f"User {number}",
        sip_uri=f"sip:{number}@{DOMAIN}",
    )
    return replace(base, **fields)  # type: ignore[arg-type]


BASE_EXTENSIONS: tuple[Extension, ...] = (
    make_ext("101", caller_id_hotline=HOTLINE, outbound_hotlines=(HOTLINE,)),
    make_ext("102"),
    make_ext("103", enabled=False),
    make_ext("104", expires_at=NOW - timedelta(days=1)),
    make_ext("106"),
    make_ext("107", sip_uri="", display_name=""),
    make_ext("108", expires_at=NOW + timedelta(hours=1)),
)


def members(*pairs: tuple[str, int]) -> tuple[GroupMember, ...]:
    return tuple(GroupMember(extension=ext, timeout_s=t) for ext, t in pairs)


def make_group(
    number: str = "600",
    strategy: Strategy = Strategy.SEQUENTIAL,
    member_list: Sequence[tuple[str, int]] = (("101", 10), ("102", 20), ("106", 30)),
    **fields: object,
) -> RingGroup:
    base = RingGroup(
        number=number,
        name=f"Group {number}",
        strategy=strategy,
        members=members(*member_list),
        group_timeout_s=25,
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def make_plan(**fields: object) -> DialPlan:
    base = DialPlan(
        tenant_id="t-1",
        sip_domain=DOMAIN,
        default_country="VN",
        extensions=BASE_EXTENSIONS,
        groups=(make_group(),),
        hotlines=(
            Hotline(e164=HOTLINE, forwarding=Forwarding(type=ForwardingType.SIP, value="102")),
            Hotline(e164=SALES, forwarding=Forwarding(type=ForwardingType.GROUP, value="600")),
        ),
        scenarios=(Scenario(id="7", name="Main IVR"),),
        queues=(
            CallQueue(
                id="3",
                name="Support",
                members=("102", "103", "106"),
                strategy=Strategy.LONGEST_IDLE,
                max_wait_s=120,
            ),
        ),
        trunk=TRUNK,
        ring_timeout_s=30,
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def with_groups(*groups: RingGroup, **fields: object) -> DialPlan:
    return make_plan(groups=groups, **fields)


def with_hotline(hotline: Hotline, **fields: object) -> DialPlan:
    return make_plan(hotlines=(hotline,), **fields)


def forwarded(
    kind: ForwardingType, value: str = "", cli_mode: str = "Y", **fields: object
) -> Hotline:
    forwarding = Forwarding(type=kind, value=value, cli_mode=cli_mode)  # type: ignore[arg-type]
    return replace(Hotline(e164=HOTLINE, forwarding=forwarding), **fields)  # type: ignore[arg-type]


def internal(dialled: str, caller: str = "101", now: datetime = NOW) -> CallRequest:
    return CallRequest(
        dialled=dialled, caller=caller, direction_hint=Direction.FROM_EXTENSION, now=now
    )


def inbound(
    dialled: str = HOTLINE, caller: str = OUTSIDE, name: str | None = "Alice"
) -> CallRequest:
    return CallRequest(
        dialled=dialled,
        caller=caller,
        caller_name=name,
        direction_hint=Direction.FROM_TRUNK,
        now=NOW,
    )


def route_of(plan: DialPlan, call: CallRequest) -> Route:
    decision: Decision = resolve(plan, call)
    assert isinstance(decision, Route), decision
    return decision


def reject_of(plan: DialPlan, call: CallRequest) -> Reject:
    decision: Decision = resolve(plan, call)
    assert isinstance(decision, Reject), decision
    return decision


def targets(route: Route) -> list[list[str]]:
    """The targets of each step, e.g. [["101"], ["102"]] or [["101", "102"]]."""
    return [[leg.target for leg in step.legs] for step in route.steps]


def timeouts(route: Route) -> list[int]:
    return [step.timeout_s for step in route.steps]


def to_target(kind: str, value: str = "") -> Target:
    return Target(kind=kind, value=value)  # type: ignore[arg-type]
