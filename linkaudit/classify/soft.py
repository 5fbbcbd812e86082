"""Soft rot as pure functions of evidence: pages that answer but are not the page cited, and parked domains.

The checker gathers `SoftEvidence` (what the page says, and how a random sibling that cannot exist in
the same directory answered: Bar-Yossef et al., WWW 2004); `refine` turns a plain verdict into a soft one
when that evidence says so. The rules, strongest first:

- `usurped` / `parked-domain`: the redirects pass through a known parking or for-sale service; or the
  page loads a parking service's scripts (`resource:` markers); or it says the domain is for sale
  (`text:` markers) and is short, as parking pages are, or is the very page a random sibling gets.
- `soft-dead` / `redirect-to-home`: a deep link whose redirects end at the site's root, a language root
  (`/en/`, `/zh-hans/`), a login page, or a section index above it (`/news/2019/05/x.html` → `/news/`).
- `soft-dead` / `soft-404`: the random sibling also succeeded, and the two pages are the same: the same
  final URL after redirects, or main texts at least `SIMILAR` alike (`SIMILAR_WITH_WORDING` when the
  page says "not found" in its title or heading, in any of the languages the checker knows, or has the
  sibling's very title: a home page whose widgets change at each visit is never byte-identical). A short
  page that says "not found" is soft-404 too, unless its main text is long (an article about a search).

Never soft: a page whose site answers its random sibling with a proper 404 and that does not itself say
"not found" (a live page on a site with a custom 404 page), nor an app shell (less than `MIN_WORDS`
words of main text, the same for every path) with no wording to go on, nor a page the sibling reached
under another name (a site that routes by an id and rewrites or ignores the slug after it: the sibling
redirected to the page itself, or both declare the same canonical URL naming an article).
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from linkaudit.archive.recognize import recognize
from linkaudit.models import Evidence, Judgement, SoftEvidence, Verdict

__all__ = [
    "MIN_WORDS",
    "PARKED_DOMAIN",
    "PARKING_SERVICES",
    "PARKING_WORDS",
    "REDIRECT_TO_HOME",
    "SHORT_PAGE",
    "SIMILAR",
    "SIMILAR_WITH_WORDING",
    "SOFT_404",
    "explain",
    "is_deep",
    "needs_sibling",
    "parking_service",
    "refine",
]

SOFT_404 = "soft-404"
REDIRECT_TO_HOME = "redirect-to-home"
PARKED_DOMAIN = "parked-domain"

#: Main-text similarity (shingles, 0..1) from which a page is what its site answers for any name.
SIMILAR = 0.8
#: The same, for a page that says "not found" in its title or first heading.
SIMILAR_WITH_WORDING = 0.5
#: Less main text than this (an app shell, a bare frame) is not compared: identical shells prove nothing.
MIN_WORDS = 15
#: A page saying "not found" is soft-404 on its own only when its main text is shorter than this.
SHORT_PAGE = 150
#: For-sale wording marks a parking page only on a page shorter than this (a parking page is short).
PARKING_WORDS = 120

#: Parking and domain-sale services, each with the path prefixes that mark its parking or sale pages
#: (empty: any path). A redirect from another site into one of them means the domain changed hands.
PARKING_SERVICES: dict[str, tuple[str, ...]] = {
    "sedo.com": (),
    "sedoparking.com": (),
    "bodis.com": (),
    "parkingcrew.net": (),
    "dan.com": (),
    "afternic.com": (),
    "hugedomains.com": (),
    "above.com": (),
    "parklogic.com": (),
    "domainmarket.com": (),
    "buydomains.com": (),
    "undeveloped.com": (),
    "squadhelp.com": (),
    "brandbucket.com": (),
    "domainnamesales.com": (),
    "ndparking.com": (),
    "voodoo.com": (),
    "dsnextgen.com": (),
    "parkingpage.namecheap.com": (),
    "godaddy.com": ("/domainsearch", "/forsale", "/domain-value", "/domains/", "/park"),
    "uniregistry.com": ("/market", "/buy"),
    "atom.com": ("/name/", "/domain"),
}

_INDEX_FILE = re.compile(r"^(index|default|home|main)(\.[a-z0-9]{2,5})?$")
_LANGUAGES = frozenset(
    {
        "ar",
        "bg",
        "bn",
        "ca",
        "cs",
        "cy",
        "da",
        "de",
        "el",
        "en",
        "es",
        "et",
        "eu",
        "fa",
        "fi",
        "fr",
        "ga",
        "gl",
        "he",
        "hi",
        "hr",
        "hu",
        "hy",
        "id",
        "is",
        "it",
        "ja",
        "ka",
        "kk",
        "ko",
        "lt",
        "lv",
        "mk",
        "ms",
        "mt",
        "nb",
        "nl",
        "nn",
        "no",
        "pl",
        "pt",
        "ro",
        "ru",
        "sk",
        "sl",
        "sq",
        "sr",
        "sv",
        "sw",
        "ta",
        "th",
        "tl",
        "tr",
        "uk",
        "ur",
        "uz",
        "vi",
        "zh",
    }
)
_LANGUAGE = re.compile(r"^(?P<code>[a-z]{2})(?:[-_](?:[a-z]{2,4}|\d{3}))?$")
_LOGIN = re.compile(
    r"(?:^|[-_.])(?:log-?in|log_in|sign-?in|sign_in|logon|sso|auth|authenticate|servicelogin|signon)"
    r"(?:[-_.]|$)"
)
# Path endings that name a view of the same page: dropping them is not falling back to a section.
_VIEWS = frozenset({"amp", "print", "comments", "full", "all", "single", "view", "page", "embed", "m"})
_ARTICLE_ID = re.compile(r"\d{5,}")


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().rstrip(".")


def _site(url: str) -> str:
    host = _host(url)
    return host.removeprefix("www.")


def _segments(url: str) -> list[str]:
    path = unquote(urlsplit(url).path).lower()
    return [segment for segment in path.split("/") if segment]


def _is_language(segment: str) -> bool:
    match = _LANGUAGE.match(segment)
    return match is not None and match["code"] in _LANGUAGES


def _content_segments(url: str) -> list[str]:
    """The segments that name content: a leading language root and a trailing index file left out."""
    segments = _segments(url)
    if segments and _is_language(segments[0]):
        segments = segments[1:]
    if segments and _INDEX_FILE.match(segments[-1]):
        segments = segments[:-1]
    return segments


def is_deep(url: str) -> bool:
    """A deep link: more than a site's root, a language root or an index file."""
    return bool(_content_segments(url))


