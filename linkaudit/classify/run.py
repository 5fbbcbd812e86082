"""Judging the run as a whole: when the network, not the links, is what failed.

One URL's evidence cannot tell a dead site from a dead network. On an offline laptop or in a sandbox
every name lookup fails, and each URL alone would be `dead`; behind a captive portal every host answers
the portal's page, and each URL alone would be `dead`, `blocked` or `redirected`. Across a whole run the
pattern is plain, so this pure post-pass looks at every result together, after the check and before the
report, and when (nearly) every host failed the same way says so once (`RunDoubt`) and turns the
verdicts it cannot stand behind into `unreachable` with a reason naming the doubt.

- **No network**: at least `MIN_HOSTS` hosts, and at least `SHARE` of them never reached (name lookup or
  connection failed, or silence before any connection opened). A host that answered anything or held a
  connection open is no evidence of a dead network and counts against the share, but one or two such
  hosts do not prove a network either: a sandbox or an offline laptop often reaches a mirror, a package
  registry or a name given by `--resolve`, and nothing else.
- **Captive portal**: at least `MIN_HOSTS` unrelated hosts, and at least `SHARE` of the hosts that
  answered, all answered the same thing: byte-identical bodies (the prober's fingerprint), a redirect
  off their own site to one and the same URL, or 511 Network Authentication Required. A shared `Server`
  header proves nothing (CDNs make it common); the same page for every site does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from urllib.parse import urlsplit

from linkaudit.models import ErrorKind, Evidence, Judgement, UrlResult, Verdict

__all__ = ["MIN_HOSTS", "SHARE", "Doubt", "RunDoubt", "reconsider"]

#: Fewer hosts than this say nothing about the network (five dead links on five hosts happen).
MIN_HOSTS = 5
#: The share of hosts that must agree.
SHARE = 0.9

_NAME_ERRORS = frozenset({ErrorKind.DNS_NOT_FOUND, ErrorKind.DNS_FAILURE})
_UNREACHED_ERRORS = _NAME_ERRORS | {
    ErrorKind.CONNECTION_REFUSED,
    ErrorKind.CONNECT_ERROR,
    ErrorKind.TIMEOUT,
    ErrorKind.URL_BUDGET,
}
_NETWORK_AUTHENTICATION_REQUIRED = 511


class Doubt(StrEnum):
    """What the run as a whole suggests; the value is the reason given to the URLs concerned."""

    NETWORK_DOWN = "network-down-suspected"
    CAPTIVE_PORTAL = "captive-portal-suspected"


@dataclass(frozen=True, slots=True)
class RunDoubt:
    """A doubt about the whole run: which, one line for the user, and how many hosts and URLs it covers."""

    doubt: Doubt
    message: str
    hosts: int
    urls: int


def _answered(evidence: Evidence) -> bool:
    """The host said something, or at least held a connection open: the network works."""
    return evidence.status is not None or any(
        attempt.status is not None or attempt.connected for attempt in evidence.attempts
    )


def _unreached(evidence: Evidence) -> bool:
    """Nothing got through to the host: no name, no connection, silence before any connection."""
    return evidence.error in _UNREACHED_ERRORS and not _answered(evidence)


def _site(host: str) -> str:
    """Hosts of one site count once: `www.a.example` and `a.example` are not unrelated."""
    return host.removeprefix("www.")


def _hostname(url: str) -> str:
    return _site((urlsplit(url).hostname or "").lower())


def _checked(results: Sequence[UrlResult]) -> dict[str, list[tuple[int, Evidence]]]:
    """Index and evidence of every probed web URL, by site."""
    by_site: dict[str, list[tuple[int, Evidence]]] = defaultdict(list)
    for index, result in enumerate(results):
        if result.evidence is not None and result.target.is_http:
            by_site[_site(result.target.host)].append((index, result.evidence))
    return by_site


def _network_down(by_site: dict[str, list[tuple[int, Evidence]]]) -> tuple[RunDoubt, list[int]] | None:
    if len(by_site) < MIN_HOSTS:
        return None
    unreached = {
        site: entries
        for site, entries in by_site.items()
        if all(_unreached(evidence) for _, evidence in entries)
    }
    if len(unreached) < SHARE * len(by_site):
        return None
    indexes = [index for entries in unreached.values() for index, _ in entries]
    names_only = all(
        evidence.error in _NAME_ERRORS for entries in unreached.values() for _, evidence in entries
    )
    failed = "every name lookup failed" if names_only else "name lookups or connections failed"
    answered = len(by_site) - len(unreached)
    others = "none answered" if not answered else f"only {answered} answered"
    message = (
        f"no network? {failed} for {len(unreached)} of {len(by_site)} hosts and {others}: "
        f"their {len(indexes)} URLs are reported unreachable ({Doubt.NETWORK_DOWN}), not dead"
    )
    return RunDoubt(Doubt.NETWORK_DOWN, message, len(unreached), len(indexes)), indexes


def _marks(site: str, evidence: Evidence) -> list[tuple[str, str]]:
    """What a portal's answers have in common, whatever site was asked for."""
    marks: list[tuple[str, str]] = []
    if evidence.fingerprint is not None:
        marks.append(("the same page", evidence.fingerprint))
    final = evidence.final_url
    if evidence.redirects and final and _hostname(final) != _hostname(f"//{site}"):
        marks.append(("a redirect to", final))
    if evidence.status == _NETWORK_AUTHENTICATION_REQUIRED:
        marks.append(("511 Network Authentication Required", ""))
    return marks


