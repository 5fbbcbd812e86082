"""The HTML report as a document: self-contained, its CSP matching its own script and style, every
string escaped (the browser tests show the same in chromium)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from linkaudit.models import AuditReport
from linkaudit.report.html import CONTENT_SECURITY_POLICY, ROW_COLUMNS, embed_json, write_html_report

from .builders import every_verdict, report_of
from .hostile import HOSTILE_FILE, SCRIPT_PAYLOAD, TITLE_PAYLOAD, hostile_report


class _Document(HTMLParser):
    """Tags, attributes and the text of each <script>/<style>, as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.raw: dict[str, list[str]] = {"script": [], "style": []}
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in self.raw:
            self._open = tag
            self.raw[tag].append("")

    def handle_endtag(self, tag: str) -> None:
        self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self.raw[self._open][-1] += data


def render(report: AuditReport, *, verbose: bool = True) -> str:
    out = io.StringIO()
    write_html_report(report, out, verbose=verbose)
    return out.getvalue()


def parse(document: str) -> _Document:
    parsed = _Document()
    parsed.feed(document)
    parsed.close()
    return parsed


def _hash(source: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()


def test_the_policy_allows_exactly_its_own_script_and_style() -> None:
    parsed = parse(render(report_of(*every_verdict())))
    (meta,) = [a for t, a in parsed.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert meta["content"] == CONTENT_SECURITY_POLICY
    policy = dict(part.strip().split(" ", 1) for part in CONTENT_SECURITY_POLICY.split(";"))
    assert policy["default-src"] == "'none'"
    data_block, code = parsed.raw["script"]
    (style,) = parsed.raw["style"]
    assert policy["script-src"] == f"'{_hash(code)}'"
    assert policy["style-src"] == f"'{_hash(style)}'"
    scripts = [a for t, a in parsed.tags if t == "script"]
    assert scripts == [{"type": "application/json", "id": "linkaudit-data"}, {}]
    data = json.loads(data_block)
    assert data["columns"] == list(ROW_COLUMNS)


def test_self_contained_nothing_to_load() -> None:
    document = render(hostile_report())
    parsed = parse(document)
    assert not [
        t for t, _ in parsed.tags if t in ("link", "img", "iframe", "object", "embed", "base", "form")
    ]
    assert not [a for _, a in parsed.tags if "src" in a or "style" in a or any(k.startswith("on") for k in a)]
    assert "url(" not in parsed.raw["style"][0] and "@import" not in parsed.raw["style"][0]
    hrefs = [a["href"] for t, a in parsed.tags if t == "a"]
    assert all(href is not None and href.startswith(("https://", "http://")) for href in hrefs)


def test_hostile_strings_stay_text() -> None:
    document = render(hostile_report())
    parsed = parse(document)
    assert [t for t, _ in parsed.tags].count("script") == 2
    assert document.count("</script>") == 2
    assert TITLE_PAYLOAD not in document and SCRIPT_PAYLOAD not in document
    rows = json.loads(parsed.raw["script"][0])["rows"]
    files = {row[0] for row in rows}
    assert HOSTILE_FILE in files  # exact, once parsed
    texts = {row[3] for row in rows}
    assert TITLE_PAYLOAD in texts
    by_text = {row[3]: row for row in rows}
    assert by_text["-2+3"][ROW_COLUMNS.index("href")] is None  # javascript: is never a link
    assert {row[ROW_COLUMNS.index("archive")] for row in rows} == {
        None,
        "https://web.archive.org/web/2020/https://gone.example/b",
    }


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_embedded_json_cannot_end_its_block_and_parses_back(text: str) -> None:
    embedded = embed_json({"s": text, "t": [text, "</script><!--"]})
    assert not re.search(r"[<>&\u2028\u2029]", embedded)
    assert json.loads(embedded) == {"s": text, "t": [text, "</script><!--"]}


def test_summary_and_charts_are_drawn_without_script() -> None:
    document = render(report_of(*every_verdict(), settings={"fail_on": ["dead"]}), verbose=False)
    assert "<title>linkaudit: 2 failing citations</title>" in document
    assert len(re.findall(r'<div class="card( failing)?">', document)) == 11
    assert '<div class="card failing"><span class="v v-dead">dead</span><b>1</b>' in document
    assert document.count("<svg") == 2
    assert "Problem citations per article folder" in document
