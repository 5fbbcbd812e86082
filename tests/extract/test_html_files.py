"""`.html`/`.htm` files, read with an HTML parser: the same elements as raw HTML in Markdown, with
`<base href>` honoured, anchor text collected, comments and script bodies ignored."""

from __future__ import annotations

from pathlib import Path

from linkaudit.extract import SourceFormat, extract_document
from linkaudit.extract.document import document_from_bytes
from linkaudit.models import LinkKind, Occurrence, TargetStatus

ROOT = Path("/site")
K = LinkKind

PAGE = """\
<!DOCTYPE html>
<html lang="zh">
<head>
  <meta charset="utf-8">
  <base href="https://mirror.example/gnews/">
  <link rel="stylesheet" href="https://cdn.example/site.css">
  <script>document.write('<a href="https://script.example/">x</a>');</script>
</head>
<body>
  <!-- <a href="https://comment.example/">old</a> -->
  <h1>新闻</h1>
  <p>据<a href="https://www.usatoday.example/story/1" title="USA Today">今日<b>美国</b></a>消息称，
  见<a href="2022/06/a.html">上一篇</a>与<a href="/index.html">首页</a>。</p>
  <img src="img/1.png" alt="图一" srcset="img/1@2x.png 2x, https://cdn.example/1@3x.png 3x">
  <video src="v.mp4" poster="v.jpg"><source src="v.webm"></video>
  <audio src="a.mp3"></audio>
  <iframe src="https://www.youtube.example/embed/x"></iframe>
  <a href="mailto:news@a.example">来信</a> <a href="#top">顶部</a> <a name="no-href">锚</a>
</body>
</html>
"""


def extract(text: str, name: str = "gnews/page.html") -> list[Occurrence]:
    data = text.encode("utf-8")
    doc = document_from_bytes(data, ROOT / name, name)
    found = extract_document(doc, SourceFormat.for_path(name), ROOT)
    for occ in found:
        assert data[occ.start : occ.end].decode("utf-8") == occ.raw
    return found


def test_every_url_element_with_base_href() -> None:
    found = extract(PAGE)
    assert [(o.kind, o.raw, o.target.url, o.text) for o in found] == [
        (
            K.HTML_LINK,
            "https://www.usatoday.example/story/1",
            "https://www.usatoday.example/story/1",
            "今日美国",
        ),
        (K.HTML_LINK, "2022/06/a.html", "https://mirror.example/gnews/2022/06/a.html", "上一篇"),
        (K.HTML_LINK, "/index.html", "https://mirror.example/index.html", "首页"),
        (K.HTML_IMAGE, "img/1.png", "https://mirror.example/gnews/img/1.png", "图一"),
        (K.HTML_IMAGE, "img/1@2x.png", "https://mirror.example/gnews/img/1@2x.png", "图一"),
        (K.HTML_IMAGE, "https://cdn.example/1@3x.png", "https://cdn.example/1@3x.png", "图一"),
        (K.HTML_LINK, "v.mp4", "https://mirror.example/gnews/v.mp4", ""),
        (K.HTML_IMAGE, "v.jpg", "https://mirror.example/gnews/v.jpg", ""),
        (K.HTML_LINK, "v.webm", "https://mirror.example/gnews/v.webm", ""),
        (K.HTML_LINK, "a.mp3", "https://mirror.example/gnews/a.mp3", ""),
        (K.HTML_LINK, "https://www.youtube.example/embed/x", "https://www.youtube.example/embed/x", ""),
        (K.HTML_LINK, "mailto:news@a.example", "mailto:news@a.example", "来信"),
        (K.HTML_LINK, "#top", "https://mirror.example/gnews/", "顶部"),
    ]
    assert found[0].title == "USA Today"
    assert found[-2].target.status is TargetStatus.SKIPPED


def test_positions_are_where_each_tag_starts() -> None:
    found = extract(PAGE)
    lines = PAGE.split("\n")
    for occ in found:
        assert lines[occ.line - 1][occ.column - 1] == "<"
    assert [(o.line, o.column) for o in found[:3]] == [(12, 7), (13, 4), (13, 37)]


def test_without_base_links_are_local_files() -> None:
    found = extract('<a href="../README.html">返回</a><img src="/img/logo.png">', name="gnews/page.htm")
    assert [o.target.url for o in found] == ["file:///site/README.html", "file:///site/img/logo.png"]


def test_a_root_relative_base_moves_relative_links() -> None:
    """Before the fix, a `<base href="/…">` was ignored and links resolved against the file's folder."""
    found = extract('<base href="/mirror/"><a href="x.html">x</a><a href="/y.html">y</a><a href="#top">t</a>')
    assert [o.target.url for o in found] == [
        "file:///site/mirror/x.html",
        "file:///site/y.html",
        "file:///site/mirror/",
    ]


def test_protocol_relative_and_relative_bases() -> None:
    found = extract('<base href="//cdn.example/dir/"><img src="i.png"><a href="mailto:a@b.example">m</a>')
    assert [o.target.url for o in found] == ["https://cdn.example/dir/i.png", "mailto:a@b.example"]
    found = extract('<base href="sub/"><a href="x.html">x</a>')
    assert [o.target.url for o in found] == ["file:///site/gnews/sub/x.html"]


def test_broken_markup_still_yields_its_links() -> None:
    found = extract(
        "<p><a href=\"https://a.example/1\">unclosed <a href='https://a.example/2'>next<img src=x.png>"
    )
    assert [(o.raw, o.text) for o in found] == [
        ("https://a.example/1", "unclosed"),
        ("https://a.example/2", "next"),
        ("x.png", ""),
    ]


def test_a_marked_section_the_parser_chokes_on_loses_nothing() -> None:
    """Found by fuzzing: `<![` and no section name made CPython 3.11's parser raise (the file was lost)."""
    found = extract(
        '<a href="https://a.example/1">a</a><![\ufffdCDATA[ x ]]> <![ bad <![CDATAx[ y'
        '<a href="https://a.example/2">b</a><![CDATA[<a href="https://in.cdata.example/">]]>'
    )
    assert [(o.raw, o.text) for o in found] == [("https://a.example/1", "a"), ("https://a.example/2", "b")]


def test_a_destination_urllib_refuses_against_a_root_relative_base_keeps_the_file() -> None:
    """Found by fuzzing: `//[` against `<base href="/x/">` raised ValueError and the file was dropped."""
    found = extract('<base href="/x/"><a href="//[">bad</a> <a href="y.html">good</a>')
    assert [(o.raw, o.target.status) for o in found] == [
        ("//[", TargetStatus.INVALID),
        ("y.html", TargetStatus.OK),
    ]
