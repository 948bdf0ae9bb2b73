"""Who is registered now: asked of the SIP server (its registrations are in memory)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from vpbx.config import Settings
from vpbx.errors import Unavailable
from vpbx.models import Extension
from vpbx.pbx.extensions import ExtensionService
from vpbx.sip.control import ControlError
from vpbx.sip.notifier import SipNotifier, current_notifier
from vpbx.sip.schemas import RegistrationOut, Registrations
from vpbx.tenancy.principal import Principal


class RegistrationService:
    def __init__(
        self, session: Session, settings: Settings, notifier: SipNotifier | None = None
    ) -> None:
        self.extensions = ExtensionService(session, settings)
        self.notifier = notifier or current_notifier()

    def for_extension(self, principal: Principal, extension_id: int) -> Registrations:
        extension = self.extensions.get(principal, extension_id)
        aor = self._aor(principal, extension)
        found = self._lookup(aor)
        return Registrations(
            extension_id=extension.id,
            aor=aor,
            sip_server="not_configured" if found is None else "kamailio",
            items=found or [],
        )

    def live(
        self, principal: Principal, extensions: Sequence[tuple[int, str]]
    ) -> dict[int, list[RegistrationOut]] | None:
        """Extension id → its live bindings, for listings of (id, number); None when no
        SIP server is configured or it does not answer (a listing still shows)."""
        domain = self.extensions.pbx_settings(principal).sip_domain
        counts: dict[int, list[RegistrationOut]] = {}
        for extension_id, number in extensions:
            try:
                found = self._lookup(f"{number}@{domain}")
            except Unavailable:
                return None
            if found is None:
                return None
            counts[extension_id] = found
        return counts

    def _aor(self, principal: Principal, extension: Extension) -> str:
        return f"{extension.number}@{self.extensions.pbx_settings(principal).sip_domain}"

    def _lookup(self, aor: str) -> list[RegistrationOut] | None:
        try:
            found = self.notifier.registrations(aor)
        except ControlError as exc:
            raise Unavailable(
                f"the SIP server did not answer: {exc}", code="sip_server_unavailable"
            ) from None
        if found is None:
            return None
        return [
            RegistrationOut(
                contact=r.contact,
                received=r.received,
                expires_at=r.expires_at,
                user_agent=r.user_agent,
                transport=r.transport,
            )
            for r in found
        ]


def summary(bindings: Sequence[RegistrationOut]) -> str:
    """One line for a listing: where the first binding registered from, until when."""
    if not bindings:
        return ""
    first = bindings[0]
    source = first.received or first.contact.partition("@")[2].partition(";")[0]
    until = f" until {first.expires_at:%H:%M:%SZ}" if first.expires_at else ""
    more = f" (+{len(bindings) - 1})" if len(bindings) > 1 else ""
    return f"{first.transport} {source}{until}{more}".strip()
