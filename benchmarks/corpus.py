"""Benchmark archives of the real archive's shape, built locally so nothing is fetched at benchmark time.

The real archive (github.com/ourhimalayas/txt) is 46,292 Markdown files, 249 MB, ~333,000 links on
~106,000 distinct URLs and ~3,760 hosts, nearly all CRLF Chinese prose. Timing an extractor on a few
hundred files says little about a run over that, so the benchmark rebuilds that size:

- `replicate`: copies a real sample (`../shared/corpus/archive-sample`) until the file count is
  reached, varying every copy (numbers in URLs, hosts, an added link-free paragraph) so that files are
  not byte-identical and distinct URLs and hosts grow with the archive as they do in the real one,
  while footer links stay the same everywhere (they are template links in the real archive too).
- `synthesize`: when the sample is not there (the project must not depend on it), generates articles
  of the same shape from the figures in the corpus README: link kinds, image alt text, relative and
  root-relative index links, percent-encoded and non-ASCII URLs, odd schemes, URL-as-text links.

Both are deterministic, so two runs at the same scale measure the same bytes.
"""

from __future__ import annotations

import json
import math
import random
import re
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = [
    "FULL_BYTES",
    "FULL_DISTINCT_URLS",
    "FULL_FILES",
    "FULL_HOSTS",
    "FULL_LINKS",
    "ArchiveInfo",
    "build_archive",
    "replicate",
    "synthesize",
]

FULL_FILES = 46_292
FULL_BYTES = 249_000_000
FULL_LINKS = 333_000
FULL_DISTINCT_URLS = 106_000
FULL_HOSTS = 3_760

_FORMAT_VERSION = 2
_HOST_VARIANTS = 32
# Where a URL ends inside Markdown or prose; only used to find URLs to vary, not to extract them.
_URL = re.compile(r"https?://([A-Za-z0-9.\-]+)([^\s<>()\[\]\"'，。、；：！？）》」】]*)")
_DIGITS = re.compile(r"%[0-9A-Fa-f]{2}|(\d{2,})")
_LINK_FREE_BAD = re.compile(r"[\[\]()<>`|*_\\#]|http|www\.", re.IGNORECASE)


@dataclass(frozen=True)
class ArchiveInfo:
    """What was built: enough to tell whether a cached archive still matches the request."""

    path: str
    source: str
    scale: float
    files: int
    bytes: int
    version: int = _FORMAT_VERSION


def build_archive(dest: Path, scale: float, sample: Path | None) -> ArchiveInfo:
    """Build (or reuse, when its manifest matches) a benchmark archive at `dest`."""
    source = f"replicated from {sample}" if sample is not None else "synthetic"
    manifest = dest / ".manifest.json"
    if manifest.exists():
        try:
            info = ArchiveInfo(**json.loads(manifest.read_text()))
        except (TypeError, ValueError):
            info = None
        if (
            info is not None
            and info.scale == scale
            and info.source == source
            and info.version == _FORMAT_VERSION
        ):
            return info
    if dest.exists():
        shutil.rmtree(dest)
    tmp = dest.with_name(dest.name + ".partial")
    if tmp.exists():
        shutil.rmtree(tmp)
    files, size = replicate(sample, tmp, scale) if sample is not None else synthesize(tmp, scale)
    info = ArchiveInfo(path=str(dest), source=source, scale=scale, files=files, bytes=size)
    # A hidden file: both tools skip it, so it is not part of what is measured.
    (tmp / ".manifest.json").write_text(json.dumps(asdict(info)))
    tmp.rename(dest)
    return info


def _copy_name(rel: str, copy: int) -> str:
    if copy == 0:
        return rel
    stem, dot, ext = rel.rpartition(".")
    return f"{stem}-{copy}.{ext}" if dot else f"{rel}-{copy}"


