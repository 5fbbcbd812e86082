"""Bare URLs in the text of `.html`/`.htm` files: found as a reader sees the text (character references
resolved), ended by the plain-text rule, reported with the span as written; never in an anchor's text,
code, preformatted text, scripts, styles, titles, comments. Raw HTML blocks in Markdown stay as GitHub
renders them: no autolinks inside.

Hypothesis writes HTML from pieces whose citations it knows (bare URLs with `&amp;`, `&#38;`, `&nbsp;`,
`&lt;…&gt;` and `&quot;` around or inside them, glued to CJK text, beside anchors, code, scripts and
comments that hold URLs which must not be extracted), in UTF-8, GB18030, Big5 and UTF-16 with LF or CRLF,
and demands the exact (kind, raw, target) list and exact spans.
"""

from __future__ import annotations

import html
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkaudit.extract import SourceFormat, extract_document
from linkaudit.extract.document import document_from_bytes
from linkaudit.extract.findings import add_findings
from linkaudit.extract.html import _unescaped
from linkaudit.models import FindingKind, LinkKind, Occurrence, TargetStatus
from linkaudit.urls import normalize

# Piece and Generated as for Markdown; here an expected triple is (kind, raw, the URL it means).
from .test_spans import CJK, CJK_STOP, Generated, Piece, _encode, check_spans

ROOT = Path("/site")
K = LinkKind


def extract(text: str, name: str = "news/page.html") -> list[Occurrence]:
    data = text.encode("utf-8")
    doc = document_from_bytes(data, ROOT / name, name)
    found = extract_document(doc, SourceFormat.for_path(name), ROOT)
    check_spans(data, found, "utf-8")
    return found


ARTICLE = """\
<!DOCTYPE html>
<html><head><title>https://title.example/</title>
<script>var u = "https://script.example/";</script><style>/* https://style.example/ */</style>
</head><body>
<p>據今日美國報導。Source: https://news.example/2019/story</p>
<ul><li>轉載自https://cn.example/新聞，記者</li><li>www.www.example/x</li></ul>
<p>See <a href="https://a.example/">https://a-text.example/</a> and <a name="n">https://named.example/</a>.</p>
<pre>curl https://pre.example/</pre> <code>https://code.example/</code> <kbd>https://kbd.example/</kbd>
<!-- https://comment.example/ --><textarea>https://textarea.example/</textarea>
<template><p>https://template.example/</p></template>
<table><tr><td>(https://td.example/a_(b))</td></tr></table>
</body></html>
"""


def test_bare_urls_in_article_text_in_document_order() -> None:
    found = extract(ARTICLE)
    assert [(o.kind, o.raw, o.target.url, o.line, o.column) for o in found] == [
        (K.BARE, "https://news.example/2019/story", "https://news.example/2019/story", 5, 20),
        (K.BARE, "https://cn.example/新聞", "https://cn.example/%E6%96%B0%E8%81%9E", 6, 12),
        (K.BARE, "www.www.example/x", "http://www.www.example/x", 6, 45),
        (K.HTML_LINK, "https://a.example/", "https://a.example/", 7, 8),
        (K.BARE, "https://td.example/a_(b)", "https://td.example/a_(b)", 11, 17),
    ]


def test_references_resolved_in_the_target_kept_in_the_span() -> None:
    found = extract(
        "<p>https://a.example/?x=1&amp;y=2. "
        "https://b.example/?x=1&#38;y=2&#x26;z "
        "&#104;ttps://c.example/spelt "
        "https://d.example/p&nbsp;next "
        "&lt;https://e.example/angle&gt; "
        "&quot;https://f.example/quoted&quot; "
        "https://g.example/?a=&lt;b&gt; "
        "https://h.example/?q=1&ampx=2 "
        "https://i.example/?q=1&unknown;x</p>"
    )
    assert [(o.raw, o.target.url) for o in found] == [
        ("https://a.example/?x=1&amp;y=2", "https://a.example/?x=1&y=2"),
        ("https://b.example/?x=1&#38;y=2&#x26;z", "https://b.example/?x=1&y=2&z"),
        ("&#104;ttps://c.example/spelt", "https://c.example/spelt"),
        ("https://d.example/p", "https://d.example/p"),
        ("https://e.example/angle", "https://e.example/angle"),
        ("https://f.example/quoted", "https://f.example/quoted"),
        ("https://g.example/?a=", "https://g.example/?a="),
        ("https://h.example/?q=1&ampx=2", "https://h.example/?q=1&x=2"),
        ("https://i.example/?q=1&unknown;x", "https://i.example/?q=1&unknown;x"),
    ]
    assert {o.kind for o in found} == {K.BARE}


