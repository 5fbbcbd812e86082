"""A check run's use of the store (`RunHistory`): what is reused, how it is judged, how failures add up."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from linkaudit.check import CheckItem
from linkaudit.classify import judge
from linkaudit.models import ErrorKind, Evidence, LinkKind, Occurrence, SoftEvidence, UrlResult, Verdict
from linkaudit.settings import CheckSettings
from linkaudit.store import HistoryPolicy, RunHistory, Store
from linkaudit.urls import normalize

DAY = 86_400
T0 = 1_740_787_200  # 2025-03-01T00:00:00Z
SETTINGS = CheckSettings()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "store.sqlite") as opened:
        yield opened


def item(url: str, kind: LinkKind = LinkKind.LINK) -> CheckItem:
    target = normalize(url)
    occ = Occurrence("a.md", 1, 1, 0, len(url), kind, url, target)
    return CheckItem(target, (occ,))


def result(check: CheckItem, evidence: Evidence, settings: CheckSettings = SETTINGS) -> UrlResult:
    judgement = judge(evidence, wants_image=check.wants_image, accept=settings.accept)
    return UrlResult(check.target, judgement, evidence, check.occurrences)


def run_once(
    store: Store | None,
    answers: dict[str, Evidence],
    *,
    day: float,
    policy: HistoryPolicy | None = None,
    settings: CheckSettings = SETTINGS,
    kinds: dict[str, LinkKind] | None = None,
) -> tuple[list[UrlResult], RunHistory, list[str]]:
    """One run as `audit` drives it: reuse, probe the rest (the `answers`), record, annotate."""
    now = T0 + int(day * DAY)
    policy = dataclasses.replace(policy or HistoryPolicy(), now=now)
    history = RunHistory(store, settings, policy)
    items = [item(url, (kinds or {}).get(url, LinkKind.LINK)) for url in answers]
    to_probe, results = history.reuse(items)
    probed = [check.target.url for check in to_probe]
    for check in to_probe:
        results.append(history.record(result(check, answers[check.target.url], settings)))
    return history.annotate(results), history, probed


def by_url(results: list[UrlResult]) -> dict[str, UrlResult]:
    return {r.target.url: r for r in results}


A = "https://a.example/page"
B = "https://b.example/pic.png"


def test_fresh_results_are_reused_failing_ones_too(store: Store) -> None:
    # B was read for soft rot (its `soft` part), as a page answering 200 is by default.
    answers = {A: Evidence(A, status=404), B: Evidence(B, status=200, is_image=True, soft=SoftEvidence())}
    policy = HistoryPolicy(max_age=DAY)
    _, _, probed = run_once(store, answers, day=0, policy=policy)
    assert sorted(probed) == [A, B]
    second, history, probed = run_once(store, answers, day=0.5, policy=policy)
    assert probed == []
    assert history.reused == 2
    gone = by_url(second)[A]
    assert gone.judgement.verdict is Verdict.DEAD
    assert gone.history is not None
    assert gone.history.reused
    assert gone.evidence is not None
    assert gone.evidence.checked_at == "2025-03-01T00:00:00Z"
    third, _, probed = run_once(store, answers, day=1, policy=policy)  # a day old: probed again
    assert sorted(probed) == [A, B]
    assert not any(r.history is not None and r.history.reused for r in third)


def test_a_reused_result_is_judged_under_todays_rules(store: Store) -> None:
    answers = {A: Evidence(A, status=403)}
    first, _, _ = run_once(store, answers, day=0)
    assert first[0].judgement.verdict is Verdict.BLOCKED
    accepting = dataclasses.replace(SETTINGS, accept=frozenset({403}))
    again, _, probed = run_once(
        store, answers, day=0.1, policy=HistoryPolicy(max_age=DAY), settings=accepting
    )
    assert probed == []
    assert (again[0].judgement.verdict, again[0].judgement.reason) == (Verdict.LIVE, "accepted-403")


def test_what_is_not_reused(store: Store) -> None:
    answers = {A: Evidence(A, status=200, content_type="text/html")}
    run_once(store, answers, day=0)
    policy = HistoryPolicy(max_age=DAY)
    # Cited as an image now: a probe that did not read the body cannot say it still is one.
    _, _, probed = run_once(store, answers, day=0.1, policy=policy, kinds={A: LinkKind.IMAGE})
    assert probed == [A]
    # Excluded now: skipped, not reused.
    excluding = dataclasses.replace(SETTINGS, exclude=("a\\.example",))
    history = RunHistory(store, excluding, dataclasses.replace(policy, now=T0 + 100))
    assert history.reuse([item(A)]) == ([item(A)], [])
    # No --max-age: always probed.
    _, _, probed = run_once(store, answers, day=0.2)
    assert probed == [A]


def note(results: list[UrlResult], url: str) -> tuple[int, str | None, bool | None]:
    found = by_url(results)[url].history
    assert found is not None
    return found.failures, found.first_failed_at, found.confirmed


def test_a_failure_is_confirmed_after_n_checks_over_days_and_a_success_resets_it(store: Store) -> None:
    policy = HistoryPolicy(confirm_checks=3, confirm_days=3)
    dead, fine = {A: Evidence(A, status=404)}, {A: Evidence(A, status=200)}
    first = "2025-03-01T00:00:00Z"
    assert note(run_once(store, dead, day=0, policy=policy)[0], A) == (1, first, False)
    assert note(run_once(store, dead, day=1, policy=policy)[0], A) == (2, first, False)
    assert note(run_once(store, dead, day=2, policy=policy)[0], A) == (3, first, False)  # 2 days only
    assert note(run_once(store, dead, day=3, policy=policy)[0], A) == (4, first, True)
    assert note(run_once(store, fine, day=4, policy=policy)[0], A) == (0, None, None)
    assert note(run_once(store, dead, day=5, policy=policy)[0], A) == (1, "2025-03-06T00:00:00Z", False)


def test_without_a_store_a_failure_is_this_run_alone() -> None:
    results, _, _ = run_once(None, {A: Evidence(A, status=404)}, day=0)
    assert note(results, A) == (1, "2025-03-01T00:00:00Z", True)
    results, _, _ = run_once(
        None, {A: Evidence(A, status=404)}, day=0, policy=HistoryPolicy(confirm_checks=2)
    )
    assert note(results, A)[2] is False


def test_a_doubtful_run_leaves_no_checks(store: Store) -> None:
    _, history, _ = run_once(store, {A: Evidence(A, status=404)}, day=0)
    history.discard("network-down-suspected")
    assert store.connection.execute("SELECT count(*) FROM checks").fetchone() == (0,)
    assert store.connection.execute("SELECT discarded FROM runs").fetchall() == [("network-down-suspected",)]


def test_what_says_nothing_about_the_url_is_not_kept(store: Store) -> None:
    refused = Evidence(A, error=ErrorKind.BLOCKED_ADDRESS, detail="127.0.0.1 is a private address")
    proxy = Evidence(B, error=ErrorKind.PROXY_ERROR, detail="proxy refused the connection")
    run_once(store, {A: refused, B: proxy}, day=0)
    assert store.connection.execute("SELECT count(*) FROM checks").fetchone() == (0,)
    # With the guard lifted (or the proxy back), a --max-age run probes them: nothing stands in for them.
    _, _, probed = run_once(
        store,
        {A: Evidence(A, status=200), B: Evidence(B, status=200)},
        day=0.1,
        policy=HistoryPolicy(max_age=DAY),
    )
    assert sorted(probed) == [A, B]


def test_a_page_never_read_for_soft_rot_is_probed_again_when_soft_rot_is_on(store: Store) -> None:
    plain = dataclasses.replace(SETTINGS, soft=False)
    answers = {B: Evidence(B, status=200)}
    policy = HistoryPolicy(max_age=DAY)
    run_once(store, answers, day=0, policy=policy, settings=plain)
    _, _, probed = run_once(store, answers, day=0.1, policy=policy, settings=plain)
    assert probed == []  # plain checking reuses plain evidence
    _, _, probed = run_once(store, answers, day=0.2, policy=policy)
    assert probed == [B]  # it cannot tell a soft 404: probed again, and read
    soft = {
        B: Evidence(
            B,
            status=200,
            soft=SoftEvidence(sibling_url=B + "x", sibling_status=200, similarity=1.0, words=99),
        )
    }
    run_once(store, soft, day=0.3, policy=policy)
    again, _, probed = run_once(store, soft, day=0.4, policy=policy, settings=plain)
    assert probed == []
    assert again[0].judgement.verdict is Verdict.LIVE  # --no-soft: no soft verdict, even from the store
    again, _, probed = run_once(store, soft, day=0.5, policy=policy)
    assert probed == [] and again[0].judgement.verdict is Verdict.SOFT_DEAD
