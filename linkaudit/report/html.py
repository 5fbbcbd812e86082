"""The HTML report: one self-contained file to open from disk or keep as a CI artifact.

A summary per verdict, two charts drawn as inline SVG (verdicts per host; problem citations per article
year or folder), the folded hosts and template links, and a table of what the digest lists (problems;
with `--verbose` every link) that a few lines of inline vanilla JavaScript filter by verdict, host and
article and sort by any column. The filter lives in the address (`report.html#verdict=dead&host=x`), so
a filtered view can be bookmarked or shared. What is listed and folded is `ReportDigest`'s, as in every
human format.

Everything in it comes from articles and servers, so nothing is trusted:
- text is HTML-escaped, and the table is built with `textContent`, never parsed as HTML;
- the table's data sits in a `<script type="application/json">` block with `<`, `>`, `&`, U+2028 and
  U+2029 written as `\\u` escapes, so no string can close the block (`</script>`) or start markup;
- only http(s) URLs become links (never `javascript:` or `data:`), with `rel="noreferrer"`;
- a Content-Security-Policy allows nothing but this file's own style and script (by hash): no request
  leaves the page, and a script that got in anyway would not run.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, TextIO

from linkaudit import __version__
from linkaudit.classify.severity import is_problem, severity
from linkaudit.jsontext import escape_invisible
from linkaudit.models import AuditReport, Verdict
from linkaudit.report.citations import (
    archive_link,
    archive_note,
    article_dates,
    counted,
    every_finding,
    evidence_summary,
    failing_verdicts,
    fails_run,
    finding_counts,
    result_tags,
    run_notes,
    run_totals,
    shown_target,
    web_url,
)
from linkaudit.report.digest import FOLD_HOST_AT, ReportDigest, describe_reason, digest_report

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "MAX_FINDINGS",
    "ROW_COLUMNS",
    "embed_json",
    "escape_html",
    "html_document_start",
    "write_html_report",
]

MAX_FINDINGS = 1_000
"""Hygiene findings listed in the page's table (counted all the same); the JSON report has every one."""

ROW_COLUMNS = (
    "file",
    "line",
    "column",
    "text",
    "target",
    "href",
    "verdict",
    "reason",
    "slug",
    "evidence",
    "archive",
    "host",
    "archive_note",
    "tags",
)
"""The fields of each table row in the embedded data, in order."""

_CHART_BARS = 20
_COLORS = {
    Verdict.DEAD: "#c62828",
    Verdict.USURPED: "#8e24aa",
    Verdict.SOFT_DEAD: "#e57373",
    Verdict.INVALID: "#d81b60",
    Verdict.UNREACHABLE: "#ef6c00",
    Verdict.BLOCKED: "#f9a825",
    Verdict.RATE_LIMITED: "#fdd835",
    Verdict.REDIRECTED: "#0288d1",
    Verdict.SKIPPED: "#9e9e9e",
    Verdict.LIVE: "#2e7d32",
    Verdict.DEVIATED: "#6d4c41",
}

_STYLE = """
:root{color-scheme:light dark;--fg:#1b1b1b;--bg:#fff;--muted:#666;--line:#ddd;--head:#f4f4f4}
@media (prefers-color-scheme:dark){:root{--fg:#e8e8e8;--bg:#161616;--muted:#aaa;--line:#333;--head:#222}}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg);
margin:0 auto;padding:1rem 1.5rem 3rem;max-width:1400px}
h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.15rem;margin:1.6rem 0 .6rem}
.muted{color:var(--muted)}.partial{background:#fff3cd;color:#5c4400;padding:.5rem .8rem;border-radius:4px}
.cards{display:flex;flex-wrap:wrap;gap:.6rem;margin:.8rem 0}
.card{border:1px solid var(--line);border-radius:6px;padding:.4rem .8rem;min-width:7.5rem}
.card b{display:block;font-size:1.3rem}.card.failing{border-color:#c62828;border-width:2px}
.charts{display:flex;flex-wrap:wrap;gap:2rem}figure{margin:0}figcaption{font-weight:600;margin-bottom:.3rem}
svg text{fill:var(--fg);font-size:12px}
.legend{display:flex;flex-wrap:wrap;gap:.3rem .9rem;font-size:12px;margin-top:.3rem}
.sw{display:inline-block;width:.8rem;height:.8rem;border-radius:2px;vertical-align:-1px;margin-right:.25rem}
table{border-collapse:collapse;width:100%;margin:.4rem 0}
th,td{border-bottom:1px solid var(--line);padding:.3rem .45rem;text-align:left;vertical-align:top}
th{background:var(--head);position:sticky;top:0}td{overflow-wrap:anywhere}
th button{font:inherit;font-weight:600;background:none;border:0;color:inherit;cursor:pointer;padding:0}
th[aria-sort=ascending] button::after{content:" \\25B2"}
th[aria-sort=descending] button::after{content:" \\25BC"}
.filters{display:flex;flex-wrap:wrap;gap:.8rem;align-items:end;margin:.5rem 0}
.filters label{display:flex;flex-direction:column;font-size:12px;color:var(--muted)}
.filters input,.filters select{font:inherit;padding:.2rem .3rem;min-width:12rem}
.v{display:inline-block;padding:0 .4rem;border-radius:3px;color:#fff;font-size:12px;white-space:nowrap}
.loc{white-space:nowrap}.num{text-align:right}.note{font-size:12px;color:var(--muted)}
#more{margin:.6rem 0;font:inherit;padding:.3rem .8rem}
""" + "".join(
    f".v-{verdict.value}{{background:{color}}}.c-{verdict.value}{{fill:{color}}}"
    f".sw-{verdict.value}{{background:{color}}}\n"
    for verdict, color in _COLORS.items()
)

