"""One check run's use of the history: reuse fresh results, record new ones, count failures over time.

`audit` calls three methods, in order: `reuse` before the check (fresh stored results stand in for a
probe, judged again from their evidence under today's rules, so a new `--accept` changes them), `record`
for each result as it arrives (committed at once, or soon after when another run holds the store: a
killed run keeps what it checked), `annotate` at the end (a `HistoryNote` on every result: reused or not
and, for a failing URL, its streak and whether `--confirm` is met). Without a store, nothing is reused or
kept and a failure's streak is this run alone.

Not kept: what a probe did not learn about the URL itself (an address the private-network guard refused,
a proxy that failed): under other settings, or another day, it says nothing.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from linkaudit.classify import judge
from linkaudit.models import ErrorKind, Evidence, HistoryNote, UrlResult, Verdict
from linkaudit.settings import CheckSettings
from linkaudit.store.checks import CheckLog, StoredCheck
from linkaudit.store.db import Store
from linkaudit.store.policy import HistoryPolicy, Streak, failure_streak, iso

if TYPE_CHECKING:
    from linkaudit.check import CheckItem

__all__ = ["RunHistory"]

_NOT_ABOUT_THE_URL = frozenset({ErrorKind.BLOCKED_ADDRESS, ErrorKind.PROXY_ERROR})
_NOT_FAILING = HistoryNote()
_REUSED = HistoryNote(reused=True)


class RunHistory:
    """The history side of one check run (see the module docstring for the order of calls)."""

    def __init__(
        self, store: Store | None, settings: CheckSettings, policy: HistoryPolicy | None = None
    ) -> None:
        self.store = store
        self.settings = settings
        self.policy = policy or HistoryPolicy()
        # A result waits at most a quarter second for the store: the check's event loop must not stall.
        self.log = CheckLog(store, patience=0.25) if store is not None else None
        self.started = self.policy.now if self.policy.now is not None else int(time.time())
        self.run_id = store.begin_run(self.started) if store is not None else None
        self.reused = 0
        self._wants_image: dict[str, bool] = {}
        self._recorded: set[str] = set()

    def _now(self) -> int:
        return self.policy.now if self.policy.now is not None else int(time.time())

    def reuse(self, items: Sequence[CheckItem]) -> tuple[list[CheckItem], list[UrlResult]]:
        """The items still to probe, and results for the others from fresh stored checks."""
        for item in items:
            self._wants_image[item.target.url] = item.wants_image
        if self.log is None or self.policy.max_age <= 0:
            return list(items), []
        settings = self.settings
        candidates = [
            item for item in items if item.target.is_http and not settings.is_excluded(item.target.url)
        ]
        now = self._now()
        fresh = self.log.latest(
            (item.target.url for item in candidates), newer_than=now - self.policy.max_age, not_after=now
        )
        reused: list[UrlResult] = []
        usable: set[str] = set()
        for item in candidates:
            check = fresh.get(item.target.url)
            # Evidence gathered without reading the body cannot tell whether an image is still one.
            if check is None or (item.wants_image and not check.wants_image):
                continue
            accept = settings.accept_for(check.evidence.url, check.evidence.final_url)
            judgement = judge(check.evidence, wants_image=item.wants_image, accept=accept)
            reused.append(
                UrlResult(item.target, judgement, check.evidence, item.occurrences, history=_REUSED)
            )
            usable.add(item.target.url)
        self.reused = len(reused)
        return [item for item in items if item.target.url not in usable], reused

    def record(self, result: UrlResult) -> UrlResult:
        """Keep a fresh result (a probed http(s) URL) once; with `--now`, dated then.

        A page whose `#fragments` are missing comes as several results (the page's, one per missing
        fragment): the first is kept, as the page's check, its verdict judged from the page's evidence.
        """
        evidence = result.evidence
        if evidence is None or not result.target.is_http or evidence.error in _NOT_ABOUT_THE_URL:
            return result
        now = self._now()
        if self.policy.now is not None:
            evidence = dataclasses.replace(evidence, checked_at=iso(now))
            result = dataclasses.replace(result, evidence=evidence)
        url = result.target.url
        if self.log is not None and url not in self._recorded:
            self._recorded.add(url)
            wants_image = self._wants_image.get(url, False)
            judgement = result.judgement
            if result.target.fragment is not None:
                accept = self.settings.accept_for(evidence.url, evidence.final_url)
                judgement = judge(evidence, wants_image=wants_image, accept=accept)
            self.log.record(
                run_id=self.run_id,
                checked_at=now,
                judgement=judgement,
                evidence=evidence,
                wants_image=wants_image,
            )
        return result

    def discard(self, why: str) -> None:
        """Forget this run's checks: the whole run says the network failed, not the links (`why`)."""
        if self.log is not None and self.run_id is not None:
            self.log.discard_run(self.run_id, why)

    def annotate(self, results: Sequence[UrlResult]) -> list[UrlResult]:
        """Every result with its `HistoryNote`: reused or not; a failing URL's streak and its confirmation."""
        if self.log is not None:
            self.log.flush()  # checks a busy store made wait
        failing = self.settings.fail_on
        needed = [r.target.url for r in results if r.judgement.verdict in failing and r.evidence is not None]
        past: dict[str, list[StoredCheck]] = {}
        if self.log is not None and needed:
            past = self.log.recent(needed, not_after=max(self._now(), self.started))
        noted: list[UrlResult] = []
        for result in results:
            reused = result.history is not None and result.history.reused
            if result.judgement.verdict not in failing:
                noted.append(dataclasses.replace(result, history=_REUSED if reused else _NOT_FAILING))
                continue
            streak = self._streak(result, past.get(result.target.url, []), reused)
            note = HistoryNote(
                reused=reused,
                failures=streak.failures,
                first_failed_at=iso(streak.first_failed_at) if streak.first_failed_at is not None else None,
                confirmed=self.policy.confirmed(streak),
            )
            noted.append(dataclasses.replace(result, history=note))
        return noted

    def _streak(self, result: UrlResult, past: list[StoredCheck], reused: bool) -> Streak:
        """This result's streak: its stored checks, newest first, judged again under today's rules (and
        this run's result first, when it is not among them: no store, or its write failed)."""
        wants_image = self._wants_image.get(result.target.url, False)
        accept = self.settings.accept_for
        fragment = result.target.fragment
        verdicts = [
            (
                check.checked_at,
                _verdict_for(
                    check.evidence,
                    fragment,
                    wants_image=wants_image,
                    accept=accept(check.evidence.url, check.evidence.final_url),
                ),
            )
            for check in past
        ]
        kept = reused or (bool(past) and self.run_id is not None and past[0].run_id == self.run_id)
        if not kept:
            verdicts.insert(0, (self._now(), result.judgement.verdict))
        return failure_streak(verdicts, self.settings.fail_on)

    def settings_dict(self) -> dict[str, object]:
        """What the JSON report's settings add: the store and the policy."""
        return {"store": str(self.store.path) if self.store is not None else None, **self.policy.as_dict()}


def _verdict_for(
    evidence: Evidence, fragment: str | None, *, wants_image: bool, accept: frozenset[int]
) -> Verdict:
    """A stored check's verdict under today's rules, for the page or for one `#fragment` of it (missing
    when the page answered and its stored anchors lack it)."""
    verdict = judge(evidence, wants_image=wants_image, accept=accept).verdict
    if fragment is None or verdict not in (Verdict.LIVE, Verdict.REDIRECTED):
        return verdict
    from linkaudit.check.fragments import fragment_name, has_anchor  # noqa: PLC0415 - only check runs get here

    name = fragment_name(fragment)
    anchors = evidence.anchors
    if name is None or anchors is None or not anchors.complete or has_anchor(anchors, name):
        return verdict
    return Verdict.DEAD
