"""The extraction cache: a file unchanged since an earlier run is not parsed again.

What is kept per file: its occurrences as the `linkaudit.extract/1` JSON lines the pool writes (all
`"template":false`, since which URLs are template links depends on the whole run), the distinct target
URLs they name, and which of them each line names. A warm run counts template URLs and marks their lines
from that alone, and `linkaudit extract --format jsonl` writes the lines without parsing one of them.

When a file counts as unchanged: its stat (size, mtime, ctime, inode) is what it was when its bytes were
read, and that read was not "racy" (git's word): a file modified within the file system's timestamp
granularity of being read could be modified again without its stat moving. For a racy entry, and when
the size is the same but the rest of the stat is not (a fresh checkout, a copy, an edit whose mtime was put
back with `touch -d` or `os.utime`, which still moves ctime), the file's sha256 is compared with that of
the bytes that were parsed. Anything else is parsed again; so is a file that could not be read or parsed
(its error is reported every run) and standard input.

Where entries are kept is a `FileCache`'s business (the SQLite store implements one): all are loaded at
once, keyed by absolute path, and an entry serves only the same display name, root and extractor (a
fingerprint of the code and parser versions that wrote it).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
import stat
import struct
import sys
import time
from array import array
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple, Protocol

import pyromark

from linkaudit import __version__
from linkaudit.archive.dates import decode_stated, encode_stated, stated_date
from linkaudit.extract import (
    _PARALLEL_MIN_BYTES,
    TEMPLATE_MIN_FILES,
    TEMPLATE_SHARE,
    ExtractResult,
    FileFacts,
    extract_files,
    file_sizes,
    mark_templates,
    packed_result,
)
from linkaudit.extract.article import _extract_one
from linkaudit.extract.document import DEFAULT_MAX_FILE_SIZE
from linkaudit.extract.inputs import InputFile
from linkaudit.extract.pool import (
    LineSink,
    _batches,
    _from_json,
    _packing_round_trips,
    _pool,
    _Spill,
    _workers_skip_main,
)
from linkaudit.models import FileError, FileWarning, Occurrence, Target, TargetStatus

__all__ = ["CachedFile", "FileCache", "extract_cached", "extractor_fingerprint"]

#: A read within this long of the file's last change is racy. Generous: FAT keeps mtimes to 2 s, and the
#: kernel stamps files from a clock that lags `time.time_ns()` by a tick.
RACY_NS = 3_000_000_000
_CHUNK_BYTES = 1024 * 1024
_SAVE_BYTES = 512 * 1024  # lines per transaction: a killed run keeps all but its last few files


class CachedFile(NamedTuple):
    """One file's cache entry.

    `key` is the file's absolute path, display name and root, NUL-separated: an entry serves only the same
    three. `stamp` is the file's size, mtime, ctime and inode (little-endian int64 each; both times -1 when
    the read was racy, so that they never match) followed by the sha256 of the bytes that were parsed.
    `keys` are the distinct target URLs of its lines, each after a newline and the last also followed by
    one, the first `n_ok` those of checkable (ok) targets, which template counting counts. `line_keys` holds,
    for each line, the index of its target URL in `keys` (an `array("I")` as bytes). `warning` is the
    file's `FileWarning` (message, line, column as JSON; "" for none): read with a flaw, its links are
    kept, and the warning said each run. `lines` are all `"template":false`: which lines are template
    links depends on the whole run, and is kept with the run (`FileCache.remember`). `stated` is the
    citation date the file states (`archive.dates.encode_stated`: `-` for none, "" when not read), so a
    warm run lists its articles without reading them again.
    """

    key: str
    stamp: bytes
    keys: str
    n_ok: int
    line_keys: bytes
    warning: str
    lines: bytes
    stated: str = ""


class FileCache(Protocol):
    """Where cache entries are kept. Failures to keep them are the cache's to report, never the run's."""

    def load(self, extractor: str) -> Mapping[str, CachedFile]:
        """Every entry written by `extractor`, by key."""
        ...

    def save(self, extractor: str, entries: Sequence[CachedFile]) -> None:
        """Add or replace these entries."""
        ...

    def restamp(self, stamps: Sequence[tuple[str, bytes]]) -> None:
        """New stamps for entries whose files were found unchanged by their bytes: `(key, stamp)`."""
        ...

    def templates(self, manifest: bytes) -> tuple[set[str], bytes] | None:
        """The template URLs of a run over exactly these files (`manifest`), and where its lines say so."""
        ...

    def remember(self, manifest: bytes, templates: set[str], marks: bytes) -> None:
        """The template URLs of a run over these files, and where its lines say so (`_join_marks`)."""
        ...

    def forget(self, keys: Sequence[str]) -> None:
        """Drop the entries of files that are gone."""
        ...


def cache_key(path: str, display: str, root: str) -> str:
    return f"{path}\0{display}\0{root}"


def _stat_bytes(info: os.stat_result, read_ns: int | None = None) -> bytes:
    """The stat part of a stamp; with `read_ns` (when the bytes were read), its times blanked if racy."""
    mtime, ctime = info.st_mtime_ns, info.st_ctime_ns
    if read_ns is not None and max(mtime, ctime) >= read_ns - RACY_NS:
        mtime = ctime = -1
    return _STAT.pack(info.st_size, mtime, ctime, info.st_ino)


_STAT = struct.Struct("<qqqq")


@functools.cache
def extractor_fingerprint() -> str:
    """What the cached lines depend on besides the file: this code, the parser, the charset detector."""
    digest = hashlib.sha256(f"{__version__} {pyromark.__version__} {sys.version_info[:2]}".encode())
    package = Path(__file__).resolve().parent.parent
    sources = [
        *sorted((package / "extract").glob("*.py")),
        package / "urls.py",
        package / "models.py",
        package / "archive" / "dates.py",  # the stated citation dates
    ]
    # charset-normalizer decodes legacy encodings; its version file, found without importing it.
    detector = importlib.util.find_spec("charset_normalizer")
    if detector is not None and detector.origin is not None:
        sources.append(Path(detector.origin).with_name("version.py"))
    for source in sources:
        try:
            digest.update(source.read_bytes())
        except OSError:  # installed without sources: the versions alone have to do
            digest.update(source.name.encode())
    return digest.hexdigest()[:16]


class _Extracted(NamedTuple):
    """What extracting one file gave: its entry (lines packed), or objects, and its error if any."""

    entry: CachedFile | None
    objects: list[Occurrence]
    error: FileError | None
    cacheable: bool


def _read_regular(path: Path, max_size: int) -> tuple[bytes, os.stat_result, int] | None:
    """A regular file's bytes, its stat as they were read and when; None for anything else (the extractor
    then reads it itself and says what is wrong)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        read_ns = time.time_ns()
        if not stat.S_ISREG(info.st_mode) or info.st_size > max_size:
            return None
        parts: list[bytes] = []
        while chunk := os.read(fd, max(info.st_size + 1, 65536)):
            parts.append(chunk)
        return b"".join(parts), info, read_ns
    except OSError:
        return None
    finally:
        os.close(fd)


