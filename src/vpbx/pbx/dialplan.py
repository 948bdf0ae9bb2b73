"""The tenant's dial plan as route resolution reads it, loaded from the database.

Everything a call can meet is loaded: extensions, ring groups (with the round-robin
rotation and each member's last answered call, from the call records), the tenant's
numbers with their forwarding and black/white lists, scenarios and call queues.
Outside numbers go through the tenant's carrier trunk (vpbx.sip); without one, 503.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from vpbx.calls.service import CallRecordService
from vpbx.config import Settings
from vpbx.kit.rows import AnyRow
from vpbx.models import Extension
from vpbx.pbx.dialplan_repository import DialPlanRepository
from vpbx.pbx.repository import PbxRepository
from vpbx.routing import model
from vpbx.routing.decision import Decision
from vpbx.routing.rules import resolve
from vpbx.sip.repository import SipRepository
from vpbx.tenancy.principal import Principal


class DialPlanService:
    def __init__(self, session: Session, settings: Settings) -> None:
        self.session = session
        self.settings = settings
        self.repo = PbxRepository(session)
        self.plans = DialPlanRepository(session)

    def load(self, tenant_id: int) -> model.DialPlan:
        tenant = self.repo.tenant(tenant_id)
        extensions = self.repo.extensions(tenant_id)
        return model.DialPlan(
            tenant_id=str(tenant_id),
            sip_domain=tenant.sip_domain,
            default_country=self.settings.default_country,
            extensions=tuple(self._extensions(tenant.sip_domain, list(extensions))),
            groups=tuple(self._groups(tenant_id)),
            hotlines=tuple(self._hotlines(tenant_id)),
            scenarios=tuple(
                model.Scenario(id=str(row.id), name=row.name)
                for row in self.plans.scenarios(tenant_id)
            ),
            queues=tuple(self._queues(tenant_id)),
            trunk=self._trunk(tenant_id),
        )

    def resolve(
        self,
        principal: Principal,
        *,
        dialled: str,
        caller: str,
        caller_name: str | None,
        direction: model.Direction,
        now: datetime,
    ) -> Decision:
        plan = self.load(principal.require_tenant())
        call = model.CallRequest(
            dialled=dialled,
            caller=caller,
            caller_name=caller_name,
            direction_hint=direction,
            now=now,
        )
        return resolve(plan, call)

    def _trunk(self, tenant_id: int) -> str | None:
        """The name of the carrier trunk the tenant's outside calls use, if any."""
        trunk = SipRepository(self.session).tenant_trunk(tenant_id)
        return None if trunk is None else trunk.name

    def _extensions(self, domain: str, rows: list[Extension]) -> list[model.Extension]:
        hotlines = self.repo.hotlines([e.id for e in rows])
        caller_ids = self.repo.e164_of(
            [e.caller_id_number_id for e in rows if e.caller_id_number_id]
        )
        return [
            model.Extension(
                number=e.number,
                display_name=e.display_name,
                sip_uri=f"sip:{e.number}@{domain}",
                enabled=e.enabled,
                expires_at=e.expires_at,
                caller_id_hotline=caller_ids.get(e.caller_id_number_id or 0),
                outbound_hotlines=tuple(hotlines.get(e.id, [])),
            )
            for e in rows
        ]

    def _groups(self, tenant_id: int) -> list[model.RingGroup]:
        groups = list(self.repo.groups(tenant_id, after_id=None, limit=10_000))
        members = self.repo.members([g.id for g in groups])
        rotations = self.plans.group_call_counts(tenant_id)
        every_member = {m.number for rows in members.values() for m in rows}
        last_answered = CallRecordService(self.session, self.settings).last_call_ended(
            tenant_id, sorted(every_member)
        )
        plans = []
        for g in groups:
            numbers = [m.number for m in members.get(g.id, [])]
            plans.append(
                model.RingGroup(
                    number=g.number,
                    name=g.name,
                    strategy=model.Strategy(g.strategy),
                    members=tuple(
                        model.GroupMember(extension=m.number, timeout_s=m.timeout_s)
                        for m in members.get(g.id, [])
                    ),
                    group_timeout_s=g.timeout_s,
                    no_answer=None
                    if g.no_answer_kind == "hangup"
                    else model.Target(
                        kind=model.TargetKind(g.no_answer_kind), value=g.no_answer_value or ""
                    ),
                    rotation=rotations.get(g.number, 0),
                    last_call_ended_at=tuple((n, last_answered.get(n)) for n in numbers),
                )
            )
        return plans

    def _hotlines(self, tenant_id: int) -> list[model.Hotline]:
        screening = self.plans.screening(tenant_id)
        return [
            model.Hotline(
                e164=row.e164,
                forwarding=_forwarding(row),
                blacklist=tuple(screening.get((row.id, "black"), ())),
                whitelist=tuple(screening.get((row.id, "white"), ())),
            )
            for row in self.plans.hotlines(tenant_id)
        ]

    def _queues(self, tenant_id: int) -> list[model.CallQueue]:
        members = self.plans.queue_members(tenant_id)
        return [
            model.CallQueue(
                id=str(q.id),
                name=q.name,
                members=tuple(members.get(q.id, [])),
                strategy=model.Strategy(q.strategy),
                max_wait_s=q.max_wait_s,
            )
            for q in self.plans.queues(tenant_id)
        ]


def _forwarding(row: AnyRow) -> model.Forwarding | None:
    """The routing form of a stored forwarding: each type names its target by value."""
    if row.type is None:
        return None
    kind = model.ForwardingType(row.type)
    value = {
        model.ForwardingType.SIP: row.extension_number,
        model.ForwardingType.NUMBER: row.destination,
        model.ForwardingType.SIP_URI: row.destination,
        model.ForwardingType.GROUP: row.group_number,
        model.ForwardingType.SCENARIO: row.scenario_id,
        model.ForwardingType.CALL_QUEUE: row.call_queue_id,
        model.ForwardingType.BITRIX: row.host,
        model.ForwardingType.AMO: row.host,
    }.get(kind)
    return model.Forwarding(
        type=kind,
        value="" if value is None else str(value),
        cli_mode=model.CliMode(row.cli_mode or "Y"),
    )
