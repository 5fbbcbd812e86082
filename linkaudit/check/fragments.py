"""Whether a `#fragment` lands: the anchors of a local file or a fetched page, and a verdict per fragment.

Local Markdown files are judged as GitHub shows them (heading slugs and raw HTML's ids and names, in any
case — GitHub's script matches `#Intro` to `#intro`); local HTML files and web pages as a browser does
(ids and `<a name>`s, exact case). On code hosts (github.com, gitlab.com, …) rendered Markdown's anchors
are prefixed `user-content-` and found by script in any case: they are matched the same way.

The page is probed once; a fragment it lacks is split from the page's result into a result of its own:
dead, `fragment-missing`, with the closest anchor as a hint. Never checked, because every page has them
or a script makes them: the empty fragment and `#top`, text fragments (`#:~:text=…`: only what comes
before `:~:` names an anchor), client-side routes (`#/…`, `#!…`), and `#L10`-style line anchors in
Markdown files and on code hosts. A page whose anchors may be incomplete (its body cut at `max_body`, or
no ids at all, as in pages built by script) proves nothing missing: its citations stay with the page.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from linkaudit.extract.anchors import html_anchors, markdown_anchors
from linkaudit.extract.document import DEFAULT_MAX_FILE_SIZE, ExtractError, read_document
from linkaudit.models import Anchors, Evidence, Judgement, Occurrence, UrlResult, Verdict

__all__ = [
    "CODE_HOSTS",
    "LocalAnchors",
    "closest_anchor",
    "fragment_name",
    "has_anchor",
    "page_anchors",
    "split_by_fragment",
    "wants_anchors",
]

#: Hosts whose pages show rendered Markdown with `user-content-` ids and make line anchors by script.
CODE_HOSTS = frozenset({"github.com", "gist.github.com", "gitlab.com", "codeberg.org", "bitbucket.org"})
_MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdx", ".mkd", ".mdown"})
_HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_LINE_ANCHOR = re.compile(r"L\d+(?:C\d+)?(?:-L\d+(?:C\d+)?)?")
_USER_CONTENT_PREFIX = "user-content-"
_USER_CONTENT = re.compile(r"user-content-([^\"'\\\s<>&]+)")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_LIVE = frozenset({Verdict.LIVE, Verdict.REDIRECTED})


def fragment_name(fragment: str | None) -> str | None:
    """The anchor name a (percent-encoded) fragment asks for, or None when there is nothing to check."""
    if fragment is None:
        return None
    name = fragment.split(":~:", 1)[0]  # the fragment directive (text fragments) names no anchor
    if not name or name[0] in "/!" or name.lower() == "top":
        return None
    return name


def wants_anchors(occurrences: Iterable[Occurrence]) -> bool:
    """Whether any of these citations has a fragment to check."""
    return any(fragment_name(occ.target.fragment) is not None for occ in occurrences)


def _forms(anchors: Anchors, name: str) -> list[str]:
    """The name as written and percent-decoded (ids are matched decoded, as browsers do)."""
    forms = [name, unquote(name, errors="replace")] if "%" in name else [name]
    if anchors.code_host:
        forms = [form.lower().removeprefix(_USER_CONTENT_PREFIX) for form in forms]
    return forms


def has_anchor(anchors: Anchors, name: str) -> bool:
    """Whether `#name` lands in a document with these anchors."""
    if anchors.code_host and _LINE_ANCHOR.fullmatch(name):
        return True
    return any(form in anchors.names for form in _forms(anchors, name))


def closest_anchor(anchors: Anchors, name: str) -> str | None:
    """The existing anchor most like `name` (a typo, a renamed heading), if any is close."""
    wanted = _forms(anchors, name)[-1]
    # Ids match in exact case: "#Intro" for id="intro" is the likeliest slip, and difflib weighs case.
    same_but_case = sorted(anchor for anchor in anchors.names if anchor.lower() == wanted.lower())
    if same_but_case:
        return same_but_case[0]
    close = difflib.get_close_matches(wanted, anchors.names, n=1, cutoff=0.6)
    return close[0] if close else None


def split_by_fragment(result: UrlResult) -> list[UrlResult]:
    """The page's result for its citations that land, and one dead result per fragment the page lacks.

    The page's result is left out when none of its citations is left; a result without anchors (not
    asked for, not a page we can read) is returned as it is.
    """
    evidence = result.evidence
    anchors = evidence.anchors if evidence is not None else None
    if evidence is None or anchors is None or not anchors.complete or result.judgement.verdict not in _LIVE:
        return [result]
    kept: list[Occurrence] = []
    missing: dict[str, list[Occurrence]] = {}
    for occ in result.occurrences:
        fragment = occ.target.fragment
        name = fragment_name(fragment)
        if fragment is None or name is None or has_anchor(anchors, name):
            kept.append(occ)
        else:
            missing.setdefault(fragment, []).append(occ)
    if not missing:
        return [result]
    results = [dataclasses.replace(result, occurrences=tuple(kept))] if kept else []
    for fragment, occurrences in missing.items():
        hint = closest_anchor(anchors, fragment_name(fragment) or fragment)
        if hint is not None:
            detail = f"closest: #{hint}"
        else:
            detail = "no such anchor" if anchors.names else "the page has no anchors"
        results.append(
            UrlResult(
                dataclasses.replace(result.target, fragment=fragment),
                Judgement(Verdict.DEAD, "fragment-missing"),
                dataclasses.replace(evidence, detail=detail),
                tuple(occurrences),
            )
        )
    return results


def _local_anchors(path: Path, max_size: int) -> Anchors | None:
    suffix = path.suffix.lower()
    if suffix not in _MARKDOWN_SUFFIXES and suffix not in _HTML_SUFFIXES:
        return None  # a PDF's "#page=3", an image's media fragment: not ours to judge
    try:
        text = read_document(path, str(path), max_size).text
        if suffix in _HTML_SUFFIXES:
            return Anchors(frozenset(html_anchors(text)))
        names = frozenset(name.lower().removeprefix(_USER_CONTENT_PREFIX) for name in markdown_anchors(text))
    except (ExtractError, RecursionError, ValueError):
        return None
    return Anchors(names, code_host=True)


class LocalAnchors:
    """The anchors of local files, each read and parsed once per run (many citations name one index page)."""

    def __init__(self, max_size: int = DEFAULT_MAX_FILE_SIZE) -> None:
        self.max_size = max_size
        self._cache: dict[Path, Anchors | None] = {}

    def of(self, path: Path) -> Anchors | None:
        """The anchors of a Markdown or HTML file; None for other files and files that cannot be read."""
        if path not in self._cache:
            self._cache[path] = _local_anchors(path, self.max_size)
        return self._cache[path]


def _decode(content_type: str, body: bytes) -> str:
    charset = ""
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'")
    if not charset:
        meta = _META_CHARSET.search(body[:2048])
        charset = meta.group(1).decode("ascii") if meta is not None else "utf-8"
    try:
        return body.decode(charset, errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def page_anchors(evidence: Evidence, body: bytes | None, limit: int) -> Anchors | None:
    """The anchors of a fetched page (a 2xx HTML answer whose body, up to `limit` bytes, we read)."""
    content_type = evidence.content_type or ""
    media = content_type.split(";")[0].strip().lower()
    status = evidence.status
    if evidence.error is not None or status is None or not 200 <= status < 300 or not body:
        return None
    if media not in _HTML_TYPES:
        return None
    text = _decode(content_type, body)
    names = html_anchors(text)
    host = (urlsplit(evidence.final_url or evidence.url).hostname or "").removeprefix("www.")
    code_host = host in CODE_HOSTS
    if code_host:
        # Rendered Markdown also arrives inside JSON there (quotes escaped): its anchors are found by prefix.
        names += _USER_CONTENT.findall(text)
        names = [name.lower().removeprefix(_USER_CONTENT_PREFIX) for name in names]
    complete = len(body) < limit and bool(names)
    return Anchors(frozenset(names), code_host=code_host, complete=complete)
