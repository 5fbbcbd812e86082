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

import contextlib
import functools
import hashlib
import json
import os
import stat
import struct
import sys
import time
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple, Protocol

import pyromark

from linkaudit import __version__
from linkaudit.extract import _PARALLEL_MIN_BYTES, ExtractResult, extract_files, mark_templates, packed_result
from linkaudit.extract.article import _extract_one
from linkaudit.extract.document import DEFAULT_MAX_FILE_SIZE
from linkaudit.extract.inputs import InputFile
from linkaudit.extract.pool import (
    LineSink,
    _batches,
    _from_json,
    _packing_round_trips,
    _pool,
    _workers_skip_main,
)
from linkaudit.models import FileError, Occurrence, Target, TargetStatus

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
    `keys` are the distinct target URLs of its lines, each after a "\n" and the last also followed by one,
    the first `n_ok` those of checkable (ok) targets, which template counting counts. `line_keys` holds,
    for each line, the index of its target URL in `keys` (an `array("I")` as bytes).
    """

    key: str
    stamp: bytes
    keys: str
    n_ok: int
    line_keys: bytes
    lines: bytes


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
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415 - only when caching

    digest = hashlib.sha256(f"{__version__} {pyromark.__version__} {sys.version_info[:2]}".encode())
    with contextlib.suppress(PackageNotFoundError):
        digest.update(version("charset-normalizer").encode())
    package = Path(__file__).resolve().parent.parent
    sources = [*sorted((package / "extract").glob("*.py")), package / "urls.py", package / "models.py"]
    for source in sources:
        try:
            digest.update(source.read_bytes())
        except OSError:  # installed without sources: the version alone has to do
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
        _, error = _extract_one(item, max_size, sink, data=data)
        packed = _pack(sink) if error is None else None
        if error is not None or packed is None:
            objects = [] if error is not None else _extract_one(item, max_size, data=data)[0]
            done.append(_Extracted(None, objects, error, False))
            continue
        stamp = b""
        if read is not None:
            data, info, read_ns = read
            stamp = _stat_bytes(info, read_ns) + hashlib.sha256(data).digest()
        done.append(_Extracted(CachedFile("", stamp, *packed), [], None, read is not None))
    return done


def _extract_misses(
    items: list[InputFile], *, workers: int, max_size: int, on_file: Callable[[int], None] | None
) -> Iterator[list[_Extracted]]:
    """The files the cache could not serve, extracted in input order (on all cores when there is enough)."""
    sizes: list[int] = []
    for item in items:
        try:
            sizes.append(0 if item.display == "-" else item.path.stat().st_size)
        except OSError:
            sizes.append(0)
    if workers > 1 and sum(sizes) >= _PARALLEL_MIN_BYTES and not any(f.display == "-" for f in items):
        batches = _batches(items, sizes)
        with _pool(workers) as pool:
            with _workers_skip_main():
                results = pool.map(_extract_for_cache, batches, [max_size] * len(batches))
            for batch, extracted in zip(batches, results, strict=True):
                yield extracted
                if on_file is not None:
                    on_file(len(batch))
        return
    for item in items:
        yield _extract_for_cache([item], max_size)
        if on_file is not None:
            on_file(1)


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
    template_share: float = 0.2,
    template_min_files: int = 20,
    on_file: Callable[[int], None] | None = None,
) -> ExtractResult:
    """`extract_files`, parsing only the files `cache` cannot serve, and keeping what it parsed there.

    The result is the same, to the byte once written, as `extract_files` gives for the same files.
    """
    if not _packing_round_trips():  # the lines would not give the occurrences back: nothing to cache
        return extract_files(
            files,
            max_size=max_size,
            jobs=jobs,
            template_share=template_share,
            template_min_files=template_min_files,
            on_file=on_file,
        )
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
    if on_file is not None and len(files) > len(misses):
        on_file(len(files) - len(misses))
    gone = [key for key in known if not os.path.lexists(key.split("\0", 1)[0])]
    del known
    if gone:
        cache.forget(gone)
    if restamped:
        cache.restamp(restamped)

    errors: list[FileError] = []
    pending = 0
    position = iter(misses)
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    for batch in _extract_misses(
        [files[i] for i in misses], workers=workers, max_size=max_size, on_file=on_file
    ):
        for extracted in batch:
            i = next(position)
            entry = extracted.entry
            entries[i] = entry if entry is not None else extracted.objects
            if extracted.error is not None:
                errors.append(extracted.error)
            if extracted.cacheable and entry is not None:
                to_save.append(entry._replace(key=keys[i]))
                pending += len(entry.lines)
        if pending >= _SAVE_BYTES:  # kept as they come: a run killed half-way has saved its first half
            cache.save(extractor, to_save)
            to_save, pending = [], 0
    if to_save:
        cache.save(extractor, to_save)
    return _assemble(entries, len(files), errors, template_share, template_min_files)


def _assemble(
    entries: list[CachedFile | list[Occurrence] | None],
    files: int,
    errors: list[FileError],
    template_share: float,
    template_min_files: int,
) -> ExtractResult:
    """One result from every file's lines (or, for the odd file that could not be packed, objects)."""
    per_url: dict[str, int] = {}
    packed: list[CachedFile] = []
    objects = False
    for entry in entries:
        if not isinstance(entry, CachedFile):
            objects = objects or bool(entry)
            continue
        packed.append(entry)
        n_ok = entry.n_ok
        if n_ok:
            for url in entry.keys.split("\n", n_ok + 1)[1 : n_ok + 1]:
                per_url[url] = per_url.get(url, 0) + 1
    threshold = max(template_min_files, template_share * files)
    templates = {url for url, count in per_url.items() if count >= threshold}
    if not objects:
        return packed_result(files, errors, CachedLines(packed, templates))
    # A file whose lines could not be packed: every occurrence as an object, in input order.
    built: list[Occurrence] = []
    for entry in entries:
        if isinstance(entry, CachedFile):
            built.extend(CachedLines([entry], set()).occurrences())
        elif entry is not None:
            built.extend(entry)
    marked = mark_templates(built, files, share=template_share, min_files=template_min_files)
    return ExtractResult(files=files, occurrences=tuple(marked), errors=tuple(errors))


