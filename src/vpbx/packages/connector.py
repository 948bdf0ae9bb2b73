"""The carrier connector: who issues and checks one-time codes and activates packages.

`BuiltinConnector` makes vpbx the code authority: it draws the code, keeps only its keyed
hash and sends the code by SMS through the instance's gateway. `HttpConnector` leaves all
of it to a carrier endpoint that speaks JSON (below), with timeouts, and retries only where
a retry cannot act twice.

The carrier endpoint (`VPBX_CARRIER_URL`, optional Bearer `VPBX_CARRIER_TOKEN`):

    POST {url}/otp/request   {order_code, carrier, product_code, phone, trans_id|null}
                             -> 200 {"trans_id": "..."}
    POST {url}/otp/confirm   {order_code, carrier, product_code, phone, trans_id, otp}
                             -> 200 {"status": "active"}
                             -> 4xx {"code": "wrong_otp" | "otp_expired" | other, "message"}
    GET  {url}/transactions/{trans_id}
                             -> 200 {"status": "pending" | "active" | "failed"}
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

import httpx

from vpbx.errors import Conflict, Unavailable
from vpbx.packages import rules

log = logging.getLogger("vpbx.packages.connector")


@dataclass(frozen=True)
class Ticket:
    """What a connector is told about an order."""

    order_code: str
    carrier: str
    product_code: str
    phone: str
    telco_trans_id: str | None = None
    otp_hash: str | None = None
    minutes: int = 5


@dataclass(frozen=True)
class CodeIssued:
    """A code is on its way. `otp_hash` is set when vpbx is the authority."""

    telco_trans_id: str
    otp_hash: str | None = None


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    EXPIRED = "expired"
    REFUSED = "refused"


@dataclass(frozen=True)
class Confirmation:
    verdict: Verdict
    reason: str | None = None


class CarrierStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    FAILED = "failed"
    UNKNOWN = "unknown"


class CarrierConnector(Protocol):
    def request_code(self, ticket: Ticket) -> CodeIssued: ...

    def confirm(self, ticket: Ticket, otp: str) -> Confirmation: ...

    def status(self, ticket: Ticket) -> CarrierStatus: ...


# Sends a one-time code text to a phone; returns nothing (the message is on record).
SendCode = Callable[[str, str, str], None]  # (phone, text, text with the code masked)
OrderStatusOf = Callable[[str], str | None]  # trans id -> the order's stored status


class BuiltinConnector:
    """vpbx issues and checks the codes. `send` is the SMS path, `stored_status` reads an
    order's state for `status` (vpbx is the carrier of record here)."""

    def __init__(self, key: bytes, send: SendCode, stored_status: OrderStatusOf) -> None:
        self.key, self.send, self.stored_status = key, send, stored_status

    def request_code(self, ticket: Ticket) -> CodeIssued:
        code = rules.new_code()
        text = (
            f"Ma OTP dang ky goi {ticket.product_code} ({rules.CARRIER_NAMES[ticket.carrier]}) "
            f"la {{}}. Ma co hieu luc {ticket.minutes} phut. Khong chia se ma nay cho ai."
        )
        self.send(ticket.phone, text.format(code), text.format("*" * len(code)))
        return CodeIssued(
            telco_trans_id=ticket.telco_trans_id or rules.new_trans_id(),
            otp_hash=rules.code_hash(self.key, ticket.order_code, code),
        )

    def confirm(self, ticket: Ticket, otp: str) -> Confirmation:
        if rules.code_matches(self.key, ticket.order_code, otp, ticket.otp_hash):
            return Confirmation(Verdict.ACCEPTED)
        return Confirmation(Verdict.WRONG)

    def status(self, ticket: Ticket) -> CarrierStatus:
        stored = self.stored_status(ticket.telco_trans_id or "")
        return {"pending": CarrierStatus.PENDING, "active": CarrierStatus.ACTIVE}.get(
            stored or "", CarrierStatus.FAILED if stored else CarrierStatus.UNKNOWN
        )


