"""News pages with their furniture, and labelled pairs of (archived copy, live page) for drift.

`news_page` renders an article (title and paragraphs) the way a news site does: navigation, a dateline,
advertisements, a "most read" box, a cookie banner, a footer. `drift_pairs` turns articles into
labelled pairs, each an archived copy and a live page of the same URL:

- `furniture`: the same article under other furniture (another date, other ads and headlines): not drift;
- `light-edit`: about a fifth of the main text changed (sentences replaced, an update appended), under
  other furniture too: not drift;
- `replaced`: another article at the same URL: drift;
- `removed`: a short notice where the article was: drift.

The simulated web of the demo, the drift tests and `benchmarks/drift_bench.py` (which calibrates the
threshold of `linkaudit.classify.drift`) all use them. `article_from_markdown` reads an article of the
real archive (or any Markdown) into a title and paragraphs.
"""

from __future__ import annotations

import html
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Article", "DriftPair", "article_from_markdown", "drift_pairs", "light_edit", "news_page"]

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_WIKI = re.compile(r"\[\[(?:[a-z]{2}:)?([^\]]*)\]\]")
_SENTENCE = re.compile(r"(?<=[.!?。！？])\s*")


@dataclass(frozen=True, slots=True)
class Article:
    title: str
    paragraphs: tuple[str, ...]
    language: str = "en"

    @property
    def chars(self) -> int:
        return sum(len(p) for p in self.paragraphs)


@dataclass(frozen=True, slots=True)
class DriftPair:
    """An archived copy and a live page of one URL; `drifted` is the label."""

    name: str
    kind: str
    language: str
    snapshot: bytes
    live: bytes
    drifted: bool


def article_from_markdown(text: str) -> Article:
    """An article's title (its first `#`/`##` heading) and paragraphs (links reduced to their text;
    navigation, rules, datelines in code spans and images left out)."""
    title = ""
    paragraphs: list[str] = []
    for raw in text.replace("\r", "").split("\n"):
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith(("---", "###", "`", "|", ">")):
            continue
        if line.startswith("#"):
            if not title:
                title = _plain(line.lstrip("# "))
            continue
        plain = _plain(line)
        if len(plain) >= 12:
            paragraphs.append(plain)
    cjk = sum(1 for p in paragraphs for c in p if "\u4e00" <= c <= "\u9fff")
    language = "zh" if cjk * 4 > sum(len(p) for p in paragraphs) else "en"
    return Article(title or (paragraphs[0][:40] if paragraphs else ""), tuple(paragraphs), language)


def _plain(line: str) -> str:
    line = _WIKI.sub(r"\1", _LINK.sub(r"\1", line))
    return re.sub(r"[*_]{1,3}", "", line).strip()


_SECTIONS = {
    "en": ["Home", "World", "Business", "Politics", "Science", "Culture", "Sport", "Opinion", "Weather"],
    "zh": ["首页", "国际", "财经", "政治", "科技", "文化", "体育", "评论", "天气"],
}
_ADS = {
    "en": [
        "Advertisement: Save 40% on winter tyres this week only at AutoMax.",
        "Sponsored: The credit card that pays you back. Apply in minutes.",
        "Advertisement: Learn a language in 10 minutes a day. Try it free.",
        "Sponsored: Mortgage rates have fallen. Compare offers now.",
        "Advertisement: Flights to the sun from 29. Book before Friday.",
    ],
    "zh": [
        "广告：冬季轮胎本周限时八折，快来选购。",
        "赞助内容：这张信用卡让你每笔消费都有返现。",
        "广告：每天十分钟，轻松学外语，免费试用。",
        "赞助内容：房贷利率下调，立即比较各家方案。",
        "广告：阳光海岛机票低至两百元，周五前预订。",
    ],
}
_NOTICE = {
    "en": "This article is no longer available. It may have been moved or removed.",
    "zh": "抱歉，该文章已被删除或不存在。",
}
_CHROME = {
    "en": (
        "Most read",
        "Subscribe to our newsletter",
        "We use cookies to improve your experience.",
        "Updated",
    ),
    "zh": ("热门文章", "订阅我们的新闻简报", "本网站使用Cookie以改善您的体验。", "更新时间"),
}