def parking_service(url: str) -> str | None:
    """The parking or for-sale service `url` is on, if any (`sedo.com`)."""
    host = _host(url)
    path = urlsplit(url).path.lower()
    for service, prefixes in PARKING_SERVICES.items():
        on_service = host == service or host.endswith("." + service)
        if on_service and (not prefixes or any(path.startswith(prefix) for prefix in prefixes)):
            return service
    return None


def _parking_hop(evidence: Evidence) -> tuple[str, str] | None:
    """(service, URL) of the first place the redirects led to on a parking service not the cited one."""
    if not evidence.redirects:
        return None
    own = parking_service(evidence.url)
    places = [hop.url for hop in evidence.redirects[1:]]
    if evidence.final_url:
        places.append(evidence.final_url)
    for url in places:
        service = parking_service(url)
        if service is not None and service != own:
            return service, url
    return None


def _similar_to_sibling(soft: SoftEvidence) -> bool:
    return _sibling_succeeded(soft) and (soft.similarity or 0.0) >= SIMILAR


def _sibling_succeeded(soft: SoftEvidence) -> bool:
    return soft.sibling_status is not None and 200 <= soft.sibling_status < 300


def _parking_marker(soft: SoftEvidence) -> str | None:
    for marker in soft.markers:
        if marker.startswith("resource:"):
            return marker
    for marker in soft.markers:
        if marker.startswith("text:") and (soft.words < PARKING_WORDS or _similar_to_sibling(soft)):
            return marker
    return None


def _answered(judgement: Judgement) -> bool:
    return judgement.verdict in (Verdict.LIVE, Verdict.REDIRECTED)


