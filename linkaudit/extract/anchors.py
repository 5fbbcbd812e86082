"""The anchors a document offers to `#fragment` citations: heading slugs, ids and `<a name>`s.

GitHub gives each Markdown heading an id made from its text by github-slugger's rules (lower case;
punctuation, symbols — emoji among them — and other non-word characters dropped, Unicode ones such as
`：` too; letters, digits, marks, `_` and `-` kept, CJK included; each space a `-`; `-1`, `-2` … for
repeats), and keeps the ids and `<a name>`s of raw HTML. HTML documents offer their ids and `<a name>`s.
Each document is read in one pass.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Iterable

import pyromark

from linkaudit.extract.html import scan_tag

__all__ = ["Slugger", "heading_slug", "html_anchors", "markdown_anchors"]

# The general categories github-slugger removes (generated from Unicode there): other numbers, punctuation
# but the connector `_`, symbols, controls, format and private-use characters, unassigned code points and
# separators — except the ASCII space (which becomes "-") and "-".
_PUNCTUATION = frozenset({"Pd", "Ps", "Pe", "Pi", "Pf", "Po"})
_DROPPED_CATEGORIES = _PUNCTUATION | {"No", "Sm", "Sc", "Sk", "So", "Cc", "Cf", "Co", "Cn", "Zs", "Zl", "Zp"}
# Symbols that Unicode also counts as letters (Alphabetic), which github-slugger keeps: Ⓐ…ⓩ, 🄰…🆉.
_ALPHABETIC_SYMBOLS = ((0x24B6, 0x24E9), (0x1F130, 0x1F149), (0x1F150, 0x1F169), (0x1F170, 0x1F189))
_ASCII_DROPPED = re.compile(r"[^a-z0-9_\- ]")
_OPTIONS = (
    pyromark.Options.ENABLE_TABLES | pyromark.Options.ENABLE_FOOTNOTES | pyromark.Options.ENABLE_STRIKETHROUGH
)
# A start tag, with ">" allowed inside quoted values; comments and elements whose content is not markup.
# Each ends where the document ends when it is not closed (as in browsers): every match moves on, so
# scanning stays linear whatever the input.
_START_TAG = re.compile(r"""<[A-Za-z][^\s/>]*(?:[^>"']|"[^"]*"|'[^']*')*>?""")
_NOT_MARKUP = re.compile(
    r"<!--.*?(?:-->|\Z)|<(script|style|template|textarea|title|xmp)\b[^>]*>?.*?(?:</\1\s*>|\Z)",
    re.IGNORECASE | re.DOTALL,
)
_MAY_NAME = re.compile(r"\b(?:id|name)\s*=", re.IGNORECASE)


@functools.cache
def _kept(char: str) -> bool:
    if char in " -":
        return True
    if unicodedata.category(char) not in _DROPPED_CATEGORIES:
        return True
    code = ord(char)
    return any(low <= code <= high for low, high in _ALPHABETIC_SYMBOLS)


def heading_slug(text: str) -> str:
    """The id GitHub gives a heading with this text, before repeats are numbered."""
    lowered = text.lower()
    if lowered.isascii():
        kept = _ASCII_DROPPED.sub("", lowered)
    else:
        kept = "".join(char for char in lowered if _kept(char))
    return kept.replace(" ", "-")


class Slugger:
    """Numbers repeated slugs as github-slugger does: `a`, `a-1`, `a-2`, skipping slugs already taken."""

    def __init__(self) -> None:
        self._taken: dict[str, int] = {}

    def slug(self, text: str) -> str:
        base = heading_slug(text)
        slug = base
        while slug in self._taken:
            self._taken[base] += 1
            slug = f"{base}-{self._taken[base]}"
        self._taken[slug] = 0
        return slug


def html_anchors(source: str) -> list[str]:
    """The ids (of any element) and `<a name>`s in HTML source, entities resolved, in document order.

    Comments and the content of script, style, template, textarea, title and xmp elements are not markup.
    """
    if "<!--" in source or "</" in source:
        source = _NOT_MARKUP.sub("", source)
    names: list[str] = []
    for match in _START_TAG.finditer(source):
        tag = match.group(0)
        if _MAY_NAME.search(tag) is None:
            continue
        element, attributes = scan_tag(tag)
        for attribute, _, _, value in attributes:
            if attribute == "id" or (attribute == "name" and element == "a"):
                names.append(html.unescape(value))
    return names


def markdown_anchors(text: str) -> list[str]:
    """The anchors of a Markdown document as GitHub renders it: heading slugs, then raw HTML's ids and names.

    A heading's text is what a reader sees of it: text, code spans and link text, but not an image's alt
    text and not HTML tags; a line break inside it is a control character, dropped like one.
    """
    slugger = Slugger()
    names: list[str] = []
    raw_html: list[str] = []
    heading: list[str] | None = None
    in_image = 0
    # pyromark's event types are a union too wide to narrow cheaply: walk them as plain objects.
    events: Iterable[object] = pyromark.events(text, options=_OPTIONS, merge_text=True)
    for event in events:
        if isinstance(event, str):  # SoftBreak, HardBreak, Rule
            if heading is not None and event == "SoftBreak":
                heading.append("\n")
            continue
        if not isinstance(event, dict):
            continue
        if "Text" in event or "Code" in event:
            if heading is not None and not in_image:
                heading.append(event.get("Text") or event.get("Code") or "")
        elif "Start" in event:
            tag = event["Start"]
            if isinstance(tag, dict):
                if "Heading" in tag:
                    heading = []
                elif "Image" in tag:
                    in_image += 1
        elif "End" in event:
            tag = event["End"]
            if isinstance(tag, dict) and "Heading" in tag and heading is not None:
                slug = slugger.slug("".join(heading))
                if slug:
                    names.append(slug)
                heading = None
            elif tag == "Image":
                in_image -= 1
        elif "Html" in event or "InlineHtml" in event:
            raw_html.append(event.get("Html") or event.get("InlineHtml") or "")
    if raw_html:
        names.extend(html_anchors("\n".join(raw_html)))
    return names
