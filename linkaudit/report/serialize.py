"""Plain-data forms of the domain model, shared by every machine-readable report.

The field names are a public contract (`linkaudit.extract/1`, `linkaudit.report/1`): add, never rename.
"""

from __future__ import annotations

from typing import Any

from linkaudit.classify.soft import explain
from linkaudit.models import (
    ArticleFile,
    Attempt,
    Evidence,
    FileError,
    FileWarning,
    Finding,
    HistoryNote,
    Hop,
    Occurrence,
    SoftEvidence,
    TargetStatus,
    UrlResult,
)

__all__ = [
    "archive_fields",
    "article_dict",
    "attempt_dict",
    "error_dict",
    "finding_dict",
    "history_dict",
    "hop_dict",
    "occurrence_dict",
    "report_error_dict",
    "soft_dict",
    "url_result_dict",
    "warning_dict",
]


def occurrence_dict(occ: Occurrence, *, with_target: bool = True) -> dict[str, Any]:
    """An occurrence as `extract` reports it; `with_target=False` drops the fields its URL entry holds."""
    item: dict[str, Any] = {}
    if with_target:
        target = occ.target
        item["url"] = target.url if target.status is not TargetStatus.INVALID else occ.raw
        if target.fragment is not None:
            item["fragment"] = target.fragment
    item.update(
        raw=occ.raw,
        kind=occ.kind.value,
        text=occ.text,
        file=occ.file,
        line=occ.line,
        column=occ.column,
        start=occ.start,
        end=occ.end,
        template=occ.template,
    )
    if occ.title:
        item["title"] = occ.title
    if with_target:
        item["status"] = occ.target.status.value
        if occ.target.reason is not None:
            item["reason"] = occ.target.reason
        if occ.target.detail is not None:
            item["detail"] = occ.target.detail
    return item


def error_dict(error: FileError) -> dict[str, str]:
    return {"file": error.file, "message": error.message}


def report_error_dict(error: FileError) -> dict[str, str | None]:
    """An unreadable article in a report: with `--baseline`, `known` when the baseline listed it too (it
    does not fail the run), else `new`; null without."""
    return {**error_dict(error), "baseline": error.baseline.value if error.baseline is not None else None}


def warning_dict(warning: FileWarning) -> dict[str, Any]:
    return {"file": warning.file, "line": warning.line, "column": warning.column, "message": warning.message}


def article_dict(article: ArticleFile) -> dict[str, Any]:
    """An audited article: `path` (relative to the report's `root`), `sha256`, and its citation date."""
    cited = article.cited
    return {
        "path": article.path,
        "sha256": article.sha256,
        "cited_at": cited.cited_at.isoformat() if cited is not None else None,
        "cited_at_source": cited.source.value if cited is not None else None,
    }


def hop_dict(hop: Hop) -> dict[str, Any]:
    return {"url": hop.url, "status": hop.status}


def attempt_dict(attempt: Attempt) -> dict[str, Any]:
    return {
        "method": attempt.method,
        "url": attempt.url,
        "status": attempt.status,
        "error": attempt.error.value if attempt.error is not None else None,
        "detail": attempt.detail,
        "elapsed_ms": attempt.elapsed_ms,
    }


def finding_dict(finding: Finding) -> dict[str, Any]:
    """A hygiene finding; the suggested URL's verdict and reason are null until it has been checked.
    `baseline`: with `--baseline`, `known` when the baseline had it too, else `new`; null without."""
    check = finding.suggestion_check
    return {
        "kind": finding.kind.value,
        "detail": finding.detail,
        "suggestion": finding.suggestion,
        "suggestion_verdict": check.verdict.value if check is not None else None,
        "suggestion_reason": check.reason if check is not None else None,
        "baseline": finding.baseline.value if finding.baseline is not None else None,
    }


def evidence_headers(evidence: Evidence) -> dict[str, str]:
    return dict(evidence.extra)


def _cited_dict(occ: Occurrence) -> dict[str, Any]:
    """An occurrence inside a URL entry: the extract fields, plus what differs between citations of one URL.

    Keys are never omitted here (`title` and `fragment` are null when absent), so consumers can index freely.
    """
    item = occurrence_dict(occ, with_target=False)
    item.setdefault("title", None)
    item["fragment"] = occ.target.fragment
    item["findings"] = [finding_dict(finding) for finding in occ.findings]
    return item


def _citation_order(occ: Occurrence) -> tuple[str, int, int, int]:
    return (occ.file, occ.start, occ.line, occ.column)


def url_result_dict(result: UrlResult) -> dict[str, Any]:
    """One URL entry of `linkaudit.report/1`: verdict, the evidence behind it and every citation.

    Skipped and invalid targets have no evidence: their evidence fields are null or empty lists, never
    missing, so every entry has the same keys. `fragment` is set only on the entry of a fragment its page
    lacks (the page's own entry, with the citations that land, has null).
    """
    entry = _url_entry(result)
    # `--baseline`: whether a failing URL was failing in the baseline already; null otherwise.
    entry["baseline"] = result.baseline.value if result.baseline is not None else None
    # `--baseline`: the URL's verdict there (SARIF's baselineState); null when absent or without one.
    entry["baseline_verdict"] = result.baseline_verdict.value if result.baseline_verdict is not None else None
    for key, value in result.extra_fields.items():
        entry.setdefault(key, value)  # fields a newer linkaudit wrote, read back: never over ours
    return entry


