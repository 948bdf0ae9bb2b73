"""The tenant's people. Never commits; every object is found through its tenant."""

from __future__ import annotations

from typing import Any

import phonenumbers
from sqlalchemy.orm import Session

from vpbx.audit.service import record_change
from vpbx.errors import Conflict, Invalid, NotFound
from vpbx.models import User
from vpbx.numbers.phone import to_phone_number
from vpbx.pbx.repository import PbxRepository
from vpbx.pbx.schemas import UserCreate, UserOut, UserUpdate
from vpbx.tenancy.principal import Principal
from vpbx.tenancy.service import clean_email, clean_name


def user_fields(user: User) -> dict[str, Any]:
    return {
        "full_name": user.full_name,
        "email": user.email,
        "phone": user.phone,
        "role": user.role,
        "enabled": user.enabled,
    }


def clean_phone(phone: str | None) -> str | None:
    if phone is None or not phone.strip():
        return None
    try:
        number = to_phone_number(phone)
    except Invalid as exc:
        raise Invalid(exc.message, field="phone") from None
    if not phonenumbers.is_valid_number(number):
        raise Invalid(
            f"{phone!r} is not a valid phone number (use E.164, e.g. +84912345678)", field="phone"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _required_email(text: str) -> str:
    email = clean_email(text)
    if email is None:
        raise Invalid("email must not be blank", field="email")
    return email


def _full_name(text: str) -> str:
    try:
        return clean_name(text)
    except Invalid as exc:
        raise Invalid(exc.message.replace("name", "full_name", 1), field="full_name") from None


class UserService:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.repo = PbxRepository(session)

    def get(self, principal: Principal, user_id: int) -> User:
        user = self.repo.user(principal.require_tenant(), user_id)
        if user is None:
            raise NotFound(f"user {user_id} not found", code="user_not_found")
        return user

    def by_ids(self, principal: Principal, user_ids: list[int]) -> dict[int, UserOut]:
        """The tenant's users among these ids (another tenant's ids are simply absent)."""
        rows = self.repo.users_by_ids(principal.require_tenant(), user_ids)
        return {u.id: UserOut.model_validate(u) for u in rows}

    def by_email(self, principal: Principal, email: str) -> UserOut | None:
        cleaned = clean_email(email)
        user = self.repo.user_by_email(principal.require_tenant(), cleaned) if cleaned else None
        return UserOut.model_validate(user) if user is not None else None

    def list(
        self,
        principal: Principal,
        *,
        keyword: str | None,
        after_id: int | None,
        limit: int,
        descending: bool = False,
    ) -> list[UserOut]:
        rows = self.repo.users(
            principal.require_tenant(),
            keyword=keyword,
            after_id=after_id,
            limit=limit,
            descending=descending,
        )
        return [UserOut.model_validate(u) for u in rows]

    def create(self, principal: Principal, data: UserCreate) -> User:
        tenant_id = principal.require_tenant()
        email = _required_email(data.email)
        self._email_free(tenant_id, email)
        user = User(
            tenant_id=tenant_id,
            full_name=_full_name(data.full_name),
            email=email,
            phone=clean_phone(data.phone),
            role=data.role,
            enabled=data.enabled,
        )
        self.repo.add(user)
        record_change(
            self.session,
            principal,
            "user.create",
            "user",
            user.id,
            before=None,
            after=user_fields(user),
        )
        return user

    def update(self, principal: Principal, user_id: int, data: UserUpdate) -> User:
        user = self.get(principal, user_id)
        before = user_fields(user)
        changes = data.model_dump(exclude_unset=True)
        if changes.get("email") is not None:
            email = _required_email(changes["email"])
            if email != user.email:
                self._email_free(user.tenant_id, email)
            user.email = email
        if changes.get("full_name") is not None:
            user.full_name = _full_name(changes["full_name"])
        if "phone" in changes:
            user.phone = clean_phone(changes["phone"])
        if changes.get("role") is not None:
            user.role = changes["role"]
        if changes.get("enabled") is not None:
            user.enabled = changes["enabled"]
        self.session.flush()
        record_change(
            self.session,
            principal,
            "user.update",
            "user",
            user.id,
            before=before,
            after=user_fields(user),
        )
        return user

    def delete(self, principal: Principal, user_id: int) -> None:
        """Delete a person; their extensions stay, without a user."""
        user = self.get(principal, user_id)
        before = user_fields(user)
        self.repo.remove(user)
        record_change(
            self.session, principal, "user.delete", "user", user.id, before=before, after=None
        )

    def _email_free(self, tenant_id: int, email: str) -> None:
        if self.repo.user_by_email(tenant_id, email) is not None:
            raise Conflict(f"a user with email {email} exists", code="user_exists", field="email")
