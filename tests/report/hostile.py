"""Reports whose every string an attacker chose: link texts, file names, URLs and server answers that try
to run script, close a `<script>` block, inject a workflow command or a spreadsheet formula.

Each payload would leave a trace if it ran (a changed `document.title`, an element with id `pwned`), so a
test can show that nothing ran, not merely that some string is absent.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from linkaudit.models import (
    ArchivedCopy,
    ArchiveDirection,
    ArchiveLookup,
    AuditReport,
    ErrorKind,
    LinkKind,
    TargetStatus,
    UrlResult,
    Verdict,
)

from .builders import cite, http_result, report_of, unchecked_result

TITLE_PAYLOAD = "<img src=x onerror=\"document.title='pwned'\">"
SCRIPT_PAYLOAD = "</script><script>document.title='pwned'</script>"
ELEMENT_PAYLOAD = "<svg onload=\"document.body.appendChild(document.createElement('b')).id='pwned'\">"
JAVASCRIPT_URL = "javascript:document.title='pwned'"
COMMAND_PAYLOAD = "x\n::error file=evil.md,line=1::injected\r%0A"
FORMULA = '=HYPERLINK("https://evil.example","click")'

HOSTILE_FILE = f"articles/{SCRIPT_PAYLOAD}/{TITLE_PAYLOAD}.md"


def archived(result: UrlResult, url: str) -> UrlResult:
    """`result` with an archived copy, as the archive stage gives it (`archive.url`)."""
    copy = ArchivedCopy(url, "20200101000000", 3, ArchiveDirection.BEFORE)
    return replace(result, archive=ArchiveLookup(result.target.url, date(2020, 1, 4), archived=copy))


def _server_said(result: UrlResult, *, detail: str, final_url: str) -> UrlResult:
    assert result.evidence is not None
    return replace(result, evidence=replace(result.evidence, detail=detail, final_url=final_url))


def hostile_results() -> tuple[UrlResult, ...]:
    dead = "https://gone.example/a"
    return (
        archived(
            http_result(
                dead,
                Verdict.DEAD,
                "http-404",
                cite(dead, HOSTILE_FILE, 3, 7, text=TITLE_PAYLOAD),
                cite(dead, "articles/b.md", 4, 1, text=SCRIPT_PAYLOAD + "\u2028" + ELEMENT_PAYLOAD),
                status=404,
                content_type="text/html; x=" + ELEMENT_PAYLOAD,
            ),
            JAVASCRIPT_URL,
        ),
        archived(
            http_result(
                "https://gone.example/b",
                Verdict.DEAD,
                "http-410",
                cite("https://gone.example/b", "articles/b.md", 5, 2, text=FORMULA),
                status=410,
            ),
            "https://web.archive.org/web/2020/https://gone.example/b",
        ),
        _server_said(
            http_result(
                "https://trap.example/",
                Verdict.DEAD,
                "bad-redirect",
                cite("https://trap.example/", "articles/b.md", 6, 3, text=COMMAND_PAYLOAD),
                error=ErrorKind.BAD_REDIRECT,
            ),
            detail=f"redirect to a non-web URL {JAVASCRIPT_URL!r} {TITLE_PAYLOAD}",
            final_url=JAVASCRIPT_URL,
        ),
        unchecked_result(
            JAVASCRIPT_URL,
            TargetStatus.SKIPPED,
            "unchecked-scheme",
            cite(
                JAVASCRIPT_URL,
                "articles/b.md",
                7,
                4,
                text="-2+3",
                kind=LinkKind.LINK,
                status=TargetStatus.SKIPPED,
                reason="unchecked-scheme",
            ),
            detail="scheme javascript:",
        ),
    )


def hostile_report(*, fail_on: tuple[str, ...] = ("dead",)) -> AuditReport:
    return report_of(*hostile_results(), settings={"fail_on": list(fail_on)})
