"""The orchestrator: extract → group → check → report data. It never prints; an Observer sees progress.

`audit` is the library entry point the CLI calls; an interrupted run (Ctrl-C, or whatever the caller
turns into a KeyboardInterrupt) still returns what was checked, marked partial, with the URLs it did not
reach, because results are collected as they arrive.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import trio

from linkaudit.check import CheckItem, check_targets, group_occurrences
from linkaudit.check.resolve import Resolver
from linkaudit.extract import ExtractResult
from linkaudit.models import AuditReport, FileError, FileWarning, TargetStatus, UrlResult, Verdict
from linkaudit.observer import NullObserver, Observer
from linkaudit.settings import CheckSettings

__all__ = ["AuditOutcome", "audit_extracted", "severity"]

_SEVERITY = {
    Verdict.DEAD: 0,
    Verdict.SOFT_DEAD: 1,
    Verdict.USURPED: 2,
    Verdict.UNREACHABLE: 3,
    Verdict.INVALID: 4,
    Verdict.BLOCKED: 5,
    Verdict.RATE_LIMITED: 6,
    Verdict.REDIRECTED: 7,
    Verdict.SKIPPED: 8,
    Verdict.LIVE: 9,
}


def severity(verdict: Verdict) -> int:
    """Sort key: worst first."""
    return _SEVERITY.get(verdict, 5)


@dataclass(frozen=True, slots=True)
class AuditOutcome:
    report: AuditReport
    interrupted: bool


def audit_extracted(
    extracted: ExtractResult,
    settings: CheckSettings,
    *,
    observer: Observer | None = None,
    resolver: Resolver | None = None,
    extra_errors: Sequence[FileError] = (),
) -> AuditOutcome:
    """Check what extraction found. KeyboardInterrupt stops the run and returns a partial report."""
    observer = observer or NullObserver()
    results: list[UrlResult] = []
    items: list[CheckItem] = []
    started = time.monotonic()
    interrupted = False
    try:
        items = group_occurrences(extracted.occurrences)
        observer.extracted(extracted.files, len(extracted.occurrences), len(items))
        trio.run(
            lambda: check_targets(
                items, settings, on_result=results.append, observer=observer, resolver=resolver
            ),
            strict_exception_groups=True,
        )
    except KeyboardInterrupt:
        interrupted = True
    except BaseExceptionGroup as group:
        if not group.subgroup(KeyboardInterrupt):
            raise
        interrupted = True
    done = {result.target.url for result in results}
    # What an interrupted run did not reach: the targets that needed a check (not skipped or invalid ones).
    wanted = {item.target.url for item in items if item.target.status is TargetStatus.OK}
    pending = sorted(wanted - done) if interrupted else []
    ordered = sorted(results, key=lambda r: (severity(r.judgement.verdict), r.target.url))
    problems = (*extra_errors, *extracted.errors)
    report = AuditReport(
        generated_at=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        files=extracted.files,
        links=len(extracted.occurrences),
        results=tuple(ordered),
        errors=tuple(p for p in problems if not isinstance(p, FileWarning)),
        settings=settings.as_dict(),
        partial=interrupted,
        elapsed_s=round(time.monotonic() - started, 3),
        warnings=tuple(p for p in problems if isinstance(p, FileWarning)),
        pending=tuple(pending),
    )
    return AuditOutcome(report, interrupted)
