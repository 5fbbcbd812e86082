"""Where a fix may write, and how: inside the roots only (symlinks out of them refused, also when swapped
in after planning), atomically with the mode kept, never over a file that changed since the report or
since the plan, and not at all in a dry run."""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import replace
from pathlib import Path

import pytest

from linkaudit.extract import collect_inputs, extract_files
from linkaudit.fix import apply_fixes, plan_fixes
from linkaudit.models import Occurrence

OLD = "http://old.example/x"
NEW = "https://web.archive.org/web/2020/http://old.example/x"
ARTICLE = f"# 標題\r\n\r\n見[新聞]({OLD})。\r\n".encode()
FIXED = f"# 標題\r\n\r\n見[新聞]({NEW})。\r\n".encode()


def _occurrences(*paths: Path) -> list[Occurrence]:
    files, errors = collect_inputs([os.fspath(path) for path in paths])
    assert not errors
    result = extract_files(files, jobs=1)
    assert not result.errors
    return list(result.occurrences)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    (tmp_path / "outside").mkdir()
    return folder


def test_dry_run_writes_nothing(root: Path) -> None:
    article = root / "a.md"
    article.write_bytes(ARTICLE)
    plan = plan_fixes(_occurrences(root), {OLD: NEW}, roots=[root])
    outcome = apply_fixes(plan)
    assert article.read_bytes() == ARTICLE
    [fix] = outcome.files
    assert not fix.written and not outcome.written and fix.edits == 1 and fix.citations == 1
    assert f"+見[新聞]({NEW})。\r\n" in outcome.diff


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o755])
def test_written_atomically_with_its_mode(root: Path, mode: int) -> None:
    article = root / "a.md"
    article.write_bytes(ARTICLE)
    article.chmod(mode)
    plan = plan_fixes(_occurrences(root), {OLD: NEW}, roots=[root])
    with article.open("rb") as reader:  # a reader of the old file keeps seeing it whole
        outcome = apply_fixes(plan, write=True)
        assert reader.read() == ARTICLE
    assert outcome.written and [fix.written for fix in outcome.files] == [True]
    assert article.read_bytes() == FIXED
    assert stat.S_IMODE(article.stat().st_mode) == mode
    assert os.listdir(root) == ["a.md"]  # no temporary file left


