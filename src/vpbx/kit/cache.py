"""A per-process cache of values that are valid while a version stamp is unchanged.

API nodes are stateless: the database is the authority and keeps each value's version
(e.g. a tenant's `plan_version`, bumped by triggers on every change). A node keeps the
value it built for a version and rebuilds it when the version it reads differs, so a
change made through any node counts on the next request of every node.

Entries also age out after `max_age_s`: a safety net for what a version cannot see
(a database restored from a backup rewinds its counters).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class VersionedCache(Generic[V]):
    """At most `capacity` values, least recently used dropped first; thread-safe (the
    API serves synchronous endpoints from a thread pool)."""

    def __init__(self, capacity: int, max_age_s: float = 60.0) -> None:
        if capacity < 1 or max_age_s <= 0:
            raise ValueError("capacity must be at least 1 and max_age_s positive")
        self.capacity = capacity
        self.max_age_s = max_age_s
        self._entries: OrderedDict[Hashable, tuple[Hashable, float, V]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, version: Hashable) -> V | None:
        """The value kept for `key` if it was built for `version` (and is not too old),
        else None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != version:
                return None
            if time.monotonic() - entry[1] > self.max_age_s:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry[2]

    def put(self, key: Hashable, version: Hashable, value: V) -> None:
        with self._lock:
            self._entries[key] = (version, time.monotonic(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
