"""Steps for each kind of destination, ring-group plans and no-answer chains (rule R4)."""

from __future__ import annotations

from typing import assert_never

from vpbx.routing.context import LOOP, UNAVAILABLE, CallContext, Rejected
from vpbx.routing.decision import After, CallerId, Leg, LegKind, Step
from vpbx.routing.groups import ordered_members
from vpbx.routing.model import Extension, RingGroup, Strategy, Target, TargetKind
from vpbx.routing.phone import to_e164

__all__ = [
    "MAX_NO_ANSWER_HOPS",
    "extension_step",
    "group_plan",
    "is_sip_uri",
    "number_step",
    "queue_step",
    "scenario_step",
    "uri_step",
]

MAX_NO_ANSWER_HOPS = 5
"""No-answer targets one chain may follow; following a 6th rejects the call with 482."""

Plan = tuple[list[Step], After]


def extension_step(ctx: CallContext, ext: Extension, timeout_s: int) -> Step:
    return Step(legs=(ctx.extension_leg(ext),), parallel=False, timeout_s=timeout_s)


def number_step(e164: str, trunk: str, caller_id: CallerId | None = None) -> Step:
    """One leg to an outside number on the trunk; no PBX timer (the network decides)."""
    leg = Leg(kind=LegKind.NUMBER, target=e164, address=e164, trunk=trunk, caller_id=caller_id)
    return Step(legs=(leg,), parallel=False, timeout_s=0)


def is_sip_uri(value: str) -> bool:
    """A "sip:" or "sips:" URI with something after the scheme."""
    scheme, colon, rest = value.partition(":")
    return bool(colon) and scheme.lower() in {"sip", "sips"} and bool(rest.strip())


def uri_step(uri: str) -> Step:
    leg = Leg(kind=LegKind.SIP_URI, target=uri, address=uri)
    return Step(legs=(leg,), parallel=False, timeout_s=0)


def scenario_step(ctx: CallContext, scenario_id: str) -> Step:
    """Hand the call to a scenario, or raise 480 when the plan has no such scenario."""
    scenario = ctx.scenarios.get(scenario_id.strip())
    if scenario is None:
        raise Rejected(UNAVAILABLE, f"scenario {scenario_id} unknown")
    leg = Leg(kind=LegKind.SCENARIO, target=scenario.id, name=scenario.name)
    return Step(legs=(leg,), parallel=False, timeout_s=0)


def queue_step(ctx: CallContext, queue_id: str) -> Step:
    """Hand the call to a queue with its reachable members, for at most max_wait_s;
    raise 480 for an unknown queue or one without a reachable member."""
    queue = ctx.queues.get(queue_id.strip())
    if queue is None:
        raise Rejected(UNAVAILABLE, f"queue {queue_id} unknown")
    members = tuple(ctx.extension_leg(ext) for _, ext in ctx.usable(queue.members))
    if not members:
        raise Rejected(UNAVAILABLE, f"queue {queue.id} has no reachable member")
    leg = Leg(
        kind=LegKind.CALL_QUEUE,
        target=queue.id,
        name=queue.name,
        strategy=queue.strategy,
        members=members,
    )
    return Step(legs=(leg,), parallel=False, timeout_s=queue.max_wait_s)


def group_plan(
    ctx: CallContext, group: RingGroup, *, hops: int = 0, seen: frozenset[str] = frozenset()
) -> Plan:
    """The steps of a ring group followed by its no-answer chain, and how they end.

    `hops` counts the no-answer targets followed to reach this group and `seen` the
    groups already in the chain (both empty for the dialled group).
    """
    seen = seen | {group.number.strip()}
    ordered = ordered_members(group)
    usable = ctx.usable(tuple(member.extension for member in ordered))
    steps: list[Step] = []
    if group.strategy is Strategy.SIMULTANEOUS:
        if usable:
            legs = tuple(ctx.extension_leg(ext) for _, ext in usable)
            steps.append(Step(legs=legs, parallel=True, timeout_s=group.group_timeout_s))
    else:
        steps.extend(extension_step(ctx, ext, ordered[i].timeout_s) for i, ext in usable)
    tail, after = no_answer_plan(ctx, group.no_answer, hops=hops + 1, seen=seen)
    return steps + tail, after


def no_answer_plan(
    ctx: CallContext, target: Target | None, *, hops: int, seen: frozenset[str]
) -> Plan:
    """Steps for a no-answer target: nothing for hangup/None or an unreachable target,
    482 for a group already in the chain or a chain longer than MAX_NO_ANSWER_HOPS."""
    if target is None or target.kind is TargetKind.HANGUP:
        return [], After.HANGUP
    if hops > MAX_NO_ANSWER_HOPS:
        raise Rejected(LOOP, f"loop detected: more than {MAX_NO_ANSWER_HOPS} no-answer hops")
    value = target.value.strip()
    nothing: Plan = ([], After.HANGUP)
    match target.kind:
        case TargetKind.EXTENSION:
            ext = ctx.reachable(value)
            if ext is None or ctx.is_caller(ext):
                return nothing
            return [extension_step(ctx, ext, ctx.plan.ring_timeout_s)], After.HANGUP
        case TargetKind.GROUP:
            group = ctx.groups.get(value)
            if group is None:
                return nothing
            if group.number.strip() in seen:
                raise Rejected(LOOP, f"loop detected: group {group.number} reached again")
            return group_plan(ctx, group, hops=hops, seen=seen)
        case TargetKind.NUMBER:
            trunk = (ctx.plan.trunk or "").strip()
            e164 = to_e164(value, ctx.region)
            if not trunk or e164 is None or (ctx.internal and ctx.outbound is None):
                return nothing
            # Internal calls present the extension; outside, the caller's outbound identity
            # (`outbound` is only ever set on internal calls).
            return [number_step(e164, trunk, ctx.outbound)], After.HANGUP
        case TargetKind.SIP_URI:
            return ([uri_step(value)], After.HANGUP) if is_sip_uri(value) else nothing
        case TargetKind.SCENARIO | TargetKind.CALL_QUEUE:
            try:
                if target.kind is TargetKind.SCENARIO:
                    step = scenario_step(ctx, value)
                else:
                    step = queue_step(ctx, value)
            except Rejected:
                return nothing
            return [step], After.HANDOFF
        case _:  # pragma: no cover - HANGUP is handled above; mypy checks exhaustiveness
            assert_never(target.kind)
