"""Hand-built AuditReports from the real models: every verdict, redirects, dead hosts, templates, errors."""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from datetime import date

from linkaudit.check.fragments import split_by_fragment
from linkaudit.models import (
    Anchors,
    ArchivedCopy,
    ArchiveDirection,
    ArchiveLookup,
    Attempt,
    AuditReport,
    Drift,
    ErrorKind,
    Evidence,
    FileError,
    FileWarning,
    Finding,
    FindingKind,
    Hop,
    Judgement,
    LinkKind,
    Occurrence,
    Target,
    TargetStatus,
    UrlResult,
    Verdict,
)

CHECKED_AT = "2026-05-01T12:00:00Z"


def cite(
    url: str,
    file: str = "articles/a.md",
    line: int = 1,
    column: int = 1,
    *,
    text: str = "link text",
    kind: LinkKind = LinkKind.LINK,
    template: bool = False,
    status: TargetStatus = TargetStatus.OK,
    reason: str | None = None,
    fragment: str | None = None,
    title: str = "",
    detail: str | None = None,
) -> Occurrence:
    start = line * 100 + column
    return Occurrence(
        file=file,
        line=line,
        column=column,
        start=start,
        end=start + len(url),
        kind=kind,
        raw=url,
        target=Target(url=url, status=status, reason=reason, fragment=fragment, detail=detail),
        text=text,
        title=title,
        template=template,
    )


def http_result(
    url: str,
    verdict: Verdict,
    reason: str,
    *occurrences: Occurrence,
    status: int | None = None,
    error: ErrorKind | None = None,
    redirects: tuple[Hop, ...] = (),
    final_url: str | None = None,
    permanent: bool | None = None,
    short_circuited: bool = False,
    content_type: str | None = None,
) -> UrlResult:
    """A checked http(s) URL with one attempt per hop plus the final one (none when short-circuited)."""
    attempts: tuple[Attempt, ...] = ()
    if not short_circuited:
        hops = tuple(Attempt("HEAD", hop.url, hop.status, elapsed_ms=12) for hop in redirects)
        last = Attempt(
            "HEAD",
            final_url or url,
            status,
            error=error,
            detail=None if error is None else "boom",
            elapsed_ms=81,
        )
        attempts = (*hops, last)
    evidence = Evidence(
        url=url,
        status=status,
        error=error,
        final_url=final_url if final_url is not None else (url if status is not None else None),
        redirects=redirects,
        attempts=attempts,
        content_type=content_type,
        short_circuited=short_circuited,
        checked_at=CHECKED_AT,
    )
    occs = occurrences or (cite(url),)
    return UrlResult(Target(url), Judgement(verdict, reason, permanent), evidence, occs)


def unchecked_result(
    raw: str, status: TargetStatus, reason: str, *occurrences: Occurrence, detail: str | None = None
) -> UrlResult:
    """A skipped or invalid target: extraction judged it, no probe ran, so there is no evidence."""
    verdict = Verdict.SKIPPED if status is TargetStatus.SKIPPED else Verdict.INVALID
    occs = occurrences or (cite(raw, status=status, reason=reason, detail=detail),)
    target = Target(raw, status, reason, detail=detail)
    return UrlResult(target, Judgement(verdict, reason), None, occs)


def report_of(
    *results: UrlResult,
    errors: tuple[FileError, ...] = (),
    files: int | None = None,
    partial: bool = False,
    settings: dict[str, object] | None = None,
    warnings: tuple[FileWarning, ...] = (),
    pending: tuple[str, ...] = (),
) -> AuditReport:
    links = sum(len(r.occurrences) for r in results)
    file_count = files if files is not None else len({o.file for r in results for o in r.occurrences})
    return AuditReport(
        generated_at="2026-05-01T12:00:05Z",
        files=file_count,
        links=links,
        results=results,
        errors=errors,
        settings=settings if settings is not None else {"concurrency": 64, "retries": 3},
        partial=partial,
        elapsed_s=3.25,
        warnings=warnings,
        pending=pending,
    )


