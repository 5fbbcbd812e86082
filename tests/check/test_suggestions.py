"""The URLs findings suggest are checked with the cited ones: "as published: dead; as intended: live"."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_engine import FAST

from linkaudit.audit import audit_extracted
from linkaudit.check import group_occurrences
from linkaudit.check.resolve import Resolver
from linkaudit.check.suggestions import suggestion_items
from linkaudit.demo.simweb import Reply, SimWeb
from linkaudit.extract import collect_inputs, extract_files
from linkaudit.extract.findings import add_findings
from linkaudit.models import AuditReport, Verdict
from linkaudit.report.json import write_json_report
from linkaudit.report.progress import RecordingObserver
from linkaudit.report.terminal import write_terminal_report

ARTICLE = (
    "据 http://x.example/jana\\_c/status/1 报道，\r\n"
    "\r\n"
    "图 http://img.example/a.jpg?id=7&amp;size=558 与 http://img.example/a.jpg?id=7&size=558\r\n"
    "\r\n"
    "再见 http://x.example/gone\\_too\r\n"
)


@pytest.fixture
def web() -> Iterator[SimWeb]:
    with SimWeb() as simulated:
        simulated.host("x.example").route("/jana_c/status/1", Reply.html("the post"))
        simulated.host("img.example").route("/a.jpg?id=7&size=558", Reply.image("png"))
        yield simulated
        assert simulated.errors == []


def audit(folder: Path, web: SimWeb) -> AuditReport:
    (folder / "a.md").write_text(ARTICLE, encoding="utf-8")
    files, _ = collect_inputs([str(folder)])
    resolver = Resolver({**web.resolve, "*": None}, system=False)
    observer = RecordingObserver()
    report = audit_extracted(extract_files(files, jobs=1), FAST, resolver=resolver, observer=observer).report
    assert observer.events[0] == ("extracted", (1, 4, 6))  # 4 citations, 4 URLs and 2 suggested
    return report


def test_as_published_dead_as_intended_live(tmp_path: Path, web: SimWeb) -> None:
    report = audit(tmp_path, web)
    by_url = {result.target.url: result for result in report.results}
    # The suggested URLs are checked but are no citations: only the four cited URLs are results.
    assert sorted(by_url) == [
        "http://img.example/a.jpg?id=7&amp;size=558",
        "http://img.example/a.jpg?id=7&size=558",
        "http://x.example/gone%5C_too",
        "http://x.example/jana%5C_c/status/1",
    ]
    escaped = by_url["http://x.example/jana%5C_c/status/1"]
    assert escaped.judgement.verdict is Verdict.DEAD
    (finding,) = escaped.occurrences[0].findings
    assert finding.suggestion == "http://x.example/jana_c/status/1"
    assert finding.suggestion_check is not None and finding.suggestion_check.verdict is Verdict.LIVE
    entity = by_url["http://img.example/a.jpg?id=7&amp;size=558"].occurrences[0].findings[0]
    assert entity.suggestion_check is not None and entity.suggestion_check.reason == "http-200"
    gone = by_url["http://x.example/gone%5C_too"].occurrences[0].findings[0]
    assert gone.suggestion_check is not None and gone.suggestion_check.verdict is Verdict.DEAD
    # The intended image URL was cited too: it was probed once, for both.
    assert web.stats("img.example").paths.get("/a.jpg?id=7&size=558") == 1


def test_the_reports_say_both_verdicts_and_the_fix(tmp_path: Path, web: SimWeb) -> None:
    report = audit(tmp_path, web)
    out = io.StringIO()
    write_json_report(report, out)
    doc = json.loads(out.getvalue())
    entry = next(e for e in doc["urls"] if e["url"] == "http://x.example/jana%5C_c/status/1")
    assert entry["verdict"] == "dead"
    assert entry["occurrences"][0]["findings"] == [
        {
            "kind": "escaped-bare-url",
            "detail": "remove the backslash",
            "suggestion": "http://x.example/jana_c/status/1",
            "suggestion_verdict": "live",
            "suggestion_reason": "http-200",
            "baseline": None,
        }
    ]
    text = io.StringIO()
    write_terminal_report(report, text, color=False, verbose=False, width=100)
    lines = text.getvalue().splitlines()
    at = next(i for i, line in enumerate(lines) if "jana%5C_c" in line)
    assert lines[at + 1].split() == [
        "↳",
        "escaped-bare-url:",
        "as",
        "published",
        "dead;",
        "as",
        "intended",
        "live",
        "(http://x.example/jana_c/status/1)",
        "—",
        "fix:",
        "remove",
        "the",
        "backslash",
    ]


def test_a_suggested_url_already_cited_is_not_checked_twice(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(ARTICLE, encoding="utf-8")
    files, _ = collect_inputs([str(tmp_path)])
    items = group_occurrences(add_findings(extract_files(files, jobs=1).occurrences))
    extra = suggestion_items(items)
    assert [item.target.url for item in extra] == [
        "http://x.example/jana_c/status/1",
        "http://x.example/gone_too",
    ]
    assert all(item.occurrences == () for item in extra)
    assert suggestion_items([*items, *extra]) == []