_SCRIPT = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("linkaudit-data").textContent);
  var C = {};
  data.columns.forEach(function (name, i) { C[name] = i; });
  var rows = data.rows, PAGE = 500, WEB = /^https?:\\/\\//i;
  var state = {verdict: "", host: "", article: "", sort: "file", dir: "asc", shown: PAGE};
  var root = document.documentElement;
  var tbody = document.getElementById("rows");
  var count = document.getElementById("count");
  var more = document.getElementById("more");
  var fields = {
    verdict: document.getElementById("f-verdict"),
    host: document.getElementById("f-host"),
    article: document.getElementById("f-article")
  };
  var verdicts = {};
  rows.forEach(function (r) { verdicts[r[C.verdict]] = true; });
  data.verdicts.forEach(function (v) {
    if (!verdicts[v]) return;
    var option = document.createElement("option");
    option.value = v;
    option.textContent = v;
    fields.verdict.appendChild(option);
  });

  function readHash() {
    var params = new URLSearchParams(location.hash.slice(1));
    state.verdict = params.get("verdict") || "";
    state.host = params.get("host") || "";
    state.article = params.get("article") || "";
    var sort = params.get("sort");
    state.sort = sort && Object.prototype.hasOwnProperty.call(C, sort) ? sort : "file";
    state.dir = params.get("dir") === "desc" ? "desc" : "asc";
    state.shown = PAGE;
    fields.verdict.value = state.verdict;
    fields.host.value = state.host;
    fields.article.value = state.article;
  }

  function writeHash() {
    var params = new URLSearchParams();
    ["verdict", "host", "article"].forEach(function (k) { if (state[k]) params.set(k, state[k]); });
    if (state.sort !== "file") params.set("sort", state.sort);
    if (state.dir !== "asc") params.set("dir", state.dir);
    try { history.replaceState(null, "", "#" + params.toString()); } catch (e) { /* some file: views */ }
  }

  function byLocation(a, b) {
    if (a[C.file] !== b[C.file]) return a[C.file] < b[C.file] ? -1 : 1;
    return a[C.line] - b[C.line] || a[C.column] - b[C.column];
  }

  function compare(a, b) {
    var k = C[state.sort], x = a[k], y = b[k], order = 0;
    if (state.sort === "file") order = byLocation(a, b);
    else if (typeof x === "number") order = x - y;
    else order = x < y ? -1 : x > y ? 1 : 0;
    if (order === 0 && state.sort !== "file") order = byLocation(a, b);
    return state.dir === "desc" ? -order : order;
  }

  function matches(r) {
    if (state.verdict && r[C.verdict] !== state.verdict) return false;
    if (state.host && r[C.host].toLowerCase().indexOf(state.host.toLowerCase()) < 0) return false;
    if (state.article && r[C.file].toLowerCase().indexOf(state.article.toLowerCase()) < 0) return false;
    return true;
  }

  function cell(tr, text, className) {
    var td = document.createElement("td");
    if (className) td.className = className;
    td.textContent = text;
    tr.appendChild(td);
    return td;
  }

  function link(td, href, text) {
    if (href && WEB.test(href)) {
      var a = document.createElement("a");
      a.href = href;
      a.rel = "noreferrer noopener nofollow";
      a.textContent = text;
      td.appendChild(a);
    } else if (text) {
      td.appendChild(document.createTextNode(text));
    }
  }

  function render() {
    var shown = rows.filter(matches).sort(compare);
    tbody.textContent = "";
    var page = shown.slice(0, state.shown);
    var fragment = document.createDocumentFragment();
    page.forEach(function (r) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-verdict", r[C.verdict]);
      cell(tr, r[C.file] + ":" + r[C.line] + ":" + r[C.column], "loc");
      cell(tr, r[C.text]);
      link(cell(tr, ""), r[C.href], r[C.target]);
      var badge = document.createElement("span");
      badge.className = "v v-" + r[C.verdict];
      badge.textContent = r[C.verdict];
      var verdict = cell(tr, "");
      verdict.appendChild(badge);
      if (r[C.tags]) {
        var tags = document.createElement("div");
        tags.className = "note";
        tags.textContent = r[C.tags];
        verdict.appendChild(tags);
      }
      cell(tr, r[C.reason]).title = r[C.slug];
      cell(tr, r[C.evidence]);
      var archived = cell(tr, "");
      link(archived, r[C.archive], r[C.archive] ? "archived copy" : "");
      if (r[C.archive_note]) {
        var note = document.createElement("div");
        note.className = "note";
        note.textContent = r[C.archive_note];
        archived.appendChild(note);
      }
      fragment.appendChild(tr);
    });
    tbody.appendChild(fragment);
    count.textContent = shown.length === rows.length
      ? rows.length + " rows" : shown.length + " of " + rows.length + " rows";
    more.hidden = shown.length <= page.length;
    more.textContent = "Show " + Math.min(PAGE, shown.length - page.length) + " more";
    document.querySelectorAll("th[data-sort]").forEach(function (th) {
      var key = th.getAttribute("data-sort");
      if (key === state.sort) th.setAttribute("aria-sort", state.dir === "asc" ? "ascending" : "descending");
      else th.removeAttribute("aria-sort");
    });
    root.setAttribute("data-rows", String(shown.length));
    root.setAttribute("data-shown", String(page.length));
    root.setAttribute("data-ready", "true");
  }

  Object.keys(fields).forEach(function (key) {
    fields[key].addEventListener("input", function () {
      state[key] = fields[key].value;
      state.shown = PAGE;
      writeHash();
      render();
    });
  });
  document.querySelectorAll("th[data-sort] button").forEach(function (button) {
    button.addEventListener("click", function () {
      var key = button.parentNode.getAttribute("data-sort");
      state.dir = state.sort === key && state.dir === "asc" ? "desc" : "asc";
      state.sort = key;
      writeHash();
      render();
    });
  });
  more.addEventListener("click", function () { state.shown += PAGE; render(); });
  window.addEventListener("hashchange", function () { readHash(); render(); });
  readHash();
  render();
})();
"""


def _sha256(source: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii")


CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; script-src '{_sha256(_SCRIPT)}'; style-src '{_sha256(_STYLE)}'; "
    "base-uri 'none'; form-action 'none'"
)
"""Nothing loads and nothing runs but this file's own style and script."""

