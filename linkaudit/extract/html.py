"""Links in HTML: whole `.html` files (stdlib `html.parser`) and raw HTML inside Markdown.

Both share `scan_tag`, which finds the URL-bearing attributes of one start tag with their exact
positions, so byte spans point at the attribute value as written.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from linkaudit.extract.document import Document, RawLink
from linkaudit.models import LinkKind

__all__ = ["URL_ATTRIBUTES", "anchor_text", "extract_html", "scan_fragment", "scan_tag"]

#: (element, attribute) -> kind. `srcset` holds several URLs.
URL_ATTRIBUTES: dict[tuple[str, str], LinkKind] = {
    ("a", "href"): LinkKind.HTML_LINK,
    ("area", "href"): LinkKind.HTML_LINK,
    ("img", "src"): LinkKind.HTML_IMAGE,
    ("img", "srcset"): LinkKind.HTML_IMAGE,
    ("source", "src"): LinkKind.HTML_LINK,
    ("source", "srcset"): LinkKind.HTML_IMAGE,
    ("video", "src"): LinkKind.HTML_LINK,
    ("video", "poster"): LinkKind.HTML_IMAGE,
    ("audio", "src"): LinkKind.HTML_LINK,
    ("iframe", "src"): LinkKind.HTML_LINK,
}
_ELEMENTS = frozenset(element for element, _ in URL_ATTRIBUTES)
# A start tag up to its ">", which may also stand inside a quoted value (`alt="1 > 0"`).
_TAG = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>?""")
_ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
# Elements whose content is not markup: a "<a href>" in a script's string is no citation.
_RAW_TEXT_ELEMENTS = frozenset({"script", "style", "textarea", "title", "xmp"})
_TAG_NAME = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)(?=[\s/>]|$)")
_ANCHOR_STOP = re.compile(r"</a\s*>|<a[\s/>]", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]*>")
_SRCSET_URL = re.compile(r"[^\s,][^\s]*")


def scan_tag(tag: str) -> tuple[str, list[tuple[str, int, int, str]]]:
    """(element, [(attribute, value start, value end, value as written)]) of one start tag's source."""
    name_match = re.match(r"<\s*([A-Za-z][A-Za-z0-9-]*)", tag)
    if name_match is None:
        return "", []
    attrs: list[tuple[str, int, int, str]] = []
    pos = name_match.end()
    end = len(tag)
    while pos < end:
        match = _ATTR.search(tag, pos)
        if match is None or tag[match.start()] == ">":
            break
        for group in (2, 3, 4):
            if match.group(group) is not None:
                attrs.append(
                    (match.group(1).lower(), match.start(group), match.end(group), match.group(group))
                )
                break
        pos = match.end()
    return name_match.group(1).lower(), attrs


def _srcset_candidates(value: str) -> list[tuple[int, int]]:
    """Spans of the URLs in a srcset value (descriptors and separating commas excluded)."""
    spans: list[tuple[int, int]] = []
    pos = 0
    n = len(value)
    while pos < n:
        while pos < n and (value[pos].isspace() or value[pos] == ","):
            pos += 1
        if pos >= n:
            break
        start = pos
        while pos < n and not value[pos].isspace():
            pos += 1
        url_end = pos
        while url_end > start and value[url_end - 1] == ",":
            url_end -= 1
        if url_end > start:
            spans.append((start, url_end))
        if value[pos - 1 : pos] == ",":
            continue
        while pos < n and value[pos] != ",":
            pos += 1
    return spans


def links_in_tag(tag: str, offset: int) -> tuple[str, list[RawLink], str | None]:
    """RawLinks of one start tag found at `offset`; also its element and a `<base href>` if it is one."""
    element, attrs = scan_tag(tag)
    if element not in _ELEMENTS and element != "base":
        return element, [], None
    found: list[RawLink] = []
    base: str | None = None
    values = {name: value for name, _, _, value in attrs}
    text = html.unescape(values.get("alt", "")) if element == "img" else ""
    title = html.unescape(values.get("title", ""))
    for name, start, end, value in attrs:
        if element == "base" and name == "href":
            base = html.unescape(value)
            continue
        kind = URL_ATTRIBUTES.get((element, name))
        if kind is None:
            continue
        if name == "srcset":
            for s, e in _srcset_candidates(value):
                found.append(
                    RawLink(
                        kind,
                        offset,
                        offset + start + s,
                        offset + start + e,
                        html.unescape(value[s:e]),
                        text,
                        title,
                    )
                )
        else:
            found.append(
                RawLink(kind, offset, offset + start, offset + end, html.unescape(value), text, title)
            )
    return element, found, base


