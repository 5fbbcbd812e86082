"""Every Markdown rule of the issue, one example each, with kind, raw, position and text pinned.

(The CommonMark spec examples and the property test cover the grammar at large; these name the rules.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from linkaudit.extract import SourceFormat, extract_document
from linkaudit.extract.document import document_from_bytes
from linkaudit.models import LinkKind, Occurrence, TargetStatus

ROOT = Path("/articles")
K = LinkKind


def extract(text: str, *, name: str = "gnews/a.md", crlf: bool = False) -> list[Occurrence]:
    data = (text.replace("\n", "\r\n") if crlf else text).encode("utf-8")
    doc = document_from_bytes(data, ROOT / name, name)
    found = extract_document(doc, SourceFormat.for_path(name), ROOT)
    for occ in found:
        assert data[occ.start : occ.end].decode("utf-8") == occ.raw
    return found


def brief(found: list[Occurrence]) -> list[tuple[LinkKind, str, int, int, str]]:
    return [(o.kind, o.raw, o.line, o.column, o.text) for o in found]


def test_inline_link_with_text_and_title() -> None:
    found = extract('据[今日美国](https://www.usatoday.example/story/1 "USA Today")消息称\n')
    assert brief(found) == [(K.LINK, "https://www.usatoday.example/story/1", 1, 2, "今日美国")]
    assert found[0].title == "USA Today"
    assert found[0].target.url == "https://www.usatoday.example/story/1"


@pytest.mark.parametrize("title", ['"t"', "'t'", "(t)"])
def test_title_forms(title: str) -> None:
    assert [o.title for o in extract(f"[a](https://a.example/ {title})")] == ["t"]


def test_images_with_and_without_alt() -> None:
    found = extract("![二维码](https://img.example/qr.jpg)\n\n![](https://img.example/1.png)\n")
    assert brief(found) == [
        (K.IMAGE, "https://img.example/qr.jpg", 1, 1, "二维码"),
        (K.IMAGE, "https://img.example/1.png", 3, 1, ""),
    ]
    assert all(o.kind.wants_image for o in found)


def test_image_inside_a_link() -> None:
    found = extract("[![图](https://img.example/a.png)](https://a.example/page)\n")
    assert brief(found) == [
        (K.LINK, "https://a.example/page", 1, 1, "图"),
        (K.IMAGE, "https://img.example/a.png", 1, 2, "图"),
    ]


def test_angle_destination_with_spaces_escapes_and_entities() -> None:
    found = extract("[a](<https://a.example/a b.pdf>) [b](https://a.example/\\(x\\)?q=1&amp;r=2)\n")
    assert [(o.raw, o.target.url) for o in found] == [
        ("https://a.example/a b.pdf", "https://a.example/a%20b.pdf"),
        ("https://a.example/\\(x\\)?q=1&amp;r=2", "https://a.example/(x)?q=1&r=2"),
    ]


def test_destination_on_the_next_line_in_a_crlf_block_quote() -> None:
    found = extract('> 见[报道\n> 全文](\n> https://a.example/x\n> "t")\n', crlf=True)
    assert brief(found) == [(K.LINK, "https://a.example/x", 1, 4, "报道 全文")]
    assert found[0].title == "t"


DEFINITIONS = """\
> [usa]: https://www.usatoday.example/story/2 "USA Today"

