"""The hygiene findings that need the network, completed once the cited URLs are checked.

`https-available`: for each host cited over http:// that answered, ONE of its cited paths (one that
answered well, else the most cited) is asked over https:// — one request per host, not per URL, made
through the same `HostGate`s as the check (so it is spaced from the host's other requests, and a host
given up on is not asked), with no retries: a hint is not worth a second request. If it answers (live,
or redirected to an https:// page of the same host, `www.` aside), every http:// citation of the host
gets the finding, suggesting its https:// form. A host whose https:// form is itself cited needs no
probe; a parked host (`usurped`) gets none.

`shortener`: the check followed the shortener's redirects; the finding records where they ended
(`suggestion`), or says that they could not be followed.

Neither changes a verdict, and the probes are no citations: their results stay out of the report.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from linkaudit.check import CheckItem
from linkaudit.models import Finding, FindingKind, LinkKind, Occurrence, UrlResult, Verdict
from linkaudit.settings import CheckSettings
from linkaudit.urls import normalize

__all__ = ["HttpsProbes", "https_probes", "probe_settings", "with_network_findings"]

_ANSWERED_WELL = frozenset({Verdict.LIVE, Verdict.REDIRECTED})


@dataclass(frozen=True, slots=True)
class HttpsProbes:
    """The https:// URL asked for each host (`chosen`), and the check items of those not cited already."""

    chosen: Mapping[str, str]
    items: tuple[CheckItem, ...]


def _https_form(url: str) -> str:
    return "https://" + url[len("http://") :]


def https_probes(results: Sequence[UrlResult]) -> HttpsProbes:
    """One https:// URL per host cited over http:// that answered over http (a host that did not says
    nothing either way). Hosts with an explicit port are left out: one port speaks one protocol."""
    best: dict[str, UrlResult] = {}

    def rank(result: UrlResult) -> tuple[bool, int, str]:
        return (result.judgement.verdict not in _ANSWERED_WELL, -len(result.occurrences), result.target.url)

    cited: set[str] = set()
    # A parked domain's https answer is the parking service's: no hint to cite it over https.
    parked = {result.target.host for result in results if result.judgement.verdict is Verdict.USURPED}
    for result in results:
        target = result.target
        if target.fragment is not None:
            continue
        cited.add(target.url)
        evidence = result.evidence
        if (
            target.scheme != "http"
            or not target.is_http
            or ":" in target.host
            or not result.occurrences
            or evidence is None
            or evidence.status is None
            or target.host in parked
        ):
            continue
        known = best.get(target.host)
        if known is None or rank(result) < rank(known):
            best[target.host] = result
    chosen = {host: _https_form(result.target.url) for host, result in best.items()}
    items = tuple(CheckItem(normalize(url), ()) for url in sorted(set(chosen.values()) - cited))
    return HttpsProbes(chosen, items)


def probe_settings(settings: CheckSettings) -> CheckSettings:
    """The check's settings for the https probes: one request each (a HEAD; a GET where HEAD is refused),
    and no soft-rot reading (no page body, no random sibling): whether https answers is all it asks."""
    return dataclasses.replace(settings, retries=0, rate_limit_retries=0, check_fragments=False, soft=False)


def _bare_host(host: str) -> str:
    return host.removeprefix("www.")


def _answers_https(result: UrlResult | None) -> bool:
    """Whether the https:// probe ended on an https:// page of the host asked (`www.` aside): a redirect
    to another host (a parking or sign-in service, a new owner) says nothing about this one's https."""
    if result is None or result.evidence is None or result.judgement.verdict not in _ANSWERED_WELL:
        return False
    final = normalize(result.evidence.final_url or result.target.url)
    return final.scheme == "https" and _bare_host(final.host) == _bare_host(result.target.host)


def _with_https(result: UrlResult, available: Mapping[str, str]) -> tuple[Occurrence, ...]:
    """The result's citations, each with `https-available` (its own fragment kept) if its host has it."""
    target = result.target
    if target.scheme != "http" or target.host not in available:
        return result.occurrences
    detail = f"its host answers over https too (asked: {available[target.host]}): cite https://"
    https = _https_form(target.url)
    return tuple(
        occ
        if occ.kind is LinkKind.TEXT_URL
        else dataclasses.replace(
            occ,
            findings=(
                *occ.findings,
                Finding(
                    FindingKind.HTTPS_AVAILABLE,
                    detail,
                    https if occ.target.fragment is None else f"{https}#{occ.target.fragment}",
                ),
            ),
        )
        for occ in result.occurrences
    )


def _resolved(result: UrlResult, occ: Occurrence) -> Occurrence:
    """The occurrence with its shortener finding saying where the shortener leads (or that it did not)."""
    evidence = result.evidence
    final = evidence.final_url if evidence is not None and evidence.redirects else None
    host = result.target.host
    if final is not None and final != result.target.url:
        detail, suggestion = f"a link shortener ({host}): cite where it leads", final
    else:
        detail, suggestion = f"a link shortener ({host}) that led nowhere ({result.judgement.reason})", None
    findings = [
        dataclasses.replace(finding, detail=detail, suggestion=suggestion)
        if finding.kind is FindingKind.SHORTENER and finding.suggestion is None
        else finding
        for finding in occ.findings
    ]
    return dataclasses.replace(occ, findings=tuple(findings))


def with_network_findings(
    results: Sequence[UrlResult], probes: HttpsProbes, probed: Sequence[UrlResult]
) -> list[UrlResult]:
    """The results, their citations given `https-available` where the probe of their host answered, and
    their shortener findings the destination the check reached."""
    judged = {result.target.url: result for result in (*results, *probed) if result.target.fragment is None}
    available = {host: url for host, url in probes.chosen.items() if _answers_https(judged.get(url))}
    out: list[UrlResult] = []
    for result in results:
        occurrences = _with_https(result, available)
        if any(f.kind is FindingKind.SHORTENER for occ in occurrences for f in occ.findings):
            occurrences = tuple(_resolved(result, occ) if occ.findings else occ for occ in occurrences)
        out.append(
            result
            if occurrences is result.occurrences
            else dataclasses.replace(result, occurrences=occurrences)
        )
    return out
