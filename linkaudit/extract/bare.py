"""Bare URLs in running text, ended as GitHub's extended-autolink rules end them.

Two deliberate departures from GFM, both because a citation matters more than rendering: a URL is
found even when glued to preceding CJK text (`图片来源https://…`), and it also ends at CJK punctuation
(`，。、；：！？）》」】` and the like), which Chinese prose puts right after a URL.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["find_bare_urls"]

# Characters that end a URL in prose: whitespace, "<", and CJK / full-width punctuation.
_CJK_STOPS = (
    "\u3000-\u303f"  # CJK symbols and punctuation: 、。〈〉《》「」『』【】〔〕…
    "\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"  # full-width ！（），．：；？［］｛｝ …
    "\u2018-\u201f\u2026\u2014\u2015\u00a0\ufeff"  # curly quotes, …, —, nbsp, zwnbsp
)
_URL = re.compile(
    r"(?:https?://|www\.)"
    r"([\w\-]+(?:\.[\w\-]+)*)"  # domain (checked below)
    rf"[^\s<{_CJK_STOPS}]*",
    re.IGNORECASE,
)
_TEXT_STOP = re.compile(r"[>\"']")
_TRAILING_PUNCT = "?!.,:*_~'\""
_ENTITY_TAIL = re.compile(r"&[A-Za-z0-9]+;$")


def _valid_domain(domain: str, www: bool) -> bool:
    segments = domain.split(".")
    if www and len(segments) < 2:
        return False
    if any(not s for s in segments):
        return False
    return all("_" not in s for s in segments[-2:])


def _trim(url: str) -> str:
    while url:
        last = url[-1]
        if last in _TRAILING_PUNCT:
            url = url[:-1]
        elif last == ")":
            if url.count(")") > url.count("("):
                url = url[:-1]
            else:
                break
        elif last == ";":
            entity = _ENTITY_TAIL.search(url)
            if entity is None:
                break
            url = url[: entity.start()]
        else:
            break
    return url


def find_bare_urls(text: str, start: int = 0, end: int | None = None, *, plain: bool = False) -> Iterator[
    tuple[int, int, str]
]:
    """Yield (start, end, url) of bare URLs in `text[start:end]`, offsets into `text`.

    `plain` (plain-text files) also ends URLs at `>` and quotes, which there delimit a URL; in
    Markdown those cases are autolinks or HTML, handled by the parser.
    """
    stop = len(text) if end is None else end
    for match in _URL.finditer(text, start, stop):
        begin = match.start()
        if begin > 0:
            before = text[begin - 1]
            # Not a URL start when inside a word or another URL: "hhttps://", "x.www.", "://www."
            if (before.isascii() and (before.isalnum() or before in "/.:@-_+%")) or before == "\\":
                continue
        url = match.group(0)
        if plain:
            cut = _TEXT_STOP.search(url)
            if cut is not None:
                url = url[: cut.start()]
        url = _trim(url)
        www = url[:4].lower() == "www."
        scheme_len = 0 if www else url.index("//") + 2
        domain_match = re.match(r"[\w\-]+(?:\.[\w\-]+)*", url[scheme_len:])
        if domain_match is None or not _valid_domain(domain_match.group(0), www):
            continue
        if www and len(url) <= 4:
            continue
        yield begin, begin + len(url), url
