"""Which archived capture to offer for a citation: pure, as InternetArchiveBot chooses.

The latest capture that answered 200, 203 or 206 at or before the end of the citation date (UTC), so the
reader sees the page as the author could have; if there is none, the earliest such capture after it.
Captures of redirects, errors and revisit records (status `-`) are never offered: they show a different
page, or none. `distance_days` counts whole days between the capture's UTC date and the citation date.

The CDX queries that find those two candidates are planned here too (`before_query`, `after_query`), so
the client only asks and the choice stays a function of the rows it got back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from linkaudit.models import ArchivedCopy, ArchiveDirection

__all__ = [
    "CDX_FIELDS",
    "OFFERED_STATUSES",
    "Capture",
    "after_query",
    "before_query",
    "choose_capture",
    "snapshot_url",
]

#: Statuses of captures worth offering: the page itself, whole or in part.
OFFERED_STATUSES = frozenset({200, 203, 206})
#: The CDX fields asked for, in this order.
CDX_FIELDS = ("timestamp", "original", "statuscode", "mimetype")
# The CDX server's filters are Java regexes matched against the whole field.
_STATUS_FILTER = "statuscode:" + "|".join(str(status) for status in sorted(OFFERED_STATUSES))


@dataclass(frozen=True, slots=True)
class Capture:
    """One row of a CDX answer. `status` is None for a revisit record or an unreadable status."""

    timestamp: str
    original: str
    status: int | None
    mimetype: str = ""

    @property
    def captured_on(self) -> date | None:
        """The capture's UTC date, or None when its timestamp is not `YYYYMMDD…` digits."""
        stamp = self.timestamp
        if len(stamp) < 8 or not stamp.isdigit():
            return None
        try:
            return date(int(stamp[:4]), int(stamp[4:6]), int(stamp[6:8]))
        except ValueError:
            return None


def _day(day: date) -> str:
    return f"{day:%Y%m%d}"


def before_query(url: str, cited_at: date) -> dict[str, str]:
    """CDX parameters for the latest offerable capture at or before the end of `cited_at` (UTC).

    `to=YYYYMMDD` is padded by the server to 235959 of that day; `limit=-1` asks for the last row only,
    which the Wayback Machine answers from its fast "latest" path; the status filter runs on the server,
    so a run of redirect captures after the last good one cannot hide it.
    """
    return {
        "url": url,
        "output": "json",
        "fl": ",".join(CDX_FIELDS),
        "filter": _STATUS_FILTER,
        "to": _day(cited_at),
        "limit": "-1",
    }


def after_query(url: str, cited_at: date) -> dict[str, str]:
    """CDX parameters for the earliest offerable capture after `cited_at`: asked only when there is none
    before. `from` is the next day, padded by the server to its first second; rows come oldest first."""
    return {
        "url": url,
        "output": "json",
        "fl": ",".join(CDX_FIELDS),
        "filter": _STATUS_FILTER,
        "from": _day(cited_at + timedelta(days=1)),
        "limit": "1",
    }


def snapshot_url(archive_url: str, timestamp: str, url: str, flag: str = "") -> str:
    """`{archive}/web/{timestamp}{flag}/{url}`; `flag="id_"` gives the capture's raw bytes."""
    return f"{archive_url.rstrip('/')}/web/{timestamp}{flag}/{url}"


def choose_capture(
    captures: Iterable[Capture], cited_at: date, *, archive_url: str, url: str
) -> ArchivedCopy | None:
    """The archived copy to offer for `url` cited on `cited_at`, or None when no capture qualifies.

    The rows may come from any query and in any order; those that cannot be offered are passed over
    here too, whatever filter the server applied. Among captures of the same second, the first wins.
    """
    end_of_day = _day(cited_at) + "235959"
    latest_before: Capture | None = None
    earliest_after: Capture | None = None
    for capture in captures:
        if capture.status not in OFFERED_STATUSES or capture.captured_on is None:
            continue
        stamp = capture.timestamp.ljust(14, "0")
        if stamp <= end_of_day:
            if latest_before is None or stamp > latest_before.timestamp.ljust(14, "0"):
                latest_before = capture
        elif earliest_after is None or stamp < earliest_after.timestamp.ljust(14, "0"):
            earliest_after = capture
    chosen = latest_before or earliest_after
    if chosen is None or chosen.captured_on is None:
        return None
    direction = ArchiveDirection.BEFORE if chosen is latest_before else ArchiveDirection.AFTER
    return ArchivedCopy(
        url=snapshot_url(archive_url, chosen.timestamp, url),
        timestamp=chosen.timestamp,
        distance_days=abs((chosen.captured_on - cited_at).days),
        direction=direction,
    )
