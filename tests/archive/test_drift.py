"""Drift evidence: main text and shingle similarity on labelled pairs of news pages (en and zh).

The pairs are built by `linkaudit.demo.news` from articles in tests/data/drift (real ones from the
archive, and English ones written for the project): furniture changed, light edits, replaced articles,
removed articles. `benchmarks/drift_bench.py` runs the same on the whole corpus sample.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from linkaudit.archive.drift import main_text, shingles, similarity, text_similarity
from linkaudit.classify.drift import DRIFT_THRESHOLD
from linkaudit.demo.news import Article, article_from_markdown, drift_pairs, news_page

DATA = Path(__file__).parent.parent / "data"


def articles() -> list[Article]:
    paths = sorted((DATA / "drift").glob("*.md")) + sorted((DATA / "archive" / "gnews").glob("*.md"))
    found = [article_from_markdown(p.read_text(encoding="utf-8-sig", errors="replace")) for p in paths]
    return [a for a in found if a.chars > 200]


def test_the_labelled_pairs_hold_both_languages_and_every_kind() -> None:
    pairs = drift_pairs(articles())
    assert {p.language for p in pairs} == {"en", "zh"}
    assert {p.kind for p in pairs} == {"furniture", "light-edit", "replaced", "removed"}
    assert len(pairs) >= 36


def test_every_labelled_pair_is_judged_right_with_a_margin() -> None:
    for pair in drift_pairs(articles()):
        measured, why = similarity(pair.snapshot, pair.live)
        assert why is None and measured is not None, pair.name
        if pair.drifted:
            assert measured < DRIFT_THRESHOLD - 0.1, (pair.name, pair.kind, measured)
        else:
            assert measured >= DRIFT_THRESHOLD + 0.1, (pair.name, pair.kind, measured)


def test_furniture_is_not_main_text() -> None:
    story = articles()[0]
    text = main_text(
        news_page(story, ads=["Advertisement: Save 40% on winter tyres"], headlines=["Elsewhere"])
    )
    assert text is not None and text.article
    assert story.paragraphs[0][:40] in text.text
    assert "winter tyres" not in text.text
    assert "Elsewhere" not in text.text
    assert "All rights reserved" not in text.text


def test_a_notice_without_an_article_is_compared_by_its_visible_text() -> None:
    page = b"<html><body><p>Sorry, this page is gone.</p></body></html>"
    text = main_text(page)
    assert text is not None and not text.article and "this page is gone" in text.text
    assert main_text(b"<html><body><script>x()</script></body></html>") is None


def test_shingles_ignore_case_spacing_and_punctuation() -> None:
    assert shingles("Hello, World!") == shingles("hello world")
    assert text_similarity("中共国病毒清零政策，北京封城。", "中共国病毒清零政策 北京封城") == 1.0
    assert text_similarity("", "anything") == 1.0
    assert text_similarity("an entirely different sentence", "nothing alike at all here") < 0.1


def test_a_snapshot_with_no_text_cannot_be_judged() -> None:
    measured, why = similarity(b"", b"<p>live</p>")
    assert measured is None and why is not None


def test_the_extractor_works_without_a_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> socket.socket:
        raise AssertionError("the main-text extractor tried to open a socket")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    pair = drift_pairs(articles())[2]
    measured, _ = similarity(pair.snapshot, pair.live)
    assert measured is not None and measured < DRIFT_THRESHOLD