def _link_free_paragraphs(texts: list[str]) -> list[str]:
    """Prose lines without any link syntax: padding that adds bytes, not links."""
    pool: list[str] = []
    for text in texts:
        for line in text.split("\r\n"):
            stripped = line.strip()
            if (
                len(stripped.encode()) >= 120
                and line[:1] not in " \t-+>=0123456789"
                and not _LINK_FREE_BAD.search(line)
            ):
                pool.append(stripped)
    return pool or [
        "这是一段用于填充基准测试文件的普通文字，其中没有任何链接，只是让文件的大小接近真实存档的平均大小。"
    ]


def replicate(sample: Path, dest: Path, scale: float) -> tuple[int, int]:
    """Copy the sample's Markdown files to `FULL_FILES * scale` files of `FULL_BYTES * scale` bytes."""
    rels = sorted(
        str(path.relative_to(sample))
        for path in sample.rglob("*.md")
        if not any(p.startswith(".") for p in path.parts)
    )
    if not rels:
        raise ValueError(f"no Markdown files under {sample}")
    raw = [(sample / rel).read_bytes() for rel in rels]
    texts = [data.decode("utf-8", errors="surrogateescape") for data in raw]
    n_files = max(1, round(FULL_FILES * scale))

    # URLs cited in many sample files are footers and navigation: the same in every copy, as in the archive.
    files_per_url: Counter[str] = Counter()
    urls_per_host: dict[str, set[str]] = {}
    for text in texts:
        found = {m.group(0) for m in _URL.finditer(text)}
        files_per_url.update(found)
        for url in found:
            urls_per_host.setdefault(_URL.match(url).group(1).lower(), set()).add(url)  # type: ignore[union-attr]
    constant = {url for url, count in files_per_url.items() if count * 20 >= len(texts)}
    varying = len(files_per_url) - len(constant)
    # Distinct URLs grow with copies until each varying URL has `variants` forms (~106,000 at full size).
    variants = max(1, round((FULL_DISTINCT_URLS - len(constant)) / max(1, varying)))
    # The publisher's hosts (most distinct URLs) keep their name; other hosts get up to 32 forms.
    big_hosts = {host for host, urls in urls_per_host.items() if len(urls) * 10 >= varying}

    pool = _link_free_paragraphs(texts)
    base_total = sum(len(raw[i % len(raw)]) for i in range(n_files))
    pad_total = max(0, round(FULL_BYTES * scale) - base_total)
    written = 0
    padded = 0
    made_dirs: set[Path] = set()
    for j in range(n_files):
        index, copy = j % len(rels), j // len(rels)
        variant = copy % variants
        text = texts[index]
        if copy:
            text = _URL.sub(_varier(variant, constant, big_hosts), text)
            # Pad towards the archive's average file size with prose from another article.
            want = pad_total * (j + 1) // n_files - padded
            extra: list[str] = []
            size = 0
            k = (j * 7919) % len(pool)
            while size < want:
                para = pool[k % len(pool)]
                extra.append(para)
                size += len(para.encode()) + 4
                k += 1
            if extra:
                tail = "" if text.endswith("\n") else "\r\n"
                text = text + tail + "".join("\r\n" + para + "\r\n" for para in extra)
        data = text.encode("utf-8", errors="surrogateescape")
        if copy:
            padded += len(data) - len(raw[index])
        path = dest / _copy_name(rels[index], copy)
        if path.parent not in made_dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            made_dirs.add(path.parent)
        path.write_bytes(data)
        written += len(data)
    return n_files, written


def _varier(variant: int, constant: set[str], big_hosts: set[str]) -> Callable[[re.Match[str]], str]:
    """A URL rewriter for one copy: the last number in the path shifted, the host renamed."""
    host_variant = variant % _HOST_VARIANTS

    def vary(match: re.Match[str]) -> str:
        url = match.group(0)
        if variant == 0 or url in constant:
            return url
        host, rest = match.group(1), match.group(2)
        scheme = url[: match.start(1) - match.start(0)]
        if host_variant and host.lower() not in big_hosts and "." in host:
            labels = host.split(".")
            labels[-2] += f"-{host_variant}"
            host = ".".join(labels)
        numbers = [m for m in _DIGITS.finditer(rest) if m.group(1) is not None]
        if numbers:
            last = numbers[-1]
            shifted = str(int(last.group(1)) + variant * 7919).zfill(len(last.group(1)))
            rest = rest[: last.start(1)] + shifted + rest[last.end(1) :]
        else:
            rest = f"/v{variant}" + rest
        return scheme + host + rest

    return vary