_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_JSON_ESCAPES = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def _clean(value: str) -> str:
    """No control characters (a NUL, an escape) and no lone surrogates (which UTF-8 cannot hold)."""
    return _UNSAFE.sub("\ufffd", value)


def _e(value: object) -> str:
    return html.escape(_clean(str(value)), quote=True)


def embed_json(value: Any) -> str:
    """JSON safe inside `<script type="application/json">`: nothing in it can close the element or open
    markup, and it parses the same (`\\u003c` is `<` to JSON.parse)."""
    return escape_invisible(json.dumps(value, ensure_ascii=False, separators=(",", ":"))).translate(
        _JSON_ESCAPES
    )


def _rows(digest: ReportDigest, dates: Mapping[str, date]) -> list[list[object]]:
    rows: list[list[object]] = []
    for file, citations in digest.by_file:
        for citation in citations:
            result, occ = citation.result, citation.occurrence
            target = shown_target(result, occ.raw)
            text = " ".join(occ.text.split())
            rows.append(
                [
                    _clean(file),
                    occ.line,
                    occ.column,
                    _clean(text if text != target else ""),
                    _clean(target),
                    web_url(result.target.url) if result.target.is_http else None,
                    result.judgement.verdict.value,
                    _clean(describe_reason(result.judgement.reason)),
                    result.judgement.reason,
                    _clean(evidence_summary(result)),
                    archive_link(result),
                    result.target.host,
                    _clean(archive_note(result, dates.get(occ.file)) or ""),
                    _clean(", ".join(result_tags(result))),
                ]
            )
    return rows


