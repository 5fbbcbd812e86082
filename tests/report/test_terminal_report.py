"""The human report at 80 columns without colour: content, folding, bounds, alignment with CJK text."""

from __future__ import annotations

import io
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from linkaudit.classify.severity import severity
from linkaudit.models import (
    AuditReport,
    ErrorKind,
    FileError,
    FileWarning,
    Judgement,
    LinkKind,
    UrlResult,
    Verdict,
)
from linkaudit.report.digest import FOLD_HOST_AT, describe_reason, digest_report
from linkaudit.report.terminal import MAX_FILES, MAX_FOLDED, MAX_PROBLEMS_PER_FILE, write_terminal_report

from .builders import cite, escaped_result, every_verdict, fragment_results, http_result, report_of

WIDTH = 80


def render(report: AuditReport, *, verbose: bool = False, color: bool = False, width: int = WIDTH) -> str:
    out = io.StringIO()
    write_terminal_report(report, out, color=color, verbose=verbose, width=width)
    return out.getvalue()


def dead_host(host: str, count: int, *, first_failures: int = 3, files: int = 40) -> list[UrlResult]:
    """A vanished host: a few real DNS failures, then every other URL short-circuited by the engine."""
    results = []
    for i in range(count):
        url = f"https://{host}/story/{i}"
        occurrence = cite(url, f"news/{i % files:03d}.md", i % 50 + 1, 1)
        if i < first_failures:
            results.append(
                http_result(url, Verdict.DEAD, "dns-not-found", occurrence, error=ErrorKind.DNS_NOT_FOUND)
            )
        else:
            results.append(
                http_result(
                    url,
                    Verdict.DEAD,
                    "host-unreachable",
                    occurrence,
                    error=ErrorKind.HOST_UNREACHABLE,
                    short_circuited=True,
                )
            )
    return results


def assert_fits(text: str, width: int = WIDTH) -> None:
    """Every line fits, except a URL line whose URL alone is longer than the room left for it."""
    for line in text.splitlines():
        assert line == line.rstrip(), repr(line)
        if cell_len(line) <= width:
            continue
        indent = len(line) - len(line.lstrip())
        assert line.lstrip().startswith(("→ ", "⇒ ")), line
        assert cell_len(line.lstrip()[2:].split(" (")[0]) > width - indent - 2, line


def test_problems_are_listed_per_article_with_location_verdict_reason_text_and_url() -> None:
    text = render(report_of(*every_verdict()))
    assert "\x1b" not in text
    assert_fits(text)
    lines = text.splitlines()
    a = lines.index("articles/a.md  (4 problems)")
    # a.md lists 10:1 soft-dead and 11:1 usurped first: by line.
    assert re.fullmatch(r"\s+12:9\s+dead\s+404 Not Found\s+the study → https://gone\.example/x", lines[a + 3])
    b = lines.index("articles/b.md  (5 problems)")
    assert re.fullmatch(r"\s+2:1\s+dead\s+404 Not Found\s+same study → https://gone\.example/x", lines[b + 1])
    assert "timed out" in text
    assert "403 Forbidden" in text
    assert "misspelt scheme" in text
    # A deviated page: the copy its text has left, and how far from the citation date it was captured.
    drift = lines.index(next(line for line in lines if "20:1" in line))
    assert re.fullmatch(r"\s+20:1\s+deviated\s+content-drift\s+link text", lines[drift])
    assert lines[drift + 1].strip() == "→ https://news.example/story"
    assert lines[drift + 2].strip() == ("↳ archived 2021-12-30, 1 day before cited; main text 4% as archived")
    assert (
        lines[drift + 3].strip() == "→ https://web.archive.org/web/20211230101500/https://news.example/story"
    )


def test_problems_in_a_file_are_listed_by_line_then_column_whatever_their_severity() -> None:
    text = render(report_of(*every_verdict()))
    section = text.split("articles/b.md")[1].split("\n\n")[0]
    rows = re.findall(r"^\s+(\d+):(\d+)\s+(\S+)", section, flags=re.MULTILINE)
    assert [verdict for _, _, verdict in rows] == [
        "dead",
        "blocked",
        "rate-limited",
        "unreachable",
        "invalid",
    ]
    assert [(int(line), int(col)) for line, col, _ in rows] == [(2, 1), (4, 3), (5, 3), (6, 3), (8, 2)]
    # Not by severity: an editor reads the file from the top.
    assert [v for _, _, v in rows] != sorted((v for _, _, v in rows), key=lambda v: severity(Verdict(v)))


