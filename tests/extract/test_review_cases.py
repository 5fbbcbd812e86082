"""Defects a review of the segmented parser, raw-HTML anchors and the CJK host rule found, each pinned
by a minimal example (all fixed since): list looseness across segments, nested and unclosed anchors,
script content, a bold host glued to CJK, other legacy CJK encodings taken for GB18030.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from linkaudit.extract import SourceFormat, extract_document
from linkaudit.extract.document import document_from_bytes
from linkaudit.extract.markdown import extract_markdown
from linkaudit.models import Occurrence

ROOT = Path("/articles")


def _extract(text: str, name: str = "a.md") -> list[Occurrence]:
    data = text.encode("utf-8")
    doc = document_from_bytes(data, ROOT / name, name)
    return extract_document(doc, SourceFormat.for_path(name), ROOT)


# 1. `_segments`: a list goes on over a blank line when the next unindented line is another item, and
# that blank line makes the whole list loose (its items' text is wrapped in paragraphs). Parsed alone,
# the items before the blank line form a tight list: no Paragraph end closes an open inline <a> or
# <xmp>/<title> at the end of the item, so its state runs on into nested blocks or the next item.
@pytest.mark.parametrize(
    "markdown",
    [
        '- <a href="https://a.example/">x\n  - y</a>\n\n- z\n',  # segmented text "xy", whole "x"
        '- <a href="https://a.example/">x\n- y</a>\n\n- z\n',  # the same across two items
        "- <xmp>a\n- https://b.example/\n\n- z\n",  # segmented: bare URL lost; whole: found
        "- z\n\n\n- a <xmp>x\n  > https://b.example/\n",  # the blank line before counts too
    ],
)
def test_segmented_list_items_match_the_whole_parse(markdown: str) -> None:
    doc = document_from_bytes(markdown.encode("utf-8"), ROOT / "a.md", "a.md")
    assert extract_markdown(doc) == extract_markdown(doc, whole=True)


# 2. Raw HTML anchors.
@pytest.mark.parametrize(
    "markdown",
    [
        'x <a href="https://a.example/1">one <a href="https://a.example/2">two</a> three</a>\n',
        'x <a href="https://a.example/1">one<a name="z">two</a>\n',
    ],
)
def test_a_new_anchor_closes_the_open_one_inline(markdown: str) -> None:
    # As browsers (and extract_html for .html files) do: an <a> start tag ends the open <a>.
    found = _extract(markdown)
    assert found[0].text == "one"  # today ""


def test_a_new_anchor_closes_the_open_one_in_an_html_block() -> None:
    found = _extract(
        '<div>\n<a href="https://a.example/1">one <a href="https://a.example/2">two</a></a>\n</div>\n'
    )
    html_found = _extract(
        '<p><a href="https://a.example/1">one <a href="https://a.example/2">two</a></a>', "a.html"
    )
    assert [o.text for o in html_found] == ["one", "two"]
    assert [o.text for o in found] == ["one", "two"]  # today ["one two", "two"]


def test_markdown_link_text_inside_an_anchor_is_its_text() -> None:
    found = _extract('x <a href="https://a.example/">see [md](https://b.example/) too</a>\n')
    assert [(o.raw, o.text) for o in found] == [
        ("https://a.example/", "see md too"),  # today "see too"
        ("https://b.example/", "md"),
    ]


def test_markdown_links_inside_inline_script_are_no_citation() -> None:
    # Bare URLs there are skipped already; the parser's own links (rendered into the script's text,
    # which a browser never shows) are not.
    found = _extract("x <script>s [l](https://no.example/1) <https://no.example/2></script> y\n")
    assert [o.raw for o in found] == []


def test_script_tag_inside_a_comment_hides_nothing() -> None:
    found = _extract('<div>\n<!-- <script> -->\n<a href="https://a.example/">a</a>\n</div>\n')
    assert [o.raw for o in found] == ["https://a.example/"]


def test_raw_text_tag_inside_an_attribute_value_hides_nothing() -> None:
    found = _extract(
        '<div>\n<img alt="see <title>" src="a.png">\n<a href="https://a.example/">a</a>\n</div>\n'
    )
    assert [o.raw for o in found] == ["a.png", "https://a.example/"]


def test_self_closed_script_is_read_alike_inline_and_in_blocks() -> None:
    snippet = '<script src="s.js"/> <a href="https://a.example/">a</a>'
    inline = _extract(f"x {snippet}\n")
    block = _extract(f"<div>\n{snippet}\n</div>\n")
    html_file = _extract(f"<p>{snippet}", "a.html")
    assert [o.raw for o in inline] == [o.raw for o in html_file] == ["https://a.example/"]
    assert [o.raw for o in block] == [o.raw for o in inline]  # today [] in the block


# 3. Bare URLs: the host ends where CJK is glued to it, but not when emphasis stands between.
def test_bold_host_glued_to_cjk() -> None:
    found = _extract("见**https://news.example.com**的报道\n")
    assert [o.raw for o in found] == ["https://news.example.com"]


# 5. `legacy_encoding`: EUC-KR and EUC-JP text (and short Big5 text without full-width punctuation)
# has the byte shape of GB2312 too, so it is now decoded as GB18030: mojibake, and IRIs in it name
# other URLs. All three were detected correctly before.
@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("# 한국어 문서\n\n자세한 내용은 https://ko.wikipedia.org/wiki/한국어 를 참고하세요.\n", "euc_kr"),
        ("# 日本語の文書\n\n詳しくは https://ja.wikipedia.org/wiki/日本語 を参照してください。\n", "euc_jp"),
        ("# 中文\n\n見 https://zh.wikipedia.org/wiki/中文\n", "big5"),
    ],
)
def test_other_legacy_cjk_encodings_are_not_taken_for_gb18030(text: str, encoding: str) -> None:
    doc = document_from_bytes(text.encode(encoding), ROOT / "a.md", "a.md")
    assert doc.text == text
