"""When did an article cite its links? The citation date of each file, and of each URL.

The archived copy worth offering for a dead link is the one nearest the day the author saw the page, so
every article gets a date, with where it was read (`CitedAtSource`), in this order of trust:

1. `--cited-at` (an override for the whole run).
2. Front matter: YAML (`---`) or TOML (`+++`) keys `date`, then `published`, `publishDate`/`publish_date`,
   `pubDate`, `date_published`/`datePublished`, `created`; in HTML, the publication `<meta>` tags
   (`article:published_time`, `datePublished`, `DC.date.issued`, `pubdate`, ...) and JSON-LD
   `datePublished`. Never `updated`/`lastmod`: a later edit does not re-date citations made earlier.
3. A dateline near the top: among the first lines of text, one that *is* a date (with a time, a time zone,
   a byline or a label such as "Published:" or "发布时间："), not a sentence that mentions one. Dates
   read: ISO (`2021-12-31`, `2021/12/31`, `2021.12.31`, with a time and offset), `2021年12月31日`,
   `2021년 12월 31일`, `8/30/2023 5:09 AM UTC` (month first, as US sites and the real archive write it;
   day first only when the first number cannot be a month), `December 31, 2021`, `31 December 2021`.
   A time with a zone is converted to UTC first. The real archive's articles carry one as an inline code
   span under the title: `` `3/17/2023 10:35 AM UTC GNEWSTAIWAN` ``.
4. The author date of the commit that first added the file, renames followed (what
   `git log --follow --diff-filter=A -- FILE` gives, last line), for every file of a repository from a
   single `git log --name-status` walk instead of one process per file (5,000 files over 500 commits:
   0.9 s, against 0.9 s per file one process each; benchmarks/citation_dates_bench.py). Unlike
   `--follow`, a copy does not inherit the history of the file it was copied from: an article made
   from a template is dated by its own first commit.
5. The file's modification time.

`cited_at` is always a UTC calendar date. A URL cited by several articles takes the earliest date.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

from linkaudit.models import CitationDate, CitedAtSource, Occurrence

__all__ = [
    "citation_date_of_text",
    "citation_dates",
    "decode_stated",
    "earliest",
    "encode_stated",
    "find_date",
    "git_added_dates",
    "parse_cited_at",
    "stated_date",
    "url_citation_dates",
]

#: How much of a file is read for its front matter and dateline; an HTML page's head can be long.
HEAD_BYTES = 16 * 1024
HTML_HEAD_BYTES = 128 * 1024
_HTML_SUFFIXES = (".html", ".htm", ".xhtml")
#: A dateline is among this many non-blank lines of text at the top (the real archive's is the third).
DATELINE_LINES = 12
_MAX_LINE = 200  # a longer line is a paragraph, not a dateline
_MAX_RAW_LINE = 1000  # the same before link targets and markup are taken out
_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")  # \d: full-width digits too
_MAX_BEFORE = 40  # characters a byline or label may take before the date
_MAX_AFTER = 60  # characters a time, zone or byline may take after it
_MAX_AFTER_WORDS = 6
_EARLIEST_YEAR = 1991  # the web's first year: an older date is history the article tells, not its own

_FRONT_MATTER_KEYS = ("date", "published", "publishdate", "publish_date", "pubdate", "date_published",
                      "datepublished", "created")  # fmt: skip
_HTML_META_NAMES = frozenset(
    {
        "article:published_time",
        "og:published_time",
        "datepublished",
        "date",
        "dc.date",
        "dc.date.issued",
        "dcterms.issued",
        "dcterms.created",
        "pubdate",
        "publishdate",
        "publish-date",
        "publish_date",
        "sailthru.date",
        "parsely-pub-date",
    }
)

_FULLWIDTH = str.maketrans("０１２３４５６７８９：／．－", "0123456789:/.-")
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+)?"
_DATE_PATTERNS = (
    # 2021-12-31, 2021/12/31, 2021.12.31 (one separator throughout)
    re.compile(r"(?<![\d.])(?P<year>\d{4})(?P<sep>[-/.])(?P<mon>\d{1,2})(?P=sep)(?P<day>\d{1,2})(?![\d])"),
    # 2021年12月31日, 2021 年 12 月 31 日, 2021年12月31号
    re.compile(r"(?<!\d)(?P<year>\d{4})\s*年\s*(?P<mon>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*[日号號]"),
    # 2021년 12월 31일
    re.compile(r"(?<!\d)(?P<year>\d{4})\s*년\s*(?P<mon>\d{1,2})\s*월\s*(?P<day>\d{1,2})\s*일"),
    # 8/30/2023 (month first unless the first number cannot be a month)
    re.compile(r"(?<![\d/])(?P<first>\d{1,2})/(?P<second>\d{1,2})/(?P<year>\d{4})(?![\d/])"),
    # December 31, 2021; Dec. 31 2021; Friday, December 31st, 2021
    re.compile(
        r"(?<![a-z])" + _WEEKDAY + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})(?!\d)",
        re.I,
    ),
    # 31 December 2021; Friday 31 Dec 2021
    re.compile(
        r"(?<![\w])"
        + _WEEKDAY
        + r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+"
        + _MONTH
        + r",?\s+(?P<year>\d{4})(?!\d)",
        re.I,
    ),
)
# What may follow a date in the same stamp: a time, a meridiem, a zone.
_TIME = re.compile(
    r"(?:\s*(?:,|at|@|T)?\s*)(?P<hour>\d{1,2})[:時时](?P<minute>\d{2})(?:[:分](?P<second>\d{2}))?(?:\.\d+)?"
    r"(?:\s*(?P<meridiem>[ap]\.?m\.?)(?![a-z]))?"
    r"(?:\s*(?P<zone>Z|UTC|GMT|[+-]\d{2}:?\d{2}|[A-Z]{3,4}(?![A-Za-z]))(?P<offset>[+-]\d{1,2}(?::?\d{2})?)?)?",
    re.I,
)
_ZONES = {
    **{"Z": 0, "UTC": 0, "GMT": 0, "EST": -5, "EDT": -4, "PST": -8, "PDT": -7, "MST": -7, "MDT": -6},
    **{"CET": 1, "CEST": 2, "BST": 1, "JST": 9, "KST": 9, "HKT": 8, "SGT": 8, "AEST": 10, "AEDT": 11},
}

_LABEL = re.compile(
    r"(?:(?:published|posted|updated|last updated|date|dated|created|written|issued|on)(?:\s+on)?"
    r"|(?:(?:posted|published|written)\s+)?by\s+.{1,40}?(?:\s+on)?"
    r"|发布|發布|發佈|发表|發表|刊登|出版|日期|时间|時間|发布时间|發布時間|發佈時間|发表时间|發表時間|发布日期|發布日期"
    r"|公開日|公开日|掲載日|投稿日|更新日|作成日|게시|작성|입력|등록)"
    r"\s*(?:于|於)?\s*:?\s*",
    re.I,
)
_SEPARATORS = "|｜·•—–-:"
_SENTENCE = re.compile(r"[，。；！？、]|[.!?]\s+\S")
_TITLE_MARKS = re.compile(r"[《〈「『“\"]")  # a work's title follows: a date of what is cited, not a stamp
_URL_TEXT = re.compile(r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.)\S*", re.I)
_LINK = re.compile(r"(!?)\[([^\]]*)\]\([^)]*\)|(!?)\[([^\]]*)\]\[[^\]]*\]")
_MARKUP = (
    (re.compile(r"<[^>]*>"), " "),  # raw HTML, autolinks
    (_URL_TEXT, " "),  # a URL's /2022/05/25/ is where a page lives, not when the article was written
    (re.compile(r"[*_`~]+"), " "),  # emphasis, code spans
    (re.compile(r"^\s*(?:(?:#{1,6}|>|[-+*])\s+)+"), ""),  # headings, quotes, list items
    (re.compile(r"\s+"), " "),
)


@dataclass(frozen=True, slots=True)
class _Found:
    """A date found in a line: the UTC date, where it starts and where its stamp (time, zone) ends."""

    day: date
    start: int
    end: int


def _valid(year: int, month: int, day: int, today: date) -> date | None:
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    if found.year < _EARLIEST_YEAR or found > today + timedelta(days=1):
        return None
    return found


def _to_utc(day: date, text: str, pos: int) -> tuple[date, int]:
    """Convert `day` to UTC when a time with a zone follows at `pos`; returns the date and the stamp's end."""
    match = _TIME.match(text, pos)
    if match is None:
        return day, pos
    hour, minute = int(match["hour"]), int(match["minute"])
    meridiem = (match["meridiem"] or "").lower().replace(".", "")
    if meridiem == "pm" and hour < 12:
        hour += 12
    elif meridiem == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return day, pos
    zone = match["zone"]
    if zone is None:
        return day, match.end()
    offset = _zone_offset(zone, match["offset"])
    if offset is None:  # an unknown abbreviation: the time stands, the date as written
        return day, match.start("zone")
    moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=offset)
    return moment.astimezone(UTC).date(), match.end()


