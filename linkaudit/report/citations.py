"""What every report format says about a citation, said once.

The machine formats (CSV rows, JUnit test cases, SARIF results) take one unit each: a citation, a URL
and one place it is cited, in reading order (`every_citation`). Whether it fails the run is the run's own
`--fail-on`, read back from its settings (`failing_verdicts`). How the evidence reads in one line
(`evidence_summary`), which archived copy to offer (`archive_link`) and which URLs may become links at
all (`web_url`: http and https only, never `javascript:`) are decided here, so no two formats differ.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from linkaudit.classify.soft import explain
from linkaudit.models import AuditReport, UrlResult, Verdict
from linkaudit.report.digest import Citation, describe_reason

__all__ = [
    "FILE_ERROR",
    "archive_link",
    "counted",
    "every_citation",
    "evidence_summary",
    "failing_verdicts",
    "fails_on_file_errors",
    "run_totals",
    "shown_target",
    "web_url",
]

FILE_ERROR = "file-error"
"""The `--fail-on` word for an article that could not be read."""
_WEB = re.compile(r"https?://[^\s]+", re.IGNORECASE)
_DEFAULT_FAIL_ON = frozenset({Verdict.DEAD, Verdict.SOFT_DEAD, Verdict.USURPED})


def failing_verdicts(report: AuditReport) -> frozenset[Verdict]:
    """The verdicts that fail the run (exit 1): its `--fail-on` as recorded in its settings, else the
    default (`dead`, `soft-dead`, `usurped`)."""
    recorded = report.settings.get("fail_on")
    if not isinstance(recorded, (list, tuple, set, frozenset)):
        return _DEFAULT_FAIL_ON
    verdicts = set()
    for value in recorded:
        try:
            verdicts.add(Verdict(value))
        except ValueError:
            continue  # a verdict a newer linkaudit knows: nothing of ours has it
    return frozenset(verdicts)


def fails_on_file_errors(report: AuditReport) -> bool:
    """Whether an unreadable article fails the run (`--fail-on … file-error`, the default)."""
    recorded = report.settings.get("fail_on")
    if not isinstance(recorded, (list, tuple, set, frozenset)):
        return True
    return FILE_ERROR in recorded


def every_citation(report: AuditReport) -> Iterator[Citation]:
    """Each (URL, place cited) pair once, in reading order: by file, line, column, then URL."""
    pairs = [Citation(result, occ) for result in report.results for occ in result.occurrences]
    pairs.sort(key=lambda c: (c.occurrence.file, c.occurrence.line, c.occurrence.column, c.result.target.url))
    return iter(pairs)


def web_url(url: str | None) -> str | None:
    """`url` when it is an absolute http(s) URL without spaces, safe to make a link of; else None."""
    if url is None or not _WEB.fullmatch(url):
        return None
    return url


def archive_link(result: UrlResult) -> str | None:
    """The URL of an archived copy of the target, when the archive stage found one (`archive.url`)."""
    archive = result.extra_fields.get("archive")
    if isinstance(archive, dict):
        url = archive.get("url")
        if isinstance(url, str):
            return web_url(url)
    return None


def shown_target(result: UrlResult, raw: str) -> str:
    """What a report shows as the target: a checked http(s) URL as normalized (with the fragment, for the
    entry of a fragment its page lacks), anything else as written."""
    target = result.target
    if not target.is_http:
        return raw or target.url
    return target.url if target.fragment is None else f"{target.url}#{target.fragment}"


def counted(number: int, noun: str) -> str:
    """`1 file`, `1,204 files`."""
    return f"{number:,} {noun}" + ("" if number == 1 else "s")


def run_totals(report: AuditReport) -> str:
    """`12 files · 140 links · 96 distinct URLs · 3.2 s`: what the run looked at."""
    totals = [
        counted(report.files, "file"),
        counted(report.links, "link"),
        counted(len(report.results), "distinct URL"),
    ]
    if report.elapsed_s:
        totals.append(f"{report.elapsed_s:,.1f} s")
    return " · ".join(totals)


def evidence_summary(result: UrlResult) -> str:
    """The evidence behind a verdict in one line: the status chain, where it ended, the requests made.

    E.g. `301 → 308 → 200 at https://new.example/home · 3 requests, 105 ms`, `timeout · 4 requests,
    80,012 ms · read timed out`. A target never requested gives its detail (why it was skipped).
    """
    evidence = result.evidence
    if evidence is None:
        return result.target.detail or describe_reason(result.judgement.reason)
    if evidence.short_circuited:
        return f"not requested: {evidence.detail or 'its host was given up on'}"
    parts: list[str] = []
    if evidence.status is not None:
        chain = [str(hop.status) for hop in evidence.redirects] + [str(evidence.status)]
        head = " → ".join(chain) if len(chain) > 1 else f"HTTP {evidence.status}"
        if evidence.redirects and evidence.final_url and evidence.final_url != evidence.url:
            head += f" at {evidence.final_url}"
        parts.append(head)
    elif evidence.error is not None:
        parts.append(evidence.error.value)
    if evidence.content_type:
        parts.append(evidence.content_type)
    if evidence.attempts:
        elapsed = sum(attempt.elapsed_ms for attempt in evidence.attempts)
        parts.append(f"{counted(len(evidence.attempts), 'request')}, {elapsed:,} ms")
    if evidence.detail:
        parts.append(evidence.detail)
    why = explain(evidence, result.judgement)
    if why:
        parts.append(why)
    return " · ".join(parts)
