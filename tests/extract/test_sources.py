"""URL lists and fetched pages as inputs (`linkaudit.extract.sources`): bytes in, occurrences out."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linkaudit.extract import UsageError
from linkaudit.extract.document import document_from_bytes
from linkaudit.extract.sources import is_web_address, page_occurrences, read_url_list, url_list_occurrences
from linkaudit.models import LinkKind, Occurrence, TargetStatus

LIST = (
    "# yesterday's failures\n"
    "\n"
    "https://news.example/a\r\n"
    "   http://NEWS.example:80/b/../c   \n"
    "news.example/no-scheme\n"
    "https://a.example/x https://b.example/y\n"
    "mailto:someone@example.org\n"
    "\t# an indented comment\n"
    "https://例子.测试/路径"
)


def listed(text: str) -> list[Occurrence]:
    return url_list_occurrences(document_from_bytes(text.encode("utf-8"), Path("list.txt"), "list.txt"))


def test_a_url_list_is_one_occurrence_per_url_line() -> None:
    found = listed(LIST)
    assert [(o.line, o.column, o.raw) for o in found] == [
        (3, 1, "https://news.example/a"),
        (4, 4, "http://NEWS.example:80/b/../c"),
        (5, 1, "news.example/no-scheme"),
        (6, 1, "https://a.example/x https://b.example/y"),
        (7, 1, "mailto:someone@example.org"),
        (9, 1, "https://例子.测试/路径"),
    ]
    assert {o.file for o in found} == {"list.txt"}
    assert {o.kind for o in found} == {LinkKind.URL_LIST}
    targets = [(o.target.status, o.target.detail or o.target.url) for o in found]
    assert [o.target.reason for o in found] == [
        None,
        None,
        "relative-url",
        "spaces-in-url",
        "unchecked-scheme",
        None,
    ]
    assert targets == [
        (TargetStatus.OK, "https://news.example/a"),
        (TargetStatus.OK, "http://news.example/c"),
        (TargetStatus.INVALID, "not an absolute URL"),
        (TargetStatus.INVALID, "not a URL (spaces in it)"),
        (TargetStatus.SKIPPED, "scheme mailto:"),
        (TargetStatus.OK, "https://xn--fsqu00a.xn--0zwm56d/%E8%B7%AF%E5%BE%84"),
    ]


LINES = st.sampled_from(["https://h.example/p", "  # c", "", "x y", "  http://q.example/ ", "\tmailto:x"])


@given(st.lists(LINES, max_size=12))
def test_byte_spans_point_at_each_url_as_written(lines: list[str]) -> None:
    text = "\r\n".join(lines)
    data = text.encode("utf-8")
    for occ in listed(text):
        assert data[occ.start : occ.end].decode("utf-8") == occ.raw
        assert lines[occ.line - 1].strip() == occ.raw


def test_a_list_file_that_cannot_be_read_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"--urls .*missing\.txt: no such file"):
        read_url_list(str(tmp_path / "missing.txt"))
    path = tmp_path / "list.txt"
    path.write_text("https://news.example/a\n", encoding="utf-8")
    assert [o.raw for o in read_url_list(str(path))] == ["https://news.example/a"]


@pytest.mark.parametrize(
    ("argument", "web"),
    [
        ("https://example.org/page", True),
        ("HTTP://example.org", True),
        ("http.md", False),
        ("./https:x", False),
    ],
)
def test_web_addresses_are_told_from_paths(argument: str, web: bool) -> None:
    assert is_web_address(argument) is web


PAGE = b"""<!doctype html><html><head><title>t</title></head><body>
<a href="a.html">relative</a> <a href="/root">root</a> <a href="//cdn.example/lib.js">cdn</a>
<a href="#part">fragment</a> <img src="pic.png" alt="pic"> <a href="mailto:x@example.org">mail</a>
</body></html>"""


def test_a_page_s_links_resolve_against_where_it_was_fetched_from() -> None:
    found, error = page_occurrences(
        "https://site.example/old", "https://site.example/blog/post", PAGE, "text/html; charset=utf-8"
    )
    assert error is None
    assert [(o.kind, o.target.url, o.target.fragment) for o in found] == [
        (LinkKind.HTML_LINK, "https://site.example/blog/a.html", None),
        (LinkKind.HTML_LINK, "https://site.example/root", None),
        (LinkKind.HTML_LINK, "https://cdn.example/lib.js", None),
        (LinkKind.HTML_LINK, "https://site.example/blog/post", "part"),
        (LinkKind.HTML_IMAGE, "https://site.example/blog/pic.png", None),
        (LinkKind.HTML_LINK, "mailto:x@example.org", None),
    ]
    assert {o.file for o in found} == {"https://site.example/old"}  # cited at the address as given
    assert (found[0].line, found[0].column, found[0].raw) == (2, 1, "a.html")


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("/docs/", "https://site.example/docs/a.html"),
        ("https://mirror.example/x/", "https://mirror.example/x/a.html"),
        ("javascript:void(0)", "https://site.example/blog/a.html"),  # not a web address: ignored
    ],
)
def test_a_page_s_base_element_moves_its_relative_links(base: str, expected: str) -> None:
    page = f'<html><head><base href="{base}"></head><body><a href="a.html">a</a></body></html>'.encode()
    found, error = page_occurrences(
        "https://site.example/blog/post", "https://site.example/blog/post", page, None
    )
    assert error is None
    assert [o.target.url for o in found] == [expected]


def test_markdown_and_text_pages_and_other_content() -> None:
    markdown = b"# Read me\n\nSee [the guide](docs/guide.md) and https://other.example/x.\n"
    found, _ = page_occurrences(
        "https://raw.example/repo/README.md", "https://raw.example/repo/README.md", markdown, "text/plain"
    )
    assert [o.target.url for o in found] == [
        "https://raw.example/repo/docs/guide.md",
        "https://other.example/x",
    ]
    text, _ = page_occurrences("https://t.example/list", "https://t.example/list", markdown, "text/plain")
    assert [o.target.url for o in text] == ["https://other.example/x"]  # plain text: bare URLs only
    found, error = page_occurrences(
        "https://t.example/p.pdf", "https://t.example/p.pdf", b"%PDF-1.7", "application/pdf"
    )
    assert found == []
    assert error is not None
    assert error.message == "not a web page (Content-Type: application/pdf)"


def test_a_page_is_decoded_in_the_charset_it_names() -> None:
    page = '<a href="https://news.example/é">café</a>'.encode("iso-8859-1")
    found, error = page_occurrences(
        "https://p.example/", "https://p.example/", page, "text/html; charset=ISO-8859-1"
    )
    assert error is None
    assert [(o.text, o.target.url) for o in found] == [("café", "https://news.example/%C3%A9")]
    assert page[found[0].start : found[0].end].decode("iso-8859-1") == found[0].raw
