"""A run's timeline, for finding where its time goes: per host, each request and each change of pace.

Recorded only when asked (`linkaudit check --timeline FILE`, the check benchmark's `--timeline`): for every
request, when it was asked for, sent and answered, what it waited for before it went out (a place at its
host, the host's spacing, a pause the host asked for, the global limit, spacing on the wire) and why it
was made at all (a URL's first request, a redirect hop, a GET after a HEAD, a retry); for every host, when
its concurrency changed and when it was paused, with the reason; for every URL, when it started and ended.
Times are seconds from the start of the check. The core never prints: the caller writes `as_json()`.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from typing import Any

import trio

from linkaudit.models import Attempt

__all__ = ["CITED", "FORMAT", "HostEvent", "Span", "Timeline", "role_after"]

FORMAT = "linkaudit.timeline/1"

#: The cited URL the current task is probing (set per URL by the checker while a timeline is recorded).
CITED: contextvars.ContextVar[str] = contextvars.ContextVar("linkaudit_cited", default="")

_REDIRECTS = frozenset({301, 302, 303, 307, 308})


def role_after(previous: Attempt | None, method: str) -> str:
    """Why a URL's request was made, from the one before it: `first`, `hop` (a redirect's Location),
    `get-after-head` (the HEAD's answer was not enough), or `retry` (the same request again)."""
    if previous is None:
        return "first"
    if method == "GET" and previous.method == "HEAD":
        return "get-after-head"
    if previous.status in _REDIRECTS:
        return "hop"
    return "retry"


@dataclass(frozen=True, slots=True)
class Span:
    """One request. `waits` are seconds spent before it went out, by cause; `after` is the previous
    request of the same URL's outcome (why a GET followed a HEAD, why a retry was made)."""

    host: str
    of: str
    url: str
    method: str
    role: str
    after: str | None
    asked: float
    sent: float
    ended: float
    outcome: str
    waits: tuple[tuple[str, float], ...]


@dataclass(frozen=True, slots=True)
class HostEvent:
    """A change of a host's pace: `concurrency` (value: its new limit) or `pause` (value: seconds)."""

    host: str
    at: float
    kind: str
    value: float
    why: str


def _outcome(attempt: Attempt | None) -> str | None:
    if attempt is None:
        return None
    if attempt.status is not None:
        return str(attempt.status)
    return attempt.error.value if attempt.error is not None else "?"


class Timeline:
    """The recorder. Cheap enough to leave on for a whole run (a few µs per request)."""

    def __init__(self) -> None:
        self.origin = 0.0
        self.spans: list[Span] = []
        self.events: list[HostEvent] = []
        self.urls: dict[str, tuple[float, float]] = {}
        self._started: dict[str, float] = {}

    def begin(self) -> None:
        """The check starts now: every time is counted from here."""
        self.origin = trio.current_time()

    def _at(self, moment: float | None = None) -> float:
        return round((trio.current_time() if moment is None else moment) - self.origin, 4)

    def url_started(self, url: str) -> None:
        self._started[url] = self._at()

    def url_done(self, url: str) -> None:
        started = self._started.pop(url, None)
        if started is not None:
            self.urls[url] = (started, self._at())

    def request(
        self,
        host: str,
        url: str,
        method: str,
        previous: Attempt | None,
        attempt: Attempt,
        *,
        asked: float,
        sent: float,
        waits: dict[str, float],
    ) -> None:
        self.spans.append(
            Span(
                host=host,
                of=CITED.get(),
                url=url,
                method=method,
                role=role_after(previous, method),
                after=_outcome(previous),
                asked=self._at(asked),
                sent=self._at(sent),
                ended=self._at(),
                outcome=_outcome(attempt) or "?",
                waits=tuple((cause, round(seconds, 4)) for cause, seconds in waits.items() if seconds > 1e-4),
            )
        )

    def host_event(self, host: str, kind: str, value: float, why: str) -> None:
        self.events.append(HostEvent(host, self._at(), kind, round(value, 4), why))

    def as_json(self) -> dict[str, Any]:
        """Per host: its requests (in the order they ended) and its events; per URL: start and end."""
        hosts: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for span in self.spans:
            entry = hosts.setdefault(span.host, {"requests": [], "events": []})
            entry["requests"].append(
                {
                    "of": span.of,
                    "url": span.url,
                    "method": span.method,
                    "role": span.role,
                    "after": span.after,
                    "asked": span.asked,
                    "sent": span.sent,
                    "ended": span.ended,
                    "outcome": span.outcome,
                    "waits": dict(span.waits),
                }
            )
        for event in self.events:
            entry = hosts.setdefault(event.host, {"requests": [], "events": []})
            entry["events"].append(
                {"at": event.at, "kind": event.kind, "value": event.value, "why": event.why}
            )
        return {
            "format": FORMAT,
            "hosts": hosts,
            "urls": {url: {"started": start, "ended": end} for url, (start, end) in self.urls.items()},
        }
