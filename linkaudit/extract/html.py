"""Links in HTML: whole `.html` files (stdlib `html.parser`) and raw HTML inside Markdown.

Both share `scan_tag`, which finds the URL-bearing attributes of one start tag with their exact
positions, so byte spans point at the attribute value as written.

A whole `.html` file also cites bare URLs in its text (`<p>Source: https://…</p>`, as articles mirrored
from news sites do), found as a reader sees the text (character references resolved) and ended by the
plain-text bare-URL rule (`extract.bare`). Text a reader does not take for a citation is passed over:
an anchor's (its `href` is the citation), code and preformatted examples (as Markdown's code spans and
blocks), and what is not shown as prose (script, style, template, textarea, title, xmp). Raw HTML inside
Markdown gets no bare URLs here: GitHub autolinks none inside an HTML block, and the Markdown
extractor already finds those in text between inline tags.
"""

from __future__ import annotations

import bisect
import html
import re
from html.entities import html5
from html.parser import HTMLParser

from linkaudit.extract.bare import find_bare_urls, with_scheme
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
# Elements whose text holds no bare-URL citation (see the module's docstring); `a` is tracked apart.
_NO_BARE_URLS = frozenset(
    {"code", "pre", "kbd", "samp", "script", "style", "template", "textarea", "title", "xmp"}
)
# What every bare URL starts with, in the text as the parser gives it (references resolved).
_MAYBE_URL = re.compile(r"https?://|www\.", re.IGNORECASE)
# A character reference as `html.unescape` (and so the parser's text) reads one.
_CHARREF = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")


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


def _unescaped(raw: str) -> tuple[str, list[tuple[int, int, int, int]]]:
    """`html.unescape(raw)`, and where each reference it resolved went: (start, end) in the result, then
    (start, end) in `raw`, in order. Elsewhere the two texts match character for character.

    As `html.unescape` does, a name without ";" resolves by its longest known prefix (`&ampx` is "&x": the
    reference is `&amp`, "x" is text) and a name it does not know stays as written (text, not a reference).
    """
    parts: list[str] = []
    refs: list[tuple[int, int, int, int]] = []
    at = 0  # in raw, copied up to here
    length = 0  # of the result so far
    for match in _CHARREF.finditer(raw):
        name = match.group(1)
        end = match.end()
        if name[0] == "#":
            new = html.unescape(match.group(0))
        elif name in html5:
            new = html5[name]
        else:
            cut = next((x for x in range(len(name) - 1, 1, -1) if name[:x] in html5), 0)
            if not cut:
                continue  # not a reference: text as written
            new, end = html5[name[:cut]], match.start() + 1 + cut
        start = match.start()
        parts.append(raw[at:start])
        length += start - at
        refs.append((length, length + len(new), start, end))
        parts.append(new)
        length += len(new)
        at = end
    parts.append(raw[at:])
    return "".join(parts), refs


def _as_written(refs: list[tuple[int, int, int, int]], ends: list[int], at: int, *, end: bool) -> int | None:
    """Where offset `at` of the resolved text falls in the text as written (see `_unescaped`); None inside
    a reference. A reference that resolved to nothing (`&#1;`) stays outside the URL that `at` starts or
    (with `end`) ends."""
    i = bisect.bisect_right(ends, at) - 1
    if end:
        while i >= 0 and refs[i][0] == at:
            i -= 1
    if i + 1 < len(refs) and refs[i + 1][0] < at:
        return None
    return at if i < 0 else refs[i][3] + at - refs[i][1]


def bare_urls_in_text(text: str, start: int, end: int) -> list[RawLink]:
    """The bare URLs of HTML text `text[start:end]` (one text node as written), as RawLinks.

    The URLs are found in the text a reader sees (references resolved), ended as in plain text. Each
    span is the URL as written (`&amp;` and all) and its value the URL it means. A URL that would start
    or end inside a reference (one resolving to two characters) cannot be told by its bytes: left out.
    """
    if "&" not in text[start:end]:
        return [
            RawLink(LinkKind.BARE, s, s, e, with_scheme(url))
            for s, e, url in find_bare_urls(text, start, end, plain=True)
        ]
    seen, refs = _unescaped(text[start:end])
    ends = [ref[1] for ref in refs]
    found: list[RawLink] = []
    for s, e, url in find_bare_urls(seen, plain=True):
        written_start = _as_written(refs, ends, s, end=False)
        written_end = _as_written(refs, ends, e, end=True)
        if written_start is not None and written_end is not None:
            at = start + written_start
            found.append(RawLink(LinkKind.BARE, at, at, start + written_end, with_scheme(url)))
    return found


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
        self.text = text
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
        self.in_anchor = False  # an <a> is open, with or without href: its text is no bare citation
        self.quiet: dict[str, int] = {}  # open elements of _NO_BARE_URLS, by name
        self.quiet_depth = 0
        self.scanned = 0  # text before this offset was searched for bare URLs

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag)
        if tag == "a":
            self.in_anchor = True
        elif tag in _NO_BARE_URLS:
            self.quiet[tag] = self.quiet.get(tag, 0) + 1
            self.quiet_depth += 1

    def _start(self, tag: str) -> None:
        if tag not in _ELEMENTS and tag != "base":
            return
        _, links, base = links_in_tag(self.get_starttag_text() or "", self._offset())
        if base is not None and self.base is None:
            self.base = base
        if tag == "a" and links:
            self._close_anchor()
            self.anchor = len(self.links)
            self.anchor_text = []
        self.links.extend(links)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # As the parser has it, `<code/>` (or `<script/>`) opens and closes: nothing to pass over.
        self._start(tag)
        if tag == "a":
            self._close_anchor()

    def handle_data(self, data: str) -> None:
        if self.anchor is not None:
            self.anchor_text.append(data)
        if self.in_anchor or self.quiet_depth or not _MAYBE_URL.search(data):
            return
        # The parser's text runs to the next "<" (which no URL crosses); it may come in pieces, and a
        # piece that starts with "<" is a tag the parser could not read, not prose.
        text = self.text
        start = self._offset()
        if start < self.scanned or text.startswith("<", start):
            return
        end = text.find("<", start)
        self.scanned = end = len(text) if end == -1 else end
        self.links.extend(bare_urls_in_text(text, start, end))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._close_anchor()
        elif self.quiet.get(tag):
            self.quiet[tag] -= 1
            self.quiet_depth -= 1

    def _close_anchor(self) -> None:
        self.in_anchor = False
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