def _zone_offset(zone: str, extra: str | None) -> timezone | None:
    """The offset of `UTC`, `EST`, `+0800`, `+08:00`, or `UTC+8`/`GMT-05:00` (`extra`); None when unknown
    or impossible (beyond a day)."""
    upper = zone.upper()
    if upper in _ZONES:
        shift = timedelta(hours=_ZONES[upper])
        if extra is not None:
            digits = extra.replace(":", "")
            sign = -1 if digits[0] == "-" else 1
            hours, minutes = (digits[1:3], digits[3:5]) if len(digits) > 3 else (digits[1:], "0")
            shift += sign * timedelta(hours=int(hours), minutes=int(minutes))
    elif upper[0] in "+-":
        digits = upper[1:].replace(":", "")
        shift = (-1 if upper[0] == "-" else 1) * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4]))
    else:
        return None
    if abs(shift) >= timedelta(hours=24):
        return None
    return timezone(shift)


def find_date(text: str, *, today: date | None = None) -> tuple[date, int, int] | None:
    """The first plausible calendar date in `text` as (UTC date, start, end of its stamp), or None.

    A time with a zone right after the date moves it to its UTC day; dates before 1991 or in the future
    are passed over. Full-width digits count as digits.
    """
    found = _first_date(text.translate(_FULLWIDTH), today or datetime.now(UTC).date())
    return None if found is None else (found.day, found.start, found.end)


