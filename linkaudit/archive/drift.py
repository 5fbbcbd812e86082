"""Content drift evidence: how much of the main text of the archived copy the live page still holds.

Both pages go through a real main-text extractor (trafilatura: the article without navigation, ads,
footers, related links), are normalized (NFKC, case folded, only letters and digits kept: whitespace,
punctuation and markup differences are not edits), and cut into overlapping character shingles
(`SHINGLE` characters: word-free, so Chinese and English are compared alike). The similarity is the share
of the snapshot's shingles found on the live page: what the author cited that a reader still sees. A
light edit (a sentence changed, an update added) keeps most shingles; a replaced article keeps almost
none; a page that quotes the article inside more text still holds it.

A page in which the extractor finds no article (a short notice, a page of links) is compared by all its
visible text instead, so "this article was removed" still counts as drift. Which similarity is drift is
decided in `linkaudit.classify.drift`; this module only measures.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass

__all__ = ["SHINGLE", "MainText", "main_text", "shingles", "similarity", "text_similarity"]

#: Characters per shingle: long enough that shared ones are shared text, short enough for CJK words.
SHINGLE = 5
# Fewer characters than this (after normalizing) is no text to judge by.
_MIN_CHARS = 40
_NOT_WORD = re.compile(r"[\W_]+")
_SCRIPT_STYLE = re.compile(r"<(script|style|noscript|template)\b.*?</\1\s*>", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True, slots=True)
class MainText:
    """A page's main text and whether it is the article the extractor found (`True`) or, failing that,
    all its visible text (`False`)."""

    text: str
    article: bool


def _decode(body: bytes, content_type: str | None) -> str:
    from linkaudit.extract.document import ExtractError, decode  # noqa: PLC0415 - keeps the import light

    charset = re.search(r"charset=([\w.-]+)", content_type or "", re.I)
    if charset is not None:
        try:
            return body.decode(charset[1], errors="replace")
        except LookupError:
            pass
    try:
        return decode(body)[0]
    except (ExtractError, UnicodeDecodeError):
        return body.decode("utf-8", errors="replace")


def _visible_text(html: str) -> str:
    import html as html_module  # noqa: PLC0415

    return html_module.unescape(_TAG.sub(" ", _SCRIPT_STYLE.sub(" ", html)))


def main_text(body: bytes, content_type: str | None = None) -> MainText | None:
    """The main text of a page's bytes (HTML, or plain text as it is); None when it holds no text."""
    text = _decode(body, content_type)
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    if kind and "html" not in kind and kind.startswith("text/"):
        return MainText(text, True) if _normalize(text) else None
    import trafilatura  # noqa: PLC0415 - 0.3 s of imports, paid only by --archives all

    # trafilatura logs what it cannot parse at WARNING; a page we measure is not the user's concern.
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    extracted = trafilatura.extract(
        text, include_comments=False, include_tables=True, include_links=False, deduplicate=False
    )
    if extracted and len(_normalize(extracted)) >= _MIN_CHARS:
        return MainText(extracted, True)
    visible = _visible_text(text)
    return MainText(visible, False) if _normalize(visible) else None


def _normalize(text: str) -> str:
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text).casefold())


def shingles(text: str, size: int = SHINGLE) -> frozenset[str]:
    """The distinct `size`-character shingles of `text`, normalized (a shorter text is one shingle)."""
    plain = _normalize(text)
    if len(plain) <= size:
        return frozenset({plain}) if plain else frozenset()
    return frozenset(plain[i : i + size] for i in range(len(plain) - size + 1))


def text_similarity(cited: str, live: str) -> float:
    """The share (0..1) of the cited text's shingles the live text holds; 1.0 when the cited text has none."""
    before = shingles(cited)
    if not before:
        return 1.0
    return len(before & shingles(live)) / len(before)


def similarity(
    snapshot: bytes, live: bytes, *, snapshot_type: str | None = None, live_type: str | None = None
) -> tuple[float | None, str | None]:
    """How much of the snapshot's main text the live page holds, or (None, why it cannot be said)."""
    cited = main_text(snapshot, snapshot_type)
    if cited is None or len(_normalize(cited.text)) < _MIN_CHARS:
        return None, "the archived copy holds no text to compare"
    now = main_text(live, live_type)
    if now is None:
        return 0.0, None  # the cited text is gone: the live page shows none at all
    return round(text_similarity(cited.text, now.text), 3), None
