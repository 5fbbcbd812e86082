"""What one URL may cost: its time budget, and a bounded record of what was tried.

A hostile server can keep one URL busy for minutes (a slow redirect per hop, retried) and make it
record thousands of attempts and hops of 60 KB URLs. `Budget` bounds the time a URL takes, across all
its tries and hops (waiting for its turn at a polite host excepted); `Kept` keeps the first and the last
few items of a sequence and counts the rest, so that memory and the report stay small whatever the
server does.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import Generic, TypeVar

import trio

__all__ = ["KEEP", "MAX_KEPT_TEXT", "Budget", "Kept", "clip"]

#: Attempts and hops kept at each end of a URL's record (real ones rarely exceed a dozen in all).
KEEP = 8
#: URLs and details longer than this are cut in the record (the request itself used them whole).
MAX_KEPT_TEXT = 2048

T = TypeVar("T")


def clip(text: str, limit: int = MAX_KEPT_TEXT) -> str:
    """`text`, or its beginning and a note of how much was cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}…[{len(text) - limit:,} more characters]"


class Kept(Generic[T]):
    """The first and the last `keep` items appended, and how many in between were left out."""

    __slots__ = ("_head", "_keep", "_open", "_tail", "omitted")

    def __init__(self, keep: int = KEEP) -> None:
        self._keep = keep
        self._head: list[T] = []
        self._tail: deque[T] = deque(maxlen=keep)
        self._open = True  # the head still takes items
        self.omitted = 0

    def append(self, item: T) -> None:
        if self._open and len(self._head) < self._keep:
            self._head.append(item)
            return
        self._open = False
        if len(self._tail) == self._keep:
            self.omitted += 1
        self._tail.append(item)

    def extend(self, other: Kept[T]) -> None:
        """Append another record's items, its left-out ones counted as left out here too."""
        for item in other._head:
            self.append(item)
        if other.omitted:
            self._open = False
            self.omitted += other.omitted
        for item in other._tail:
            self.append(item)

    def items(self) -> tuple[T, ...]:
        return (*self._head, *self._tail)

    def __len__(self) -> int:
        """How many were appended, kept or not."""
        return len(self._head) + len(self._tail) + self.omitted

    @classmethod
    def of(cls, items: Iterable[T], keep: int = KEEP) -> Kept[T]:
        kept: Kept[T] = cls(keep)
        for item in items:
            kept.append(item)
        return kept


class Budget:
    """The seconds one URL may still take, from its first request on, all tries and hops included.

    Time spent waiting for a turn (the host's spacing and concurrency, the global limit, a pause a host
    asked for) is `excuse`d: that is politeness, bounded by its own settings, not this URL's cost.
    """

    __slots__ = ("excused", "limit", "started")

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self.started = trio.current_time()
        self.excused = 0.0

    def spent(self) -> float:
        return trio.current_time() - self.started - self.excused

    def remaining(self) -> float:
        return self.limit - self.spent()

    @property
    def exhausted(self) -> bool:
        return self.remaining() <= 0

    def excuse(self, seconds: float) -> None:
        self.excused += max(0.0, seconds)

    def companion(self) -> Budget:
        """This budget for a try running beside another of the same URL: the same time, but its waits
        for a turn overlap the other's (excused or charged already), so it excuses nothing."""
        return _Companion(self)

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` (a retry's backoff), no longer than the budget has left."""
        await trio.sleep(max(0.0, min(seconds, self.remaining())))


class _Companion(Budget):
    __slots__ = ("_of",)

    def __init__(self, of: Budget) -> None:
        self._of = of
        self.limit = of.limit

    def spent(self) -> float:
        return self._of.spent()

    def excuse(self, seconds: float) -> None:
        pass
