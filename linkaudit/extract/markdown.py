"""Links in Markdown, exactly as CommonMark defines them, through pulldown-cmark (pyromark).

The parser decides what is a link (so code spans, code blocks and HTML comments are never mistaken
for citations) and gives each construct's source range; we only locate the destination inside that
range, by the grammar of link destinations, to report its exact byte span.
"""

from __future__ import annotations

import bisect
import re
from typing import Any

import pyromark

from linkaudit.extract.bare import find_bare_urls, resolve_escapes, with_scheme
from linkaudit.extract.document import Document, RawLink
from linkaudit.extract.html import scan_fragment
from linkaudit.extract.hygiene import is_archived_copy_of
from linkaudit.models import LinkKind
from linkaudit.urls import normalize

__all__ = ["extract_markdown", "with_scheme"]

_OPTIONS = (
    pyromark.Options.ENABLE_TABLES | pyromark.Options.ENABLE_FOOTNOTES | pyromark.Options.ENABLE_STRIKETHROUGH
)
_MAYBE_URL = re.compile(r"https?://|www\.", re.IGNORECASE)
# Start and End tags of inline elements; every other tag starts or ends a block.
_INLINE = frozenset({"Emphasis", "Strong", "Strikethrough", "Link", "Image"})
_RAW_TEXT_OPEN = re.compile(r"<(script|style|textarea|title|xmp)[\s/>]", re.IGNORECASE)
_ANCHOR_OPEN = re.compile(r"<a[\s/>]", re.IGNORECASE)
_ANCHOR_CLOSE = re.compile(r"</a\s*>", re.IGNORECASE)
_URLISH = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
_LABEL_SPACE = re.compile(r"\s+")
_BLANKS = b" \t"
# The common destination: no control, space, parenthesis or backslash, so nothing to balance or skip.
_PLAIN_DESTINATION = re.compile(rb"[^\x00-\x20()\\]*")
# A destination right after "](", neither in <...> nor holding parentheses or escapes, ended by ")" or
# the space before a title: the usual case, whose span `_destination` would find the same.
_DIRECT_DESTINATION = re.compile(rb"[^\x00-\x20()\\<][^\x00-\x20()\\]*(?=[) \t\r\n])")


def _skip_space(src: bytes, pos: int, end: int) -> int:
    """Skip spaces and at most one line ending (with container prefixes such as '> ')."""
    while pos < end and src[pos] in _BLANKS:
        pos += 1
    if pos < end and src[pos] in b"\r\n":
        if src[pos] == 13 and pos + 1 < end and src[pos + 1] == 10:
            pos += 1
        pos += 1
        while pos < end and src[pos] in b" \t>":
            pos += 1
    return pos


def _destination(src: bytes, pos: int, end: int) -> tuple[int, int]:
    """Span of a link destination starting at `pos` (CommonMark §6.3): `<...>` content or balanced text."""
    if pos < end and src[pos] == 60:  # "<"
        i = pos + 1
        while i < end:
            c = src[i]
            if c == 92:  # backslash escape
                i += 2
                continue
            if c == 62:  # ">"
                return pos + 1, i
            if c in (10, 13, 60):
                break
            i += 1
        return pos + 1, pos + 1
    depth = 0
    plain = _PLAIN_DESTINATION.match(src, pos, end)
    i = plain.end() if plain is not None else pos
    while i < end:
        c = src[i]
        if c == 92 and i + 1 < end:
            i += 2
            continue
        if c <= 32:
            break
        if c == 40:
            depth += 1
        elif c == 41:
            if depth == 0:
                break
            depth -= 1
        i += 1
    return pos, i


def _definition_destination(src: bytes, start: int, end: int) -> tuple[int, int]:
    """Span of the destination in a reference definition `[label]: dest "title"` at `start`."""
    i = start + 1
    while i < end:
        c = src[i]
        if c == 92:
            i += 2
            continue
        if c == 93 and i + 1 < end and src[i + 1] == 58:  # "]:"
            return _destination(src, _skip_space(src, i + 2, end), end)
        i += 1
    return start, start


