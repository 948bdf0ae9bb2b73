"""Telling the SIP server about changes it cannot see in the database.

Kamailio reads accounts and trunk addresses from vpbx's views, so most changes count on
the next request by themselves. Two things live in its memory instead: registrations
(usrloc) and the trunk source addresses (permissions cache). When an extension is
disabled, expired, deleted or given a new password, its bindings are dropped; when a
trunk's sources change, the cache is reloaded.

These run *after the commit* (a session event), never inside the transaction: a
rolled-back change must not drop anything, and a SIP server that is down must not fail
an API request. If a drop is lost (Kamailio unreachable), nothing is wrong for long:
the database stays the authority — the binding cannot re-register or place a call
(auth reads the view) and receives no call (vpbx's route decision refuses a disabled
or expired extension) — and it expires within `max_expires` seconds.
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

    def reload_trunks(self) -> None: ...

    def registrations(self, aor: str) -> list[Registration] | None:
        """The live bindings of `aor`; None when no SIP server is configured."""
        ...


class NullNotifier:
    """No SIP server configured: nothing to tell, nothing known."""

    def drop_registrations(self, aors: Sequence[str]) -> None:
        return None

    def reload_trunks(self) -> None:
        return None

    def registrations(self, aor: str) -> list[Registration] | None:
        return None


@dataclass
class RecordingNotifier:
    """A test double: remembers what it was told, answers from `bindings`."""

    dropped: list[str] = field(default_factory=list)
    reloads: int = 0
    bindings: dict[str, list[Registration]] = field(default_factory=dict)

    def drop_registrations(self, aors: Sequence[str]) -> None:
        self.dropped.extend(aors)

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
    """The accounts `aors` (user@domain) lost their right to be registered."""
    if aors:
        wanted = list(aors)
        after_commit(session, lambda: current_notifier().drop_registrations(wanted))


def reload_trunks_after_commit(session: Session) -> None:
    after_commit(session, lambda: current_notifier().reload_trunks())
