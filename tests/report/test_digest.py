"""The digest every human report draws: reading order within an article, folding, the summary counts."""

from __future__ import annotations

from linkaudit.classify.severity import severity
from linkaudit.models import ErrorKind, Verdict
from linkaudit.report.digest import VerdictCount, digest_report

from .builders import cite, every_verdict, http_result, report_of


def test_an_article_s_problems_come_top_to_bottom_not_worst_first() -> None:
    # The case from the issue: a dead link at 15:35 used to come before a blocked one at 11:13.
    dead = "https://gone.example/a"
    blocked = "https://wall.example/b"
    same_line = "https://gone.example/c"
    report = report_of(
        http_result(dead, Verdict.DEAD, "http-404", cite(dead, "a.md", 15, 35), status=404),
        http_result(blocked, Verdict.BLOCKED, "http-403", cite(blocked, "a.md", 11, 13), status=403),
        http_result(same_line, Verdict.DEAD, "http-410", cite(same_line, "a.md", 11, 2), status=410),
    )
    ((file, citations),) = digest_report(report, verbose=False).by_file
    assert file == "a.md"
    assert [(c.occurrence.line, c.occurrence.column) for c in citations] == [(11, 2), (11, 13), (15, 35)]


def test_one_place_cited_for_two_targets_lists_the_worse_first() -> None:
    worse, milder = "https://x.example/1", "https://x.example/2"
    report = report_of(
        http_result(
            milder, Verdict.UNREACHABLE, "timeout", cite(milder, "a.md", 3, 1), error=ErrorKind.TIMEOUT
        ),
        http_result(worse, Verdict.DEAD, "http-404", cite(worse, "a.md", 3, 1), status=404),
    )
    ((_, citations),) = digest_report(report, verbose=False).by_file
    assert [c.result.target.url for c in citations] == [worse, milder]


def test_the_summary_counts_every_url_and_citation_worst_verdict_first() -> None:
    digest = digest_report(report_of(*every_verdict()), verbose=False)
    assert [row.verdict for row in digest.verdicts] == sorted(
        (row.verdict for row in digest.verdicts), key=severity
    )
    assert len(digest.verdicts) == len(Verdict)
    assert VerdictCount(Verdict.DEAD, 1, 2) in digest.verdicts
    assert sum(row.urls for row in digest.verdicts) == 11
    assert sum(row.citations for row in digest.verdicts) == 12


def test_verbose_lists_working_links_too() -> None:
    quiet = digest_report(report_of(*every_verdict()), verbose=False)
    loud = digest_report(report_of(*every_verdict()), verbose=True)
    listed = {c.result.judgement.verdict for _, cs in quiet.by_file for c in cs}
    assert Verdict.LIVE not in listed
    assert {c.result.judgement.verdict for _, cs in loud.by_file for c in cs} == set(Verdict)
