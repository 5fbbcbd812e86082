"""Citations that already are archived copies: which archive, when it was captured, of what (pure).

Recognised: the Wayback Machine (`web.archive.org/web/<timestamp>[flag]/<url>`, with the replay flags
`id_`, `if_`, `im_`, `js_`, `cs_`, `fw_`, `oe_`; `*` wildcards that open its calendar instead of one
capture; no timestamp at all, meaning the latest), archive.today under all its names (`archive.ph`,
`archive.is`, `archive.today`, `archive.li`, `archive.vn`, `archive.fo`, `archive.md`: `/<timestamp>/<url>`
with `YYYYMMDDhhmmss` or `YYYY.MM.DD-hhmmss`, `/newest/<url>`, `/oldest/<url>`, and short ids such as
`/AbC12` that name a capture without saying of what), and the national archives that run Wayback
software with the same `/<timestamp>/<url>` paths. The original URL is given back as an absolute URL
(scheme added when the citation left it out, `http:/x` mended, a percent-encoded one decoded).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

__all__ = ["ArchiveCitation", "is_archive_host", "recognize"]

_WAYBACK_HOSTS = frozenset({"web.archive.org", "wayback.archive.org", "archive.org", "www.archive.org"})
_ARCHIVE_TODAY_HOSTS = frozenset(
    {"archive.today", "archive.ph", "archive.is", "archive.li", "archive.vn", "archive.fo", "archive.md"}
)
# Wayback-software archives: host -> the path before `<timestamp>/<url>` (a collection, if any).
_WAYBACK_SOFTWARE = {
    "arquivo.pt": re.compile(r"/wayback/"),
    "www.webarchive.org.uk": re.compile(r"/wayback/(?:archive|en/archive)/"),
    "webarchive.org.uk": re.compile(r"/wayback/(?:archive|en/archive)/"),
    "webarchive.loc.gov": re.compile(r"/(?:all|[a-z0-9-]+)/"),
    "wayback.archive-it.org": re.compile(r"/(?:all|\d+)/"),
    "webarchive.nla.gov.au": re.compile(r"/awa/"),
    "swap.stanford.edu": re.compile(r"/"),
    "webarchive.nationalarchives.gov.uk": re.compile(r"/(?:ukgwa/)?"),
}
_REPLAY = re.compile(r"(?P<stamp>\d{1,14})?(?P<wild>\*)?(?P<flag>[a-z]{2}_)?/(?P<rest>.+)", re.S)
_TODAY_STAMP = re.compile(r"(?P<y>\d{4})\.?(?P<m>\d{2})\.?(?P<d>\d{2})-?(?P<t>\d{6})?")
_SHORT_ID = re.compile(r"[A-Za-z0-9]{4,8}")
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:", re.I)


@dataclass(frozen=True, slots=True)
class ArchiveCitation:
    """What an archive URL says about itself.

    `timestamp` is the capture time as digits (1 to 14 of `YYYYMMDDhhmmss`; shorter ones mean "the
    capture closest to this"), None when the URL does not say (a short id, `newest`, the latest). `original`
    is the URL that was captured, None when the URL does not say (a short id). `flag` is a Wayback replay
    flag (`id_`: the raw bytes) or `newest`/`oldest` for archive.today. `wildcard` marks a calendar or
    search page, not one capture.
    """

    service: str
    url: str
    timestamp: str | None
    original: str | None
    flag: str = ""
    wildcard: bool = False


def is_archive_host(host: str) -> bool:
    """Whether `host` (lower case, a port aside) is a web archive's: one shared, rate-limited service
    that every cited copy and every lookup reaches, so a run asks it as gently as the lookups do."""
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    name = name.rstrip(".")
    return (
        name in _WAYBACK_HOSTS
        or name.removeprefix("www.") in _ARCHIVE_TODAY_HOSTS
        or name in _WAYBACK_SOFTWARE
    )


def _host_and_path(url: str) -> tuple[str, str] | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    # The captured URL's own query belongs to it: keep everything after the host as written.
    after_host = url.split("://", 1)[1]
    slash = after_host.find("/")
    path = after_host[slash:] if slash != -1 else "/"
    return parts.hostname.lower().rstrip("."), path.split("#", 1)[0]


def _original(text: str) -> str | None:
    """The captured URL from the rest of an archive path: decoded, mended and made absolute."""
    text = text.strip()
    if not text:
        return None
    if re.match(r"https?%3A", text, re.I):
        text = unquote(text)
    match = _SCHEME.match(text)
    if match is None:
        text = "http://" + text.lstrip("/")
    elif text[match.end() : match.end() + 2] != "//" and match.group().lower() in ("http:", "https:"):
        text = match.group() + "//" + text[match.end() :].lstrip("/")  # http:/example.com
    return text


def _wayback(service: str, url: str, path: str) -> ArchiveCitation | None:
    """`path` is what follows `/web/`: `<timestamp>[*][flag]/<url>`, or the URL alone (the latest)."""
    match = _REPLAY.fullmatch(path)
    if match is not None and (match["stamp"] or match["wild"] or match["flag"]):
        stamp, wild, flag, rest = match["stamp"], match["wild"], match["flag"] or "", match["rest"]
    else:
        stamp, wild, flag, rest = None, None, "", path
        if _SCHEME.match(rest) is None and "." not in rest.split("/", 1)[0]:
            return None  # /web/ then something that is no URL: a page of the archive itself
    original = _original(rest.removesuffix("*"))
    if original is None:
        return None
    return ArchiveCitation(service, url, stamp, original, flag, wild is not None or rest.endswith("*"))


def _archive_today(url: str, path: str) -> ArchiveCitation | None:
    head, _, rest = path.lstrip("/").partition("/")
    if not rest:
        if _SHORT_ID.fullmatch(head):
            return ArchiveCitation("archive.today", url, None, None)
        return None
    if head in ("newest", "oldest", "timegate"):
        return ArchiveCitation(
            "archive.today", url, None, _original(rest), head if head != "timegate" else ""
        )
    stamp = _TODAY_STAMP.fullmatch(head)
    if stamp is not None:
        digits = stamp["y"] + stamp["m"] + stamp["d"] + (stamp["t"] or "")
        return ArchiveCitation("archive.today", url, digits, _original(rest))
    if head.endswith("*"):
        return ArchiveCitation("archive.today", url, None, _original(rest), wildcard=True)
    if _SHORT_ID.fullmatch(head) and _SCHEME.match(rest) is None:
        return ArchiveCitation("archive.today", url, None, None)  # /AbC12/image: still one capture
    return None


def recognize(url: str) -> ArchiveCitation | None:
    """The archive, capture time and captured URL of an archived-copy URL; None for any other URL."""
    found = _host_and_path(url)
    if found is None:
        return None
    host, path = found
    if host in _WAYBACK_HOSTS:
        if not path.startswith("/web/"):
            return None
        return _wayback("wayback", url, path[len("/web/") :])
    bare = host.removeprefix("www.")
    if bare in _ARCHIVE_TODAY_HOSTS:
        return _archive_today(url, path)
    prefix = _WAYBACK_SOFTWARE.get(host)
    if prefix is not None:
        match = prefix.match(path)
        if match is not None:
            cited = _wayback(host, url, path[match.end() :])
            if cited is not None and cited.timestamp is not None:
                return cited
    return None