def test_text_around_tags_and_broken_markup() -> None:
    found = extract(
        "<p>a < b https://a.example/x<b>bold</b>https://b.example/y</p>"
        "<p><code/>https://after-empty-code.example/ <a/>https://after-empty-anchor.example/</p>"
        "<p>https://c.example/z"  # unclosed, to the end of the file
    )
    assert [o.raw for o in found] == [
        "https://a.example/x",
        "https://b.example/y",
        "https://after-empty-code.example/",
        "https://after-empty-anchor.example/",
        "https://c.example/z",
    ]


def test_an_unclosed_code_element_keeps_its_text_quiet() -> None:
    # A browser carries an unclosed <code> (a formatting element) on into the next paragraphs too.
    found = extract(
        "<p><code>https://a.example/</p><p>https://b.example/</p></code><p>https://c.example/</p>"
    )
    assert [o.raw for o in found] == ["https://c.example/"]


def test_an_inline_marker_disables_a_bare_url_in_html() -> None:
    found = extract(
        "<p>https://a.example/</p>\n<!-- linkaudit-disable-next-line paywalled -->\n<p>https://b.example/</p>\n"
    )
    assert [(o.raw, o.target.status) for o in found] == [
        ("https://a.example/", TargetStatus.OK),
        ("https://b.example/", TargetStatus.SKIPPED),
    ]


def test_an_entity_in_html_text_is_no_hygiene_finding() -> None:
    """In Markdown GitHub links `&amp;` as written (a finding); in HTML text it is how `&` is written."""
    found = extract("<p>https://a.example/?x=1&amp;y=2</p>")
    md = extract("https://a.example/?x=1&amp;y=2\n", name="a.md")
    assert [occ.findings for occ in add_findings(found)] == [()]
    assert [f.kind for occ in add_findings(md) for f in occ.findings] == [FindingKind.ESCAPED_BARE_URL]


def test_htm_files_too_and_plain_text_is_unchanged() -> None:
    assert [o.raw for o in extract("<p>https://a.example/x&amp;y</p>", name="a.htm")] == [
        "https://a.example/x&amp;y"
    ]
    # In a plain-text file "&amp;" is meant as written.
    [occ] = extract("https://a.example/x&amp;y\n", name="a.txt")
    assert occ.target.url == "https://a.example/x&amp;y"


def test_raw_html_in_markdown_gets_no_bare_urls_from_the_html_extractor() -> None:
    """GitHub autolinks no text inside an HTML block; between inline tags the Markdown text is its own."""
    found = extract(
        "<div>\nSource: https://block.example/x\n</div>\n\nx <span>https://inline.example/y</span>\n",
        name="a.md",
    )
    assert [(o.kind, o.raw) for o in found] == [(K.BARE, "https://inline.example/y")]


@given(st.text(alphabet="&#;amplt0123xX4a;bg hHttps:/.é\n<>", max_size=40))
def test_unescaped_is_html_unescape_and_says_where_each_reference_went(raw: str) -> None:
    seen, refs = _unescaped(raw)
    assert seen == html.unescape(raw)
    prev_seen = prev_raw = 0
    for seen_start, seen_end, raw_start, raw_end in refs:
        # Between references the texts match; each reference means what it resolved to.
        assert raw[prev_raw:raw_start] == seen[prev_seen:seen_start]
        assert raw_start - prev_raw == seen_start - prev_seen
        assert html.unescape(raw[raw_start:raw_end]) == seen[seen_start:seen_end]
        assert raw[raw_start] == "&"
        prev_seen, prev_raw = seen_end, raw_end
    assert raw[prev_raw:] == seen[prev_seen:]


# Query strings as written in HTML text, and what they mean.
QUERIES = [
    ("", ""),
    ("?q=1&amp;r=2", "?q=1&r=2"),
    ("?q=1&#38;r=2", "?q=1&r=2"),
    ("?q=1&#x26;r=2", "?q=1&r=2"),
    ("?q=1&r=2", "?q=1&r=2"),
    ("?q=&eacute;", "?q=é"),
]
# (before, after) a URL: what ends it, and references that a reader sees as punctuation.
AROUND = [
    ("", ""),
    ("Source: ", "."),
    ("&nbsp;", "&nbsp;完"),
    ("(", ")"),
    ("&lt;", "&gt;"),
    ("&quot;", "&quot;"),
    ("", "&lt;b&gt;"),
    ("", "<br>"),
    ("", " "),
]


