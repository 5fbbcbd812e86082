"""Reading a page for the soft-rot verdicts: its title, main text, not-found wording and parking marks.

`read_page` turns a body prefix (the checker reads at most `--max-body` bytes) into a `PageText`: the
title and first heading, the main text as shingles (word 3-grams; a CJK character counts as a word) for
`similarity`, the not-found wording found in the title or heading (English, Chinese in both scripts,
Japanese, Korean, Russian, Spanish, French, German), the marks of parking pages (scripts and frames of
parking services; for-sale wording in the same languages) and whether it asks for a password.

The main text is the `<main>` or `<article>` when the page has one, else the body without its
navigation, header, footer, asides, forms and scripts: site furniture shared by every page of a site
(menus, footers) would make any two pages of it look alike. Standard library only, bounded work.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from dataclasses import dataclass, field
from html.parser import HTMLParser

__all__ = [
    "NOT_FOUND_WORDING",
    "PARKING_RESOURCES",
    "PARKING_WORDING",
    "PageText",
    "looks_like_html",
    "read_page",
    "similarity",
]

#: How a not-found page says so in its title or first heading (matched case-folded, NFKC-normalized).
NOT_FOUND_WORDING: dict[str, tuple[str, ...]] = {
    "en": (
        "page not found",
        "404 not found",
        "error 404",
        "404 error",
        "not found",
        "page does not exist",
        "page doesn't exist",
        "page cannot be found",
        "page could not be found",
        "page can't be found",
        "page you requested could not be found",
        "page is no longer available",
        "content is no longer available",
        "article is no longer available",
        "story is no longer available",
        "no longer available",
        "we can't find",
        "we couldn't find",
        "we could not find",
        "page isn't available",
        "nothing was found",
        "nothing found",
        "page unavailable",
        "404",
    ),
    "zh-Hans": (
        "页面不存在",
        "页面未找到",
        "找不到页面",
        "页面找不到",
        "找不到该页面",
        "您访问的页面不存在",
        "您要访问的页面不存在",
        "该页面不存在",
        "文章不存在",
        "内容不存在",
        "页面已删除",
        "无法找到该页",
        "页面没有找到",
        "404错误",
    ),
    "zh-Hant": (
        "頁面不存在",
        "找不到頁面",
        "找不到網頁",
        "找不到該頁面",
        "網頁不存在",
        "頁面未找到",
        "此頁面不存在",
        "您要找的頁面",
        "文章不存在",
        "內容不存在",
        "無法找到該頁",
    ),
    "ja": (
        "ページが見つかりません",
        "ページは見つかりません",
        "ページが見つかりませんでした",
        "お探しのページは見つかりません",
        "お探しのページが見つかりません",
        "ページが存在しません",
        "指定されたページは存在しません",
        "お探しのページは存在しません",
        "このページは存在しません",
        "記事が見つかりません",
    ),
    "ko": (
        "페이지를 찾을 수 없습니다",
        "페이지를 찾을 수 없음",
        "요청하신 페이지를 찾을 수 없습니다",
        "존재하지 않는 페이지",
        "페이지가 존재하지 않습니다",
        "찾을 수 없는 페이지",
        "페이지를 찾을수 없습니다",
    ),
    "ru": (
        "страница не найдена",
        "страница не существует",
        "страницы не существует",
        "такой страницы нет",
        "запрашиваемая страница не найдена",
        "ошибка 404",
        "не найдено",
        "материал не найден",
    ),
    "es": (
        "página no encontrada",
        "pagina no encontrada",
        "no se encontró la página",
        "no se ha encontrado la página",
        "la página que buscas no existe",
        "la página no existe",
        "página no existe",
        "error 404",
        "no encontrado",
        "no encontrada",
    ),
    "fr": (
        "page non trouvée",
        "page introuvable",
        "page inexistante",
        "cette page n'existe pas",
        "la page demandée n'existe pas",
        "la page que vous recherchez n'existe pas",
        "erreur 404",
        "introuvable",
        "non trouvée",
    ),
    "de": (
        "seite nicht gefunden",
        "die seite wurde nicht gefunden",
        "seite existiert nicht",
        "diese seite gibt es nicht",
        "die angeforderte seite",
        "fehler 404",
        "nicht gefunden",
    ),
}

#: Hosts (and paths) whose scripts or frames only parking pages load. A link to them proves nothing
#: (an article may cite sedo.com); a script, frame or refresh from them does.
PARKING_RESOURCES: tuple[str, ...] = (
    "sedoparking.com",
    "sedo.com",
    "parkingcrew.net",
    "bodis.com",
    "above.com",
    "parklogic.com",
    "dsnextgen.com",
    "wsimg.com/parking-lander",
    "parkingpage.namecheap.com",
    "google.com/adsense/domains/caf.js",
    "googlesyndication.com/adsense/domains",
    "afternic.com",
    "dan.com",
    "hugedomains.com",
    "ndparking.com",
    "voodoo.com",
    "domainmarket.com",
    "undeveloped.com",
    "trafficz.com",
    "skenzo.com",
    "domainsponsor.com",
    "fabulous.com",
)

#: What parking and for-sale pages say (matched anywhere in the page's text).
PARKING_WORDING: dict[str, tuple[str, ...]] = {
    "en": (
        "this domain is for sale",
        "this domain may be for sale",
        "the domain name is for sale",
        "this domain name is for sale",
        "buy this domain",
        "this domain is parked",
        "this domain has been parked",
        "this web page is parked",
        "parked free, courtesy of",
        "is parked free",
        "domain is available for purchase",
        "make an offer on this domain",
        "inquire about this domain",
        "this domain has expired",
    ),
    "zh-Hans": (
        "该域名正在出售",
        "此域名正在出售",
        "此域名出售",
        "该域名出售",
        "域名出售中",
        "购买此域名",
        "这个域名可以出售",
    ),
    "zh-Hant": ("此網域出售", "該網域正在出售", "此網域名稱出售", "網域名稱出售中", "購買此網域"),
    "ja": (
        "このドメインは販売中",
        "このドメインは売り出し中",
        "このドメインを購入",
        "ドメインは販売されています",
    ),
    "ko": ("이 도메인은 판매 중", "이 도메인을 구매", "도메인 판매 중", "이 도메인은 판매중"),
    "ru": (
        "этот домен продается",
        "этот домен продаётся",
        "домен продается",
        "домен продаётся",
        "купить этот домен",
    ),
    "es": (
        "este dominio está a la venta",
        "este dominio se vende",
        "comprar este dominio",
        "dominio en venta",
    ),
    "fr": (
        "ce domaine est à vendre",
        "ce nom de domaine est à vendre",
        "acheter ce domaine",
        "domaine à vendre",
    ),
    "de": (
        "diese domain steht zum verkauf",
        "diese domain kaufen",
        "domain steht zum verkauf",
        "domain ist geparkt",
    ),
}

_WORDING = sorted(
    {phrase for phrases in NOT_FOUND_WORDING.values() for phrase in phrases}, key=len, reverse=True
)
_PARKING_PHRASES = sorted(
    {phrase for phrases in PARKING_WORDING.values() for phrase in phrases}, key=len, reverse=True
)
# A bare "404" counts only where it opens a part of the title ("404 – Seite nicht…", "News | 404"), not
# inside one ("Flight 404 lands safely", "Route 404 reopens").
_TITLE_PARTS = re.compile(r"\s+[|\-\u2013\u2014\u00b7:/]\s+|[|\uff5c\u00bb\u203a]")
_NUMBER_404 = re.compile(r"^404(?:$|[\s:!.,\u2013\u2014-])")
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")
_SKIPPED = frozenset(
    {"script", "style", "noscript", "template", "svg", "nav", "header", "footer", "aside", "form", "select"}
)
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_MAX_TOKENS = 20_000
_MAX_TITLE = 200


@dataclass(slots=True)
class PageText:
    """What the soft-rot rules read in a page."""

    title: str = ""
    heading: str = ""
    tokens: list[str] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)
    text: str = ""  # all visible text (for parking wording), lower-cased
    login_form: bool = False
    #: The page's `<link rel="canonical" href>` as written (empty: none): the name the site gives it.
    canonical: str = ""

    @property
    def words(self) -> int:
        """Main-text length in words; a CJK character counts half (two make about a word)."""
        cjk = sum(1 for token in self.tokens if len(token) == 1 and _is_cjk(token))
        return len(self.tokens) - cjk + cjk // 2

    def shingles(self) -> frozenset[int]:
        """The main text as a set of hashed word 3-grams (single words for a text of fewer than three)."""
        tokens = self.tokens
        size = 3 if len(tokens) >= 3 else 1
        return frozenset(
            zlib.crc32("\x1f".join(tokens[i : i + size]).encode("utf-8", "surrogatepass"))
            for i in range(len(tokens) - size + 1)
        )

    def wording(self) -> str | None:
        """The not-found phrase in the title or the first heading, as matched."""
        for place in (self.heading, self.title):
            found = not_found_phrase(place)
            if found is not None:
                return found
        return None

    def markers(self) -> tuple[str, ...]:
        """Marks of a parking page: `resource:HOST` for what it loads, `text:PHRASE` for what it says."""
        found: list[str] = []
        for resource in self.resources:
            for mark in PARKING_RESOURCES:
                if mark in resource and f"resource:{mark}" not in found:
                    found.append(f"resource:{mark}")
        for phrase in _PARKING_PHRASES:
            if phrase in self.text:
                found.append(f"text:{phrase}")
                break
        return tuple(found)


def _is_cjk(char: str) -> bool:
    return any(
        lo <= char <= hi for lo, hi in (("\u3040", "\u30ff"), ("\u3400", "\u9fff"), ("\uf900", "\ufaff"))
    )


def _normal(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return text.replace("\u2019", "'").replace("\u2018", "'")


def not_found_phrase(text: str) -> str | None:
    """The not-found phrase `text` holds, if any."""
    normal = _normal(text)
    if not normal:
        return None
    for phrase in _WORDING:
        if phrase == "404":
            if any(_NUMBER_404.match(part.strip()) for part in _TITLE_PARTS.split(normal)):
                return phrase
        elif phrase in normal:
            return phrase
    return None


class _Reader(HTMLParser):
    """Collects title, first heading, main text and resources in one pass."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.skipping = 0  # depth inside furniture or code
        self.main_depth = 0  # depth inside <main>/<article>
        self.saw_main = False
        self.in_title = False
        self.in_heading = False
        self.title: list[str] = []
        self.heading: list[str] = []
        self.heading_done = False
        self.body_text: list[str] = []
        self.main_text: list[str] = []
        self.all_text: list[str] = []
        self.resources: list[str] = []
        self.login_form = False
        self.canonical = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag in ("script", "iframe", "frame", "img", "embed") and values.get("src"):
            self.resources.append(values["src"].lower())
        elif tag == "link" and values.get("href") and "stylesheet" in values.get("rel", "").lower():
            self.resources.append(values["href"].lower())
        elif tag == "link" and not self.canonical and "canonical" in values.get("rel", "").lower().split():
            self.canonical = values.get("href", "").strip()[:2048]
        elif tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.resources.append(values.get("content", "").lower())
        elif tag == "input" and values.get("type", "").lower() == "password":
            self.login_form = True
        if tag in _VOID:
            return
        self.stack.append(tag)
        if tag in _SKIPPED:
            self.skipping += 1
        if tag in ("main", "article") or values.get("role") == "main":
            self.main_depth += 1
            self.saw_main = True
        if tag == "title":
            self.in_title = True
        if tag == "h1" and not self.heading_done:
            self.in_heading = True

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.stack:
            return
        while self.stack:
            open_tag = self.stack.pop()
            if open_tag in _SKIPPED:
                self.skipping -= 1
            if open_tag in ("main", "article"):
                self.main_depth = max(0, self.main_depth - 1)
            if open_tag == "title":
                self.in_title = False
            if open_tag == "h1" and self.in_heading:
                self.in_heading = False
                self.heading_done = True
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
            return
        if self.stack and self.stack[-1] in ("script", "style", "template"):
            return
        self.all_text.append(data)
        if self.in_heading:
            self.heading.append(data)
        if self.skipping and not self.in_heading:
            return
        (self.main_text if self.main_depth else self.body_text).append(data)


