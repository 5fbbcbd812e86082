"""Every `reason` is a stable slug (`http-404`, `invalid-scheme`): prose lives in `detail`.

Reasons come from three places: extraction (why a target is skipped or invalid), the checker's static
results (excluded, local files) and `judge`. Each is driven here over what it can produce.
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from linkaudit.check import judge_local
from linkaudit.classify import judge
from linkaudit.models import ErrorKind, Evidence, Hop, SoftEvidence, Target, TargetStatus
from linkaudit.urls import KNOWN_SCHEMES, normalize

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

DESTINATIONS = [
    "",
    "   ",
    "C:\\a.md",
    "file:///etc/hosts",
    "hhttps://a.example/",
    "htps://a.example/",
    "x:y",
    "made-up-scheme://a",
    "notes:today",
    "http:/a.example",
    "https://",
    "https://a..b/",
    "https://[::1/",
    "https://[::1]x/",
    "https://a.example:99999/",
    "https://a.example:port/",
    "https://a b/",
    "//a..b/",
    *(f"{scheme}:x" for scheme in sorted(KNOWN_SCHEMES)),
]


def test_every_skip_or_invalid_reason_from_extraction_is_a_slug_with_words_in_detail() -> None:
    seen = set()
    for dest in DESTINATIONS:
        target = normalize(dest, source=Path("/articles/a.md"))
        if target.status is TargetStatus.OK:
            continue
        assert target.reason is not None and SLUG.match(target.reason), (dest, target.reason)
        assert target.detail, dest
        seen.add(target.reason)
    assert seen >= {
        "empty-destination",
        "invalid-host",
        "invalid-port",
        "misspelt-scheme",
        "unchecked-scheme",
    }


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40) | st.from_regex(r"[a-zA-Z][a-zA-Z0-9+.\-]{0,40}:[^ ]{0,20}", fullmatch=True))
def test_any_destination_gets_a_slug_reason(dest: str) -> None:
    target = normalize(dest, source=Path("/articles/a.md"))
    if target.status is not TargetStatus.OK:
        assert target.reason is not None and SLUG.match(target.reason), (dest, target.reason)


def _evidences() -> list[tuple[Evidence, bool, frozenset[int]]]:
    cases: list[tuple[Evidence, bool, frozenset[int]]] = []
    url = "https://a.example/x"
    for error in ErrorKind:
        cases.append((Evidence(url, error=error), False, frozenset()))
        cases.append((Evidence(url, error=error, short_circuited=True), False, frozenset()))
    for status in (*range(100, 600), 999):
        cases.append((Evidence(url, status=status), False, frozenset()))
        cases.append((Evidence(url, status=status, retry_after=5.0), False, frozenset()))
        cases.append((Evidence(url, status=status), False, frozenset({status})))
    hops = (Hop(url, 301), Hop("https://b.example/", 302))
    cases += [
        (Evidence(url), False, frozenset()),
        (Evidence(url, status=200, challenge=True), False, frozenset()),
        (Evidence(url, status=200, is_image=False), True, frozenset()),
        (Evidence(url, status=200, redirects=hops, final_url="https://b.example/"), False, frozenset()),
        (Evidence(url, status=200, redirects=hops[:1], final_url=url + "/"), False, frozenset()),
    ]
    # Soft rot: the three reasons it gives, and what it leaves alone.
    sibling = SoftEvidence(words=300, sibling_url=url + "z", sibling_status=200, similarity=1.0)
    cases += [
        (Evidence(url, status=200, soft=sibling), False, frozenset()),
        (
            Evidence(url, status=200, redirects=hops[:1], final_url="https://a.example/", soft=sibling),
            False,
            frozenset(),
        ),
        (
            Evidence(url, status=200, redirects=hops, final_url="http://sedo.com/x", soft=sibling),
            False,
            frozenset(),
        ),
        (Evidence(url, status=200, soft=SoftEvidence(markers=("resource:bodis.com",))), False, frozenset()),
        (Evidence(url, status=404, soft=sibling), False, frozenset()),
    ]
    return cases


def test_every_reason_judge_gives_is_a_slug() -> None:
    reasons = set()
    for evidence, wants_image, accept in _evidences():
        reason = judge(evidence, wants_image=wants_image, accept=accept).reason
        assert SLUG.match(reason), (evidence, reason)
        reasons.add(reason)
    assert {"soft-404", "redirect-to-home", "parked-domain"} <= reasons


def test_local_file_reasons_are_slugs(tmp_path: Path) -> None:
    (tmp_path / "here.md").write_text("x", encoding="utf-8")
    for name in ("here.md", "missing.md"):
        judgement, _ = judge_local(Target((tmp_path / name).as_uri()))
        assert SLUG.match(judgement.reason), judgement.reason
