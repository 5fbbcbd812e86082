"""How one article becomes occurrences: the extractor its format calls for, then `finish`.

Markdown goes to `extract_markdown`, HTML to `extract_html` (which also reports a `<base>`), plain text
to the bare-URL finder; `finish` (in `document`) turns what they found into lines, columns, byte offsets
and normalized targets. `_extract_one` reads the file (or standard input) first and turns a file's
failure into a `FileError` (a flaw it read past, such as stray bytes, into a `FileWarning`): one file
never stops the run.
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urljoin

from linkaudit.extract.bare import find_bare_urls, with_scheme
from linkaudit.extract.document import (
    Document,
    ExtractError,
    OccurrenceSink,
    RawLink,
    document_from_bytes,
    finish,
    read_document,
)
from linkaudit.extract.html import extract_html
from linkaudit.extract.inputs import InputFile, SourceFormat
from linkaudit.extract.markdown import extract_markdown
from linkaudit.extract.markers import HINT, disabled_spans
from linkaudit.models import FileError, LinkKind, Occurrence

__all__ = ["extract_document"]


def extract_document(
    doc: Document,
    fmt: SourceFormat,
    root: Path,
    *,
    sink: OccurrenceSink | None = None,
    address: str | None = None,
) -> list[Occurrence]:
    """Occurrences of one decoded document (or, with a `sink`, their fields given to it: see `finish`).

    `address` is where a web page was fetched from: its relative links resolve against it (or against
    its `<base href>`, itself resolved against it).
    """
    base_url: str | None = None
    raws: list[RawLink]
    if fmt is SourceFormat.HTML:
        raws, base_url = extract_html(doc)
    elif fmt is SourceFormat.TEXT:
        raws = [
            RawLink(LinkKind.BARE, s, s, e, with_scheme(url))
            for s, e, url in find_bare_urls(doc.text, plain=True)
        ]
    else:
        raws = extract_markdown(doc)
    if address is not None:
        joined = _joined(address, base_url) if base_url is not None else address
        base_url = joined if joined.lower().startswith(("http://", "https://")) else address
    elif base_url is not None and base_url.startswith("/"):
        # A root-relative (or protocol-relative) <base> still moves every relative link: resolve them
        # against it here; the root (or https:) then anchors the result.
        raws = [raw._replace(value=_joined(base_url, raw.value)) for raw in raws]
        base_url = None
    disabled = (
        disabled_spans(doc, markdown=fmt is SourceFormat.MARKDOWN)
        if fmt is not SourceFormat.TEXT and raws and HINT in doc.text
        else None
    )
    return finish(doc, raws, root=root, base_url=base_url, sink=sink, disabled=disabled)


def _joined(base: str, value: str) -> str:
    try:
        return urljoin(base, value)
    except ValueError:  # urllib refuses it ("//[": an unclosed IPv6 host): normalizing says it is invalid
        return value


def _extract_one(
    item: InputFile, max_size: int, sink: OccurrenceSink | None = None, *, data: bytes | None = None
) -> tuple[list[Occurrence], FileError | None]:
    """One file's occurrences, or the one-line reason it has none. `data`: its bytes, when already read."""
    try:
        if data is not None:
            doc = document_from_bytes(data, item.path, item.display)
        elif item.display == "-":
            doc = document_from_bytes(sys.stdin.buffer.read(), Path.cwd() / "-", "-")
        else:
            doc = read_document(item.path, item.display, max_size)
        # A file read with a flaw (stray bytes) keeps its links and tells where: a FileWarning.
        return extract_document(doc, SourceFormat.for_path(item.display), item.root, sink=sink), doc.warning
    except ExtractError as exc:
        return [], FileError(item.display, str(exc))
    except RecursionError:
        return [], FileError(item.display, "too deeply nested to parse")
    except (ValueError, OverflowError, MemoryError) as exc:  # a parser's failure on one file is data
        return [], FileError(item.display, f"cannot parse ({type(exc).__name__}: {exc})")
