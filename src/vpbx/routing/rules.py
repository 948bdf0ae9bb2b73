"""Route resolution: what the SIP server does with a new call.

`resolve(plan, call)` is a pure function of a tenant's `DialPlan` and one `CallRequest`
(including the clock, `call.now`); it returns a `Reject` or a `Route`. Nothing here
does I/O, and the same inputs always give the same decision.

SIP statuses
============

======  =========================  =====================================================
status  meaning                    when
======  =========================  =====================================================
403     Forbidden                  caller extension unknown / disabled / expired;
                                   outbound call without a usable caller ID (none set,
                                   not a tenant number, not in outbound_hotlines);
                                   trunk caller blacklisted or not whitelisted
404     Not Found                  from an extension: dialled matches no extension,
                                   group or hotline and is not a valid outside number;
                                   from the trunk: dialled is not a tenant hotline
480     Temporarily Unavailable    dialled extension disabled / expired; group or queue
                                   with no reachable member and nothing to fall back to;
                                   hotline without forwarding ("empty"); forwarding to
                                   a missing, unreachable or malformed target
482     Loop Detected              a no-answer chain reaches a group it already passed
                                   through, or follows more than MAX_NO_ANSWER_HOPS
486     Busy Here                  an extension calls itself (directly, or through a
                                   hotline forwarded to it)
503     Service Unavailable        an outside number is needed and the plan has no trunk
                                   (not 403: a missing trunk is the tenant's setup, not
                                   the caller's permission)
======  =========================  =====================================================

Rules
=====

R1  From an extension (`Direction.FROM_EXTENSION`): the caller must be an existing,
    enabled, unexpired extension (an extension expires when `now >= expires_at`),
    else 403 "caller extension unknown|disabled|expired". The dialled string, stripped,
    is then tried in this order:

    R1a an extension number → ring it for `plan.ring_timeout_s` (one step). Itself →
        486; disabled or expired → 480. An extension and a group sharing a number is a
        data error: the extension wins.
    R1b a group number → the group plan (R4) with the internal caller ID; no step at
        all → 480.
    R1c one of the tenant's hotlines (compared in E.164) → a hairpin: the call is
        handled as an inbound call to that hotline (R3) from the caller's extension,
        except that black/whitelists are not applied (they screen outside callers;
        an authenticated extension of the tenant is not one).
    R1d a valid outside number in E.164, international or national form (read with
        `plan.default_country`) → one leg to its E.164 on the trunk, no PBX timer.
        Checks in order: no trunk → 503; caller has no caller_id_hotline → 403; that
        number is not one of the tenant's hotlines → 403 (no CLI spoofing); the
        extension's outbound_hotlines is non-empty and lacks it → 403.
    R1e anything else → 404: "no such extension" for up to EXTENSION_MAX_DIGITS digits,
        "not a valid number" for text phonenumbers reads as an invalid number, "no such
        extension or number" for the rest.

R2  From the trunk (`Direction.FROM_TRUNK`): the dialled number, in E.164, must be a
    tenant hotline, else 404 "no such number". The caller is then screened: a blacklist
    match → 403 "caller blacklisted"; a non-empty whitelist without a match → 403
    "caller not whitelisted". Entries are numbers or "+prefix*" (see
    `phone.list_matches`); anonymous callers match no entry, so they pass blacklists
    and fail non-empty whitelists. Then R3.

R3  Hotline forwarding (`Forwarding.type`):
    none / empty → 480 "number not in service";
    sip        → ring that extension for ring_timeout_s; unknown/disabled/expired → 480;
                 the calling extension itself (hairpin) → 486;
    group      → the group plan (R4); unknown group or no step → 480;
    number     → one leg to the E.164 on the trunk (no trunk → 503, invalid → 480);
    sip_uri    → one leg to the URI ("sip:"/"sips:" only, else 480);
    scenario   → a hand-off step naming the scenario (unknown → 480);
    call_queue → a hand-off step naming the queue, its strategy and its reachable
                 members, for max_wait_s (unknown or no reachable member → 480);
    bitrix/amo → a hand-off step of kind "crm" with the CRM host (blank → 480).
    The caller ID follows `cli_mode` for every type (R5).

R4  Ring group plan. Members are ordered by the strategy (`groups.ordered_members`),
    then members that are unknown, disabled or expired, repeated, or the calling
    extension itself are dropped. simultaneous → one parallel step of all of them for
    group_timeout_s; every other strategy → one step per member with its own timeout_s.
    The no-answer target follows, resolved recursively:
    extension → one step for ring_timeout_s; group → that group's plan (R4 again);
    number → trunk leg; sip_uri → URI leg; scenario / call_queue → hand-off step;
    hangup or None → nothing. A target that cannot be reached (unknown, disabled, no
    trunk, invalid) adds nothing instead of failing the call; on an internal call a
    number target needs the caller's outbound identity (R1d checks) and goes out with it
    as that leg's caller ID, or adds nothing. Reaching a group already in the chain, or
    following more than MAX_NO_ANSWER_HOPS no-answer targets, rejects the whole call
    with 482 "loop detected: ..." (naming the group, or the hop limit): it is a
    configuration error to surface, not to ring around.

R5  Caller ID. Internal calls (extension to extension or group): the caller's number and
    display name, no PAI. Outbound (R1d): the caller's caller_id_hotline in E.164 with
    its display name, PAI = that hotline. Inbound and hairpin (R3): cli_mode "Y" → the
    caller's number (E.164 when it parses, "anonymous" when withheld; the extension
    number on a hairpin) and name, PAI = the hotline; cli_mode "N" → the hotline as
    number, no name, PAI = the hotline. PAI is what carriers screen, so whatever may
    leave on the trunk asserts a tenant number: an internal call's outside legs (R4)
    carry the caller's outbound caller ID on the leg itself.

Timeouts: extension steps ring for a PBX timer (a phone never gives up by itself);
steps to numbers, URIs and hand-offs have timeout_s = 0 (the far side decides).
"""

