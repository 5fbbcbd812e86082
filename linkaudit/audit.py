"""The orchestrator: extract → group → check → report data. It never prints; an Observer sees progress.

`audit` is the library entry point the CLI calls; an interrupted run (Ctrl-C) still returns what was
checked, marked partial, because results are collected as they arrive. Hygiene findings are attached to
the citations before the check, and the URLs they suggest are checked with the cited ones.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import trio

from linkaudit.check import check_targets, group_occurrences
from linkaudit.check.resolve import Resolver
from linkaudit.check.suggestions import suggestion_items, with_suggestion_checks
from linkaudit.classify.run import RunDoubt, reconsider
from linkaudit.classify.severity import severity
from linkaudit.extract import ExtractResult
from linkaudit.extract.findings import add_findings
from linkaudit.models import AuditReport, FileError, UrlResult
from linkaudit.observer import NullObserver, Observer
from linkaudit.settings import CheckSettings

__all__ = ["AuditOutcome", "audit_extracted", "severity"]


@dataclass(frozen=True, slots=True)
class AuditOutcome:
    report: AuditReport
    interrupted: bool
    #: The run as a whole suggests the network failed, not the links (the CLI exits 2).
    doubt: RunDoubt | None = None


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
    items = group_occurrences(add_findings(extracted.occurrences))
    items += suggestion_items(items)
    observer.extracted(extracted.files, len(extracted.occurrences), len(items))
    results: list[UrlResult] = []
    started = time.monotonic()
    interrupted = False
    try:
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
    # Only the whole run can tell a dead network from dead links: judged once every result is in.
    revised, doubt = reconsider(results)
    if doubt is not None:
        observer.warning(doubt.message)
    cited = with_suggestion_checks(revised)
    ordered = sorted(
        cited, key=lambda r: (severity(r.judgement.verdict), r.target.url, r.target.fragment or "")
    )
    report = AuditReport(
        generated_at=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        files=extracted.files,
        links=len(extracted.occurrences),
        results=tuple(ordered),
        errors=tuple(extra_errors) + extracted.errors,
        settings=settings.as_dict(),
        partial=interrupted,
        elapsed_s=round(time.monotonic() - started, 3),
    )
    return AuditOutcome(report, interrupted, doubt)
