"""Byte spans, lines and columns: for every occurrence, the file's bytes at `start:end`, decoded with the
file's encoding, are exactly `raw`, and `line:column` points at the start of the citation.

Hypothesis writes Markdown from pieces whose destinations it knows (inline links and images, `<dest with
spaces>`, titles, escapes, nested brackets in link text, reference links of every form with their
definitions in block quotes and lists, autolinks, bare URLs glued to CJK text, text-urls, raw HTML
`<a>`/`<img srcset>`), inside paragraphs, headings, block quotes and list items, next to code spans,
code blocks and HTML comments that hold link syntax which must not be extracted. The document is
written with LF or CRLF, with or without a BOM, in UTF-8, and also in GB18030, Big5 and UTF-16. The
test then demands the exact list of (kind, raw) in document order, and checks every span and position
against the bytes.

A last test runs the same span checks over the real archive sample in `../shared/corpus` when present.
"""

from __future__ import annotations

import codecs
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkaudit.extract import SourceFormat, collect_inputs, extract_document, extract_files
from linkaudit.extract.document import document_from_bytes
from linkaudit.models import LinkKind, Occurrence

ROOT = Path("/articles")
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "archive-sample"

# Characters every encoding under test can write (Big5 has no simplified-only characters).
CJK = "圖片來源新聞報導中國美國今日消息稱據轉載自記者"
CJK_STOP = "，。、；：！？）》」】"


@dataclass(frozen=True)
class Piece:
    """A snippet of Markdown and the (kind, raw, title) occurrences it must yield, in order."""

    source: str
    expected: tuple[tuple[LinkKind, str, str], ...] = ()


def _text(min_size: int = 1) -> st.SearchStrategy[str]:
    word = st.one_of(
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=6),
        st.text(alphabet=CJK, min_size=1, max_size=4),
    )
    return st.lists(word, min_size=min_size, max_size=3).map(" ".join)


@st.composite
def _path_part(draw: st.DrawFn) -> str:
    return draw(
        st.sampled_from(
            [
                "a",
                "news",
                "2021",
                "x-y",
                "%E5%9B%BE",
                "%25E5%9B%BE",
                "圖片",
                "a.png",
                "v=1",
                "~u",
                "(x)",
                "&amp;",
            ]
        )
    )


@st.composite
def destinations(draw: st.DrawFn, *, bare: bool = False) -> str:
    """A destination as written in Markdown (no spaces; parentheses balanced or escaped)."""
    if not bare:
        kind = draw(
            st.sampled_from(["http", "http", "http", "relative", "root", "fragment", "mailto", "ipfs"])
        )
        if kind == "relative":
            return draw(st.sampled_from(["../index.md", "README.md", "./a/b.md", "圖片/1.png", "a%20b.md"]))
        if kind == "root":
            return draw(st.sampled_from(["/gnews/README.md", "/transcript/2020/x.md"]))
        if kind == "fragment":
            return "#" + draw(st.sampled_from(["top", "中文", "a-b"]))
        if kind == "mailto":
            return "mailto:news@a.example"
        if kind == "ipfs":
            return "ipfs://QmNY54D3JjvrEV4HY1WbWW8tn9Z9tM5bXEgzQsaYRuMrFR"
    scheme = draw(
        st.sampled_from(["https://", "http://", "HTTPS://"] if not bare else ["https://", "http://"])
    )
    host = draw(st.sampled_from(["a.example", "news.b.example", "中文.example", "x-y.example:8080"]))
    parts = draw(
        st.lists(_path_part() if not bare else st.sampled_from(["a", "b-c", "圖片", "2021"]), max_size=3)
    )
    url = scheme + host + "/" + "/".join(parts)
    if not bare:
        url += draw(st.sampled_from(["", "?q=1&r=2", "#frag", "\\(x\\)", "?a=\\)"]))
    elif url.endswith("/"):
        url += "x"
    return url