def _differs(shown: str, dest: str, doc: Document) -> bool:
    """Whether a URL shown as link text names another target than the link's destination (an archived
    copy of the URL shown names the same: the text says what was cited, the link where it is kept)."""
    shown_target = normalize(with_scheme(shown))
    destination = normalize(dest, source=doc.path).url
    return shown_target.url != destination and not is_archived_copy_of(destination, shown)


def _normalize_label(label: str) -> str:
    return _LABEL_SPACE.sub(" ", label.strip()).casefold()


class _Frame:
    __slots__ = ("data", "end", "image", "inner_end", "muted", "parts", "start", "text_end", "text_start")

    def __init__(self, data: dict[str, Any], image: bool, start: int, end: int, muted: bool) -> None:
        self.data = data
        self.muted = muted  # inside an inline <script> or <style>: what a browser shows as no link
        self.image = image
        self.start = start
        self.end = end
        self.inner_end = start + (2 if image else 1)
        self.parts: list[str] = []
        self.text_start = -1
        self.text_end = -1


# A document whose structure can carry over a blank line (fences, HTML blocks of kinds 1-5 such as
# <pre> and <!-- -->) or that defines references (used anywhere) is parsed whole; see `_segments`.
# Each marker is looked for only when its first byte is there (a byte is found at memchr speed).
_WHOLE_IF = ((b"]", b"]:"), (b"`", b"```"), (b"~", b"~~~"), (b"<", b"<!"), (b"<", b"<?"))
_WHOLE_IF_LOWER = (b"<script", b"<pre", b"<style", b"<textarea")
# What every citation contains: an inline link or image "](", an autolink or raw HTML "<", a bare URL.
_HOT = (b"](", b"<", b"http", b"www.")
# Where a block starts afresh: a line with no indentation after one or more empty lines.
_FRESH = re.compile(rb"\n(?:\r?\n)+(?=[^ \t\r\n])")


def _segments(src: bytes, lower: bytes) -> list[tuple[int, int]]:
    """The byte ranges of `src` worth parsing: the blocks that can hold a citation.

    Archive articles are long prose with a few links: parsing only the paragraphs that hold one cuts
    the parser's events (a Python object each, the extractor's main cost) by two thirds. A range
    starts where CommonMark starts a block afresh: at a line with no indentation after an empty line,
    every container (quote, list item) and leaf block (paragraph, indented code, table, HTML block
    of kinds 6-7) is closed, so parsing from there gives what parsing the whole document gives.
    Documents where that does not hold (fences and HTML blocks of kinds 1-5 span blank lines;
    reference definitions act at a distance) are parsed whole. Tested equal to the whole parse.
    """
    end = len(src)
    for lead, marker in _WHOLE_IF:
        if lead in src and marker in src:
            return [(0, end)]
    if b"<" in src and any(marker in lower for marker in _WHOLE_IF_LOWER):
        return [(0, end)]
    bounds = [m.end() for m in _FRESH.finditer(src)]
    if not bounds:
        return [(0, end)]
    bounds.append(end)
    ranges: list[tuple[int, int]] = []
    hot = [lower.find(needle) for needle in _HOT]
    pos = 0
    while True:
        for i, at in enumerate(hot):
            if 0 <= at < pos:
                hot[i] = lower.find(_HOT[i], pos)
        first = min((at for at in hot if at >= 0), default=-1)
        if first < 0:
            return ranges
        i = bisect.bisect_right(bounds, first)
        start = bounds[i - 1] if i > 0 else 0
        stop = bounds[i] if i < len(bounds) else end
        if ranges and ranges[-1][1] == start:
            ranges[-1] = (ranges[-1][0], stop)
        else:
            ranges.append((start, stop))
        if stop >= end:
            return ranges
        pos = stop


