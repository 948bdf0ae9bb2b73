"""Telling the SIP server about changes it cannot see in the database.

Kamailio keeps three things in its memory instead of reading them on each request:
registrations (usrloc), the trunk source addresses (permissions cache) and the account
credentials (a cache of each account's ha1 and expiry, filled from the accounts view on
first use). So after a change commits, vpbx tells it:

- an account's credentials or right to authenticate changed (new password, disabled,
  deleted, expiry moved, SIP domain renamed): its cached credentials are forgotten —
  then, if it lost its right to be registered, its bindings are dropped (in that order,
  so a phone registering again at once is checked against the database);
- a tenant's status changed (suspended, activated, deleted): the whole credential cache
  is emptied (one command, whatever the tenant's size; every account is read once more);
- a trunk's sources changed: the address cache is reloaded.
A new extension needs nothing: unknown accounts are never cached.

These run *after the commit* (a session event), never inside the transaction: a
rolled-back change must not touch anything, and a SIP server that is down must not fail
an API request (failures are logged, never raised). If a notification is lost
(Kamailio unreachable or too slow to answer), the database stays the authority, and
the damage is bounded in time:
- forgotten credentials: the old ones stay usable until their cache entry expires, at
  most `credential_cache_s` seconds (VPBX_SIP_CREDENTIAL_CACHE_S, 300 by default) after
  Kamailio last read them; an extension's `expires_at` is enforced by Kamailio itself;
  a Kamailio restart starts with an empty cache;
- dropped bindings: the binding receives no call (vpbx's route decision refuses a
  disabled or expired extension) and expires within `max_expires` seconds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session

from vpbx.sip.control import ControlError, KamailioControl, Registration
from vpbx.sip.settings import SipSettings, get_sip_settings

log = logging.getLogger("vpbx.sip")
_PENDING = "vpbx_sip_after_commit"


class SipNotifier(Protocol):
    def drop_registrations(self, aors: Sequence[str]) -> None: ...

    def forget_credentials(self, aors: Sequence[str]) -> None: ...

    def forget_all_credentials(self) -> None: ...

    def reload_trunks(self) -> None: ...

    def registrations(self, aor: str) -> list[Registration] | None:
        """The live bindings of `aor`; None when no SIP server is configured."""
        ...


class NullNotifier:
    """No SIP server configured: nothing to tell, nothing known."""

    def drop_registrations(self, aors: Sequence[str]) -> None:
        return None

    def forget_credentials(self, aors: Sequence[str]) -> None:
        return None

    def forget_all_credentials(self) -> None:
        return None

    def reload_trunks(self) -> None:
        return None

    def registrations(self, aor: str) -> list[Registration] | None:
        return None


@dataclass
class RecordingNotifier:
    """A test double: remembers what it was told, answers from `bindings`."""

    dropped: list[str] = field(default_factory=list)
    forgotten: list[str] = field(default_factory=list)
    flushes: int = 0
    reloads: int = 0
    bindings: dict[str, list[Registration]] = field(default_factory=dict)

    def drop_registrations(self, aors: Sequence[str]) -> None:
        self.dropped.extend(aors)

    def forget_credentials(self, aors: Sequence[str]) -> None:
        self.forgotten.extend(aors)

    def forget_all_credentials(self) -> None:
        self.flushes += 1

    def reload_trunks(self) -> None:
        self.reloads += 1

    def registrations(self, aor: str) -> list[Registration] | None:
        return list(self.bindings.get(aor, []))


class KamailioNotifier:
    """The real one: Kamailio's JSON-RPC socket. Drops and reloads never raise (they
    run after the commit, see the module docstring); reads raise ControlError."""

    def __init__(self, control: KamailioControl) -> None:
        self.control = control

    def drop_registrations(self, aors: Sequence[str]) -> None:
        for aor in aors:
            try:
                self.control.drop_registrations(aor)
            except ControlError as exc:
                log.warning("could not drop the registrations of %s: %s", aor, exc)

    def forget_credentials(self, aors: Sequence[str]) -> None:
        for index, aor in enumerate(aors):
            try:
                self.control.forget_credentials(aor)
            except ControlError as exc:  # unreachable: do not wait again for each one
                log.warning(
                    "could not invalidate the cached credentials of %s: %s (they stay "
                    "usable until their cache entry expires)",
                    ", ".join(aors[index:]),
                    exc,
                )
                return

    def forget_all_credentials(self) -> None:
        try:
            self.control.forget_all_credentials()
        except ControlError as exc:
            log.warning(
                "could not empty the credential cache: %s (entries stay usable until they expire)",
                exc,
            )

    def reload_trunks(self) -> None:
        try:
            self.control.reload_trunks()
        except ControlError as exc:
            log.warning("could not reload the trunk addresses: %s", exc)

    def registrations(self, aor: str) -> list[Registration] | None:
        return self.control.registrations(aor)


_override: SipNotifier | None = None


def notifier_for(sip: SipSettings) -> SipNotifier:
    if sip.control_socket is None:
        return NullNotifier()
    return KamailioNotifier(KamailioControl(sip.control_socket, sip.rpc_timeout_s))


def current_notifier() -> SipNotifier:
    return _override if _override is not None else notifier_for(get_sip_settings())


@contextmanager
def use_notifier(notifier: SipNotifier) -> Iterator[SipNotifier]:
    """Use `notifier` instead of the configured one (tests, tools)."""
    global _override
    previous, _override = _override, notifier
    try:
        yield notifier
    finally:
        _override = previous


def after_commit(session: Session, action: Callable[[], None]) -> None:
    """Run `action` once the session's transaction commits; forget it on rollback."""
    pending: list[Callable[[], None]] | None = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = []
        event.listen(session, "after_commit", _run_pending)
        event.listen(session, "after_rollback", _forget_pending)
    pending.append(action)