def _home_kind(evidence: Evidence, soft: SoftEvidence) -> str | None:
    """What a deep link's redirects ended at, when that is a home, a login or a section index."""
    if not evidence.redirects or not evidence.final_url or not is_deep(evidence.url):
        return None
    cited, final = evidence.url, evidence.final_url
    same_site = _site(cited) == _site(final)
    final_segments = _segments(final)
    if not _content_segments(final):
        # Another site's home is a move only for a link with a path of its own (not a shortener's code).
        if same_site or len(_content_segments(cited)) >= 2:
            language = final_segments and _is_language(final_segments[0])
            return "a language root" if language else "the site's home page"
        return None
    cited_login = any(_LOGIN.search(segment) for segment in _segments(cited))
    if not cited_login and (any(_LOGIN.search(segment) for segment in final_segments) or soft.login_form):
        return "a login page"
    content, above = _content_segments(cited), _content_segments(final)
    if same_site and above and len(above) < len(content) and content[: len(above)] == above:
        dropped = content[len(above) :]
        if not all(segment in _VIEWS for segment in dropped) and not _ARTICLE_ID.search(above[-1]):
            return "a section index"
    return None


def _same_place(evidence: Evidence, soft: SoftEvidence) -> bool:
    """The page was redirected, and to where the random sibling's redirects ended as well."""
    if not evidence.redirects or not _sibling_succeeded(soft):
        return False
    final, sibling_final = evidence.final_url, soft.sibling_final_url
    if not final or not sibling_final or sibling_final == soft.sibling_url:
        return False
    return _canonical(final) == _canonical(sibling_final)


