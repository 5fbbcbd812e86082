"""The Markdown report (job summary, PR comment): what it lists, that nothing in it is markup an article
chose, and that it stays under 1 MB whatever the size of the run."""

from __future__ import annotations

import io
import re

import pyromark

from linkaudit.models import AuditReport, ErrorKind, FileError, UrlResult, Verdict
from linkaudit.report.markdown import MAX_BYTES, md_code, md_text, write_markdown_report

from .builders import cite, every_verdict, fragment_results, http_result, report_of
from .hostile import JAVASCRIPT_URL, hostile_report

GFM = (
    pyromark.Options.ENABLE_TABLES
    | pyromark.Options.ENABLE_STRIKETHROUGH
    | pyromark.Options.ENABLE_MATH
    | pyromark.Options.ENABLE_GFM
)


def render(report: AuditReport, **kwargs: object) -> str:
    out = io.StringIO()
    write_markdown_report(report, out, **kwargs)  # type: ignore[arg-type]
    return out.getvalue()


def as_html(markdown: str) -> str:
    """What a CommonMark renderer makes of it (pulldown-cmark, which passes raw HTML through)."""
    return pyromark.html(markdown, options=GFM)


def dead_host(host: str, count: int) -> list[UrlResult]:
    return [
        http_result(
            f"https://{host}/{i}",
            Verdict.DEAD,
            "dns-not-found",
            cite(f"https://{host}/{i}", f"articles/h{i}.md", 2, 1),
            error=ErrorKind.DNS_NOT_FOUND,
        )
        for i in range(count)
    ]


def test_counts_then_failing_citations_by_article_with_line() -> None:
    text = render(report_of(*every_verdict(), settings={"fail_on": ["dead"]}))
    lines = text.splitlines()
    assert lines[0] == "## linkaudit: 2 failing citations in 2 articles"
    assert "| **dead** | 1 | 2 |" in lines
    assert "| live | 1 | 1 |" in lines
    assert "| total | 11 | 12 |" in lines
    assert "**`articles/a.md`** (4 problems)" in lines
    assert "- `12:9` **dead** 404 Not Found — the study → `https://gone.example/x`" in lines
    assert "- `8:2` invalid misspelt scheme — link text → `htp://typo`" in lines
    assert not any("ok.example" in line for line in lines), "live links are listed only with verbose"
    assert "ok.example" in render(report_of(*every_verdict()), verbose=True)


def test_the_run_s_fail_on_decides_what_is_bold_and_failing() -> None:
    text = render(report_of(*every_verdict(), settings={"fail_on": ["dead", "unreachable"]}))
    assert text.startswith("## linkaudit: 3 failing citations in 2 articles\n")
    assert "| **unreachable** | 1 | 1 |" in text
    assert "failing: dead, unreachable" in text


def test_no_problems() -> None:
    only_live = report_of(http_result("https://ok.example/", Verdict.LIVE, "http-200", status=200))
    assert render(only_live).startswith("## linkaudit: no problems found\n")
    assert render(report_of(files=0)).startswith("## linkaudit: no links found\n")


def test_dead_hosts_are_folded_and_listed_once() -> None:
    text = render(report_of(*dead_host("vanished.example", 12)))
    assert "### Unreachable hosts" in text
    assert "- **vanished.example** — dead, DNS name not found — 12 URLs in 12 files" in text
    assert "Problems by article" not in text


def test_an_archived_copy_is_linked_when_known_and_only_if_it_is_http() -> None:
    text = render(hostile_report())
    html = as_html(text)
    assert '<a href="https://web.archive.org/web/2020/https://gone.example/b">archived copy</a>' in html
    assert "javascript:" not in re.findall(r'href="([^"]*)"', html).__str__()
    assert text.count("archived copy") == 1


def test_nothing_an_article_or_server_says_becomes_markup() -> None:
    text = render(hostile_report(), verbose=True)
    html = as_html(text)
    assert "<img" not in html
    assert "<script" not in html
    assert "<svg" not in html
    assert re.findall(r"<a [^>]*>", html) == [
        '<a href="https://web.archive.org/web/2020/https://gone.example/b">'
    ]
    # The texts are still there, to be read.
    assert "— &lt;img src=x onerror=\"document.title='pwned'\"&gt; →" in html
    assert f"<code>{JAVASCRIPT_URL}</code>" in html


