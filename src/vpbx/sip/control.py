"""Kamailio's control socket: JSON-RPC over a unix datagram socket (jsonrpcs module).

A request is one datagram to Kamailio's socket; the answer comes back to the socket
this client binds for the call (a fresh path in a private temporary directory), so
concurrent callers never read each other's replies.
"""

from __future__ import annotations

import itertools
import json
import os
import socket
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

_ids = itertools.count(1)
MAX_REPLY = 1 << 20
# Kamailio's credential cache (kamailio.cfg) and the marker that makes an entry a miss.
CREDENTIALS_TABLE = "credentials"
FORGOTTEN = "-"


class ControlError(Exception):
    """Kamailio could not be reached, or refused the command."""


@dataclass(frozen=True, slots=True)
class Registration:
    """One live binding of an account: where it is reachable and until when."""

    contact: str
    received: str | None
    expires_at: datetime | None
    user_agent: str
    transport: str


class KamailioControl:
    """Commands to one Kamailio through its JSON-RPC datagram socket."""

    def __init__(self, socket_path: Path, timeout_s: float = 1.0) -> None:
        self.socket_path = socket_path
        self.timeout_s = timeout_s

    def call(self, method: str, *params: str) -> Any:
        """Run an RPC command and return its `result`; raise ControlError otherwise."""
        request = {"jsonrpc": "2.0", "method": method, "params": list(params), "id": next(_ids)}
        with tempfile.TemporaryDirectory(prefix="vpbx-rpc-") as folder:
            reply_path = str(Path(folder) / "reply.sock")
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
                sock.bind(reply_path)
                # Kamailio may run as another user: let it answer (the path is random).
                os.chmod(folder, 0o711)
                os.chmod(reply_path, 0o666)
                sock.settimeout(self.timeout_s)
                try:
                    sock.sendto(json.dumps(request).encode(), str(self.socket_path))
                    data = sock.recv(MAX_REPLY)
                except OSError as exc:  # missing socket, refused, timed out
                    raise ControlError(f"Kamailio control socket: {exc}") from None
        try:
            reply = json.loads(data)
        except ValueError:
            raise ControlError("Kamailio answered something that is not JSON") from None
        if "error" in reply:
            error = reply["error"] or {}
            raise ControlError(f"{method}: {error.get('code')} {error.get('message')}")
        return reply.get("result")

    def drop_registrations(self, aor: str) -> None:
        """Forget every binding of `aor` (user@domain); no binding is not an error."""
        try:
            self.call("ul.rm", "location", aor)
        except ControlError as exc:
            if "404" not in str(exc):  # "AOR not found": nothing to drop
                raise

    def registrations(self, aor: str) -> list[Registration]:
        try:
            result = self.call("ul.lookup", "location", aor)
        except ControlError as exc:
            if "404" in str(exc):
                return []
            raise
        return parse_lookup(result)

    def reload_trunks(self) -> None:
        self.call("permissions.addressReload")

    def forget_credentials(self, aor: str) -> None:
        """Make Kamailio read the account `aor` (user@domain) from the database on its
        next request. The cached entry is overwritten with a marker rather than deleted:
        a write waits for a fill of that entry in progress (kamailio.cfg holds the slot
        lock while it queries), so a copy read before the commit cannot outlive this."""
        self.call("htable.sets", CREDENTIALS_TABLE, aor, FORGOTTEN)

    def forget_all_credentials(self) -> None:
        """Empty the whole credential cache (every account is read again once)."""
        self.call("htable.flush", CREDENTIALS_TABLE)


def parse_lookup(result: Any) -> list[Registration]:
    """The contacts of a `ul.lookup` answer, however Kamailio nested them."""
    if not isinstance(result, dict):
        return []
    contacts = result.get("Contacts") or result.get("AoR", {}).get("Contacts") or []
    found = []
    for item in contacts:
        contact = item.get("Contact", item) if isinstance(item, dict) else {}
        if not isinstance(contact, dict) or "Address" not in contact:
            continue
        found.append(
            Registration(
                contact=str(contact["Address"]),
                received=_text(contact.get("Received")),
                expires_at=_expiry(contact.get("Expires")),
                user_agent=str(contact.get("User-Agent") or ""),
                transport=_transport(contact.get("Socket")),
            )
        )
    return found


def _text(value: Any) -> str | None:
    text = str(value or "").strip()
    return None if text in ("", "[not set]") else text


def _expiry(value: Any) -> datetime | None:
    """ul.lookup says seconds left (an int) or "permanent"."""
    if isinstance(value, int) and value >= 0:
        return datetime.fromtimestamp(datetime.now(UTC).timestamp() + value, UTC).replace(
            microsecond=0
        )
    return None


def _transport(socket_name: Any) -> str:
    # "udp:127.0.0.1:5060"
    text = str(socket_name or "")
    return text.partition(":")[0] if ":" in text else ""
