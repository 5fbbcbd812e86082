"""The hygiene findings that need only what extraction saw: link text that names another URL, tracking
parameters, link shorteners, and a URL cited again in one article.

Each finder is a pure function of an occurrence (the duplicate one, of one article's occurrences);
`linkaudit.extract.findings` lists them. Two kinds need the network and are completed after the check
(`linkaudit.check.hygiene`): a shortener's destination, and whether an http:// host answers https.

The lists of tracking parameters and shorteners are the well-known ones; both are matched exactly (a
parameter name case-insensitively), never by guess, so a parameter a page needs is never suggested
away. Slugs (`FindingKind` values) are stable.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import unquote

from linkaudit.archive.recognize import recognize
from linkaudit.models import Finding, FindingKind, LinkKind, Occurrence, TargetStatus
from linkaudit.urls import normalize

__all__ = [
    "SHORTENERS",
    "TRACKING_PARAMETERS",
    "duplicates_in_article",
    "is_archived_copy_of",
    "is_shortener",
    "is_tracking_parameter",
    "shortener",
    "text_url_mismatch",
    "tracking_params",
    "without_tracking",
]

#: Query parameters that only tell an analytics service where a click came from; any `utm_*` too.
TRACKING_PARAMETERS: frozenset[str] = frozenset(
    {
        *("fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid"),
        *("li_fat_id", "igshid", "igsh", "mc_eid", "mc_cid", "mkt_tok", "_hsenc", "_hsmi", "__hstc"),
        *("__hssc", "__hsfp", "hsctatracking", "spm", "scm", "vero_id", "vero_conv", "oly_enc_id"),
        *("oly_anon_id", "_ga", "_gl", "wt.mc_id", "ref_src", "rb_clickid", "s_kwcid", "ef_id"),
        *("srsltid", "share_source", "from_source", "xtor"),
    }
)
#: Link shorteners: a citation through one depends on a second service staying up and honest.
SHORTENERS: frozenset[str] = frozenset(
    {
        *("bit.ly", "bitly.com", "j.mp", "t.co", "goo.gl", "tinyurl.com", "ow.ly", "ht.ly", "is.gd"),
        *("v.gd", "buff.ly", "dlvr.it", "t.cn", "url.cn", "dwz.cn", "suo.im", "tiny.cc", "cutt.ly"),
        *("rebrand.ly", "shorturl.at", "rb.gy", "lnkd.in", "fb.me", "amzn.to", "wp.me", "trib.al"),
        *("ift.tt", "db.tt", "bit.do", "s.id", "x.co", "po.st", "su.pr", "tr.im", "mcaf.ee"),
        *("hubs.ly", "surl.li", "reurl.cc", "pse.is", "lihi.cc", "ppt.cc", "0rz.tw", "qr.ae"),
        *("soo.gd", "clck.ru", "adf.ly", "shorte.st", "ouo.io", "tinyurl.hu"),
    }
)
_URL_TEXT = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
_ELLIPSIS = ("…", "...")
_QUERY_KEY = re.compile(r"(?:^|[?&])([^=&#]+)")
# A citation a reader follows, not a picture on the page or a text that names a URL.
_CITING = frozenset({LinkKind.LINK, LinkKind.AUTOLINK, LinkKind.BARE, LinkKind.REFERENCE, LinkKind.HTML_LINK})


def is_tracking_parameter(name: str) -> bool:
    key = unquote(name).lower()
    return key.startswith("utm_") or key in TRACKING_PARAMETERS


def without_tracking(url: str) -> str | None:
    """`url` without its tracking parameters (the others kept as written, in order); None if it has none."""
    base, mark, rest = url.partition("?")
    if not mark:
        return None
    query, hash_mark, fragment = rest.partition("#")
    pairs = query.split("&")
    kept = [pair for pair in pairs if not (pair and is_tracking_parameter(pair.partition("=")[0]))]
    if len(kept) == len(pairs):
        return None
    kept = [pair for pair in kept if pair]
    return base + ("?" + "&".join(kept) if kept else "") + hash_mark + fragment


def is_shortener(host: str) -> bool:
    """Whether `host` (lower case, port aside) is a known link shortener, `www.` or not."""
    name = host.rpartition("@")[2].partition(":")[0]
    return name in SHORTENERS or (name.startswith("www.") and name[4:] in SHORTENERS)


def _comparable(url: str) -> str:
    """What two URLs naming one page still share: no scheme, no `www.`, no final `/`, escapes read."""
    rest = unquote(url.split("://", 1)[-1])
    if rest[:4].lower() == "www.":
        rest = rest[4:]
    return rest.rstrip("/")


def is_archived_copy_of(destination: str, shown: str) -> bool:
    """Whether `destination` is an archive's capture of the URL `shown` (`[http://a/x](web.archive.org/web/…/http://a/x)`).

    That is how `linkaudit fix` rewrites a bare URL (and how editors cite a copy while showing what was
    cited): the text names the original on purpose, so it is neither a mismatch nor a citation to check.
    """
    cited = recognize(destination)
    if cited is None or cited.original is None:
        return False
    written = "http://" + shown if shown[:4].lower() == "www." else shown
    if _comparable(cited.original) == _comparable(written):
        return True
    # As the check reads both (host case, default port, dot segments, IDN); an archive keeps no
    # fragment, so one in the text (kept by `fix` on the copy's URL) is no difference either.
    kept, named = normalize(cited.original), normalize(written)
    if kept.status is not TargetStatus.OK or named.status is not TargetStatus.OK:
        return False
    return _comparable(kept.url) == _comparable(named.url)


def text_url_mismatch(occ: Occurrence) -> Finding | None:
    """Link text that is a URL, and another one than the link's destination (`[https://a](https://b)`).

    Not a mismatch: the same URL but for the scheme, `www.` or a final `/`, text shortened for
    display (`https://a.example/long/pa…`) that the destination begins with, and an archived copy of
    the URL the text shows.
    """
    text = occ.text.strip()
    if not occ.target.is_http or not _URL_TEXT.match(text) or is_archived_copy_of(occ.target.url, text):
        return None
    shown = normalize("http://" + text if text[:4].lower() == "www." else text)
    if shown.status is not TargetStatus.OK:
        return None
    destination = _comparable(occ.target.url)
    for ellipsis in _ELLIPSIS:
        if text.endswith(ellipsis):
            return None if destination.startswith(_comparable(text[: -len(ellipsis)])) else _mismatch(text)
    if _comparable(shown.url) == destination:
        return None
    return _mismatch(text)


def _mismatch(text: str) -> Finding:
    return Finding(
        FindingKind.TEXT_URL_MISMATCH,
        f"the link text shows {text} but the link goes elsewhere: make them agree",
    )


def tracking_params(occ: Occurrence) -> Finding | None:
    """A URL with tracking parameters: the suggestion is the same URL without them."""
    target = occ.target
    if not target.is_http or "?" not in target.url:
        return None
    stripped = without_tracking(target.url)
    if stripped is None:
        return None
    names = [m.group(1) for m in _QUERY_KEY.finditer(target.url.partition("?")[2])]
    removed = sorted({name for name in names if is_tracking_parameter(name)})
    if target.fragment is not None:
        stripped += "#" + target.fragment
    return Finding(FindingKind.TRACKING_PARAMS, f"remove {', '.join(removed)}", stripped)


def shortener(occ: Occurrence) -> Finding | None:
    """A link through a shortener; the check resolves it and records where it leads."""
    if not occ.target.is_http or not is_shortener(occ.target.host):
        return None
    return Finding(FindingKind.SHORTENER, f"a link shortener ({occ.target.host}): cite where it leads")


def duplicates_in_article(occurrences: Sequence[Occurrence]) -> dict[int, Finding]:
    """For each citation (by index) that cites a URL its article cited before, the finding.

    Counted: links a reader follows (inline, reference, autolink, bare, HTML `<a>`), by URL and
    fragment (two sections of one page are two citations), not in a template. Not counted: the uses of
    one reference definition (one destination, written once), images (a picture shown twice, or an
    `<img>` whose `src` is also in its `srcset`), and link text that names a URL.
    """
    first: dict[tuple[str, str, str | None], Occurrence] = {}
    seen_spans: set[tuple[str, int, int]] = set()
    found: dict[int, Finding] = {}
    order = sorted(range(len(occurrences)), key=lambda i: (occurrences[i].line, occurrences[i].column))
    for i in order:
        occ = occurrences[i]
        if occ.kind not in _CITING or occ.template or occ.target.status is not TargetStatus.OK:
            continue
        span = (occ.file, occ.start, occ.end)
        if occ.kind is LinkKind.REFERENCE and span in seen_spans:
            continue  # another use of a definition already counted
        seen_spans.add(span)
        key = (occ.file, occ.target.url, occ.target.fragment)
        earlier = first.setdefault(key, occ)
        if earlier is not occ:
            found[i] = Finding(
                FindingKind.DUPLICATE_IN_ARTICLE,
                f"cited already at line {earlier.line}, column {earlier.column}: once may do",
            )
    return found
