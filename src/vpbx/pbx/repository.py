"""All SQL of the PBX. Every read is scoped by tenant: another tenant's row is None."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, delete, func, or_, select, update
from sqlalchemy.orm import Session

from vpbx.kit.rows import AnyRow
from vpbx.models import (
    Extension,
    ExtensionHotline,
    Number,
    NumberContactList,
    NumberForwarding,
    RingGroup,
    RingGroupMember,
    Tenant,
    User,
)
from vpbx.numbers.enums import NumberStatus


def _contains(keyword: str) -> str:
    """A LIKE pattern matching the keyword literally: '_' and '%' are not wildcards."""
    escaped = keyword.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class PbxRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, obj: User | Extension | ExtensionHotline | RingGroup) -> None:
        self.session.add(obj)
        self.session.flush()

    def remove(self, obj: User | Extension | RingGroup) -> None:
        self.session.delete(obj)
        self.session.flush()

    # --- tenant -------------------------------------------------------------------

    def tenant(self, tenant_id: int) -> Tenant:
        tenant = self.session.get(Tenant, tenant_id)
        assert tenant is not None, "principals only name existing tenants"
        return tenant

    def domain_taken(self, domain: str, tenant_id: int) -> bool:
        query = select(Tenant.id).where(Tenant.sip_domain == domain, Tenant.id != tenant_id)
        return self.session.scalar(query) is not None

    # --- users --------------------------------------------------------------------

    def user(self, tenant_id: int, user_id: int) -> User | None:
        return self.session.scalar(
            select(User).where(User.id == user_id, User.tenant_id == tenant_id)
        )

    def user_by_email(self, tenant_id: int, email: str) -> User | None:
        return self.session.scalar(
            select(User).where(User.tenant_id == tenant_id, User.email == email)
        )

    def users_by_ids(self, tenant_id: int, user_ids: Sequence[int]) -> Sequence[User]:
        if not user_ids:
            return []
        return self.session.scalars(
            select(User).where(User.tenant_id == tenant_id, User.id.in_(set(user_ids)))
        ).all()

    def users(
        self,
        tenant_id: int,
        *,
        keyword: str | None,
        after_id: int | None,
        limit: int,
        descending: bool = False,
    ) -> Sequence[User]:
        query = select(User).where(User.tenant_id == tenant_id)
        if keyword:
            pattern = _contains(keyword.lower())
            query = query.where(
                or_(
                    User.email.like(pattern, escape="\\"),
                    User.full_name.ilike(pattern, escape="\\"),
                )
            )
        if after_id is not None:  # descending walks down from after_id instead of up
            query = query.where(User.id < after_id if descending else User.id > after_id)
        order = User.id.desc() if descending else User.id
        return self.session.scalars(query.order_by(order).limit(limit)).all()

    # --- extensions ---------------------------------------------------------------

    def extension(self, tenant_id: int, extension_id: int) -> Extension | None:
        return self.session.scalar(
            select(Extension).where(Extension.id == extension_id, Extension.tenant_id == tenant_id)
        )

    def extension_numbers(self, tenant_id: int) -> set[str]:
        return set(
            self.session.scalars(select(Extension.number).where(Extension.tenant_id == tenant_id))
        )

    def extensions(
        self,
        tenant_id: int,
        *,
        keyword: str | None = None,
        enabled: bool | None = None,
        user_id: int | None = None,
        after_id: int | None = None,
        limit: int | None = None,
        offset: int | None = None,
        descending: bool = False,
    ) -> Sequence[Extension]:
        query = self._extensions_query(tenant_id, keyword, enabled, user_id)
        if after_id is not None:  # descending walks down from after_id instead of up
            query = query.where(Extension.id < after_id if descending else Extension.id > after_id)
        query = query.order_by(Extension.id.desc() if descending else Extension.id).offset(offset)
        return self.session.scalars(query if limit is None else query.limit(limit)).all()

    def count_extensions(self, tenant_id: int, *, keyword: str | None = None) -> int:
        query = self._extensions_query(tenant_id, keyword, None, None)
        return self.session.scalar(select(func.count()).select_from(query.subquery())) or 0

    def _extensions_query(
        self, tenant_id: int, keyword: str | None, enabled: bool | None, user_id: int | None
    ) -> Select[Extension]:
        query = select(Extension).where(Extension.tenant_id == tenant_id)
        if keyword:
            pattern = _contains(keyword)
            query = query.outerjoin(User, User.id == Extension.user_id).where(
                or_(
                    Extension.number.like(pattern, escape="\\"),
                    Extension.display_name.ilike(pattern, escape="\\"),
                    User.email.like(_contains(keyword.lower()), escape="\\"),
                    User.full_name.ilike(pattern, escape="\\"),
                )
            )
        if enabled is not None:
            query = query.where(Extension.enabled.is_(enabled))
        if user_id is not None:
            query = query.where(Extension.user_id == user_id)
        return query

    def hotlines(self, extension_ids: Sequence[int]) -> dict[int, list[str]]:
        if not extension_ids:
            return {}
        rows = self.session.execute(
            select(ExtensionHotline.extension_id, Number.e164)
            .join(Number, Number.id == ExtensionHotline.number_id)
            .where(ExtensionHotline.extension_id.in_(extension_ids))
            .order_by(Number.e164)
        ).all()
        found: dict[int, list[str]] = {}
        for extension_id, e164 in rows:
            found.setdefault(extension_id, []).append(e164)
        return found

    def set_hotlines(self, extension_id: int, number_ids: Sequence[int]) -> None:
        self.session.execute(
            delete(ExtensionHotline).where(ExtensionHotline.extension_id == extension_id)
        )
        for number_id in number_ids:
            self.session.add(ExtensionHotline(extension_id=extension_id, number_id=number_id))
        self.session.flush()

    def e164_of(self, number_ids: Sequence[int]) -> dict[int, str]:
        if not number_ids:
            return {}
        rows = self.session.execute(
            select(Number.id, Number.e164).where(Number.id.in_(number_ids))
        ).all()
        return {row.id: row.e164 for row in rows}

    def presenting(self, tenant_id: int, number_ids: Sequence[int]) -> dict[int, list[Extension]]:
        """number id -> the tenant's extensions presenting it as caller ID, in id order."""
        if not number_ids:
            return {}
        rows = self.session.scalars(
            select(Extension)
            .where(
                Extension.tenant_id == tenant_id,
                Extension.caller_id_number_id.in_(list(number_ids)),
            )
            .order_by(Extension.id)
        )
        found: dict[int, list[Extension]] = {}
        for extension in rows:
            found.setdefault(extension.caller_id_number_id or 0, []).append(extension)
        return found

    def active_numbers(self, tenant_id: int) -> list[str]:
        """The E.164 of every number the tenant owns now."""
        query = select(Number.e164).where(
            Number.tenant_id == tenant_id, Number.status == NumberStatus.ACTIVE
        )
        return list(self.session.scalars(query.order_by(Number.e164)))

    def owned_number(self, tenant_id: int, e164: str) -> Number | None:
        """A number the tenant owns now: the only kind an extension may present."""
        return self.session.scalar(
            select(Number).where(
                Number.e164 == e164,
                Number.tenant_id == tenant_id,
                Number.status == NumberStatus.ACTIVE,
            )
        )

    # --- ring groups --------------------------------------------------------------

    def group(self, tenant_id: int, group_id: int) -> RingGroup | None:
        return self.session.scalar(
            select(RingGroup).where(RingGroup.id == group_id, RingGroup.tenant_id == tenant_id)
        )

    def group_by_number(self, tenant_id: int, number: str) -> RingGroup | None:
        return self.session.scalar(
            select(RingGroup).where(RingGroup.tenant_id == tenant_id, RingGroup.number == number)
        )

    def groups(self, tenant_id: int, *, after_id: int | None, limit: int) -> Sequence[RingGroup]:
        query = select(RingGroup).where(RingGroup.tenant_id == tenant_id)
        if after_id is not None:
            query = query.where(RingGroup.id > after_id)
        return self.session.scalars(query.order_by(RingGroup.id).limit(limit)).all()

    def groups_page(
        self, tenant_id: int, *, offset: int, limit: int
    ) -> tuple[Sequence[RingGroup], int]:
        """A page of the tenant's groups by position in id order, the order of `groups`,
        and how many it has in all."""
        query = select(RingGroup).where(RingGroup.tenant_id == tenant_id)
        rows = self.session.scalars(query.order_by(RingGroup.id).offset(offset).limit(limit)).all()
        total = self.session.scalar(select(func.count()).select_from(query.subquery()))
        return rows, total or 0

    def dial_plan_numbers(self, tenant_id: int) -> set[str]:
        """Every number taken in the tenant's dial plan: extensions and groups alike."""
        groups = self.session.scalars(
            select(RingGroup.number).where(RingGroup.tenant_id == tenant_id)
        )
        return self.extension_numbers(tenant_id) | set(groups)

    def extension_by_number(self, tenant_id: int, number: str) -> Extension | None:
        return self.session.scalar(
            select(Extension).where(Extension.tenant_id == tenant_id, Extension.number == number)
        )

    def members(self, group_ids: Sequence[int]) -> dict[int, list[AnyRow]]:
        if not group_ids:
            return {}
        rows = self.session.execute(
            select(
                RingGroupMember.group_id,
                RingGroupMember.extension_id,
                RingGroupMember.timeout_s,
                Extension.number,
            )
            .join(Extension, Extension.id == RingGroupMember.extension_id)
            .where(RingGroupMember.group_id.in_(group_ids))
            .order_by(RingGroupMember.group_id, RingGroupMember.position)
        ).all()
        found: dict[int, list[AnyRow]] = {}
        for row in rows:
            found.setdefault(row.group_id, []).append(row)
        return found

    def set_members(self, group_id: int, members: Sequence[tuple[int, int]]) -> None:
        """(extension id, timeout) in ring order."""
        self.session.execute(delete(RingGroupMember).where(RingGroupMember.group_id == group_id))
        for position, (extension_id, timeout_s) in enumerate(members):
            self.session.add(
                RingGroupMember(
                    group_id=group_id,
                    extension_id=extension_id,
                    position=position,
                    timeout_s=timeout_s,
                )
            )
        self.session.flush()

    def forget_number(self, number_id: int) -> None:
        """A number the tenant gave up keeps nothing of its PBX: it is no extension's caller
        ID nor outbound line, and its forwarding and contact lists go, so the next owner
        starts clean."""
        self.session.execute(
            update(Extension)
            .where(Extension.caller_id_number_id == number_id)
            .values(caller_id_number_id=None)
        )
        self.session.execute(
            delete(ExtensionHotline).where(ExtensionHotline.number_id == number_id)
        )
        self.session.execute(
            delete(NumberForwarding).where(NumberForwarding.number_id == number_id)
        )
        self.session.execute(
            delete(NumberContactList).where(NumberContactList.number_id == number_id)
        )
