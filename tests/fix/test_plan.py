"""The planner's decisions: one edit per span, conflicts and overlaps refused whole, changed files and
unreadable replacements refused with a message, and the read-back check that guards every edit."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from linkaudit.extract import SourceFormat, extract_document
from linkaudit.extract.document import document_from_bytes
from linkaudit.fix import FileSkipped, plan_document
from linkaudit.fix import plan as plan_module
from linkaudit.models import LinkKind, Occurrence, Target

PATH = Path("/articles/a.md")
OLD = "http://old.example/x"
NEW = "https://web.archive.org/web/2020/http://old.example/x"


def _occurrences(data: bytes, name: str = "a.md") -> list[Occurrence]:
    doc = document_from_bytes(data, PATH.with_name(name), name)
    return extract_document(doc, SourceFormat.for_path(name), PATH.parent)


def test_a_definition_used_three_times_is_one_edit() -> None:
    data = f"[r] [t][r] ![r]\n\n[r]: {OLD}\n".encode()
    found = _occurrences(data)
    assert len(found) == 3 and len({(occ.start, occ.end) for occ in found}) == 1
    planned = plan_document(data, found, {OLD: NEW}, path=PATH, file="a.md")
    [edit] = planned.edits
    assert edit.uses == 3 and edit.new == NEW and (edit.line, edit.column) == (1, 1)


def test_the_same_url_cited_twice_is_two_edits_in_order() -> None:
    data = f"[a]({OLD}) and <{OLD}>\n".encode()
    planned = plan_document(data, _occurrences(data), {OLD: NEW}, path=PATH, file="a.md")
    assert [edit.kind for edit in planned.edits] == [LinkKind.LINK, LinkKind.AUTOLINK]
    assert planned.edits[0].end < planned.edits[1].start


def test_only_targets_with_a_replacement_and_never_link_text() -> None:
    data = f"[{OLD}](http://other.example/) and [b]({OLD})\n".encode()
    found = _occurrences(data)
    assert LinkKind.TEXT_URL in {occ.kind for occ in found}  # the link text names OLD too
    planned = plan_document(data, found, {OLD: NEW}, path=PATH, file="a.md")
    [edit] = planned.edits
    assert edit.old == OLD and edit.kind is LinkKind.LINK and data.index(b"[b]") < edit.start


def _plan_with(data: bytes, occ: Occurrence, forged: Occurrence) -> None:
    """Plan `occ` (to NEW) beside a forged occurrence whose target has a replacement of its own."""
    replacements = {OLD: NEW, forged.target.url: "https://b.example/"}
    plan_document(data, [occ, forged], replacements, path=PATH, file="a.md")


def test_conflicting_fixes_for_one_span_leave_the_file_alone() -> None:
    data = f"[a]({OLD})\n".encode()
    [occ] = _occurrences(data)
    twin = replace(occ, target=Target("http://twin.example/"))
    with pytest.raises(FileSkipped, match="two different fixes for one citation"):
        _plan_with(data, occ, twin)


def test_overlapping_fixes_leave_the_file_alone() -> None:
    data = f"[a]({OLD})\n".encode()
    [occ] = _occurrences(data)
    inner = replace(occ, start=occ.start + 7, raw=OLD[7:], target=Target("http://inner.example/"))
    with pytest.raises(FileSkipped, match="overlapping fixes"):
        _plan_with(data, occ, inner)


@pytest.mark.parametrize("shift", [1, -1, 40])
def test_a_span_that_no_longer_reads_raw_leaves_the_file_alone(shift: int) -> None:
    data = f"[a]({OLD})\n".encode()
    [occ] = _occurrences(data)
    moved = replace(occ, start=occ.start + shift, end=occ.end + shift)
    with pytest.raises(FileSkipped, match="changed since the report"):
        plan_document(data, [moved], {OLD: NEW}, path=PATH, file="a.md")


def test_a_span_inside_a_character_is_caught() -> None:
    data = f"見[a]({OLD})\n".encode("utf-16-le")
    data = b"\xff\xfe" + data
    [occ] = _occurrences(data)
    odd = replace(occ, start=occ.start + 1, end=occ.end + 1)
    with pytest.raises(FileSkipped, match="changed since the report"):
        plan_document(data, [odd], {OLD: NEW}, path=PATH, file="a.md")


def test_a_relative_replacement_is_refused_with_a_message() -> None:
    data = f"[a]({OLD}) [b](http://b.example/)\n".encode()
    planned = plan_document(
        data,
        _occurrences(data),
        {OLD: "archive/x.html", "http://b.example/": "https://c.example/"},
        path=PATH,
        file="a.md",
    )
    [refused] = planned.refused
    assert "not an absolute URL" in refused.message and refused.line == 1
    assert [edit.url for edit in planned.edits] == ["https://c.example/"]


def test_a_replacement_equal_to_what_is_written_is_no_edit() -> None:
    data = f"[a]({OLD})\n".encode()
    planned = plan_document(data, _occurrences(data), {OLD: OLD}, path=PATH, file="a.md")
    assert planned.edits == () and planned.refused == ()


def test_bare_url_in_an_html_text_node_becomes_an_anchor() -> None:
    # Wrapped in <a href> so the cited address stays visible.
    data = f"<p>見 {OLD} 。</p>\n".encode()
    [bare] = _occurrences(data, "a.html")
    assert bare.kind is LinkKind.BARE and (bare.line, bare.column) == (1, 6)
    planned = plan_document(data, [bare], {OLD: "https://new.example/?a=1&b=2"}, path=PATH, file="a.html")
    [edit] = planned.edits
    assert edit.new == f'<a href="https://new.example/?a=1&amp;b=2">{OLD}</a>'
    assert edit.destination == "https://new.example/?a=1&amp;b=2"


def test_escaped_bang_before_a_bare_url_is_left_as_it_is() -> None:
    data = f"\\!{OLD}\n".encode()
    planned = plan_document(data, _occurrences(data), {OLD: NEW}, path=PATH, file="a.md")
    [edit] = planned.edits
    assert edit.new == f"[{OLD}]({NEW})" and edit.start == 2


def test_an_edit_that_would_disturb_another_citation_leaves_the_file_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The read-back check, shown with a writer that opens an HTML comment (no real writer does)."""

    def swallowing(written: str, url: str, encoding: str) -> tuple[str, int, str]:
        return f"[{written}]({url})<!--", len(written) + 3, url

    monkeypatch.setattr(plan_module, "bare_in_markdown", swallowing)
    data = f"See {OLD} and [b](http://other.example/), the end -->\n".encode()
    with pytest.raises(FileSkipped, match=r"would change how line 1 parses \('http://other.example/'\)"):
        plan_document(data, _occurrences(data), {OLD: NEW}, path=PATH, file="a.md")