def _first_date(text: str, today: date) -> _Found | None:
    best: _Found | None = None
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            if best is not None and match.start() >= best.start:
                break
            groups = match.groupdict()
            year = int(groups["year"])
            if groups.get("first") is not None:
                first, second = int(groups["first"]), int(groups["second"])
                month, day = (first, second) if first <= 12 else (second, first)
            elif groups.get("month") is not None:
                month, day = _MONTHS[groups["month"].lower()], int(groups["day"])
            else:
                month, day = int(groups["mon"]), int(groups["day"])
            valid = _valid(year, month, day, today)
            if valid is None:
                continue
            utc_day, end = _to_utc(valid, text, match.end())
            best = _Found(utc_day, match.start(), max(end, match.end()))
            break
    return best


def _plain(line: str, today: date) -> str:
    """A line of Markdown as a reader sees it: no URLs, emphasis, code ticks or block markers. A link's text
    stays when it is only a date (a permalink); a link whose text holds a date and more ("[2022年3月9日
    《文贵大直播》](…)") names what it cites, and becomes "…"."""
    text = line.translate(_FULLWIDTH)

    def link_text(match: re.Match[str]) -> str:
        if match[1] or match[3]:
            return " "  # an image's alt text is no part of the line
        inner = match[2] if match[2] is not None else match[4]
        found = _first_date(inner, today)
        if found is None or not (inner[: found.start] + inner[found.end :]).strip(" *_`~"):
            return inner
        return "…"

    text = _LINK.sub(link_text, text)
    for pattern, replacement in _MARKUP:
        text = pattern.sub(replacement, text)
    return html.unescape(text).strip()