from __future__ import annotations

from typing import assert_never

from vpbx.routing.context import (
    BUSY,
    FORBIDDEN,
    NOT_FOUND,
    UNAVAILABLE,
    CallContext,
    Rejected,
)
from vpbx.routing.decision import After, CallerId, Decision, Leg, LegKind, Route, Step
from vpbx.routing.model import CallRequest, CliMode, DialPlan, Direction, ForwardingType, Hotline
from vpbx.routing.phone import is_anonymous, list_matches, number_key, parses, to_e164
from vpbx.routing.targets import (
    MAX_NO_ANSWER_HOPS,
    extension_step,
    group_plan,
    is_sip_uri,
    number_step,
    queue_step,
    scenario_step,
    uri_step,
)

__all__ = ["EXTENSION_MAX_DIGITS", "MAX_NO_ANSWER_HOPS", "resolve"]

EXTENSION_MAX_DIGITS = 6
"""Unmatched dialled digit strings up to this length are reported as unknown extensions."""


def resolve(plan: DialPlan, call: CallRequest) -> Decision:
    """Decide what to do with `call` under `plan` (rules R1-R5 above)."""
    ctx = CallContext.build(plan, call)
    try:
        if call.direction_hint is Direction.FROM_TRUNK:
            return _from_trunk(ctx)
        return _from_extension(ctx)
    except Rejected as rejected:
        return rejected.reject


# --- R1: from an extension ------------------------------------------------------------------


def _from_extension(ctx: CallContext) -> Decision:
    caller = ctx.extensions.get(ctx.request.caller.strip())
    problem = ctx.problem(caller)
    if caller is None or problem is not None:
        raise Rejected(FORBIDDEN, f"caller extension {problem}")
    ctx = ctx.with_caller(caller, internal=True)
    internal_id = CallerId(number=caller.number, name=caller.display_name or None, pai=None)
    dialled = ctx.request.dialled.strip()

    if dialled in ctx.extensions:  # R1a
        return _extension_route(ctx, dialled, internal_id)

    group = ctx.groups.get(dialled)
    if group is not None:  # R1b
        return _group_route(ctx, group.number, internal_id)

    hotline = ctx.hotlines.get(number_key(dialled, ctx.region))
    if hotline is not None:  # R1c
        hairpin = ctx.with_caller(caller, internal=False)
        return _forward(hairpin, hotline, _presented_caller(hairpin, hotline))

    e164 = to_e164(dialled, ctx.region)  # R1d
    if e164 is None:  # R1e
        if dialled.isascii() and dialled.isdigit() and len(dialled) <= EXTENSION_MAX_DIGITS:
            raise Rejected(NOT_FOUND, "no such extension")
        if parses(dialled, ctx.region):
            raise Rejected(NOT_FOUND, "not a valid number")
        raise Rejected(NOT_FOUND, "no such extension or number")
    trunk = ctx.trunk()
    caller_id = ctx.outbound_caller_id(caller)
    return Route(steps=(number_step(e164, trunk),), caller_id=caller_id)


