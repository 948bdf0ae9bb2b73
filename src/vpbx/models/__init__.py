"""ORM tables, one module per aggregate. Importing this package registers them all."""

from vpbx.models.audit import AuditEvent, IdempotencyRecord
from vpbx.models.base import Base
from vpbx.models.calls import CallRecord, GroupCallCount
from vpbx.models.commerce import Order, OrderItem, Reservation
from vpbx.models.contacts import ContactList, ContactListEntry, NumberContactList
from vpbx.models.forwarding import (
    CallQueue,
    CallQueueMember,
    NumberForwarding,
    Scenario,
    ScenarioOption,
)
from vpbx.models.messaging import (
    SmsCredential,
    SmsMessage,
    SmsOutboxEntry,
    SmsPacket,
    SmsPacketOffer,
    SmsTemplate,
)
from vpbx.models.number import Number, NumberPrice
from vpbx.models.packages import CarrierPackage, OtpSend, PackageOrder
from vpbx.models.pbx import Extension, ExtensionHotline, RingGroup, RingGroupMember, User
from vpbx.models.sip import SipSchemaVersion, SipTrunk, SipTrunkSource, SipTrunkTenant
from vpbx.models.tenancy import ApiKey, Partner, Tenant

__all__ = [
    "ApiKey",
    "AuditEvent",
    "Base",
    "CallQueue",
    "CallQueueMember",
    "CallRecord",
    "CarrierPackage",
    "ContactList",
    "ContactListEntry",
    "Extension",
    "ExtensionHotline",
    "GroupCallCount",
    "IdempotencyRecord",
    "Number",
    "NumberContactList",
    "NumberForwarding",
    "NumberPrice",
    "Order",
    "OrderItem",
    "OtpSend",
    "PackageOrder",
    "Partner",
    "Reservation",
    "RingGroup",
    "RingGroupMember",
    "Scenario",
    "ScenarioOption",
    "SipSchemaVersion",
    "SipTrunk",
    "SipTrunkSource",
    "SipTrunkTenant",
    "SmsCredential",
    "SmsMessage",
    "SmsOutboxEntry",
    "SmsPacket",
    "SmsPacketOffer",
    "SmsTemplate",
    "Tenant",
    "User",
]
