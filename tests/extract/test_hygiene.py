"""Hygiene findings from what extraction saw, in Markdown, HTML and plain text: link text naming another
URL, tracking parameters, link shorteners, and a URL cited again in one article."""

from __future__ import annotations

from pathlib import Path

import pytest

from linkaudit.extract import SourceFormat, extract_document
from linkaudit.extract.document import document_from_bytes
from linkaudit.extract.findings import add_findings
from linkaudit.extract.hygiene import is_shortener, without_tracking
from linkaudit.models import FindingKind, LinkKind, Occurrence


def extract(name: str, text: str) -> tuple[Occurrence, ...]:
    doc = document_from_bytes(text.encode("utf-8"), Path("/articles") / name, name)
    return add_findings(extract_document(doc, SourceFormat.for_path(name), Path("/articles")))


def kinds(occurrences: tuple[Occurrence, ...], kind: FindingKind) -> list[tuple[int, int, str]]:
    """(line, column, detail) of each finding of `kind`, in reading order."""
    return sorted(
        (occ.line, occ.column, finding.detail)
        for occ in occurrences
        for finding in occ.findings
        if finding.kind is kind
    )


@pytest.mark.parametrize(
    ("markdown", "mismatch"),
    [
        ("[http://b.example/y](http://a.example/x)", True),
        ("[https://a.example/x](https://a.example/y)", True),
        ("[https://a.example/x](https://a.example/x)", False),
        ("[http://a.example/x](https://a.example/x)", False),  # the scheme aside
        ("[www.a.example/x](http://a.example/x)", False),  # www. aside
        ("[a.example/x](http://b.example/x)", False),  # not a URL as text: no scheme, no www.
        ("[https://a.example/x/](https://a.example/x)", False),  # a final / aside
        ("[https://a.example/long/pa…](https://a.example/long/path/to)", False),  # shortened for display
        ("[https://a.example/long/pa...](https://b.example/long/path)", True),
        ("[https://a.example/%E6%96%B0](https://a.example/新)", False),  # escapes read
        ("[新聞](http://a.example/x)", False),
        ("[https://b.example/](mailto:a@b.example)", False),  # not a web link
        # An archived copy of the URL shown: how `fix` rewrites a bare URL, and how editors cite a copy.
        ("[http://a.example/x](https://web.archive.org/web/20200101000000/http://a.example/x)", False),
        ("[www.a.example/x/](https://archive.ph/2020.01.01-000000/https://a.example/x)", False),
        ("[http://a.example/x](https://web.archive.org/web/20200101000000/http://a.example/y)", True),
        ("[http://a.example/x](https://archive.ph/AbC12)", True),  # a short id says not of what
        # Read as the check reads URLs (host case, default port, dot segments, IDN); an archive keeps no
        # fragment, so one in the text is no difference (fix keeps it on the copy's URL).
        ("[http://A.example/x#sec](https://web.archive.org/web/2020/http://a.example/x#sec)", False),
        ("[http://a.example:80/b/../x](https://web.archive.org/web/2020/http://a.example/x)", False),
        ("[http://bücher.example/x](https://web.archive.org/web/2020/http://xn--bcher-kva.example/x)", False),
        ("[http://a.example/x?a=1](https://web.archive.org/web/2020/http://a.example/x?a=2)", True),
        ("[http://b.example/x](https://web.archive.org/web/2020/http://a.example/x)", True),
    ],
)
def test_text_url_mismatch_in_markdown(markdown: str, mismatch: bool) -> None:
    found = kinds(extract("a.md", markdown + "\n"), FindingKind.TEXT_URL_MISMATCH)
    assert bool(found) is mismatch, found


def test_text_url_mismatch_in_html_and_through_a_reference() -> None:
    html = extract("a.html", '<p><a href="http://a.example/x">http://b.example/y</a></p>\n')
    assert kinds(html, FindingKind.TEXT_URL_MISMATCH) == [
        (1, 4, "the link text shows http://b.example/y but the link goes elsewhere: make them agree")
    ]
    markdown = extract("a.md", "[http://b.example/y][r]\n\n[r]: http://a.example/x\n")
    assert [line for line, _, _ in kinds(markdown, FindingKind.TEXT_URL_MISMATCH)] == [1]


def test_link_text_naming_the_url_an_archived_copy_keeps_is_not_a_citation_of_its_own() -> None:
    """`[http://dead/x](web.archive.org/web/…/http://dead/x)` cites the copy: the dead URL shown is not
    checked again (it made every run after `fix` fail on the URL fixed), nor called a mismatch."""
    copy = "https://web.archive.org/web/20200101000000/http://a.example/x"
    for name, text in (
        ("a.md", f"[http://a.example/x]({copy}) [http://a.example/x][r]\n\n[r]: {copy}\n"),
        ("a.html", f'<p><a href="{copy}">http://a.example/x</a></p>\n'),
    ):
        found = extract(name, text)
        assert {(occ.kind, occ.target.url) for occ in found} <= {
            (LinkKind.LINK, copy),
            (LinkKind.REFERENCE, copy),
            (LinkKind.HTML_LINK, copy),
        }, found
        assert not kinds(found, FindingKind.TEXT_URL_MISMATCH), found
    other = extract("a.md", "[http://a.example/y](https://web.archive.org/web/2020/http://a.example/x)\n")
    assert [occ.target.url for occ in other if occ.kind is LinkKind.TEXT_URL] == ["http://a.example/y"]