def _extension_route(ctx: CallContext, number: str, caller_id: CallerId) -> Route:
    """Ring one extension (R1a, R3 sip): 486 for the caller itself, 480 if unreachable."""
    ext = ctx.extensions.get(number)
    if ext is not None and ctx.is_caller(ext):
        raise Rejected(BUSY, "cannot call own extension")
    problem = ctx.problem(ext)
    if ext is None or problem is not None:
        raise Rejected(UNAVAILABLE, f"extension {number} {problem}")
    return Route(steps=(extension_step(ctx, ext, ctx.plan.ring_timeout_s),), caller_id=caller_id)


def _group_route(ctx: CallContext, number: str, caller_id: CallerId) -> Route:
    """A ring group's plan (R4): 480 for an unknown group or one that yields no step."""
    group = ctx.groups.get(number)
    if group is None:
        raise Rejected(UNAVAILABLE, f"group {number} unknown")
    steps, after = group_plan(ctx, group)
    if not steps:
        raise Rejected(UNAVAILABLE, f"group {group.number} has no reachable member")
    return Route(steps=tuple(steps), caller_id=caller_id, after=after)


# --- R2: from the trunk ---------------------------------------------------------------------


def _from_trunk(ctx: CallContext) -> Decision:
    request = ctx.request
    hotline = ctx.hotlines.get(number_key(request.dialled, ctx.region))
    if hotline is None:
        raise Rejected(NOT_FOUND, "no such number")
    if list_matches(request.caller, hotline.blacklist, ctx.region):
        raise Rejected(FORBIDDEN, "caller blacklisted")
    if hotline.whitelist and not list_matches(request.caller, hotline.whitelist, ctx.region):
        raise Rejected(FORBIDDEN, "caller not whitelisted")
    return _forward(ctx, hotline, _presented_caller(ctx, hotline))


# --- R3: hotline forwarding, R5: its caller ID ----------------------------------------------


def _presented_caller(ctx: CallContext, hotline: Hotline) -> CallerId:
    """R5 for inbound and hairpin calls, per the forwarding's cli_mode."""
    e164 = number_key(hotline.e164, ctx.region)
    forwarding = hotline.forwarding
    if forwarding is not None and forwarding.cli_mode is CliMode.SHOW_HOTLINE:
        return CallerId(number=e164, name=None, pai=e164)
    if ctx.caller_ext is not None:
        ext = ctx.caller_ext
        return CallerId(number=ext.number, name=ext.display_name or None, pai=e164)
    caller = ctx.request.caller
    number = "anonymous" if is_anonymous(caller) else number_key(caller, ctx.region)
    return CallerId(number=number, name=ctx.request.caller_name or None, pai=e164)


def _forward(ctx: CallContext, hotline: Hotline, caller_id: CallerId) -> Decision:
    forwarding = hotline.forwarding
    if forwarding is None or forwarding.type is ForwardingType.EMPTY:
        raise Rejected(UNAVAILABLE, "number not in service")
    value = forwarding.value.strip()
    handoff: Step
    match forwarding.type:
        case ForwardingType.SIP:
            return _extension_route(ctx, value, caller_id)
        case ForwardingType.GROUP:
            return _group_route(ctx, value, caller_id)
        case ForwardingType.NUMBER:
            trunk = ctx.trunk()
            e164 = to_e164(value, ctx.region)
            if e164 is None:
                raise Rejected(UNAVAILABLE, "forwarding target not a valid number")
            return Route(steps=(number_step(e164, trunk),), caller_id=caller_id)
        case ForwardingType.SIP_URI:
            if not is_sip_uri(value):
                raise Rejected(UNAVAILABLE, "forwarding target not a SIP URI")
            return Route(steps=(uri_step(value),), caller_id=caller_id)
        case ForwardingType.SCENARIO:
            handoff = scenario_step(ctx, value)
        case ForwardingType.CALL_QUEUE:
            handoff = queue_step(ctx, value)
        case ForwardingType.BITRIX | ForwardingType.AMO:
            if not value:
                raise Rejected(UNAVAILABLE, "CRM host missing")
            leg = Leg(kind=LegKind.CRM, target=value, name=forwarding.type.value)
            handoff = Step(legs=(leg,), parallel=False, timeout_s=0)
        case _:  # pragma: no cover - EMPTY is handled above; mypy checks exhaustiveness
            assert_never(forwarding.type)
    return Route(steps=(handoff,), caller_id=caller_id, after=After.HANDOFF)
