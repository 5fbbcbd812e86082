"""Labelled pages for the soft-rot verdicts: news sites in nine languages, and parked domains, on loopback.

`plan_soft_web(seed)` decides a web of sites, each built on one of a few CMS-like templates (WordPress,
Drupal, a news house style, Ghost, a bare table layout) in one language (en, zh-Hans, zh-Hant, ja, ko,
ru, es, fr, de) and one way of answering a page it does not have:

- `proper-404`: a custom "not found" page in the site's style and language, with status 404;
- `soft-200`: that page with status 200 (the classic soft 404);
- `soft-home`: the home page's content, status 200, at any unknown URL;
- `soft-vague`: a 200 "something went wrong, read our latest stories" page without not-found wording;
- `redirect-home`: a 302 to `/`; `redirect-language`: a 301 to the language root (`/zh-hans/`);
- `redirect-404-page`: a 302 to `/404.html`, which answers 200;
- `section-index`: a proper 404, but removed articles redirect to their section (`/news/`);
- `login-wall`: a proper 404, but removed articles redirect to a login page;
- `app-shell`: every path serves the same script-drawn shell (nothing to tell, so always live).

Each site has live articles (some long, some short, some whose title mentions "404" or domain sales,
some moved by a 301, some behind view or slug redirects) and removed articles; the cited URLs carry the
verdict a correct checker gives them (`SoftPage.truth`, `SoftPage.reason`). Parked domains are modelled
on the parking services: a redirect to sedo, dan.com, afternic, hugedomains, godaddy, namecheap's parking
page; or the same parking page at every path, loading bodis, parkingcrew, above.com or GoDaddy's lander
scripts, or only saying "for sale" in the domain's language. `serve(web, plan)` scripts them on a `SimWeb`.
Standard library only: tests, the benchmark and the demo share it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from html import escape

from linkaudit.demo.replies import Reply

__all__ = ["LANGUAGES", "SoftPage", "SoftSite", "SoftWebPlan", "plan_soft_web", "serve"]

LANGUAGES = ("en", "zh-Hans", "zh-Hant", "ja", "ko", "ru", "es", "fr", "de")
BEHAVIOURS = (
    "proper-404",
    "soft-200",
    "soft-home",
    "soft-vague",
    "redirect-home",
    "redirect-language",
    "redirect-404-page",
    "section-index",
    "login-wall",
    "app-shell",
)
TEMPLATES = ("wordpress", "drupal", "news", "ghost", "table")


@dataclass(frozen=True, slots=True)
class _Words:
    """What a site in one language says."""

    lang: str
    nav: tuple[str, ...]
    sentences: tuple[str, ...]
    not_found_title: str
    not_found_text: str
    vague_title: str
    vague_text: str
    login_title: str
    parked_text: str
    footer: str
    sections: tuple[str, ...]


_WORDS: dict[str, _Words] = {
    "en": _Words(
        "en",
        ("Home", "World", "Politics", "Business", "Science", "Opinion"),
        (
            "The council approved the new flood defences after a long debate on Tuesday evening.",
            "Engineers said the river wall would be raised by a metre along the old harbour.",
            "Residents who were evacuated last week began returning to their homes on Friday.",
            "The minister promised that the relief fund would reach every affected family.",
            "Farmers upstream warned that the harvest had been badly damaged by the rain.",
            "Volunteers from three provinces joined the clean-up of the market square.",
            "Shipping through the port resumed after divers cleared debris from the channel.",
            "Analysts expect insurance claims to exceed last year's record by a wide margin.",
            "The school reopened with temporary classrooms set up in the sports hall.",
            "A report published by the university questioned the cost of the new bridge.",
            "Local businesses said trade had fallen by half since the road was closed.",
            "The weather service forecast a dry week, the first since the storms began.",
        ),
        "Page not found",
        "Sorry, the page you were looking for could not be found. It may have been moved or deleted. "
        "Try searching our site or go back to the home page.",
        "Something went wrong",
        "We are sorry about that. While you are here, why not read our latest stories and most popular "
        "features, chosen by our editors.",
        "Sign in to your account",
        "This domain is for sale! Buy this domain today. The owner of this domain is accepting offers.",
        "All rights reserved.",
        ("news", "world", "business"),
    ),
    "zh-Hans": _Words(
        "zh-Hans",
        ("首页", "国际", "政治", "财经", "科技", "评论"),
        (
            "市议会周二晚间经过长时间辩论后批准了新的防洪工程。",
            "工程师表示沿旧港区的河堤将加高一米。",
            "上周撤离的居民于周五开始陆续返回家园。",
            "部长承诺救灾资金将送达每一个受灾家庭。",
            "上游农民警告说，庄稼因连日降雨严重受损。",
            "来自三个省份的志愿者参与了市场广场的清理工作。",
            "潜水员清除航道杂物后，港口航运已经恢复。",
            "分析人士预计保险理赔金额将大幅超过去年的纪录。",
            "学校在体育馆内搭建临时教室后重新开学。",
            "大学发布的一份报告对新大桥的造价提出质疑。",
        ),
        "页面不存在",
        "抱歉，您访问的页面不存在或已被删除。请检查网址是否正确，或返回首页继续浏览。",
        "出了点问题",
        "非常抱歉。您可以看看我们的最新报道和编辑精选的热门文章。",
        "登录您的账户",
        "该域名正在出售！立即购买此域名，域名持有人接受报价。",
        "版权所有",
        ("news", "guoji", "caijing"),
    ),
    "zh-Hant": _Words(
        "zh-Hant",
        ("首頁", "國際", "政治", "財經", "科技", "評論"),
        (
            "市議會週二晚間經過長時間辯論後通過了新的防洪工程。",
            "工程師表示沿舊港區的河堤將加高一米。",
            "上週撤離的居民於週五開始陸續返回家園。",
            "部長承諾救災資金將送達每一個受災家庭。",
            "上游農民警告說，農作物因連日降雨嚴重受損。",
            "來自三個縣市的志工參與了市場廣場的清理工作。",
            "潛水員清除航道雜物後，港口航運已經恢復。",
            "分析人士預計保險理賠金額將大幅超過去年的紀錄。",
            "學校在體育館內搭建臨時教室後重新開學。",
            "大學發布的一份報告對新大橋的造價提出質疑。",
        ),
        "找不到網頁",
        "很抱歉，您要找的頁面不存在或已被移除。請確認網址是否正確，或回到首頁繼續瀏覽。",
        "發生了一些問題",
        "非常抱歉。您可以看看我們的最新報導與編輯精選的熱門文章。",
        "登入您的帳戶",
        "此網域出售！立即購買此網域，網域持有人接受出價。",
        "版權所有",
        ("news", "guoji", "caijing"),
    ),
    "ja": _Words(
        "ja",
        ("ホーム", "国際", "政治", "経済", "科学", "オピニオン"),
        (
            "市議会は火曜日の夜、長い議論の末に新しい洪水対策を承認した。",
            "技術者によると、旧港沿いの護岸は一メートルかさ上げされる。",
            "先週避難した住民は金曜日から自宅に戻り始めた。",
            "大臣は、救援基金がすべての被災家族に届くと約束した。",
            "上流の農家は、長雨で収穫が大きな被害を受けたと警告した。",
            "三つの県から集まったボランティアが市場広場の清掃に加わった。",
            "ダイバーが航路のがれきを取り除き、港の運航が再開した。",
            "保険金の請求額は昨年の記録を大きく上回る見通しだ。",
            "学校は体育館に仮設教室を設けて授業を再開した。",
            "大学が公表した報告書は新しい橋の費用に疑問を投げかけた。",
        ),
        "ページが見つかりません",
        "お探しのページは見つかりませんでした。移動または削除された可能性があります。"
        "トップページから改めてお探しください。",
        "問題が発生しました",
        "申し訳ありません。編集部が選んだ最新記事や人気記事をご覧ください。",
        "アカウントにログイン",
        "このドメインは販売中です。このドメインを購入できます。所有者はオファーを受け付けています。",
        "無断転載を禁じます",
        ("news", "kokusai", "keizai"),
    ),
    "ko": _Words(
        "ko",
        ("홈", "국제", "정치", "경제", "과학", "오피니언"),
        (
            "시의회는 화요일 저녁 긴 논쟁 끝에 새로운 홍수 방어 시설을 승인했다.",
            "기술자들은 옛 항구를 따라 강둑을 1미터 높일 것이라고 말했다.",
            "지난주 대피했던 주민들이 금요일부터 집으로 돌아오기 시작했다.",
            "장관은 구호 기금이 모든 피해 가정에 전달될 것이라고 약속했다.",
            "상류 지역 농민들은 계속된 비로 수확이 크게 피해를 입었다고 경고했다.",
            "세 개 도에서 온 자원봉사자들이 시장 광장 정리에 참여했다.",
            "잠수부들이 항로의 잔해를 치운 뒤 항구 운항이 재개됐다.",
            "분석가들은 보험 청구액이 작년 기록을 크게 넘어설 것으로 본다.",
            "학교는 체육관에 임시 교실을 마련하고 수업을 재개했다.",
            "대학이 발표한 보고서는 새 다리의 비용에 의문을 제기했다.",
        ),
        "페이지를 찾을 수 없습니다",
        "요청하신 페이지를 찾을 수 없습니다. 주소가 바뀌었거나 삭제되었을 수 있습니다. "
        "홈으로 돌아가 다시 찾아 주세요.",
        "문제가 발생했습니다",
        "죄송합니다. 편집자가 고른 최신 기사와 인기 기사를 읽어 보세요.",
        "계정에 로그인",
        "이 도메인은 판매 중입니다. 지금 이 도메인을 구매하세요. 소유자가 제안을 받고 있습니다.",
        "무단 전재 금지",
        ("news", "world", "economy"),
    ),
    "ru": _Words(
        "ru",
        ("Главная", "В мире", "Политика", "Экономика", "Наука", "Мнения"),
        (
            "Городской совет во вторник вечером после долгих споров одобрил новые дамбы.",
            "Инженеры сообщили, что стену вдоль старой гавани поднимут на метр.",
            "Жители, эвакуированные на прошлой неделе, в пятницу начали возвращаться домой.",
            "Министр пообещал, что помощь получит каждая пострадавшая семья.",
            "Фермеры выше по течению предупредили, что урожай сильно пострадал от дождей.",
            "Добровольцы из трёх областей помогли расчистить рыночную площадь.",
            "Судоходство в порту возобновилось после того, как водолазы расчистили фарватер.",
            "Аналитики ожидают, что страховые выплаты значительно превысят прошлогодний рекорд.",
            "Школа вновь открылась, временные классы устроили в спортзале.",
            "Доклад университета поставил под сомнение стоимость нового моста.",
        ),
        "Страница не найдена",
        "К сожалению, запрашиваемая страница не существует или была удалена. Проверьте адрес или "
        "вернитесь на главную страницу.",
        "Что-то пошло не так",
        "Приносим извинения. Пока вы здесь, почитайте наши свежие материалы и выбор редакции.",
        "Вход в личный кабинет",
        "Этот домен продается! Купить этот домен можно прямо сейчас. Владелец рассмотрит предложения.",
        "Все права защищены.",
        ("news", "world", "economy"),
    ),
    "es": _Words(
        "es",
        ("Inicio", "Internacional", "Política", "Economía", "Ciencia", "Opinión"),
        (
            "El consejo aprobó las nuevas defensas contra inundaciones tras un largo debate el martes.",
            "Los ingenieros dijeron que el muro del río se elevará un metro junto al puerto viejo.",
            "Los vecinos evacuados la semana pasada comenzaron a volver a sus casas el viernes.",
            "El ministro prometió que el fondo de ayuda llegará a todas las familias afectadas.",
            "Los agricultores advirtieron que la cosecha sufrió graves daños por la lluvia.",
            "Voluntarios de tres provincias se sumaron a la limpieza de la plaza del mercado.",
            "El tráfico del puerto se reanudó después de que los buzos despejaran el canal.",
            "Los analistas esperan que las reclamaciones superen con creces el récord del año pasado.",
            "La escuela reabrió con aulas provisionales instaladas en el polideportivo.",
            "Un informe de la universidad cuestionó el coste del nuevo puente.",
        ),
        "Página no encontrada",
        "Lo sentimos, la página que buscas no existe o ha sido eliminada. Comprueba la dirección o "
        "vuelve a la portada.",
        "Algo salió mal",
        "Lo sentimos. Mientras tanto, lee nuestras últimas noticias y los reportajes más leídos.",
        "Inicia sesión en tu cuenta",
        "¡Este dominio está a la venta! Comprar este dominio hoy. El propietario acepta ofertas.",
        "Todos los derechos reservados.",
        ("noticias", "internacional", "economia"),
    ),
    "fr": _Words(
        "fr",
        ("Accueil", "International", "Politique", "Économie", "Sciences", "Opinions"),
        (
            "Le conseil a approuvé mardi soir les nouvelles digues après un long débat.",
            "Les ingénieurs ont indiqué que le mur du fleuve serait rehaussé d'un mètre près du vieux port.",
            "Les habitants évacués la semaine dernière ont commencé à rentrer chez eux vendredi.",
            "Le ministre a promis que le fonds d'aide parviendrait à chaque famille touchée.",
            "Les agriculteurs en amont ont averti que la récolte avait beaucoup souffert de la pluie.",
            "Des bénévoles de trois régions ont participé au nettoyage de la place du marché.",
            "Le trafic portuaire a repris après que des plongeurs ont dégagé le chenal.",
            "Les analystes s'attendent à ce que les sinistres dépassent largement le record de l'an dernier.",
            "L'école a rouvert avec des classes provisoires installées dans le gymnase.",
            "Un rapport de l'université met en doute le coût du nouveau pont.",
        ),
        "Page introuvable",
        "Désolé, la page que vous recherchez n'existe pas ou a été supprimée. Vérifiez l'adresse ou "
        "revenez à la page d'accueil.",
        "Un problème est survenu",
        "Nous en sommes désolés. En attendant, découvrez nos derniers articles "
        "et la sélection de la rédaction.",
        "Connectez-vous à votre compte",
        "Ce domaine est à vendre ! Acheter ce domaine dès aujourd'hui. Le propriétaire étudie les offres.",
        "Tous droits réservés.",
        ("actualites", "international", "economie"),
    ),
    "de": _Words(
        "de",
        ("Startseite", "Ausland", "Politik", "Wirtschaft", "Wissen", "Meinung"),
        (
            "Der Stadtrat hat am Dienstagabend nach langer Debatte den neuen Hochwasserschutz beschlossen.",
            "Die Ingenieure sagten, die Ufermauer am alten Hafen werde um einen Meter erhöht.",
            "Die in der vergangenen Woche evakuierten Anwohner kehrten am Freitag zurück.",
            "Der Minister versprach, dass der Hilfsfonds jede betroffene Familie erreichen werde.",
            "Landwirte flussaufwärts warnten, die Ernte sei durch den Regen schwer beschädigt.",
            "Freiwillige aus drei Ländern halfen beim Aufräumen des Marktplatzes.",
            "Der Schiffsverkehr im Hafen lief wieder an, nachdem Taucher die Fahrrinne geräumt hatten.",
            "Analysten erwarten, dass die Versicherungsschäden den Rekord des Vorjahres "
            "deutlich übertreffen.",
            "Die Schule öffnete wieder, mit Behelfsklassen in der Sporthalle.",
            "Ein Bericht der Universität stellt die Kosten der neuen Brücke infrage.",
        ),
        "Seite nicht gefunden",
        "Leider wurde die von Ihnen gesuchte Seite nicht gefunden. Sie wurde möglicherweise verschoben "
        "oder gelöscht. Bitte prüfen Sie die Adresse oder kehren Sie zur Startseite zurück.",
        "Etwas ist schiefgelaufen",
        "Das tut uns leid. Lesen Sie in der Zwischenzeit unsere neuesten Artikel "
        "und die Empfehlungen der Redaktion.",
        "Melden Sie sich an",
        "Diese Domain steht zum Verkauf! Diese Domain kaufen. Der Inhaber nimmt Angebote entgegen.",
        "Alle Rechte vorbehalten.",
        ("nachrichten", "ausland", "wirtschaft"),
    ),
}

_LANGUAGE_ROOT = {
    "en": "/en/",
    "zh-Hans": "/zh-hans/",
    "zh-Hant": "/zh-hant/",
    "ja": "/ja/",
    "ko": "/ko/",
    "ru": "/ru/",
    "es": "/es/",
    "fr": "/fr/",
    "de": "/de/",
}


@dataclass(frozen=True, slots=True)
class SoftPage:
    """A cited URL (path on its host), what it is, and the verdict and reason a correct checker gives."""

    host: str
    path: str
    kind: str
    truth: str
    reason: str | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}{self.path}"


@dataclass(frozen=True, slots=True)
class SoftSite:
    host: str
    lang: str
    template: str
    behaviour: str
    articles: tuple[tuple[str, str, str], ...]  # (path, title, body HTML) of pages that exist
    extra_routes: tuple[tuple[str, str], ...]  # (path, location) redirects of moved or removed pages


@dataclass(frozen=True, slots=True)
class SoftWebPlan:
    sites: tuple[SoftSite, ...]
    parked: tuple[tuple[str, str, str], ...]  # (host, kind, language)
    pages: tuple[SoftPage, ...]


# Page rendering.


def _shell(
    words: _Words, template: str, site: str, title: str, main: str, *, head_title: str | None = None
) -> str:
    """A full page of `site` in its template: header, navigation, the main part, a footer."""
    nav = "".join(f'<li><a href="/{i}/">{escape(label)}</a></li>' for i, label in enumerate(words.nav))
    footer = f"<p>© 2024 {escape(site)}. {escape(words.footer)}</p>"
    shown = escape(head_title if head_title is not None else f"{title} | {site}")
    head = (
        f'<!doctype html><html lang="{words.lang}"><head><meta charset="utf-8"><title>{shown}</title>'
        '<link rel="stylesheet" href="/assets/site.css"><script src="/assets/app.js"></script></head>'
    )
    if template == "wordpress":
        body = (
            '<body class="wp"><div id="page"><header class="site-header">'
            f'<p class="site-title">{escape(site)}'
            f'</p><nav class="main-navigation"><ul>{nav}</ul></nav></header><div id="content">'
            f'<main id="main" class="site-main">{main}</main><aside class="widget-area"><h2>Recent</h2>'
            f"<ul><li>{escape(words.nav[1])}</li></ul></aside></div><footer>{footer}</footer></div></body>"
        )
    elif template == "drupal":
        body = (
            f'<body><div class="layout-container"><header role="banner"><a href="/">{escape(site)}</a>'
            f'</header><nav role="navigation"><ul>{nav}</ul></nav><main role="main"><div class="region">'
            f'{main}</div></main><footer role="contentinfo">{footer}</footer></div></body>'
        )
    elif template == "news":
        body = (
            f'<body><header><div class="masthead">{escape(site)}</div><nav><ul>{nav}</ul></nav></header>'
            f'<div class="container">{main}<aside><h3>Most read</h3><ol><li>{escape(words.nav[2])}</li>'
            f"</ol></aside></div><footer>{footer}</footer></body>"
        )
    elif template == "ghost":
        body = (
            f'<body class="home-template"><div class="site-wrapper"><header class="site-head"><nav>'
            f'<ul>{nav}</ul></nav></header><main class="site-main">{main}</main>'
            f'<footer class="site-foot">{footer}</footer></div></body>'
        )
    else:  # an old table layout: no main, no article, furniture in table cells
        body = (
            f'<body><table width="100%"><tr><td colspan="2"><b>{escape(site)}</b></td></tr><tr>'
            f'<td class="menu"><nav><ul>{nav}</ul></nav></td><td class="content">{main}</td></tr>'
            f'<tr><td colspan="2"><footer>{footer}</footer></td></tr></table></body>'
        )
    return head + body + "</html>"


def _article(title: str, paragraphs: list[str]) -> str:
    text = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return f'<article><h1>{escape(title)}</h1><p class="byline">2024-03-18</p>{text}</article>'


def _listing(title: str, headlines: list[tuple[str, str]]) -> str:
    items = "".join(f'<li><a href="{path}">{escape(text)}</a></li>' for path, text in headlines)
    return f'<section class="listing"><h1>{escape(title)}</h1><ul>{items}</ul></section>'


def _paragraphs(words: _Words, rng: random.Random, count: int) -> list[str]:
    return [" ".join(rng.sample(words.sentences, k=min(3, len(words.sentences)))) for _ in range(count)]


def _headline(words: _Words, rng: random.Random) -> str:
    sentence = rng.choice(words.sentences)
    cut = sentence.split(",")[0].split("，")[0].split("、")[0]
    return cut.rstrip("。.")[:60]


# Planning.

_NAMES = (
    "daily",
    "herald",
    "courier",
    "tribune",
    "post",
    "observer",
    "chronicle",
    "gazette",
    "times",
    "wire",
)


def plan_soft_web(seed: int = 7, *, sites_per_language: int = 10, parked: int = 24) -> SoftWebPlan:
    """A reproducible labelled web: `sites_per_language` sites per language (behaviours in turn) and
    `parked` parked domains, each cited at a few paths."""
    rng = random.Random(seed)
    sites: list[SoftSite] = []
    pages: list[SoftPage] = []
    number = 0
    for lang in LANGUAGES:
        words = _WORDS[lang]
        for k in range(sites_per_language):
            behaviour = BEHAVIOURS[(k + LANGUAGES.index(lang)) % len(BEHAVIOURS)]
            template = TEMPLATES[(k * 3 + LANGUAGES.index(lang)) % len(TEMPLATES)]
            host = f"{lang.lower()}-{_NAMES[number % len(_NAMES)]}-{number}.example"
            number += 1
            site, cited = _plan_site(host, words, template, behaviour, rng)
            sites.append(site)
            pages += cited
    parked_hosts: list[tuple[str, str, str]] = []
    for k in range(parked):
        kind = _PARKED_KINDS[k % len(_PARKED_KINDS)]
        lang = LANGUAGES[k % len(LANGUAGES)]
        host = f"expired-{k}-{kind}.example"
        parked_hosts.append((host, kind, lang))
        for path in ("/", "/news/2019/05/harbour-report.html", f"/archive/{2010 + k}/story-{k}/"):
            truth = "usurped"
            reason: str | None = "parked-domain"
            pages.append(SoftPage(host, path, f"parked-{kind}", truth, reason))
    return SoftWebPlan(tuple(sites), tuple(parked_hosts), tuple(pages))


def _plan_site(
    host: str, words: _Words, template: str, behaviour: str, rng: random.Random
) -> tuple[SoftSite, list[SoftPage]]:
    sections = words.sections
    articles: list[tuple[str, str, str]] = []
    extra: list[tuple[str, str]] = []
    pages: list[SoftPage] = []
    prefix = _LANGUAGE_ROOT[words.lang].rstrip("/") if behaviour == "redirect-language" else ""
    live_truth = "live"
    for n in range(8):
        section = sections[n % len(sections)]
        path = f"{prefix}/{section}/2023/{n + 1:02d}/story-{rng.randrange(10**6):06d}.html"
        # The third is a short item (a brief, a caption page).
        paragraphs = _paragraphs(words, rng, 1 if n == 2 else rng.randint(4, 9))
        title = _headline(words, rng)
        if n == 3 and words.lang == "en":
            title = "Error 404: why the web forgets what it once said"
        if n == 4 and words.lang == "en":  # an article about domain parking, quoting a parking page
            title = "The business of parked domains"
            paragraphs.insert(
                0,
                'Visitors to an expired domain often see a page saying "this domain is for sale", '
                "usually served by a parking company such as Sedo.",
            )
            paragraphs.append('<a href="https://sedo.com/">Sedo</a>')
        articles.append((path, title, _article(title, paragraphs)))
        pages.append(SoftPage(host, path, "article", live_truth))
    # Section indexes and the home page exist, and are cited too.
    section_path = f"{prefix}/{sections[0]}/"
    headlines = [(path, title) for path, title, _ in articles]
    articles.append((section_path, words.nav[1], _listing(words.nav[1], headlines[::2])))
    pages.append(SoftPage(host, section_path, "section", "live"))
    pages.append(SoftPage(host, "/", "home", "live"))
    # A page moved for good, a view and a slug redirect: redirected, never soft.
    moved_from = f"{prefix}/{sections[1]}/2022/07/old-story-{rng.randrange(10**4)}.html"
    extra.append((moved_from, articles[1][0]))
    pages.append(SoftPage(host, moved_from, "moved", "redirected"))
    amp = articles[5][0].removesuffix(".html") + "/amp"
    extra.append((amp, articles[5][0]))
    pages.append(SoftPage(host, amp, "view-redirect", "redirected"))
    # Removed articles: what the site answers for them is the behaviour under test.
    for n in range(5):
        section = sections[n % len(sections)]
        path = f"{prefix}/{section}/2019/{n + 3:02d}/removed-{rng.randrange(10**6):06d}.html"
        truth, reason = _removed_truth(behaviour)
        if behaviour == "section-index":
            extra.append((path, f"{prefix}/{section}/"))
            articles.append((f"{prefix}/{section}/", words.nav[1], _listing(words.nav[1], headlines[1::2])))
        elif behaviour == "login-wall":
            extra.append((path, f"/account/login?next={path}"))
        pages.append(SoftPage(host, path, "removed", truth, reason))
    if behaviour == "app-shell":  # nothing can be told: every page is live as far as anyone can check
        pages = [
            SoftPage(p.host, p.path, p.kind, "live" if p.truth != "redirected" else "redirected")
            for p in pages
        ]
    unique: dict[str, tuple[str, str, str]] = {path: (path, title, body) for path, title, body in articles}
    return SoftSite(host, words.lang, template, behaviour, tuple(unique.values()), tuple(extra)), pages


def _removed_truth(behaviour: str) -> tuple[str, str | None]:
    if behaviour == "proper-404":
        return "dead", None
    if behaviour in ("soft-200", "soft-home", "soft-vague", "redirect-404-page"):
        return "soft-dead", "soft-404"
    if behaviour == "app-shell":
        return "live", None
    return "soft-dead", "redirect-to-home"


# Serving.

_PARKED_KINDS = (
    "sedo-redirect",
    "bodis-page",
    "dan-redirect",
    "parkingcrew-page",
    "afternic-redirect",
    "godaddy-lander",
    "hugedomains-redirect",
    "above-page",
    "namecheap-redirect",
    "for-sale-text",
)
_SERVICES = {
    "sedo-redirect": ("sedo.com", "/search/details/?partnerid=324561&domain={host}"),
    "dan-redirect": ("dan.com", "/buy-domain/{host}"),
    "afternic-redirect": ("www.afternic.com", "/forsale/{host}"),
    "hugedomains-redirect": ("www.hugedomains.com", "/domain_profile.cfm?d={host}"),
    "namecheap-redirect": ("parkingpage.namecheap.com", "/?domain={host}"),
}
_PARKING_SCRIPTS = {
    "bodis-page": '<script src="//parking.bodis.com/js/parking.js"></script>',
    "parkingcrew-page": '<script src="https://www.parkingcrew.net/assets/scripts/main.js"></script>',
    "godaddy-lander": '<script src="https://img1.wsimg.com/parking-lander/static/js/main.js"></script>',
    "above-page": '<script src="https://www.google.com/adsense/domains/caf.js"></script>'
    '<script src="//above.com/js/park.js"></script>',
}


def _parking_page(host: str, kind: str, words: _Words) -> Reply:
    script = _PARKING_SCRIPTS.get(kind, "")
    links = "".join(f'<li><a href="/search?q={t}">{t}</a></li>' for t in ("Insurance", "Loans", "Travel"))
    text = words.parked_text if kind == "for-sale-text" else "Related searches"
    return Reply.html(
        f'<!doctype html><html><head><meta charset="utf-8"><title>{escape(host)}</title>{script}</head>'
        f'<body><div id="parking"><h1>{escape(host)}</h1><p>{escape(text)}</p><ul>{links}</ul>'
        "</div></body></html>"
    )


def serve(web: object, plan: SoftWebPlan) -> None:
    """Script `plan` on a `SimWeb` (typed loosely: the web package must not import the checker)."""
    from linkaudit.demo.simweb import SimWeb  # noqa: PLC0415 - the replies module must stay import-light

    assert isinstance(web, SimWeb)
    for site in plan.sites:
        _serve_site(web, site)
    services: set[str] = set()
    for host, kind, lang in plan.parked:
        sim = web.host(host)
        if kind in _SERVICES:
            service, template = _SERVICES[kind]
            location = f"http://{service}{template.format(host=host)}"
            sim.otherwise(Reply.redirect(location, status=302))
            if service not in services:
                services.add(service)
                page = _parking_page(service, "service", _WORDS["en"])
                web.host(service).otherwise(page)
        else:
            sim.otherwise(_parking_page(host, kind, _WORDS[lang]))


def _login_form(words: _Words) -> str:
    return (
        f'<div class="login"><h1>{escape(words.login_title)}</h1><form method="post" action="/account/login">'
        '<input type="email" name="email"><input type="password" name="password">'
        "<button>OK</button></form></div>"
    )


def _serve_site(web: object, site: SoftSite) -> None:
    from linkaudit.demo.simweb import SimWeb  # noqa: PLC0415

    assert isinstance(web, SimWeb)
    words = _WORDS[site.lang]
    name = site.host.split(".")[0].replace("-", " ").title()
    sim = web.host(site.host)
    related = [(path, title) for path, title, _ in site.articles[:8]]
    for path, title, main in site.articles:
        shown = main
        if site.template in ("wordpress", "ghost") and main.startswith("<article"):
            # These themes put "related stories" inside <main>, beside the article: text shared with the
            # home page and every other article, that the comparison must not mistake for sameness.
            shown += _listing(words.nav[4], [entry for entry in related if entry[0] != path][:6])
        sim.route(path, Reply.html(_shell(words, site.template, name, title, shown)))
    login = Reply.html(_shell(words, site.template, name, words.login_title, _login_form(words)))
    for path, location in site.extra_routes:
        status = 302 if "/login" in location else 301
        sim.route(path, Reply.redirect(location, status=status))
        if "/login" in location:
            sim.route(location, login)
    headlines = [(path, title) for path, title, _ in site.articles[:8]]
    # The home page's "most read" box changes at each visit: no two requests get the same bytes.
    homes = [
        Reply.html(
            _shell(
                words,
                site.template,
                name,
                words.nav[0],
                _listing(words.nav[0], headlines) + _listing(words.nav[5], headlines[turn::3]),
            )
        )
        for turn in range(3)
    ]
    home = homes[0]
    not_found_main = (
        f'<div class="error"><h1>{escape(words.not_found_title)}</h1><p><code>{{path}}</code></p>'
        f"<p>{escape(words.not_found_text)}</p></div>"
    )
    not_found = _shell(words, site.template, name, words.not_found_title, not_found_main)
    vague_main = _listing(words.vague_title, headlines[:6]) + f"<p>{escape(words.vague_text)}</p>"
    vague = _shell(words, site.template, name, words.vague_title, vague_main)
    sim.route("/", home)
    behaviour = site.behaviour
    if behaviour == "app-shell":
        shell = Reply.html(
            '<!doctype html><html><head><meta charset="utf-8"><title>' + escape(name) + "</title>"
            '<script src="/static/js/main.3f9a.js"></script></head><body><noscript>You need to enable '
            'JavaScript to run this app.</noscript><div id="root"></div></body></html>'
        )
        for path, _, _ in site.articles:
            sim.route(path, shell)
        sim.route("/", shell)
        sim.otherwise(shell)
        return
    sim.route("/account/login", login)
    if behaviour == "soft-200":
        sim.otherwise(Reply.html(not_found))
    elif behaviour == "soft-home":
        sim.otherwise(*homes)
    elif behaviour == "soft-vague":
        sim.otherwise(Reply.html(vague))
    elif behaviour == "redirect-home":
        sim.otherwise(Reply.redirect("/", status=302))
    elif behaviour == "redirect-language":
        root = _LANGUAGE_ROOT[site.lang]
        sim.route(root, home)
        sim.otherwise(Reply.redirect(root, status=301))
    elif behaviour == "redirect-404-page":
        sim.route("/404.html", Reply.html(not_found))
        sim.otherwise(Reply.redirect("/404.html", status=302))
    else:  # proper-404, section-index, login-wall: a custom page, honestly 404
        sim.otherwise(Reply.html(not_found, status=404))
