"""Stage 2: probe every distinct target once, concurrently and politely, and judge it.

`check_targets` runs under trio: one nursery; per host, a few more workers than the host may have
requests in flight (a URL waiting to be retried does not leave one of its places idle; the host's gate
lets URLs already under way go first), so a slow or rate-limited host never ties up the workers other
hosts need; a global `PriorityLimiter` bounds requests in flight overall, serving first the hosts with
the most work left. Each worker turns its own failure into a result: a dead link is data, never an
exception that would tear the nursery down. A `#fragment` the page lacks becomes a result of its own (see
`linkaudit.check.fragments`).
"""

from __future__ import annotations

import dataclasses
import gc
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import httpcore
import trio

from linkaudit.check.bounds import clip
from linkaudit.check.fragments import LocalAnchors, split_by_fragment, wants_anchors
from linkaudit.check.gate import HostGate
from linkaudit.check.headers import Redactor
from linkaudit.check.location import too_long
from linkaudit.check.probe import Prober
from linkaudit.check.resolve import Resolver
from linkaudit.check.schedule import PriorityLimiter
from linkaudit.check.soft import SoftExaminer
from linkaudit.check.timeline import CITED, Timeline
from linkaudit.check.transport import build_client
from linkaudit.classify import judge
from linkaudit.models import (
    ErrorKind,
    Evidence,
    Judgement,
    Occurrence,
    Target,
    TargetStatus,
    UrlResult,
    Verdict,
)
from linkaudit.observer import NullObserver, Observer
from linkaudit.settings import CheckSettings
from linkaudit.urls import local_path

__all__ = ["CheckItem", "Timeline", "build_client", "check_targets", "group_occurrences", "judge_local"]

# Workers per host beyond its places: URLs sleeping before a retry leave room for fresh ones.
_SPARE_WORKERS = 2


@dataclass(frozen=True, slots=True)
class CheckItem:
    """A distinct target with every place it is cited."""

    target: Target
    occurrences: tuple[Occurrence, ...]

    @property
    def wants_image(self) -> bool:
        return any(occ.kind.wants_image for occ in self.occurrences)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def judge_local(target: Target) -> tuple[Judgement, Evidence]:
    """A relative or root-relative citation: does the file (or folder) exist?"""
    path = local_path(target)
    try:
        exists = path.exists()
    except (OSError, ValueError) as exc:  # a NUL byte, a name too long for the file system
        evidence = Evidence(
            url=target.url, error=ErrorKind.FILE_MISSING, detail=clip(str(exc)), checked_at=_now()
        )
        return judge(evidence), evidence
    if exists:
        return Judgement(Verdict.LIVE, "file-exists"), Evidence(url=target.url, checked_at=_now())
    evidence = Evidence(
        url=target.url, error=ErrorKind.FILE_MISSING, detail=f"no such file: {path}", checked_at=_now()
    )
    return judge(evidence), evidence


def _static_result(item: CheckItem, settings: CheckSettings, local: LocalAnchors) -> UrlResult | None:
    """Results that need no request: skipped, invalid, excluded and local targets."""
    target = item.target
    if target.status is TargetStatus.SKIPPED:
        return UrlResult(
            target, Judgement(Verdict.SKIPPED, target.reason or "skipped"), None, item.occurrences
        )
    if target.status is TargetStatus.INVALID:
        return UrlResult(
            target, Judgement(Verdict.INVALID, target.reason or "invalid"), None, item.occurrences
        )
    excluded_by = settings.excluded_by(target.url)
    if excluded_by is not None:
        # Which exclude skipped it, and why (a configuration file's reason): the entry's detail.
        target = dataclasses.replace(target, detail=settings.exclusion_detail(excluded_by))
        return UrlResult(target, Judgement(Verdict.SKIPPED, "excluded"), None, item.occurrences)
    if target.is_http and too_long(target.url):
        return UrlResult(target, Judgement(Verdict.INVALID, "url-too-long"), None, item.occurrences)
    if target.is_local:
        if not settings.check_local:
            return UrlResult(target, Judgement(Verdict.SKIPPED, "local-not-checked"), None, item.occurrences)
        judgement, evidence = judge_local(target)
        if evidence.error is None and wants_anchors(item.occurrences):
            evidence = dataclasses.replace(evidence, anchors=local.of(local_path(target)))
        return UrlResult(target, judgement, evidence, item.occurrences)
    return None


def _given_up(target: Target, gate: HostGate) -> Evidence | None:
    """The evidence of a URL whose host was given up on (rate-limited for good, or gone): no request."""
    if gate.rate_limited and gate.dead is None:
        return Evidence(
            url=target.url,
            status=429,
            detail=f"host rate-limited: {gate.slowdowns} slow-down answers in a row, none other",
            short_circuited=True,
            checked_at=_now(),
        )
    if gate.dead is not None:
        return Evidence(
            url=target.url,
            error=gate.dead,
            detail=f"host unreachable: {gate.dead_detail or gate.dead.value}",
            short_circuited=True,
            checked_at=_now(),
        )
    return None


