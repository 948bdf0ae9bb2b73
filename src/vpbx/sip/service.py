"""What Kamailio asks vpbx per call: the route decision, and where the outcome goes.

The SIP server serves every tenant, so it is not a tenant's API caller: it proves
itself with the instance's SIP token, and each request names its tenant by what the
call carries — the caller's SIP domain (from an extension) or the dialled hotline
(from a carrier trunk). A rejected call is recorded here at once; a routed one when
Kamailio posts how it ended.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from vpbx.calls.schemas import DIRECTIONS, CallRecordIn, Disposition
from vpbx.calls.schemas import Direction as CallDirection
from vpbx.calls.service import CallRecordService
from vpbx.config import Settings
from vpbx.errors import Conflict, DomainError, Invalid
from vpbx.kit.cache import VersionedCache
from vpbx.models import Tenant
from vpbx.pbx.dialplan import DialPlanService
from vpbx.pbx.plan_owner import PlanOwner
from vpbx.routing import model
from vpbx.routing.decision import Decision, LegKind, Reject
from vpbx.routing.phone import number_key, to_e164
from vpbx.routing.rules import resolve
from vpbx.sip.plan import TrunkTarget, kamailio_plan, legs_of, reject
from vpbx.sip.repository import SipRepository
from vpbx.sip.schemas import CallEvent, CallsRecorded, RouteRequest

_NO_TRUNK = TrunkTarget("", 0, "")
_TRUNKS: VersionedCache[TrunkTarget] = VersionedCache(capacity=4096)


@dataclass(frozen=True, slots=True)
class CallContext:
    """What the call record will say besides the times: decided with the route and
    carried through Kamailio (as JSON text) until the call ends."""

    tenant: int
    direction: CallDirection
    caller: str
    callee: str
    hotline: str | None
    extension: str | None
    group: str | None
    candidates: tuple[str, ...]  # extensions the plan rings: who may have answered

    def dump(self) -> str:
        return json.dumps(
            {
                "tenant": self.tenant,
                "direction": self.direction,
                "caller": self.caller,
                "callee": self.callee,
                "hotline": self.hotline,
                "extension": self.extension,
                "group": self.group,
                "candidates": list(self.candidates),
            },
            separators=(",", ":"),
        )

    @classmethod
    def load(cls, text: str) -> CallContext:
        try:
            data = json.loads(text)
            direction = next(d for d in DIRECTIONS if d == data["direction"])
            return cls(
                tenant=int(data["tenant"]),
                direction=direction,
                caller=str(data["caller"]),
                callee=str(data["callee"]),
                hotline=data.get("hotline"),
                extension=data.get("extension"),
                group=data.get("group"),
                candidates=tuple(str(c) for c in data.get("candidates", [])),
            )
        except (ValueError, KeyError, TypeError, StopIteration):
            raise Invalid("context is not one vpbx gave", field="context") from None


class SipService:
    def __init__(self, session: Session, settings: Settings) -> None:
        self.session = session
        self.settings = settings
        self.repo = SipRepository(session)
        self.plans = DialPlanService(session, settings)

    # --- route decisions ----------------------------------------------------------

    def route(self, request: RouteRequest, now: datetime) -> dict[str, Any]:
        tenant = self._tenant(request)
        if tenant is None:
            return reject(Reject(status=404, reason="no such domain or number"))
        if tenant.status != "active":  # what the accounts view also refuses
            return reject(Reject(status=403, reason="the tenant is not active"))
        plan = self.plans.plan_for(tenant)
        call = model.CallRequest(
            dialled=request.dialled,
            caller=request.caller or "anonymous",
            caller_name=request.caller_name,
            direction_hint=model.Direction(request.direction),
            now=now,
        )
        decision = resolve(plan, call)
        context = self._context(tenant, plan, call, decision)
        if isinstance(decision, Reject):
            self._record_rejected(tenant, request, context, decision, now)
        return kamailio_plan(
            decision, domain=tenant.sip_domain, trunk=self._trunk(tenant), context=context.dump()
        )

    def _trunk(self, tenant: PlanOwner) -> TrunkTarget | None:
        """Where the tenant's outside calls go; cached like the plan (a trunk's change
        bumps the plan version of every tenant assigned to it)."""
        version = tenant.version
        cached = _TRUNKS.get(tenant.id, version)
        if cached is None:
            trunk = self.repo.tenant_trunk(tenant.id)
            cached = (
                _NO_TRUNK if trunk is None else TrunkTarget(trunk.host, trunk.port, trunk.transport)
            )
            _TRUNKS.put(tenant.id, version, cached)
        return None if cached is _NO_TRUNK else cached

    def _tenant(self, request: RouteRequest) -> PlanOwner | None:
        """From an extension: the tenant of the authenticated domain. From a trunk: the
        owner of the dialled hotline, if that trunk is one of its partner's."""
        if request.direction == "from_extension":
            return self.repo.tenant_by_domain(request.domain.strip().lower())
        e164 = to_e164(request.dialled, self.settings.default_country)
        trunk = self.repo.trunk_by_id(int(request.trunk)) if request.trunk else None
        if e164 is None or trunk is None:
            return None
        tenant = self.repo.tenant_by_hotline(e164)
        if tenant is None or tenant.partner_id != trunk.partner_id:
            return None
        return tenant

    def _context(
        self, tenant: PlanOwner, plan: model.DialPlan, call: model.CallRequest, decision: Decision
    ) -> CallContext:
        """Direction and parties of the call as its record will show them."""
        region = plan.default_country
        dialled = call.dialled.strip()
        base = CallContext(
            tenant=tenant.id,
            direction="internal",
            caller=call.caller.strip(),
            callee=dialled,
            hotline=None,
            extension=None,
            group=None,
            candidates=tuple(
                leg.target for leg in legs_of(decision) if leg.kind is LegKind.EXTENSION
            ),
        )
        if call.direction_hint is model.Direction.FROM_TRUNK:
            key = number_key(dialled, region)
            caller = number_key(call.caller, region)
            group = _group_of(plan, key, region)
            return replace(
                base, direction="in", caller=caller, callee=key, hotline=key, group=group
            )
        if dialled in {e.number for e in plan.extensions}:
            return replace(base, extension=dialled)
        if dialled in {g.number for g in plan.groups}:
            return replace(base, group=dialled)
        key = number_key(dialled, region)  # libphonenumber: only past the cheap checks
        if key in {number_key(h.e164, region) for h in plan.hotlines}:  # a hairpin
            return replace(base, callee=key, hotline=key, group=_group_of(plan, key, region))
        caller_id = None if isinstance(decision, Reject) else decision.caller_id.number
        return replace(
            base,
            direction="out",
            callee=to_e164(dialled, region) or dialled,
            hotline=caller_id if caller_id and caller_id.startswith("+") else None,
            extension=base.caller,
            candidates=(),
        )

    def _record_rejected(
        self,
        tenant: PlanOwner,
        request: RouteRequest,
        context: CallContext,
        decision: Reject,
        now: datetime,
    ) -> None:
        record = self._record_in(
            request.call_id,
            context,
            started=now,
            answered=None,
            ended=now,
            disposition="rejected",
            status=decision.status,
            extension=context.extension if context.direction == "out" else None,
        )
        try:  # a retransmitted INVITE asks again: the first refusal's record stands
            with self.session.begin_nested():
                CallRecordService(self.session, self.settings).intake(tenant.id, [record])
        except Conflict:
            pass

    # --- call outcomes ------------------------------------------------------------

    def record(self, event: CallEvent) -> None:
        """Store how a routed call ended as its call record (idempotent on call_id)."""
        outcome = self._outcome(event)
        if outcome is None:  # the tenant was deleted while the call ran
            return
        tenant, record = outcome
        CallRecordService(self.session, self.settings).intake(tenant.id, [record], batch=False)

    def record_many(self, items: Sequence[object]) -> CallsRecorded:
        """Store a batch of outcomes (Kamailio's timer posts what queued up meanwhile).

        Unlike the API's all-or-nothing batch, one bad outcome must not lose the
        others: each is checked alone and refused alone (its index and reason in
        `rejected`); the rest are stored together, one insert per tenant."""
        result = CallsRecorded()
        by_tenant: dict[int, list[tuple[int, CallRecordIn]]] = {}
        for index, item in enumerate(items):
            try:
                outcome = self._outcome(CallEvent.model_validate(item))
            except (DomainError, ValidationError) as exc:
                result.refuse(index, exc)
                continue
            if outcome is None:
                result.orphaned += 1
                continue
            tenant, record = outcome
            by_tenant.setdefault(tenant.id, []).append((index, record))
        calls = CallRecordService(self.session, self.settings)
        for tenant_id, records in by_tenant.items():
            self._store_batch(calls, tenant_id, records, result)
        return result

    def _store_batch(
        self,
        calls: CallRecordService,
        tenant_id: int,
        records: list[tuple[int, CallRecordIn]],
        result: CallsRecorded,
    ) -> None:
        """One tenant's outcomes together; if that is refused, one by one, so only the
        culprit is left out (each in a savepoint: a refusal leaves nothing behind)."""
        try:
            with self.session.begin_nested():
                created, existing = calls.intake(tenant_id, [r for _, r in records])
            result.recorded += created
            result.existing += existing
            return
        except DomainError:
            pass
        for index, record in records:
            try:
                with self.session.begin_nested():
                    created, existing = calls.intake(tenant_id, [record])
            except DomainError as exc:
                result.refuse(index, exc)
                continue
            result.recorded += created
            result.existing += existing

    def _outcome(self, event: CallEvent) -> tuple[Tenant, CallRecordIn] | None:
        """The call record an outcome makes, with its tenant (None: tenant gone)."""
        context = CallContext.load(event.context)
        tenant = self.repo.tenant(context.tenant)
        if tenant is None:
            return None
        started, ended = _epoch(event.started, "started"), _epoch(event.ended, "ended")
        answered = _epoch(event.answered, "answered") if event.answered else None
        record = self._record_in(
            event.call_id,
            context,
            started=started,
            answered=answered,
            ended=max(ended, started),
            disposition=disposition(event.status, answered is not None),
            status=event.status,
            extension=_answering(context, event.answered_by, answered is not None),
        )
        return tenant, record

    def _record_in(
        self,
        call_id: str,
        context: CallContext,
        *,
        started: datetime,
        answered: datetime | None,
        ended: datetime,
        disposition: Disposition,
        status: int,
        extension: str | None,
    ) -> CallRecordIn:
        return CallRecordIn(
            call_id=call_id,
            direction=context.direction,
            caller=context.caller or "anonymous",
            callee=context.callee,
            hotline=context.hotline,
            extension=extension,
            group=context.group,
            started_at=started,
            answered_at=answered,
            ended_at=ended,
            disposition=disposition,
            sip_status=status,
        )


