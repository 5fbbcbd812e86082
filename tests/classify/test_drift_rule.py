"""`deviated` as a pure function of the drift measured: a table."""

from __future__ import annotations

import pytest

from linkaudit.classify.drift import DRIFT_THRESHOLD, judge_drift
from linkaudit.models import Drift, Judgement, Verdict

LIVE = Judgement(Verdict.LIVE, "http-200")
MOVED = Judgement(Verdict.REDIRECTED, "http-301", permanent=True)
DEAD = Judgement(Verdict.DEAD, "http-404")


def drift(similarity: float | None, error: str | None = None) -> Drift:
    return Drift(
        "http://archive.example/web/20211230000000id_/http://a.example/", "20211230000000", similarity, error
    )


@pytest.mark.parametrize(
    ("judgement", "measured", "expected"),
    [
        (LIVE, drift(0.05), Judgement(Verdict.DEVIATED, "content-drift")),
        (MOVED, drift(0.05), Judgement(Verdict.DEVIATED, "content-drift", permanent=True)),
        (LIVE, drift(DRIFT_THRESHOLD - 0.001), Judgement(Verdict.DEVIATED, "content-drift")),
        (LIVE, drift(DRIFT_THRESHOLD), LIVE),
        (LIVE, drift(0.95), LIVE),
        (LIVE, drift(None, "the archived copy: HTTP 404"), LIVE),  # not measured: no claim
        (LIVE, None, LIVE),
        (DEAD, drift(0.0), DEAD),  # a dead page has worse news than drift
    ],
)
def test_drift_table(judgement: Judgement, measured: Drift | None, expected: Judgement) -> None:
    assert judge_drift(judgement, measured) == expected


def test_the_threshold_leaves_light_edits_and_catches_replacements() -> None:
    assert 0.5 <= DRIFT_THRESHOLD <= 0.75