- [Fox]: <https://www.foxnews.example/a b>
"""


@pytest.mark.parametrize(
    ("use", "text"),
    [("[今日美国][USA]", "今日美国"), ("[usa][]", "usa"), ("[usa]", "usa"), ("[ USA ]", " USA ")],
    ids=["full", "collapsed", "shortcut", "shortcut-spaced"],
)
def test_reference_links_are_reported_where_used_with_the_definition_span(use: str, text: str) -> None:
    source = f"Intro line\n\n据{use}消息称\n\n{DEFINITIONS}"
    found = extract(source)
    assert brief(found) == [(K.REFERENCE, "https://www.usatoday.example/story/2", 3, 2, text)]
    assert found[0].title == "USA Today"
    assert source.encode("utf-8").index(b"https://www.usatoday") == found[0].start  # the definition's span


def test_reference_definition_in_a_list_with_angle_brackets() -> None:
    found = extract(f"[Fox News][fox]\n\n{DEFINITIONS}")
    assert [(o.kind, o.raw, o.target.url) for o in found] == [
        (K.REFERENCE, "https://www.foxnews.example/a b", "https://www.foxnews.example/a%20b")
    ]


def test_reference_image_and_unused_or_missing_labels() -> None:
    found = extract(
        "![图][pic] [no such label] [unused-free text]\n\n[pic]: https://img.example/p.png\n[unused]: x\n"
    )
    assert brief(found) == [(K.IMAGE, "https://img.example/p.png", 1, 1, "图")]


def test_autolinks() -> None:
    found = extract("<https://a.example/x> <MAILTO:news@a.example> <news@b.example>\n")
    assert [(o.kind, o.raw, o.target.status, o.target.url) for o in found] == [
        (K.AUTOLINK, "https://a.example/x", TargetStatus.OK, "https://a.example/x"),
        (K.AUTOLINK, "MAILTO:news@a.example", TargetStatus.SKIPPED, "MAILTO:news@a.example"),
        (K.AUTOLINK, "news@b.example", TargetStatus.SKIPPED, "mailto:news@b.example"),
    ]
    assert [o.column for o in found] == [1, 23, 47]


def test_bare_urls_in_every_block() -> None:
    text = (
        "# 标题 https://a.example/h\n\n"
        "> 引用 https://a.example/q\n\n"
        "- 列表 www.a.example/l\n\n"
        "| 表 | 格 |\n|---|---|\n| https://a.example/t | x |\n\n"
        "脚注[^1]\n\n[^1]: 来源 https://a.example/f\n"
    )
    assert [(o.kind, o.raw, o.line) for o in extract(text)] == [
        (K.BARE, "https://a.example/h", 1),
        (K.BARE, "https://a.example/q", 3),
        (K.BARE, "www.a.example/l", 5),
        (K.BARE, "https://a.example/t", 9),
        (K.BARE, "https://a.example/f", 13),
    ]


def test_www_bare_urls_are_checked_over_http() -> None:
    assert [o.target.url for o in extract("见 www.voachinese.example/a")] == [
        "http://www.voachinese.example/a"
    ]


@pytest.mark.parametrize(
    ("text", "raw"),
    [
        ("详见www.example.com的报道", "www.example.com"),  # CJK glued after the host ends it
        ("据https://news.example.com报道称", "https://news.example.com"),
        ("据https://news.example.com:8080报道", "https://news.example.com:8080"),
        ("见https://a.example/x报道称", "https://a.example/x报道称"),  # in the path, CJK is an IRI
        (
            "见 https://zh.wikipedia.org/wiki/中华人民共和国 条目",
            "https://zh.wikipedia.org/wiki/中华人民共和国",
        ),
        ("见 https://例子.中国/路径", "https://例子.中国/路径"),  # a wholly native IDN host stays
        ("见 https://abc中文/x", "https://abc中文/x"),  # no dot before the CJK: not a glued host
        ("见 https://baidu.中国/x 报道", "https://baidu.中国/x"),  # an ASCII name under a CJK TLD
    ],
)
def test_cjk_glued_after_a_host(text: str, raw: str) -> None:
    found = extract(text)
    assert [o.raw for o in found] == [raw]
    assert found[0].target.status is TargetStatus.OK


@pytest.mark.parametrize(
    ("element", "expected"),
    [
        ('<a href="https://a.example/">x</a>', [(K.HTML_LINK, "https://a.example/")]),
        ('<img src="/i.png" alt="图">', [(K.HTML_IMAGE, "/i.png")]),
        (
            '<img src="a.png" srcset="a-1x.png 1x, https://c.example/a-2x.png 2x">',
            [
                (K.HTML_IMAGE, "a.png"),
                (K.HTML_IMAGE, "a-1x.png"),
                (K.HTML_IMAGE, "https://c.example/a-2x.png"),
            ],
        ),
        (
            '<picture><source srcset="a.webp 480w,b.webp 800w"><source src="c.webp"></picture>',
            [(K.HTML_IMAGE, "a.webp"), (K.HTML_IMAGE, "b.webp"), (K.HTML_LINK, "c.webp")],
        ),
        ('<video src="v.mp4" poster="p.jpg"></video>', [(K.HTML_LINK, "v.mp4"), (K.HTML_IMAGE, "p.jpg")]),
        ('<audio src="https://a.example/a.mp3"></audio>', [(K.HTML_LINK, "https://a.example/a.mp3")]),
        (
            '<iframe src="https://www.youtube.example/embed/x"></iframe>',
            [(K.HTML_LINK, "https://www.youtube.example/embed/x")],
        ),
        ("<A HREF='https://a.example/u'>x</A>", [(K.HTML_LINK, "https://a.example/u")]),
        ("<a href=https://a.example/unquoted>x</a>", [(K.HTML_LINK, "https://a.example/unquoted")]),
        ('<a title="no href">x</a> <span src="x.png">', []),
    ],
)
def test_raw_html_in_markdown(element: str, expected: list[tuple[LinkKind, str]]) -> None:
    for text in (element + "\n", f"正文 {element} 正文\n"):  # as an HTML block and inline
        assert [(o.kind, o.raw) for o in extract(text)] == expected


def test_raw_html_alt_title_and_entities() -> None:
    found = extract('<img src="https://a.example/?a=1&amp;b=2" alt="图 &amp; 文" title="标题">\n')
    assert [(o.raw, o.target.url, o.text, o.title) for o in found] == [
        ("https://a.example/?a=1&amp;b=2", "https://a.example/?a=1&b=2", "图 & 文", "标题")
    ]


def test_a_greater_than_sign_inside_a_quoted_value() -> None:
    """The tag was cut at the first ">", so these links were lost before the fix."""
    found = extract(
        "<img alt='1 > 0' src='https://a.example/i.png'> <a title=\"a>b\" href=\"https://a.example/q\">t</a>\n"
    )
    assert [(o.kind, o.raw, o.text) for o in found] == [
        (K.HTML_IMAGE, "https://a.example/i.png", "1 > 0"),
        (K.HTML_LINK, "https://a.example/q", "t"),
    ]


def test_raw_html_anchor_text_inline_and_in_blocks() -> None:
    """An <a>'s text is what a reader sees, whether the <a> stands in a paragraph or an HTML block."""
    found = extract(
        '据<a href="https://a.example/x">美联社 *报道* `x`</a>，见<A HREF=x.html>index\nnext</A>\n\n'
        '<div>\n<a href="https://b.example/"> 块 <b>粗</b> &amp; more</a>\n</div>\n\n'
        "<a href=https://c.example/>unclosed\n\nnext paragraph\n"
    )
    assert [(o.kind, o.raw, o.text) for o in found] == [
        (K.HTML_LINK, "https://a.example/x", "美联社 报道 x"),
        (K.HTML_LINK, "x.html", "index next"),
        (K.HTML_LINK, "https://b.example/", "块 粗 & more"),
        (K.HTML_LINK, "https://c.example/", "unclosed"),
    ]