def _dateline(text: str, *, heading: bool, today: date) -> tuple[int, _Found] | None:
    """The date of a line that is a dateline, with its rank (lower is surer), or None for a line that only
    mentions a date. Ranks: 0, the line is a stamp (a date led by at most a label or a byline, followed
    by at most a time, a zone and a short byline); 1, a heading that begins with a date (a transcript's
    "2023年02月19日文貴大直播"); 2, a line that begins with a date and a space, then text (a news brief's
    "5/12/2022 国际财经快讯"). A date inside a sentence ("图片来源（2021年6月16日…）", "2022年5月8日，G7…")
    is an event the article tells of, not when it was written.
    """
    if len(text) > _MAX_LINE:
        return None
    found = _first_date(text, today)
    if found is None:
        return None
    before = text[: found.start].strip()
    after = text[found.end :].strip()
    labelled = not before or _LABEL.fullmatch(before) is not None
    # A byline or a site's name ends with a separator; a prefix with digits is a timecode or a numbering.
    bylined = (
        len(before) <= _MAX_BEFORE
        and before[-1:] in tuple(_SEPARATORS)
        and not _SENTENCE.search(before)
        and not any(c.isdigit() for c in before)
    )
    # What follows a stamp is a byline or a source; a clause ("…, 2021, the council voted to …") is prose.
    stamp = (
        not _SENTENCE.search(after)
        and not _TITLE_MARKS.search(after)
        and not after.startswith(",")
        and len(after.split()) <= _MAX_AFTER_WORDS
    )
    if (labelled or bylined) and len(after) <= _MAX_AFTER and stamp:
        return 0, found
    if heading and not before:
        return 1, found
    if labelled and text[found.end : found.end + 1].isspace() and after[:1].isalnum():
        return 2, found
    return None


_BLANK_OR_RULE = re.compile(r"[-=*_\s]*")  # blank lines and thematic breaks


def _head_lines(text: str, limit: int) -> Iterator[str]:
    taken = 0
    for raw in text.splitlines():
        if taken >= limit:
            return
        if _BLANK_OR_RULE.fullmatch(raw):
            continue
        taken += 1
        yield raw


def _front_matter(text: str) -> tuple[dict[str, str], int]:
    """Top-level scalar keys (lower-cased) of a YAML or TOML front matter block, and where the body starts."""
    first, _, rest = text.partition("\n")
    fence = first.strip()
    if fence not in ("---", "+++"):
        return {}, 0
    closers = ("---", "...") if fence == "---" else ("+++",)
    values: dict[str, str] = {}
    offset = len(first) + 1
    for line in rest.splitlines(keepends=True):
        offset += len(line)
        stripped = line.strip()
        if stripped in closers:
            return values, offset
        key, sep, value = line.partition(":" if fence == "---" else "=")
        if sep and key and not key[0].isspace():
            values.setdefault(key.strip().strip("'\"").lower(), value.strip().strip("'\""))
    return {}, 0  # never closed: not front matter


def _from_front_matter(text: str, today: date) -> tuple[CitationDate | None, int]:
    values, body = _front_matter(text)
    for key in _FRONT_MATTER_KEYS:
        value = values.get(key)
        if value:
            found = _first_date(value.translate(_FULLWIDTH), today)
            if found is not None:
                return CitationDate(found.day, CitedAtSource.FRONT_MATTER, f"{key}: {value}"), body
    return None, body