def anchor_text(inner: str) -> str:
    """What a reader sees of an anchor's content: tags dropped, entities resolved, spaces collapsed."""
    return " ".join(html.unescape(_ANY_TAG.sub("", inner)).split())


def scan_fragment(source: str, offset: int) -> list[RawLink]:
    """RawLinks in a fragment of raw HTML (from Markdown), tag by tag as a browser reads them.

    Comments and the content of script, style, textarea, title and xmp elements are skipped (not
    markup); attribute values are never searched for tags. An `<a>`'s text is what stands before its
    `</a>` or the next `<a>` in the fragment (an inline `<a>` in Markdown comes alone: the Markdown
    extractor gives its text). `<script/>` counts as closed, as in inline HTML and `.html` files.
    """
    found: list[RawLink] = []
    pos = source.find("<")
    end = len(source)
    while 0 <= pos < end:
        if source.startswith("<!--", pos):
            close = source.find("-->", pos + 4)
            pos = source.find("<", close + 3) if close >= 0 else -1
            continue
        name_match = _TAG_NAME.match(source, pos)
        if name_match is None:
            pos = source.find("<", pos + 1)
            continue
        tag_match = _TAG.match(source, pos)
        tag = tag_match.group(0) if tag_match is not None else source[pos:]
        after = pos + max(len(tag), 1)
        name = name_match.group(1).lower()
        if name in _RAW_TEXT_ELEMENTS and not tag.endswith("/>"):
            close_match = re.compile(rf"</{name}\s*>", re.IGNORECASE).search(source, after)
            pos = source.find("<", close_match.end()) if close_match is not None else -1
            continue
        if name in _ELEMENTS:
            element, links, _ = links_in_tag(tag, offset + pos)
            if element == "a" and links:
                stop = _ANCHOR_STOP.search(source, after)
                text = anchor_text(source[after : stop.start() if stop is not None else end])
                links = [link._replace(text=text) for link in links]
            found.extend(links)
        pos = source.find("<", after)
    return found


# `<![` opens a marked section; followed by anything but one of these names, CPython 3.11's parser raises
# AssertionError (found by fuzzing: `<![\ufffdCDATA[` lost the whole file). Browsers read it as a bogus
# comment: no link in it either way.
_MARKED_SECTION = re.compile(r"<!\[([a-zA-Z][-_.a-zA-Z0-9]*)?")
_SECTION_NAMES = frozenset({"temp", "cdata", "ignore", "include", "rcdata", "if", "else", "endif"})


def _without_bad_marked_sections(text: str) -> str:
    """`text` with the "<" of each marked section the parser would choke on made a space (same length)."""
    if "<![" not in text:
        return text
    return _MARKED_SECTION.sub(
        lambda m: m.group() if (m.group(1) or "").lower() in _SECTION_NAMES else " " + m.group()[1:], text
    )


class _Collector(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.line_starts = [0]
        find = text.find
        pos = find("\n")
        while pos != -1:
            self.line_starts.append(pos + 1)
            pos = find("\n", pos + 1)
        self.links: list[RawLink] = []
        self.base: str | None = None
        self.anchor: int | None = None  # index into links of the open <a>, collecting its text
        self.anchor_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _ELEMENTS and tag != "base":
            return
        source = self.get_starttag_text() or ""
        line, column = self.getpos()
        offset = self.line_starts[line - 1] + column
        _, links, base = links_in_tag(source, offset)
        if base is not None and self.base is None:
            self.base = base
        if tag == "a" and links:
            self._close_anchor()
            self.anchor = len(self.links)
            self.anchor_text = []
        self.links.extend(links)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "a":
            self._close_anchor()

    def handle_data(self, data: str) -> None:
        if self.anchor is not None:
            self.anchor_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._close_anchor()

    def _close_anchor(self) -> None:
        if self.anchor is not None:
            link = self.links[self.anchor]
            text = " ".join("".join(self.anchor_text).split())
            self.links[self.anchor] = RawLink(
                link.kind, link.at, link.start, link.end, link.value, text, link.title
            )
        self.anchor = None


def extract_html(doc: Document) -> tuple[list[RawLink], str | None]:
    """RawLinks of an HTML document and its `<base href>` (which the caller resolves against)."""
    text = _without_bad_marked_sections(doc.text)
    collector = _Collector(text)
    collector.feed(text)
    collector.close()
    collector._close_anchor()
    return collector.links, collector.base
