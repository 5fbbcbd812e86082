"""Bare URLs in running text, ended as GitHub's extended-autolink rules end them.

Three deliberate departures from GFM, all because a citation matters more than rendering: a URL is
found even when glued to preceding CJK text (`图片来源https://…`), it also ends at CJK punctuation
(`，。、；：！？）》」】` and the like), which Chinese prose puts right after a URL, and an ASCII host
ends where CJK text is glued to it (`www.example.com的报道`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from html.entities import html5

__all__ = ["find_bare_urls", "intended_url", "resolve_escapes", "with_scheme"]

# Characters that end a URL in prose: whitespace, "<", and CJK / full-width punctuation.
_CJK_STOPS = (
    "\u3000-\u303f"  # CJK symbols and punctuation: 、。〈〉《》「」『』【】〔〕…
    "\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"  # full-width ！（），．：；？［］｛｝ …
    "\u2018-\u201f\u2026\u2014\u2015\u00a0\ufeff"  # curly quotes, …, —, nbsp, zwnbsp
)
# A domain character, as GFM has it: not whitespace and not punctuation (so "http://🍄.ga" is a URL).
_DOMAIN_CHAR = rf"(?:[\w\-]|[^\x00-\x7f\s{_CJK_STOPS}])"
_DOMAIN = re.compile(rf"{_DOMAIN_CHAR}+(?:\.{_DOMAIN_CHAR}+)*")
_URL = re.compile(
    r"(?:https?://|www\.)"
    rf"({_DOMAIN.pattern})"  # domain (checked below)
    rf"[^\s<{_CJK_STOPS}]*",
    re.IGNORECASE,
)
_TEXT_STOP = re.compile(r"[>\"']")
# An ASCII host glued to the prose after it ("www.example.com的报道"): a host label does not mix ASCII
# with CJK (IDN labels are wholly native), so the URL ends there. In the path CJK stays (IRIs).
_CJK = "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
# Right after an ASCII host: a port and emphasis delimiters ("**www.a.com**的"), then CJK prose.
_AFTER_HOST_THEN_CJK = re.compile(rf"(:[0-9]+)?[*_~]*(?=[{_CJK}])")
# Within the host: an ASCII letter or digit with CJK right after it. (Not after a dot: "example.中国"
# is an ASCII name under a Chinese top-level domain.)
_HOST_THEN_CJK = re.compile(rf"[A-Za-z0-9](?=[{_CJK}])")
_TRAILING_PUNCT = "?!.,:*_~'\""
_ENTITY_TAIL = re.compile(r"&[A-Za-z]+;$")
_ESCAPE_OR_ENTITY = re.compile(
    r"\\([!-/:-@\[-`{-~])|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
)


def _resolve(match: re.Match[str]) -> str:
    if match.group(1) is not None:
        return match.group(1)
    ref = match.group(0)
    return html.unescape(ref) if ref[1] == "#" else html5.get(ref[1:], ref)


def resolve_escapes(text: str) -> str:
    """Markdown's backslash escapes and HTML entities in `text` resolved, as in a link destination."""
    return _ESCAPE_OR_ENTITY.sub(_resolve, text) if "\\" in text or "&" in text else text


def intended_url(written: str) -> str | None:
    """The URL a bare URL written with escapes or entities means (`jana\\_c`, `&amp;`), else None.

    GitHub links a bare URL as written, so readers follow `jana%5C_c` and `&amp;amp;`. A backslash left
    at the end escaped a character that ended the URL (`a\\_` before trimming): it goes too.
    """
    resolved = resolve_escapes(written)
    if resolved.endswith("\\") and not written.endswith("\\\\"):
        resolved = resolved[:-1]
    return resolved if resolved != written else None


def with_scheme(url: str) -> str:
    """`www.…` as GitHub links it (http://)."""
    return "http://" + url if url[:4].lower() == "www." else url


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
        elif last in ")]":
            # An unbalanced ")" ends the URL (GFM); "]" likewise (ours: GitHub links nothing in "[…]").
            if url.count(last) > url.count("(" if last == ")" else "["):
                url = url[:-1]
            else:
                break
        elif last == ";":
            # As cmark-gfm does: a trailing ";" never belongs, nor an entity-like "&name;" it ends.
            entity = _ENTITY_TAIL.search(url)
            url = url[: entity.start()] if entity is not None else url[:-1]
        else:
            break
    return url


def find_bare_urls(
    text: str, start: int = 0, end: int | None = None, *, plain: bool = False
) -> Iterator[tuple[int, int, str]]:
    """Yield (start, end, url) of bare URLs in `text[start:end]`, offsets into `text`.

    `plain` (plain-text files) also ends URLs at `>` and quotes, which there delimit a URL; in
    Markdown those cases are autolinks or HTML, handled by the parser.
    """
    stop = len(text) if end is None else end
    for match in _URL.finditer(text, start, stop):
        begin = match.start()
        if begin > 0:
            before = text[begin - 1]
            # As GitHub: a letter before "http" makes another scheme ("hhttps://"); "www." must not
            # continue a word, host or path ("xwww.", "a.www.", "/www.", "://www.").
            if before.isascii() and (
                before.isalpha() if text[begin] in "hH" else (before.isalnum() or before in "/.:@-+%\\")
            ):
                continue
        url = match.group(0)
        if plain:
            cut = _TEXT_STOP.search(url)
            if cut is not None:
                url = url[: cut.start()]
        url = _trim(url)
        www = url[:4].lower() == "www."
        scheme_end = url.find("//")
        if not www and scheme_end == -1:
            continue  # trimming ate into the prefix ("www._" -> "www"): nothing left to link
        scheme_len = 0 if www else scheme_end + 2
        domain_match = _DOMAIN.match(url, scheme_len)
        if domain_match is not None:
            host = domain_match.group(0)
            glued = _HOST_THEN_CJK.search(host)
            if glued is not None and "." in host[: glued.start()]:
                url = _trim(url[: scheme_len + glued.start() + 1])
                domain_match = _DOMAIN.match(url, scheme_len)
            elif "." in host:
                after = _AFTER_HOST_THEN_CJK.match(url, domain_match.end())
                if after is not None:  # CJK prose follows: the URL ends with the host (and port)
                    url = url[: after.end(1) if after.group(1) is not None else domain_match.end()]
        if domain_match is None or not _valid_domain(domain_match.group(0), www):
            continue
        if www and len(url) <= 4:
            continue
        yield begin, begin + len(url), url
