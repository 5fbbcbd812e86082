"""`--max-age`, `--confirm`, `--now` as parsed, and the confirmation rule as a table (pure, no store)."""

from __future__ import annotations

import pytest

from linkaudit.models import Verdict
from linkaudit.store.policy import (
    DAY,
    HistoryPolicy,
    Streak,
    failure_streak,
    iso,
    parse_confirm,
    parse_duration,
    parse_now,
)

DEAD, LIVE, BLOCKED, UNREACHABLE = Verdict.DEAD, Verdict.LIVE, Verdict.BLOCKED, Verdict.UNREACHABLE


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("0", 0),
        ("30m", 1800),
        ("12h", 43200),
        ("1d", DAY),
        ("2w", 14 * DAY),
        ("90s", 90),
        ("1d12h", DAY + 12 * 3600),
        ("1.5h", 5400),
        (" 1D ", DAY),
    ],
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "1", "d", "1y", "-1d", "1d-", "1 d", "one day", "1d 2h"])
def test_bad_durations_say_what_is_expected(text: str) -> None:
    with pytest.raises(ValueError, match="30m, 12h, 1d or 2w"):
        parse_duration(text)


@pytest.mark.parametrize(("text", "parsed"), [("1/0", (1, 0.0)), ("3/3", (3, 3.0)), ("2/0.5", (2, 0.5))])
def test_confirm(text: str, parsed: tuple[int, float]) -> None:
    assert parse_confirm(text) == parsed


@pytest.mark.parametrize("text", ["3", "0/3", "3/-1", "a/b", "/3", "3/"])
def test_bad_confirm(text: str) -> None:
    with pytest.raises(ValueError, match="N/DAYS"):
        parse_confirm(text)


def test_now_is_utc_unless_it_says_otherwise() -> None:
    assert parse_now("2025-03-01") == parse_now("2025-03-01T00:00:00Z") == 1740787200
    assert parse_now("2025-03-01T02:00:00+02:00") == 1740787200
    assert iso(1740787200) == "2025-03-01T00:00:00Z"
    with pytest.raises(ValueError, match="ISO-8601"):
        parse_now("yesterday")


FAILING = frozenset({DEAD})


@pytest.mark.parametrize(
    ("checks", "streak"),
    [
        # newest first: (day, verdict)
        ([(0, LIVE)], Streak(0, None, 0)),
        ([(0, DEAD)], Streak(1, 0, 0)),
        ([(2, DEAD), (1, DEAD), (0, DEAD)], Streak(3, 0, 2 * DAY)),
        # one success resets
        ([(3, DEAD), (2, LIVE), (1, DEAD), (0, DEAD)], Streak(1, 3, 0)),
        ([(3, Verdict.REDIRECTED), (2, DEAD)], Streak(0, None, 0)),
        # a verdict that is neither failing nor a success says nothing: it neither counts nor resets
        ([(3, DEAD), (2, BLOCKED), (1, UNREACHABLE), (0, DEAD)], Streak(2, 0, 3 * DAY)),
        ([], Streak(0, None, 0)),
    ],
)
def test_failure_streak(checks: list[tuple[int, Verdict]], streak: Streak) -> None:
    in_seconds = [(day * DAY, verdict) for day, verdict in checks]
    expected = Streak(
        streak.failures, None if streak.first_failed_at is None else streak.first_failed_at * DAY, streak.span
    )
    assert failure_streak(in_seconds, FAILING) == expected


def test_what_fails_is_what_fail_on_says() -> None:
    checks = [(2 * DAY, UNREACHABLE), (DAY, UNREACHABLE), (0, DEAD)]
    assert failure_streak(checks, frozenset({DEAD})).failures == 1
    assert failure_streak(checks, frozenset({DEAD, UNREACHABLE})).failures == 3


@pytest.mark.parametrize(
    ("confirm", "streak", "confirmed"),
    [
        ((1, 0.0), Streak(1, 0, 0), True),
        ((3, 3.0), Streak(2, 0, 5 * DAY), False),  # not enough checks
        ((3, 3.0), Streak(5, 0, 2 * DAY), False),  # not long enough
        ((3, 3.0), Streak(3, 0, 3 * DAY), True),
        ((2, 0.5), Streak(2, 0, DAY // 2), True),
    ],
)
def test_confirmed(confirm: tuple[int, float], streak: Streak, confirmed: bool) -> None:
    policy = HistoryPolicy(confirm_checks=confirm[0], confirm_days=confirm[1])
    assert policy.confirmed(streak) is confirmed
