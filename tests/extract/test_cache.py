"""The extraction cache against a real SQLite store: a warm run gives byte for byte what a cold one gives,
and a changed file is always parsed again, even when its size and mtime are what they were."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
from array import array
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest

import linkaudit.archive.dates as dates_module
import linkaudit.articles as articles_module
import linkaudit.extract.cache as cache_module
from linkaudit.articles import list_articles
from linkaudit.extract import ExtractResult, InputFile, collect_inputs, extract_files
from linkaudit.extract.cache import CachedFile, extract_cached
from linkaudit.models import FileWarning
from linkaudit.report import ExtractFormat
from linkaudit.report.extract import write_extract
from linkaudit.store import Store
from linkaudit.store.files import StoreFileCache

ARTICLE = """# 标题 {n}\r
据[路透社](https://www.reuters.example/world/{n}/story)消息称 ![](https://img.example/{n}.png)\r
见 https://src.example/{n}/a_(b) 与 [坏](hhttps://x.example/{n}) [本地](../index.md#top) <mailto:a@b.ex>\r
[https://shown.example/{n}](https://target.example/{n}) [b](<http://[::1/{n}>)\r
{padding}\r
[footer](https://footer.example/terms)\r
"""


def write_archive(root: Path, files: int, padding: int = 0, *, raw_bytes: bool = False) -> None:
    for n in range(files):
        folder = root / f"d{n % 3}"
        folder.mkdir(parents=True, exist_ok=True)
        text = ARTICLE.format(n=n, padding="正文。" * padding)
        data = text.encode("gb18030" if n % 17 == 5 else "utf-8")
        (folder / f"{n}.md").write_bytes(data)
    (root / "d0" / "broken.md").write_bytes(b"\x00\x01binary")
    if raw_bytes:  # undecodable bytes in a link
        (root / "d1" / "bytes.md").write_bytes(b"[x](https://a.example/\xff\xfe) " + b"text " * 200 + b"\n")


def rendered(result: ExtractResult) -> dict[ExtractFormat, str]:
    out: dict[ExtractFormat, str] = {}
    for fmt in ExtractFormat:
        stream = io.StringIO()
        write_extract(result, fmt, stream)
        out[fmt] = stream.getvalue()
    return out


class CountingCache:
    """The store's cache, counting what is saved (a file parsed again is saved again)."""

    def __init__(self, store: Store) -> None:
        self.inner = StoreFileCache(store)
        self.saved: list[str] = []
        self.remembered = 0  # runs whose template URLs were counted (and their lines found) anew

    def load(self, extractor: str) -> Mapping[str, CachedFile]:
        return self.inner.load(extractor)

    def save(self, extractor: str, entries: Sequence[CachedFile]) -> None:
        self.saved += [entry.key.split("\0")[1] for entry in entries]
        self.inner.save(extractor, entries)

    def restamp(self, stamps: Sequence[tuple[str, bytes]]) -> None:
        self.inner.restamp(stamps)

    def templates(self, manifest: bytes) -> tuple[set[str], bytes] | None:
        return self.inner.templates(manifest)

    def remember(self, manifest: bytes, templates: set[str], marks: bytes) -> None:
        self.remembered += 1
        self.inner.remember(manifest, templates, marks)

    def forget(self, keys: Sequence[str]) -> None:
        self.inner.forget(keys)


@pytest.fixture(autouse=True)
def not_racy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files these tests write are read within seconds, which makes every entry racy (checked by its bytes
    each run): the tests that are not about that count a read as racy only when the file changed after."""
    monkeypatch.setattr(cache_module, "RACY_NS", 0)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "store" / "store.sqlite") as opened:
        yield opened


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Files parsed in this process (the single-process path), by display name."""
    seen: list[str] = []
    real = cache_module._extract_for_cache

    def counting(items: list[InputFile], max_size: int) -> list[cache_module._Extracted]:
        seen.extend(item.display for item in items)
        return real(items, max_size)

    monkeypatch.setattr(cache_module, "_extract_for_cache", counting)
    return seen


def names(displays: list[str]) -> list[str]:
    return sorted(Path(display).name for display in displays)


def files_of(root: Path) -> list[InputFile]:
    return collect_inputs([str(root)])[0]


def test_warm_run_is_the_cold_run_to_the_byte(tmp_path: Path, store: Store, parsed: list[str]) -> None:
    write_archive(tmp_path / "a", 40)
    files = files_of(tmp_path / "a")
    cold = rendered(extract_files(files, jobs=1))
    cache = CountingCache(store)
    first = extract_cached(files, cache, jobs=1)
    assert rendered(first) == cold
    assert [e.file for e in first.errors] == [e.file for e in extract_files(files, jobs=1).errors]
    # Each file parsed is kept once; which lines are template links is kept with the run.
    assert names(cache.saved) == names([f.display for f in files if not f.display.endswith("broken.md")])
    assert cache.remembered == 1
    parsed.clear()
    cache.saved.clear()
    warm = extract_cached(files, cache, jobs=1)
    assert rendered(warm) == cold
    assert warm.occurrences == extract_files(files, jobs=1).occurrences
    assert names(parsed) == ["broken.md"]  # never cached: its error is reported every run
    assert cache.saved == []
    # The template URLs of this set of files are remembered: the warm run counted nothing, marked nothing.
    assert cache.remembered == 1
    assert store.connection.execute("SELECT count(*) FROM extractions").fetchone() == (1,)
    # Template links (the footer, in every file) are marked in the warm output too.
    assert '"url":"https://footer.example/terms"' in cold[ExtractFormat.JSONL]
    assert '"template":false' not in "".join(
        line for line in cold[ExtractFormat.JSONL].splitlines() if "footer.example" in line
    )


def test_the_pool_path_is_cached_too(tmp_path: Path, store: Store) -> None:
    write_archive(tmp_path / "a", 120, padding=4000)  # over 4 MB: extracted on two processes
    files = files_of(tmp_path / "a")
    assert sum(f.path.stat().st_size for f in files) > 4 * 1024 * 1024
    cold = rendered(extract_files(files, jobs=2))
    cache = CountingCache(store)
    assert rendered(extract_cached(files, cache, jobs=2)) == cold
    assert len(cache.saved) == len(files) - 1
    cache.saved.clear()
    assert rendered(extract_cached(files, cache, jobs=2)) == cold
    assert cache.saved == []


def test_a_file_read_with_a_flaw_is_cached_and_its_warning_said_every_run(
    tmp_path: Path, store: Store, parsed: list[str]
) -> None:
    write_archive(tmp_path / "a", 30, raw_bytes=True)  # stray bytes in a link: read as U+FFFD, a warning
    files = files_of(tmp_path / "a")
    cold_result = extract_files(files, jobs=1)
    assert any(isinstance(problem, FileWarning) for problem in cold_result.errors)
    cold = rendered(cold_result)
    cache = CountingCache(store)
    assert rendered(extract_cached(files, cache, jobs=1)) == cold
    parsed.clear()
    warm = extract_cached(files, cache, jobs=1)
    assert rendered(warm) == cold
    assert warm.errors == cold_result.errors
    assert names(parsed) == ["broken.md"]


def test_a_file_name_the_store_cannot_hold_is_parsed_every_run(
    tmp_path: Path, store: Store, parsed: list[str]
) -> None:
    write_archive(tmp_path / "a", 3)
    (tmp_path / "a" / os.fsdecode(b"caf\xe9.md")).write_text("[me](https://a.example/)\n", encoding="utf-8")
    files = files_of(tmp_path / "a")
    cold = rendered(extract_files(files, jobs=1))
    cache = CountingCache(store)
    assert rendered(extract_cached(files, cache, jobs=1)) == cold
    parsed.clear()
    assert rendered(extract_cached(files, cache, jobs=1)) == cold
    assert names(parsed) == sorted(["broken.md", os.fsdecode(b"caf\xe9.md")])
    assert not store.warnings


def test_when_the_template_urls_change_the_kept_lines_are_marked_anew(
    tmp_path: Path, store: Store, parsed: list[str]
) -> None:
    write_archive(tmp_path / "a", 25)  # the footer is in 25 files: a template link (20 files needed)
    cache = CountingCache(store)
    files = files_of(tmp_path / "a")
    assert rendered(extract_cached(files, cache, jobs=1)) == rendered(extract_files(files, jobs=1))
    fewer = [
        f for f in files if not f.display.endswith(("/1.md", "/2.md", "/3.md", "/4.md", "/5.md", "/6.md"))
    ]
    assert len(fewer) == len(files) - 6  # 19 footers left: not a template link any more
    parsed.clear()
    cache.saved.clear()
    cold = rendered(extract_files(fewer, jobs=1))
    assert '"template":true' not in cold[ExtractFormat.JSONL]
    assert rendered(extract_cached(fewer, cache, jobs=1)) == cold
    assert names(parsed) == ["broken.md"]  # nothing parsed: the template links changed, not the files
    assert cache.saved == []  # the lines are kept as they were
    assert cache.remembered == 2
    assert rendered(extract_cached(fewer, cache, jobs=1)) == cold
    assert cache.remembered == 2  # the same files again: what was found for them serves as it is
    assert rendered(extract_cached(files, cache, jobs=1)) == rendered(extract_files(files, jobs=1))


def edit_keeping_size_and_mtime(path: Path, old: bytes, new: bytes) -> None:
    assert len(old) == len(new)
    info = path.stat()
    data = path.read_bytes()
    assert old in data
    path.write_bytes(data.replace(old, new))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (info.st_size, info.st_mtime_ns)


def test_a_same_size_same_mtime_edit_is_parsed_again(tmp_path: Path, store: Store, parsed: list[str]) -> None:
    write_archive(tmp_path / "a", 5)
    files = files_of(tmp_path / "a")
    cache = CountingCache(store)
    extract_cached(files, cache, jobs=1)
    edit_keeping_size_and_mtime(tmp_path / "a" / "d1" / "1.md", b"reuters", b"REUTERS")
    parsed.clear()
    warm = extract_cached(files, cache, jobs=1)
    assert names(parsed) == ["1.md", "broken.md"]
    assert rendered(warm) == rendered(extract_files(files, jobs=1))
    assert "https://www.REUTERS.example/world/1/story" in rendered(warm)[ExtractFormat.JSONL]


def test_a_racy_entry_is_checked_by_its_bytes(
    tmp_path: Path, store: Store, parsed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry read within the timestamp granularity of its file's last change is never trusted by stat:
    here the stat matches to the nanosecond, and only the bytes tell whether the file changed."""
    monkeypatch.setattr(cache_module, "RACY_NS", 3_000_000_000)
    write_archive(tmp_path / "a", 3)
    files = files_of(tmp_path / "a")
    cache = CountingCache(store)
    extract_cached(files, cache, jobs=1)
    target = files[0]
    key = next(k for k in cache.load(cache_module.extractor_fingerprint()) if f"\0{target.display}\0" in k)
    entry = cache.load(cache_module.extractor_fingerprint())[key]
    now = time.time_ns()
    os.utime(target.path, ns=(now, now))  # changed just now: a read now is racy
    info = target.path.stat()
    racy = cache_module._stat_bytes(info, read_ns=time.time_ns())
    assert racy != cache_module._stat_bytes(info)  # the times are blanked
    # Same bytes: served from the cache (and stamped anew), not parsed.
    cache.inner.save(cache_module.extractor_fingerprint(), [entry._replace(stamp=racy + entry.stamp[32:])])
    parsed.clear()
    extract_cached(files, cache, jobs=1)
    assert target.display not in parsed
    # An entry whose stat is exactly the file's but whose bytes differ (what a racy edit leaves) is parsed.
    stale = entry._replace(stamp=cache_module._stat_bytes(info) + b"\0" * 32)
    cache.inner.save(cache_module.extractor_fingerprint(), [stale])
    extract_cached(files, cache, jobs=1)
    assert target.display not in parsed  # stat trusted: not racy, not doubted
    racy_stale = entry._replace(stamp=racy + b"\0" * 32)
    cache.inner.save(cache_module.extractor_fingerprint(), [racy_stale])
    extract_cached(files, cache, jobs=1)
    assert target.display in parsed


def test_a_fresh_checkout_is_served_by_content(tmp_path: Path, store: Store, parsed: list[str]) -> None:
    """CI checks out the archive anew each run: new inodes and mtimes, same bytes, nothing parsed."""
    write_archive(tmp_path / "a", 6)
    files = files_of(tmp_path / "a")
    cache = CountingCache(store)
    cold = rendered(extract_cached(files, cache, jobs=1))
    for item in files:
        data = item.path.read_bytes()
        item.path.unlink()
        item.path.write_bytes(data)
        os.utime(item.path, ns=(1, 1_000_000_000))
    parsed.clear()
    assert rendered(extract_cached(files, cache, jobs=1)) == cold
    assert names(parsed) == ["broken.md"]
    parsed.clear()
    assert rendered(extract_cached(files, cache, jobs=1)) == cold  # stamped anew: trusted by stat now
    assert names(parsed) == ["broken.md"]


def test_deleted_files_are_forgotten_and_another_extractor_starts_over(
    tmp_path: Path, store: Store, parsed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_archive(tmp_path / "a", 4)
    files = files_of(tmp_path / "a")
    cache = CountingCache(store)
    extract_cached(files, cache, jobs=1)
    (tmp_path / "a" / "d0" / "0.md").unlink()
    extract_cached(files_of(tmp_path / "a"), cache, jobs=1)
    keys = store.connection.execute("SELECT key FROM files").fetchall()
    assert not any("d0/0.md" in key for (key,) in keys)
    monkeypatch.setattr(cache_module, "extractor_fingerprint", lambda: "a newer extractor")
    parsed.clear()
    extract_cached(files_of(tmp_path / "a"), cache, jobs=1)
    assert len(parsed) == len(files_of(tmp_path / "a"))
    extractors = {row[0] for row in store.connection.execute("SELECT extractor FROM files")}
    assert extractors == {"a newer extractor"}


@pytest.mark.parametrize("module", ["html.py", "bare.py", "markdown.py"])
def test_the_extractor_fingerprint_covers_the_extractors_code(
    module: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What extraction yields changes with its code (bare URLs in HTML text, say): entries an older
    extractor wrote are not served, with no schema change needed, as long as its code is in the print."""
    before = cache_module.extractor_fingerprint.__wrapped__()
    read = Path.read_bytes

    def edited(self: Path) -> bytes:
        data = read(self)
        return data + b"\n# edited\n" if (self.parent.name, self.name) == ("extract", module) else data

    monkeypatch.setattr(Path, "read_bytes", edited)
    assert cache_module.extractor_fingerprint.__wrapped__() != before


def test_a_file_shown_under_another_name_or_root_is_parsed_again(
    tmp_path: Path, store: Store, parsed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_archive(tmp_path / "a", 2)
    cache = CountingCache(store)
    monkeypatch.chdir(tmp_path)
    extract_cached(files_of(Path("a")), cache, jobs=1)
    parsed.clear()
    rooted = collect_inputs(["a"], root=tmp_path / "elsewhere")[0]
    assert rendered(extract_cached(rooted, cache, jobs=1)) == rendered(extract_files(rooted, jobs=1))
    assert len(parsed) == len(rooted)


def _saved_files(store: Path) -> int:
    """Files the store holds so far (0 while it is missing or has no tables yet), read without waiting."""
    if not store.exists():
        return 0
    try:
        with contextlib.closing(sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=0)) as db:
            return int(db.execute("SELECT count(*) FROM files").fetchone()[0])
    except sqlite3.Error:
        return 0


def test_kill_9_during_a_cold_extract_leaves_a_store_that_serves_the_next_run(tmp_path: Path) -> None:
    write_archive(tmp_path / "a", 3000, padding=400)  # 12 MB: the process pool, saves as batches come
    total = len(files_of(tmp_path / "a")) - 1
    env = {name: value for name, value in os.environ.items() if name != "PYTHONIOENCODING"}
    command = [sys.executable, "-m", "linkaudit", "extract", "-f", "jsonl", "a"]
    cold = subprocess.run([*command, "--no-store"], cwd=tmp_path, capture_output=True, env=env, check=False)
    assert cold.returncode == 0
    store = tmp_path / ".linkaudit" / "store.sqlite"
    kept: list[int] = []
    # Killed as soon as the store holds some files, however slow the machine: fixed delays missed the
    # run under load (it had not started saving, or had finished).
    for _ in range(3):
        process = subprocess.Popen(
            command, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
        )
        deadline = time.monotonic() + 120
        while process.poll() is None and time.monotonic() < deadline:
            if _saved_files(store) > 0:
                break
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
        process.wait()
        if store.exists():
            with sqlite3.connect(store) as db:
                assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
                kept.append(db.execute("SELECT count(*) FROM files").fetchone()[0])
    assert any(0 < count < total for count in kept), f"no kill landed mid-run: {kept}"
    warm = subprocess.run(command, cwd=tmp_path, capture_output=True, env=env, check=False)
    assert warm.returncode == 0
    assert warm.stdout == cold.stdout
    with sqlite3.connect(store) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT count(*) FROM files").fetchone()[0] == total


def test_where_a_run_kept_its_template_links_reads_back_or_not_at_all() -> None:
    marks = [b"", array("I", [12, 400]).tobytes(), array("I", [7]).tobytes()]
    joined = cache_module._join_marks(marks)
    assert cache_module._split_marks(joined, 3) == marks
    for files, blob in ((2, joined), (4, joined), (3, joined[:-4]), (3, joined + b"\0\0\0\0"), (3, b"\x01")):
        assert cache_module._split_marks(blob, files) is None  # then the run counts and marks anew


def test_the_file_list_comes_from_the_cache_without_reading_a_file(
    tmp_path: Path, store: Store, parsed: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "a"
    write_archive(folder, 12)
    (folder / "dated.md").write_text("---\ndate: 2021-05-03\n---\n# A\n\n<https://x.example/>\n", "utf-8")
    dateline = "# B\n\n`3/17/2023 10:35 AM UTC GNEWS`\n\n<https://y.example/>\n"
    (folder / "dateline.md").write_text(dateline, "utf-8")
    files = files_of(folder)
    fresh = list_articles(files, use_git=False)  # read from the files, as without a cache
    cold = extract_cached(files, StoreFileCache(store), jobs=1)
    parsed.clear()
    warm = extract_cached(files, StoreFileCache(store), jobs=1)
    assert names(parsed) == ["broken.md"]
    cached = set(warm.file_facts)
    assert cached == {f.display for f in files if not f.display.endswith("broken.md")}
    assert warm.file_facts == cold.file_facts

    def no_reading(path: object) -> None:
        raise AssertionError(f"{path} was read again for the file list")

    monkeypatch.setattr(articles_module, "file_sha256", no_reading)
    monkeypatch.setattr(dates_module, "_read_head", no_reading)
    served = [f for f in files if f.display in cached]
    listed = {a.path: a for a in list_articles(served, use_git=False, known=warm.file_facts)}
    assert listed == {a.path: a for a in fresh if a.path in cached}
    sources = {Path(a.path).name: a.cited.source.value for a in listed.values() if a.cited is not None}
    assert (sources["dated.md"], sources["dateline.md"]) == ("front-matter", "dateline")