@pytest.mark.parametrize("element", ["script", "style", "textarea", "SCRIPT"])
def test_markup_inside_script_and_style_is_not_a_citation(element: str) -> None:
    found = extract(
        f'<div>\n<{element} type="x">var s = "<a href=\'https://no.example/\'>";\n'
        f'  "<img src=https://no.example/i.png>"</{element}>\n<a href="https://yes.example/">y</a>\n</div>\n\n'
        f'text <{element}>"<a href=https://no.example/2>"</{element}> <img src="https://yes.example/i.png">\n'
    )
    assert [o.raw for o in found] == ["https://yes.example/", "https://yes.example/i.png"]


def test_raw_html_spanning_lines_is_located() -> None:
    found = extract('<p>\n  <a\n    href="https://a.example/m">m</a>\n</p>\n')
    assert [(o.raw, o.line, o.column) for o in found] == [("https://a.example/m", 2, 3)]


@pytest.mark.parametrize(
    "text",
    [
        "`[a](https://code.example/) https://code.example/b <a href='https://code.example/c'>`\n",
        "```\n[a](https://code.example/) https://code.example/b\n```\n",
        "~~~markdown\n![a](https://code.example/i.png)\n~~~\n",
        "    [a](https://code.example/) <https://code.example/b>\n",
        "<!-- [a](https://comment.example/) https://comment.example/b -->\n",
        "正文 <!-- <a href='https://comment.example/'>x</a> --> 正文\n",
        "<!--\n多行注释\n<img src='https://comment.example/i.png'>\n-->\n",
        "\\[a](https://escaped.example/)\n",
    ],
    ids=[
        "code-span",
        "fenced",
        "tilde-fenced",
        "indented",
        "comment-block",
        "comment-inline",
        "comment-lines",
        "escaped",
    ],
)
def test_no_citations_in_code_or_comments(text: str) -> None:
    assert [o.raw for o in extract(text) if "example" in o.raw and "escaped" not in o.raw] == []
    if "escaped" in text:
        assert [o.kind for o in extract(text)] == [K.BARE]  # not a link: only the bare URL remains