def _captive_portal(by_site: dict[str, list[tuple[int, Evidence]]]) -> tuple[RunDoubt, list[int]] | None:
    answering = [site for site, entries in by_site.items() if any(_answered(ev) for _, ev in entries)]
    if len(answering) < MIN_HOSTS:
        return None
    carriers: dict[tuple[str, str], set[str]] = defaultdict(set)
    for site in answering:
        # A portal answers every URL of a site alike: a mark only some of them carry (one dead link's
        # stock 404 page among live pages) says nothing about the network.
        answers = [set(_marks(site, evidence)) for _, evidence in by_site[site] if _answered(evidence)]
        for mark in set.intersection(*answers):
            carriers[mark].add(site)
    if not carriers:
        return None
    # On a tie (pages read with GET carry both the portal's page and the redirect to it), the redirect:
    # it names the portal, and the choice must not follow set order.
    mark, sites = max(
        carriers.items(), key=lambda entry: (len(entry[1]), entry[0][0] == "a redirect to", entry[0])
    )
    if len(sites) < MIN_HOSTS or len(sites) < SHARE * len(answering):
        return None
    indexes = [index for site in sites for index, evidence in by_site[site] if mark in _marks(site, evidence)]
    what, value = mark
    shown = f"{what} {value}" if what == "a redirect to" else what
    message = (
        f"captive portal? {len(sites)} of {len(answering)} hosts that answered sent {shown}: "
        f"their {len(indexes)} URLs are reported unreachable ({Doubt.CAPTIVE_PORTAL}); "
        "sign in to the network and run again"
    )
    return RunDoubt(Doubt.CAPTIVE_PORTAL, message, len(sites), len(indexes)), indexes


def reconsider(results: Sequence[UrlResult]) -> tuple[list[UrlResult], RunDoubt | None]:
    """The results, with the verdicts a run-wide doubt undermines made `unreachable`, and the doubt."""
    by_site = _checked(results)
    found = _network_down(by_site) or _captive_portal(by_site)
    if found is None:
        return list(results), None
    doubt, indexes = found
    revised = list(results)
    judgement = Judgement(Verdict.UNREACHABLE, doubt.doubt.value)
    for index in indexes:
        revised[index] = replace(revised[index], judgement=judgement)
    return revised, doubt