def disposition(status: int, answered: bool) -> Disposition:
    """A call's outcome from its final SIP status."""
    if answered or 200 <= status < 300:
        return "answered"
    if status in (486, 600):
        return "busy"
    if status in (408, 480, 487, 603):
        return "no_answer"
    return "failed"


def _answering(context: CallContext, answered_by: str | None, answered: bool) -> str | None:
    """The tenant extension of the call: the caller's on outbound calls; otherwise the
    one that answered (the answering contact's user, if it is one the plan rang; the
    only one rung when there was one), or the dialled extension."""
    if context.direction == "out":
        return context.extension
    if answered:
        if answered_by and answered_by in context.candidates:
            return answered_by
        if len(set(context.candidates)) == 1:
            return context.candidates[0]
        return None
    return context.extension


def _group_of(plan: model.DialPlan, hotline: str, region: str) -> str | None:
    """The ring group a hotline forwards to, if it does."""
    for h in plan.hotlines:
        forwarding = h.forwarding
        if (
            number_key(h.e164, region) == hotline
            and forwarding is not None
            and forwarding.type is model.ForwardingType.GROUP
        ):
            return forwarding.value.strip() or None
    return None


def _epoch(value: str | None, field: str) -> datetime:
    try:
        return datetime.fromtimestamp(float(value or ""), UTC)
    except (ValueError, OverflowError, OSError):
        raise Invalid(f"{field} is not a time", field=field) from None
