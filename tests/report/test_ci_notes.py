"""What the CI options add to the reports people read: known and unconfirmed failures, reused results,
hygiene findings, the pull-request comment's limit, and SARIF's source root."""

from __future__ import annotations

import dataclasses
import io
import json
import re

from linkaudit.models import AuditReport, BaselineMark, FileError, HistoryNote, Judgement, UrlResult, Verdict
from linkaudit.report import ReportFormat, write_report
from linkaudit.report.markdown import COMMENT_MAX_BYTES

from .builders import cite, escaped_result, http_result, report_of
from .test_sarif import render as render_sarif


def drawn(report: AuditReport, fmt: ReportFormat) -> str:
    out = io.StringIO()
    write_report(report, fmt, out, color=False, verbose=False, width=100)
    return out.getvalue()


def noted() -> AuditReport:
    known = dataclasses.replace(
        http_result(
            "https://a.example/old", Verdict.DEAD, "http-404", cite("https://a.example/old"), status=404
        ),
        baseline=BaselineMark.KNOWN,
        history=HistoryNote(failures=3, confirmed=True),
    )
    waiting = dataclasses.replace(
        http_result(
            "https://b.example/new", Verdict.DEAD, "http-410", cite("https://b.example/new"), status=410
        ),
        baseline=BaselineMark.NEW,
        history=HistoryNote(failures=1, first_failed_at="2026-05-01T00:00:00Z", confirmed=False),
    )
    reused = dataclasses.replace(
        http_result("https://c.example/", Verdict.LIVE, "http-200", cite("https://c.example/"), status=200),
        history=HistoryNote(reused=True),
    )
    return report_of(known, waiting, reused, settings={"fail_on": ["dead"], "confirm": "3/3"})


def test_terminal_and_markdown_say_known_unconfirmed_and_reused() -> None:
    for fmt in (ReportFormat.TERMINAL, ReportFormat.MARKDOWN):
        text = drawn(noted(), fmt)
        assert re.search(r"a\.example/old.*known", text), (fmt, text)
        assert re.search(r"b\.example/new.*not confirmed \(1 failure\)", text), (fmt, text)
        assert "1 failing URL known from the baseline (not failing the run)" in text, fmt
        assert "1 failing URL not confirmed yet (--confirm 3/3)" in text, fmt
        assert "1 result reused from the history store (--max-age)" in text, fmt


def test_without_a_store_or_baseline_nothing_is_added() -> None:
    plain = report_of(http_result("https://a.example/", Verdict.DEAD, "http-404", status=404))
    for fmt in (ReportFormat.TERMINAL, ReportFormat.MARKDOWN):
        text = drawn(plain, fmt)
        assert "known" not in text and "confirmed" not in text and "reused" not in text


def test_hygiene_findings_are_listed_in_markdown_and_html() -> None:
    report = report_of(escaped_result(Judgement(Verdict.LIVE, "http-200")))
    markdown = drawn(report, ReportFormat.MARKDOWN)
    assert "### Hygiene findings" in markdown
    line = next(line for line in markdown.splitlines() if "escaped-bare-url**" in line)
    assert "`articles/a.md` `7:4`" in line and "remove the backslash" in line
    assert "→ `https://x.example/jana_c/status/1` (live)" in line
    html = drawn(report, ReportFormat.HTML)
    section = html[html.index('<section id="findings">') :]
    section = section[: section.index("</section>")]
    assert "<code>articles/a.md:7:4</code></td><td>escaped-bare-url</td>" in section
    assert "remove the backslash" in section
    assert 'https://x.example/jana_c/status/1</a> <span class="v v-live">live</span>' in section


def test_a_pr_comment_stays_under_githubs_limit_with_everything_folded_too() -> None:
    results: list[UrlResult] = []
    for i in range(3_000):
        url = f"https://site{i}.example/{'long-path-' * 30}{i}"
        results.append(
            http_result(
                url,
                Verdict.DEAD,
                "http-404",
                cite(url, f"articles/{i:05}.md", text="某篇报道 " * 20),
                status=404,
            )
        )
    errors = tuple(FileError(f"articles/{'x' * 300}{i}.md", "not UTF-8") for i in range(200))
    report = dataclasses.replace(report_of(*results), errors=errors)
    comment = drawn(report, ReportFormat.PR_COMMENT)
    assert len(comment) <= 65_536 and len(comment.encode("utf-8")) <= COMMENT_MAX_BYTES
    assert "not shown: this summary stays under 65,536 bytes" in comment
    assert "more file" in comment  # the unreadable files were folded to fit
    summary = drawn(report, ReportFormat.MARKDOWN)
    assert len(summary.encode("utf-8")) > COMMENT_MAX_BYTES  # the job summary keeps its own, larger limit


def test_sarif_names_the_source_root() -> None:
    report = dataclasses.replace(
        report_of(http_result("https://a.example/", Verdict.DEAD, "http-404", status=404)),
        root="/home/runner/work/my repo",
    )
    (run,) = render_sarif(report)["runs"]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///home/runner/work/my%20repo/"}}
    without = render_sarif(report_of(http_result("https://a.example/", Verdict.DEAD, "http-404", status=404)))
    assert "originalUriBaseIds" not in without["runs"][0]
    assert json.dumps(without)  # still a valid log (render validates it)
