"""Checking the URLs that findings suggest, so a report can say "as published: dead; as intended: live".

`suggestion_items` makes a check item for each suggested URL that no article cites: it is probed like any
other URL but is no citation, so `with_suggestion_checks` leaves its result out of the report after putting
each suggestion's judgement into the findings that named it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from linkaudit.check import CheckItem
from linkaudit.models import Judgement, Occurrence, TargetStatus, UrlResult
from linkaudit.urls import normalize

__all__ = ["suggestion_items", "with_suggestion_checks"]


def suggestion_items(items: Sequence[CheckItem]) -> list[CheckItem]:
    """A check item (with no citations) for each suggested URL that is not checked already."""
    checked = {item.target.url for item in items}
    extra: list[CheckItem] = []
    for item in items:
        for occ in item.occurrences:
            for finding in occ.findings:
                if finding.suggestion is None:
                    continue
                target = normalize(finding.suggestion)
                if target.status is TargetStatus.OK and target.url not in checked:
                    checked.add(target.url)
                    extra.append(CheckItem(dataclasses.replace(target, fragment=None), ()))
    return extra


def _with_checks(occ: Occurrence, judgements: dict[str, Judgement]) -> Occurrence:
    findings = tuple(
        dataclasses.replace(finding, suggestion_check=judgements.get(normalize(finding.suggestion).url))
        if finding.suggestion is not None
        else finding
        for finding in occ.findings
    )
    return dataclasses.replace(occ, findings=findings)


def with_suggestion_checks(results: Sequence[UrlResult]) -> list[UrlResult]:
    """The results of citations, their findings holding the judgements of the URLs they suggest."""
    judgements = {result.target.url: result.judgement for result in results if result.target.fragment is None}
    out: list[UrlResult] = []
    for result in results:
        if not result.occurrences:
            continue  # a suggested URL's own check: no article cites it
        if any(occ.findings for occ in result.occurrences):
            occurrences = tuple(
                _with_checks(occ, judgements) if occ.findings else occ for occ in result.occurrences
            )
            out.append(dataclasses.replace(result, occurrences=occurrences))
        else:
            out.append(result)
    return out