def extract_markdown(doc: Document, *, whole: bool = False) -> list[RawLink]:
    """RawLinks of a Markdown document, in document order (`whole`: parse it whole, see `_segments`)."""
    text = doc.text
    ascii_only = text.isascii()
    src = text.encode("utf-8") if not ascii_only else text.encode("ascii")
    lower = src.lower()
    # Byte (UTF-8) spans found while walking events; converted to character offsets at the end.
    found: list[tuple[LinkKind, int, int, int, str, str, str]] = []
    text_runs: list[tuple[int, int]] = []
    html_spans: list[tuple[int, int]] = []
    anchors: dict[int, str] = {}  # start of an inline <a> tag -> the text up to its </a>
    for start, stop in [(0, len(src))] if whole else _segments(src, lower):
        part = text if stop - start == len(src) else src[start:stop].decode("utf-8")
        # Text outside links matters only for bare URLs: none without "http" or "www." (any case).
        runs = (
            text_runs
            if lower.find(b"http", start, stop) >= 0 or lower.find(b"www.", start, stop) >= 0
            else None
        )
        _walk(doc, part, src, start, found, runs, html_spans, anchors)
    return _to_chars(doc, src, lower, ascii_only, found, text_runs, html_spans, anchors)


def _collapse(parts: list[str]) -> str:
    """An inline `<a>`'s text as a reader sees it: its pieces joined, runs of spaces as one."""
    return " ".join("".join(parts).split())


