"""CSV: one row per citation, every verdict, for spreadsheets and scripts (RFC 4180).

Rows come in reading order (file, line, column). Fields are quoted when they must be and lines end in
CRLF, as RFC 4180 says. Cells hold text from articles and servers, which a spreadsheet would run as a
formula if it starts with `=`, `+`, `-` or `@` (or a tab or CR, which some of them skip): such a cell
gets a leading `'`, as OWASP advises, so it is shown as text. Numbers are written as numbers.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from typing import TextIO

from linkaudit.models import AuditReport, UrlResult
from linkaudit.report.citations import (
    archive_distance,
    archive_link,
    article_dates,
    every_citation,
    evidence_summary,
    failing_verdicts,
    fails_run,
    finding_line,
)

__all__ = ["COLUMNS", "safe_cell", "write_csv_report"]

COLUMNS = (
    "file",
    "line",
    "column",
    "kind",
    "text",
    "raw",
    "url",
    "fragment",
    "verdict",
    "reason",
    "detail",
    "http_status",
    "final_url",
    "evidence",
    "archive_url",
    "template",
    "archive_timestamp",
    "archive_days",
    "archive_direction",
    "archive_error",
    "similarity",
    "findings",
    "fails_run",
    "baseline",
    "confirmed",
)
"""The header row; later versions add columns at the end, never rename or move one. `findings`: the
citation's hygiene findings, `kind: detail → suggestion (its verdict)`, separated by ` | `. `fails_run`:
whether the citation makes the run exit 1 (a `--fail-on` verdict the baseline did not know and `--confirm`
confirmed); `baseline`: `known` or `new` for a failing URL of a run with `--baseline`; `confirmed`:
`true`/`false` for a failing URL of a run with a history store."""

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def safe_cell(value: str) -> str:
    """`value` as a cell no spreadsheet runs: a leading `'` when it could start a formula. (A file name's
    bytes that are not UTF-8, held as lone surrogates, become U+FFFD: a UTF-8 file cannot hold them.)"""
    value = _LONE_SURROGATE.sub("\ufffd", value)
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _archive_cells(result: UrlResult, cited_at: date | None) -> list[str | int]:
    """The archived copy's capture time and days from this article's citation date, why there is none,
    and the live page's similarity to it."""
    lookup, drift = result.archive, result.drift
    copy = lookup.archived if lookup is not None else None
    distance = archive_distance(result, cited_at)
    return [
        copy.timestamp if copy is not None else "",
        distance[0] if distance is not None else "",
        distance[1].value if distance is not None else "",
        lookup.error.value if lookup is not None and lookup.error is not None else "",
        f"{drift.similarity:.3f}" if drift is not None and drift.similarity is not None else "",
    ]


def _flag(value: bool | None) -> str:
    return "" if value is None else "true" if value else "false"


def write_csv_report(report: AuditReport, out: TextIO) -> None:
    """Write the header and one row per citation."""
    writer = csv.writer(out, dialect="excel", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    dates = article_dates(report)
    failing = failing_verdicts(report)
    for citation in every_citation(report):
        result, occ = citation.result, citation.occurrence
        evidence = result.evidence
        detail = (evidence.detail if evidence is not None else None) or result.target.detail or ""
        row: list[str | int] = [
            safe_cell(occ.file),
            occ.line,
            occ.column,
            occ.kind.value,
            safe_cell(occ.text),
            safe_cell(occ.raw),
            safe_cell(result.target.url),
            safe_cell(occ.target.fragment or ""),
            result.judgement.verdict.value,
            safe_cell(result.judgement.reason),
            safe_cell(detail),
            evidence.status if evidence is not None and evidence.status is not None else "",
            safe_cell(evidence.final_url or "") if evidence is not None else "",
            safe_cell(evidence_summary(result)),
            safe_cell(archive_link(result) or ""),
            "true" if occ.template else "false",
            *_archive_cells(result, dates.get(occ.file)),
            safe_cell(" | ".join(finding_line(finding) for finding in occ.findings)),
            "true" if fails_run(result, failing) else "false",
            result.baseline.value if result.baseline is not None else "",
            _flag(result.history.confirmed if result.history is not None else None),
        ]
        writer.writerow(row)