_META = re.compile(r"<meta\b[^>]*>", re.I)
_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_JSON_LD_DATE = re.compile(r""""datePublished"\s*:\s*"([^"]+)\"""")
_TIME_TAG = re.compile(r"<time\b[^>]*\bdatetime\s*=\s*[\"']?([^\"'>\s]+)", re.I)
_HIDDEN = re.compile(r"<(script|style|head|nav|noscript)\b.*?</\1\s*>", re.I | re.S)
_BLOCK_END = re.compile(r"<(?:br|/?p|/?div|/?h[1-6]|/?li|/?header|/time)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]*>")


def _from_html_meta(source: str, today: date) -> CitationDate | None:
    for tag in _META.finditer(source):
        attrs = {m[1].lower(): m[2] or m[3] or m[4] or "" for m in _ATTR.finditer(tag[0])}
        name = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").lower()
        if name in _HTML_META_NAMES and attrs.get("content"):
            found = _first_date(attrs["content"], today)
            if found is not None:
                return CitationDate(
                    found.day, CitedAtSource.FRONT_MATTER, f"<meta {name}>: {attrs['content']}"
                )
    match = _JSON_LD_DATE.search(source)
    if match is not None:
        found = _first_date(match[1], today)
        if found is not None:
            return CitationDate(found.day, CitedAtSource.FRONT_MATTER, f"datePublished: {match[1]}")
    return None


def _html_text_lines(source: str) -> str:
    """The text at the top of an HTML page, a line per block: enough to find a dateline, no more."""
    body = _HIDDEN.sub(" ", source)
    body = _TIME_TAG.sub(lambda m: f"\n{m[1]}\n{m[0]}", body)  # <time datetime> states the date exactly
    body = _BLOCK_END.sub("\n", body)
    return html.unescape(_TAG.sub(" ", body))


def citation_date_of_text(
    text: str, *, is_html: bool = False, today: date | None = None
) -> CitationDate | None:
    """The citation date an article states about itself (front matter, meta tags, dateline), if any."""
    today = today or datetime.now(UTC).date()
    text = text.removeprefix("\ufeff")
    if is_html:
        stated = _from_html_meta(text, today)
        if stated is not None:
            return stated
        text = _html_text_lines(text)
        body = 0
    else:
        stated, body = _from_front_matter(text, today)
        if stated is not None:
            return stated
    best: tuple[int, str, _Found] | None = None
    for raw in _head_lines(text[body:], DATELINE_LINES):
        if len(raw) > _MAX_RAW_LINE or not _YEAR.search(raw):
            continue  # a paragraph, or no year: most lines, spared the date patterns
        plain = _plain(raw, today)
        ranked = _dateline(plain, heading=raw.lstrip().startswith("#"), today=today)
        if ranked is not None and (best is None or ranked[0] < best[0]):
            best = (ranked[0], plain, ranked[1])
            if ranked[0] == 0:
                break  # nothing ranks above a stamp
    if best is None:
        return None
    _, plain, found = best
    return CitationDate(found.day, CitedAtSource.DATELINE, plain[found.start : found.end])


def parse_cited_at(value: str) -> date:
    """`--cited-at YYYY-MM-DD`; raises ValueError with a message that says what was expected."""
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"--cited-at {value!r}: expected a date as YYYY-MM-DD (e.g. 2021-12-31)") from None


# ---- git: the commit that first added each file ----


def _repo_root(directory: Path, cache: dict[Path, Path | None]) -> Path | None:
    """The working tree holding `directory` (a `.git` folder, or a `.git` file in a worktree)."""
    seen: list[Path] = []
    current: Path | None = directory
    root: Path | None = None
    while current is not None:
        if current in cache:
            root = cache[current]
            break
        seen.append(current)
        if (current / ".git").exists():
            root = current
            break
        current = current.parent if current.parent != current else None
    for folder in seen:
        cache[folder] = root
    return root


