"""`linkaudit diff OLD.json NEW.json`: what changed between two reports, as data.

Each URL (with its `#fragment`, for the entry of a missing fragment) is compared between the reports;
"failing" is a verdict the new report's `--fail-on` counts, on both sides, so that a change of
`--fail-on` is not mistaken for links that broke. Listed, in this order:

- `newly-failing`: failing in NEW, and not in OLD (absent, or not failing there);
- `fixed`: failing in OLD, cited in NEW and no longer failing;
- `gone`: failing in OLD, no longer cited in NEW (an article changed, or NEW checked fewer files);
- `changed`: cited in both with another verdict, neither of the above (`redirected` → `live`,
  `dead` → `usurped`).

The formats are in `linkaudit.ci.diff_report`; `linkaudit diff` exits 1 when something newly fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from linkaudit.classify.severity import severity
from linkaudit.models import AuditReport, Occurrence, UrlResult, Verdict
from linkaudit.report.citations import failing_verdicts

__all__ = ["CHANGE_TITLES", "Change", "DiffEntry", "ReportDiff", "diff_reports"]


class Change(StrEnum):
    """How a URL changed between two reports (a public string: add members, never rename)."""

    NEWLY_FAILING = "newly-failing"
    FIXED = "fixed"
    GONE = "gone"
    CHANGED = "changed"


_ORDER = {change: rank for rank, change in enumerate(Change)}

#: How each kind of change is headed in the human formats.
CHANGE_TITLES = {
    Change.NEWLY_FAILING: "Newly failing",
    Change.FIXED: "Fixed",
    Change.GONE: "No longer cited",
    Change.CHANGED: "Changed verdict",
}


@dataclass(frozen=True, slots=True)
class DiffEntry:
    """One URL that changed: its verdicts before and after (None: not in that report), where it is cited
    (in NEW; in OLD for a URL gone)."""

    change: Change
    url: str
    fragment: str | None
    before: UrlResult | None
    after: UrlResult | None

    @property
    def shown(self) -> UrlResult:
        result = self.after if self.after is not None else self.before
        assert result is not None
        return result

    @property
    def citations(self) -> tuple[Occurrence, ...]:
        return tuple(sorted(self.shown.occurrences, key=lambda o: (o.file, o.line, o.column)))


@dataclass(frozen=True, slots=True)
class ReportDiff:
    """The changes between `old` and `new`, newly failing first, then by URL."""

    old: AuditReport
    new: AuditReport
    fail_on: frozenset[Verdict]
    entries: tuple[DiffEntry, ...]

    def count(self, change: Change) -> int:
        return sum(1 for entry in self.entries if entry.change is change)

    @property
    def newly_failing(self) -> bool:
        return any(entry.change is Change.NEWLY_FAILING for entry in self.entries)


def _change(before: UrlResult | None, after: UrlResult | None, fail_on: frozenset[Verdict]) -> Change | None:
    failed = before is not None and before.judgement.verdict in fail_on
    fails = after is not None and after.judgement.verdict in fail_on
    if fails and not failed:
        return Change.NEWLY_FAILING
    if failed and after is None:
        return Change.GONE
    if failed and not fails:
        return Change.FIXED
    if before is not None and after is not None and before.judgement.verdict != after.judgement.verdict:
        return Change.CHANGED
    return None


def diff_reports(old: AuditReport, new: AuditReport) -> ReportDiff:
    """Compare two reports URL by URL (see the module docstring)."""
    fail_on = failing_verdicts(new)
    before = {(r.target.url, r.target.fragment): r for r in old.results}
    after = {(r.target.url, r.target.fragment): r for r in new.results}
    entries: list[DiffEntry] = []
    for key in before.keys() | after.keys():
        change = _change(before.get(key), after.get(key), fail_on)
        if change is not None:
            entries.append(DiffEntry(change, key[0], key[1], before.get(key), after.get(key)))
    entries.sort(
        key=lambda e: (_ORDER[e.change], severity(e.shown.judgement.verdict), e.url, e.fragment or "")
    )
    return ReportDiff(old, new, fail_on, tuple(entries))
