"""Many links on one line: exact positions, and line/column work that stays linear in the text.

Time itself is measured in `benchmarks/long_lines.py`; here the work is counted instead: how many
characters `finish` asks the string searches to look through, which was the square of the line's
length when every link's column was found by searching back to the line start.
"""

from __future__ import annotations

from pathlib import Path
from typing import SupportsIndex

import pytest

from linkaudit.extract import SourceFormat, extract_document
from linkaudit.extract.document import Document, document_from_bytes

ROOT = Path("/articles")


class CountingText(str):
    """A str that adds up the span of text each `count`/`rfind`/`find` call may look through."""

    scanned = 0

    def _add(self, start: SupportsIndex | None, end: SupportsIndex | None) -> None:
        low = 0 if start is None else int(start)
        high = len(self) if end is None else int(end)
        CountingText.scanned += max(0, high - low)

    def count(self, x: str, start: SupportsIndex | None = None, end: SupportsIndex | None = None) -> int:
        self._add(start, end)
        return super().count(x, start, end)

    def rfind(self, x: str, start: SupportsIndex | None = None, end: SupportsIndex | None = None) -> int:
        self._add(start, end)
        return super().rfind(x, start, end)

    def find(self, x: str, start: SupportsIndex | None = None, end: SupportsIndex | None = None) -> int:
        self._add(start, end)
        return super().find(x, start, end)


def _links(count: int, sep: str) -> str:
    return sep.join(f"[链接{i}](https://e{i % 7}.example/p/{i})" for i in range(count))


@pytest.mark.parametrize("fmt", [SourceFormat.MARKDOWN, SourceFormat.TEXT])
def test_fifty_thousand_links_on_one_line_have_exact_positions(fmt: SourceFormat) -> None:
    if fmt is SourceFormat.TEXT:
        body = " ".join(f"见https://e{i % 7}.example/p/{i}" for i in range(50_000))
    else:
        body = _links(50_000, " ")
    text = "# 标题\r\n\r\n据报道 " + body + "\r\nlast [x](https://last.example/)\n"
    data = text.encode("utf-8")
    doc = document_from_bytes(data, ROOT / "doc.md", "doc.md")
    found = extract_document(doc, fmt, ROOT)
    assert len(found) == 50_001
    line3 = text.split("\r\n")[2]
    for i, occ in enumerate(found[:50_000]):
        assert occ.line == 3
        expected = f"https://e{i % 7}.example/p/{i}"
        assert occ.raw == expected
        assert data[occ.start : occ.end].decode("utf-8") == expected
        # Columns count characters (of Chinese text too) from 1.
        assert line3[occ.column - 1 :].startswith("[" if fmt is SourceFormat.MARKDOWN else expected)
    # The line after it: a Markdown link starts at its "[", a bare URL at its "h".
    assert (found[-1].line, found[-1].column) == (4, 6 if fmt is SourceFormat.MARKDOWN else 10)


def test_fifty_thousand_bare_urls_in_one_html_text_node_have_exact_positions() -> None:
    written = [f"https://e{i % 7}.example/p/{i}?a=1&amp;b=2" for i in range(50_000)]
    text = "<html><body>\r\n<p>据报道 " + " ".join("见" + url for url in written) + "</p>\r\n"
    text += "<p>last https://last.example/</p>\n"
    data = text.encode("utf-8")
    doc = document_from_bytes(data, ROOT / "doc.html", "doc.html")
    found = extract_document(doc, SourceFormat.HTML, ROOT)
    assert len(found) == 50_001
    line2 = text.split("\r\n")[1]
    for url, occ in zip(written, found, strict=False):
        assert (occ.line, occ.raw, occ.target.url) == (2, url, url.replace("&amp;", "&"))
        assert data[occ.start : occ.end].decode("utf-8") == url
        assert line2[occ.column - 1 :].startswith(url)
    assert (found[-1].line, found[-1].column) == (3, 9)


def test_finding_columns_scans_each_character_a_bounded_number_of_times() -> None:
    text = "intro\n" + _links(2_000, " ") + "\n" + _links(50, "\n") + "\n"
    plain = document_from_bytes(text.encode("utf-8"), ROOT / "doc.md", "doc.md")
    expected = [(o.line, o.column) for o in extract_document(plain, SourceFormat.MARKDOWN, ROOT)]
    counting = CountingText(plain.original)
    doc = Document(plain.path, plain.display, plain.text, counting, plain.encoding, plain.bom)
    CountingText.scanned = 0
    found = extract_document(doc, SourceFormat.MARKDOWN, ROOT)
    assert [(o.line, o.column) for o in found] == expected
    assert len(found) == 2_050
    # Searching back to the line start for each of 2,000 links on a ~80,000-character line looks through
    # ~80 million characters; searching only since the previous link, about the text's length.
    assert CountingText.scanned <= 3 * len(text), CountingText.scanned