def _pack(sink: LineSink) -> tuple[str, int, bytes, bytes] | None:
    """keys, n_ok, line_keys and lines of one file's sink; None when they cannot be kept (lone
    surrogates, from undecodable bytes in a link, have no UTF-8; a target URL holding a line break)."""
    try:
        lines = ("\n".join(sink.lines) + "\n").encode("utf-8") if sink.lines else b""
    except UnicodeEncodeError:
        return None
    ok: dict[str, None] = {}
    other: dict[str, None] = {}
    for target in sink.targets:
        (ok if target.status is TargetStatus.OK else other)[target.url] = None
    keys = list(ok) + [url for url in other if url not in ok]
    if any("\n" in key for key in keys):
        return None
    index = {key: i for i, key in enumerate(keys)}
    line_keys = array("I", [index[target.url] for target in sink.targets]).tobytes()
    joined = "".join("\n" + key for key in keys) + "\n"
    return joined, len(ok), line_keys, lines


def _extract_for_cache(items: list[InputFile], max_size: int) -> list[_Extracted]:
    """Extract files one by one, each packed with what its cache entry needs (in a pool worker, or not).

    An entry's key is left for the parent to fill in: a worker's current folder is not to be relied on.
    """
    done: list[_Extracted] = []
    for item in items:
        read = None if item.display == "-" else _read_regular(item.path, max_size)
        data = read[0] if read is not None else None
        sink = LineSink()
        _, problem = _extract_one(item, max_size, sink, data=data)
        failed = problem is not None and not isinstance(problem, FileWarning)  # a warning keeps the links
        packed = None if failed else _pack(sink)
        if packed is None:
            objects = [] if failed else _extract_one(item, max_size, data=data)[0]
            done.append(_Extracted(None, objects, problem, False))
            continue
        stamp = b""
        stated = ""
        if read is not None:
            data, info, read_ns = read
            stamp = _stat_bytes(info, read_ns) + hashlib.sha256(data).digest()
            # The date the article states, from the bytes in hand: the report's file list needs it.
            stated = encode_stated(stated_date(data, item.path))
        keys, n_ok, line_keys, lines = packed
        warning = _warning_text(problem) if isinstance(problem, FileWarning) else ""
        entry = CachedFile("", stamp, keys, n_ok, line_keys, warning, lines, stated)
        done.append(_Extracted(entry, [], problem, read is not None))
    return done