@pytest.mark.parametrize(
    ("url", "stripped"),
    [
        ("https://a.example/p?id=3&utm_source=tw&utm_medium=s", "https://a.example/p?id=3"),
        ("https://a.example/p?UTM_Source=x&b=2&fbclid=Z", "https://a.example/p?b=2"),
        ("https://a.example/p?utm_source=x", "https://a.example/p"),
        ("https://a.example/p?gclid=1&spm=a2c.1&mc_eid=2&yclid=3&_hsenc=4", "https://a.example/p"),
        ("https://a.example/p?a=1&&utm_x=1&b=%20", "https://a.example/p?a=1&b=%20"),
        ("https://a.example/p?ref=home&source=rss&s=1&share=2", None),  # may change the page: kept
        ("https://a.example/p?utm=1&xutm_source=2", None),
        ("https://a.example/p", None),
    ],
)
def test_without_tracking(url: str, stripped: str | None) -> None:
    assert without_tracking(url) == stripped


def test_tracking_params_in_every_format_with_the_fragment_kept() -> None:
    url = "https://a.example/p?id=3&utm_campaign=x"
    for name, text in (
        ("a.md", f"[a]({url}#sec) <{url}> {url}\n"),
        ("a.html", f'<a href="{url}#sec">a</a> <img src="{url}">\n'),
        ("a.txt", f"see {url} now\n"),
    ):
        occurrences = [occ for occ in extract(name, text) if occ.kind is not LinkKind.TEXT_URL]
        assert occurrences
        for occ in occurrences:
            [finding] = [f for f in occ.findings if f.kind is FindingKind.TRACKING_PARAMS]
            assert finding.detail == "remove utm_campaign"
            fragment = "#sec" if occ.target.fragment else ""
            assert finding.suggestion == "https://a.example/p?id=3" + fragment


@pytest.mark.parametrize(
    ("host", "known"),
    [
        ("bit.ly", True),
        ("www.bit.ly", True),
        ("t.co", True),
        ("t.cn", True),
        ("url.cn", True),
        ("goo.gl", True),
        ("tinyurl.com", True),
        ("bit.ly:8080", True),
        ("notbit.ly", False),
        ("bit.ly.example", False),
        ("youtu.be", False),  # a site's own short form, not a third party
        ("example.org", False),
    ],
)
def test_is_shortener(host: str, known: bool) -> None:
    assert is_shortener(host) is known


def test_shortener_in_markdown_html_and_text() -> None:
    for name, text in (
        ("a.md", "[a](https://bit.ly/x) and http://t.cn/RxYz\n"),
        ("a.html", '<a href="https://bit.ly/x">a</a><a href="http://t.cn/RxYz">b</a>\n'),
        ("a.txt", "https://bit.ly/x and http://t.cn/RxYz\n"),
    ):
        found = kinds(extract(name, text), FindingKind.SHORTENER)
        assert [detail for _, _, detail in found] == [
            "a link shortener (bit.ly): cite where it leads",
            "a link shortener (t.cn): cite where it leads",
        ], name


def test_duplicates_in_markdown() -> None:
    text = (
        "[a](http://a.example/x) [b](http://a.example/x#part) [c](http://a.example/x#part)\n"
        "\n"
        "[d][r] [e][r] [f][s] <http://a.example/x> http://a.example/x\n"
        "\n"
        "![](http://a.example/i.png) ![](http://a.example/i.png)\n"
        "\n"
        "[r]: http://b.example/\n"
        "[s]: http://b.example/\n"
    )
    found = kinds(extract("a.md", text), FindingKind.DUPLICATE_IN_ARTICLE)
    assert found == [
        (1, 54, "cited already at line 1, column 25: once may do"),  # the same fragment again
        (3, 15, "cited already at line 3, column 1: once may do"),  # a second definition of one URL
        (3, 22, "cited already at line 1, column 1: once may do"),
        (3, 43, "cited already at line 1, column 1: once may do"),
    ]


def test_duplicates_in_html_and_text_and_never_across_articles() -> None:
    html = extract(
        "a.html",
        '<a href="http://a.example/x">a</a> <a href="http://a.example/x">b</a>\n'
        '<img src="http://a.example/i.png" srcset="http://a.example/i.png 1x">\n',
    )
    assert [line for line, _, _ in kinds(html, FindingKind.DUPLICATE_IN_ARTICLE)] == [1]
    text = extract("a.txt", "http://a.example/x\nagain http://a.example/x\n")
    assert kinds(text, FindingKind.DUPLICATE_IN_ARTICLE) == [
        (2, 7, "cited already at line 1, column 1: once may do")
    ]
    both = add_findings(
        (*extract("a.md", "[a](http://a.example/x)\n"), *extract("b.md", "[b](http://a.example/x)\n"))
    )
    assert kinds(both, FindingKind.DUPLICATE_IN_ARTICLE) == []