@st.composite
def inline_pieces(draw: st.DrawFn, labels: dict[str, tuple[str, str]]) -> Piece:
    kind = draw(
        st.sampled_from(
            [
                "text",
                "link",
                "angle",
                "image",
                "reference",
                "autolink",
                "bare",
                "glued",
                "text-url",
                "html",
                "code",
            ]
        )
    )
    if kind == "text":
        return Piece(draw(_text()))
    if kind in ("link", "angle", "image"):
        dest = draw(destinations())
        title = draw(st.sampled_from(["", "新聞", "a title"]))
        text = draw(_text(0 if kind == "image" else 1))
        if draw(st.booleans()):
            nested = draw(st.text(alphabet=CJK, min_size=1, max_size=3))  # never a reference label
            text = f"{text} [{nested}] \\[x"  # nested (balanced) brackets and an escaped one
        written = f"<{dest} {draw(_text())}>" if kind == "angle" else dest
        raw = written[1:-1] if kind == "angle" else dest
        title_part = f' "{title}"' if title else ""
        bang = "!" if kind == "image" else ""
        link_kind = LinkKind.IMAGE if kind == "image" else LinkKind.LINK
        return Piece(f"{bang}[{text}]({written}{title_part})", ((link_kind, raw, title),))
    if kind == "reference" and labels:
        label = draw(st.sampled_from(sorted(labels)))
        raw, title = labels[label]
        shown = label.upper() if draw(st.booleans()) else label  # labels match case-insensitively
        form = draw(st.sampled_from(["full", "collapsed", "shortcut"]))
        source = {
            "full": f"[{draw(_text())}][{shown}]",
            "collapsed": f"[{shown}][]",
            "shortcut": f"[{shown}]",
        }[form]
        if draw(st.booleans()):  # an image by reference
            return Piece("!" + source, ((LinkKind.IMAGE, raw, title),))
        return Piece(source, ((LinkKind.REFERENCE, raw, title),))
    if kind == "autolink":
        url = draw(destinations(bare=True))
        return Piece(f"<{url}>", ((LinkKind.AUTOLINK, url, ""),))
    if kind in ("bare", "glued"):
        url = draw(destinations(bare=True))
        before = draw(st.text(alphabet=CJK, min_size=1, max_size=4)) if kind == "glued" else ""
        after = draw(st.sampled_from(["", *CJK_STOP]))
        return Piece(f"{before}{url}{after}", ((LinkKind.BARE, url, ""),))
    if kind == "text-url":
        shown, dest = draw(destinations(bare=True)), draw(destinations(bare=True))
        if shown == dest:
            return Piece(f"[{shown}]({dest})", ((LinkKind.LINK, dest, ""),))
        return Piece(f"[{shown}]({dest})", ((LinkKind.LINK, dest, ""), (LinkKind.TEXT_URL, shown, "")))
    if kind == "html":
        first, second = draw(destinations()), draw(destinations())
        if draw(st.booleans()):
            return Piece(f'<a href="{first}">{draw(_text())}</a>', ((LinkKind.HTML_LINK, first, ""),))
        return Piece(
            f'<img src="{first}" srcset="{first} 1x, {second} 2x" alt="{draw(_text())}">',
            tuple((LinkKind.HTML_IMAGE, url, "") for url in (first, first, second)),
        )
    # Link syntax in a code span is no citation.
    return Piece(f"`[{draw(_text())}]({draw(destinations())})`")


@dataclass(frozen=True)
class Generated:
    text: str
    expected: list[tuple[LinkKind, str, str]]


@st.composite
def markdown_documents(draw: st.DrawFn) -> Generated:
    label_names = draw(
        st.lists(st.text(alphabet="abcdefgh", min_size=2, max_size=5), max_size=3, unique=True)
    )
    labels: dict[str, tuple[str, str]] = {}
    definitions: list[str] = []
    for name in label_names:
        dest = draw(destinations())
        title = draw(st.sampled_from(["", "新聞"]))
        angle = draw(st.booleans())
        written = f"<{dest}>" if angle else dest
        labels[name] = (dest, title)
        definitions.append(f"[{name}]: {written}" + (f' "{title}"' if title else ""))
    blocks: list[str] = []
    expected: list[tuple[LinkKind, str, str]] = []
    for _ in range(draw(st.integers(1, 6))):
        pieces = draw(st.lists(inline_pieces(labels), min_size=1, max_size=5))
        container = draw(st.sampled_from(["paragraph", "quote", "list", "heading", "ordered"]))
        lines: list[str] = []
        line: list[str] = []
        for piece in pieces:
            line.append(piece.source)
            if draw(st.integers(0, 3)) == 0:
                lines.append(" ".join(line))
                line = []
        if line:
            lines.append(" ".join(line))
        # A line opening with a tag could start an HTML block, which would swallow the Markdown after it.
        lines = ["x " + item if item.startswith("<") else item for item in lines]
        if container == "heading":
            lines = ["## " + " ".join(lines)]
        elif container == "quote":
            lines = ["> " + item for item in lines]
        elif container == "list":
            lines = ["- " + lines[0], *("  " + item for item in lines[1:])]
        elif container == "ordered":
            lines = ["1. " + lines[0], *("   " + item for item in lines[1:])]
        blocks.append("\n".join(lines))
        for piece in pieces:
            expected.extend(piece.expected)
        noise = draw(st.sampled_from(["", "fenced", "indented", "comment"]))
        if noise == "fenced":
            blocks.append("```\n[code](https://code.example/a) https://code.example/b\n```")
        elif noise == "indented":
            # (After a list, an indented line would continue the item: a paragraph closes the list first.)
            blocks.append("x\n\n    [code](https://code.example/c) <https://code.example/d>")
        elif noise == "comment":
            blocks.append("<!-- [c](https://comment.example/) <a href='https://comment.example/a'> -->")
    # Definitions go in a block quote, a list item or at the end; they yield nothing where they stand.
    for definition in definitions:
        where = draw(st.sampled_from(["end", "quote", "list"]))
        block = {"end": definition, "quote": "> " + definition, "list": "- " + definition}[where]
        blocks.insert(draw(st.integers(0, len(blocks))), block)
    return Generated("\n\n".join(blocks) + "\n", expected)