class HttpConnector:
    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        timeout_s: float = 10.0,
        retries: int = 2,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url, self.token = url.rstrip("/"), token
        self.timeout_s, self.retries, self.transport = timeout_s, retries, transport

    def request_code(self, ticket: Ticket) -> CodeIssued:
        response = self._call("POST", "/otp/request", _body(ticket))
        if response.is_success:
            trans_id = _json(response).get("trans_id")
            if isinstance(trans_id, (str, int)) and str(trans_id).strip():
                return CodeIssued(telco_trans_id=str(trans_id).strip()[:64])
            raise _unavailable("the carrier answered without a trans_id")
        raise _refused(response)

    def confirm(self, ticket: Ticket, otp: str) -> Confirmation:
        try:
            response = self._call("POST", "/otp/confirm", {**_body(ticket), "otp": otp})
        except Unavailable:
            # The carrier may have activated the package before the answer was lost:
            # ask (a read, safe to repeat) rather than guess.
            if self.status(ticket) is CarrierStatus.ACTIVE:
                return Confirmation(Verdict.ACCEPTED)
            raise
        if response.is_success:
            if _json(response).get("status") == "active":
                return Confirmation(Verdict.ACCEPTED)
            raise _unavailable("the carrier answered without activating")
        if response.status_code >= 500:
            raise _unavailable(f"the carrier failed ({response.status_code})")
        code = str(_json(response).get("code") or "")
        verdicts = {"wrong_otp": Verdict.WRONG, "otp_expired": Verdict.EXPIRED}
        return Confirmation(verdicts.get(code, Verdict.REFUSED), _message(response))

    def status(self, ticket: Ticket) -> CarrierStatus:
        response = self._call("GET", f"/transactions/{ticket.telco_trans_id}", None, safe=True)
        if not response.is_success:
            return CarrierStatus.UNKNOWN
        value = _json(response).get("status")
        return (
            CarrierStatus(value)
            if value in ("pending", "active", "failed")
            else CarrierStatus.UNKNOWN
        )

    def _call(
        self, method: str, path: str, body: dict[str, Any] | None, *, safe: bool = False
    ) -> httpx.Response:
        """One request, retried when that cannot act twice: always when the connection
        never opened; for a `safe` read also on timeouts and 5xx answers."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        with httpx.Client(timeout=self.timeout_s, transport=self.transport) as client:
            for attempt in range(self.retries + 1):
                last = attempt == self.retries
                try:
                    response = client.request(method, self.url + path, json=body, headers=headers)
                except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                    if last:
                        raise _unavailable(
                            f"the carrier is unreachable ({type(exc).__name__})"
                        ) from None
                except httpx.HTTPError as exc:
                    if last or not safe:
                        log.warning("carrier %s %s failed: %s", method, path, type(exc).__name__)
                        raise _unavailable(
                            f"the carrier did not answer ({type(exc).__name__})"
                        ) from None
                else:
                    if not (safe and response.status_code >= 500) or last:
                        return response
                time.sleep(min(0.2 * 2**attempt, 2.0))
        raise AssertionError("unreachable")  # pragma: no cover


def _body(ticket: Ticket) -> dict[str, Any]:
    return {
        "order_code": ticket.order_code,
        "carrier": ticket.carrier,
        "product_code": ticket.product_code,
        "phone": ticket.phone,
        "trans_id": ticket.telco_trans_id,
    }


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def _message(response: httpx.Response) -> str:
    text = _json(response).get("message") or response.reason_phrase or "refused"
    return str(text)[:200]


def _unavailable(message: str) -> Unavailable:
    return Unavailable(message, code="carrier_unavailable")


def _refused(response: httpx.Response) -> Exception:
    if response.status_code >= 500:
        return _unavailable(f"the carrier failed ({response.status_code})")
    return Conflict(
        f"the carrier refused: {_message(response)}",
        code="carrier_refused",
        reason=_message(response),
    )
