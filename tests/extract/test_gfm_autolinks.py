"""Bare URLs: found where GitHub's extended-autolink rules find them, plus our documented departures.

The examples are GFM's own (`tests/data/gfm/autolink-extension.txt`). For each, every `http(s)`
`href`/`src` in the HTML cmark-gfm renders must be what we extract, in order, and nothing else: for a
bare URL, `raw` is the text GitHub shows as the link (so the URL ends where GitHub ends it) and the
target is `normalize(href)`. Email autolinks and `ftp://` are out of scope (not checkable citations):
their hrefs are left out of the expectation, so extracting them would fail the comparison.

Departures, because a citation matters more than rendering: a URL glued to preceding CJK text is
found (`图片来源https://…`), and CJK punctuation ends one.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from linkaudit.extract import SourceFormat, extract_document
from linkaudit.extract.document import document_from_bytes
from linkaudit.models import LinkKind, Occurrence
from linkaudit.urls import normalize

DATA = Path(__file__).parent.parent / "data" / "gfm" / "autolink-extension.txt"
ROOT = Path("/articles")
SOURCE = ROOT / "gfm.md"
_FENCE = "`" * 32
EXAMPLES: list[tuple[str, str]] = re.findall(
    rf"^{_FENCE} example[^\n]*\n(.*?)^\.\n(.*?)^{_FENCE}$",
    DATA.read_text(encoding="utf-8"),
    flags=re.DOTALL | re.MULTILINE,
)


class _Rendered(HTMLParser):
    """(href or src, shown text) of each `<a>`/`<img>` in rendered HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[list[str]] = []
        self.anchor: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a":
            self.anchor = [values.get("href") or "", ""]
            self.links.append(self.anchor)
        elif tag == "img":
            self.links.append([values.get("src") or "", values.get("alt") or ""])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self.anchor = None

    def handle_data(self, data: str) -> None:
        if self.anchor is not None:
            self.anchor[1] += data


def rendered_http_links(rendered: str) -> list[tuple[str, str]]:
    parser = _Rendered()
    parser.feed(rendered)
    parser.close()
    return [(href, text) for href, text in parser.links if re.match(r"https?://", href)]


def extract(text: str, name: str = "gfm.md") -> list[Occurrence]:
    doc = document_from_bytes(text.encode("utf-8"), ROOT / name, name)
    return [
        occ
        for occ in extract_document(doc, SourceFormat.for_path(name), ROOT)
        if occ.kind is not LinkKind.TEXT_URL
    ]


def bare(text: str, name: str = "gfm.md") -> list[str]:
    return [occ.raw for occ in extract(text, name) if occ.kind is LinkKind.BARE]


def test_all_examples_are_read() -> None:
    assert len(EXAMPLES) == 16
    assert sum(len(rendered_http_links(rendered)) for _, rendered in EXAMPLES) == 34


@pytest.mark.parametrize(
    ("markdown", "rendered"), EXAMPLES, ids=[f"gfm-{i + 1}" for i in range(len(EXAMPLES))]
)
def test_bare_urls_end_where_github_ends_them(markdown: str, rendered: str) -> None:
    expected = rendered_http_links(rendered)
    found = extract(markdown)
    assert len(found) == len(expected), [(o.kind.value, o.raw) for o in found]
    for occ, (href, shown) in zip(found, expected, strict=True):
        assert occ.target == normalize(href, source=SOURCE, root=ROOT)
        if occ.kind is LinkKind.BARE:
            assert occ.raw == shown


@pytest.mark.parametrize("stop", list("，。、；：！？）》」】"))
def test_cjk_punctuation_ends_a_url(stop: str) -> None:
    assert bare(f"详见https://a.example/news/1{stop}后文") == ["https://a.example/news/1"]
    assert bare(f"详见 www.a.example/news/1{stop}后文") == ["www.a.example/news/1"]


def test_glued_to_cjk_text() -> None:
    found = extract("图片来源https://a.example/x.png\n")
    assert [(o.kind, o.raw, o.line, o.column) for o in found] == [
        (LinkKind.BARE, "https://a.example/x.png", 1, 5)
    ]
    assert found[0].target.url == "https://a.example/x.png"
    assert bare("据美联社www.apnews.example/article/1报道") == ["www.apnews.example/article/1报道"]


def test_cjk_in_the_path_is_part_of_the_url() -> None:
    # The archive names images in Chinese: ideographs continue a URL, only punctuation ends it.
    assert bare("https://assets.a.example/uploads/2022/04/截图.png，来源") == [
        "https://assets.a.example/uploads/2022/04/截图.png"
    ]


def test_glued_to_an_ascii_word_is_not_a_url() -> None:
    assert bare("hhttps://a.example/x and xwww.a.example and ://www.a.example and a.www.b.example") == []