def _canonical(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    return _site(url), parts.path.rstrip("/") or "/", parts.query


def _page_of(cited: str, place: str) -> bool:
    """`place` names a page in the cited URL's own directory (`/questions/123/how-to` for
    `/questions/123/old-words`), or that directory where it names one item by its id (`/story/12345` for
    `/story/12345/old-title`): where a site that rewrites or ignores slugs sends any name in it."""
    if _site(cited) != _site(place):
        return False
    content = _content_segments(cited)
    directory = content[:-1]
    if not directory:
        return False  # a page at the root: its sibling's name replaces all of it, no slug is left
    segments = _content_segments(place)
    if segments == directory:
        return bool(_ARTICLE_ID.search(directory[-1]))
    return len(segments) == len(content) and segments[:-1] == directory


def _names_article(cited: str, canonical: str) -> bool:
    """A canonical URL that names a page of its own: not a home, a language root or a section above the
    cited page (a stand-in page's canonical is one of those, when it declares one)."""
    if _site(cited) != _site(canonical) or not is_deep(canonical):
        return False
    content, named = _content_segments(cited), _content_segments(canonical)
    above = len(named) < len(content) and content[: len(named)] == named
    return not above or bool(_ARTICLE_ID.search(named[-1]))


def _alias(evidence: Evidence, soft: SoftEvidence) -> bool:
    """The random sibling got the cited page itself, under another name: its redirects ended at the
    page (or where the page's own redirects end) in the page's directory, or both pages declare the
    same canonical URL naming an article. A site that routes by an id and treats the rest of the path
    as decoration (Stack Overflow's `/questions/123/any-words`, Reddit's comment pages, `…/dp/ID/ref=…`)
    answers any sibling so; that is not a stand-in for missing pages. Not-found wording overrules it."""
    if not _sibling_succeeded(soft) or soft.wording is not None or soft.sibling_wording is not None:
        return False
    own = evidence.final_url or evidence.url
    sibling_final = soft.sibling_final_url
    if (
        sibling_final
        and sibling_final != soft.sibling_url
        and _canonical(sibling_final) == _canonical(own)
        and _page_of(evidence.url, own)
    ):
        return True
    return (
        soft.canonical is not None
        and soft.sibling_canonical is not None
        and _canonical(soft.canonical) == _canonical(soft.sibling_canonical)
        and _names_article(evidence.url, soft.canonical)
    )


def _soft_404(evidence: Evidence, soft: SoftEvidence) -> bool:
    if _alias(evidence, soft):
        return False
    if _same_place(evidence, soft):
        return True
    if _sibling_succeeded(soft):
        if soft.words < MIN_WORDS and not soft.wording:
            return False  # an app shell: every path serves it, and it says nothing
        similarity = soft.similarity or 0.0
        if similarity >= SIMILAR:
            return True
        # Not-found wording, or the sibling's very title (articles have titles of their own; a site's
        # stand-in page has one title for every URL), make a looser likeness enough.
        same_title = soft.title is not None and soft.title == soft.sibling_title
        if (soft.wording or same_title) and similarity >= SIMILAR_WITH_WORDING:
            return True
    return soft.wording is not None and soft.words < SHORT_PAGE


def refine(evidence: Evidence, judgement: Judgement) -> Judgement:
    """`judgement` made soft when the soft evidence says the page is not the one cited; else unchanged."""
    soft = evidence.soft
    if soft is None:
        return judgement
    if _parking_hop(evidence) is not None:
        return Judgement(Verdict.USURPED, PARKED_DOMAIN)
    if not _answered(judgement):
        return judgement
    if _parking_marker(soft) is not None:
        return Judgement(Verdict.USURPED, PARKED_DOMAIN)
    if not is_deep(evidence.url):
        return judgement  # a site's home page is what it is
    if _home_kind(evidence, soft) is not None:
        return Judgement(Verdict.SOFT_DEAD, REDIRECT_TO_HOME)
    if _soft_404(evidence, soft):
        return Judgement(Verdict.SOFT_DEAD, SOFT_404)
    return judgement


def needs_sibling(evidence: Evidence, judgement: Judgement) -> bool:
    """Whether to ask for a random sibling, given the verdict before soft rot: the page answered, is a
    deep link, and neither a parking service nor a redirect home decided it already. A page that says
    "not found" gets one too: wording supports the sibling's evidence, it does not replace it. Not for
    a cited archived copy: its "directory" is a capture time, and a random name there is a lookup in
    the archive, not a page of a site."""
    soft = evidence.soft
    if soft is None or not _answered(judgement) or not is_deep(evidence.url):
        return False
    if recognize(evidence.url) is not None:
        return False
    if _parking_hop(evidence) is not None or _parking_marker(soft) is not None:
        return False
    return _home_kind(evidence, soft) is None


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _counted_requests(number: int) -> str:
    return f"{number} extra request" + ("" if number == 1 else "s")


def _sibling_note(soft: SoftEvidence) -> str:
    if soft.sibling_url is None:
        return ""
    cost = "shared with its directory" if soft.sibling_shared else _counted_requests(soft.sibling_requests)
    return f" ({cost})"


def explain(evidence: Evidence, judgement: Judgement) -> str | None:
    """Why a soft verdict, in one line with its evidence; None for a verdict that is not soft."""
    soft = evidence.soft
    if soft is None or judgement.verdict not in (Verdict.SOFT_DEAD, Verdict.USURPED):
        return None
    if judgement.reason == PARKED_DOMAIN:
        hop = _parking_hop(evidence)
        if hop is not None:
            return f"parked: redirected to the parking service {hop[0]} ({_short(hop[1])})"
        marker = _parking_marker(soft) or "?"
        kind, _, value = marker.partition(":")
        what = f"loads {value}" if kind == "resource" else f"says “{value}”"
        if _similar_to_sibling(soft):
            what += f"; a random sibling got the same page (similarity {soft.similarity:.2f})"
        return f"parked: the page {what}"
    if judgement.reason == REDIRECT_TO_HOME:
        where = _home_kind(evidence, soft) or "?"
        return f"a deep link redirected to {where}: {_short(evidence.final_url or '')}"
    parts: list[str] = []
    if soft.sibling_url is not None:
        if _same_place(evidence, soft):
            seen = f"ends at the same place, {_short(soft.sibling_final_url or '')}"
        elif soft.sibling_status is not None:
            seen = f"answered {soft.sibling_status}"
            if soft.similarity is not None:
                seen += f" with a page {soft.similarity:.0%} alike"
        else:
            seen = f"failed ({soft.sibling_error.value if soft.sibling_error else 'no answer'})"
        parts.append(f"a random sibling {_short(soft.sibling_url, 70)} {seen}{_sibling_note(soft)}")
    if soft.wording:
        parts.append(f"the page says “{soft.wording}”")
    return "soft 404: " + "; ".join(parts) if parts else "soft 404"
