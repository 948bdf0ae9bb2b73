"""The closed vocabularies of the number inventory."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Tier(IntEnum):
    """Vanity tier of a number, ranked so that "at least silver" is a range query.

    The value is the rank stored in the database. The providers number the tiers
    differently (Plusofon: 0 simple, 5 bronze, 1 silver, 2 gold, 3 platinum,
    4 exclusive); each face maps to and from these ranks.
    """

    SIMPLE = 0
    BRONZE = 1
    SILVER = 2
    GOLD = 3
    PLATINUM = 4
    EXCLUSIVE = 5

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def from_label(cls, label: str) -> Tier:
        return cls[label.strip().upper()]


class NumberType(StrEnum):
    """Kind of number: the seeds' fixed/abc, mobile/def, 1800/800 and 1900."""

    FIXED = "fixed"
    MOBILE = "mobile"
    TOLL_FREE = "toll_free"
    PREMIUM = "premium"


class NumberStatus(StrEnum):
    """Lifecycle: available → reserved → active → aging → available; disabled aside."""

    AVAILABLE = "available"
    RESERVED = "reserved"
    ACTIVE = "active"
    AGING = "aging"
    DISABLED = "disabled"


class OwnerType(StrEnum):
    """How the tenant uses an owned number (Plusofon's owner_type)."""

    BUSINESS = "business"
    PERSONAL = "personal"
