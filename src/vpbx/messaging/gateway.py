"""Where messages leave vpbx: the SMS gateway interface and its two implementations.

The outbox (the default) keeps each message in a table for an operator to read, so a demo
needs no phone network; the HTTP gateway posts each message to a configured URL and learns
its fate later from a delivery report on the callback endpoint.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import httpx

from vpbx.config import Settings
from vpbx.crypto import derive_key
from vpbx.errors import Unavailable
from vpbx.messaging.repository import MessagingRepository
from vpbx.models import SmsOutboxEntry

log = logging.getLogger("vpbx.messaging.gateway")
# A gateway that says it did not take the request (overloaded, or a proxy in front of
# it could not reach it) may be asked again; the Idempotency-Key guards the rest.
_RETRY_STATUSES = frozenset({502, 503, 504})


@dataclass(frozen=True)
class OutgoingSms:
    ref: str
    sender: str
    recipient: str
    text: str
    parts: int


@dataclass(frozen=True)
class Submission:
    """What the gateway said: accepted (`sent`), already at the handset (`delivered`),
    or refused (`failed`, with why)."""

    status: Literal["sent", "delivered", "failed"]
    gateway_ref: str | None = None
    error: str | None = None


class SmsGateway(Protocol):
    name: str

    def submit(self, sms: OutgoingSms) -> Submission: ...


class OutboxGateway:
    """Keeps messages for an operator to read (`vpbx sms outbox`). The outbox is the end
    of the line, so a message is delivered the moment it is kept."""

    name = "outbox"

    def __init__(self, repo: MessagingRepository) -> None:
        self.repo = repo

    def submit(self, sms: OutgoingSms) -> Submission:
        entry = SmsOutboxEntry(
            message_ref=sms.ref, sender=sms.sender, recipient=sms.recipient, text=sms.text
        )
        self.repo.add(entry)
        return Submission("delivered", gateway_ref=f"outbox-{entry.id}")


class HttpGateway:
    """Posts `{id, from, to, text, parts, callback_url}` as JSON to a URL.

    A 2xx answer with `{"id": ...}` means accepted; the gateway then posts a delivery
    report to `callback_url`. Only attempts the gateway cannot have acted on are
    retried: a connection that never opened, or a 502/503/504 (with the message's ref
    as Idempotency-Key). A read timeout is not retried: the message may have gone.
    """

    name = "http"

    def __init__(
        self,
        url: str,
        *,
        callback_url: Callable[[str], str],
        token: str | None = None,
        timeout_s: float = 10.0,
        retries: int = 2,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url, self.callback_url, self.token = url, callback_url, token
        self.timeout_s, self.retries, self.transport = timeout_s, retries, transport

    def submit(self, sms: OutgoingSms) -> Submission:
        body = {
            "id": sms.ref,
            "from": sms.sender,
            "to": sms.recipient,
            "text": sms.text,
            "parts": sms.parts,
            "callback_url": self.callback_url(sms.ref),
        }
        headers = {"Idempotency-Key": sms.ref}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        with httpx.Client(timeout=self.timeout_s, transport=self.transport) as client:
            return self._post(client, body, headers)

    def _post(
        self, client: httpx.Client, body: dict[str, Any], headers: dict[str, str]
    ) -> Submission:
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                response = client.post(self.url, json=body, headers=headers)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                if last:
                    return Submission(
                        "failed", error=f"SMS gateway unreachable: {type(exc).__name__}"
                    )
            except httpx.HTTPError as exc:
                log.warning("SMS gateway failed on %s: %s", body["id"], type(exc).__name__)
                return Submission(
                    "failed", error=f"SMS gateway did not answer: {type(exc).__name__}"
                )
            else:
                if response.status_code not in _RETRY_STATUSES or last:
                    return _submission_of(response)
            time.sleep(min(0.2 * 2**attempt, 2.0))
        raise AssertionError("unreachable")  # pragma: no cover


def _submission_of(response: httpx.Response) -> Submission:
    try:
        payload = response.json()
    except ValueError:
        payload = None
    data = payload if isinstance(payload, dict) else {}
    if response.is_success:
        ref = data.get("id")
        return Submission("sent", gateway_ref=str(ref)[:100] if ref is not None else None)
    reason = data.get("message") or data.get("error") or response.reason_phrase
    return Submission(
        "failed", error=f"SMS gateway refused ({response.status_code}): {reason}"[:200]
    )


def report_token(settings: Settings, ref: str) -> str:
    """The token that proves a delivery report comes from whom vpbx gave the message to:
    an HMAC of the message's ref under a key derived from the instance key."""
    key = derive_key(settings, "vpbx sms delivery report v1")
    return hmac.new(key, ref.encode(), hashlib.sha256).hexdigest()[:40]


def callback_url_for(settings: Settings) -> Callable[[str], str]:
    base = (settings.public_url or f"http://{settings.host}:{settings.port}").rstrip("/")
    return lambda ref: f"{base}/v1/sms/delivery-reports/{ref}?token={report_token(settings, ref)}"


def gateway_for(settings: Settings, repo: MessagingRepository) -> SmsGateway:
    """The instance's gateway (VPBX_SMS_GATEWAY)."""
    if settings.sms_gateway == "http":
        if not settings.sms_gateway_url:
            raise Unavailable(
                "VPBX_SMS_GATEWAY=http needs VPBX_SMS_GATEWAY_URL", code="sms_gateway_unavailable"
            )
        return HttpGateway(
            settings.sms_gateway_url,
            callback_url=callback_url_for(settings),
            token=settings.sms_gateway_token,
            timeout_s=settings.sms_gateway_timeout_s,
            retries=settings.sms_gateway_retries,
        )
    return OutboxGateway(repo)
