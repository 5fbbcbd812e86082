"""Hygiene findings: flaws in how a citation is written, found from what extraction saw, whatever the verdict.

`add_findings` attaches them to the occurrences they concern (most have none), like `mark_templates`
marks templates. Each kind is one function of an occurrence, listed in `_FINDERS` with the link kinds it
looks at (an archive has 333,000 citations: the others are passed over at the cost of a set lookup); a
URL cited again in one article is found per article (`linkaudit.extract.hygiene`). A finding that names
the URL the citation should have (`suggestion`) has that URL checked too (`linkaudit.check.suggestions`).
"""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Callable, Sequence

from linkaudit.extract import SourceFormat
from linkaudit.extract.bare import intended_url, with_scheme
from linkaudit.extract.hygiene import duplicates_in_article, shortener, text_url_mismatch, tracking_params
from linkaudit.extract.markers import DISABLED_INLINE
from linkaudit.models import Finding, FindingKind, LinkKind, Occurrence

__all__ = ["add_findings", "findings_of"]

_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


def _escaped_bare_url(occ: Occurrence) -> Finding | None:
    """A bare URL in Markdown with escapes or entities: GitHub links it as written (`%5C`, `&amp;`)."""
    if occ.kind is not LinkKind.BARE or ("\\" not in occ.raw and "&" not in occ.raw):
        return None
    if SourceFormat.for_path(occ.file) is not SourceFormat.MARKDOWN:
        return None  # in plain text a backslash or "&amp;" is meant as written
    intended = intended_url(occ.raw)
    if intended is None:
        return None
    fixes = []
    if intended.count("\\") < occ.raw.count("\\"):
        fixes.append("remove the backslash")
    entity = _ENTITY.search(occ.raw)
    if entity is not None:
        fixes.append(f'write "{html.unescape(entity.group(0))}" for "{entity.group(0)}"')
    return Finding(FindingKind.ESCAPED_BARE_URL, " and ".join(fixes), with_scheme(intended))


_CITED = frozenset(LinkKind) - {LinkKind.TEXT_URL}
_FINDERS: tuple[tuple[frozenset[LinkKind], Callable[[Occurrence], Finding | None]], ...] = (
    (frozenset({LinkKind.BARE}), _escaped_bare_url),
    (frozenset({LinkKind.LINK, LinkKind.REFERENCE, LinkKind.HTML_LINK}), text_url_mismatch),
    (_CITED, shortener),
    (_CITED, tracking_params),
)
_LOOKED_AT = frozenset(kind for kinds, _ in _FINDERS for kind in kinds)


def findings_of(occ: Occurrence) -> tuple[Finding, ...]:
    """Every hygiene finding about one citation."""
    found = (finder(occ) for kinds, finder in _FINDERS if occ.kind in kinds)
    return tuple(finding for finding in found if finding is not None)


def add_findings(occurrences: Sequence[Occurrence]) -> tuple[Occurrence, ...]:
    """The occurrences, each with its findings (the same objects where there are none)."""
    out: list[Occurrence] = []
    by_file: dict[str, list[int]] = {}
    for i, occ in enumerate(occurrences):
        # A citation an inline marker disabled is left alone: no finding, no suggested URL to check.
        looked_at = occ.kind in _LOOKED_AT and occ.target.reason != DISABLED_INLINE
        findings = findings_of(occ) if looked_at else ()
        out.append(dataclasses.replace(occ, findings=findings) if findings else occ)
        if occ.target.reason != DISABLED_INLINE:
            by_file.setdefault(occ.file, []).append(i)
    for indexes in by_file.values():
        if len(indexes) < 2:
            continue
        article = [occurrences[i] for i in indexes]
        for at, finding in duplicates_in_article(article).items():
            i = indexes[at]
            out[i] = dataclasses.replace(out[i], findings=(*out[i].findings, finding))
    return tuple(out)
