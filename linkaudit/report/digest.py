"""What a human report lists, as data: problems per article, dead hosts and template links folded.

Every human format (the terminal report today; Markdown and HTML next) draws the same `ReportDigest`, so
no two formats fold a dead host, fold a template link or order problems in their own way. What is a
problem and in which order verdicts come is `linkaudit.classify.severity`; how a machine reason reads
in words is `describe_reason`. How many lines to show, and how, is each format's business.

Three things would drown an editor's to-do list on a real archive, so they are folded into one entry
each: a vanished host (45,000 URLs on one dead publisher are one problem, not 45,000), and a link in a
shared template (one fix, not one per article).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from http import HTTPStatus

from linkaudit.classify.severity import is_problem, severity
from linkaudit.models import AuditReport, Occurrence, UrlResult, Verdict
from linkaudit.report.text import printable

__all__ = [
    "FOLD_HOST_AT",
    "Citation",
    "FoldedHost",
    "FoldedTemplate",
    "ReportDigest",
    "VerdictCount",
    "describe_reason",
    "digest_report",
]

FOLD_HOST_AT = 10
"""A host with this many URLs failing at the connection level is shown as one line."""

_RANK = {verdict: severity(verdict) for verdict in Verdict}
_PROBLEMS = frozenset(verdict for verdict in Verdict if is_problem(verdict))

_REASON_TEXT = {
    "dns-not-found": "DNS name not found",
    "dns-failure": "DNS lookup failed",
    "connection-refused": "connection refused",
    "connection-reset": "connection reset",
    "connect-error": "cannot connect",
    "timeout": "timed out",
    "tls-error": "TLS error",
    "protocol-error": "broken HTTP answer",
    "too-many-redirects": "too many redirects",
    "redirect-loop": "redirect loop",
    "bad-redirect": "bad redirect",
    "file-missing": "file missing",
    "host-unreachable": "host unreachable",
    "blocked-address": "address not allowed",
    "private-address": "private address",
    "not-an-image": "not an image",
    "proxy-error": "proxy failed",
    "fragment-missing": "fragment missing",
    "challenge": "bot challenge",
    "bot-challenge": "bot challenge",
    "empty-destination": "empty link",
    "missing-host": "no host",
    "invalid-host": "bad host name",
    "invalid-port": "bad port",
    "misspelt-scheme": "misspelt scheme",
    "invalid-scheme": "bad scheme",
    "windows-path": "Windows path",
    "relative-url": "not an absolute URL",
    "spaces-in-url": "spaces in the URL",
    "unchecked-scheme": "scheme not checked",
    "absolute-file-url": "absolute file: URL",
    "excluded": "excluded",
    "local-not-checked": "local, not checked",
    "file-exists": "file exists",
    "benign-redirect": "same page",
    "soft-404": "soft 404",
    "redirect-to-home": "deep link sent home",
    "parked-domain": "parked domain",
}


def describe_reason(reason: str) -> str:
    """A machine reason (`http-404`, `dns-not-found`) as people read it; unknown reasons pass through."""
    if reason in _REASON_TEXT:
        return _REASON_TEXT[reason]
    prefix, _, code = reason.partition("-")
    if prefix == "http" and code.isdigit():
        try:
            return f"{code} {HTTPStatus(int(code)).phrase}"
        except ValueError:
            return f"HTTP {code}"
    return printable(reason)  # unknown: it may quote what an article or a server wrote


@dataclass(frozen=True, slots=True)
class Citation:
    """One problem as an article shows it: a result and one place it is cited."""

    result: UrlResult
    occurrence: Occurrence


@dataclass(frozen=True, slots=True)
class FoldedHost:
    """A host whose URLs failed at the connection level, shown once instead of in every article.

    `verdict`/`reason` are the most common real cause (a short-circuited URL was never requested, so its
    reason is derived); `other_reasons` counts the other causes seen on the same host.
    """

    host: str
    verdict: Verdict
    reason: str
    urls: int
    citations: int
    files: int
    other_reasons: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class FoldedTemplate:
    """A URL cited from a shared template: shown once with the number of files that carry it."""

    result: UrlResult
    files: int


@dataclass(frozen=True, slots=True)
class VerdictCount:
    """One row of the summary: distinct URLs with this verdict, and how often articles cite them."""

    verdict: Verdict
    urls: int
    citations: int


@dataclass(frozen=True, slots=True)
class ReportDigest:
    """What a human report shows, decided before anything is drawn (and testable as data).

    `by_file`: per article (by path), its citations to list, in reading order; `hosts` and `templates`:
    what is folded into one entry each; `verdicts`: the summary, worst verdict first, every URL counted.
    """

    by_file: tuple[tuple[str, tuple[Citation, ...]], ...]
    hosts: tuple[FoldedHost, ...]
    templates: tuple[FoldedTemplate, ...]
    verdicts: tuple[VerdictCount, ...]


def _host_failure(result: UrlResult) -> bool:
    evidence = result.evidence
    if evidence is None or result.judgement.verdict not in _PROBLEMS or not result.target.is_http:
        return False
    return evidence.short_circuited or (evidence.error is not None and evidence.error.is_connection_level)


def _fold_host(host: str, results: list[UrlResult]) -> FoldedHost:
    causes = Counter(
        (r.judgement.verdict, r.judgement.reason)
        for r in results
        if r.evidence is not None and not r.evidence.short_circuited
    )
    if not causes:
        causes = Counter((r.judgement.verdict, r.judgement.reason) for r in results)
    ranked = sorted(causes.items(), key=lambda item: (-item[1], _RANK[item[0][0]], item[0][1]))
    (verdict, reason), _ = ranked[0]
    files = {occ.file for r in results for occ in r.occurrences}
    return FoldedHost(
        host=host,
        verdict=verdict,
        reason=reason,
        urls=len(results),
        citations=sum(len(r.occurrences) for r in results),
        files=len(files),
        other_reasons=tuple((other, count) for (_, other), count in ranked[1:]),
    )


def digest_report(report: AuditReport, *, verbose: bool, fold_host_at: int = FOLD_HOST_AT) -> ReportDigest:
    """Decide what is listed per article and what is folded.

    A host is folded when any of its URLs was short-circuited (the engine already gave up on it) or when
    at least `fold_host_at` of its URLs failed at the connection level. Template citations of a listed URL
    are folded into one line per URL; its other citations stay with their articles.
    """
    failing_by_host: defaultdict[str, list[UrlResult]] = defaultdict(list)
    for result in report.results:
        if _host_failure(result):
            failing_by_host[result.target.host].append(result)
    hosts: list[FoldedHost] = []
    folded_urls: set[str] = set()
    for host, results in failing_by_host.items():
        if len(results) >= fold_host_at or any(r.evidence and r.evidence.short_circuited for r in results):
            hosts.append(_fold_host(host, results))
            folded_urls.update(r.target.url for r in results)

    by_file: defaultdict[str, list[Citation]] = defaultdict(list)
    templates: list[FoldedTemplate] = []
    for result in report.results:
        if not (verbose or result.judgement.verdict in _PROBLEMS) or result.target.url in folded_urls:
            continue
        template_files: set[str] = set()
        for occ in result.occurrences:
            if occ.template:
                template_files.add(occ.file)
            else:
                by_file[occ.file].append(Citation(result, occ))
        if template_files:
            templates.append(FoldedTemplate(result, len(template_files)))

    # Top to bottom, as an editor reads the file; the verdict is on every row, so severity only breaks ties.
    def citation_order(c: Citation) -> tuple[int, int, int, str]:
        return (
            c.occurrence.line,
            c.occurrence.column,
            _RANK[c.result.judgement.verdict],
            c.result.target.url,
        )

    urls = Counter(r.judgement.verdict for r in report.results)
    citations: Counter[Verdict] = Counter()
    for r in report.results:
        citations[r.judgement.verdict] += len(r.occurrences)
    return ReportDigest(
        by_file=tuple((file, tuple(sorted(cs, key=citation_order))) for file, cs in sorted(by_file.items())),
        hosts=tuple(sorted(hosts, key=lambda h: (-h.urls, h.host))),
        templates=tuple(
            sorted(
                templates, key=lambda t: (_RANK[t.result.judgement.verdict], -t.files, t.result.target.url)
            )
        ),
        verdicts=tuple(VerdictCount(v, urls[v], citations[v]) for v in sorted(urls, key=_RANK.__getitem__)),
    )
