"""Anchors of documents: GitHub's heading slugs (github-slugger's rules), ids and names in raw HTML and HTML.

The slug table follows github-slugger's fixtures, which that project generates from what GitHub renders,
plus Chinese headings as the archive writes them.
"""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkaudit.extract.anchors import Slugger, heading_slug, html_anchors, markdown_anchors


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        ("Hello World", "hello-world"),
        ("bravoCharlieDelta", "bravocharliedelta"),
        ("heading with a - dash", "heading-with-a---dash"),
        ("heading with an _ underscore", "heading-with-an-_-underscore"),
        ("heading with a period.txt", "heading-with-a-periodtxt"),
        (
            "exchange.bind_headers(exchange, routing [, bindCallback])",
            "exchangebind_headersexchange-routing--bindcallback",
        ),
        ("apostrophe’s should be trimmed", "apostrophes-should-be-trimmed"),
        (" a ", "-a-"),
        # Unicode punctuation and symbols go, emoji among them; letters, digits and marks of any script stay.
        ("I ♥ unicode", "i--unicode"),
        ("en–dash", "endash"),
        ("😄 unicode emoji", "-unicode-emoji"),
        ("😄-😄 unicode emoji", "--unicode-emoji"),
        ("😄_😄 unicode emoji", "_-unicode-emoji"),
        (":ok_hand: Single", "ok_hand-single"),
        ("Привет non-latin 你好", "привет-non-latin-你好"),
        ("Café à la carte", "café-à-la-carte"),
        ("Cafe\u0301", "cafe\u0301"),  # a combining accent is a mark: kept
        ("第二章 Ⅱ ½ ²", "第二章-ⅱ--"),  # a letter-number stays (lower-cased), other numbers go
        ("a ⓔ 🄺 b", "a-ⓔ-🄺-b"),  # symbols that are also letters stay
        ("a\u3000b\u00a0c", "abc"),  # only the ASCII space becomes "-"; other separators go
        ("a\tb\nc", "abc"),  # controls go
        # Chinese headings as the archive writes them: full-width punctuation goes, CJK stays.
        ("标题：第一部分", "标题第一部分"),
        ("2024年6月4日（星期二）", "2024年6月4日星期二"),
        ("【独家】“郭文贵”案，最新进展！", "独家郭文贵案最新进展"),
        ("中文 English 混合", "中文-english-混合"),
    ],
)
def test_heading_slug(heading: str, slug: str) -> None:
    assert heading_slug(heading) == slug


def test_repeats_are_numbered_as_github_slugger_numbers_them() -> None:
    slugger = Slugger()
    headings = ["echo", "echo", "echo 1", "echo-1", "echo", "foxtrot-1", "foxtrot", "foxtrot", "标题", "标题"]
    assert [slugger.slug(h) for h in headings] == [
        "echo",
        "echo-1",
        "echo-1-1",
        "echo-1-2",
        "echo-2",
        "foxtrot-1",
        "foxtrot",
        "foxtrot-2",
        "标题",
        "标题-1",
    ]


def test_a_heading_is_what_a_reader_sees_of_it() -> None:
    text = (
        "# Use `pip install` with [the guide](https://a.example) ![logo](l.png)\n\n"
        "## *Emphasis* and **strong** &amp; <b>tags</b>\n\n"
        "Setext heading\n==============\n\n"
        "### 标题：第一部分 😄\n\n"
        "```\n# not a heading\n```\n\n"
        "    # nor this\n"
    )
    assert markdown_anchors(text) == [
        "use-pip-install-with-the-guide-",
        "emphasis-and-strong--tags",
        "setext-heading",
        "标题第一部分-",
    ]


def test_repeated_headings_in_a_document() -> None:
    assert markdown_anchors("# Notes\n\n## Notes\n\n### Notes\n") == ["notes", "notes-1", "notes-2"]


def test_raw_html_ids_and_names_count_as_written() -> None:
    text = (
        '# <a name="S-introduction"></a>In: Introduction\n\n'
        'Text with <span id="inline-id">an id</span>.\n\n'
        "<div id=\"block-id\">\n<p id='second'>x</p>\n</div>\n\n"
        '<!-- <a id="commented"></a> -->\n\n'
        '<input name="not-an-anchor">\n\n'
        '`<a id="in-code">`\n'
    )
    assert markdown_anchors(text) == ["in-introduction", "S-introduction", "inline-id", "block-id", "second"]


def test_html_anchors_ids_of_any_element_and_names_of_a() -> None:
    source = (
        '<html><head><title id="no">t</title><script>var s = "<a id=\\"no2\\">";</script></head>\n'
        '<body><h1 ID="Top-Part" class="x">A</h1><a name="n1">x</a><input name="field">\n'
        "<p data-x=\"a > b\" id=unquoted>q</p><section id='single'></section>\n"
        '<a href="#x" id="caf&eacute;">e</a><!-- <p id="commented"> --></body></html>'
    )
    assert html_anchors(source) == ["Top-Part", "n1", "unquoted", "single", "café"]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_a_slug_holds_no_space_punctuation_or_upper_case_and_slugs_to_itself(heading: str) -> None:
    slug = heading_slug(heading)
    assert not any(char.isspace() for char in slug)
    assert not any(char in string.punctuation and char not in "-_" for char in slug)
    assert slug == slug.lower()
    assert heading_slug(slug) == slug
