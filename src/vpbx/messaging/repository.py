"""All SQL of SMS. Every tenant-owned read is scoped by tenant: another tenant's row is None."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from vpbx.kit.rows import AnyRow
from vpbx.models import (
    Number,
    SmsCredential,
    SmsMessage,
    SmsOutboxEntry,
    SmsPacket,
    SmsPacketOffer,
    SmsTemplate,
    Tenant,
)
from vpbx.numbers.enums import NumberStatus

Stored = SmsPacketOffer | SmsPacket | SmsTemplate | SmsMessage | SmsOutboxEntry | SmsCredential


class MessagingRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, obj: Stored) -> None:
        self.session.add(obj)
        self.session.flush()

    def remove(self, obj: SmsTemplate) -> None:
        self.session.delete(obj)
        self.session.flush()

    # --- numbers ------------------------------------------------------------------

    def _sms_numbers(self, tenant_id: int) -> Select[Number]:
        return select(Number).where(
            Number.tenant_id == tenant_id,
            Number.status == NumberStatus.ACTIVE,
            Number.sms_enabled.is_(True),
        )

    def sms_number(
        self, tenant_id: int, *, number_id: int | None = None, e164: str | None = None
    ) -> Number | None:
        """An SMS-capable number the tenant owns now, by id or by E.164."""
        query = self._sms_numbers(tenant_id)
        query = (
            query.where(Number.id == number_id) if number_id else query.where(Number.e164 == e164)
        )
        return self.session.scalar(query)

    def sms_numbers(
        self, tenant_id: int, *, after_id: int | None, limit: int, offset: int = 0
    ) -> Sequence[Number]:
        query = self._sms_numbers(tenant_id)
        if after_id is not None:
            query = query.where(Number.id > after_id)
        query = query.order_by(Number.id).offset(offset).limit(limit)
        return self.session.scalars(query).all()

    def count_sms_numbers(self, tenant_id: int) -> int:
        query = select(func.count()).select_from(self._sms_numbers(tenant_id).subquery())
        return self.session.scalar(query) or 0

    def partner_of(self, tenant_id: int | None) -> int | None:
        if tenant_id is None:
            return None
        return self.session.scalar(select(Tenant.partner_id).where(Tenant.id == tenant_id))

    def e164_of(self, number_ids: Sequence[int]) -> dict[int, str]:
        if not number_ids:
            return {}
        rows = self.session.execute(
            select(Number.id, Number.e164).where(Number.id.in_(set(number_ids)))
        ).all()
        return {row.id: row.e164 for row in rows}

    # --- packets ------------------------------------------------------------------

    def offer(self, code: str) -> SmsPacketOffer | None:
        return self.session.scalar(select(SmsPacketOffer).where(SmsPacketOffer.code == code))

    def offers(self, *, include_inactive: bool = False) -> Sequence[SmsPacketOffer]:
        query = select(SmsPacketOffer)
        if not include_inactive:
            query = query.where(SmsPacketOffer.active.is_(True))
        return self.session.scalars(query.order_by(SmsPacketOffer.quota, SmsPacketOffer.id)).all()

    def packet(self, tenant_id: int, packet_id: int) -> SmsPacket | None:
        return self.session.scalar(
            select(SmsPacket).where(SmsPacket.id == packet_id, SmsPacket.tenant_id == tenant_id)
        )

    def packets(
        self, tenant_id: int, *, number_id: int | None, after_id: int | None, limit: int
    ) -> Sequence[SmsPacket]:
        query = select(SmsPacket).where(SmsPacket.tenant_id == tenant_id)
        if number_id is not None:
            query = query.where(SmsPacket.number_id == number_id)
        if after_id is not None:
            query = query.where(SmsPacket.id > after_id)
        return self.session.scalars(query.order_by(SmsPacket.id).limit(limit)).all()

    def packets_of_numbers(self, tenant_id: int, number_ids: Sequence[int]) -> list[SmsPacket]:
        """The tenant's packets on these numbers, oldest first."""
        if not number_ids:
            return []
        query = select(SmsPacket).where(
            SmsPacket.tenant_id == tenant_id, SmsPacket.number_id.in_(set(number_ids))
        )
        return list(self.session.scalars(query.order_by(SmsPacket.id)))

    def spend(self, tenant_id: int, number_id: int, parts: int) -> int | None:
        """Take `parts` from the oldest packet of the number that still has them.

        Each take is one conditional UPDATE (`remaining >= parts`): two senders racing
        for the last messages cannot both win, whatever the isolation level, because the
        database re-checks the condition on the row it locked. None: nothing left.
        """
        candidates = self.session.scalars(
            select(SmsPacket.id)
            .where(
                SmsPacket.tenant_id == tenant_id,
                SmsPacket.number_id == number_id,
                SmsPacket.remaining >= parts,
            )
            .order_by(SmsPacket.id)
        ).all()
        for packet_id in candidates:
            taken = self.session.execute(
                update(SmsPacket)
                .where(SmsPacket.id == packet_id, SmsPacket.remaining >= parts)
                .values(remaining=SmsPacket.remaining - parts)
                .execution_options(synchronize_session=False)
            )
            if taken.rowcount == 1:  # type: ignore[attr-defined]
                return packet_id
        return None

    def refund(self, packet_id: int, parts: int) -> None:
        self.session.execute(
            update(SmsPacket)
            .where(SmsPacket.id == packet_id)
            .values(remaining=SmsPacket.remaining + parts)
            .execution_options(synchronize_session=False)
        )

    def has_packet(self, tenant_id: int, number_id: int) -> bool:
        query = select(SmsPacket.id).where(
            SmsPacket.tenant_id == tenant_id, SmsPacket.number_id == number_id
        )
        return self.session.scalar(query.limit(1)) is not None

    # --- templates ----------------------------------------------------------------

    def template(self, tenant_id: int, template_id: int) -> SmsTemplate | None:
        return self.session.scalar(
            select(SmsTemplate).where(
                SmsTemplate.id == template_id, SmsTemplate.tenant_id == tenant_id
            )
        )

    def template_by_code(self, tenant_id: int, code: str) -> SmsTemplate | None:
        return self.session.scalar(
            select(SmsTemplate).where(SmsTemplate.tenant_id == tenant_id, SmsTemplate.code == code)
        )

    def templates(
        self, tenant_id: int, *, after_id: int | None, limit: int
    ) -> Sequence[SmsTemplate]:
        query = select(SmsTemplate).where(SmsTemplate.tenant_id == tenant_id)
        if after_id is not None:
            query = query.where(SmsTemplate.id > after_id)
        return self.session.scalars(query.order_by(SmsTemplate.id).limit(limit)).all()

    def template_any_tenant(self, template_id: int) -> SmsTemplate | None:
        """For the operator's CLI, which acts above tenants."""
        return self.session.get(SmsTemplate, template_id)

    # --- messages -----------------------------------------------------------------

    def message(self, tenant_id: int, message_id: int) -> SmsMessage | None:
        return self.session.scalar(
            select(SmsMessage).where(SmsMessage.id == message_id, SmsMessage.tenant_id == tenant_id)
        )

    def message_by_ref(self, ref: str, *, tenant_id: int | None = None) -> SmsMessage | None:
        query = select(SmsMessage).where(SmsMessage.ref == ref)
        if tenant_id is not None:
            query = query.where(SmsMessage.tenant_id == tenant_id)
        return self.session.scalar(query)

    def messages(
        self,
        tenant_id: int,
        *,
        number_id: int | None,
        status: str | None,
        before_id: int | None,
        limit: int,
    ) -> Sequence[SmsMessage]:
        """Newest first: a log is read from its end."""
        query = select(SmsMessage).where(SmsMessage.tenant_id == tenant_id)
        if number_id is not None:
            query = query.where(SmsMessage.number_id == number_id)
        if status is not None:
            query = query.where(SmsMessage.status == status)
        if before_id is not None:
            query = query.where(SmsMessage.id < before_id)
        return self.session.scalars(query.order_by(SmsMessage.id.desc()).limit(limit)).all()

    # --- outbox -------------------------------------------------------------------

    def outbox(
        self, *, recipient: str | None, since: datetime | None, limit: int
    ) -> Sequence[SmsOutboxEntry]:
        query = select(SmsOutboxEntry)
        if recipient is not None:
            query = query.where(SmsOutboxEntry.recipient == recipient)
        if since is not None:
            query = query.where(SmsOutboxEntry.created_at >= since)
        return self.session.scalars(query.order_by(SmsOutboxEntry.id.desc()).limit(limit)).all()

    # --- credentials --------------------------------------------------------------

    def credential_login(self, username: str) -> AnyRow | None:
        """A live credential by username, with its tenant's partner and status."""
        return self.session.execute(
            select(
                SmsCredential.id,
                SmsCredential.tenant_id,
                SmsCredential.number_id,
                SmsCredential.password_hash,
                Tenant.partner_id,
                Tenant.status.label("tenant_status"),
            )
            .join(Tenant, Tenant.id == SmsCredential.tenant_id)
            .where(SmsCredential.username == username, SmsCredential.revoked_at.is_(None))
        ).first()

    def credential(self, tenant_id: int, credential_id: int) -> SmsCredential | None:
        return self.session.scalar(
            select(SmsCredential).where(
                SmsCredential.id == credential_id,
                SmsCredential.tenant_id == tenant_id,
                SmsCredential.revoked_at.is_(None),
            )
        )

    def credentials(
        self, tenant_id: int, *, after_id: int | None, limit: int
    ) -> Sequence[SmsCredential]:
        query = select(SmsCredential).where(
            SmsCredential.tenant_id == tenant_id, SmsCredential.revoked_at.is_(None)
        )
        if after_id is not None:
            query = query.where(SmsCredential.id > after_id)
        return self.session.scalars(query.order_by(SmsCredential.id).limit(limit)).all()

    def username_taken(self, username: str) -> bool:
        query = select(SmsCredential.id).where(SmsCredential.username == username)
        return self.session.scalar(query) is not None
