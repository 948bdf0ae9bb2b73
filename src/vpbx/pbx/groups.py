"""Ring groups: numbers of the dial plan that ring extensions by a strategy. Never commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from vpbx.audit.service import record_change
from vpbx.config import Settings
from vpbx.errors import Invalid, NotFound
from vpbx.kit.pages import OffsetPage, check_window
from vpbx.models import RingGroup, Tenant
from vpbx.numbers.service import canonical_e164
from vpbx.pbx.forwarding import TargetUsage
from vpbx.pbx.repository import PbxRepository
from vpbx.pbx.schemas import (
    GroupCreate,
    GroupMemberIn,
    GroupMemberOut,
    GroupOut,
    GroupUpdate,
    NoAnswer,
)
from vpbx.pbx.sip import claim_number
from vpbx.tenancy.principal import Principal

# The instance's largest page when the caller names no settings.
_PAGE_SIZE_MAX: int = Settings.model_fields["page_size_max"].default


class GroupService:
    def __init__(self, session: Session, settings: Settings | None = None) -> None:
        self.session = session
        self.repo = PbxRepository(session)
        self.page_size_max = settings.page_size_max if settings else _PAGE_SIZE_MAX

    def get(self, principal: Principal, group_id: int) -> RingGroup:
        group = self.repo.group(principal.require_tenant(), group_id)
        if group is None:
            raise NotFound(f"group {group_id} not found", code="group_not_found")
        return group

    def view(self, groups: list[RingGroup]) -> list[GroupOut]:
        members = self.repo.members([g.id for g in groups])
        return [
            GroupOut(
                id=g.id,
                number=g.number,
                name=g.name,
                strategy=g.strategy,
                timeout_s=g.timeout_s,
                members=[
                    GroupMemberOut(
                        extension_id=m.extension_id,
                        extension_number=m.number,
                        timeout_s=m.timeout_s,
                    )
                    for m in members.get(g.id, [])
                ],
                no_answer=NoAnswer(kind=g.no_answer_kind, value=g.no_answer_value),
                created_at=g.created_at,
                updated_at=g.updated_at,
            )
            for g in groups
        ]

    def list_groups(
        self, principal: Principal, *, after_id: int | None, limit: int
    ) -> list[GroupOut]:
        groups = self.repo.groups(principal.require_tenant(), after_id=after_id, limit=limit)
        return self.view(list(groups))

    def groups_page(self, principal: Principal, *, offset: int, limit: int) -> OffsetPage[GroupOut]:
        """A page of the tenant's groups by position in id order (the order of
        `list_groups`), and how many it has in all."""
        tenant_id = principal.require_tenant()
        check_window(offset, limit, self.page_size_max)
        groups, total = self.repo.groups_page(tenant_id, offset=offset, limit=limit)
        return OffsetPage[GroupOut](items=self.view(list(groups)), total=total)

    def create(self, principal: Principal, data: GroupCreate) -> GroupOut:
        tenant = self.repo.tenant(principal.require_tenant())
        group = RingGroup(
            tenant_id=tenant.id,
            number=self._number(tenant, data.number),
            name=data.name.strip(),
            strategy=data.strategy,
            timeout_s=data.timeout_s,
        )
        self._no_answer(group, data.no_answer)
        self.repo.add(group)
        self._members(group, data.members)
        out = self.view([group])[0]
        record_change(
            self.session,
            principal,
            "group.create",
            "group",
            group.id,
            before=None,
            after=_fields(out),
        )
        return out

    def update(self, principal: Principal, group_id: int, data: GroupUpdate) -> GroupOut:
        group = self.get(principal, group_id)
        before = _fields(self.view([group])[0])
        changes = data.model_dump(exclude_unset=True)
        if changes.get("name") is not None:
            group.name = changes["name"].strip()
        if changes.get("strategy") is not None:
            group.strategy = changes["strategy"]
        if changes.get("timeout_s") is not None:
            group.timeout_s = changes["timeout_s"]
        if data.no_answer is not None:
            self._no_answer(group, data.no_answer)
        if data.members is not None:
            self._members(group, data.members)
        self.session.flush()
        out = self.view([group])[0]
        record_change(
            self.session,
            principal,
            "group.update",
            "group",
            group.id,
            before=before,
            after=_fields(out),
        )
        return out

    def delete(self, principal: Principal, group_id: int) -> None:
        group = self.get(principal, group_id)
        TargetUsage(self.session).group(group)  # 409 in_use while calls route to it
        before = _fields(self.view([group])[0])
        self.repo.remove(group)
        record_change(
            self.session, principal, "group.delete", "group", group_id, before=before, after=None
        )

    # --- rules ----------------------------------------------------------------------

    def _number(self, tenant: Tenant, wanted: str | None) -> str:
        return claim_number(
            self.repo.dial_plan_numbers(tenant.id),
            tenant.extension_length,
            wanted,
            counting_down=True,
            taken_code="group_exists",
        )

    def _members(self, group: RingGroup, members: list[GroupMemberIn]) -> None:
        """Members must be this tenant's extensions, each once."""
        seen: set[int] = set()
        for member in members:
            if member.extension_id in seen:
                raise Invalid(f"extension {member.extension_id} is listed twice", field="members")
            seen.add(member.extension_id)
            if self.repo.extension(group.tenant_id, member.extension_id) is None:
                raise Invalid(
                    f"extension {member.extension_id} not found",
                    code="extension_not_found",
                    field="members",
                )
        self.repo.set_members(group.id, [(m.extension_id, m.timeout_s) for m in members])

    def _no_answer(self, group: RingGroup, target: NoAnswer) -> None:
        value = (target.value or "").strip() or None
        if target.kind == "hangup":
            value = None
        elif value is None:
            raise Invalid(f"no_answer of kind {target.kind} needs a value", field="no_answer")
        elif target.kind == "number":
            value = canonical_e164(value)
        elif target.kind == "extension" and not self.repo.extension_by_number(
            group.tenant_id, value
        ):
            raise Invalid(
                f"extension {value} not found", code="extension_not_found", field="no_answer"
            )
        elif target.kind == "group":
            other = self.repo.group_by_number(group.tenant_id, value)
            if other is None or other.number == group.number:
                raise Invalid(
                    f"group {value} not found (nor may a group fall back to itself)",
                    code="group_not_found",
                    field="no_answer",
                )
        group.no_answer_kind, group.no_answer_value = target.kind, value


def _fields(group: GroupOut) -> dict[str, Any]:
    return group.model_dump(mode="json", exclude={"id", "created_at", "updated_at"})
