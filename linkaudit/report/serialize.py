"""Plain-data forms of the domain model, shared by every machine-readable report.

The field names are a public contract (`linkaudit.extract/1`, `linkaudit.report/1`): add, never rename.
"""

from __future__ import annotations

from typing import Any

from linkaudit.models import Attempt, Evidence, FileError, Hop, Occurrence, TargetStatus

__all__ = ["attempt_dict", "error_dict", "hop_dict", "occurrence_dict"]


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
    return item


def error_dict(error: FileError) -> dict[str, str]:
    return {"file": error.file, "message": error.message}


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


def evidence_headers(evidence: Evidence) -> dict[str, str]:
    return dict(evidence.extra)
