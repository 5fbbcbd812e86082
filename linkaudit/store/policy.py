"""How a run uses what the store remembers: how old a result may be and still serve, when a failure counts.

`HistoryPolicy` holds `--max-age`, `--confirm` and `--now`, parsed here. Confirmation follows
InternetArchiveBot: one failed check proves little (a host down for maintenance, a bad hour), so a
failing URL is reported as failing but `confirmed` only once it has failed `N` checks spanning at least
`DAYS` days, with no success between them. `failure_streak` is a pure function of past verdicts, tested
as a table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from linkaudit.models import Verdict

__all__ = [
    "DAY",
    "HistoryPolicy",
    "Streak",
    "failure_streak",
    "iso",
    "parse_confirm",
    "parse_duration",
    "parse_now",
]

DAY = 86_400
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": DAY, "w": 7 * DAY}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")
#: Verdicts that prove a URL answers: one of them ends a streak of failures.
_SUCCESS = frozenset({Verdict.LIVE, Verdict.REDIRECTED})


def parse_duration(text: str) -> int:
    """`30m`, `12h`, `1d`, `2w`, `1d12h` or `0` as seconds. Raises ValueError saying what is expected."""
    value = text.strip().lower()
    if value == "0":
        return 0
    parts = _DURATION.findall(value)
    if not parts or "".join(number + unit for number, unit in parts) != value:
        raise ValueError(f"{text!r}: expected a duration like 30m, 12h, 1d or 2w (or 0)")
    return round(sum(float(number) * _UNITS[unit] for number, unit in parts))


def parse_confirm(text: str) -> tuple[int, float]:
    """`N/DAYS` (e.g. `3/3`): N failed checks spanning at least DAYS days."""
    checks, sep, days = text.strip().partition("/")
    try:
        count, span = int(checks), float(days)
    except ValueError:
        raise ValueError(f"{text!r}: expected N/DAYS, e.g. 3/3 (3 failed checks over 3 days)") from None
    if not sep or count < 1 or span < 0:
        raise ValueError(f"{text!r}: expected N/DAYS with N >= 1 and DAYS >= 0, e.g. 3/3")
    return count, span


def parse_now(text: str) -> int:
    """An ISO-8601 date or time (UTC unless it says otherwise) as Unix seconds."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r}: expected an ISO-8601 date or time, e.g. 2025-03-01T12:00:00Z") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def iso(seconds: int) -> str:
    """Unix seconds as the reports write times: `2025-03-01T12:00:00Z`."""
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class HistoryPolicy:
    """`--max-age` (seconds; 0: always probe), `--confirm N/DAYS`, `--now` (Unix seconds; None: the clock)."""

    max_age: int = 0
    confirm_checks: int = 1
    confirm_days: float = 0.0
    now: int | None = None

    def confirmed(self, streak: Streak) -> bool:
        return streak.failures >= self.confirm_checks and streak.span >= self.confirm_days * DAY

    def as_dict(self) -> dict[str, object]:
        """As the JSON report's settings show it."""
        return {
            "max_age": self.max_age,
            "confirm": f"{self.confirm_checks}/{self.confirm_days:g}",
            "now": iso(self.now) if self.now is not None else None,
        }


@dataclass(frozen=True, slots=True)
class Streak:
    """Failed checks since the last success: how many, the first one's time, and the span to the last."""

    failures: int
    first_failed_at: int | None
    span: int


def failure_streak(checks: Iterable[tuple[int, Verdict]], failing: frozenset[Verdict]) -> Streak:
    """The streak of `(checked_at, verdict)` checks, newest first: failing verdicts count, a success ends it.

    Verdicts that are neither (blocked, rate-limited, ... when not in `failing`) neither count nor reset:
    they say nothing about whether the page is still there.
    """
    failures = 0
    first: int | None = None
    last: int | None = None
    for checked_at, verdict in checks:
        if verdict in failing:
            failures += 1
            first = checked_at
            last = checked_at if last is None else last
        elif verdict in _SUCCESS:
            break
    span = last - first if last is not None and first is not None else 0
    return Streak(failures, first, span)
