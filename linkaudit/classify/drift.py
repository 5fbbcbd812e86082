"""Content drift, decided: a live citation whose main text has left the archived copy is `deviated` (pure).

The evidence (`models.Drift`: the share of the archived copy's main text the live page still holds) is
gathered by the archive stage (`linkaudit.archive.drift`); the decision is this table. Only a page that
answers is judged (`live`, or `redirected` to where it now lives): a dead page has worse news, and one
that could not be compared keeps its verdict. `DRIFT_THRESHOLD` was calibrated on labelled pairs of
real-looking news pages in English and Chinese (`benchmarks/drift_bench.py`): furniture changes keep
0.93 or more, light edits (a fifth of the text changed) 0.79 or more, replaced articles 0.48 or less
(short articles whose own disclaimer footer survives), removed ones 0.03 or less.
"""

from __future__ import annotations

from linkaudit.models import Drift, Judgement, Verdict

__all__ = ["DRIFT_REASON", "DRIFT_THRESHOLD", "JUDGED_FOR_DRIFT", "judge_drift"]

#: Below this share of the cited main text still on the live page, the page has drifted.
DRIFT_THRESHOLD = 0.6
DRIFT_REASON = "content-drift"
#: Verdicts a drift measurement may turn into `deviated`.
JUDGED_FOR_DRIFT = frozenset({Verdict.LIVE, Verdict.REDIRECTED})


def judge_drift(judgement: Judgement, drift: Drift | None, threshold: float = DRIFT_THRESHOLD) -> Judgement:
    """`deviated` (`content-drift`) for a live page whose similarity is below `threshold`; else as it was."""
    if drift is None or drift.similarity is None or judgement.verdict not in JUDGED_FOR_DRIFT:
        return judgement
    if drift.similarity < threshold:
        return Judgement(Verdict.DEVIATED, DRIFT_REASON, judgement.permanent)
    return judgement
