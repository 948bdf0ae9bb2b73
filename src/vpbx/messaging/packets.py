"""SMS packets: the operator's offers, packets tenants buy for their numbers. Never commits."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy.orm import Session

from vpbx.audit.service import record, record_change
from vpbx.errors import Conflict, Invalid, NotFound
from vpbx.messaging.repository import MessagingRepository
from vpbx.messaging.schemas import PacketBuy, PacketOfferOut, PacketOut, SmsNumberOut
from vpbx.models import Number, SmsPacket, SmsPacketOffer
from vpbx.numbers.service import canonical_e164
from vpbx.tenancy.principal import Principal

_OFFER_CODE = re.compile(r"[A-Z0-9_-]{1,32}")


def sms_number(repo: MessagingRepository, tenant_id: int, ref: str | int, *, field: str) -> Number:
    """One of the tenant's SMS-capable numbers, by E.164 (or by id); refused as a 422
    when it is not one, whoever owns it: the answer must not tell another tenant's
    numbers from numbers nobody owns."""
    if isinstance(ref, int):
        number = repo.sms_number(tenant_id, number_id=ref)
    else:
        try:
            e164 = canonical_e164(ref)
        except Invalid:
            raise Invalid(
                f"not a phone number: {ref!r}", code="invalid_number", field=field
            ) from None
        number = repo.sms_number(tenant_id, e164=e164)
    if number is None:
        raise Invalid(
            f"{ref} is not an SMS-capable number of yours", code="number_not_found", field=field
        )
    return number


class PacketService:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.repo = MessagingRepository(session)

    # --- offers (the operator's) --------------------------------------------------

    def offers(self) -> list[PacketOfferOut]:
        return [PacketOfferOut.model_validate(o) for o in self.repo.offers()]

    def save_offer(
        self,
        code: str,
        name: str,
        quota: int,
        price: Decimal,
        currency: str,
        *,
        active: bool = True,
    ) -> SmsPacketOffer:
        """Create or change an offer (the CLI); packets already bought keep their terms."""
        code, currency = code.strip().upper(), currency.strip().upper()
        if not _OFFER_CODE.fullmatch(code):
            raise Invalid("an offer code is 1-32 letters, digits, '-' or '_'", field="code")
        if not 1 <= quota <= 10_000_000 or price < 0 or len(currency) != 3:
            raise Invalid("quota must be 1..10,000,000, price >= 0, currency 3 letters")
        offer = self.repo.offer(code)
        before = _offer_fields(offer) if offer else None
        if offer is None:
            offer = SmsPacketOffer(code=code)
        offer.name, offer.quota, offer.price = name.strip() or code, quota, price
        offer.currency, offer.active = currency, active
        self.repo.add(offer)
        record(
            self.session,
            actor="cli",
            action="sms_offer.save",
            object_type="sms_packet_offer",
            object_id=offer.id,
            partner_id=None,
            tenant_id=None,
            before=before,
            after=_offer_fields(offer),
        )
        return offer

    # --- packets ------------------------------------------------------------------

    def buy(self, principal: Principal, data: PacketBuy) -> PacketOut:
        tenant_id = principal.require_tenant()
        number = sms_number(self.repo, tenant_id, data.number, field="number")
        offer = self.repo.offer(data.offer.strip().upper())
        if offer is None or not offer.active:
            raise Invalid(
                f"no SMS packet offer {data.offer!r}", code="offer_not_found", field="offer"
            )
        packet = SmsPacket(
            uid=str(uuid.uuid4()),
            tenant_id=tenant_id,
            number_id=number.id,
            offer_id=offer.id,
            name=offer.name,
            quota=offer.quota,
            remaining=offer.quota,
            price=offer.price,
            currency=offer.currency,
        )
        self.repo.add(packet)
        out = self.view([packet])[0]
        record_change(
            self.session,
            principal,
            "sms_packet.buy",
            "sms_packet",
            packet.id,
            after=out.model_dump(mode="json", exclude={"id", "created_at"}),
        )
        return out

    def get(self, principal: Principal, packet_id: int) -> PacketOut:
        packet = self.repo.packet(principal.require_tenant(), packet_id)
        if packet is None:
            raise NotFound(f"SMS packet {packet_id} not found", code="packet_not_found")
        self.session.refresh(packet)  # `remaining` moves by UPDATEs the identity map missed
        return self.view([packet])[0]

    def list_packets(
        self, principal: Principal, *, number: str | None, after_id: int | None, limit: int
    ) -> list[PacketOut]:
        tenant_id = principal.require_tenant()
        number_id = None
        if number is not None:
            number_id = sms_number(self.repo, tenant_id, number, field="number").id
        rows = self.repo.packets(tenant_id, number_id=number_id, after_id=after_id, limit=limit)
        return self.view(rows)

    def view(self, packets: Sequence[SmsPacket]) -> list[PacketOut]:
        numbers = self.repo.e164_of([p.number_id for p in packets])
        return [
            PacketOut(
                id=p.id,
                uid=p.uid,
                number=numbers.get(p.number_id, ""),
                name=p.name,
                quota=p.quota,
                remaining=p.remaining,
                price=p.price,
                currency=p.currency,
                created_at=p.created_at,
            )
            for p in packets
        ]

    def sms_numbers(
        self, principal: Principal, *, after_id: int | None, limit: int, offset: int = 0
    ) -> list[SmsNumberOut]:
        """The tenant's SMS-capable numbers by id, each with the packet its messages spend
        now (the oldest with quota left, else the latest bought), or None without one."""
        tenant_id = principal.require_tenant()
        numbers = self.repo.sms_numbers(tenant_id, after_id=after_id, limit=limit, offset=offset)
        packets = self.repo.packets_of_numbers(tenant_id, [n.id for n in numbers])
        current: dict[int, SmsPacket] = {}
        for packet in packets:  # oldest first
            held = current.get(packet.number_id)
            if held is None or held.remaining == 0:
                current[packet.number_id] = packet
        chosen = list(current.values())
        views = {p.id: out for p, out in zip(chosen, self.view(chosen), strict=True)}
        return [
            SmsNumberOut(
                id=n.id,
                number=n.e164,
                number_type=n.number_type,
                owner_type=n.owner_type,
                packet=views[current[n.id].id] if n.id in current else None,
            )
            for n in numbers
        ]

    def sms_number_page(
        self, principal: Principal, *, offset: int, limit: int
    ) -> tuple[list[SmsNumberOut], int]:
        """One page of `sms_numbers` by position, with how many there are in all (for
        faces that page by page number, as Plusofon's does)."""
        rows = self.sms_numbers(principal, after_id=None, limit=limit, offset=offset)
        return rows, self.repo.count_sms_numbers(principal.require_tenant())

    def require_packet(self, tenant_id: int, number: Number, parts: int) -> int:
        """Spend `parts` of the number's quota, or say clearly why not."""
        packet_id = self.repo.spend(tenant_id, number.id, parts)
        if packet_id is not None:
            return packet_id
        if not self.repo.has_packet(tenant_id, number.id):
            raise Conflict(f"{number.e164} has no SMS packet: buy one first", code="no_sms_packet")
        raise Conflict(
            f"the SMS packets of {number.e164} have fewer than {parts} messages left",
            code="sms_quota_exhausted",
            parts=parts,
        )


def _offer_fields(offer: SmsPacketOffer) -> dict[str, object]:
    return {
        "code": offer.code,
        "name": offer.name,
        "quota": offer.quota,
        "price": str(offer.price),
        "currency": offer.currency,
        "active": offer.active,
    }