# --- synthetic articles -------------------------------------------------------------------------------

_CJK = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后"
    "多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还"
    "因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结"
)
_CJK_PUNCT = "，，，，。。、；：！？"
_WORDS = (
    "news",
    "times",
    "post",
    "daily",
    "herald",
    "tribune",
    "journal",
    "review",
    "world",
    "voice",
    "asia",
    "report",
    "press",
    "wire",
    "globe",
    "star",
    "today",
    "media",
    "focus",
    "observer",
)
_TLDS = ("com", "com", "com", "org", "net", "co.uk", "com.tw", "jp", "de", "fr", "io", "tv")


class _Prose:
    """Chinese-looking text, sliced from one random pool: generating it character by character would
    take minutes for 249 MB."""

    def __init__(self, rng: random.Random) -> None:
        chars = [rng.choice(_CJK) if rng.random() > 0.07 else rng.choice(_CJK_PUNCT) for _ in range(1 << 16)]
        self.pool = "".join(chars) * 2

    def take(self, rng: random.Random, chars: int) -> str:
        start = rng.randrange(len(self.pool) // 2)
        return self.pool[start : start + min(chars, len(self.pool) // 2)]

    def word(self, n: int, chars: int) -> str:
        """The same text for the same `n`: part of a URL that must stay one distinct URL."""
        start = (n * 7919) % (len(self.pool) // 2)
        return self.pool[start : start + chars].replace("，", "").replace("。", "") or "新闻"


class _Urls:
    """URLs cycling through ~106,000 distinct ones (at full size) on ~3,760 hosts, ~42% on the
    publisher's host, 6% with non-ASCII or percent-encoded characters."""

    def __init__(self, scale: float, prose: _Prose) -> None:
        self.pool = max(50, round(FULL_DISTINCT_URLS * 0.65 * scale))  # images, index links: the rest
        self.hosts = max(10, round(FULL_HOSTS * min(1.0, scale * 4)))
        self.prose = prose
        self.counter = 0

    def host(self, n: int) -> str:
        word = _WORDS[n % len(_WORDS)]
        tld = _TLDS[(n // len(_WORDS)) % len(_TLDS)]
        return f"www.{word}{n // len(_WORDS) or ''}.{tld}"

    def next(self) -> str:
        self.counter += 1
        n = (self.counter * 7919) % self.pool
        if n % 100 < 42:
            return f"https://gnews.org/zh-hans/{1_000_000 + n}/"
        host = self.host(n % self.hosts)
        roll = n % 50
        if roll < 2:
            return f"https://{host}/2021/{n % 12 + 1:02d}/{self.prose.word(n, 6)}-{n}.html"
        if roll == 2:
            return f"https://{host}/tag/%E6%96%B0%E9%97%BB-{n}"
        return f"https://{host}/news/{2019 + n % 4}/article-{n}.html"


def _cite(rng: random.Random, urls: _Urls, prose: _Prose) -> str:
    """One citation in an article's body, in the archive's mix of kinds."""
    roll = rng.random()
    if roll < 0.37:  # images, mostly without alt text
        alt = "" if rng.random() < 0.89 else prose.take(rng, 5)
        name = prose.word(rng.randrange(urls.pool // 4), 8)
        month = rng.randrange(1, 13)
        return f"![{alt}](https://assets.gnews.org/wp-content/uploads/2021/{month:02d}/{name}.png)"
    if roll < 0.405:  # bare URLs in prose, sometimes glued to the text before them
        return urls.next()
    if roll < 0.4058:
        return f"<{urls.next()}>"
    if roll < 0.4064:
        return "www." + urls.next().split("://", 1)[1]
    if roll < 0.47:  # root-relative index links
        return f"[{prose.take(rng, 4)}](/content/gnews/README-{rng.randrange(200)}.md)"
    if roll < 0.481:
        return f"[IPFS](ipfs://Qm{rng.getrandbits(160):040x})"
    if roll < 0.4813:
        return f"[{prose.take(rng, 4)}](hhttps://{urls.next().split('://', 1)[1]})"
    if roll < 0.4822:  # a URL shown as text, pointing elsewhere
        return f"[{urls.next()}]({urls.next()})"
    if roll < 0.4835:
        return f"[{prose.take(rng, 4)}](https://gnews.org/%25E5%25A4%25A7-{rng.randrange(10**6)}/)"
    return f"[{prose.take(rng, rng.randrange(2, 9))}]({urls.next()})"


_FOOTER = (
    "\r\n\r\n[法治基金](https://rolfoundation.org/) [法治社会](https://rolsociety.org/) "
    "[使用条款](https://gnews.org/terms-of-use-3/) [隐私政策](https://gnews.org/privacy-policy/)\r\n"
)


def _article(rng: random.Random, urls: _Urls, prose: _Prose, size: int, cites: int) -> str:
    head = (
        "###  [:house:返回首页](README.md)\r\n---\r\n\r\n\r\n"
        f"## {prose.take(rng, rng.randrange(12, 30))}\r\n"
        f"`作者：{prose.take(rng, 3)}` [GNews]({urls.next()})\r\n\r\n"
    )
    foot = _FOOTER if rng.random() < 0.55 else "\r\n"
    body = [_cite(rng, urls, prose) for _ in range(cites)]
    budget = max(60, size - len(head.encode()) - len(foot.encode()) - sum(len(c.encode()) + 2 for c in body))
    n_par = max(1, budget // 400)
    per = budget // 3 // n_par  # CJK is three bytes in UTF-8
    paragraphs = [prose.take(rng, per) for _ in range(n_par)]
    for cite in body:
        p = rng.randrange(n_par)
        cut = rng.randrange(len(paragraphs[p]) + 1)
        sep = " " if cite[:4] in ("http", "www.") and rng.random() < 0.5 else ""
        paragraphs[p] = paragraphs[p][:cut] + sep + cite + sep + paragraphs[p][cut:]
    if rng.random() < 0.02:
        paragraphs.append("```\r\n[不是引用](https://code.example/not-a-citation)\r\n```")
    return head + "\r\n\r\n".join(paragraphs) + foot


def synthesize(dest: Path, scale: float, seed: int = 20_240_531) -> tuple[int, int]:
    """Generate `FULL_FILES * scale` synthetic articles of the real archive's shape."""
    rng = random.Random(seed)
    prose = _Prose(rng)
    urls = _Urls(scale, prose)
    n_files = max(1, round(FULL_FILES * scale))
    mean_size = FULL_BYTES / FULL_FILES
    mean_cites = FULL_LINKS / FULL_FILES - 2 - 0.55 * 4  # header and source links, footers in 55% of files
    written = 0
    made: set[Path] = set()
    for j in range(n_files):
        if j % 7 == 0:
            rel = f"transcript/{2017 + j % 6}/{j % 12 + 1:02d}/{20170101 + j}-{1_090_000 + j}.md"
        else:
            rel = f"gnews/{1_000_000 + j}.md"
        # Sizes are skewed as real ones are: most articles short, a few long; citations grow with them.
        factor = min(12.0, rng.lognormvariate(0, 0.7) / math.exp(0.245))
        text = _article(rng, urls, prose, int(mean_size * factor), round(mean_cites * factor))
        data = ("\ufeff" if j % 280 == 0 else "").encode() + text.encode()
        path = dest / rel
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_bytes(data)
        written += len(data)
    return n_files, written