@asynccontextmanager
async def _frozen_heap() -> AsyncIterator[None]:
    """Spare the cyclic garbage collector from walking, collection after collection, everything that
    exists before the check (every citation and target): at 30,000 URLs those walks took 3 s of CPU and
    pauses of 300 ms. Objects created during the check are collected as usual."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


async def check_targets(
    items: Sequence[CheckItem],
    settings: CheckSettings,
    *,
    on_result: Callable[[UrlResult], None],
    observer: Observer | None = None,
    resolver: Resolver | None = None,
    network: httpcore.AsyncNetworkBackend | None = None,
    gates: dict[str, HostGate] | None = None,
    timeline: Timeline | None = None,
) -> None:
    """Judge every item, calling `on_result` as each verdict is known (so an interrupted run keeps them).

    `gates` (host -> `HostGate`), when given, is shared with a later call: its requests are spaced from
    this one's, and a host given up on here stays given up on there. `timeline`, when given, records every
    request and change of pace (see `linkaudit.check.timeline`).
    """
    observer = observer or NullObserver()
    resolver = resolver or Resolver(settings.resolve)

    def deliver(result: UrlResult) -> None:
        parts = split_by_fragment(result)
        for part in parts:
            on_result(part)
        observer.url_done(parts[0])

    by_host: dict[str, list[CheckItem]] = defaultdict(list)
    local = LocalAnchors()
    for item in items:
        static = _static_result(item, settings, local)
        if static is not None:
            deliver(static)
        else:
            by_host[item.target.host].append(item)

    gates = {} if gates is None else gates

    def gate_for(host: str) -> HostGate:
        gate = gates.get(host)
        if gate is None:
            gate = gates[host] = HostGate(
                host,
                settings.policy_for(host),
                max_wait=settings.max_retry_wait,
                backoff_base=settings.retry_base,
            )
            gate.give_up_after = max(3, settings.rate_limit_retries)
            gate.timeline = timeline
        return gate

    limiter = PriorityLimiter(max(1, settings.concurrency))
    redact = Redactor.for_settings(settings)
    async with _frozen_heap(), build_client(settings, resolver, network, raw_location=True) as client:
        prober = Prober(
            client,
            settings,
            gate_for=gate_for,
            limiter=limiter,
            on_backoff=observer.host_backoff,
            timeline=timeline,
        )
        soft = SoftExaminer(prober) if settings.soft else None

        if timeline is not None:
            timeline.begin()

        async def run_item(item: CheckItem, gate: HostGate) -> None:
            target = item.target
            given_up = _given_up(target, gate)
            if given_up is not None:
                evidence = given_up
            else:
                if timeline is not None:
                    CITED.set(target.url)
                    timeline.url_started(target.url)
                try:
                    anchors = settings.check_fragments and wants_anchors(item.occurrences)
                    # A host configured `method = "HEAD"` is asked HEAD only: no page read, no soft rules.
                    soft_here = (
                        soft is not None and not item.wants_image and settings.method_for(gate.host) != "HEAD"
                    )
                    evidence, body = await prober.probe_page(
                        target.url,
                        item.wants_image,
                        wants_anchors=anchors,
                        wants_body=soft_here,
                    )
                    if soft is not None and settings.method_for(gate.host) != "HEAD":
                        evidence = await soft.examine(evidence, body, wants_image=item.wants_image)
                except Exception as exc:  # never let one link end the run: whatever went wrong is data
                    detail = clip(f"{type(exc).__name__}: {exc}")
                    evidence = Evidence(
                        url=target.url, error=ErrorKind.OTHER, detail=detail, checked_at=_now()
                    )
                evidence = redact.evidence(evidence)  # servers may echo a header value back
                if not evidence.attempts and gate.dead is not None and evidence.error is gate.dead:
                    # The host was given up on while this URL waited for its turn: nothing was sent.
                    evidence = _given_up(target, gate) or evidence
                # After a redirect the failure is the target's: this host answered, so it is not evidence.
                elif evidence.error is not None and not evidence.redirects:
                    gate.failed(evidence.error, evidence.detail, dead_after=settings.dead_host_after)
                if gate.dead is not None and not gate.dead_reported:
                    gate.dead_reported = True
                    observer.host_dead(gate.host, gate.dead_detail or gate.dead.value)
                if timeline is not None:
                    timeline.url_done(target.url)
            accept = settings.accept_for(target.url, evidence.final_url)
            judgement = judge(evidence, wants_image=item.wants_image, accept=accept)
            deliver(UrlResult(target, judgement, evidence, item.occurrences))

        async def host_worker(host_items: list[CheckItem], cursor: list[int], gate: HostGate) -> None:
            while cursor[0] < len(host_items):
                item = host_items[cursor[0]]
                cursor[0] += 1
                await run_item(item, gate)
                gate.backlog -= 1

        async with trio.open_nursery() as nursery:
            # The host with the most URLs is the one that sets the run's length: its workers go first, so a
            # busy start (every host's first connections at once) delays the hosts that have time to spare.
            for host, host_items in sorted(by_host.items(), key=lambda entry: -len(entry[1])):
                gate = gate_for(host)
                gate.backlog = len(host_items)  # URLs not done: with its pace, its priority (`remaining`)
                cursor = [0]
                workers = max(1, gate.policy.concurrency) + _SPARE_WORKERS
                for _ in range(min(len(host_items), workers)):
                    nursery.start_soon(host_worker, host_items, cursor, gate)


def group_occurrences(occurrences: Sequence[Occurrence]) -> list[CheckItem]:
    """One CheckItem per distinct target, in order of first citation.

    The item's target has no fragment: the page is one, and each citation's target keeps its own fragment.
    """
    grouped: dict[tuple[TargetStatus, str], list[Occurrence]] = {}
    targets: dict[tuple[TargetStatus, str], Target] = {}
    for occ in occurrences:
        key = (occ.target.status, occ.target.url or occ.raw)
        if key not in grouped:
            grouped[key] = []
            target = occ.target
            targets[key] = target if target.fragment is None else dataclasses.replace(target, fragment=None)
        grouped[key].append(occ)
    return [CheckItem(targets[key], tuple(occs)) for key, occs in grouped.items()]
