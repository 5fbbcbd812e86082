"""`linkaudit fix` end to end: a real `check --format json` against the simulated web on loopback, then
`fix` on that report in a real process, over real files (Markdown, HTML, plain text; UTF-8, GB18030,
UTF-16 with a BOM and CRLF lines).

The archive stage that adds `archive` to a URL entry is built elsewhere; until it lands, these tests take
the real report and give each dead URL the `archive` object issue 7 specifies
(`{"url": "{archive}/web/{timestamp}/{url}", "timestamp", "distance_days", "direction"}`), as that stage
will. `--redirects` needs nothing added: the checker reports permanent redirects and their final URL.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import pty
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from clirun import linkaudit_environment, resolve_args, run_linkaudit, run_linkaudit_bytes
from fix.support import ENCODINGS, NEWLINES, encode
from gitrepo import commit_all, git_apply, needs_git

from linkaudit.demo.simweb import Reply, SimWeb

linkaudit = run_linkaudit

DEAD = "http://news.example/gone"
NO_HOST = "http://gone.example/story"
LIVE = "http://news.example/live"
MOVED = "http://news.example/moved"
STAMP = "20200101000000"


def archived(url: str) -> str:
    return f"https://web.archive.org/web/{STAMP}/{url}"


@pytest.fixture
def web() -> Iterator[SimWeb]:
    with SimWeb() as simulated:
        news = simulated.host("news.example")
        news.route("/live", Reply.html("live"))
        news.route("/moved", Reply.redirect("/live", 301))
        news.route("/gone", Reply.html("not here", status=404))
        simulated.missing_host("gone.example")
        yield simulated


MARKDOWN = (
    f"# 新聞\n\n據[報導]({DEAD})，另見 {NO_HOST} 。\n\n[ref]: {DEAD}\n\n"
    f"[again][ref] [more][ref] <{MOVED}> [ok]({LIVE})\n"
)
HTML = f"<html><body><p><a href=\"{DEAD}\">a</a> <img src='{NO_HOST}'> {DEAD}</p></body></html>\n"
TEXT = f"See {NO_HOST}. And {LIVE} too.\n"


def check_report(folder: Path, web: SimWeb, *paths: str) -> dict[str, Any]:
    """`check -f json -o r.json` in `folder`, then each dead URL given an archived copy (see above)."""
    done = linkaudit(
        "check",
        *(paths or (".",)),
        *resolve_args(web),
        "--no-store",
        "-f",
        "json",
        "-o",
        "r.json",
        cwd=folder,
    )
    assert done.returncode in (0, 1), done.stderr
    report: dict[str, Any] = json.loads((folder / "r.json").read_text(encoding="utf-8"))
    for entry in report["urls"]:
        if entry["verdict"] == "dead":
            entry["archive"] = {
                "url": archived(entry["url"]),
                "timestamp": STAMP,
                "distance_days": 12,
                "direction": "before",
            }
    save(folder, report)
    return report


def save(folder: Path, report: dict[str, Any]) -> None:
    (folder / "r.json").write_text(json.dumps(report), encoding="utf-8")


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    (tmp_path / "a.md").write_text(MARKDOWN, encoding="utf-8")
    (tmp_path / "b.html").write_text(HTML, encoding="utf-8")
    (tmp_path / "c.txt").write_text(TEXT, encoding="utf-8")
    return tmp_path


def fixed_markdown() -> str:
    return (
        f"# 新聞\n\n據[報導]({archived(DEAD)})，另見 [{NO_HOST}]({archived(NO_HOST)}) 。\n\n"
        f"[ref]: {archived(DEAD)}\n\n[again][ref] [more][ref] <{MOVED}> [ok]({LIVE})\n"
    )


def test_dry_run_prints_a_diff_and_writes_nothing(articles: Path, web: SimWeb) -> None:
    check_report(articles, web)
    before = {path.name: path.read_bytes() for path in articles.iterdir()}
    done = linkaudit("fix", "r.json", cwd=articles)
    assert done.returncode == 0, done.stderr
    assert {path.name: path.read_bytes() for path in articles.iterdir()} == before
    assert "--- a/a.md\n+++ b/a.md\n" in done.stdout
    assert f"-[ref]: {DEAD}\n+[ref]: {archived(DEAD)}\n" in done.stdout
    assert "--- a/b.html" in done.stdout and "--- a/c.txt" in done.stdout
    assert "would fix 8 citations (7 edits) in 3 files; --write to apply" in done.stderr


def test_write_rewrites_only_the_destinations(articles: Path, web: SimWeb) -> None:
    check_report(articles, web)
    done = linkaudit("fix", "r.json", "--write", cwd=articles)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "fixed 8 citations (7 edits) in 3 files" in done.stderr
    assert (articles / "a.md").read_text(encoding="utf-8") == fixed_markdown()
    # The bare URL in the HTML text is cited too: it becomes a link that still shows it.
    assert (articles / "b.html").read_text(encoding="utf-8") == (
        f"<html><body><p><a href=\"{archived(DEAD)}\">a</a> <img src='{archived(NO_HOST)}'> "
        f'<a href="{archived(DEAD)}">{DEAD}</a></p></body></html>\n'
    )
    # Plain text has no link text to keep: the archived URL stands where the dead one did.
    assert (articles / "c.txt").read_text(encoding="utf-8") == f"See {archived(NO_HOST)}. And {LIVE} too.\n"
    # What was fixed is cited no more: `[dead](copy of dead)` shows the dead URL without citing it, so
    # the next check neither probes it again nor calls the link text a mismatch.
    listed = linkaudit("extract", ".", "-f", "json", "--no-store", cwd=articles)
    assert listed.returncode == 0, listed.stderr
    links = json.loads(listed.stdout)["links"]
    assert not {DEAD, NO_HOST} & {link["url"] for link in links}, links
    copies = [link for link in links if link["url"].startswith("https://web.archive.org/")]
    assert copies and not any(link.get("findings") for link in copies), links
    again = linkaudit("fix", "r.json", "--write", cwd=articles)
    assert again.returncode == 1
    assert "a.md: changed since the report (its sha256 differs): left alone" in again.stderr


def test_the_dry_runs_diff_applies_to_what_write_would_make(articles: Path, web: SimWeb) -> None:
    check_report(articles, web)
    diff = linkaudit("fix", "r.json", cwd=articles).stdout
    applied = subprocess.run(
        ["git", "apply", "-"], check=False, input=diff, text=True, cwd=articles, capture_output=True
    )
    assert applied.returncode == 0, applied.stderr
    assert (articles / "a.md").read_text(encoding="utf-8") == fixed_markdown()


def test_redirects_only_when_asked(articles: Path, web: SimWeb) -> None:
    check_report(articles, web)
    done = linkaudit("fix", "r.json", "--redirects", "--verdicts", "unreachable", "--write", cwd=articles)
    assert done.returncode == 0, done.stderr
    text = (articles / "a.md").read_text(encoding="utf-8")
    assert f"<{LIVE}>" in text and MOVED not in text
    assert DEAD in text  # dead is not among the verdicts asked for


def test_only_the_verdicts_asked_for(articles: Path, web: SimWeb) -> None:
    check_report(articles, web)
    done = linkaudit("fix", "r.json", "--verdicts", "soft-dead,usurped", cwd=articles)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "nothing to fix: no citation soft-dead, usurped has a replacement" in done.stderr


def test_nothing_to_fix_says_how_many_have_no_copy(articles: Path, web: SimWeb) -> None:
    check_report(articles, web)
    report = json.loads((articles / "r.json").read_text(encoding="utf-8"))
    for entry in report["urls"]:
        entry["archive"] = None
    save(articles, report)
    done = linkaudit("fix", "r.json", cwd=articles)
    assert done.returncode == 0
    assert "(2 URLs without one)" in done.stderr


def test_a_file_changed_since_the_report_is_skipped_the_rest_fixed(articles: Path, web: SimWeb) -> None:
    check_report(articles, web)
    (articles / "c.txt").write_text(TEXT + "edited\n", encoding="utf-8")
    done = linkaudit("fix", "r.json", "--write", cwd=articles)
    assert done.returncode == 1
    assert "linkaudit: c.txt: changed since the report (its sha256 differs): left alone" in done.stderr
    assert (articles / "c.txt").read_text(encoding="utf-8") == TEXT + "edited\n"
    assert (articles / "a.md").read_text(encoding="utf-8") == fixed_markdown()


def test_write_keeps_the_mode_and_refuses_a_read_only_file(articles: Path, web: SimWeb) -> None:
    check_report(articles, web)
    os.chmod(articles / "a.md", 0o640)
    os.chmod(articles / "c.txt", 0o444)
    done = linkaudit("fix", "r.json", "--write", cwd=articles)
    assert done.returncode == 1
    assert stat.S_IMODE((articles / "a.md").stat().st_mode) == 0o640
    assert (articles / "a.md").read_text(encoding="utf-8") == fixed_markdown()
    assert "linkaudit: c.txt: read-only: left alone" in done.stderr
    assert (articles / "c.txt").read_text(encoding="utf-8") == TEXT
    assert not [path.name for path in articles.iterdir() if path.name.startswith(".")]


def test_never_a_file_outside_the_audited_folders(tmp_path: Path, web: SimWeb) -> None:
    audited = tmp_path / "audited"
    audited.mkdir()
    (audited / "a.md").write_text(MARKDOWN, encoding="utf-8")
    (tmp_path / "outside.md").write_text(MARKDOWN, encoding="utf-8")
    report = check_report(audited, web)
    dead = next(entry for entry in report["urls"] if entry["url"] == DEAD)
    # A report edited to name a file beside the audited folder, and one the audit never read.
    escape = {**dead["occurrences"][0], "file": "../outside.md"}
    (audited / "unlisted.md").write_text(MARKDOWN, encoding="utf-8")
    unlisted = {**dead["occurrences"][0], "file": "unlisted.md"}
    # And listed among the audited files with the right sha256, by a relative and by an absolute path.
    (tmp_path / "victim.md").write_text(MARKDOWN, encoding="utf-8")
    victim = str(tmp_path / "victim.md")
    digest = hashlib.sha256(MARKDOWN.encode()).hexdigest()
    report["files"] += [
        {**report["files"][0], "path": "../outside.md", "sha256": digest},
        {**report["files"][0], "path": victim, "sha256": digest},
    ]
    dead["occurrences"] += [escape, unlisted, {**dead["occurrences"][0], "file": victim}]
    save(audited, report)
    done = linkaudit("fix", "r.json", "--write", cwd=audited)
    assert done.returncode == 1
    outside = "outside the folders being fixed: left alone"
    assert f"linkaudit: ../outside.md: {outside}" in done.stderr
    assert f"linkaudit: {victim}: {outside}" in done.stderr
    assert (tmp_path / "victim.md").read_text(encoding="utf-8") == MARKDOWN
    assert "linkaudit: unlisted.md: not among the files the report audited: left alone" in done.stderr
    assert (tmp_path / "outside.md").read_text(encoding="utf-8") == MARKDOWN
    assert (audited / "unlisted.md").read_text(encoding="utf-8") == MARKDOWN
    assert (audited / "a.md").read_text(encoding="utf-8") == fixed_markdown()


def test_a_symlink_swapped_in_after_the_audit_is_not_followed(articles: Path, web: SimWeb) -> None:
    check_report(articles, web)
    elsewhere = articles.parent / f"{articles.name}-elsewhere.md"
    elsewhere.write_text(MARKDOWN, encoding="utf-8")
    (articles / "a.md").unlink()
    (articles / "a.md").symlink_to(elsewhere)
    done = linkaudit("fix", "r.json", "--write", cwd=articles)
    assert done.returncode == 1
    assert "linkaudit: a.md: resolves to" in done.stderr and "outside the folders being fixed" in done.stderr
    assert elsewhere.read_text(encoding="utf-8") == MARKDOWN


def test_fix_runs_from_any_folder_the_reports_root_says_where(articles: Path, web: SimWeb) -> None:
    check_report(articles, web)
    elsewhere = articles / "sub"
    elsewhere.mkdir()
    done = linkaudit("fix", os.fspath(articles / "r.json"), "--write", cwd=elsewhere)
    assert done.returncode == 0, done.stderr
    assert (articles / "a.md").read_text(encoding="utf-8") == fixed_markdown()


ENCODED = {
    "gb18030-crlf": ("gb18030", b"", "\r\n"),
    "utf-16-le-bom-crlf": ("utf-16-le", codecs.BOM_UTF16_LE, "\r\n"),
    "utf-16-be-bom": ("utf-16-be", codecs.BOM_UTF16_BE, "\n"),
    "utf-8-bom-cr": ("utf-8", codecs.BOM_UTF8, "\r"),
}
# Enough Chinese prose for a legacy encoding to be recognized.
PROSE = "據今日美國消息稱，中国的新闻报道说，" * 6


@pytest.mark.parametrize("name", list(ENCODED))
def test_encoding_bom_and_line_endings_are_kept(tmp_path: Path, web: SimWeb, name: str) -> None:
    codec, bom, newline = ENCODED[name]
    text = f"{PROSE}\n\n[報導]({DEAD}) 見 {NO_HOST} 。\n\n[ok]({LIVE})\n"
    (tmp_path / "a.md").write_bytes(bom + text.replace("\n", newline).encode(codec))
    check_report(tmp_path, web, "a.md")
    done = linkaudit("fix", "r.json", "--write", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    expected = text.replace(f"({DEAD})", f"({archived(DEAD)})").replace(
        f" {NO_HOST} ", f" [{NO_HOST}]({archived(NO_HOST)}) "
    )
    assert (tmp_path / "a.md").read_bytes() == bom + expected.replace("\n", newline).encode(codec)


# Traditional characters only, which Big5 and GB18030 both hold; the first edit is near line 1 (a BOM).
PATCHED = [
    "# 據今日美國消息稱，" * 8,
    f"[報導]({DEAD}) 見",
    *"一二三四五六七",
    f"見 {NO_HOST} 。",
    "尾",
]


@needs_git
def test_the_dry_runs_patch_makes_what_write_makes_in_every_encoding(tmp_path: Path, web: SimWeb) -> None:
    """Piped to `git apply` in the audited folder, the dry run gives each file exactly the bytes `--write`
    writes: UTF-8 with and without a BOM, GB18030 and Big5 patched in their own bytes, UTF-16 by a git
    binary patch; LF, CRLF and lone-CR lines; with and without a last line ending."""
    work = tmp_path / "work"
    work.mkdir()
    originals: dict[str, bytes] = {}
    for encoding in ENCODINGS:
        for name, newline in NEWLINES.items():
            for final in ("\n", ""):
                article = f"{encoding}-{name}{'' if final else '-open'}.md"
                originals[article] = encode("\n".join(PATCHED) + final, encoding, newline)
                (work / article).write_bytes(originals[article])
    check_report(work, web)
    commit_all(work)
    dry = run_linkaudit_bytes("fix", "r.json", cwd=work)
    assert dry.returncode == 0, dry.stderr
    applied = shutil.copytree(work, tmp_path / "applied")
    git_apply(applied, dry.stdout)
    written = linkaudit("fix", "r.json", "--write", cwd=work)
    assert written.returncode == 0, written.stderr
    assert f"fixed {2 * len(originals)} citations" in written.stderr
    assert [name for name, data in originals.items() if (work / name).read_bytes() == data] == []
    differ = [name for name in originals if (applied / name).read_bytes() != (work / name).read_bytes()]
    assert differ == []
    assert dry.stdout.count(b"GIT binary patch\n") == 2 * len(NEWLINES) * 2  # the UTF-16 files


def test_a_terminal_gets_the_diff_decoded(tmp_path: Path, web: SimWeb) -> None:
    """On a terminal the diff is for reading: GB18030 decoded (here to UTF-8); piped, the file's bytes."""
    (tmp_path / "a.md").write_bytes(encode("\n".join(PATCHED) + "\n", "gb18030"))
    check_report(tmp_path, web, "a.md")
    changed = f"+[報導]({archived(DEAD)}) 見\n"
    piped = run_linkaudit_bytes("fix", "r.json", cwd=tmp_path)
    assert piped.returncode == 0, piped.stderr
    assert changed.encode("gb18030") in piped.stdout and changed.encode() not in piped.stdout
    reader, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "linkaudit", "fix", "r.json"],
        cwd=tmp_path,
        env=linkaudit_environment(),
        stdout=terminal,
        stderr=subprocess.PIPE,
    )
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(reader, 1 << 16)
        except OSError:  # EIO: the process that held the terminal is gone
            break
        if not chunk:
            break
        shown += chunk
    os.close(reader)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    assert changed.encode() in shown.replace(b"\r\n", b"\n")  # the terminal ends each line with CRLF


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "r.json: not a JSON report"),
        ('{"schema": "linkaudit.extract/1"}', "r.json: not a linkaudit.report/1 report"),
        ('{"schema": "linkaudit.report/1"}', "r.json: the report has no list of urls"),
        ("[]", "r.json: not a linkaudit.report/1 report"),
        ('"\\ud800"', "r.json: not a linkaudit.report/1 report"),
    ],
)
def test_a_report_that_cannot_be_used_exits_2(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "r.json").write_text(content, encoding="utf-8")
    done = linkaudit("fix", "r.json", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith(f"linkaudit: error: {message}"), done.stderr
    assert len(done.stderr.splitlines()) == 1


def test_usage_errors_exit_2(articles: Path, web: SimWeb) -> None:
    missing = linkaudit("fix", "nowhere.json", cwd=articles)
    assert missing.returncode == 2
    assert (
        "linkaudit: error: nowhere.json: cannot read the report (No such file or directory)" in missing.stderr
    )
    check_report(articles, web)
    wrong = linkaudit("fix", "r.json", "--verdicts", "dead,rotten", cwd=articles)
    assert wrong.returncode == 2
    assert "--verdicts 'rotten': not a verdict" in wrong.stderr


def test_a_report_without_its_files_list_is_refused(articles: Path, web: SimWeb) -> None:
    report = check_report(articles, web)
    del report["files"]
    save(articles, report)
    done = linkaudit("fix", "r.json", "--write", cwd=articles)
    assert done.returncode == 2
    assert "lists no audited files with their sha256" in done.stderr
    assert (articles / "a.md").read_text(encoding="utf-8") == MARKDOWN


def test_a_root_that_is_not_here_exits_2(articles: Path, web: SimWeb) -> None:
    report = check_report(articles, web)
    report["root"] = os.fspath(articles / "moved-away")
    save(articles, report)
    done = linkaudit("fix", "r.json", cwd=articles)
    assert done.returncode == 2
    assert "is not a folder here" in done.stderr


def test_the_report_from_stdin(articles: Path, web: SimWeb) -> None:
    check_report(articles, web)
    report = (articles / "r.json").read_text(encoding="utf-8")
    done = linkaudit("fix", "-", cwd=articles, stdin=report)
    assert done.returncode == 0, done.stderr
    assert f"+[ref]: {archived(DEAD)}" in done.stdout
