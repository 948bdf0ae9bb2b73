"""The tenant's dial plan as route resolution reads it, loaded from the database.

Forwarding, contact lists, scenarios, queues and carrier trunks are not stored yet, so
hotlines carry no forwarding (an inbound call hears 480 "not in service") and calls to
outside numbers find no trunk (503) until those parts exist.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from vpbx.config import Settings
from vpbx.models import Extension, Number
from vpbx.numbers.enums import NumberStatus
from vpbx.pbx.repository import PbxRepository
from vpbx.routing import model
from vpbx.routing.decision import Decision
from vpbx.routing.rules import resolve
from vpbx.tenancy.principal import Principal


class DialPlanService:
    def __init__(self, session: Session, settings: Settings) -> None:
        self.session = session
        self.settings = settings
        self.repo = PbxRepository(session)

    def load(self, tenant_id: int) -> model.DialPlan:
        tenant = self.repo.tenant(tenant_id)
        extensions = self.repo.extensions(tenant_id)
        return model.DialPlan(
            tenant_id=str(tenant_id),
            sip_domain=tenant.sip_domain,
            default_country=self.settings.default_country,
            extensions=tuple(self._extensions(tenant.sip_domain, list(extensions))),
            groups=tuple(self._groups(tenant_id)),
            hotlines=tuple(model.Hotline(e164=e164) for e164 in self._hotlines(tenant_id)),
            trunk=None,
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
        return [
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
            )
            for g in groups
        ]

    def _hotlines(self, tenant_id: int) -> list[str]:
        return list(
            self.session.scalars(
                select(Number.e164)
                .where(Number.tenant_id == tenant_id, Number.status == NumberStatus.ACTIVE)
                .order_by(Number.e164)
            )
        )
