"""How bad each verdict is: the one order every report lists verdicts in, and which verdicts are problems.

Exhaustive by construction: a new `Verdict` fails type-checking here (`assert_never`) until it is placed,
and a test checks that every verdict has its own rank.
"""

from __future__ import annotations

from typing import assert_never

from linkaudit.models import Verdict

__all__ = ["is_problem", "severity"]


def severity(verdict: Verdict) -> int:
    """Order of presentation, worst first. Exhaustive: a new verdict fails type-checking until placed."""
    match verdict:
        case Verdict.DEAD:
            return 0
        case Verdict.USURPED:
            return 1
        case Verdict.SOFT_DEAD:
            return 2
        case Verdict.INVALID:
            return 3
        case Verdict.UNREACHABLE:
            return 4
        case Verdict.BLOCKED:
            return 5
        case Verdict.RATE_LIMITED:
            return 6
        case Verdict.DEVIATED:
            return 7
        case Verdict.REDIRECTED:
            return 8
        case Verdict.SKIPPED:
            return 9
        case Verdict.LIVE:
            return 10
        case _:
            assert_never(verdict)


_PROBLEMS = frozenset(verdict for verdict in Verdict if severity(verdict) < severity(Verdict.REDIRECTED))


def is_problem(verdict: Verdict) -> bool:
    """Listed without --verbose. Redirects still work and skipped targets were never meant to be checked."""
    return verdict in _PROBLEMS
