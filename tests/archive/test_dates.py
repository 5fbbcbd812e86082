"""Citation dates an article states about itself: front matter, meta tags and datelines (no files).

A table of article heads as they are written (English and Chinese, including the real archive's shapes),
what must not be taken for a dateline (a photo caption, an event in a sentence, a cited show, a URL),
and a property: every supported way of writing a date, standing alone on a line, reads back as itself.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from linkaudit.archive.dates import (
    citation_date_of_text,
    earliest,
    find_date,
    parse_cited_at,
    url_citation_dates,
)
from linkaudit.models import CitationDate, CitedAtSource, LinkKind, Occurrence
from linkaudit.urls import normalize

TODAY = date(2024, 6, 1)
FM = CitedAtSource.FRONT_MATTER
DL = CitedAtSource.DATELINE

# The real archive's article head (gnews), with its dateline as an inline code span under the title.
GNEWS_HEAD = """###  [:house:返回](README.md)
---


## 美情报官员指责中共对美情报活动危及国家安全
`3/17/2023 10:35 AM UTC GNEWSTAIWAN` [轉載自GNews](https://gnews.org/articles/1022139)

作者：磐石农场 在远方
 ![](https://assets.gnews.org/wp-content/uploads/2022/04/Screen-Shot.png)
台媒6月2日报道，美国国家情报首长办公室5月31日发表报告指出。
"""

# The seed article's head: no dateline at all, but a photo caption with a date and a body that names days.
SEED_HEAD = """###  [:house:返回首頁](https://github.com/ourhimalayas/txt)
---


## 普京直面对手乔拜登就乌危机主动电话斡旋避免酿大错
` 東京櫻花団-Tokyo Sakura Group` [轉載自GNews](https://gnews.org/zh-hans/1808313/)

作者：东京樱花团｜捆绑CCP一千年
![](https://assets.gnews.org/wp-content/uploads/2021/12/x.png)
[*图片来源（2021年6月16日乔拜登在日内瓦会见普京）*](https://storage.googleapis.com/afs-prod/media/3000.jpeg)

**美国总统拜登在俄罗斯撤军后应普京要求就乌克兰局势电话会谈近一个小时。**

据[雅虎日本](https://news.yahoo.co.jp/articles/33fe7f)31日消息称，美国总统拜登应俄罗斯普京总统的要求。
"""

# A transcript: the broadcast's date leads the title; a clip further down is dated by its own source.
TRANSCRIPT_HEAD = """## 2023年02月19日文貴大直播全文字版： 从欧美联合灭共看习近平的下场
[轉載自GNews](https://gnews.org/ThreadView/53837333)


摘要：“毛贼东”利用粮食和宣传口来管理党奴和中国老百姓；伊朗总统莱希到中国勾兑。

**00:00:00 视频一：02/14/2023 共和党议员沃尔茨和民主党议员加拉门迪议员谈对美军落飞行物的看法以及对减少的看法**
"""

HEADS: list[tuple[str, str, date | None, CitedAtSource | None]] = [
    ("gnews dateline, UTC", GNEWS_HEAD, date(2023, 3, 17), DL),
    ("seed: caption and body dates are not datelines", SEED_HEAD, None, None),
    ("transcript: the title's date beats a clip's", TRANSCRIPT_HEAD, date(2023, 2, 19), DL),
    ("US stamp moved to its UTC day", "# T\n\n`8/30/2023 11:09 PM EST`\n\nBody.\n", date(2023, 8, 31), DL),
    ("US stamp in UTC", "# T\n8/30/2023 5:09 AM UTC\n", date(2023, 8, 30), DL),
    ("day first when it cannot be a month", "# T\n\n31/12/2021\n", date(2021, 12, 31), DL),
    ("ISO alone in bold", "## 有声｜俄罗斯\n\n**By:秘翻新闻**\n\n**2022-05-25**\n", date(2022, 5, 25), DL),
    ("ISO with offset", "# T\nPublished: 2021-12-31T23:30:00-05:00\n", date(2022, 1, 1), DL),
    ("Chinese date and time", "# 标题\n\n2021年12月31日 10:35\n\n正文。\n", date(2021, 12, 31), DL),
    ("Chinese label", "# 标题\n发布时间：2021年12月31日\n", date(2021, 12, 31), DL),
    ("Traditional label", "# 標題\n發布時間：2021年12月31日 下午\n", date(2021, 12, 31), DL),
    ("author line with a date", "## 标题\n**作者发布于:2022-5-27**\n", date(2022, 5, 27), DL),
    ("full-width digits", "# 标题\n２０２１年１２月３１日\n", date(2021, 12, 31), DL),
    ("Korean", "# 제목\n\n2021년 12월 31일 오후 3:00\n", date(2021, 12, 31), DL),
    ("Month day, year", "# Title\n\nDecember 31, 2021\n\nText.\n", date(2021, 12, 31), DL),
    ("day Month year", "# Title\n\nPublished on 31 December 2021\n", date(2021, 12, 31), DL),
    ("byline then date", "# Title\nBy Jane Doe | Dec. 31, 2021\n", date(2021, 12, 31), DL),
    (
        "posted by ... on",
        "# Title\nPosted by Jane Doe on Friday, December 31st, 2021 at 10:00 am\n",
        date(2021, 12, 31),
        DL,
    ),
    ("linked byline", "# Title\nBy [Jane Doe](/authors/jane) · 31 Dec 2021\n", date(2021, 12, 31), DL),
    (
        "permalink date",
        "# Title\n[December 31, 2021](https://blog.example/2021/12/31/x)\n",
        date(2021, 12, 31),
        DL,
    ),
    (
        "news brief stamp",
        "# 标题\n5/12/2022 国际财经快讯:美国4月份通胀率下降，物价上行压力犹存\n",
        date(2022, 5, 12),
        DL,
    ),
    ("heading ending in a date", "## 郭文贵歌曲iTunes打榜记录 - 2024年3月5日\n正文\n", date(2024, 3, 5), DL),
    ("an event in a sentence", "# 标题\n2022年5月8日，G7领导人的官方声明：“我们将不遗余力”。\n", None, None),
    (
        "a cited show",
        "# 标题\n[2022年3月9日《文贵大直播》盖特视频链接](https://gettr.com/streaming/pz1o)\n",
        None,
        None,
    ),
    ("a show's title", "# 标题\n2022年3月9日《文贵大直播》\n", None, None),
    (
        "a date in a URL",
        "# 标题\n原文地址：[https://www.japantimes.co.jp/news/2022/05/25/x](https://www.japantimes.co.jp/news/2022/05/25/x)\n",
        None,
        None,
    ),
    (
        "a clip's date after its timecode",
        "# 标题\n00:00:00 视频一：02/14/2023 共和党议员谈对美军落飞行物的看法\n",
        None,
        None,
    ),
    (
        "an English sentence",
        "# Title\nOn December 31, 2021, the council voted to close the library for good.\n",
        None,
        None,
    ),
    (
        "too far down",
        "# Title\n" + "".join(f"Paragraph {n}.\n\n" for n in range(20)) + "December 31, 2021\n",
        None,
        None,
    ),
    ("in the future", "# Title\nDecember 31, 2031\n", None, None),
    ("before the web", "# Title\nJune 4, 1989\n", None, None),
    ("not a calendar date", "# Title\n2021-02-30\n", None, None),
    ("YAML date", "---\ntitle: x\ndate: 2021-12-31\n---\n# x\n\nJanuary 5, 2022\n", date(2021, 12, 31), FM),
    ("YAML date with zone", "---\ndate: 2021-12-31 23:30:00 -0500\n---\n", date(2022, 1, 1), FM),
    ("YAML quoted", '---\ndate: "2021-12-31T10:00:00Z"\n---\n', date(2021, 12, 31), FM),
    (
        "YAML date beats published",
        "---\npublished: 2020-01-01\ndate: 2021-12-31\n---\n",
        date(2021, 12, 31),
        FM,
    ),
    ("YAML published", "---\ntitle: x\npublished: 2021-12-31\n---\n", date(2021, 12, 31), FM),
    ("YAML pubDate in words", "---\npubDate: December 31, 2021\n---\n", date(2021, 12, 31), FM),
    (
        "YAML updated is not a citation date",
        "---\nupdated: 2023-01-01\n---\n# x\n\n2021-12-31\n",
        date(2021, 12, 31),
        DL,
    ),
    ("YAML nested date is not the article's", "---\nevent:\n  date: 2020-01-01\n---\n", None, None),
    ("TOML", '+++\ntitle = "x"\ndate = 2021-12-31T08:00:00+08:00\n+++\n', date(2021, 12, 31), FM),
    (
        "unclosed front matter: a Date: line",
        "---\ndate: 2021-12-31\n\nno closing fence\n",
        date(2021, 12, 31),
        DL,
    ),
    ("CRLF and BOM", "\ufeff---\r\ndate: 2021-12-31\r\n---\r\n", date(2021, 12, 31), FM),
]


HTML_HEADS: list[tuple[str, str, date | None, CitedAtSource | None]] = [
    (
        "Open Graph published time, to UTC",
        '<html><head><meta content="2021-12-31T23:30:00-05:00" property="article:published_time">'
        "</head><body><p>January 9, 2022</p></body></html>",
        date(2022, 1, 1),
        FM,
    ),
    (
        "JSON-LD",
        '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2021-12-31"}</script>',
        date(2021, 12, 31),
        FM,
    ),
    (
        "byline paragraph",
        "<html><head><title>T</title></head><body><h1>T</h1><p class=byline>By Jane | December 31, 2021</p>"
        "<p>On January 2, 2022, the council voted.</p></body></html>",
        date(2021, 12, 31),
        DL,
    ),
    (
        "time element",
        '<body><h1>T</h1><div class="meta">Posted <time datetime="2021-12-31T10:00:00Z">yesterday</time>'
        "</div>",
        date(2021, 12, 31),
        DL,
    ),
    ("nothing", "<html><body><h1>T</h1><p>Text without dates.</p></body></html>", None, None),
]


CASES = [(text, False, expected, source) for _, text, expected, source in HEADS] + [
    (text, True, expected, source) for _, text, expected, source in HTML_HEADS
]


@pytest.mark.parametrize(
    ("text", "is_html", "expected", "source"), CASES, ids=[h[0] for h in HEADS] + [h[0] for h in HTML_HEADS]
)
def test_article_heads(text: str, is_html: bool, expected: date | None, source: CitedAtSource | None) -> None:
    found = citation_date_of_text(text, is_html=is_html, today=TODAY)
    if expected is None:
        assert found is None
    else:
        assert found is not None
        assert (found.cited_at, found.source) == (expected, source)


MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")  # fmt: skip
WRITINGS = (
    lambda d: f"{d:%Y-%m-%d}",
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: f"{d:%Y.%m.%d}",
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: f"{d.year} 年 {d.month:02d} 月 {d.day:02d} 日",
    lambda d: f"{d.year}년 {d.month}월 {d.day}일",
    lambda d: f"{d.month}/{d.day}/{d.year} 5:09 AM UTC",
    lambda d: f"{MONTH_NAMES[d.month - 1]} {d.day}, {d.year}",
    lambda d: f"{MONTH_NAMES[d.month - 1][:3]}. {d.day} {d.year}",
    lambda d: f"{d.day} {MONTH_NAMES[d.month - 1]} {d.year}",
)


@given(
    day=st.dates(min_value=date(1991, 1, 1), max_value=TODAY),
    writing=st.sampled_from(range(len(WRITINGS))),
    heading=st.booleans(),
)
def test_every_writing_of_a_date_reads_back(day: date, writing: int, heading: bool) -> None:
    line = WRITINGS[writing](day)
    text = ("# " if heading else "# Title\n\n") + line + "\n\nBody text.\n"
    found = citation_date_of_text(text, today=TODAY)
    assert found is not None, line
    assert found.cited_at == day


@given(text=st.text(), is_html=st.booleans())
def test_any_text_is_data_never_an_exception(text: str, is_html: bool) -> None:
    found = citation_date_of_text(text, is_html=is_html, today=TODAY)
    assert found is None or date(1991, 1, 1) <= found.cited_at <= date(2024, 6, 2)


@given(
    day=st.dates(min_value=date(1991, 1, 2), max_value=date(2024, 5, 30)),
    hour=st.integers(0, 23),
    zone=st.sampled_from(["UTC", "+0800", "-05:00", "GMT+8", "UTC-9:30", "EST", "JST", "AEDT+14", "+99:99"]),
)
def test_stamps_with_any_zone(day: date, hour: int, zone: str) -> None:
    found = citation_date_of_text(f"# T\n{day:%Y-%m-%d} {hour:02d}:00 {zone}\n", today=TODAY)
    assert found is not None
    assert abs((found.cited_at - day).days) <= 1  # moved to its UTC day, or kept when the zone is impossible


def test_find_date_reports_where_the_stamp_is() -> None:
    line = "Updated 8/30/2023 11:09 PM EST by the desk"
    found = find_date(line, today=TODAY)
    assert found is not None
    day, start, end = found
    assert day == date(2023, 8, 31)
    assert line[start:end] == "8/30/2023 11:09 PM EST"


def test_parse_cited_at() -> None:
    assert parse_cited_at("2021-12-31") == date(2021, 12, 31)
    with pytest.raises(ValueError, match=r"--cited-at '31/12/2021': expected a date as YYYY-MM-DD"):
        parse_cited_at("31/12/2021")


def _occ(file: str, url: str) -> Occurrence:
    return Occurrence(file, 1, 1, 0, len(url), LinkKind.LINK, url, normalize(url))


def test_a_url_cited_by_several_articles_takes_the_earliest_date() -> None:
    by_file = {
        "a.md": CitationDate(date(2022, 3, 1), CitedAtSource.DATELINE),
        "b.md": CitationDate(date(2021, 7, 9), CitedAtSource.GIT),
        "c.md": CitationDate(date(2023, 1, 1), CitedAtSource.MTIME),
    }
    occurrences = [
        _occ("a.md", "https://news.example/x"),
        _occ("b.md", "https://news.example/x"),
        _occ("c.md", "https://news.example/x"),
        _occ("c.md", "https://news.example/y"),
        _occ("unknown.md", "https://news.example/z"),
    ]
    dates = url_citation_dates(occurrences, by_file)
    assert dates == {"https://news.example/x": by_file["b.md"], "https://news.example/y": by_file["c.md"]}
    assert earliest(by_file.values()) == by_file["b.md"]
    assert earliest([]) is None