def _walk(  # noqa: PLR0917 - the event loop, kept in one frame for speed
    doc: Document,
    part: str,
    src: bytes,
    base: int,
    found: list[tuple[LinkKind, int, int, int, str, str, str]],
    text_runs: list[tuple[int, int]] | None,
    html_spans: list[tuple[int, int]],
    anchors: dict[int, str],
) -> None:
    """Walk the parser's events over `part` (the bytes of `src` from `base`), adding what it cites.

    Text outside links goes to `text_runs` (for bare URLs) unless that is None; the text between an
    inline `<a …>` and its `</a>` goes to `anchors`.
    """
    stack: list[_Frame] = []
    anchor: list[str] | None = None  # the text of an open inline <a>
    anchor_at = -1
    raw_until: re.Pattern[str] | None = None  # inside an inline <script>/<style>: its end tag
    code_depth = 0
    html_block_start = -1
    definitions: dict[str, tuple[int, int]] | None = None

    # pyromark's event types are a union too wide to narrow cheaply in this hot loop: walk them as Any.
    events: Any = pyromark.events_with_range(part, options=_OPTIONS, merge_text=True)
    for event, span in events:
        if type(event) is str:  # SoftBreak, HardBreak, Rule
            if stack:
                stack[-1].parts.append(" ")
            elif anchor is not None:
                anchor.append(" ")
            continue
        if "Text" in event:
            if code_depth:
                continue
            if stack:
                e = span["end"] + base
                frame = stack[-1]
                frame.parts.append(event["Text"])
                if frame.text_start < 0:
                    frame.text_start = span["start"] + base
                frame.text_end = e
                frame.inner_end = max(frame.inner_end, e)
            elif raw_until is None:
                if anchor is not None:
                    anchor.append(event["Text"])
                if text_runs is not None:
                    text_runs.append((span["start"] + base, span["end"] + base))
            continue
        if "Start" in event:
            tag = event["Start"]
            if type(tag) is dict:
                s = span["start"] + base
                e = span["end"] + base
                if "Link" in tag or "Image" in tag:
                    image = "Image" in tag
                    muted = raw_until is not None or (bool(stack) and stack[-1].muted)
                    stack.append(_Frame(tag["Image" if image else "Link"], image, s, e, muted))
                    continue
                if "CodeBlock" in tag:
                    code_depth += 1
            elif tag == "HtmlBlock":
                html_block_start = span["start"] + base
            if (anchor is not None or raw_until is not None) and (type(tag) is dict or tag not in _INLINE):
                # A block starts (a list item, say): inline HTML state never carries into it.
                if anchor is not None:
                    anchors[anchor_at] = _collapse(anchor)
                    anchor = None
                raw_until = None
            continue
        if "End" in event:
            tag = event["End"]
            if not stack and (type(tag) is dict or tag not in _INLINE):
                if anchor is not None:  # an <a> left open: its text ends with the block
                    anchors[anchor_at] = _collapse(anchor)
                    anchor = None
                raw_until = None
                if tag == "Paragraph":  # the most common event: nothing more to do
                    continue
            e = span["end"] + base
            if stack and tag in {"Link", "Image"}:
                frame = stack.pop()
                if stack:
                    parent = stack[-1]
                    parent.inner_end = max(parent.inner_end, frame.end)
                    parent.parts.extend(frame.parts)
                    if any(outer.image for outer in stack):
                        # Inside an image description only the text survives (as alt): no citation.
                        continue
                elif anchor is not None and not frame.image and not frame.muted:
                    anchor.extend(frame.parts)  # a Markdown link inside an inline <a>: its text shows
                if frame.muted:
                    continue
                data = frame.data
                link_type = data["link_type"]
                kind: LinkKind
                if frame.image:
                    kind = LinkKind.IMAGE
                elif link_type == "Inline":
                    kind = LinkKind.LINK
                elif link_type in ("Autolink", "Email"):
                    kind = LinkKind.AUTOLINK
                else:
                    kind = LinkKind.REFERENCE
                value = data["dest_url"]
                if "\\" in value:
                    # Markdown renderers percent-encode a backslash in the href: it is never a "/".
                    value = value.replace("\\", "%5C")
                if link_type == "Inline":
                    close = src.find(b"](", frame.inner_end, frame.end)
                    if close == -1:
                        continue
                    direct = _DIRECT_DESTINATION.match(src, close + 2, frame.end)
                    if direct is not None:  # most links: what _destination finds, without its walk
                        ds, de = direct.span()
                    else:
                        ds, de = _destination(src, _skip_space(src, close + 2, frame.end), frame.end)
                elif link_type in ("Autolink", "Email"):
                    ds, de = frame.start + 1, frame.end - 1
                    if link_type == "Email":
                        value = "mailto:" + value
                else:
                    if definitions is None:
                        definitions = {
                            _normalize_label(label): (d["span"]["start"] + base, d["span"]["end"] + base)
                            for label, d in pyromark.reference_definitions(part, options=_OPTIONS).items()
                        }
                    def_span = definitions.get(_normalize_label(data["id"]))
                    if def_span is None:
                        continue
                    ds, de = _definition_destination(src, def_span[0], def_span[1])
                shown = "".join(frame.parts)
                found.append((kind, frame.start, ds, de, value, shown, data["title"]))
                if kind is LinkKind.LINK or kind is LinkKind.REFERENCE:
                    stripped = shown.strip()
                    if _URLISH.match(stripped) and frame.text_start >= 0 and _differs(stripped, value, doc):
                        found.append(
                            (
                                LinkKind.TEXT_URL,
                                frame.text_start,
                                frame.text_start,
                                frame.text_end,
                                "",
                                stripped,
                                "",
                            )
                        )
            elif tag == "HtmlBlock" and html_block_start >= 0:
                html_spans.append((html_block_start, e))
                html_block_start = -1
            elif tag == "CodeBlock":  # the End event names the tag only: a str, not the Start's dict
                code_depth -= 1
            elif stack:
                stack[-1].inner_end = max(stack[-1].inner_end, e)
            continue
        e = span["end"] + base
        if "InlineHtml" in event:
            s = span["start"] + base
            tag_text = event["InlineHtml"]
            if raw_until is not None:  # script or style content: not markup
                if raw_until.match(tag_text):
                    raw_until = None
                continue
            html_spans.append((s, e))
            raw_open = _RAW_TEXT_OPEN.match(tag_text)
            if raw_open is not None and not tag_text.rstrip().endswith("/>"):
                raw_until = re.compile(rf"</{raw_open.group(1)}\s*>", re.IGNORECASE)
            elif not stack:
                if _ANCHOR_OPEN.match(tag_text):
                    if anchor is not None:  # an <a> closes the open one (HTML has no nested anchors)
                        anchors[anchor_at] = _collapse(anchor)
                    anchor, anchor_at = [], s
                elif anchor is not None and _ANCHOR_CLOSE.match(tag_text):
                    anchors[anchor_at] = _collapse(anchor)
                    anchor = None
            if stack:
                stack[-1].inner_end = max(stack[-1].inner_end, e)
            continue
        if stack:
            if "Code" in event:
                stack[-1].parts.append(event["Code"])
            stack[-1].inner_end = max(stack[-1].inner_end, e)
        elif anchor is not None and "Code" in event:
            anchor.append(event["Code"])