@st.composite
def bare_url(draw: st.DrawFn) -> tuple[str, str]:
    host = draw(st.sampled_from(["a.example", "news.b.example", "中文.example", "x-y.example:8080"]))
    path = "/".join(draw(st.lists(st.sampled_from(["a", "b-c", "圖片", "2021", "%E5%9B%BE"]), max_size=3)))
    written, meant = draw(st.sampled_from(QUERIES))
    if draw(st.integers(0, 5)) == 0:
        url = f"www.{host}/{path}"
        return url + written, "http://" + url + meant
    url = draw(st.sampled_from(["https://", "http://"])) + f"{host}/{path or 'x'}"
    return url + written, url + meant


@st.composite
def html_pieces(draw: st.DrawFn) -> Piece:
    kind = draw(st.sampled_from(["bare", "bare", "glued", "anchor", "img", "quiet", "quiet", "prose"]))
    written, meant = draw(bare_url())
    if kind in ("bare", "glued"):
        before, after = draw(st.sampled_from(AROUND))
        if kind == "glued":
            before = draw(st.text(alphabet=CJK, min_size=1, max_size=3))
            after = draw(st.sampled_from(["", *CJK_STOP]))
        return Piece(f"{before}{written}{after}", ((K.BARE, written, meant),))
    if kind == "anchor":  # the anchor's text is no citation, its href is
        href = draw(st.sampled_from(["https://href.example/a", "../a.html", "#top"]))
        return Piece(f'<a href="{href}" title="x">{written}</a>', ((K.HTML_LINK, href, ""),))
    if kind == "img":
        return Piece(
            f'<img src="https://img.example/1.png" alt="{written}">',
            ((K.HTML_IMAGE, "https://img.example/1.png", ""),),
        )
    if kind == "quiet":
        return Piece(
            draw(
                st.sampled_from(
                    [
                        f"<code>{written}</code>",
                        f"<pre>\n{written}\n</pre>",
                        f"<script>var u = '{written}';</script>",
                        f"<style>/* {written} */</style>",
                        f"<!-- {written} -->",
                        f"<a name='x'>{written}</a>",
                        f"<textarea>{written}</textarea>",
                    ]
                )
            )
        )
    return Piece(
        draw(st.sampled_from(["據今日美國消息稱", "a &amp; b", "&nbsp;", "x &lt; y", "<b>粗</b>", "a < b"]))
    )


@st.composite
def html_documents(draw: st.DrawFn) -> Generated:
    blocks: list[str] = []
    expected: list[tuple[LinkKind, str, str]] = []
    for _ in range(draw(st.integers(1, 6))):
        pieces = draw(st.lists(html_pieces(), min_size=1, max_size=4))
        element = draw(st.sampled_from(["p", "li", "td", "div", "blockquote", "h2"]))
        joiner = draw(st.sampled_from([" ", "\n", "<br>"]))
        blocks.append(f"<{element}>" + joiner.join(piece.source for piece in pieces) + f"</{element}>")
        for piece in pieces:
            expected.extend(piece.expected)
    # Enough CJK prose for a legacy encoding to be recognized, as in a real article.
    prose = "<p>" + "據今日美國消息稱，" * 8 + "</p>\n"
    return Generated("<html><body>\n" + prose + "\n".join(blocks) + "\n</body></html>\n", expected)


def _check(doc: Generated, encoding: str, crlf: bool) -> None:
    data = _encode(doc.text, encoding, crlf=crlf, bom=False)
    found = extract_document(document_from_bytes(data, ROOT / "a.html", "a.html"), SourceFormat.HTML, ROOT)
    assert [(o.kind, o.raw) for o in found] == [(kind, raw) for kind, raw, _ in doc.expected], doc.text
    for occ, (kind, _, meant) in zip(found, doc.expected, strict=True):
        if kind is K.BARE:
            assert occ.target.url == normalize(meant).url, (occ, meant)
    check_spans(data, found, "utf-16-le" if encoding == "utf-16" else encoding)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html_documents(), st.booleans())
def test_utf8_spans_and_targets(doc: Generated, crlf: bool) -> None:
    _check(doc, "utf-8", crlf)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html_documents(), st.sampled_from(["gb18030", "big5", "utf-16"]), st.booleans())
def test_legacy_and_utf16_spans_and_targets(doc: Generated, encoding: str, crlf: bool) -> None:
    _check(doc, encoding, crlf)


def test_a_reference_that_resolves_to_nothing_stays_outside_the_span() -> None:
    found = extract("<p>&#1;https://a.example/x&#1; https://b.example/a&#1;b</p>")
    assert [(o.raw, o.target.url) for o in found] == [
        ("https://a.example/x", "https://a.example/x"),
        ("https://b.example/a&#1;b", "https://b.example/ab"),
    ]