def _run_pending(session: Session) -> None:
    actions = session.info.get(_PENDING) or []
    session.info[_PENDING] = []
    for action in actions:
        try:
            action()
        except Exception:  # the change is committed: report, never undo or fail it
            log.exception("a SIP server notification failed")


def _forget_pending(session: Session) -> None:
    session.info[_PENDING] = []


def drop_registrations_after_commit(session: Session, aors: Sequence[str]) -> None:
    """The accounts `aors` (user@domain) lost their right to be registered (or their
    password): their cached credentials go first, then their bindings."""
    if aors:
        wanted = list(aors)
        after_commit(session, lambda: _revoke(current_notifier(), wanted))


def _revoke(notifier: SipNotifier, aors: list[str]) -> None:
    notifier.forget_credentials(aors)
    notifier.drop_registrations(aors)


def forget_credentials_after_commit(session: Session, aors: Sequence[str]) -> None:
    """What the accounts `aors` may authenticate with changed (e.g. a new expiry), but
    their live bindings stay."""
    if aors:
        wanted = list(aors)
        after_commit(session, lambda: current_notifier().forget_credentials(wanted))


def forget_all_credentials_after_commit(session: Session) -> None:
    """A tenant's status changed: who may authenticate changed for a whole domain."""
    after_commit(session, lambda: current_notifier().forget_all_credentials())


def suspend_accounts_after_commit(session: Session, aors: Sequence[str]) -> None:
    """A tenant was suspended: its cached credentials go (one command, whatever the
    tenant's size), then the live bindings of its accounts `aors`."""
    wanted = list(aors)
    after_commit(session, lambda: _suspend(current_notifier(), wanted))


def _suspend(notifier: SipNotifier, aors: list[str]) -> None:
    notifier.forget_all_credentials()
    if aors:
        notifier.drop_registrations(aors)


def reload_trunks_after_commit(session: Session) -> None:
    after_commit(session, lambda: current_notifier().reload_trunks())
