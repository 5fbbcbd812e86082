"""Bare URLs in an HTML article's text, fixed through the real pipeline: extracted, written into a JSON
report by the real reporter, planned from that report and written. Each becomes `<a href="new">as
cited</a>`: extracting the file again finds the new destination exactly at its new span (and the old URL
no more), every byte outside the edits is unchanged, and a URL in code or in an anchor's text is left
as it was."""

from __future__ import annotations

import hashlib
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest

from linkaudit.extract import SourceFormat, collect_inputs, extract_document, extract_files
from linkaudit.extract.document import document_from_bytes
from linkaudit.fix import apply_fixes, plan_from_report
from linkaudit.models import AuditReport, Evidence, Judgement, LinkKind, Target, UrlResult, Verdict
from linkaudit.report import ReportFormat, write_report

from .support import ENCODINGS, NEWLINES, PROSE, check_rewrite, encode

DEAD = "http://dead.example/2019/story"
QUERY = "http://dead.example/list?a=1&b=2"  # written "&amp;" in the article
ARCHIVE = "https://web.archive.org/web/20200101000000/"
ARTICLE = f"""\
<!DOCTYPE html>
<html><head><title>{DEAD}</title></head>
<body>
<p>{PROSE}</p>
<p>Source: {DEAD}</p>
<p>據報導{DEAD}。見 {QUERY.replace("&", "&amp;")}, 完</p>
<p><a href="{DEAD}">原文</a> <a name="x">{DEAD}</a> <code>{DEAD}</code></p>
<pre>
{DEAD}
</pre>
</body></html>
"""


def _report(root: Path) -> dict[str, Any]:
    """A report of a real extraction of `root`, every http target dead with an archived copy."""
    files, _ = collect_inputs([os.fspath(root)])
    occurrences = extract_files(files, jobs=1).occurrences
    urls = sorted({occ.target.url for occ in occurrences if occ.target.is_http})
    results = tuple(
        UrlResult(
            Target(url),
            Judgement(Verdict.DEAD, "http-404"),
            Evidence(url, status=404),
            tuple(occ for occ in occurrences if occ.target.url == url),
        )
        for url in urls
    )
    out = io.StringIO()
    write_report(
        AuditReport("2026-05-01T12:00:00Z", 1, len(occurrences), results, ()),
        ReportFormat.JSON,
        out,
        color=False,
        verbose=False,
    )
    report: dict[str, Any] = json.loads(out.getvalue())
    for entry in report["urls"]:
        entry["archive"] = {
            "url": ARCHIVE + entry["url"],
            "timestamp": "20200101000000",
            "distance_days": 3,
            "direction": "before",
        }
    report["root"] = os.fspath(root)
    report["files"] = [
        {"path": path.name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
        for path in sorted(root.iterdir())
    ]
    return report


def _extract(data: bytes, path: Path) -> list[tuple[LinkKind, str, str]]:
    doc = document_from_bytes(data, path, path.name)
    return [
        (occ.kind, occ.raw, occ.target.url) for occ in extract_document(doc, SourceFormat.HTML, path.parent)
    ]


def test_the_article_cites_its_bare_urls(tmp_path: Path) -> None:
    path = tmp_path / "a.html"
    path.write_text(ARTICLE, encoding="utf-8")
    assert _extract(path.read_bytes(), path) == [
        (LinkKind.BARE, DEAD, DEAD),
        (LinkKind.BARE, DEAD, DEAD),
        (LinkKind.BARE, QUERY.replace("&", "&amp;"), QUERY),
        (LinkKind.HTML_LINK, DEAD, DEAD),
    ]


@pytest.mark.parametrize("newline", list(NEWLINES))
@pytest.mark.parametrize("encoding", list(ENCODINGS))
def test_bare_urls_in_html_text_become_anchors(tmp_path: Path, encoding: str, newline: str) -> None:
    path = tmp_path / "a.html"
    before = encode(ARTICLE, encoding, NEWLINES[newline])
    path.write_bytes(before)
    report = _report(tmp_path)
    plan = plan_from_report(report, roots=[tmp_path])
    outcome = apply_fixes(plan, write=True)
    assert plan.skipped == () and plan.refused == () and outcome.skipped == ()
    [file_plan] = plan.files
    assert [edit.kind for edit in file_plan.edits] == [LinkKind.BARE] * 3 + [LinkKind.HTML_LINK]
    after = path.read_bytes()
    check_rewrite(before, after, file_plan)
    expected = (
        ARTICLE.replace(f"Source: {DEAD}", f'Source: <a href="{ARCHIVE}{DEAD}">{DEAD}</a>')
        .replace(f"據報導{DEAD}。", f'據報導<a href="{ARCHIVE}{DEAD}">{DEAD}</a>。')
        .replace(
            f"見 {QUERY.replace('&', '&amp;')},",
            f'見 <a href="{ARCHIVE}{QUERY.replace("&", "&amp;")}">{QUERY.replace("&", "&amp;")}</a>,',
        )
        .replace(f'<a href="{DEAD}">', f'<a href="{ARCHIVE}{DEAD}">')
    )
    assert after == encode(expected, encoding, NEWLINES[newline])
    # Read back: the archived copies are cited, the dead URLs only where they were never citations.
    assert _extract(after, path) == [
        (LinkKind.HTML_LINK, ARCHIVE + DEAD, ARCHIVE + DEAD),
        (LinkKind.HTML_LINK, ARCHIVE + DEAD, ARCHIVE + DEAD),
        (LinkKind.HTML_LINK, ARCHIVE + QUERY.replace("&", "&amp;"), ARCHIVE + QUERY),
        (LinkKind.HTML_LINK, ARCHIVE + DEAD, ARCHIVE + DEAD),
    ]
    # The report now names a file that changed: applying it again changes nothing.
    again = apply_fixes(plan_from_report(report, roots=[tmp_path]), write=True)
    assert again.files == () and path.read_bytes() == after