def _url_entry(result: UrlResult) -> dict[str, Any]:
    judgement = result.judgement
    evidence = result.evidence
    occurrences = result.occurrences
    if len(occurrences) > 1:
        occurrences = tuple(sorted(occurrences, key=_citation_order))
    if evidence is None:
        return {
            "url": result.target.url,
            "verdict": judgement.verdict.value,
            "reason": judgement.reason,
            "http_status": None,
            "final_url": None,
            "permanent": judgement.permanent,
            "redirects": [],
            "content_type": None,
            "checked_at": None,
            "error": None,
            "detail": result.target.detail,
            "short_circuited": False,
            "attempts": [],
            "occurrences": [_cited_dict(occ) for occ in occurrences],
            "fragment": result.target.fragment,
            "attempts_omitted": 0,
            "redirects_omitted": 0,
            "soft": None,
            **history_dict(result.history),
            **archive_fields(result),
        }
    return {
        "url": result.target.url,
        "verdict": judgement.verdict.value,
        "reason": judgement.reason,
        "http_status": evidence.status,
        "final_url": evidence.final_url,
        "permanent": judgement.permanent,
        "redirects": [hop_dict(hop) for hop in evidence.redirects],
        "content_type": evidence.content_type,
        "checked_at": evidence.checked_at or None,
        "error": evidence.error.value if evidence.error is not None else None,
        "detail": evidence.detail,
        "short_circuited": evidence.short_circuited,
        "attempts": [attempt_dict(attempt) for attempt in evidence.attempts],
        "occurrences": [_cited_dict(occ) for occ in occurrences],
        "fragment": result.target.fragment,
        # A hostile URL's thousands of attempts or hops: the first and last few are listed, these counted.
        "attempts_omitted": evidence.attempts_omitted,
        "redirects_omitted": evidence.redirects_omitted,
        "soft": soft_dict(evidence.soft, explain(evidence, judgement)),
        **history_dict(result.history),
        **archive_fields(result),
    }


def soft_dict(soft: SoftEvidence | None, why: str | None = None) -> dict[str, Any] | None:
    """What the soft-rot examination saw (null when the URL was not examined), and `why` a soft verdict
    was given, in words (null for other verdicts)."""
    if soft is None:
        return None
    return {
        "why": why,
        "title": soft.title,
        "wording": soft.wording,
        "markers": list(soft.markers),
        "words": soft.words,
        "login_form": soft.login_form,
        "sibling_url": soft.sibling_url,
        "sibling_status": soft.sibling_status,
        "sibling_final_url": soft.sibling_final_url,
        "sibling_error": soft.sibling_error.value if soft.sibling_error is not None else None,
        "sibling_title": soft.sibling_title,
        "sibling_wording": soft.sibling_wording,
        "similarity": soft.similarity,
        "sibling_requests": soft.sibling_requests,
        "sibling_shared": soft.sibling_shared,
        "canonical": soft.canonical,
        "sibling_canonical": soft.sibling_canonical,
    }


def history_dict(note: HistoryNote | None) -> dict[str, Any]:
    """What the history store says: `reused`; for a failing URL `confirmed`, `failures`, `first_failed_at`
    (null, 0 and null for a URL not failing, and without a note)."""
    note = note or HistoryNote()
    return {
        "reused": note.reused,
        "confirmed": note.confirmed,
        "failures": note.failures,
        "first_failed_at": note.first_failed_at,
    }


def archive_fields(result: UrlResult) -> dict[str, Any]:
    """What the archive stage says about a URL: `archive` (the copy nearest the citation date) or
    `archive_error` with `archive_detail`; `cited_snapshot` for a citation that is an archived copy;
    `drift` (live page against the copy). Null when not looked up, not one, not measured."""
    lookup = result.archive
    copy = lookup.archived if lookup is not None else None
    cited = result.cited_snapshot
    drift = result.drift
    return {
        "archive": {
            "url": copy.url,
            "timestamp": copy.timestamp,
            "distance_days": copy.distance_days,
            "direction": copy.direction.value,
        }
        if copy is not None and lookup is not None
        else None,
        "archive_error": lookup.error.value if lookup is not None and lookup.error is not None else None,
        "archive_detail": lookup.detail if lookup is not None else None,
        "cited_at": lookup.cited_at.isoformat() if lookup is not None else None,
        "cited_snapshot": {
            "service": cited.service,
            "original": cited.original,
            "timestamp": cited.timestamp,
            "distance_days": cited.distance_days,
            "direction": cited.direction.value if cited.direction is not None else None,
        }
        if cited is not None
        else None,
        "drift": {
            "similarity": drift.similarity,
            "snapshot": drift.snapshot,
            "timestamp": drift.timestamp,
            "error": drift.error,
        }
        if drift is not None
        else None,
    }