def _year_or_folder(files: Iterable[str]) -> tuple[str, dict[str, str]]:
    """How to group articles in the chart: by a year in their path when most have one, else by folder."""
    year = re.compile(r"(?:^|/)((?:19|20)\d\d)(?:[/_-]|\d{4}|$)")
    groups: dict[str, str] = {}
    with_year = 0
    names = list(files)
    for file in names:
        found = year.search(file.replace("\\", "/"))
        if found is not None:
            with_year += 1
            groups[file] = found.group(1)
    if names and with_year * 2 >= len(names):
        return "year", {file: groups.get(file, "no year") for file in names}
    return "folder", {file: file.replace("\\", "/").rpartition("/")[0] or "." for file in names}


def _bars(caption: str, labels: list[str], stacks: list[list[tuple[Verdict, int]]], noun: str) -> list[str]:
    """A horizontal stacked bar chart as inline SVG (sizes computed here: no script, no style attribute)."""
    if not labels:
        return []
    label_width, bar_width, row = 210, 420, 22
    top = max(sum(n for _, n in stack) for stack in stacks) or 1
    height = row * len(labels) + 4
    parts = [
        f"<figure><figcaption>{_e(caption)}</figcaption>",
        f'<svg role="img" width="{label_width + bar_width + 70}" height="{height}" '
        f'viewBox="0 0 {label_width + bar_width + 70} {height}" xmlns="http://www.w3.org/2000/svg">',
    ]
    for i, (label, stack) in enumerate(zip(labels, stacks, strict=True)):
        y = i * row + 2
        shown = label if len(label) <= 32 else label[:31] + "…"
        parts.append(f'<text x="{label_width - 6}" y="{y + 14}" text-anchor="end">{_e(shown)}</text>')
        x = float(label_width)
        total = 0
        for verdict, number in stack:
            width = bar_width * number / top
            parts.append(
                f'<rect class="c-{verdict.value}" x="{x:.1f}" y="{y}" '
                f'width="{max(width, 1):.1f}" height="{row - 6}">'
                f"<title>{_e(label)}: {_e(counted(number, noun))} {verdict.value}</title></rect>"
            )
            x += width
            total += number
        parts.append(f'<text x="{x + 5:.1f}" y="{y + 14}">{total:,}</text>')
    parts.append("</svg></figure>")
    return parts


def _host_chart(report: AuditReport) -> list[str]:
    per_host: defaultdict[str, Counter[Verdict]] = defaultdict(Counter)
    for result in report.results:
        if result.target.is_http:
            per_host[result.target.host][result.judgement.verdict] += 1

    def weight(item: tuple[str, Counter[Verdict]]) -> tuple[int, int, str]:
        host, counts = item
        problems = sum(n for verdict, n in counts.items() if is_problem(verdict))
        return (-problems, -sum(counts.values()), host)

    chosen = sorted(per_host.items(), key=weight)[:_CHART_BARS]
    stacks = [sorted(counts.items(), key=lambda item: severity(item[0])) for _, counts in chosen]
    caption = "Verdicts per host (URLs)"
    if len(chosen) < len(per_host):
        caption = f"Verdicts per host (URLs; the {len(chosen)} with the most problems, of {len(per_host):,})"
    return _bars(caption, [host for host, _ in chosen], stacks, "URL")


def _article_chart(report: AuditReport) -> list[str]:
    citations: Counter[tuple[str, Verdict]] = Counter()
    for result in report.results:
        verdict = result.judgement.verdict
        if is_problem(verdict):
            for occ in result.occurrences:
                citations[(occ.file, verdict)] += 1
    mode, group_of = _year_or_folder({file for file, _ in citations})
    per_group: defaultdict[str, Counter[Verdict]] = defaultdict(Counter)
    for (file, verdict), number in citations.items():
        per_group[group_of[file]][verdict] += number
    if mode == "year":
        chosen = sorted(per_group.items())[-_CHART_BARS:]
    else:
        chosen = sorted(per_group.items(), key=lambda item: (-sum(item[1].values()), item[0]))[:_CHART_BARS]
    stacks = [sorted(counts.items(), key=lambda item: severity(item[0])) for _, counts in chosen]
    caption = f"Problem citations per article {mode}"
    if len(chosen) < len(per_group):
        caption += f" ({len(chosen)} of {len(per_group):,} {mode}s)"
    return _bars(caption, [group for group, _ in chosen], stacks, "citation")


