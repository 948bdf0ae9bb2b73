"""Sending SMS and following their delivery. Never commits.

A tenant's message spends its number's packet in the same transaction that records it
(one conditional UPDATE, so concurrent sends never overspend), then goes through the
instance's gateway; a message the gateway refused never left vpbx and gets its quota
back. One-time codes vpbx sends as the carrier's code authority go the same way but
spend no packet and are stored with the code masked.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping, Sequence
from datetime import datetime

import phonenumbers
from sqlalchemy.orm import Session

from vpbx.audit.service import record, record_change
from vpbx.config import Settings
from vpbx.errors import Invalid, NotFound, Unauthenticated
from vpbx.messaging.gateway import OutgoingSms, SmsGateway, gateway_for, report_token
from vpbx.messaging.packets import PacketService, sms_number
from vpbx.messaging.repository import MessagingRepository
from vpbx.messaging.rules import clean_text, new_ref, parts_of, render
from vpbx.messaging.schemas import DeliveryReport, MessageOut, MessageSend
from vpbx.models import Number, SmsMessage, SmsOutboxEntry
from vpbx.models.base import utcnow
from vpbx.numbers.phone import to_phone_number
from vpbx.tenancy.principal import Principal

_SMS_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


class MessagingService:
    def __init__(
        self, session: Session, settings: Settings, gateway: SmsGateway | None = None
    ) -> None:
        self.session = session
        self.settings = settings
        self.repo = MessagingRepository(session)
        self._gateway = gateway

    @property
    def gateway(self) -> SmsGateway:
        if self._gateway is None:  # built on first use: reading messages needs none
            self._gateway = gateway_for(self.settings, self.repo)
        return self._gateway

    # --- sending ------------------------------------------------------------------

    def send(self, principal: Principal, data: MessageSend) -> SmsMessage:
        """The native face: from one of the tenant's numbers (E.164)."""
        number = sms_number(self.repo, principal.require_tenant(), data.sender, field="from")
        return self.send_from(
            principal, number, data.to, text=data.text, template=data.template, params=data.params
        )

    def send_from(
        self,
        principal: Principal,
        number: Number | int,
        to: str,
        *,
        text: str | None = None,
        template: str | None = None,
        params: Mapping[str, str] | None = None,
    ) -> SmsMessage:
        """Send from a number of the tenant (a row, or its id as faces name it)."""
        tenant_id = principal.require_tenant()
        if isinstance(number, int):
            number = sms_number(self.repo, tenant_id, number, field="number_id")
        recipient = self.recipient(to)
        template_id, body = self._content(tenant_id, text, template, params or {})
        parts = parts_of(body)
        packet_id = PacketService(self.session).require_packet(tenant_id, number, parts)
        message = SmsMessage(
            ref=new_ref(),
            kind="tenant",
            tenant_id=tenant_id,
            number_id=number.id,
            packet_id=packet_id,
            template_id=template_id,
            template_code=template,
            params=dict(params or {}) if template else None,
            sender=number.e164,
            recipient=recipient,
            text=body,
            parts=parts,
            status="queued",
            gateway=self.gateway.name,
        )
        self.repo.add(message)
        self._deliver(message, body)
        record_change(
            self.session,
            principal,
            "sms.send",
            "sms_message",
            message.id,
            after={
                "from": message.sender,
                "to": recipient,
                "parts": parts,
                "status": message.status,
            },
        )
        return message

    def send_system(self, sender: str, to: str, text: str, *, stored_text: str) -> SmsMessage:
        """A message of vpbx itself (a one-time code): no tenant, no packet. `stored_text`
        is what the record keeps (the text with the code masked)."""
        message = SmsMessage(
            ref=new_ref(),
            kind="otp",
            sender=sender,
            recipient=to,
            text=stored_text,
            parts=parts_of(text),
            status="queued",
            gateway=self.gateway.name,
        )
        self.repo.add(message)
        self._deliver(message, text)
        return message

    def recipient(self, to: str, *, field: str = "to") -> str:
        """A number that can receive SMS, as E.164; national digits are of the instance's
        default country."""
        text = to.strip()
        try:
            parsed = to_phone_number(
                text, None if text.startswith("+") else self.settings.default_country
            )
        except Invalid:
            parsed = None
        if parsed is None or phonenumbers.number_type(parsed) not in _SMS_TYPES:
            raise Invalid(
                f"{to!r} is not a mobile number that can receive SMS",
                code="invalid_recipient",
                field=field,
            )
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)

    def _content(
        self, tenant_id: int, text: str | None, code: str | None, params: Mapping[str, str]
    ) -> tuple[int | None, str]:
        max_parts = self.settings.sms_max_parts
        if code is None:
            return None, clean_text(text or "", field="text", max_parts=max_parts)
        template = self.repo.template_by_code(tenant_id, code)
        if template is None:
            raise Invalid(
                f"no template {code!r}", code="template_not_found", field="template", template=code
            )
        if template.status != "approved":
            raise Invalid(
                f"template {code!r} is {template.status}, not approved",
                code="template_not_approved",
                field="template",
                template=code,
            )
        return template.id, clean_text(
            render(template.body, params), field="params", max_parts=max_parts
        )

    def _deliver(self, message: SmsMessage, text: str) -> None:
        submission = self.gateway.submit(
            OutgoingSms(message.ref, message.sender, message.recipient, text, message.parts)
        )
        now = utcnow()
        message.gateway_ref = submission.gateway_ref
        if submission.status == "failed":
            message.status, message.failed_at, message.error = "failed", now, submission.error
            if message.packet_id is not None:  # it never left vpbx: the quota comes back
                self.repo.refund(message.packet_id, message.parts)
        else:
            message.status, message.sent_at = submission.status, now
            if submission.status == "delivered":
                message.delivered_at = now
        self.session.flush()

    # --- reading ------------------------------------------------------------------

    def get(self, principal: Principal, message_id: int) -> SmsMessage:
        message = self.repo.message(principal.require_tenant(), message_id)
        if message is None:
            raise NotFound(f"message {message_id} not found", code="message_not_found")
        return message

    def by_ref(self, principal: Principal, ref: str) -> SmsMessage:
        message = self.repo.message_by_ref(ref, tenant_id=principal.require_tenant())
        if message is None:
            raise NotFound(f"message {ref} not found", code="message_not_found", field="ref")
        return message

    def list_messages(
        self,
        principal: Principal,
        *,
        number: str | None,
        status: str | None,
        before_id: int | None,
        limit: int,
    ) -> Sequence[SmsMessage]:
        tenant_id = principal.require_tenant()
        number_id = None
        if number is not None:
            number_id = sms_number(self.repo, tenant_id, number, field="number").id
        return self.repo.messages(
            tenant_id, number_id=number_id, status=status, before_id=before_id, limit=limit
        )

    def outbox(
        self, *, to: str | None = None, since: datetime | None = None, limit: int = 20
    ) -> Sequence[SmsOutboxEntry]:
        """What the outbox gateway kept, newest first (the operator's view)."""
        recipient = self.recipient(to) if to else None
        return self.repo.outbox(recipient=recipient, since=since, limit=limit)

    # --- delivery reports ---------------------------------------------------------

    def report(self, ref: str, token: str, data: DeliveryReport) -> SmsMessage:
        """A delivery report from the gateway. A report on a message already delivered or
        failed changes nothing and is answered with its state, so retries are harmless."""
        if not hmac.compare_digest(report_token(self.settings, ref), token):
            raise Unauthenticated("the report token is not valid", code="invalid_report_token")
        message = self.repo.message_by_ref(ref)
        if message is None:
            raise NotFound(f"message {ref} not found", code="message_not_found")
        if message.status not in ("queued", "sent"):
            return message
        before = {"status": message.status}
        now = utcnow()
        message.status = data.status
        if data.status == "delivered":
            message.delivered_at = now
        else:
            message.failed_at, message.error = now, data.error or "not delivered"
        self.session.flush()
        record(
            self.session,
            actor="sms-gateway",
            action="sms.delivery_report",
            object_type="sms_message",
            object_id=message.id,
            partner_id=self.repo.partner_of(message.tenant_id),
            tenant_id=message.tenant_id,
            before=before,
            after={"status": message.status, "error": message.error},
        )
        return message


def view(message: SmsMessage) -> MessageOut:
    return MessageOut(
        id=message.id,
        ref=message.ref,
        sender=message.sender,
        to=message.recipient,
        text=message.text,
        template=message.template_code,
        params=message.params,
        parts=message.parts,
        channel=message.channel,
        status=message.status,
        error=message.error,
        packet_id=message.packet_id,
        created_at=message.created_at,
        sent_at=message.sent_at,
        delivered_at=message.delivered_at,
        failed_at=message.failed_at,
    )
