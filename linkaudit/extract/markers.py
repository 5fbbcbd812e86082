"""Inline markers: the citations an article asks linkaudit to leave alone.

- `<!-- linkaudit-disable-next-line -->`: the citations on the line after the marker's;
- `<!-- linkaudit-disable-line -->`: the citations on the marker's own line (after a link, say);
- `<!-- linkaudit-disable -->` … `<!-- linkaudit-enable -->`: the citations between the two (to the end of
  the file when no enable follows).

Words after the marker's name are a note for readers (`<!-- linkaudit-disable-next-line paywalled -->`).
A marker counts where a browser sees a comment: in Markdown where the parser finds HTML (an HTML block or
inline HTML), never in code; in an HTML file wherever it stands; plain text has no comments. A citation
counts as on a line, or between markers, by where it starts.

A disabled citation keeps its place and its URL; its target is skipped, reason `disabled-inline`, so the
checker reports it without a request. The same URL cited elsewhere without a marker is checked there:
its citations are grouped by target, and a skipped target is another group.
"""

from __future__ import annotations

import re

import pyromark

from linkaudit.extract.document import Document, _line_ends
from linkaudit.models import Target, TargetStatus

__all__ = ["DISABLED_INLINE", "HINT", "disabled_spans", "disabled_target"]

#: The reason of a citation an inline marker disabled.
DISABLED_INLINE = "disabled-inline"
#: What a document holds when it may hold a marker: any other document is not searched.
HINT = "linkaudit-"
_MARKER = re.compile(
    rb"<!--[ \t\r\n]*linkaudit-(disable-next-line|disable-line|disable|enable)"
    rb"(?:[ \t\r\n][^>]*?)?[ \t\r\n]*-->"
)
_OPTIONS = (
    pyromark.Options.ENABLE_TABLES | pyromark.Options.ENABLE_FOOTNOTES | pyromark.Options.ENABLE_STRIKETHROUGH
)


class DisabledSpans:
    """Where citations are disabled: character ranges of the document's text, each with its marker."""

    __slots__ = ("spans",)

    def __init__(self, spans: list[tuple[int, int, str]]) -> None:
        self.spans = spans

    def __bool__(self) -> bool:
        return bool(self.spans)

    def marker_at(self, offset: int) -> str | None:
        """The marker that disables a citation starting at `offset`, or None (a few ranges: a scan)."""
        return next((marker for start, end, marker in self.spans if start <= offset < end), None)


def disabled_spans(doc: Document, *, markdown: bool) -> DisabledSpans:
    """The ranges of `doc` its markers disable (`markdown`: only markers the parser sees as HTML count)."""
    text = doc.text
    src = text.encode("utf-8", errors="surrogatepass")
    found = list(_MARKER.finditer(src))
    if not found:
        return DisabledSpans([])
    if markdown:
        html = _markdown_html(text)
        found = [m for m in found if _inside(html, m.start(), m.end())]
    if not found:
        return DisabledSpans([])
    lines = _line_ends(text)
    spans: list[tuple[int, int, str]] = []
    disabled_from: int | None = None
    for match in found:
        kind = match.group(1).decode("ascii")
        start = len(src[: match.start()].decode("utf-8", errors="surrogatepass"))
        end = start + len(src[match.start() : match.end()].decode("utf-8", errors="surrogatepass"))
        line_start = lines.rfind("\n", 0, start) + 1
        line_end = _next_line(lines, start)
        if kind == "disable-line":
            spans.append((line_start, line_end, kind))
        elif kind == "disable-next-line":
            spans.append((line_end, _next_line(lines, line_end), kind))
        elif kind == "disable":
            if disabled_from is None:
                disabled_from = end
        elif disabled_from is not None:  # enable
            spans.append((disabled_from, start, "disable"))
            disabled_from = None
    if disabled_from is not None:
        spans.append((disabled_from, len(text), "disable"))
    return DisabledSpans([span for span in spans if span[0] < span[1]])


def _next_line(lines: str, offset: int) -> int:
    """Where the line after the one holding `offset` starts (the end of the text for the last line)."""
    newline = lines.find("\n", offset)
    return len(lines) if newline < 0 else newline + 1


def _markdown_html(text: str) -> list[tuple[int, int]]:
    """UTF-8 byte ranges of what CommonMark reads as HTML (blocks and inline), in document order."""
    ranges: list[tuple[int, int]] = []
    for event, span in pyromark.events_with_range(text, options=_OPTIONS):
        if isinstance(event, dict) and ("Html" in event or "InlineHtml" in event):
            ranges.append((span["start"], span["end"]))
    return ranges


def _inside(ranges: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether `start:end` lies in one range, or in ranges that follow each other (a comment over several
    lines of an HTML block comes as one range per line)."""
    joined: list[tuple[int, int]] = []
    for first, last in ranges:
        if joined and joined[-1][1] == first:
            joined[-1] = (joined[-1][0], last)
        else:
            joined.append((first, last))
    return any(first <= start and end <= last for first, last in joined)


def disabled_target(target: Target, written: str, marker: str) -> Target:
    """The target of a citation `marker` disabled: skipped, with its URL as cited (`written`, for an
    invalid one) and its fragment."""
    url = target.url if target.status is not TargetStatus.INVALID else written
    return Target(
        url,
        TargetStatus.SKIPPED,
        DISABLED_INLINE,
        target.fragment,
        f"disabled in the article by <!-- linkaudit-{marker} -->",
    )
