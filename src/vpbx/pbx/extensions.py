"""Extensions (SIP accounts) and the tenant's PBX settings. Never commits.

The plaintext password exists only while a request runs: it is turned into the digest
hashes and sealed with the instance key, and shown to the owning tenant on creation,
on rotation and when the tenant asks for it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from vpbx.audit.service import record_change
from vpbx.config import Settings
from vpbx.crypto import secret_box
from vpbx.errors import Conflict, Invalid, NotFound
from vpbx.kit.pages import OffsetPage, check_window
from vpbx.models import Extension, Tenant
from vpbx.numbers.service import canonical_e164
from vpbx.pbx.forwarding import TargetUsage
from vpbx.pbx.repository import PbxRepository
from vpbx.pbx.schemas import (
    ExtensionCreate,
    ExtensionOut,
    ExtensionUpdate,
    ExtensionWithPassword,
    PbxSettings,
    PbxSettingsUpdate,
    SipAccount,
)
from vpbx.pbx.sip import (
    check_password,
    claim_number,
    digest_hashes,
    generate_password,
    normalize_domain,
)
from vpbx.sip.notifier import drop_registrations_after_commit, forget_credentials_after_commit
from vpbx.tenancy.principal import Principal

_PROXY_SCHEMES = ("wss://", "ws://", "sip:", "sips:")


def _context(extension: Extension) -> str:
    # Tenant and number never change for a row, so a sealed password cannot be moved.
    return f"extension:{extension.tenant_id}:{extension.number}"


class ExtensionService:
    def __init__(self, session: Session, settings: Settings) -> None:
        self.session = session
        self.settings = settings
        self.repo = PbxRepository(session)
        self.box = secret_box(settings)

    # --- PBX settings -------------------------------------------------------------

    def pbx_settings(self, principal: Principal) -> PbxSettings:
        tenant = self.repo.tenant(principal.require_tenant())
        return PbxSettings(
            sip_domain=tenant.sip_domain,
            outbound_proxy=tenant.outbound_proxy or self.settings.outbound_proxy,
            extension_length=tenant.extension_length,
        )

    def update_pbx_settings(self, principal: Principal, data: PbxSettingsUpdate) -> PbxSettings:
        tenant = self.repo.tenant(principal.require_tenant())
        before = self.pbx_settings(principal).model_dump()
        changes = data.model_dump(exclude_unset=True)
        if changes.get("sip_domain") is not None:
            self._rename_domain(tenant, normalize_domain(changes["sip_domain"]))
        if "outbound_proxy" in changes:
            tenant.outbound_proxy = _proxy(changes["outbound_proxy"])
        if changes.get("extension_length") is not None:
            tenant.extension_length = changes["extension_length"]
        self.session.flush()
        after = self.pbx_settings(principal)
        record_change(
            self.session, principal, "pbx.update", "tenant", tenant.id, before, after.model_dump()
        )
        return after

    def _rename_domain(self, tenant: Tenant, domain: str) -> None:
        """The domain is the digest realm: every extension's hashes follow it."""
        if domain == tenant.sip_domain:
            return
        if self.repo.domain_taken(domain, tenant.id):
            raise Conflict(
                f"the SIP domain {domain} is taken", code="domain_taken", field="sip_domain"
            )
        old_domain, tenant.sip_domain = tenant.sip_domain, domain
        extensions = list(self.repo.extensions(tenant.id))
        drop_registrations_after_commit(
            self.session, [f"{e.number}@{old_domain}" for e in extensions]
        )
        for extension in extensions:
            password = self.box.open(extension.password_sealed, context=_context(extension))
            extension.ha1, extension.ha1b = digest_hashes(extension.number, domain, password)

    # --- reads --------------------------------------------------------------------

    def get(self, principal: Principal, extension_id: int) -> Extension:
        extension = self.repo.extension(principal.require_tenant(), extension_id)
        if extension is None:
            raise NotFound(f"extension {extension_id} not found", code="extension_not_found")
        return extension

    def view(self, principal: Principal, extensions: Sequence[Extension]) -> list[ExtensionOut]:
        settings = self.pbx_settings(principal)
        hotlines = self.repo.hotlines([e.id for e in extensions])
        caller_ids = self.repo.e164_of(
            [e.caller_id_number_id for e in extensions if e.caller_id_number_id]
        )
        return [
            ExtensionOut(
                id=e.id,
                number=e.number,
                display_name=e.display_name,
                user_id=e.user_id,
                enabled=e.enabled,
                expires_at=e.expires_at,
                caller_id_hotline=caller_ids.get(e.caller_id_number_id or 0),
                outbound_hotlines=hotlines.get(e.id, []),
                sip=SipAccount(
                    username=e.number,
                    domain=settings.sip_domain,
                    outbound_proxy=settings.outbound_proxy,
                ),
                created_at=e.created_at,
                updated_at=e.updated_at,
            )
            for e in extensions
        ]

    def get_by_number(self, principal: Principal, number: str) -> Extension:
        extension = self.repo.extension_by_number(principal.require_tenant(), number)
        if extension is None:
            raise NotFound(f"extension {number} not found", code="extension_not_found")
        return extension

    def directory(
        self, principal: Principal, *, keyword: str | None, offset: int, limit: int
    ) -> tuple[list[ExtensionWithPassword], int]:
        """A page of extensions by position with their SIP passwords, and how many match.

        For documented faces that hand softphone credentials to the owning tenant
        (OMICall's extension list); `keyword` matches number, name and the user's email.
        """
        tenant_id = principal.require_tenant()
        rows = self.repo.extensions(tenant_id, keyword=keyword, offset=offset, limit=limit)
        total = self.repo.count_extensions(tenant_id, keyword=keyword)
        return [
            ExtensionWithPassword(
                **view.model_dump(),
                password=self.box.open(row.password_sealed, context=_context(row)),
            )
            for view, row in zip(self.view(principal, rows), rows, strict=True)
        ], total

    def page_with_passwords(
        self,
        principal: Principal,
        *,
        after_id: int | None,
        limit: int,
        descending: bool = False,
    ) -> list[ExtensionWithPassword]:
        """A keyset page of extensions (id order, or down from `after_id` when
        `descending`) with their SIP passwords, for documented faces that hand softphone
        credentials to the owning tenant (eTelecom's extension list)."""
        rows = self.repo.extensions(
            principal.require_tenant(), after_id=after_id, limit=limit, descending=descending
        )
        return [
            ExtensionWithPassword(
                **view.model_dump(),
                password=self.box.open(row.password_sealed, context=_context(row)),
            )
            for view, row in zip(self.view(principal, rows), rows, strict=True)
        ]

    def callable_hotlines(self, principal: Principal, number: str | None) -> list[str]:
        """The tenant numbers an extension may call out on (E.164): its outbound_hotlines
        when it has some, else every number the tenant owns (no restriction set). Without
        an extension: every number the tenant owns."""
        tenant_id = principal.require_tenant()
        if number is not None:
            extension = self.get_by_number(principal, number)
            allowed = self.repo.hotlines([extension.id]).get(extension.id, [])
            if allowed:
                return allowed
        return self.repo.active_numbers(tenant_id)

    def presenting(
        self, principal: Principal, number_ids: Sequence[int]
    ) -> dict[int, list[Extension]]:
        """The extensions presenting each of these numbers as caller ID, by number id, in
        one query (faces that list a page of numbers, e.g. Plusofon's aon_for_sips)."""
        return self.repo.presenting(principal.require_tenant(), number_ids)

    def list(
        self,
        principal: Principal,
        *,
        keyword: str | None = None,
        enabled: bool | None = None,
        user_id: int | None = None,
        after_id: int | None = None,
        limit: int = 50,
    ) -> list[ExtensionOut]:
        rows = self.repo.extensions(
            principal.require_tenant(),
            keyword=keyword,
            enabled=enabled,
            user_id=user_id,
            after_id=after_id,
            limit=limit,
        )
        return self.view(principal, rows)

    def page(self, principal: Principal, *, offset: int, limit: int) -> OffsetPage[ExtensionOut]:
        """A page of the tenant's extensions by position in id order (the order of `list`),
        and how many it has in all; the views of the page are read together."""
        tenant_id = principal.require_tenant()
        check_window(offset, limit, self.settings.page_size_max)
        rows = self.repo.extensions(tenant_id, offset=offset, limit=limit)
        total = self.repo.count_extensions(tenant_id)
        return OffsetPage[ExtensionOut](items=self.view(principal, rows), total=total)

    def reveal(self, principal: Principal, extension_id: int) -> ExtensionWithPassword:
        extension = self.get(principal, extension_id)
        password = self.box.open(extension.password_sealed, context=_context(extension))
        return self._with_password(principal, extension, password)

    # --- changes ------------------------------------------------------------------

    def create(self, principal: Principal, data: ExtensionCreate) -> ExtensionWithPassword:
        tenant = self.repo.tenant(principal.require_tenant())
        number = self._number(tenant, data.number)
        password = (
            check_password(data.password, number)
            if data.password is not None
            else generate_password()
        )
        extension = Extension(
            tenant_id=tenant.id,
            number=number,
            display_name=data.display_name,
            enabled=data.enabled,
            ha1="",
            ha1b="",
            password_sealed="",
        )
        self._set_password(extension, tenant.sip_domain, password)
        extension.user_id = self._user(tenant.id, data.user_id)
        extension.expires_at = _aware(data.expires_at)
        self.repo.add(extension)
        self._set_hotlines(extension, data.caller_id_hotline, data.outbound_hotlines)
        record_change(
            self.session,
            principal,
            "extension.create",
            "extension",
            extension.id,
            None,
            self._fields(principal, extension),
        )
        return self._with_password(principal, extension, password)

    def update(
        self, principal: Principal, extension_id: int, data: ExtensionUpdate
    ) -> ExtensionOut:
        extension = self.get(principal, extension_id)
        before = self._fields(principal, extension)
        changes = data.model_dump(exclude_unset=True)
        if changes.get("display_name") is not None:
            extension.display_name = changes["display_name"]
        if changes.get("enabled") is not None:
            extension.enabled = changes["enabled"]
        if "user_id" in changes:
            extension.user_id = self._user(extension.tenant_id, changes["user_id"])
        if "expires_at" in changes:
            extension.expires_at = _aware(changes["expires_at"])
        if "caller_id_hotline" in changes or changes.get("outbound_hotlines") is not None:
            caller_id = (
                changes["caller_id_hotline"]
                if "caller_id_hotline" in changes
                else before["caller_id_hotline"]
            )
            outbound = changes.get("outbound_hotlines")
            self._set_hotlines(
                extension, caller_id, before["outbound_hotlines"] if outbound is None else outbound
            )
        self.session.flush()
        after = self._fields(principal, extension)
        if not extension.enabled or _expired(extension.expires_at):
            self._drop_registrations(principal, extension)
        elif "expires_at" in changes:  # the SIP server caches the expiry with the hash
            domain = self.pbx_settings(principal).sip_domain
            forget_credentials_after_commit(self.session, [f"{extension.number}@{domain}"])
        record_change(
            self.session, principal, "extension.update", "extension", extension.id, before, after
        )
        return self.view(principal, [extension])[0]

    def rotate_password(
        self, principal: Principal, extension_id: int, password: str | None
    ) -> ExtensionWithPassword:
        extension = self.get(principal, extension_id)
        fresh = (
            check_password(password, extension.number)
            if password is not None
            else generate_password()
        )
        self._set_password(extension, self.pbx_settings(principal).sip_domain, fresh)
        self.session.flush()
        # Phones holding the old password must register again with the new one.
        self._drop_registrations(principal, extension)
        # The audit says that it changed, never what it became.
        record_change(
            self.session,
            principal,
            "extension.password",
            "extension",
            extension.id,
            None,
            {"password": "rotated"},
        )
        return self._with_password(principal, extension, fresh)

    def delete(self, principal: Principal, extension_id: int) -> None:
        extension = self.get(principal, extension_id)
        TargetUsage(self.session).extension(extension)  # 409 in_use while calls route to it
        before = self._fields(principal, extension)
        self._drop_registrations(principal, extension)
        self.repo.remove(extension)
        record_change(
            self.session, principal, "extension.delete", "extension", extension_id, before, None
        )

    # --- helpers ------------------------------------------------------------------

    def _number(self, tenant: Tenant, wanted: str | None) -> str:
        return claim_number(
            self.repo.dial_plan_numbers(tenant.id),
            tenant.extension_length,
            wanted,
            counting_down=False,
            taken_code="extension_exists",
        )

    def _drop_registrations(self, principal: Principal, extension: Extension) -> None:
        """After the commit, the SIP server forgets this account's live bindings."""
        domain = self.pbx_settings(principal).sip_domain
        drop_registrations_after_commit(self.session, [f"{extension.number}@{domain}"])

    def _set_password(self, extension: Extension, domain: str, password: str) -> None:
        extension.ha1, extension.ha1b = digest_hashes(extension.number, domain, password)
        extension.password_sealed = self.box.seal(password, context=_context(extension))

    def _user(self, tenant_id: int, user_id: int | None) -> int | None:
        if user_id is not None and self.repo.user(tenant_id, user_id) is None:
            raise Invalid(f"user {user_id} not found", code="user_not_found", field="user_id")
        return user_id

    def _set_hotlines(
        self, extension: Extension, caller_id: str | None, outbound: Sequence[str]
    ) -> None:
        """Both must be numbers this tenant owns; the caller ID must be one it may use."""
        numbers = {
            e164: self._owned(extension.tenant_id, e164, "outbound_hotlines")
            for e164 in {canonical_e164(text) for text in outbound}
        }
        if caller_id is not None:
            e164 = canonical_e164(caller_id)
            if numbers and e164 not in numbers:
                raise Invalid(
                    f"the caller-ID hotline {e164} is not among outbound_hotlines",
                    field="caller_id_hotline",
                )
            extension.caller_id_number_id = self._owned(
                extension.tenant_id, e164, "caller_id_hotline"
            )
        else:
            extension.caller_id_number_id = None
        self.repo.set_hotlines(extension.id, sorted(numbers.values()))

    def _owned(self, tenant_id: int, e164: str, field: str) -> int:
        number = self.repo.owned_number(tenant_id, e164)
        if number is None:
            raise Invalid(
                f"{e164} is not a number of this tenant", code="hotline_not_owned", field=field
            )
        return number.id

    def _with_password(
        self, principal: Principal, extension: Extension, password: str
    ) -> ExtensionWithPassword:
        view = self.view(principal, [extension])[0]
        return ExtensionWithPassword(**view.model_dump(), password=password)

    def _fields(self, principal: Principal, extension: Extension) -> dict[str, Any]:
        view = self.view(principal, [extension])[0]
        return view.model_dump(
            mode="json",
            include={
                "number",
                "display_name",
                "user_id",
                "enabled",
                "expires_at",
                "caller_id_hotline",
                "outbound_hotlines",
            },
        )


def _expired(moment: datetime | None) -> bool:
    return moment is not None and moment <= datetime.now(UTC)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise Invalid("expires_at needs a time zone offset (RFC 3339)", field="expires_at")
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise Invalid("expires_at is out of range", field="expires_at") from None


def _proxy(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None  # back to the instance default
    value = value.strip()
    scheme = next((s for s in _PROXY_SCHEMES if value.startswith(s)), None)
    host = value[len(scheme) :] if scheme else ""
    # A host name or an IPv6 literal; no spaces, control or quoting characters.
    if (
        not host
        or not (host[0].isalnum() or host[0] == "[")
        or any(ch.isspace() or ch in '<>"' or unicodedata.category(ch) == "Cc" for ch in value)
    ):
        raise Invalid(
            "outbound_proxy must be a wss://, ws://, sip: or sips: address", field="outbound_proxy"
        )
    return value
