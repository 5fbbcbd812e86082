"""CommonMark conformance: every example of the CommonMark spec (0.31.2), no exclusions.

For each example, the destinations the Markdown extractor reports must be exactly the `href`/`src`
values in the spec's expected HTML, in order, one for one. Three things are compared per destination:

1. **The span.** `raw` (the file's bytes at `start:end`) is the destination as written. Decoding it as
   CommonMark does (backslash escapes, entity references; neither applies inside `<autolinks>`) and
   escaping it as the reference renderer escapes an href (cmark's `houdini_escape_href`) must give
   the spec's href character for character. This proves we located the right text, not just a URL
   that normalizes alike.
2. **The target.** `target` must equal `normalize(href)`: the URL we will check is the one a reader's
   browser requests when clicking the rendered link. Unparseable destinations must be rejected on both
   sides with the same status.
3. **The text.** The link text / image alt we report equals the rendered `<a>` text / `alt`
   (whitespace collapsed: the spec renders soft breaks as newlines, we as spaces).

Bare URLs (CommonMark does not link them; GFM-style detection is tested in
`test_gfm_autolinks.py`) and `text-url` occurrences (a second look at link text) are left out of the
comparison. Raw HTML that the spec passes through (`<a href="…">`, `<img src="…">`) *is* compared:
the extractor reports it as `html-link`/`html-image`, so every `<a href>`/`<img src>` of the expected
HTML must be accounted for. The text of a raw-HTML `<a>` in Markdown is not collected (its content is
Markdown, parsed apart), so text is not compared for `html-link`.
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from linkaudit.extract import SourceFormat, extract_document
from linkaudit.extract.document import document_from_bytes
from linkaudit.models import LinkKind, Occurrence, TargetStatus
from linkaudit.urls import normalize

DATA = Path(__file__).parent.parent / "data" / "commonmark"
SPEC: list[dict[str, Any]] = json.loads((DATA / "commonmark.json").read_text(encoding="utf-8"))
ROOT = Path("/articles")
SOURCE = ROOT / "spec.md"

_MARKDOWN_KINDS = {LinkKind.LINK, LinkKind.IMAGE, LinkKind.REFERENCE, LinkKind.AUTOLINK}
_ELEMENT_OF_KIND = {
    LinkKind.LINK: "a",
    LinkKind.REFERENCE: "a",
    LinkKind.AUTOLINK: "a",
    LinkKind.HTML_LINK: "a",
    LinkKind.IMAGE: "img",
    LinkKind.HTML_IMAGE: "img",
}
# Every URL-bearing attribute the issue lists; the spec only uses the first two, and any other would
# show up here as an expected destination that the comparison then demands.
_URL_ATTRIBUTES = {
    ("a", "href"),
    ("img", "src"),
    ("img", "srcset"),
    ("source", "src"),
    ("source", "srcset"),
    ("video", "src"),
    ("video", "poster"),
    ("audio", "src"),
    ("iframe", "src"),
}
# cmark's houdini_escape_href keeps these as they are and percent-encodes every other UTF-8 byte.
_HREF_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.+!*'(),%#@?=;:/&$~")
_ESCAPE_OR_ENTITY = re.compile(
    r"\\([!-/:-@\[-`{-~])|(&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});)"
)


class _Expected(HTMLParser):
    """The URL attributes of the expected HTML, in order, with the rendered text of each `<a>`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, list[str]]] = []
        self.open_anchors: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if (tag, name) in _URL_ATTRIBUTES:
                text: list[str] = [dict(attrs).get("alt") or ""] if tag == "img" else []
                self.found.append((tag, value or "", text))
                if tag == "a":
                    self.open_anchors.append(text)
        if tag == "img":
            for anchor in self.open_anchors:
                anchor.append(dict(attrs).get("alt") or "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.open_anchors:
            self.open_anchors.pop()

    def handle_data(self, data: str) -> None:
        for anchor in self.open_anchors:
            anchor.append(data)


def expected_links(rendered: str) -> list[tuple[str, str, str]]:
    """(element, href or src, rendered text) of each URL attribute in the expected HTML."""
    parser = _Expected()
    parser.feed(rendered)
    parser.close()
    return [(element, value, "".join(text)) for element, value, text in parser.found]


def commonmark_decode(raw: str) -> str:
    """A link destination as written, with CommonMark's backslash escapes and entity references resolved."""

    def replace(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            return match.group(1)
        decoded = html.unescape(match.group(2))
        return decoded if decoded != match.group(2) else match.group(2)

    return _ESCAPE_OR_ENTITY.sub(replace, raw)


def escape_href(destination: str) -> str:
    """The href the reference renderer writes for a destination (before HTML-escaping the attribute)."""
    return "".join(
        c if c in _HREF_SAFE else "".join(f"%{b:02X}" for b in c.encode("utf-8")) for c in destination
    )


def destination_as_rendered(occ: Occurrence) -> str:
    if occ.kind is LinkKind.AUTOLINK:
        # No escapes inside autolinks; an email autolink renders as mailto:.
        is_email = re.match(r"^[A-Za-z][A-Za-z0-9+.\-]{1,31}:", occ.raw) is None
        return escape_href("mailto:" + occ.raw if is_email else occ.raw)
    if occ.kind in _MARKDOWN_KINDS:
        return escape_href(commonmark_decode(occ.raw))
    return html.unescape(occ.raw)  # raw HTML is passed through; only the parser decodes entities


def compared(occurrences: list[Occurrence]) -> list[Occurrence]:
    return [occ for occ in occurrences if occ.kind not in (LinkKind.BARE, LinkKind.TEXT_URL)]


def extract_markdown_text(markdown: str) -> list[Occurrence]:
    doc = document_from_bytes(markdown.encode("utf-8"), SOURCE, "spec.md")
    return extract_document(doc, SourceFormat.MARKDOWN, ROOT)


def _collapse(text: str) -> str:
    return " ".join(text.split())


def test_the_whole_spec_is_here() -> None:
    assert len(SPEC) == 652
    assert [example["example"] for example in SPEC] == list(range(1, 653))
    total = sum(len(expected_links(example["html"])) for example in SPEC)
    assert total == 155  # every `<a href>`/`<img src>` in the spec: the comparison is not vacuous


@pytest.mark.parametrize("example", SPEC, ids=[f"example-{e['example']}" for e in SPEC])
def test_destinations_match_the_spec(example: dict[str, Any]) -> None:
    expected = expected_links(example["html"])
    found = compared(extract_markdown_text(example["markdown"]))
    assert [(_ELEMENT_OF_KIND[occ.kind], destination_as_rendered(occ)) for occ in found] == [
        (element, value) for element, value, _ in expected
    ], example["markdown"]
    for occ, (_, value, text) in zip(found, expected, strict=True):
        wanted = normalize(value, source=SOURCE, root=ROOT)
        if wanted.status is TargetStatus.INVALID:
            assert occ.target.status is TargetStatus.INVALID, (occ, wanted)
        else:
            assert occ.target == wanted, example["markdown"]
        if occ.kind is not LinkKind.HTML_LINK:
            assert _collapse(occ.text) == _collapse(text), example["markdown"]


@pytest.mark.parametrize(
    ("markdown", "rendered"),
    [
        # An image description renders as alt text: a link inside it is no citation (spec 520, 574, 575).
        ("![foo [bar](/url)](/url2)\n", [("img", "/url2", "foo bar")]),
        ("![[[foo](uri1)](uri2)](uri3)\n", [("img", "uri3", "[foo](uri2)")]),
        # A backslash in a Markdown destination is rendered %5C, never read as "/" (spec 20, 603).
        (
            "<https://example.com?find=\\*>\n",
            [("a", "https://example.com?find=%5C*", "https://example.com?find=\\*")],
        ),
    ],
)
def test_fixed_regressions(markdown: str, rendered: list[tuple[str, str, str]]) -> None:
    """The examples that failed before the extractor was fixed, spelled out."""
    found = compared(extract_markdown_text(markdown))
    assert [(_ELEMENT_OF_KIND[o.kind], destination_as_rendered(o), o.text) for o in found] == rendered
    assert [o.target for o in found] == [normalize(href, source=SOURCE, root=ROOT) for _, href, _ in rendered]