def test_after_a_code_block_links_keep_their_text_and_bare_urls_are_found() -> None:
    """Before the fix, every text after the first code block was dropped."""
    found = extract("```\ncode\n```\n\n[正文](https://a.example/x) https://a.example/bare\n")
    assert brief(found) == [
        (K.LINK, "https://a.example/x", 5, 1, "正文"),
        (K.BARE, "https://a.example/bare", 5, 27, ""),
    ]


def test_text_url_is_a_second_occurrence() -> None:
    found = extract("原文：[https://gnews.example/2614380/](https://gnews.example/2612925/)\n")
    assert brief(found) == [
        (K.LINK, "https://gnews.example/2612925/", 1, 4, "https://gnews.example/2614380/"),
        (K.TEXT_URL, "https://gnews.example/2614380/", 1, 5, "https://gnews.example/2614380/"),
    ]
    assert found[1].target.url == "https://gnews.example/2614380/"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("[https://a.example/x](https://a.example/x)", []),  # the same URL: one occurrence
        ("[HTTPS://A.example/x](https://a.example/x#frag)", []),  # the same target
        ("[见 https://a.example/x](https://b.example/)", []),  # not a URL shown alone
        ("[www.a.example/x](https://b.example/)", ["www.a.example/x"]),
        ("[**https://a.example/x**](https://b.example/)", ["https://a.example/x"]),
        ("[https://a.example/x\\_y](https://b.example/)", ["https://a.example/x\\_y"]),  # escaped, as written
        ("[https://a.example/?a&amp;b](https://b.example/)", ["https://a.example/?a&amp;b"]),
        ("[https://a.example/ref][r]\n\n[r]: https://b.example/", ["https://a.example/ref"]),
    ],
)
def test_text_url_cases(text: str, shown: list[str]) -> None:
    """The escaped and entity cases were dropped before the fix: the shown text had been decoded."""
    found = extract(text + "\n")
    assert [o.raw for o in found if o.kind is K.TEXT_URL] == shown
    assert [o.kind for o in found if o.kind is not K.TEXT_URL] in ([K.LINK], [K.REFERENCE])


def test_text_url_target_is_what_the_reader_sees() -> None:
    (_, shown) = extract("[https://a.example/x\\_y?a=1&amp;b=2](https://b.example/)\n")
    assert shown.target.url == "https://a.example/x_y?a=1&b=2"


def test_relative_links_to_index_pages() -> None:
    found = extract("[返回](README.md) [首页](/README.md) [上级](../index.md)\n", name="gnews/2022/a.md")
    assert [o.target.url for o in found] == [
        "file:///articles/gnews/2022/README.md",
        "file:///articles/README.md",
        "file:///articles/gnews/index.md",
    ]


def test_invalid_and_skipped_are_reported_not_dropped() -> None:
    found = extract(
        "[a]() [b](hhttps://a.example/) [c](ipfs://QmX) [d](mailto:a@b.example) [e](http://a..b/)\n"
    )
    assert [(o.target.status.value, o.target.reason, o.target.detail) for o in found] == [
        ("invalid", "empty-destination", "empty destination"),
        ("invalid", "misspelt-scheme", "misspelt scheme 'hhttps'"),
        ("skipped", "unchecked-scheme", "scheme ipfs:"),
        ("skipped", "unchecked-scheme", "scheme mailto:"),
        ("invalid", "invalid-host", "bad host 'a..b'"),
    ]
    assert found[0].start == found[0].end == len("[a](")


def test_columns_count_characters_not_bytes() -> None:
    found = extract("中文中文 [a](https://a.example/) 😀 https://b.example/\n")
    assert [(o.line, o.column) for o in found] == [(1, 6), (1, 32)]
    assert found[1].start == len("中文中文 [a](https://a.example/) 😀 ".encode())


def test_plain_text_files_find_bare_urls_only() -> None:
    found = extract("[a](https://a.example/md) <https://a.example/auto>\n", name="notes.txt")
    assert [(o.kind, o.raw) for o in found] == [
        (K.BARE, "https://a.example/md"),
        (K.BARE, "https://a.example/auto"),
    ]