def test_a_line_break_in_a_link_text_cannot_start_a_block() -> None:
    url = "https://a.example/x"
    text = render(
        report_of(
            http_result(
                url, Verdict.DEAD, "http-404", cite(url, text="a\n# heading\n- item\r\n> quote"), status=404
            )
        )
    )
    html = as_html(text)
    assert "<h1>" not in html and "<blockquote>" not in html
    assert "a # heading - item &gt; quote" in html


def test_code_spans_hold_backticks() -> None:
    assert md_code("a`b") == "``a`b``"
    assert md_code("`x`") == "`` `x` ``"
    assert as_html(md_code("a``b")) == "<p><code>a``b</code></p>\n"
    assert as_html(md_text("*a* _b_ [c](d) <e> &amp; $x$ ~~s~~ |t|")) == (
        "<p>*a* _b_ [c](d) &lt;e&gt; &amp;amp; $x$ ~~s~~ |t|</p>\n"
    )


def test_unreadable_files_and_templates_are_listed() -> None:
    url = "https://layout.example/logo.png"
    template = http_result(
        url,
        Verdict.DEAD,
        "http-404",
        *(cite(url, f"t{i}.md", 1, 1, template=True) for i in range(3)),
        status=404,
    )
    text = render(report_of(template, errors=(FileError("bad.md", "not valid text"),)))
    assert "### Template links" in text
    assert "- dead 404 Not Found — `https://layout.example/logo.png` — in 3 files" in text
    assert "### Files that could not be read" in text
    assert "- `bad.md`: not valid text" in text


def test_a_huge_run_stays_under_one_megabyte_and_says_what_it_left_out() -> None:
    results = [
        http_result(
            f"https://site{i % 997}.example/{i}",
            Verdict.DEAD,
            "http-404",
            cite(
                f"https://site{i % 997}.example/{i}",
                f"articles/{i // 40:05}.md",
                i % 40 + 1,
                5,
                text="某篇报道 " * 3,
            ),
            status=404,
        )
        for i in range(100_000)
    ]
    results += dead_host("vanished.example", 30)
    text = render(report_of(*results))
    size = len(text.encode("utf-8"))
    assert MAX_BYTES - 20_000 < size <= MAX_BYTES
    listed = len(re.findall(r"^- `\d+:\d+` ", text, re.M))
    note = re.search(r"\*… and ([\d,]+) more listed links in ([\d,]+) articles not shown", text)
    assert note is not None
    assert listed + int(note.group(1).replace(",", "")) == 100_000
    shown_files = len(re.findall(r"^\*\*`articles/", text, re.M))
    assert shown_files - 1 + int(note.group(2).replace(",", "")) == 2_500  # the last one shown is cut short
    assert "- **vanished.example** — dead" in text  # the folded sections are never crowded out


def test_a_small_budget_is_kept_too() -> None:
    text = render(report_of(*every_verdict()), max_bytes=2_000)
    assert len(text.encode("utf-8")) <= 2_000
    assert "not shown" in text


def test_a_fragment_its_page_lacks_is_listed_with_the_fragment() -> None:
    text = render(report_of(*fragment_results()))
    assert "- `5:3` **dead** fragment missing — typo → `https://docs.example/guide#setpu`" in text
    assert "#setup" not in text


def test_unreadable_articles_count_when_they_fail_the_run() -> None:
    errors = (FileError("bad.md", "not valid text"),)
    failing = render(report_of(*every_verdict(), errors=errors, settings={"fail_on": ["dead", "file-error"]}))
    assert failing.startswith("## linkaudit: 2 failing citations in 2 articles, 1 unreadable article\n")
    only = render(report_of(errors=errors, files=1, settings={"fail_on": ["dead", "file-error"]}))
    assert only.startswith("## linkaudit: 1 unreadable article\n")
    quiet = render(report_of(*every_verdict(), errors=errors, settings={"fail_on": ["dead"]}))
    assert quiet.startswith("## linkaudit: 2 failing citations in 2 articles\n")