def _legend(verdicts: Iterable[Verdict]) -> str:
    items = "".join(
        f'<span><span class="sw sw-{v.value}"></span>{v.value}</span>' for v in sorted(verdicts, key=severity)
    )
    return f'<div class="legend">{items}</div>'


def _summary(report: AuditReport, digest: ReportDigest, failing: frozenset[Verdict]) -> list[str]:
    parts = ['<section id="summary"><div class="cards">']
    for row in digest.verdicts:
        css = "card failing" if row.verdict in failing and row.urls else "card"
        parts.append(
            f'<div class="{css}"><span class="v v-{row.verdict.value}">{row.verdict.value}</span>'
            f'<b>{row.urls:,}</b><span class="muted">{counted(row.citations, "citation")}</span></div>'
        )
    parts.append("</div>")
    fails = ", ".join(sorted(v.value for v in failing)) or "nothing"
    parts.append(f'<p class="muted">{_e(run_totals(report))} · the run fails on: {_e(fails)}</p>')
    parts += [f'<p class="muted">{_e(note)}</p>' for note in run_notes(report)]
    parts.append("</section>")
    return parts


def _findings(report: AuditReport, limit: int = MAX_FINDINGS) -> list[str]:
    """The hygiene findings: counts by kind, then a table of the first `limit` in reading order."""
    counts = finding_counts(report)
    if not counts:
        return []
    kinds = " · ".join(f"{_e(kind)} {count:,}" for kind, count in counts)
    parts = [
        '<section id="findings"><h2>Hygiene findings</h2>',
        f'<p class="muted">How citations are written; they never fail the run: {kinds}</p>',
        "<table><thead><tr><th>article:line:col</th><th>finding</th><th>URL</th><th>what to do</th>"
        "<th>suggestion</th></tr></thead><tbody>",
    ]
    shown = 0
    for citation, finding in every_finding(report):
        if shown == limit:
            break
        shown += 1
        occ = citation.occurrence
        suggestion = finding.suggestion or ""
        link = web_url(finding.suggestion)
        cell = f'<a href="{_e(link)}" rel="noreferrer">{_e(suggestion)}</a>' if link else _e(suggestion)
        if finding.suggestion_check is not None:
            cell += f' <span class="v v-{finding.suggestion_check.verdict.value}">'
            cell += f"{finding.suggestion_check.verdict.value}</span>"
        parts.append(
            f"<tr><td><code>{_e(occ.file)}:{occ.line}:{occ.column}</code></td><td>{_e(finding.kind.value)}"
            f"</td><td>{_e(citation.result.target.url or occ.raw)}</td><td>{_e(finding.detail)}</td>"
            f"<td>{cell}</td></tr>"
        )
    parts.append("</tbody></table>")
    total = sum(count for _, count in counts)
    if total > shown:
        parts.append(
            f'<p class="muted">{counted(total - shown, "more finding")}: the JSON report has all.</p>'
        )
    parts.append("</section>")
    return parts


def _folded(report: AuditReport, digest: ReportDigest) -> list[str]:
    parts: list[str] = []
    if digest.hosts:
        parts += [
            '<section id="hosts"><h2>Unreachable hosts</h2>',
            '<p class="muted">Their URLs are not listed in the table below.</p>',
            "<table><thead><tr><th>host</th><th>verdict</th><th>reason</th><th>URLs</th><th>files</th>"
            "<th>also</th></tr></thead><tbody>",
        ]
        for host in digest.hosts:
            others = ", ".join(f"{describe_reason(r)} ({n:,})" for r, n in host.other_reasons)
            parts.append(
                f'<tr><td>{_e(host.host)}</td><td><span class="v v-{host.verdict.value}">'
                f"{host.verdict.value}</span></td><td>{_e(describe_reason(host.reason))}</td>"
                f'<td class="num">{host.urls:,}</td><td class="num">{host.files:,}</td>'
                f"<td>{_e(others)}</td></tr>"
            )
        parts.append("</tbody></table></section>")
    if digest.templates:
        parts += [
            '<section id="templates"><h2>Template links</h2>',
            '<p class="muted">Cited from a shared layout: one fix each.</p>',
            "<table><thead><tr><th>URL</th><th>verdict</th><th>reason</th><th>files</th><th>archive</th>"
            "</tr></thead><tbody>",
        ]
        for folded in digest.templates:
            result = folded.result
            archived = archive_link(result)
            archive_cell = f'<a href="{_e(archived)}" rel="noreferrer">archived copy</a>' if archived else ""
            parts.append(
                f'<tr><td>{_e(result.target.url)}</td><td><span class="v v-{result.judgement.verdict.value}">'
                f"{result.judgement.verdict.value}</span></td><td>{_e(describe_reason(result.judgement.reason))}"
                f'</td><td class="num">{folded.files:,}</td><td>{archive_cell}</td></tr>'
            )
        parts.append("</tbody></table></section>")
    if report.errors:
        parts.append('<section id="errors"><h2>Files that could not be read</h2><ul>')
        for error in sorted(report.errors, key=lambda e: (e.file, e.message)):
            parts.append(f"<li><code>{_e(error.file)}</code>: {_e(error.message)}</li>")
        parts.append("</ul></section>")
    return parts


