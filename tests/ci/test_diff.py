"""`diff_reports` as a table of cases, and its formats' bounds."""

from __future__ import annotations

import io
import json

from contracts import assert_valid_diff
from report.builders import cite, http_result, report_of

from linkaudit.ci.diff import Change, diff_reports
from linkaudit.ci.diff_report import MAX_MARKDOWN_CHARS, write_diff
from linkaudit.models import UrlResult, Verdict
from linkaudit.report import DiffFormat

SETTINGS: dict[str, object] = {"fail_on": ["dead", "usurped", "file-error"]}


def result(url: str, verdict: Verdict, file: str = "a.md") -> UrlResult:
    return http_result(url, verdict, f"{verdict.value}-reason", cite(url, file), status=200)


def test_each_kind_of_change() -> None:
    old = report_of(
        result("http://a.example/", Verdict.LIVE),  # -> dead: newly failing
        result("http://b.example/", Verdict.DEAD),  # -> live: fixed
        result("http://c.example/", Verdict.DEAD),  # not cited any more: gone
        result("http://d.example/", Verdict.DEAD),  # -> usurped: still failing, another verdict
        result("http://e.example/", Verdict.REDIRECTED),  # -> live: changed
        result("http://f.example/", Verdict.DEAD),  # unchanged
        result("http://g.example/", Verdict.BLOCKED),  # -> blocked: unchanged, not listed
        settings=SETTINGS,
    )
    new = report_of(
        result("http://a.example/", Verdict.DEAD),
        result("http://b.example/", Verdict.LIVE),
        result("http://d.example/", Verdict.USURPED),
        result("http://e.example/", Verdict.LIVE),
        result("http://f.example/", Verdict.DEAD),
        result("http://g.example/", Verdict.BLOCKED),
        result("http://h.example/", Verdict.DEAD),  # new URL, failing: newly failing
        result("http://i.example/", Verdict.LIVE),  # new URL, fine: not listed
        settings=SETTINGS,
    )
    diff = diff_reports(old, new)
    assert [(entry.change, entry.url) for entry in diff.entries] == [
        (Change.NEWLY_FAILING, "http://a.example/"),
        (Change.NEWLY_FAILING, "http://h.example/"),
        (Change.FIXED, "http://b.example/"),
        (Change.GONE, "http://c.example/"),
        (Change.CHANGED, "http://d.example/"),
        (Change.CHANGED, "http://e.example/"),
    ]
    assert diff.newly_failing
    out = io.StringIO()
    write_diff(diff, DiffFormat.JSON, out)
    document = json.loads(out.getvalue())
    assert_valid_diff(document)
    assert document["summary"] == {"newly-failing": 2, "fixed": 1, "gone": 1, "changed": 2}
    assert document["changes"][3]["after"] is None
    assert document["changes"][3]["citations"] == [{"file": "a.md", "line": 1, "column": 1}]


def test_the_new_reports_fail_on_decides_what_failing_is() -> None:
    old = report_of(result("http://a.example/", Verdict.BLOCKED), settings={"fail_on": ["dead"]})
    new = report_of(result("http://a.example/", Verdict.BLOCKED), settings={"fail_on": ["dead", "blocked"]})
    # Blocked both times: a change of --fail-on is not a link that broke.
    assert diff_reports(old, new).entries == ()


def test_the_markdown_stays_under_a_comments_limit() -> None:
    new = report_of(
        *(
            result(f"http://site{n}.example/{'x' * 300}", Verdict.DEAD, f"{'d/' * 50}{n}.md")
            for n in range(2_000)
        ),
        settings=SETTINGS,
    )
    out = io.StringIO()
    write_diff(diff_reports(report_of(settings=SETTINGS), new), DiffFormat.MARKDOWN, out)
    text = out.getvalue()
    assert len(text) <= MAX_MARKDOWN_CHARS
    assert text.startswith("## linkaudit: 2,000 newly failing URLs")
    assert "more change" in text and "not shown: the JSON diff has every one" in text