def test_a_failed_replace_leaves_the_file_and_no_temporary(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = root / "a.md"
    article.write_bytes(ARTICLE)
    plan = plan_fixes(_occurrences(root), {OLD: NEW}, roots=[root])

    def failing_replace(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    outcome = apply_fixes(plan, write=True)
    assert [str(message) for message in outcome.skipped] == [
        f"{plan.files[0].file}: cannot write (No space left on device): left alone"
    ]
    assert outcome.files == ()
    assert article.read_bytes() == ARTICLE and os.listdir(root) == ["a.md"]


def test_a_read_only_file_is_left_alone(root: Path) -> None:
    article = root / "a.md"
    article.write_bytes(ARTICLE)
    article.chmod(0o444)
    plan = plan_fixes(_occurrences(root), {OLD: NEW}, roots=[root])
    outcome = apply_fixes(plan, write=True)
    assert [message.message for message in outcome.skipped] == ["read-only: left alone"]
    assert article.read_bytes() == ARTICLE


def test_a_file_changed_since_the_report_is_skipped(root: Path) -> None:
    article = root / "a.md"
    article.write_bytes(ARTICLE)
    occurrences = _occurrences(root)
    plan = plan_fixes(occurrences, {OLD: NEW}, roots=[root], expected_sha256={article: "0" * 64})
    assert plan.files == ()
    assert [message.message for message in plan.skipped] == [
        "changed since the report (its sha256 differs): left alone"
    ]
    # The right hash, given by another path to the same file, lets it through.
    digest = hashlib.sha256(ARTICLE).hexdigest()
    plan = plan_fixes(occurrences, {OLD: NEW}, roots=[root], expected_sha256={root / "." / "a.md": digest})
    assert len(plan.files) == 1 and plan.skipped == ()


def test_a_file_edited_after_the_report_without_a_hash_is_skipped(root: Path) -> None:
    article = root / "a.md"
    article.write_bytes(ARTICLE)
    occurrences = _occurrences(root)
    article.write_bytes(b"\r\n" + ARTICLE)  # every span moved by two bytes
    plan = plan_fixes(occurrences, {OLD: NEW}, roots=[root])
    assert plan.files == () and "changed since the report" in plan.skipped[0].message
    assert article.read_bytes() == b"\r\n" + ARTICLE


def test_a_file_changed_between_plan_and_write_is_skipped(root: Path) -> None:
    article = root / "a.md"
    article.write_bytes(ARTICLE)
    plan = plan_fixes(_occurrences(root), {OLD: NEW}, roots=[root])
    article.write_bytes(ARTICLE + b"more\r\n")
    outcome = apply_fixes(plan, write=True)
    assert [message.message for message in outcome.skipped] == [
        "changed since the fix was planned: left alone"
    ]
    assert article.read_bytes() == ARTICLE + b"more\r\n"


def test_a_symlink_out_of_the_roots_is_refused(root: Path) -> None:
    outside = root.parent / "outside" / "a.md"
    outside.write_bytes(ARTICLE)
    (root / "link.md").symlink_to(outside)
    (root / "folder").symlink_to(outside.parent, target_is_directory=True)
    occurrences = _occurrences(root)
    assert {Path(occ.file).name for occ in occurrences} == {"link.md", "a.md"}
    plan = plan_fixes(occurrences, {OLD: NEW}, roots=[root])
    assert plan.files == ()
    assert len(plan.skipped) == 2
    assert all("outside the folders being fixed" in message.message for message in plan.skipped)
    assert outside.read_bytes() == ARTICLE


def test_a_file_outside_every_root_is_refused(root: Path) -> None:
    outside = root.parent / "outside" / "a.md"
    outside.write_bytes(ARTICLE)
    plan = plan_fixes(_occurrences(outside), {OLD: NEW}, roots=[root])
    assert plan.files == () and plan.skipped[0].message == "outside the folders being fixed: left alone"


def test_a_symlink_inside_the_roots_fixes_the_file_it_names_once(root: Path) -> None:
    article = root / "a.md"
    article.write_bytes(ARTICLE)
    (root / "alias.md").symlink_to("a.md")
    plan = plan_fixes(_occurrences(root), {OLD: NEW}, roots=[root])
    [file_plan] = plan.files
    assert file_plan.edits[0].uses == 2  # cited through both names, one span
    apply_fixes(plan, write=True)
    assert article.read_bytes() == FIXED and (root / "alias.md").is_symlink()


def test_a_folder_swapped_for_a_symlink_after_planning_is_not_followed(root: Path) -> None:
    (root / "sub").mkdir()
    (root / "sub" / "a.md").write_bytes(ARTICLE)
    plan = plan_fixes(_occurrences(root), {OLD: NEW}, roots=[root])
    assert len(plan.files) == 1
    outside = root.parent / "outside"
    (outside / "a.md").write_bytes(ARTICLE)
    (root / "sub").rename(root / "sub.old")
    (root / "sub").symlink_to(outside, target_is_directory=True)
    outcome = apply_fixes(plan, write=True)
    assert outcome.files == () and "its folder 'sub' changed" in outcome.skipped[0].message
    assert (outside / "a.md").read_bytes() == ARTICLE


def test_a_file_swapped_for_a_symlink_after_planning_is_not_followed(root: Path) -> None:
    article = root / "a.md"
    article.write_bytes(ARTICLE)
    plan = plan_fixes(_occurrences(root), {OLD: NEW}, roots=[root])
    outside = root.parent / "outside" / "a.md"
    outside.write_bytes(ARTICLE)
    article.unlink()
    article.symlink_to(outside)
    outcome = apply_fixes(plan, write=True)
    assert outcome.files == () and outcome.skipped[0].message.startswith("cannot read (")
    assert outside.read_bytes() == ARTICLE and article.is_symlink()


def test_standard_input_is_not_a_file_to_fix(root: Path) -> None:
    article = root / "a.md"
    article.write_bytes(ARTICLE)
    [occ] = _occurrences(root)
    plan = plan_fixes([replace(occ, file="-")], {OLD: NEW}, roots=[root])
    assert plan.files == () and str(plan.skipped[0]) == "-: read from standard input: nothing to rewrite"


def test_roots_are_required() -> None:
    with pytest.raises(ValueError, match="at least one root"):
        plan_fixes([], {}, roots=[])