# Rendered by cmark-gfm (the `cmarkgfm` 2025.10.22 wheel, GitHub's renderer) and copied here as
# (shown text, href): the rules the spec prose leaves open, settled the way GitHub settles them.
CMARK_GFM_RENDERS = [
    ("来源:https://a.example/x", [("https://a.example/x", "https://a.example/x")]),
    ("a/https://a.example", [("https://a.example", "https://a.example")]),
    ("1https://a.example", [("https://a.example", "https://a.example")]),
    ("xhttps://a.example", []),
    ("http://a.example/x;", [("http://a.example/x", "http://a.example/x")]),
    ("http://a.example/x;y", [("http://a.example/x;y", "http://a.example/x;y")]),
    ("http://a.example/x&amp;", [("http://a.example/x", "http://a.example/x")]),
    ("http://a.example/x&a1;", [("http://a.example/x&a1", "http://a.example/x&a1")]),
    ("https://a.example/_b)&amp;=_", [("https://a.example/_b)&amp;=", "https://a.example/_b)&amp;=")]),
    ("**https://a.example/x**", [("https://a.example/x", "https://a.example/x")]),
    ("https://a.example/*x*/y", [("https://a.example/*x*/y", "https://a.example/*x*/y")]),
    ("HTTPS://a.example/X", [("HTTPS://a.example/X", "HTTPS://a.example/X")]),
    ("www.a", [("www.a", "http://www.a")]),
    ("www.a_b.c.example", [("www.a_b.c.example", "http://www.a_b.c.example")]),
    ("www.x_y.example", []),
    ("https://x_y.example", []),
    ("_http://example.com_", [("http://example.com", "http://example.com")]),
    ("foo_www.a.example", [("www.a.example", "http://www.a.example")]),
    ("a/www.a.example", []),
    ("http://a.example/x\\b", [("http://a.example/x\\b", "http://a.example/x%5Cb")]),
    ("https://a.example/a\\_b", [("https://a.example/a\\_b", "https://a.example/a%5C_b")]),
    (
        "https://a.example/?q=1&amp;r=2",
        [("https://a.example/?q=1&amp;r=2", "https://a.example/?q=1&amp;r=2")],
    ),
    (
        "see https://a.example/x.) and www.a.example/(y)",
        [("https://a.example/x", "https://a.example/x"), ("www.a.example/(y)", "http://www.a.example/(y)")],
    ),
]


@pytest.mark.parametrize(("text", "rendered"), CMARK_GFM_RENDERS)
def test_bare_urls_as_cmark_gfm_renders_them(text: str, rendered: list[tuple[str, str]]) -> None:
    """Several of these failed before the fix: a trailing ";" was kept, a URL after ":" or "/" or "_"
    was missed, emphasis delimiters cut a URL short, `HTTPS://` was missed, a backslash became "/"."""
    found = extract(text)
    assert [occ.raw for occ in found] == [shown for shown, _ in rendered]
    assert [occ.target for occ in found] == [
        normalize(href, source=SOURCE, root=ROOT) for _, href in rendered
    ]


@pytest.mark.parametrize(
    ("text", "urls"),
    [
        # Where we knowingly find more than GitHub links: each is still a citation to audit.
        ("[https://a.example/x]", ["https://a.example/x"]),  # GitHub links nothing inside brackets
        ("see https://a.example/x] y", ["https://a.example/x"]),  # GitHub keeps an unbalanced "]"
        ("\"www.a.example\" and 'www.b.example'", ["www.a.example", "www.b.example"]),  # after quotes
        ("Www.a.example reported", ["Www.a.example"]),  # capitalized at a sentence start
        # And where we knowingly find less: "www." with no domain is no citation (GitHub links "www").
        ("www._ and www.", []),
    ],
)
def test_departures_from_github(text: str, urls: list[str]) -> None:
    assert bare(text) == urls


@pytest.mark.parametrize(
    ("text", "urls"),
    [
        ("(see https://a.example/x)", ["https://a.example/x"]),
        ("https://a.example/wiki/Foo_(bar)", ["https://a.example/wiki/Foo_(bar)"]),
        ("“https://a.example/quoted”", ["https://a.example/quoted"]),
        ("https://a.example/x…", ["https://a.example/x"]),
        ("https://a.example/x\u00a0next", ["https://a.example/x"]),
        ("~~www.a.example~~", ["www.a.example"]),
    ],
)
def test_bare_url_edges(text: str, urls: list[str]) -> None:
    assert bare(text) == urls


def test_a_url_the_trim_empties_does_not_lose_the_file() -> None:
    """`www._` trimmed to `www` once raised ValueError, and the whole file became a file error."""
    assert bare("www._ then https://a.example/kept\n") == ["https://a.example/kept"]


def test_no_bare_urls_in_code_or_link_syntax() -> None:
    text = "`https://a.example/code` and [shown](https://a.example/dest) and <https://a.example/auto>\n"
    assert [(o.kind, o.raw) for o in extract(text)] == [
        (LinkKind.LINK, "https://a.example/dest"),
        (LinkKind.AUTOLINK, "https://a.example/auto"),
    ]


def test_plain_text_files_end_urls_at_brackets_and_quotes() -> None:
    text = "a <https://a.example/x> \"https://a.example/y\" 'https://a.example/z' https://a.example/w.\n"
    assert bare(text, "notes.txt") == [
        "https://a.example/x",
        "https://a.example/y",
        "https://a.example/z",
        "https://a.example/w",
    ]