class CachedLines:
    """Every file's JSON lines, in input order, with the template URLs to mark on the way out."""

    def __init__(self, files: list[CachedFile], templates: set[str]) -> None:
        self.files = files
        self.templates = templates
        # Few template URLs (an archive's footers): look for each in a file's keys; many: split the keys.
        self._needles = [(url, f"\n{url}\n") for url in templates] if len(templates) <= 16 else None

    def _found(self, keys: str) -> list[str]:
        """The template URLs among a file's keys."""
        if self._needles is not None:
            return [url for url, needle in self._needles if needle in keys]
        return [key for key in keys.split("\n")[1:-1] if key in self.templates]

    def _marked(self, entry: CachedFile) -> bytes:
        """The file's lines with `"template":true` on the lines whose target is a template URL."""
        lines = entry.lines
        found = self._found(entry.keys)
        if not found:
            return lines
        keys = entry.keys.split("\n")  # "", then each key: key i is at i + 1
        wanted = {keys.index(url) - 1 for url in found}
        split = lines.split(b"\n")
        for n, key in enumerate(array("I", entry.line_keys)):
            if key in wanted:
                split[n] = split[n].replace(b'"template":false', b'"template":true', 1)
        return b"\n".join(split)

    def jsonl_chunks(self) -> Iterator[bytes]:
        """The JSON lines, `"template":true` where the target is a template URL, in chunks of whole lines."""
        chunk: list[bytes] = []
        size = 0
        marked = self._marked if self.templates else None
        for entry in self.files:
            lines = entry.lines if marked is None else marked(entry)
            if lines:
                chunk.append(lines)
                size += len(lines)
                if size >= _CHUNK_BYTES:
                    yield b"".join(chunk)
                    chunk, size = [], 0
        if chunk:
            yield b"".join(chunk)

    def occurrences(self) -> tuple[Occurrence, ...]:
        """The Occurrence objects, template flags set, built from the lines."""
        built: list[Occurrence] = []
        targets: dict[tuple[str, str, str | None, str | None], Target] = {}
        names: dict[str, str] = {}
        for entry in self.files:
            keys = entry.keys.split("\n")[1:-1]
            indexes = array("I", entry.line_keys)
            for n, line in enumerate(entry.lines.split(b"\n")[:-1]):
                built.append(_from_json(json.loads(line), keys[indexes[n]], self.templates, targets, names))
        return tuple(built)