def test_an_edit_that_does_not_read_back_is_refused_and_the_others_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With a Markdown writer that forgets to escape parentheses, the unbalanced one cannot be written."""
    monkeypatch.setattr(plan_module, "markdown_destination", lambda url, encoding, angle=False: url)
    data = b"[a](http://a.example/) [b](http://b.example/)\n"
    planned = plan_document(
        data,
        _occurrences(data),
        {"http://a.example/": "https://new.example/a(b", "http://b.example/": "https://new.example/c"},
        path=PATH,
        file="a.md",
    )
    [refused] = planned.refused
    assert "would not read back" in refused.message
    assert [edit.url for edit in planned.edits] == ["https://new.example/c"]


def test_plain_text_uses_angle_brackets_only_where_needed() -> None:
    data = "a http://old.example/ b http://old.example的報導\n".encode()
    planned = plan_document(
        data,
        _occurrences(data, "a.txt"),
        {"http://old.example/": "https://new.example/y"},
        path=PATH,
        file="a.txt",
    )
    assert [edit.new for edit in planned.edits] == ["https://new.example/y", "<https://new.example/y>"]


def test_unreadable_bytes_leave_the_file_alone() -> None:
    with pytest.raises(FileSkipped, match="cannot be read as text"):
        plan_document(b"\x00\x01binary", [], {}, path=PATH, file="a.md")
