"""Gathering the evidence of soft rot: the page as read, and one random sibling per host and directory.

A page that answered is read (`linkaudit.check.pagetext`): title, not-found wording, parking marks, main
text. When that cannot decide (`classify.soft.needs_sibling`), the checker asks its host for a sibling
that cannot exist, 25 random letters in the page's directory (`/news/2019/qhzk…xw.html` beside
`/news/2019/story.html`), and compares. That probe is made once per host and directory in a run,
through the host's politeness gate like any request, and shared by every URL of the directory: the
first URL makes it, the others wait for it. The decision is `linkaudit.classify.soft.refine`'s.
"""

from __future__ import annotations

import dataclasses
import secrets
import string
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import trio

from linkaudit.check.pagetext import PageText, looks_like_html, read_page, similarity
from linkaudit.check.probe import Prober
from linkaudit.classify import judge
from linkaudit.classify.soft import needs_sibling
from linkaudit.models import ErrorKind, Evidence, SoftEvidence

__all__ = ["SIBLING_LETTERS", "SoftExaminer", "sibling_of"]

#: Letters in a sibling's name: 26^25 names, none of which a real site has.
SIBLING_LETTERS = 25
_EXTENSION_LIMIT = 6


def sibling_of(url: str, name: str) -> tuple[tuple[str, str], str]:
    """The (origin, directory shape) key of `url` and the URL of its sibling called `name`, shaped like it.

    `/a/b/story.html` → `/a/b/NAME.html`; `/a/b/story/` → `/a/b/NAME/`; the query is dropped.
    """
    parts = urlsplit(url)
    path = parts.path or "/"
    slash = path.endswith("/") and path != "/"
    stem = path[:-1] if slash else path
    directory, _, last = stem.rpartition("/")
    directory += "/"
    dot = last.rfind(".")
    extension = last[dot:] if dot > 0 and len(last) - dot <= _EXTENSION_LIMIT else ""
    sibling_path = directory + name + ("/" if slash else extension)
    origin = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
    # Segments with digits (dates, issue numbers) vary, not the handler behind them: `/c/2021-12-31/` and
    # `/c/2022-01-03/` of a news site are one directory here, so a daily archive costs one probe, not one
    # per day.
    shape = "/".join(
        "*" if any(c.isdigit() for c in segment) else segment for segment in directory.split("/")
    )
    return (origin, shape), urlunsplit((parts.scheme, parts.netloc, sibling_path, "", ""))


def _random_name() -> str:
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(SIBLING_LETTERS))


@dataclass(frozen=True, slots=True)
class _Sibling:
    """How a sibling answered, as every URL of its directory compares with it."""

    url: str
    status: int | None
    final_url: str | None
    error: ErrorKind | None
    shingles: frozenset[int] | None  # None: not an HTML page that answered
    wording: str | None
    requests: int
    title: str | None = None
    canonical: str | None = None


class _Slot:
    def __init__(self) -> None:
        self.done = trio.Event()
        self.sibling: _Sibling | None = None


class SoftExaminer:
    """One run's soft-rot examination: reads pages, probes and remembers one sibling per directory."""

    def __init__(self, prober: Prober) -> None:
        self.prober = prober
        self._slots: dict[tuple[str, str], _Slot] = {}
        self.probes = 0  # siblings asked for in this run
        self.requests = 0  # the requests they took

    async def examine(self, evidence: Evidence, body: bytes | None, *, wants_image: bool) -> Evidence:
        """`evidence` with its `soft` part, when soft rot can apply: an answer, or a redirect (to a
        parking service, say) that led to a failure."""
        answered = evidence.status is not None and 200 <= evidence.status < 300
        if not answered:
            return dataclasses.replace(evidence, soft=SoftEvidence()) if evidence.redirects else evidence
        html = not wants_image and body is not None and looks_like_html(evidence.content_type, body)
        if not html or body is None:
            return dataclasses.replace(evidence, soft=SoftEvidence())
        page = read_page(body, evidence.content_type)
        soft = SoftEvidence(
            title=page.title or None,
            wording=page.wording(),
            markers=page.markers(),
            words=page.words,
            login_form=page.login_form,
            canonical=absolute_canonical(page.canonical, evidence.final_url or evidence.url),
        )
        plain = judge(evidence, wants_image=wants_image)  # the verdict before soft rot (no soft part yet)
        evidence = dataclasses.replace(evidence, soft=soft)
        if not needs_sibling(evidence, plain):
            return evidence
        sibling, shared = await self._sibling(evidence.url)
        return dataclasses.replace(evidence, soft=_compared(soft, page, sibling, shared))

    async def _sibling(self, url: str) -> tuple[_Sibling, bool]:
        key, sibling_url = sibling_of(url, _random_name())
        slot = self._slots.get(key)
        if slot is not None:
            await slot.done.wait()
            assert slot.sibling is not None
            return slot.sibling, True
        slot = self._slots[key] = _Slot()
        try:
            slot.sibling = await self._probe_sibling(sibling_url)
        except Exception:  # a failure is data, here as everywhere in the checker
            slot.sibling = _Sibling(sibling_url, None, None, ErrorKind.OTHER, None, None, 0)
        finally:
            if slot.sibling is None:  # cancelled: whoever waits must not wait forever
                slot.sibling = _Sibling(sibling_url, None, None, ErrorKind.OTHER, None, None, 0)
            slot.done.set()
        return slot.sibling, False

    async def _probe_sibling(self, url: str) -> _Sibling:
        evidence, body = await self.prober.probe_page(url, wants_body=True)
        requests = len(evidence.attempts) + evidence.attempts_omitted
        self.probes += 1
        self.requests += requests
        shingles = wording = title = canonical = None
        status = evidence.status
        if (
            status is not None
            and 200 <= status < 300
            and body
            and looks_like_html(evidence.content_type, body)
        ):
            page = read_page(body, evidence.content_type)
            shingles, wording, title = page.shingles(), page.wording(), page.title or None
            canonical = absolute_canonical(page.canonical, evidence.final_url or url)
        return _Sibling(
            url, status, evidence.final_url, evidence.error, shingles, wording, requests, title, canonical
        )


def absolute_canonical(href: str, base: str) -> str | None:
    """A page's canonical link as an absolute http(s) URL (None: none, or not one)."""
    if not href:
        return None
    try:
        url = urljoin(base, href)
    except ValueError:
        return None
    return url if url.lower().startswith(("http://", "https://")) else None


def _compared(soft: SoftEvidence, page: PageText, sibling: _Sibling, shared: bool) -> SoftEvidence:
    alike = None
    if sibling.shingles is not None:
        alike = round(similarity(page.shingles(), sibling.shingles), 3)
    return dataclasses.replace(
        soft,
        sibling_url=sibling.url,
        sibling_status=sibling.status,
        sibling_final_url=sibling.final_url,
        sibling_error=sibling.error,
        sibling_wording=sibling.wording,
        similarity=alike,
        sibling_requests=0 if shared else sibling.requests,
        sibling_shared=shared,
        sibling_title=sibling.title,
        sibling_canonical=sibling.canonical,
    )