def test_live_redirected_and_skipped_are_listed_only_with_verbose() -> None:
    quiet = render(report_of(*every_verdict()))
    for url in ("https://ok.example/page", "https://moved.example/old", "mailto:me@example.org"):
        assert url not in quiet
    verbose = render(report_of(*every_verdict()), verbose=True)
    assert_fits(verbose)
    for url in ("https://ok.example/page", "https://moved.example/old", "mailto:me@example.org"):
        assert url in verbose


def test_a_redirect_shows_its_final_url_and_whether_it_is_permanent() -> None:
    text = render(report_of(*every_verdict()), verbose=True)
    block = text.split("https://moved.example/old", 1)[1]
    assert "⇒ https://new.example/home" in block
    assert "(permanent)" in block.split("\n\n")[0]


def test_summary_table_counts_urls_and_citations_per_verdict() -> None:
    text = render(report_of(*every_verdict()))
    assert re.search(r"^verdict\s+URLs\s+citations$", text, flags=re.MULTILINE)
    assert re.search(r"^dead\s+1\s+2$", text, flags=re.MULTILINE)
    assert re.search(r"^live\s+1\s+1$", text, flags=re.MULTILINE)
    assert re.search(r"^total\s+11\s+12$", text, flags=re.MULTILINE)
    assert "2 files, 12 links, 11 distinct URLs, 3.2 s" in text
    # The summary is last, where it is still on screen when the run ends.
    assert text.rstrip().endswith("2 files, 12 links, 11 distinct URLs, 3.2 s")


def test_a_dead_host_with_a_thousand_urls_is_one_line() -> None:
    results = dead_host("gnews.org", 1_000)
    ok = http_result("https://ok.example/", Verdict.LIVE, "http-200", status=200)
    text = render(report_of(*results, ok))
    assert_fits(text)
    assert "gnews.org — 1,000 URLs in 40 files — DNS name not found" in text
    assert "https://gnews.org/story/" not in text
    assert "news/000.md" not in text
    assert re.search(r"^dead\s+1,000\s+1,000$", text, flags=re.MULTILINE)
    assert len(text.splitlines()) < 30


def test_connection_failures_fold_at_the_threshold_and_not_below() -> None:
    def refused(count: int) -> list[UrlResult]:
        return [
            http_result(
                f"https://down.example/{i}",
                Verdict.UNREACHABLE,
                "connection-refused",
                error=ErrorKind.CONNECTION_REFUSED,
            )
            for i in range(count)
        ]

    folded = render(report_of(*refused(FOLD_HOST_AT)))
    assert f"down.example — {FOLD_HOST_AT} URLs in 1 file — connection refused" in folded
    assert "https://down.example/0" not in folded
    listed = render(report_of(*refused(FOLD_HOST_AT - 1)))
    assert "down.example —" not in listed
    assert "https://down.example/0" in listed


def test_a_single_short_circuited_url_folds_its_host() -> None:
    text = render(report_of(*dead_host("tiny.example", 2, first_failures=1)))
    assert "tiny.example — 2 URLs in 2 files — DNS name not found" in text


def test_a_folded_host_mentions_its_other_causes() -> None:
    results = dead_host("mixed.example", 12, first_failures=12)
    results.append(
        http_result("https://mixed.example/t", Verdict.UNREACHABLE, "timeout", error=ErrorKind.TIMEOUT)
    )
    plan = digest_report(report_of(*results), verbose=False)
    (host,) = plan.hosts
    assert (host.host, host.urls, host.verdict, host.reason) == (
        "mixed.example",
        13,
        Verdict.DEAD,
        "dns-not-found",
    )
    assert host.other_reasons == (("timeout", 1),)
    assert "DNS name not found; also timed out (1)" in " ".join(render(report_of(*results)).split())


def test_http_errors_on_a_host_are_never_folded() -> None:
    results = [
        http_result(f"https://big.example/{i}", Verdict.DEAD, "http-404", status=404) for i in range(50)
    ]
    plan = digest_report(report_of(*results), verbose=False)
    assert plan.hosts == ()


def test_template_links_are_shown_once_with_the_number_of_files() -> None:
    logo = "https://cdn.example/logo.png"
    occurrences = [
        cite(logo, f"articles/{i:03d}.md", 1, 1, text="logo", kind=LinkKind.IMAGE, template=True)
        for i in range(312)
    ]
    occurrences.append(cite(logo, "articles/special.md", 40, 3, text="our logo", kind=LinkKind.IMAGE))
    result = http_result(
        logo, Verdict.DEAD, "not-an-image", *occurrences, status=200, content_type="text/html"
    )
    text = render(report_of(result))
    assert_fits(text)
    assert text.count(logo) == 2
    assert re.search(r"dead\s+not an image\s+https://cdn\.example/logo\.png — in 312 files", text)
    assert "articles/000.md" not in text
    assert "articles/special.md  (1 problem)" in text