def _to_chars(  # noqa: PLR0917 - an internal step of extract_markdown
    doc: Document,
    src: bytes,
    lower: bytes,
    ascii_only: bool,
    found: list[tuple[LinkKind, int, int, int, str, str, str]],
    text_runs: list[tuple[int, int]],
    html_spans: list[tuple[int, int]],
    anchors: dict[int, str],
) -> list[RawLink]:
    """Convert UTF-8 offsets to character offsets (one linear walk), then add bare URLs and raw HTML."""
    text = doc.text
    joined: list[tuple[int, int]] = []
    for s, e in text_runs:
        # GitHub finds a bare URL before emphasis: "https://a.example/_x_" is one URL, so join the
        # text runs that only emphasis delimiters separate.
        if joined and not src[joined[-1][1] : s].strip(b"*_~"):
            joined[-1] = (joined[-1][0], e)
        else:
            joined.append((s, e))
    # Most prose holds no URL: only runs holding "http" or "www." in any case (the only characters that
    # case-fold to h, t, p or w are ASCII) are mapped to characters and searched.
    joined = [(s, e) for s, e in joined if lower.find(b"http", s, e) != -1 or lower.find(b"www.", s, e) != -1]
    if ascii_only:
        char_at: dict[int, int] | None = None
    else:
        points = sorted(
            {p for item in found for p in item[1:4]}
            | {p for run in joined for p in run}
            | {p for run in html_spans for p in run}
        )
        char_at = {}
        chars = 0
        prev = 0
        for point in points:
            chars += len(src[prev:point].decode("utf-8", errors="replace"))
            char_at[point] = chars
            prev = point

    def ch(offset: int) -> int:
        return offset if char_at is None else char_at[offset]

    links: list[RawLink] = []
    for kind, at, ds, de, value, shown, title in found:
        cs, ce = ch(ds), ch(de)
        if kind is LinkKind.TEXT_URL:
            run = text[cs:ce]
            inner = run.find(shown)
            length = len(shown)
            if inner == -1:
                # As written, the URL may hold escapes (`\_`, `&amp;`) that the shown text has resolved.
                written = run.strip()
                if resolve_escapes(written) != shown:
                    continue
                inner, length = run.find(written), len(written)
            us = ds + (inner if ascii_only else len(run[:inner].encode("utf-8")))
            ue = us + (length if ascii_only else len(run[inner : inner + length].encode("utf-8")))
            cs += inner
            ce = cs + length
            links.append(RawLink(kind, cs, cs, ce, with_scheme(shown), shown, "", us, ue))
            continue
        links.append(RawLink(kind, ch(at), cs, ce, value, shown, title, ds, de))
    for s, e in joined:
        cs, ce = ch(s), ch(e)
        if not _MAYBE_URL.search(text, cs, ce):
            continue
        for bs, be, url in find_bare_urls(text, cs, ce):
            # GitHub links a bare URL as written (no escapes or entities resolved), a backslash as %5C.
            us = s + (bs - cs if ascii_only else len(text[cs:bs].encode("utf-8")))
            ue = us + (be - bs if ascii_only else len(text[bs:be].encode("utf-8")))
            links.append(
                RawLink(LinkKind.BARE, bs, bs, be, with_scheme(url.replace("\\", "%5C")), "", "", us, ue)
            )
    for s, e in html_spans:
        cs, ce = ch(s), ch(e)
        # Attributes only: GitHub autolinks no text inside an HTML block (unlike an `.html` file's text).
        in_html = scan_fragment(text[cs:ce], cs)
        anchor = anchors.get(s)
        if anchor is not None:  # an inline <a>: the fragment is its tag alone
            in_html = [link._replace(text=anchor) for link in in_html]
        links.extend(in_html)
    links.sort(key=lambda link: (link.at, link.start))
    return links
