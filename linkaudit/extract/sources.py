"""Inputs besides article files: URL lists (`check --urls FILE`) and web pages (`check https://…/page`).

A URL list holds one URL per line, the way an archive maintainer re-checks yesterday's failures; blank
lines and `#` comments are ignored. Each URL is an occurrence at its line of the list, and a line that
is not one absolute URL is an invalid one, so the report names the line. A web page's links are
extracted as an HTML file's (a Markdown or plain-text page's as such a file's), relative links resolved
against the page's address after redirects, or against its `<base href>`. Fetching is the checker's
job (`linkaudit.check.pages`): this module reads bytes.
"""

from __future__ import annotations

import codecs
import dataclasses
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

from linkaudit.extract import ExtractResult, SourceFormat, UsageError, extract_document
from linkaudit.extract.document import (
    DEFAULT_MAX_FILE_SIZE,
    Document,
    ExtractError,
    RawLink,
    document_from_bytes,
    finish,
    read_document,
)
from linkaudit.models import FileError, LinkKind, Occurrence, Target, TargetStatus

__all__ = ["is_web_address", "page_occurrences", "read_url_list", "url_list_occurrences", "with_url_list"]

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_WEB_ADDRESS = re.compile(r"https?://", re.IGNORECASE)
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_MARKDOWN_TYPES = frozenset({"text/markdown", "text/x-markdown"})
_MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdx")


def is_web_address(argument: str) -> bool:
    """Whether a `check` argument names a web page (an http(s) URL) rather than a path."""
    return _WEB_ADDRESS.match(argument) is not None


def read_url_list(
    source: str, *, max_size: int = DEFAULT_MAX_FILE_SIZE, origin: str = "--urls"
) -> list[Occurrence]:
    """The occurrences of a URL list file (`-`: standard input); `UsageError` when it cannot be read,
    naming `origin` (the option, or a configuration file's key)."""
    try:
        if source == "-":
            doc = document_from_bytes(sys.stdin.buffer.read(), Path.cwd() / "-", "-")
        else:
            doc = read_document(Path(source), source, max_size)
    except ExtractError as exc:
        raise UsageError(f"{origin} {source}: {exc}") from None
    return url_list_occurrences(doc)


def with_url_list(result: ExtractResult, listed: list[Occurrence]) -> ExtractResult:
    """What extraction found and a URL list's occurrences (the list counts as one more file)."""
    return ExtractResult(result.files + 1, (*result.occurrences, *listed), result.errors)


def url_list_occurrences(doc: Document) -> list[Occurrence]:
    """One occurrence per URL line of a decoded list; lines that are not one absolute URL are invalid."""
    raws: list[RawLink] = []
    problems: dict[int, tuple[str, str]] = {}  # index: (reason slug, detail)
    text = doc.text
    pos = 0
    for line in text.split("\n"):
        value = line.strip(" \t\r\f\v")
        if value and not value.startswith("#"):
            start = pos + len(line) - len(line.lstrip(" \t\r\f\v"))
            if any(c.isspace() for c in value):
                problems[len(raws)] = ("spaces-in-url", "not a URL (spaces in it)")
            elif _SCHEME.match(value) is None:
                problems[len(raws)] = ("relative-url", "not an absolute URL")
            raws.append(RawLink(LinkKind.URL_LIST, start, start, start + len(value), value))
        pos += len(line) + 1
    occurrences = finish(doc, raws, root=None)
    for index, (reason, detail) in problems.items():
        occ = occurrences[index]
        occurrences[index] = dataclasses.replace(
            occ, target=Target(url=occ.raw, status=TargetStatus.INVALID, reason=reason, detail=detail)
        )
    return occurrences


def page_occurrences(
    address: str, final_address: str, body: bytes, content_type: str | None
) -> tuple[list[Occurrence], FileError | None]:
    """The links of a fetched page, cited at `address` (as the user gave it), resolved against
    `final_address` (where redirects led)."""
    media = (content_type or "").split(";")[0].strip().lower()
    path = urlsplit(final_address).path.lower()
    if media in _HTML_TYPES or (not media and body.lstrip()[:1] == b"<"):
        fmt = SourceFormat.HTML
    elif media in _MARKDOWN_TYPES or (media == "text/plain" and path.endswith(_MARKDOWN_SUFFIXES)):
        fmt = SourceFormat.MARKDOWN
    elif media in ("text/plain", ""):
        fmt = SourceFormat.TEXT
    else:
        return [], FileError(address, f"not a web page (Content-Type: {media})")
    try:
        doc = _decode(body, content_type, address)
        return extract_document(doc, fmt, Path.cwd(), address=final_address), doc.warning
    except ExtractError as exc:
        return [], FileError(address, str(exc))
    except RecursionError:
        return [], FileError(address, "too deeply nested to parse")


def _decode(body: bytes, content_type: str | None, address: str) -> Document:
    """The page as text: in the charset its Content-Type names, else as a file would be decoded."""
    match = re.search(r"charset\s*=\s*\"?([^\s;\"]+)", content_type or "", re.IGNORECASE)
    if match is not None and not body.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            encoding = codecs.lookup(match.group(1)).name
            if encoding != "utf-8":
                text = body.decode(encoding)
                return Document(Path.cwd(), address, text, text, encoding, 0)
        except (LookupError, UnicodeDecodeError):
            pass
    return document_from_bytes(body, Path.cwd(), address)