def _encode(text: str, encoding: str, *, crlf: bool, bom: bool) -> bytes:
    if crlf:
        text = text.replace("\n", "\r\n")
    if encoding == "utf-16":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    return (codecs.BOM_UTF8 if bom else b"") + text.encode(encoding)


def check_spans(data: bytes, occurrences: list[Occurrence], encoding: str) -> None:
    """Every span decodes to `raw`; `line:column` is where the citation starts, before its destination."""
    bom = next(
        (len(b) for b in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) if data.startswith(b)), 0
    )
    text = data[bom:].decode(encoding)
    line_starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    for occ in occurrences:
        assert data[occ.start : occ.end].decode(encoding) == occ.raw, occ
        raw_at = len(data[bom : occ.start].decode(encoding))
        assert text[raw_at : raw_at + len(occ.raw)] == occ.raw
        assert 1 <= occ.line <= len(line_starts) and occ.column >= 1, occ
        at = line_starts[occ.line - 1] + occ.column - 1
        next_line = line_starts[occ.line] if occ.line < len(line_starts) else len(text) + 1
        assert at < next_line, occ
        if occ.kind in (LinkKind.BARE, LinkKind.TEXT_URL):
            assert at == raw_at, occ
        elif occ.kind is LinkKind.AUTOLINK:
            assert text[at] == "<" and at + 1 == raw_at, occ
        elif occ.kind in (LinkKind.HTML_LINK, LinkKind.HTML_IMAGE):
            assert text[at] == "<" and at < raw_at, occ
        elif occ.kind is LinkKind.IMAGE:  # inline or by reference (the definition may come first)
            assert text[at : at + 2] == "![", occ
        elif occ.kind is LinkKind.LINK:
            assert text[at] == "[" and at < raw_at, occ
        else:  # a reference is cited here, its destination written in the definition
            assert text[at] == "[", occ


def _extract(data: bytes) -> list[Occurrence]:
    doc = document_from_bytes(data, ROOT / "doc.md", "doc.md")
    return extract_document(doc, SourceFormat.MARKDOWN, ROOT)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdown_documents(), st.booleans(), st.booleans())
def test_utf8_spans_and_positions(doc: Generated, crlf: bool, bom: bool) -> None:
    data = _encode(doc.text, "utf-8", crlf=crlf, bom=bom)
    found = _extract(data)
    assert [(o.kind, o.raw, o.title) for o in found] == doc.expected, doc.text
    check_spans(data, found, "utf-8")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdown_documents(), st.sampled_from(["gb18030", "big5", "utf-16"]), st.booleans())
def test_legacy_and_utf16_spans(doc: Generated, encoding: str, crlf: bool) -> None:
    # Enough CJK prose for the encoding to be recognized, as in a real article.
    text = "據今日美國消息稱，" * 8 + "\n\n" + doc.text
    data = _encode(text, encoding, crlf=crlf, bom=False)
    found = _extract(data)
    assert [(o.kind, o.raw, o.title) for o in found] == doc.expected, text
    check_spans(data, found, "utf-16-le" if encoding == "utf-16" else encoding)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the real archive sample (../shared/corpus) is not present")
def test_real_archive_sample_spans() -> None:
    files, errors = collect_inputs([os.fspath(CORPUS)])
    assert not errors and len(files) >= 200
    result = extract_files(files, jobs=1)
    assert not result.errors
    assert len(result.occurrences) > 1500
    by_file: dict[str, list[Occurrence]] = {}
    for occ in result.occurrences:
        by_file.setdefault(occ.file, []).append(occ)
    for item in files:
        data = item.path.read_bytes()
        check_spans(data, by_file.get(item.display, []), "utf-8")
