"""The fix stage's public surface is exactly what the `fix` command is meant to use."""

from __future__ import annotations

import linkaudit.fix

INTENDED = """DEFAULT_VERDICTS DocumentPlan Edit FileFix FilePlan FileSkipped FixMessage FixOutcome FixPlan
ReportError ReportFixes apply_fixes fixes_from_report plan_document plan_fixes plan_from_fixes
plan_from_report render_diff render_patch rewrite"""


def test_public_surface() -> None:
    assert sorted(linkaudit.fix.__all__) == INTENDED.split()
    assert all(hasattr(linkaudit.fix, name) for name in linkaudit.fix.__all__)