def news_page(
    article: Article,
    *,
    site: str = "The Daily Example",
    date: str = "2021-12-30 09:15",
    headlines: Sequence[str] = (),
    ads: Sequence[str] = (),
    seed: int = 0,
    cookie_banner: bool = False,
) -> bytes:
    """The page a news site serves for `article`: the article inside its furniture, as UTF-8 HTML."""
    rng = random.Random(seed)
    language = article.language
    sections = list(_SECTIONS[language])
    rng.shuffle(sections)
    most_read, subscribe, cookies, updated = _CHROME[language]
    e = html.escape
    nav = "".join(f'<li><a href="/{i}/">{e(name)}</a></li>' for i, name in enumerate(sections))
    body = []
    for index, paragraph in enumerate(article.paragraphs):
        body.append(f"<p>{e(paragraph)}</p>")
        if ads and index == 1:
            body.append(f'<aside class="ad">{e(ads[0])}</aside>')
    side = "".join(f'<li><a href="/story/{i}">{e(h)}</a></li>' for i, h in enumerate(headlines))
    more_ads = "".join(f'<div class="ad">{e(ad)}</div>' for ad in ads[1:])
    banner = f'<div id="cookies">{e(cookies)} <button>OK</button></div>' if cookie_banner else ""
    page = f"""<!DOCTYPE html>
<html lang="{language}"><head><meta charset="utf-8"><title>{e(article.title)} - {e(site)}</title>
<meta property="article:published_time" content="{e(date)}"></head>
<body>{banner}<header><a href="/">{e(site)}</a><nav><ul>{nav}</ul></nav></header>
<main><article><h1>{e(article.title)}</h1><p class="byline">{e(updated)}: <time>{e(date)}</time></p>
{"".join(body)}</article>
<aside><h2>{e(most_read)}</h2><ol>{side}</ol>{more_ads}</aside></main>
<footer><p>{e(subscribe)}</p><p>&copy; {e(date[:4])} {e(site)}. All rights reserved.</p></footer>
</body></html>"""
    return page.encode("utf-8")


def light_edit(article: Article, donor: Article, rng: random.Random, share: float = 0.2) -> Article:
    """`article` with about `share` of its text changed as editors do: half of it in sentences replaced
    (with sentences of `donor`, so the new text is real prose), half in an update paragraph appended."""
    budget = article.chars * share / 2
    donated = [s for p in donor.paragraphs for s in _SENTENCE.split(p) if len(s) > 8]
    paragraphs = list(article.paragraphs)
    changed = 0.0
    order = list(range(1, len(paragraphs))) or [0]
    rng.shuffle(order)
    for index in order:
        if changed >= budget or not donated:
            break
        sentences = [s for s in _SENTENCE.split(paragraphs[index]) if s]
        # Only a sentence that fits what is left to change: one long sentence of a short article is no
        # light edit.
        fitting = [i for i, s in enumerate(sentences) if len(s) <= budget - changed]
        if not fitting:
            continue
        which = fitting[rng.randrange(len(fitting))]
        changed += len(sentences[which])
        sentences[which] = donated.pop(rng.randrange(len(donated)))
        joiner = "" if article.language == "zh" else " "
        paragraphs[index] = joiner.join(sentences)
    update, added = [], 0
    while donated and added < budget:
        sentence = donated.pop(0)
        update.append(sentence)
        added += len(sentence)
    if update:
        label = "更新：" if article.language == "zh" else "Update: "
        paragraphs.append(label + ("" if article.language == "zh" else " ").join(update))
    return Article(article.title, tuple(paragraphs), article.language)


def drift_pairs(articles: Sequence[Article], *, seed: int = 7) -> list[DriftPair]:
    """Four labelled pairs per article (see the module docstring), deterministic for a `seed`."""
    rng = random.Random(seed)
    pairs: list[DriftPair] = []
    titles = [a.title for a in articles]
    for index, article in enumerate(articles):
        same_language = [a for a in articles if a.language == article.language and a is not article]
        others = same_language or [a for a in articles if a is not article]
        if not others or not article.paragraphs:
            continue
        lang = article.language
        ads = _ADS[lang]
        then = news_page(
            article,
            date="2021-12-30 09:15",
            headlines=rng.sample(titles, min(5, len(titles))),
            ads=rng.sample(ads, 2),
            seed=rng.randrange(1 << 30),
        )

        def later(shown: Article, ads: Sequence[str] = ads) -> bytes:
            return news_page(
                shown,
                date="2024-03-18 17:42",
                headlines=rng.sample(titles, min(5, len(titles))),
                ads=rng.sample(ads, 3),
                seed=rng.randrange(1 << 30),
                cookie_banner=True,
            )

        name = f"{index:03d}-{lang}"
        donor = others[rng.randrange(len(others))]
        replacement = others[rng.randrange(len(others))]
        notice = Article(_NOTICE[lang], (_NOTICE[lang],), lang)
        pairs += [
            DriftPair(name, "furniture", lang, then, later(article), drifted=False),
            DriftPair(name, "light-edit", lang, then, later(light_edit(article, donor, rng)), drifted=False),
            DriftPair(name, "replaced", lang, then, later(replacement), drifted=True),
            DriftPair(name, "removed", lang, then, later(notice), drifted=True),
        ]
    return pairs