def _extract_misses(items: list[InputFile], *, workers: int, max_size: int) -> Iterator[list[_Extracted]]:
    """The files the cache could not serve, extracted in input order (on all cores when there is enough)."""
    sizes = file_sizes(items)
    if workers > 1 and sum(sizes) >= _PARALLEL_MIN_BYTES and not any(f.display == "-" for f in items):
        batches = _batches(items, sizes)
        with _pool(workers) as pool:
            with _workers_skip_main():
                results = pool.map(_extract_for_cache, batches, [max_size] * len(batches))
            yield from results
        return
    for item in items:
        yield _extract_for_cache([item], max_size)


def _verified(entry: CachedFile, item: InputFile, max_size: int) -> CachedFile | None:
    """In doubt (same size, other stat; or racy): the entry stamped anew, if the bytes are the same."""
    read = _read_regular(item.path, max_size)
    if read is None:
        return None
    data, info, read_ns = read
    sha256 = hashlib.sha256(data).digest()
    if sha256 != entry.stamp[_STAT.size :]:
        return None
    return entry._replace(stamp=_stat_bytes(info, read_ns) + sha256)


def extract_cached(
    files: list[InputFile],
    cache: FileCache,
    *,
    max_size: int = DEFAULT_MAX_FILE_SIZE,
    jobs: int | None = None,
) -> ExtractResult:
    """`extract_files` (template links by its default rule), parsing only the files `cache` cannot serve,
    and keeping what it parsed there. The result is the same, to the byte once written.
    """
    if not _packing_round_trips():  # the lines would not give the occurrences back: nothing to cache
        return extract_files(files, max_size=max_size, jobs=jobs)
    template_share, template_min_files = TEMPLATE_SHARE, TEMPLATE_MIN_FILES
    extractor = extractor_fingerprint()
    known = dict(cache.load(extractor))
    prefix = os.getcwd() + os.sep
    pack_stat = _STAT.pack
    keys: list[str] = []
    entries: list[CachedFile | list[Occurrence] | None] = []
    misses: list[int] = []
    to_save: list[CachedFile] = []
    restamped: list[tuple[str, bytes]] = []
    # The warm path: one stat and one comparison per file (46,000 files: a fifth of a second).
    for i, item in enumerate(files):
        path = os.fspath(item.path)
        key = f"{path if os.path.isabs(path) else prefix + path}\0{item.display}\0{os.fspath(item.root)}"
        keys.append(key)
        entry = known.pop(key, None)
        if entry is not None:
            try:
                info = os.stat(path)
            except OSError:
                info = None
            if info is not None and info.st_size <= max_size:
                if entry.stamp.startswith(
                    pack_stat(info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
                ):
                    entries.append(entry)
                    continue
                if entry.stamp[:8] == pack_stat(info.st_size, 0, 0, 0)[:8]:
                    verified = _verified(entry, item, max_size)
                    if verified is not None:
                        entries.append(verified)
                        if verified.stamp != entry.stamp:  # (a racy entry stays racy a few seconds)
                            restamped.append((key, verified.stamp))
                        continue
        entries.append(None)
        misses.append(i)
    gone = [key for key in known if not os.path.lexists(key.split("\0", 1)[0])]
    del known
    if gone:
        cache.forget(gone)
    if restamped:
        cache.restamp(restamped)

    problems: dict[int, FileError] = {
        i: _warning(entry, files[i])
        for i, entry in enumerate(entries)
        if isinstance(entry, CachedFile) and entry.warning
    }
    spill = _Spill()
    spilled: dict[int, tuple[int, int]] = {}  # lines parsed this run wait in the spill file, not in memory
    pending = 0
    position = iter(misses)
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    counting = False  # a file missing from the cache has lines: the template URLs may have changed
    missed = [files[i] for i in misses]
    for batch in _extract_misses(missed, workers=workers, max_size=max_size):
        for extracted in batch:
            i = next(position)
            entry = extracted.entry
            if entry is not None:
                cacheable = extracted.cacheable and _storable(keys[i])
                entry = entry._replace(key=keys[i] if cacheable else "")
                if cacheable:
                    to_save.append(entry)
                    pending += len(entry.lines)
                spilled[i] = spill.append(entry.lines)
                entries[i] = entry._replace(lines=b"")
            else:
                entries[i] = extracted.objects
            counting = counting or entry is not None or bool(extracted.objects)
            if extracted.error is not None:
                problems[i] = extracted.error
        if pending >= _SAVE_BYTES:  # kept as they come: a run killed half-way has saved its first half
            cache.save(extractor, to_save)
            to_save, pending = [], 0
    if to_save:
        cache.save(extractor, to_save)
    del to_save
    errors = [problems[i] for i in sorted(problems)]  # in input order, as extract_files lists them
    facts = _file_facts(files, entries)
    if any(isinstance(entry, list) and entry for entry in entries):
        restored = [
            entry._replace(lines=spill.read(*spilled[i]))
            if i in spilled and isinstance(entry, CachedFile)
            else entry
            for i, entry in enumerate(entries)
        ]
        return _with_facts(
            _with_objects(restored, len(files), errors, template_share, template_min_files), facts
        )
    parts = [(entry, spilled.get(i)) for i, entry in enumerate(entries) if isinstance(entry, CachedFile)]
    manifest = _manifest(extractor, keys, template_share, template_min_files)
    known_run = None if counting else cache.templates(manifest)
    marks = _split_marks(known_run[1], len(parts)) if known_run is not None else None
    if known_run is not None and marks is not None:
        templates = known_run[0]
    else:  # count the template URLs, and find their lines
        templates = _count_templates(entries, len(files), template_share, template_min_files)
        marks = [
            _flips(entry, entry.lines if where is None else spill.read(*where), templates)
            for entry, where in parts
        ]
        cache.remember(manifest, templates, _join_marks(marks))
    return _with_facts(packed_result(len(files), errors, CachedLines(parts, marks, spill, templates)), facts)


def _file_facts(
    files: list[InputFile], entries: Sequence[CachedFile | list[Occurrence] | None]
) -> dict[str, FileFacts]:
    """What the cache knows of each file it holds: the sha256 of its bytes and the date it states."""
    facts: dict[str, FileFacts] = {}
    for item, entry in zip(files, entries, strict=True):
        if isinstance(entry, CachedFile) and len(entry.stamp) > _STAT.size and entry.stated:
            facts[item.display] = FileFacts(entry.stamp[_STAT.size :].hex(), decode_stated(entry.stated))
    return facts


def _with_facts(result: ExtractResult, facts: dict[str, FileFacts]) -> ExtractResult:
    object.__setattr__(result, "file_facts", facts)
    return result


def _storable(key: str) -> bool:
    """Whether a key is text the store can hold (a file name with undecodable bytes is not)."""
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _warning_text(warning: FileWarning) -> str:
    """A file's warning as its entry keeps it: it is said again each run the entry serves."""
    return json.dumps([warning.message, warning.line, warning.column], ensure_ascii=False)


def _warning(entry: CachedFile, item: InputFile) -> FileWarning:
    message, line, column = json.loads(entry.warning)
    return FileWarning(item.display, str(message), int(line), int(column))


def _manifest(extractor: str, keys: list[str], share: float, min_files: int) -> bytes:
    """Which files, in which order, under which extractor and template rule: all the template URLs depend
    on, besides the files' contents (which a run that parsed nothing found unchanged)."""
    digest = hashlib.sha256(f"{extractor}\0{share}\0{min_files}\0".encode())
    digest.update("\0".join(keys).encode("utf-8", "surrogatepass"))
    return digest.digest()[:16]


def _count_templates(
    entries: list[CachedFile | list[Occurrence] | None], files: int, share: float, min_files: int
) -> set[str]:
    """URLs cited from at least `share` of the files (and `min_files`): what `mark_templates` marks."""
    per_url: dict[str, int] = {}
    for entry in entries:
        if isinstance(entry, CachedFile):
            n_ok = entry.n_ok
            if n_ok:
                for url in entry.keys.split("\n", n_ok + 1)[1 : n_ok + 1]:
                    per_url[url] = per_url.get(url, 0) + 1
        elif entry:
            for url in {occ.target.url for occ in entry if occ.target.status is TargetStatus.OK}:
                per_url[url] = per_url.get(url, 0) + 1
    threshold = max(min_files, share * files)
    return {url for url, count in per_url.items() if count >= threshold}


_FLAG = b'"template":'
_FALSE = _FLAG + b"false"


def _flips(entry: CachedFile, lines: bytes, templates: set[str]) -> bytes:
    """Where, in the file's lines (all `"template":false`), `false` becomes `true`: the lines of template
    URLs. Every line holds the flag once (a JSON string holds no unescaped quote), so the n-th is line n's.
    """
    # An archive's few footers: look for each among the file's keys before going line by line.
    if len(templates) <= 16 and not any(f"\n{url}\n" in entry.keys for url in templates):
        return b""
    keys = entry.keys.split("\n")[1:-1]
    wanted = {i for i, key in enumerate(keys) if key in templates}
    offsets = array("I")
    at = 0
    for key in array("I", entry.line_keys):
        at = lines.index(_FALSE, at) + len(_FLAG)
        if key in wanted:
            offsets.append(at)
    return offsets.tobytes()


def _join_marks(marks: list[bytes]) -> bytes:
    """Each file's flips, in order, as one blob: for each file, how many, then the offsets (`array("I")`)."""
    joined = array("I")
    for flips in marks:
        offsets = array("I", flips)
        joined.append(len(offsets))
        joined.extend(offsets)
    return joined.tobytes()


def _split_marks(blob: bytes, files: int) -> list[bytes] | None:
    """`_join_marks` undone for `files` files; None when the blob does not hold that many."""
    numbers = array("I")
    try:
        numbers.frombytes(blob)
    except ValueError:
        return None
    marks: list[bytes] = []
    at = 0
    for _ in range(files):
        if at >= len(numbers):
            return None
        count = numbers[at]
        marks.append(numbers[at + 1 : at + 1 + count].tobytes() if count else b"")
        at += 1 + count
    return marks if at == len(numbers) else None


def _with_objects(
    entries: list[CachedFile | list[Occurrence] | None],
    files: int,
    errors: list[FileError],
    template_share: float,
    template_min_files: int,
) -> ExtractResult:
    """A file whose lines could not be packed: every occurrence as an object, in input order."""
    built: list[Occurrence] = []
    for entry in entries:
        if isinstance(entry, CachedFile):
            built.extend(CachedLines([(entry, None)], [b""], _Spill(b""), set()).occurrences())
        elif entry is not None:
            built.extend(entry)
    marked = mark_templates(built, files, share=template_share, min_files=template_min_files)
    return ExtractResult(files=files, occurrences=tuple(marked), errors=tuple(errors))


class CachedLines:
    """Every file's JSON lines, in input order: from the cache, or from the spill file for those parsed
    this run; marked for the run's template URLs on the way out (their places are in each file's marks)."""

    def __init__(
        self,
        files: list[tuple[CachedFile, tuple[int, int] | None]],
        marks: list[bytes],
        spill: _Spill,
        templates: set[str],
    ) -> None:
        self.files = files
        self.marks = marks  # per file, where `false` becomes `true` (`_flips`)
        self.spill = spill
        self.templates = templates

    def _lines(self) -> Iterator[tuple[CachedFile, bytes]]:
        for entry, where in self.files:
            yield entry, entry.lines if where is None else self.spill.read(*where)

    def jsonl_chunks(self) -> Iterator[bytes]:
        """The JSON lines, `"template":true` where the target is a template URL, in chunks of whole lines."""
        chunk: list[bytes] = []
        size = 0
        for (_, lines), flips in zip(self._lines(), self.marks, strict=True):
            if not lines:
                continue
            out = lines
            if flips:
                pieces: list[bytes] = []
                done = 0
                for at in array("I", flips):
                    pieces += (lines[done:at], b"true")
                    done = at + 5  # len(b"false")
                pieces.append(lines[done:])
                out = b"".join(pieces)
            chunk.append(out)
            size += len(out)
            if size >= _CHUNK_BYTES:
                yield b"".join(chunk)
                chunk, size = [], 0
        if chunk:
            yield b"".join(chunk)

    def occurrences(self) -> tuple[Occurrence, ...]:
        """The Occurrence objects, template flags set, built from the lines."""
        built: list[Occurrence] = []
        targets: dict[tuple[str, str, str | None, str | None, str | None], Target] = {}
        names: dict[str, str] = {}
        for entry, lines in self._lines():
            keys = entry.keys.split("\n")[1:-1]
            indexes = array("I", entry.line_keys)
            for n, line in enumerate(lines.split(b"\n")[:-1]):
                built.append(_from_json(json.loads(line), keys[indexes[n]], self.templates, targets, names))
        return tuple(built)
