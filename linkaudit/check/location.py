"""Where a redirect leads: a `Location` header, as the bytes the server sent, checked and joined.

A server may send anything there: control characters, 100 KB, a malformed authority, bytes in some
legacy encoding, a relative path that joins past the length any client accepts. Each is either a URL we
can request or a reason why not (the redirect is then `dead` / `bad-redirect` at once: asking again
will not make it valid). Bytes outside ASCII are percent-encoded as they are, as browsers do.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

import httpx

from linkaudit.models import Target, TargetStatus
from linkaudit.urls import normalize

__all__ = ["LOCATION_KEY", "MAX_URL_LENGTH", "redirect_target", "take_location", "too_long"]

#: The longest URL httpx builds a request for (`httpx.InvalidURL: URL too long` beyond it).
MAX_URL_LENGTH = 64 * 1024

#: Where `take_location` keeps a response's Location, as bytes.
LOCATION_KEY = "linkaudit.location"

_CONTROL = re.compile(rb"[\x00-\x1f\x7f]")
_NON_ASCII = re.compile(rb"[\x80-\xff]")


def _percent_encode(raw: bytes) -> str:
    return _NON_ASCII.sub(lambda m: f"%{m.group()[0]:02X}".encode(), raw).decode("ascii")


async def take_location(response: httpx.Response) -> None:
    """An httpx response hook: move the Location header out of httpx's sight, as the bytes sent.

    httpx builds every redirect's next request itself, even when it does not follow it, and raises on a
    Location it cannot join (too long, a control character): the answer, status and all, would be lost.
    We follow redirects by hand and judge a bad Location as data, so it is kept in the extensions.
    """
    raw = [value for name, value in response.headers.raw if name.lower() == b"location"]
    if raw:
        response.extensions[LOCATION_KEY] = raw[0]
        del response.headers["location"]


def too_long(url: str) -> str | None:
    """Why httpx would refuse `url` for its length, or None. (Its other refusals, an IDNA label it cannot
    decode for one, surface when the request is built: checking every URL for them up front costs httpx's
    character-by-character scan twice.)"""
    if len(url) > MAX_URL_LENGTH:
        return f"URL too long ({len(url):,} characters; the limit is {MAX_URL_LENGTH:,})"
    return None


def redirect_target(current: str, location: bytes) -> tuple[Target | None, str]:
    """The target a redirect from `current` leads to, or None and why it cannot be followed."""
    raw = location.strip(b" ")
    if len(raw) > MAX_URL_LENGTH:
        return None, f"Location too long ({len(raw):,} bytes)"
    if _CONTROL.search(raw):
        return None, "control character in Location"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = _percent_encode(raw)
    try:
        target = normalize(urljoin(current, text))
    except (ValueError, UnicodeError) as exc:
        return None, f"malformed Location {_shown(text)}: {exc}"
    if target.status is TargetStatus.INVALID:
        return None, f"malformed Location {_shown(text)}: {target.detail or target.reason or 'invalid'}"
    if not target.is_http:
        return None, f"redirect to a non-web URL {_shown(text)}"
    problem = too_long(target.url)
    if problem is not None:
        return None, f"redirect: {problem}"
    return target, ""


def _shown(text: str, limit: int = 200) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")