def every_verdict() -> tuple[UrlResult, ...]:
    """One result per verdict, cited from two articles, with the evidence each verdict comes from."""
    a, b = "articles/a.md", "articles/b.md"
    return (
        http_result(
            "https://ok.example/page",
            Verdict.LIVE,
            "http-200",
            cite("https://ok.example/page", a, 3, 5),
            status=200,
            content_type="text/html",
        ),
        http_result(
            "https://moved.example/old",
            Verdict.REDIRECTED,
            "redirect-301",
            cite("https://moved.example/old", a, 7, 1, text="old home"),
            status=200,
            redirects=(Hop("https://moved.example/old", 301), Hop("https://moved.example/mid", 308)),
            final_url="https://new.example/home",
            permanent=True,
            content_type="text/html",
        ),
        http_result(
            "https://gone.example/x",
            Verdict.DEAD,
            "http-404",
            cite("https://gone.example/x", a, 12, 9, text="the study"),
            cite("https://gone.example/x", b, 2, 1, text="same study"),
            status=404,
        ),
        http_result(
            "https://wall.example/p",
            Verdict.BLOCKED,
            "http-403",
            cite("https://wall.example/p", b, 4, 3),
            status=403,
        ),
        http_result(
            "https://busy.example/p",
            Verdict.RATE_LIMITED,
            "http-429",
            cite("https://busy.example/p", b, 5, 3),
            status=429,
        ),
        http_result(
            "https://slow.example/p",
            Verdict.UNREACHABLE,
            "timeout",
            cite("https://slow.example/p", b, 6, 3),
            error=ErrorKind.TIMEOUT,
        ),
        unchecked_result(
            "htp://typo",
            TargetStatus.INVALID,
            "misspelt-scheme",
            cite(
                "htp://typo",
                b,
                8,
                2,
                status=TargetStatus.INVALID,
                reason="misspelt-scheme",
                detail="misspelt scheme 'htp'",
            ),
            detail="misspelt scheme 'htp'",
        ),
        unchecked_result(
            "mailto:me@example.org",
            TargetStatus.SKIPPED,
            "unchecked-scheme",
            cite(
                "mailto:me@example.org",
                a,
                9,
                1,
                status=TargetStatus.SKIPPED,
                reason="unchecked-scheme",
                detail="scheme mailto:",
            ),
            detail="scheme mailto:",
        ),
        http_result(
            "https://soft.example/p",
            Verdict.SOFT_DEAD,
            "redirect-to-home",
            cite("https://soft.example/p", a, 10, 1),
            status=200,
        ),
        http_result(
            "https://parked.example/",
            Verdict.USURPED,
            "parked-domain",
            cite("https://parked.example/", a, 11, 1),
            status=200,
        ),
        drifted(
            http_result(
                "https://news.example/story",
                Verdict.DEVIATED,
                "content-drift",
                cite("https://news.example/story", a, 20, 1),
                status=200,
            )
        ),
    )


def drifted(result: UrlResult, similarity: float = 0.04) -> UrlResult:
    """`result` with an archived copy of 2021-12-30 its live page has drifted from, as `--archives all`
    gives it."""
    url = result.target.url
    copy = ArchivedCopy(
        f"https://web.archive.org/web/20211230101500/{url}", "20211230101500", 1, ArchiveDirection.BEFORE
    )
    drift = Drift(copy.raw_url, copy.timestamp, similarity)
    return replace(result, archive=ArchiveLookup(url, date(2021, 12, 31), archived=copy), drift=drift)


def fragment_results() -> tuple[UrlResult, ...]:
    """A live page cited at an anchor it has and at one it lacks, split as the engine splits them."""
    url = "https://docs.example/guide"
    page = http_result(
        url,
        Verdict.LIVE,
        "http-200",
        cite(url, "articles/a.md", 2, 1, text="setup", fragment="setup"),
        cite(url, "articles/a.md", 5, 3, text="typo", fragment="setpu"),
        status=200,
        content_type="text/html",
    )
    assert page.evidence is not None
    evidence = dataclasses.replace(page.evidence, anchors=Anchors(frozenset({"setup", "usage"})))
    return tuple(split_by_fragment(dataclasses.replace(page, evidence=evidence)))


def escaped_result(suggestion_check: Judgement | None) -> UrlResult:
    """A bare URL GitHub links with its backslash escape, and what the intended URL gave."""
    url = "https://x.example/jana%5C_c/status/1"
    occurrence = dataclasses.replace(
        cite(url, "articles/a.md", 7, 4, text="", kind=LinkKind.BARE),
        raw="https://x.example/jana\\_c/status/1",
        findings=(
            Finding(
                FindingKind.ESCAPED_BARE_URL,
                "remove the backslash",
                "https://x.example/jana_c/status/1",
                suggestion_check,
            ),
        ),
    )
    return http_result(url, Verdict.DEAD, "http-404", occurrence, status=404)
