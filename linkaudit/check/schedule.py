"""Limits on requests in flight that hand a free place to the most urgent waiter, not the first.

A run lasts at least as long as its busiest host needs (its URLs, at its politeness limits). When the
global limit is full, which is also when the event loop is busiest, a first-come queue makes that host
wait as long as one with two URLs, and every second it waits is added to the run. `PriorityLimiter` lets
the waiter whose host has the most work left go first; hosts with less work have time to spare. Each
host's own limit is one too (`HostGate`): there a URL already under way (a retry, a redirect hop, a GET
after its HEAD) goes before fresh URLs, so a long chain is not started late; and its size can change
while the run goes on (a host that says "slow down" gets fewer places, then its places back).
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import trio

__all__ = ["PriorityLimiter"]


class _Waiter:
    __slots__ = ("abandoned", "granted")

    def __init__(self) -> None:
        self.granted = trio.Event()
        self.abandoned = False


class PriorityLimiter:
    """At most `total` holders at once; when full, the waiter with the highest priority is served next."""

    def __init__(self, total: int) -> None:
        if total < 1:
            raise ValueError("a limit needs at least one place")
        self._total = total
        self.borrowed = 0
        self._waiting = 0  # waiters not abandoned (the queue drops abandoned ones lazily)
        self._queue: list[tuple[float, int, _Waiter]] = []
        self._order = itertools.count()

    @property
    def total_tokens(self) -> int:
        """Places in all (named as trio's `CapacityLimiter` names it)."""
        return self._total

    @total_tokens.setter
    def total_tokens(self, total: int) -> None:
        """Fewer places take effect as holders leave (none is revoked); more are handed out at once."""
        if total < 1:
            raise ValueError("a limit needs at least one place")
        self._total = total
        while self.borrowed < self._total and self._grant_next():
            self.borrowed += 1

    @asynccontextmanager
    async def hold(self, priority: float) -> AsyncIterator[None]:
        """Hold one place for the duration of the block; `priority` orders waiters (higher first)."""
        if self.borrowed < self._total and not self._waiting:
            self.borrowed += 1
            try:
                await trio.lowlevel.checkpoint()
            except BaseException:
                self._release()
                raise
        else:
            waiter = _Waiter()
            heapq.heappush(self._queue, (-priority, next(self._order), waiter))
            self._waiting += 1
            try:
                await waiter.granted.wait()
            except BaseException:
                if waiter.granted.is_set():
                    self._release()  # the place was handed to us as we were cancelled: pass it on
                else:
                    waiter.abandoned = True
                    self._waiting -= 1
                raise
        try:
            yield
        finally:
            self._release()

    def _release(self) -> None:
        """Hand the place to the first waiter still waiting, or give it back (always, when the limit
        shrank below the places taken)."""
        if self.borrowed > self._total or not self._grant_next():
            self.borrowed -= 1

    def _grant_next(self) -> bool:
        """Wake the most urgent waiter still waiting; False when there is none."""
        while self._queue:
            _, _, waiter = heapq.heappop(self._queue)
            if not waiter.abandoned:
                self._waiting -= 1
                waiter.granted.set()
                return True
        return False