def _git_log(root: Path) -> Iterator[str]:
    """The NUL-separated tokens of one walk over a repository's history: a `\\x01DATE` token opens each
    commit, then its additions and renames as `A path` and `R### old new` token groups."""
    command = [
        "git", "-C", str(root), "-c", "core.quotepath=off", "log", "--no-show-signature", "--no-relative",
        "-z", "--topo-order", "--name-status", "-M", "--diff-filter=AR", "--format=%x01%aI",
    ]  # fmt: skip
    env = {**os.environ, "GIT_PAGER": "cat", "LC_ALL": "C", "GIT_OPTIONAL_LOCKS": "0"}
    try:
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=env
        )
    except OSError:  # no git on this machine
        return
    assert process.stdout is not None
    pending = b""
    try:
        while chunk := process.stdout.read(1 << 16):
            *tokens, pending = (pending + chunk).split(b"\0")
            for token in tokens:
                yield token.decode("utf-8", errors="surrogateescape")
        if pending:
            yield pending.decode("utf-8", errors="surrogateescape")
    finally:
        process.stdout.close()
        process.wait()


def _added_in(root: Path, wanted: Iterable[str]) -> dict[str, datetime]:
    """For each path (relative to `root`, as at HEAD) the author date of the commit that first added it.

    Walking from the newest commit back, each wanted file is followed under its current name; a rename
    `R old new` moves it to `old`, an addition `A name` dates it (an older addition of the same name, after
    a delete, dates it again: the oldest wins, as the last line of `git log --follow --diff-filter=A`).
    """
    following: dict[str, list[str]] = defaultdict(list)
    for path in wanted:
        following[path].append(path)
    added: dict[str, datetime] = {}
    when: datetime | None = None
    tokens = _git_log(root)
    for raw in tokens:
        token = raw.lstrip("\n")
        if token.startswith("\x01"):
            when = datetime.fromisoformat(token[1:].strip())
            continue
        if not token or when is None:
            continue
        if token[0] == "R":
            old, new = next(tokens, ""), next(tokens, "")
            moved = following.pop(new, None)
            if moved:
                following[old].extend(moved)
        elif token[0] == "A":
            for path in following.get(next(tokens, ""), ()):
                added[path] = when
    return added


def git_added_dates(files: Iterable[Path]) -> dict[Path, date]:
    """The UTC date each file was first committed (renames followed), for files in git working trees.

    One `git log` walk per repository, whatever the number of files. Files outside any repository, not
    committed yet, or in a repository git refuses to read (not installed, unsafe owner) are left out.
    """
    roots: dict[Path, Path | None] = {}
    folders: dict[Path, Path] = {}
    by_root: dict[Path, dict[str, list[Path]]] = defaultdict(lambda: defaultdict(list))
    for file in files:
        # Resolving a folder once for all its files: realpath per file cost 3 s on 46,000 files.
        if os.path.islink(file):
            resolved = file.resolve()
        else:
            folder = folders.get(file.parent)
            if folder is None:
                folder = folders[file.parent] = file.parent.resolve()
            resolved = folder / file.name
        root = _repo_root(resolved.parent, roots)
        if root is not None:
            by_root[root][resolved.relative_to(root).as_posix()].append(file)
    dates: dict[Path, date] = {}
    for root, wanted in by_root.items():
        for relative, when in _added_in(root, wanted).items():
            for file in wanted[relative]:
                dates[file] = when.astimezone(UTC).date()
    return dates


def _decode_head(data: bytes, size: int) -> str | None:
    """The first `size` bytes of a file as text, decoded as the extractor would; None if they do not."""
    from linkaudit.extract.document import ExtractError, decode  # noqa: PLC0415 - keeps the import light

    whole = len(data) <= size
    data = data[:size]
    # A prefix may end inside a character: give back up to three bytes until it decodes.
    for trim in range(1 if whole else 4):
        try:
            return decode(data[: len(data) - trim])[0]
        except (ExtractError, UnicodeDecodeError):
            continue
    return None


def _read_head(path: Path) -> tuple[str, bool] | None:
    """The start of a file as text (decoded as the extractor would) and whether it is HTML."""
    is_html = path.suffix.lower() in _HTML_SUFFIXES
    size = HTML_HEAD_BYTES if is_html else HEAD_BYTES
    try:
        with path.open("rb") as handle:
            data = handle.read(size + 1)
    except OSError:
        return None
    text = _decode_head(data, size)
    return (text, is_html) if text is not None else None