def test_file_errors_are_listed() -> None:
    errors = (
        FileError("articles/bad.md", "cannot decode as UTF-8"),
        FileError("articles/big.md", "too large"),
    )
    text = render(report_of(*every_verdict(), errors=errors))
    assert "Files that could not be read" in text
    assert "articles/bad.md: cannot decode as UTF-8" in text
    assert "articles/big.md: too large" in text


def test_problems_per_file_are_bounded_unless_verbose() -> None:
    results = [
        http_result(
            f"https://x.example/{i}",
            Verdict.DEAD,
            "http-404",
            cite(f"https://x.example/{i}", "a.md", i + 1, 1),
            status=404,
        )
        for i in range(MAX_PROBLEMS_PER_FILE + 123)
    ]
    text = render(report_of(*results))
    assert "… and 123 more in this file" in text
    assert len(re.findall(r"^\s+\d+:1\s+dead", text, flags=re.MULTILINE)) == MAX_PROBLEMS_PER_FILE
    verbose = render(report_of(*results), verbose=True)
    assert "more in this file" not in verbose
    assert len(re.findall(r"^\s+\d+:1\s+dead", verbose, flags=re.MULTILINE)) == MAX_PROBLEMS_PER_FILE + 123


def test_files_hosts_and_templates_are_bounded_unless_verbose() -> None:
    results: list[UrlResult] = []
    for i in range(MAX_FILES + 5):
        url = f"https://x.example/{i}"
        results.append(http_result(url, Verdict.DEAD, "http-404", cite(url, f"f{i:04d}.md"), status=404))
    for i in range(MAX_FOLDED + 2):
        results.extend(dead_host(f"h{i:02d}.example", 2, first_failures=1))
        url = f"https://t.example/{i}"
        results.append(
            http_result(url, Verdict.DEAD, "http-404", cite(url, "g.md", template=True), status=404)
        )
    text = render(report_of(*results))
    assert_fits(text)
    assert "… and 5 more files with 5 problems" in text
    assert "… and 2 more hosts" in text
    assert "… and 2 more template links" in text
    verbose = render(report_of(*results), verbose=True)
    assert "more files" not in verbose
    assert "more hosts" not in verbose


def test_cjk_link_text_keeps_the_columns_aligned() -> None:
    long_cjk = "中文链接文本，非常长的标题用于测试对齐是否正确处理宽字符"
    rows = [
        ("https://a.example/1", "短", 3, 4),
        ("https://a.example/2", long_cjk, 120, 14),
        ("https://a.example/3", "plain ascii text", 7, 1),
        ("https://a.example/4", "한국어 텍스트", 9, 2),
    ]
    results = [
        http_result(
            url, Verdict.DEAD, "http-404", cite(url, "文章/中文.md", line, col, text=text), status=404
        )
        for url, text, line, col in rows
    ]
    out = render(report_of(*results))
    assert_fits(out)
    assert "文章/中文.md  (4 problems)" in out
    starts = set()
    for _, text, line_number, column in rows:
        (row,) = [row for row in out.splitlines() if re.match(rf"\s+{line_number}:{column}\s", row)]
        starts.add(cell_len(row[: row.index(text[:2])]))
    assert len(starts) == 1, starts
    assert "…" in out  # the long CJK text was shortened on a character boundary


def test_nothing_from_an_article_is_taken_as_markup_or_terminal_control() -> None:
    url = "https://x.example/[bold]"
    text = "[red]x[/red] \x1b[31mesc\nnext\u202e"
    out = render(report_of(http_result(url, Verdict.DEAD, "http-404", cite(url, text=text), status=404)))
    assert "[red]x[/red]" in out
    assert "\x1b" not in out
    assert "\u202e" not in out
    assert "[red]x[/red] [31mesc next → https://x.example/[bold]" in out


def test_colour_is_used_only_when_asked() -> None:
    assert "\x1b[" in render(report_of(*every_verdict()), color=True)
    assert "\x1b[" not in render(report_of(*every_verdict()), color=False)


def test_a_partial_run_says_so_first_and_last() -> None:
    pending = ("https://later.example/1", "https://later.example/2")
    lines = render(report_of(*every_verdict(), partial=True, pending=pending)).strip().splitlines()
    assert lines[0].startswith("interrupted: 11 of 13 URLs checked")
    assert lines[-1] == lines[0]


def test_a_run_interrupted_before_any_verdict_does_not_claim_no_links() -> None:
    text = render(report_of(files=3, partial=True, pending=("https://a.example/",)))
    assert "interrupted: 0 of 1 URLs checked" in text
    assert "No links found." not in text and "No problems found." not in text


