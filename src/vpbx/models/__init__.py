"""ORM tables, one module per aggregate. Importing this package registers them all."""

from vpbx.models.audit import AuditEvent, IdempotencyRecord
from vpbx.models.base import Base
from vpbx.models.commerce import Order, OrderItem, Reservation
from vpbx.models.number import Number, NumberPrice
from vpbx.models.pbx import Extension, ExtensionHotline, RingGroup, RingGroupMember, User
from vpbx.models.tenancy import ApiKey, Partner, Tenant

__all__ = [
    "ApiKey",
    "AuditEvent",
    "Base",
    "Extension",
    "ExtensionHotline",
    "IdempotencyRecord",
    "Number",
    "NumberPrice",
    "Order",
    "OrderItem",
    "Partner",
    "Reservation",
    "RingGroup",
    "RingGroupMember",
    "Tenant",
    "User",
]