def stated_date(data: bytes, name: str | Path, *, today: date | None = None) -> CitationDate | None:
    """The citation date a file states about itself (front matter, meta tags, dateline), from its bytes
    (an extraction worker has them already): what `citation_dates` reads from the file's head."""
    is_html = Path(name).suffix.lower() in _HTML_SUFFIXES
    text = _decode_head(data, HTML_HEAD_BYTES if is_html else HEAD_BYTES)
    return citation_date_of_text(text, is_html=is_html, today=today) if text is not None else None


def encode_stated(stated: CitationDate | None) -> str:
    """A stated date as the extraction cache keeps it: `YYYY-MM-DD<TAB>source<TAB>detail`, or `-` for none."""
    if stated is None:
        return "-"
    return f"{stated.cited_at.isoformat()}\t{stated.source.value}\t{stated.detail.replace(chr(9), ' ')}"


def decode_stated(text: str) -> CitationDate | None:
    """`encode_stated` read back; None for none (or an entry that does not read)."""
    day, _, rest = text.partition("\t")
    source, _, detail = rest.partition("\t")
    try:
        return CitationDate(date.fromisoformat(day), CitedAtSource(source), detail)
    except ValueError:
        return None


def citation_dates(
    files: Iterable[str | Path] | Mapping[str, Path],
    *,
    override: date | None = None,
    use_git: bool = True,
    today: date | None = None,
    stated: Mapping[str, CitationDate | None] | None = None,
) -> dict[str, CitationDate]:
    """The citation date of every file, keyed by the path as given (`str(path)`), or by the keys of a
    mapping `{name: path}` (the names occurrences carry, e.g. `{f.display: f.path for f in inputs}`). A
    file that cannot be read at all still gets one, from its mtime or today. `stated` holds, by key, what
    files state already known (the extraction workers read it: None for nothing stated); those files are
    not read again."""
    if isinstance(files, Mapping):
        paths = {key: path if isinstance(path, Path) else Path(path) for key, path in files.items()}
    else:
        paths = {str(file): Path(file) for file in files}
    if override is not None:
        return {key: CitationDate(override, CitedAtSource.OVERRIDE, "--cited-at") for key in paths}
    today = today or datetime.now(UTC).date()
    dates: dict[str, CitationDate] = {}
    undated: dict[str, Path] = {}
    known = stated or {}
    for key, path in paths.items():
        if key in known:
            said = known[key]
        else:
            head = _read_head(path)
            said = citation_date_of_text(head[0], is_html=head[1], today=today) if head is not None else None
        if said is not None:
            dates[key] = said
        else:
            undated[key] = path
    committed = git_added_dates(undated.values()) if use_git and undated else {}
    for key, path in undated.items():
        if path in committed:
            dates[key] = CitationDate(committed[path], CitedAtSource.GIT, "first commit")
            continue
        try:
            mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC).date()
        except OSError:
            mtime = today
        dates[key] = CitationDate(mtime, CitedAtSource.MTIME, "modification time")
    return dates


def earliest(dates: Iterable[CitationDate]) -> CitationDate | None:
    """The earliest of several citation dates (the first seen among equal dates), or None."""
    return min(dates, key=lambda d: d.cited_at, default=None)


def url_citation_dates(
    occurrences: Iterable[Occurrence], by_file: Mapping[str, CitationDate]
) -> dict[str, CitationDate]:
    """Each cited URL's citation date: the earliest of the articles citing it (files without a date are
    passed over)."""
    best: dict[str, CitationDate] = {}
    for occ in occurrences:
        dated = by_file.get(occ.file)
        if dated is None:
            continue
        url = occ.target.url
        current = best.get(url)
        if current is None or dated.cited_at < current.cited_at:
            best[url] = dated
    return best