_TABLE_HEAD = "".join(
    f'<th data-sort="{key}"><button type="button">{label}</button></th>'
    for key, label in (
        ("file", "article:line:col"),
        ("text", "link text"),
        ("target", "URL"),
        ("verdict", "verdict"),
        ("reason", "reason"),
        ("evidence", "evidence"),
        ("archive", "archive"),
    )
)


def html_document_start(title: str) -> str:
    """The head of a self-contained page (this module's style and Content-Security-Policy) and `<body>`:
    a page without the table's script (`linkaudit diff --format html`) runs nothing."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="linkaudit {_e(__version__)}">\n'
        f"<title>{_e(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
    )


def escape_html(value: object) -> str:
    """Text or an attribute value as HTML: escaped, control characters dropped."""
    return _e(value)


def write_html_report(
    report: AuditReport, out: TextIO, *, verbose: bool = False, fold_host_at: int = FOLD_HOST_AT
) -> None:
    """Write the whole report as one HTML document. `verbose` lists working links in the table too."""
    digest = digest_report(report, verbose=verbose, fold_host_at=fold_host_at)
    failing = failing_verdicts(report)
    failing_citations = sum(len(r.occurrences) for r in report.results if fails_run(r, failing))
    title = f"linkaudit: {counted(failing_citations, 'failing citation')}"
    out.write(html_document_start(title))
    out.write(f"<header><h1>{_e(title)}</h1>")
    out.write(
        f'<p class="muted">Report generated {_e(report.generated_at)} by linkaudit {_e(__version__)}.</p>'
    )
    if report.partial:
        out.write(
            f'<p class="partial">Interrupted: only the {len(report.results):,} URLs checked '
            "before the stop.</p>"
        )
    out.write("</header>\n")
    out.write("\n".join(_summary(report, digest, failing)) + "\n")
    charts = _host_chart(report) + _article_chart(report)
    if charts:
        seen = {r.judgement.verdict for r in report.results}
        out.write('<section id="charts"><h2>Charts</h2><div class="charts">')
        out.write("\n".join(charts))
        out.write(f"</div>{_legend(seen)}</section>\n")
    rows = _rows(digest, article_dates(report))
    listed = "every link" if verbose else "problems"
    out.write(
        f'<section id="citations"><h2>Citations ({listed}, by article)</h2>\n'
        '<div class="filters"><label>verdict<select id="f-verdict"><option value="">all</option>'
        "</select></label>"
        '<label>host contains<input id="f-host" type="search" autocomplete="off"></label>'
        '<label>article contains<input id="f-article" type="search" autocomplete="off"></label>'
        '<span id="count" class="muted"></span></div>\n'
        f'<table><thead><tr>{_TABLE_HEAD}</tr></thead><tbody id="rows"></tbody></table>\n'
        '<button id="more" type="button" hidden>Show more</button>\n'
        f"<noscript><p>The table needs JavaScript ({counted(len(rows), 'row')}); "
        "the JSON report has every detail.</p></noscript></section>\n"
    )
    out.write("\n".join(_folded(report, digest) + _findings(report)) + "\n")
    data = {
        "columns": ROW_COLUMNS,
        "verdicts": [v.value for v in sorted(Verdict, key=severity)],
        "rows": rows,
    }
    out.write('<script type="application/json" id="linkaudit-data">')
    out.write(embed_json(data))
    out.write(f"</script>\n<script>{_SCRIPT}</script>\n</body>\n</html>\n")