def test_files_read_with_flaws_are_listed_with_where() -> None:
    warnings = (FileWarning("articles/odd.md", "2 undecodable bytes read as U+FFFD", line=4, column=9),)
    text = render(report_of(*every_verdict(), warnings=warnings))
    assert "Files read with flaws" in text
    assert "articles/odd.md:4:9: 2 undecodable bytes read as U+FFFD" in text
    assert "Files that could not be read" not in text


def test_a_clean_run_says_so() -> None:
    text = render(report_of(http_result("https://ok.example/", Verdict.LIVE, "http-200", status=200)))
    assert "No problems found." in text
    assert "No links found." in render(report_of(files=3))


def test_a_stream_that_cannot_encode_arrows_gets_ascii() -> None:
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="ascii", errors="strict")
    report = report_of(*every_verdict())
    write_terminal_report(report, out, color=False, verbose=False, width=WIDTH)
    out.flush()
    text = raw.getvalue().decode("ascii")
    assert "the study -> https://gone.example/x" in text


def test_a_missing_fragment_shows_the_anchor_cited_and_the_closest_one() -> None:
    text = render(report_of(*fragment_results()), width=120)
    assert "5:3  dead  fragment missing  typo → https://docs.example/guide#setpu — closest: #setup" in text
    assert "2:1" not in text  # the citation whose anchor exists is no problem


def test_a_finding_is_one_line_under_its_citation() -> None:
    lines = render(report_of(escaped_result(Judgement(Verdict.LIVE, "http-200"))), width=120).splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("7:4"))
    assert "https://x.example/jana%5C_c/status/1" in lines[at]
    assert lines[at + 1].strip() == (
        "↳ escaped-bare-url: as published dead; as intended live (https://x.example/jana_c/status/1)"
        " — fix: remove the backslash"
    )
    unchecked = render(report_of(escaped_result(None)), width=120)
    assert "as published dead; as intended not checked" in unchecked
    assert "Hygiene findings: escaped-bare-url 1 " in unchecked
    assert "Hygiene findings" not in render(report_of(*every_verdict()))


def test_reasons_read_as_words() -> None:
    assert describe_reason("http-404") == "404 Not Found"
    assert describe_reason("http-999") == "HTTP 999"
    assert describe_reason("dns-not-found") == "DNS name not found"
    assert describe_reason("scheme mailto:") == "scheme mailto:"


@settings(max_examples=40, deadline=None)
@given(
    text=st.text(max_size=80),
    path=st.text(alphabet=st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=20),
    width=st.integers(min_value=60, max_value=140),
)
def test_any_text_fits_the_width(text: str, path: str, width: int) -> None:
    url = "https://x.example/" + "a" * 150
    report = report_of(
        http_result(url, Verdict.DEAD, "http-404", cite(url, path, 1234, 56, text=text), status=404)
    )
    assert_fits(render(report, width=width), width)


def test_a_long_url_is_never_broken_so_it_can_be_clicked_and_copied() -> None:
    url = "https://www.theguardian.com/world/2019/jan/01/" + "a-very-long-slug-" * 6 + "end"
    text = "中文链接文本，非常长的标题用于测试对齐是否正确处理宽字符"
    report = report_of(
        http_result(url, Verdict.DEAD, "http-410", cite(url, "a.md", 120, 14, text=text), status=410)
    )
    lines = render(report).splitlines()
    row = lines.index(next(line for line in lines if "120:14" in line))
    assert re.fullmatch(r"\s+120:14\s+dead\s+410 Gone\s+中文链接文本\S*…", lines[row])
    assert lines[row + 1] == " " * lines[row].index("dead") + "→ " + url


def test_a_row_that_fits_stays_on_one_line() -> None:
    url = "https://x.example/a"
    lines = render(report_of(http_result(url, Verdict.DEAD, "http-404", cite(url, text="short"), status=404)))
    assert re.search(r"^\s+1:1\s+dead\s+404 Not Found\s+short → https://x\.example/a$", lines, re.MULTILINE)


def test_a_long_file_path_stays_whole() -> None:
    path = "archive/" + "/".join(f"section-{i}" for i in range(12)) + "/article.md"
    url = "https://x.example/a"
    text = render(report_of(http_result(url, Verdict.DEAD, "http-404", cite(url, path), status=404)))
    assert f"{path}  (1 problem)" in text.splitlines()


def test_a_very_narrow_terminal_still_gets_every_url() -> None:
    text = render(report_of(*every_verdict()), width=30, verbose=True)
    for result in every_verdict():
        assert result.target.url in text
