"""How a new URL is written where a citation stands, so that the file's own syntax reads it back unchanged.

Each writer gets the URL and the file's encoding and returns text that, put where the old destination
was, parses as exactly that URL: characters a URI may not hold, and characters the file's encoding
cannot write, are percent-encoded (a host's as IDNA), which names the same resource; what the
surrounding syntax would read otherwise is escaped in that syntax (a backslash in a Markdown
destination, a character reference in an HTML attribute). Nothing here reads files or knows offsets.
"""

from __future__ import annotations

import re
import unicodedata

import idna

__all__ = [
    "autolink",
    "bare_in_html",
    "bare_in_markdown",
    "bare_in_text",
    "html_attribute",
    "markdown_destination",
    "uri_text",
]

# ASCII that RFC 3986 never allows unencoded (space and controls included): encoding it names the same
# resource, and it is what browsers send anyway.
_NOT_IN_URI = frozenset(chr(c) for c in range(0x21)) | frozenset('\x7f"<>\\^`{|}')
_SPECIAL = re.compile(r"(?:https?|wss?|ftp|file):", re.IGNORECASE)
_AUTHORITY = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*://)([^/?#]*)")
# An "&" that CommonMark would read as the start of a character reference in a destination.
_REFERENCE_LIKE = re.compile(r"&(?=#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)")
# What ends a bare URL in plain text when it comes last (see extract/bare.py: GFM's trailing punctuation).
_TRAILING = frozenset("?!.,:;*_~'\"")
# Deeper than this, a Markdown parser may stop balancing parentheses: escape them all instead.
_MAX_PAREN_DEPTH = 8


def _writable(char: str, encoding: str) -> bool:
    try:
        char.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _percent(char: str) -> str:
    return "".join(f"%{byte:02X}" for byte in char.encode("utf-8", errors="surrogatepass"))


def _needs_encoding(char: str, encoding: str) -> bool:
    if char.isascii():
        return char in _NOT_IN_URI
    return unicodedata.category(char)[0] in "CZ" or not _writable(char, encoding)


def uri_text(url: str, encoding: str) -> str:
    """`url` with what a URI may not hold, or the file's encoding cannot write, percent-encoded.

    (A backslash in the authority or path of an http(s) URL is written "/", which is what it means there.)

    A non-ASCII host the encoding cannot write becomes its IDNA (`xn--`) form, as a browser sends it.
    Existing escapes are kept as they are.
    """
    if url.isascii() and not any(char in _NOT_IN_URI for char in url):
        return url
    if "\\" in url and _SPECIAL.match(url):
        # WHATWG URL (and `linkaudit.urls`): in these schemes a backslash before the query is a "/".
        cut = min((i for i in (url.find("?"), url.find("#")) if i != -1), default=len(url))
        url = url[:cut].replace("\\", "/") + url[cut:]
    authority = _AUTHORITY.match(url)
    if authority is not None:
        host = authority.group(2)
        if any(not char.isascii() and _needs_encoding(char, encoding) for char in host):
            url = authority.group(1) + _idna_host(host) + url[authority.end() :]
    return "".join(_percent(char) if _needs_encoding(char, encoding) else char for char in url)


def _idna_host(authority: str) -> str:
    """The authority with its host in IDNA form (userinfo and port kept); unchanged if it is not a name."""
    userinfo, at, hostport = authority.rpartition("@")
    host, colon, port = hostport.partition(":")
    try:
        ascii_host = idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError:
        return authority  # not a valid name: its characters are percent-encoded like the rest
    return userinfo + at + ascii_host + colon + port


def _escape_unbalanced(text: str, opening: str, closing: str) -> str:
    """Backslash-escape the brackets of one kind that do not pair up (or all, when nested too deep)."""
    if opening not in text and closing not in text:
        return text
    unpaired: set[int] = set()
    open_at: list[int] = []
    deepest = 0
    for i, char in enumerate(text):
        if char == opening:
            open_at.append(i)
            deepest = max(deepest, len(open_at))
        elif char == closing:
            if open_at:
                open_at.pop()
            else:
                unpaired.add(i)
    unpaired.update(open_at)
    if deepest > _MAX_PAREN_DEPTH:
        unpaired = {i for i, char in enumerate(text) if char in (opening, closing)}
    if not unpaired:
        return text
    return "".join("\\" + char if i in unpaired else char for i, char in enumerate(text))


def markdown_destination(url: str, encoding: str, *, angle: bool = False) -> str:
    """A CommonMark link destination (inline, image or reference definition) that reads back as `url`.

    `angle`: it goes between the `<…>` already there, where parentheses need no escaping. Spaces and
    `<>` are percent-encoded either way; an `&` that would start a character reference is escaped.
    """
    text = uri_text(url, encoding)
    if not angle:
        text = _escape_unbalanced(text, "(", ")")
    return _REFERENCE_LIKE.sub(r"\\&", text)


def autolink(url: str, encoding: str) -> str:
    """The inside of a CommonMark autolink `<…>`: no escapes or references are read there, only no
    space or `<>` may stand in it."""
    return uri_text(url, encoding)


def html_attribute(url: str, encoding: str, *, quote_char: str, srcset: bool = False) -> str:
    """An HTML attribute value (between `quote_char`, or unquoted when it is '') that reads back as `url`.

    `&` is always written `&amp;`; a quote that would end the value, and in an unquoted value `'` and
    `=`, as character references. In a `srcset` candidate a leading or trailing comma would be read as
    a separator, so it is percent-encoded.
    """
    text = uri_text(url, encoding).replace("&", "&amp;")
    if quote_char != '"':  # '"' itself is never left by uri_text
        text = text.replace("'", "&#39;")
    if not quote_char:
        text = text.replace("=", "&#61;")
    if srcset:
        stripped = text.strip(",")
        lead = len(text) - len(text.lstrip(","))
        trail = len(text) - len(text.rstrip(","))
        text = "%2C" * lead + stripped + "%2C" * trail
    return text


def bare_in_markdown(written: str, url: str, encoding: str) -> tuple[str, int, str]:
    """A bare URL made a link that still shows what was cited: `[written](url)`.

    Returns the new text, where the destination starts in it, and the destination as written.
    """
    destination = markdown_destination(url, encoding)
    text = "[" + _escape_unbalanced(written, "[", "]") + "]("
    return text + destination + ")", len(text), destination


def bare_in_text(url: str, encoding: str) -> str:
    """A URL in plain text: `'` (which ends a URL there) and a last character that a reader's link finder
    would take for punctuation are percent-encoded."""
    text = uri_text(url, encoding).replace("'", "%27")
    last = text[-1:]
    if last and (
        last in _TRAILING or (last in ")]" and text.count(last) > text.count("(" if last == ")" else "["))
    ):
        text = text[:-1] + _percent(last)
    return text


def bare_in_html(written: str, url: str, encoding: str) -> tuple[str, int, str]:
    """A URL in HTML text made a link that still shows what was cited: `<a href="url">written</a>`."""
    destination = html_attribute(url, encoding, quote_char='"')
    head = '<a href="'
    return f'{head}{destination}">{written}</a>', len(head), destination