def _decode(body: bytes, content_type: str | None) -> str:
    charset = None
    if content_type:
        match = re.search(r"charset\s*=\s*\"?([A-Za-z0-9._:-]+)", content_type, re.IGNORECASE)
        if match:
            charset = match.group(1)
    if charset is None:
        meta = _CHARSET.search(body[:4096])
        if meta:
            charset = meta.group(1).decode("ascii", "replace")
    for candidate in (charset, "utf-8"):
        if candidate:
            try:
                return body.decode(candidate, "replace")
            except LookupError:
                continue
    return body.decode("utf-8", "replace")


def looks_like_html(content_type: str | None, body: bytes | None) -> bool:
    """A page worth reading: HTML by its Content-Type, or by its first bytes when it names none."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media in ("text/html", "application/xhtml+xml"):
        return True
    if media or not body:
        return False
    head = body[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<title"))


def read_page(body: bytes, content_type: str | None = None) -> PageText:
    """What the soft-rot rules read in an HTML body (a prefix is fine: the parser stops where it ends)."""
    reader = _Reader()
    try:
        reader.feed(_decode(body, content_type))
        reader.close()
    except (AssertionError, ValueError):  # html.parser gives up on some broken markup: keep what it read
        pass
    text = " ".join(reader.main_text if reader.saw_main and reader.main_text else reader.body_text)
    tokens = _TOKEN.findall(_normal(text))[:_MAX_TOKENS]
    return PageText(
        title=" ".join("".join(reader.title).split())[:_MAX_TITLE],
        heading=" ".join("".join(reader.heading).split())[:_MAX_TITLE],
        tokens=tokens,
        resources=reader.resources,
        text=_normal(" ".join(reader.all_text + reader.title))[:200_000],
        login_form=reader.login_form,
        canonical=reader.canonical,
    )


def similarity(a: frozenset[int], b: frozenset[int]) -> float:
    """Jaccard similarity of two shingle sets (1.0 for two empty texts: both say nothing alike)."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)
