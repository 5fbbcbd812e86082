"""One order of verdicts for every report, and which verdicts are problems."""

from __future__ import annotations

import linkaudit.audit
from linkaudit.classify.severity import is_problem, severity
from linkaudit.models import Verdict


def test_every_verdict_has_a_place_and_problems_are_the_not_working_ones() -> None:
    assert sorted(severity(v) for v in Verdict) == list(range(len(Verdict)))
    assert {v for v in Verdict if not is_problem(v)} == {Verdict.LIVE, Verdict.REDIRECTED, Verdict.SKIPPED}


def test_the_audit_orders_results_by_the_same_severity() -> None:
    assert linkaudit.audit.severity is severity
