"""The writers, as a table: what each syntax needs escaped, and what it leaves as it is."""

from __future__ import annotations

import pytest

from linkaudit.fix.syntax import (
    autolink,
    bare_in_markdown,
    bare_in_text,
    html_attribute,
    markdown_destination,
    uri_text,
)


@pytest.mark.parametrize(
    ("url", "encoding", "written"),
    [
        ("https://a.example/x", "big5", "https://a.example/x"),
        ("https://a.example/a b\tc", "utf-8", "https://a.example/a%20b%09c"),
        ('https://a.example/<a>"|^`{}', "utf-8", "https://a.example/%3Ca%3E%22%7C%5E%60%7B%7D"),
        ("https://a.example/%E5%9B%BE%25", "utf-8", "https://a.example/%E5%9B%BE%25"),  # escapes kept
        ("https://a.example/圖图", "utf-8", "https://a.example/圖图"),
        ("https://a.example/圖图", "gb18030", "https://a.example/圖图"),
        ("https://a.example/圖图", "big5", "https://a.example/圖%E5%9B%BE"),
        ("https://a.example/\u3000x\u200b", "utf-8", "https://a.example/%E3%80%80x%E2%80%8B"),
        ("https://图.example/图", "big5", "https://xn--wcs.example/%E5%9B%BE"),
        ("https://user@图.example:8080/", "big5", "https://user@xn--wcs.example:8080/"),
        ("https://图.example/", "utf-8", "https://图.example/"),
        ("https://a.example\\b\\c?d\\e#f\\g", "utf-8", "https://a.example/b/c?d%5Ce#f%5Cg"),
        ("ipfs://a\\b", "utf-8", "ipfs://a%5Cb"),
    ],
)
def test_uri_text(url: str, encoding: str, written: str) -> None:
    assert uri_text(url, encoding) == written


@pytest.mark.parametrize(
    ("url", "angle", "written"),
    [
        ("https://a.example/Foo_(bar)", False, "https://a.example/Foo_(bar)"),
        ("https://a.example/a(b", False, "https://a.example/a\\(b"),
        ("https://a.example/a)b(c", False, "https://a.example/a\\)b\\(c"),
        ("https://a.example/a(b", True, "https://a.example/a(b"),
        ("https://a.example/" + "(" * 9 + ")" * 9, False, "https://a.example/" + "\\(" * 9 + "\\)" * 9),
        ("https://a.example/?a=1&amp;b=2&c=3&#38;", False, "https://a.example/?a=1\\&amp;b=2&c=3\\&#38;"),
        ("https://a.example/a b", True, "https://a.example/a%20b"),
    ],
)
def test_markdown_destination(url: str, angle: bool, written: str) -> None:
    assert markdown_destination(url, "utf-8", angle=angle) == written


def test_an_autolink_needs_no_escapes_but_no_spaces() -> None:
    assert autolink("https://a.example/a(b&amp; c>", "utf-8") == "https://a.example/a(b&amp;%20c%3E"


@pytest.mark.parametrize(
    ("quote_char", "srcset", "written"),
    [
        ('"', False, "https://a.example/it's?a=1&amp;b=%22c%22,"),
        ("'", False, "https://a.example/it&#39;s?a=1&amp;b=%22c%22,"),
        ("", False, "https://a.example/it&#39;s?a&#61;1&amp;b&#61;%22c%22,"),
        ('"', True, "https://a.example/it's?a=1&amp;b=%22c%22%2C"),
    ],
)
def test_html_attribute(quote_char: str, srcset: bool, written: str) -> None:
    url = 'https://a.example/it\'s?a=1&b="c",'
    assert html_attribute(url, "utf-8", quote_char=quote_char, srcset=srcset) == written


def test_a_bare_url_in_markdown_keeps_what_was_cited_as_its_text() -> None:
    new, at, destination = bare_in_markdown("http://a.example/[x", "https://b.example/(y", "utf-8")
    assert new == "[http://a.example/\\[x](https://b.example/\\(y)"
    assert new[at:].startswith(destination) and destination == "https://b.example/\\(y"


@pytest.mark.parametrize(
    ("url", "written"),
    [
        ("https://a.example/x", "https://a.example/x"),
        ("https://a.example/x.", "https://a.example/x%2E"),
        ("https://a.example/it's", "https://a.example/it%27s"),
        ("https://a.example/(x)", "https://a.example/(x)"),
        ("https://a.example/x)", "https://a.example/x%29"),
        ("https://a.example/x_", "https://a.example/x%5F"),
    ],
)
def test_bare_in_text(url: str, written: str) -> None:
    assert bare_in_text(url, "utf-8") == written
