"""Stage 1: find every cited URL and image in a set of articles.

`collect_inputs` turns the user's paths (files, folders, globs, `-`) into files; `extract_files`
extracts them (on all cores when there is enough work) and marks template links. Nothing here
prints; file problems come back as `FileError`s and the run goes on.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import glob
import importlib.machinery
import json
import os
import re
import sys
import tempfile
import threading
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from json.encoder import encode_basestring as _json_str  # the encoder json.dumps(ensure_ascii=False) uses
from multiprocessing import active_children, get_context
from pathlib import Path
from typing import IO, TYPE_CHECKING
from urllib.parse import urljoin

from linkaudit.extract.bare import find_bare_urls
from linkaudit.extract.document import (
    DEFAULT_MAX_FILE_SIZE,
    Document,
    ExtractError,
    OccurrenceSink,
    RawLink,
    document_from_bytes,
    finish,
    read_document,
)
from linkaudit.extract.html import extract_html
from linkaudit.extract.markdown import extract_markdown, with_scheme
from linkaudit.models import FileError, LinkKind, Occurrence, Target, TargetStatus

__all__ = [
    "DEFAULT_EXTENSIONS",
    "JSONL_PROBES",
    "ExtractResult",
    "InputFile",
    "SourceFormat",
    "UsageError",
    "collect_inputs",
    "extract_document",
    "extract_files",
    "mark_templates",
]

DEFAULT_EXTENSIONS = ("md", "markdown", "mdx", "html", "htm", "txt")
_PARALLEL_MIN_BYTES = 4 * 1024 * 1024
_CHUNK_BYTES = 1024 * 1024


class UsageError(Exception):
    """A problem with what the user asked for (no such path, bad pattern): exit 2."""


class SourceFormat(StrEnum):
    MARKDOWN = "markdown"
    HTML = "html"
    TEXT = "text"

    @classmethod
    def for_path(cls, path: str) -> SourceFormat:
        suffix = path.rsplit(".", 1)[-1].lower() if "." in os.path.basename(path) else ""
        if suffix in ("html", "htm", "xhtml"):
            return cls.HTML
        if suffix == "txt":
            return cls.TEXT
        return cls.MARKDOWN


@dataclass(frozen=True, slots=True)
class InputFile:
    """A file to extract: where it is, how to show it, and the root its `/…` links resolve against."""

    path: Path
    display: str
    root: Path

    def __reduce__(self) -> tuple[object, ...]:
        # Batches cross to pool workers: strings pickle ~4x faster than Path objects, both ways.
        return (_input_file, (os.fspath(self.path), self.display, os.fspath(self.root)))


_ROOTS: dict[str, Path] = {}


def _input_file(path: str, display: str, root: str) -> InputFile:
    root_path = _ROOTS.get(root)
    if root_path is None:
        root_path = _ROOTS[root] = Path(root)
    return InputFile(Path(path), display, root_path)


@dataclass(frozen=True)
class ExtractResult:
    """What `extract_files` found.

    A result from the process pool may hold its occurrences packed, as the JSON lines the workers wrote
    (see `packed_lines`): `occurrences` is then built on first access. Building 333,000 frozen objects
    in one process (and pickling them across) cost more than extracting them.
    """

    files: int
    occurrences: tuple[Occurrence, ...]
    errors: tuple[FileError, ...]

    if not TYPE_CHECKING:

        def __getattr__(self, name):  # only reached when `occurrences` is still packed
            packed = self.__dict__.get("_packed") if name == "occurrences" else None
            if packed is None:
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            occurrences = packed.occurrences()
            object.__setattr__(self, "occurrences", occurrences)
            object.__setattr__(self, "_packed", None)  # the objects replace the lines: memory
            return occurrences


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def collect_inputs(
    paths: Sequence[str],
    *,
    extensions: Iterable[str] = DEFAULT_EXTENSIONS,
    exclude_paths: Sequence[str] = (),
    root: Path | None = None,
) -> tuple[list[InputFile], list[FileError]]:
    """Expand paths into input files, in a stable order. Raises UsageError for a path that is not there."""
    wanted = {ext.lower().lstrip(".") for ext in extensions}
    try:
        excludes = [re.compile(pattern) for pattern in exclude_paths]
    except re.error as exc:
        raise UsageError(f"bad --exclude-path pattern {exc.pattern!r}: {exc}") from None
    files: list[InputFile] = []
    errors: list[FileError] = []
    seen: set[str] = set()

    def excluded(display: str) -> bool:
        return any(pattern.search(display) for pattern in excludes)

    def add(path: Path, base: Path, display: str | None = None) -> None:
        if display is None:
            display = _display(path)
        if display in seen or excluded(display):
            return
        seen.add(display)
        files.append(InputFile(path, display, root if root is not None else base))

    for arg in paths:
        if arg == "-":
            files.append(InputFile(Path("-"), "-", root if root is not None else Path.cwd()))
            continue
        candidates: list[str]
        if any(c in arg for c in "*?[") and not os.path.exists(arg):
            # "**" follows symlinked folders, loops included: keep each real file once, by its shortest path.
            unique: dict[str, str] = {}
            for found in sorted(glob.glob(arg, recursive=True), key=len):
                unique.setdefault(os.path.realpath(found), found)
            candidates = sorted(unique.values())
            if not candidates:
                raise UsageError(f"no files match {arg!r}")
        else:
            candidates = [arg]
        for candidate in candidates:
            path = Path(candidate)
            if path.is_dir():
                _walk(path, wanted, add, errors)
            elif path.exists() or path.is_symlink():
                add(path, path.parent.absolute())
            else:
                raise UsageError(f"no such file or folder: {candidate}")
    return files, errors


def _walk(
    folder: Path, wanted: set[str], add: Callable[[Path, Path, str], None], errors: list[FileError]
) -> None:
    """Recursive, sorted, skipping hidden folders; follows symlinks but never loops."""
    base = folder.absolute()
    visited: set[tuple[int, int]] = set()

    def on_error(exc: OSError) -> None:
        errors.append(
            FileError(_display(Path(exc.filename or folder)), f"cannot read folder ({exc.strerror})")
        )

    for dirpath, dirnames, filenames in os.walk(folder, followlinks=True, onerror=on_error):
        try:
            info = os.stat(dirpath)
        except OSError:
            continue
        key = (info.st_dev, info.st_ino)
        if key in visited:
            errors.append(FileError(_display(Path(dirpath)), "symlink loop: folder already visited, skipped"))
            dirnames[:] = []
            continue
        visited.add(key)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        # relpath and Path parsing once per folder, not per file: they cost seconds on 46,000 files.
        folder_path = Path(dirpath)
        folder_display = _display(folder_path)
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            if "." in name and name.rsplit(".", 1)[1].lower() in wanted:
                display = name if folder_display == "." else os.path.join(folder_display, name)
                add(folder_path / name, base, display)


def extract_document(
    doc: Document, fmt: SourceFormat, root: Path, *, sink: OccurrenceSink | None = None
) -> list[Occurrence]:
    """Occurrences of one decoded document (or, with a `sink`, their fields given to it: see `finish`)."""
    base_url: str | None = None
    raws: list[RawLink]
    if fmt is SourceFormat.HTML:
        raws, base_url = extract_html(doc)
    elif fmt is SourceFormat.TEXT:
        raws = [
            RawLink(LinkKind.BARE, s, s, e, with_scheme(url))
            for s, e, url in find_bare_urls(doc.text, plain=True)
        ]
    else:
        raws = extract_markdown(doc)
    if base_url is not None and base_url.startswith("/"):
        # A root-relative (or protocol-relative) <base> still moves every relative link: resolve them
        # against it here; the root (or https:) then anchors the result.
        raws = [raw._replace(value=_joined(base_url, raw.value)) for raw in raws]
        base_url = None
    return finish(doc, raws, root=root, base_url=base_url, sink=sink)


def _joined(base: str, value: str) -> str:
    try:
        return urljoin(base, value)
    except ValueError:  # urllib refuses it ("//[": an unclosed IPv6 host): normalizing says it is invalid
        return value


def _extract_one(
    item: InputFile, max_size: int, sink: OccurrenceSink | None = None
) -> tuple[list[Occurrence], FileError | None]:
    try:
        if item.display == "-":
            doc = document_from_bytes(sys.stdin.buffer.read(), Path.cwd() / "-", "-")
        else:
            doc = read_document(item.path, item.display, max_size)
        # A file read with a flaw (stray bytes) keeps its links and tells where: a FileWarning.
        return extract_document(doc, SourceFormat.for_path(item.display), item.root, sink=sink), doc.warning
    except ExtractError as exc:
        return [], FileError(item.display, str(exc))
    except RecursionError:
        return [], FileError(item.display, "too deeply nested to parse")
    except (ValueError, OverflowError, MemoryError) as exc:  # a parser's failure on one file is data
        return [], FileError(item.display, f"cannot parse ({type(exc).__name__}: {exc})")


def _extract_batch(items: list[InputFile], max_size: int) -> tuple[list[Occurrence], list[FileError]]:
    occurrences: list[Occurrence] = []
    errors: list[FileError] = []
    for item in items:
        found, error = _extract_one(item, max_size)
        occurrences.extend(found)
        if error is not None:
            errors.append(error)
    return occurrences, errors


_KIND_JSON = {kind: _json_str(kind.value) for kind in LinkKind}
_STATUS_JSON = {status: _json_str(status.value) for status in TargetStatus}


def jsonl_line(occ: Occurrence) -> str:
    """`occ` as one `linkaudit.extract/1` JSON object, as `json.dumps(occurrence_dict(occ))` writes it.

    Five times faster than building the dict; `linkaudit.report.extract` checks that both agree before
    it trusts lines written by this function.
    """
    return _jsonl_fields(
        *(occ.file, occ.line, occ.column, occ.start, occ.end, occ.kind, occ.raw, occ.target, occ.text),
        occ.title,
        occ.template,
    )


def _jsonl_fields(  # noqa: PLR0917  # the fields of an Occurrence, in its order
    file: str,
    line: int,
    column: int,
    start: int,
    end: int,
    kind: LinkKind,
    raw: str,
    target: Target,
    text: str,
    title: str,
    template: bool = False,
) -> str:
    """`jsonl_line` of the occurrence these fields make (in `Occurrence` order), without making it."""
    cached = _TARGET_JSON.get(id(target))
    if cached is None or cached[0] is not target:
        if len(_TARGET_JSON) > _JSON_CACHE_MAX:
            _TARGET_JSON.clear()
        status = target.status
        head = "" if status is TargetStatus.INVALID else f'{{"url":{_json_str(target.url)}'
        if target.fragment is not None and head:  # an invalid target's fragment follows its raw, below
            head += f',"fragment":{_json_str(target.fragment)}'
        tail = f',"status":{_STATUS_JSON[status]}'
        if target.reason is not None:
            tail += f',"reason":{_json_str(target.reason)}'
        # The target is kept in the entry, so its id cannot be reused while the entry lives.
        cached = _TARGET_JSON[id(target)] = (target, head, tail)
    head = cached[1]
    if not head:  # an invalid target: the line shows the destination as written
        head = f'{{"url":{_json_str(raw)}'
        if target.fragment is not None:
            head += f',"fragment":{_json_str(target.fragment)}'
    file_json = _FILE_JSON.get(file)
    if file_json is None:  # a file's lines come together: only the last file is kept
        _FILE_JSON.clear()
        file_json = _FILE_JSON[file] = _json_str(file)
    json_line = (
        f'{head},"raw":{_json_str(raw)},"kind":{_KIND_JSON[kind]},"text":{_json_str(text)},'
        f'"file":{file_json},"line":{line},"column":{column},"start":{start},'
        f'"end":{end},"template":{"true" if template else "false"}'
    )
    if title:
        json_line += f',"title":{_json_str(title)}'
    return f"{json_line}{cached[2]}}}"


# JSON pieces that repeat from line to line: a target's (by identity; targets are shared) and a file's.
# Small: the targets that repeat most (footers, index links) stay; memory stays flat.
_TARGET_JSON: dict[int, tuple[Target, str, str]] = {}
_FILE_JSON: dict[str, str] = {}
_JSON_CACHE_MAX = 4096


@dataclass(frozen=True, slots=True)
class _PackedBatch:
    """A worker's batch as JSON lines (all `"template":false`), and what marking templates needs."""

    lines: bytes
    urls: dict[str, int]  # target URL of OK occurrences -> files of the batch citing it
    odd: dict[int, str]  # line index -> target URL, where the line's "url" is not the target's (invalid)


def _extract_batch_packed(
    items: list[InputFile], max_size: int
) -> tuple[_PackedBatch | list[Occurrence], list[FileError]]:
    """Extract in a worker and serialize there: bytes cross the process boundary, not objects."""
    errors: list[FileError] = []
    parts: list[str] = []
    urls: dict[str, int] = {}
    odd: dict[int, str] = {}
    cited: set[str] = set()
    ok, invalid = TargetStatus.OK, TargetStatus.INVALID

    def sink(  # noqa: PLR0917  # an OccurrenceSink
        file: str,
        line: int,
        column: int,
        start: int,
        end: int,
        kind: LinkKind,
        raw: str,
        target: Target,
        text: str,
        title: str,
    ) -> None:
        if target.status is ok:
            cited.add(target.url)
        elif target.status is invalid and target.url != raw:
            odd[len(parts)] = target.url
        parts.append(_jsonl_fields(file, line, column, start, end, kind, raw, target, text, title))

    for item in items:
        _, error = _extract_one(item, max_size, sink)
        if error is not None:
            errors.append(error)
        for url in cited:
            urls[url] = urls.get(url, 0) + 1
        cited.clear()
    try:
        lines = ("\n".join(parts) + "\n").encode("utf-8") if parts else b""
    except UnicodeEncodeError:  # lone surrogates (undecodable bytes in a link): leave them to the writer
        return _extract_batch(items, max_size)
    return _PackedBatch(lines, urls, odd), errors


class _Spill:
    """Bytes kept out of the process's memory, in an unlinked temporary file (in memory if none can be
    made): the JSON lines of a whole archive (~100 MB for 333,000 links) wait there for template marking.
    """

    def __init__(self, data: bytes | None = None) -> None:
        self._file: IO[bytes] | None = None
        self._memory = bytearray(data or b"")
        if data is None:
            try:
                self._file = tempfile.TemporaryFile()  # noqa: SIM115  # lives as long as the result
            except OSError:
                self._file = None
            else:
                # Closed when the result goes, explicitly (an unclosed file is a ResourceWarning).
                weakref.finalize(self, self._file.close)
        self.size = len(self._memory)

    def append(self, data: bytes) -> tuple[int, int]:
        offset = self.size
        if self._file is not None:
            self._file.seek(offset)
            self._file.write(data)
        else:
            self._memory += data
        self.size += len(data)
        return offset, len(data)

    def read(self, offset: int, length: int) -> bytes:
        if self._file is None:
            return bytes(self._memory[offset : offset + length])
        self._file.seek(offset)
        return self._file.read(length)


class PackedOccurrences:
    """Occurrences as JSON lines, in input order, with the template URLs to mark on the way out."""

    def __init__(
        self, spill: _Spill, batches: list[tuple[int, int, dict[int, str]]], templates: set[str]
    ) -> None:
        self.spill = spill
        self.batches = batches  # (offset, length, line index -> target URL where the line's "url" differs)
        self.templates = templates
        self._encoded = {_json_str(url)[1:-1].encode("utf-8") for url in templates}

    def __reduce__(self) -> tuple[object, ...]:  # the temporary file cannot be pickled: its bytes can
        return (_unpickle_packed, (self.spill.read(0, self.spill.size), self.batches, self.templates))

    def jsonl_chunks(self) -> Iterator[bytes]:
        """The JSON lines, batch by batch, with `"template":true` where the target is a template URL."""
        for offset, length, odd in self.batches:
            data = self.spill.read(offset, length)
            if not self.templates:
                yield data
                continue
            lines = data.split(b"\n")
            for i, line in enumerate(lines):
                target_url = odd.get(i)
                if target_url is None:
                    # Every line starts {"url":"…" and no JSON string can hold an unescaped quote.
                    template = line[8 : line.find(b'"', 8)] in self._encoded
                else:
                    template = target_url in self.templates
                if template:
                    lines[i] = line.replace(b'"template":false', b'"template":true', 1)
            yield b"\n".join(lines)

    def occurrences(self) -> tuple[Occurrence, ...]:
        """The Occurrence objects, template flags set, built from the lines."""
        built: list[Occurrence] = []
        targets: dict[tuple[str, str, str | None, str | None], Target] = {}
        names: dict[str, str] = {}
        for offset, length, odd in self.batches:
            for i, line in enumerate(self.spill.read(offset, length).split(b"\n")[:-1]):
                built.append(_from_json(json.loads(line), odd.get(i), self.templates, targets, names))
        return tuple(built)


def _unpickle_packed(
    data: bytes, batches: list[tuple[int, int, dict[int, str]]], templates: set[str]
) -> PackedOccurrences:
    return PackedOccurrences(_Spill(data), batches, templates)


def _from_json(
    item: dict[str, object],
    target_url: str | None,
    templates: set[str],
    targets: dict[tuple[str, str, str | None, str | None], Target],
    names: dict[str, str],
) -> Occurrence:
    """An Occurrence from its `jsonl_line` (and, for an invalid target, the target URL it omits)."""
    raw = str(item["raw"])
    status = str(item["status"])
    reason = item.get("reason")
    fragment = item.get("fragment")
    url = str(item["url"]) if status != "invalid" else (target_url if target_url is not None else raw)
    key = (url, status, None if reason is None else str(reason), None if fragment is None else str(fragment))
    target = targets.get(key)
    if target is None:
        target = Target(url=key[0], status=TargetStatus(status), reason=key[2], fragment=key[3])
        targets[key] = target
    file = str(item["file"])
    file = names.setdefault(file, file)
    return Occurrence(
        file=file,
        line=int(item["line"]),  # type: ignore[call-overload]
        column=int(item["column"]),  # type: ignore[call-overload]
        start=int(item["start"]),  # type: ignore[call-overload]
        end=int(item["end"]),  # type: ignore[call-overload]
        kind=LinkKind(str(item["kind"])),
        raw=raw,
        target=target,
        text=str(item["text"]),
        title=str(item.get("title", "")),
        template=url in templates,
    )


# Occurrences that use every field and the JSON escapes: what the fast paths are checked against.
JSONL_PROBES = (
    Occurrence(
        "a/b.md",
        3,
        5,
        10,
        20,
        LinkKind.LINK,
        "https://x.example/a#f",
        Target("https://x.example/a", fragment="f"),
        'say "hi"\\\n\u2028\x7f\x00中',
        't"itle',
        True,
    ),
    Occurrence("c.md", 1, 1, 0, 4, LinkKind.BARE, "hhttps://y", Target("hhttps:", TargetStatus.INVALID, "x")),
    Occurrence("c.md", 2, 9, 7, 9, LinkKind.IMAGE, " mailto:", Target("mailto:", TargetStatus.SKIPPED), "a"),
)


@functools.cache
def _packing_round_trips() -> bool:
    """Whether `jsonl_line` and `_from_json` rebuild occurrences exactly (the models may grow fields)."""
    fields = ("file", "line", "column", "start", "end", "kind", "raw", "target", "text", "title", "template")
    if tuple(f.name for f in dataclasses.fields(Occurrence)) != fields or tuple(
        f.name for f in dataclasses.fields(Target)
    ) != ("url", "status", "reason", "fragment"):
        return False
    for probe in JSONL_PROBES:
        target = probe.target
        odd = target.url if target.status is TargetStatus.INVALID and target.url != probe.raw else None
        templates = {target.url} if probe.template else set()
        if _from_json(json.loads(jsonl_line(probe)), odd, templates, {}, {}) != probe:
            return False
    return True


def packed_lines(result: ExtractResult) -> PackedOccurrences | None:
    """The packed JSON lines of a result straight from the process pool, if it still has them."""
    packed = result.__dict__.get("_packed")
    return packed if isinstance(packed, PackedOccurrences) else None


def _batches(files: list[InputFile], sizes: list[int]) -> list[list[InputFile]]:
    batches: list[list[InputFile]] = []
    current: list[InputFile] = []
    size = 0
    for item, item_size in zip(files, sizes, strict=True):
        current.append(item)
        size += item_size
        if size >= _CHUNK_BYTES:
            batches.append(current)
            current, size = [], 0
    if current:
        batches.append(current)
    return batches


@contextlib.contextmanager
def _pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    context = get_context("forkserver")
    # Workers fork from a server that has imported the extractor once, instead of each importing it.
    context.set_forkserver_preload(["linkaudit.extract"])
    before = set(active_children())
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    try:
        yield pool
    except BaseException:
        # Interrupted (Ctrl-C, SIGTERM): waiting for the batches in progress, as leaving the pool does,
        # could take seconds. End the workers now and drop the batches not started; the fork server and
        # the resource tracker end with this process. The pool's thread notices at once; on CPython 3.11
        # it can trip over futures cancelled meanwhile (InvalidStateError, printed as a traceback): no
        # news for a run that is stopping.
        hook = threading.excepthook
        threading.excepthook = lambda args: None
        try:
            for worker in set(active_children()) - before:
                worker.terminate()
            pool.shutdown(wait=True, cancel_futures=True)
        finally:
            threading.excepthook = hook
        raise
    pool.shutdown(wait=True)


@contextlib.contextmanager
def _workers_skip_main() -> Iterator[None]:
    """Spare each worker from running the program's main script again while it starts.

    multiprocessing re-runs a main script that has no module name (a console script such as
    `linkaudit`) in every worker: for the CLI that imports the checker too, ~0.7 s of CPU and ~20 MB
    per worker. Our tasks need only this package, so while the workers start, the script is named
    as `python -m linkaudit` names it (a `__main__`, which workers skip).
    """
    main = sys.modules.get("__main__")
    if main is None or getattr(main, "__spec__", None) is not None:
        yield
        return
    main.__spec__ = importlib.machinery.ModuleSpec("__main__", None)
    try:
        yield
    finally:
        main.__spec__ = None


def extract_files(
    files: list[InputFile],
    *,
    max_size: int = DEFAULT_MAX_FILE_SIZE,
    jobs: int | None = None,
    template_share: float = 0.2,
    template_min_files: int = 20,
    on_file: Callable[[int], None] | None = None,
) -> ExtractResult:
    """Extract all files, in input order, on several processes when the input is large enough."""
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    sizes: list[int] = []
    for item in files:
        try:
            sizes.append(0 if item.display == "-" else item.path.stat().st_size)
        except OSError:
            sizes.append(0)
    total = sum(sizes)
    occurrences: list[Occurrence] = []
    errors: list[FileError] = []
    if workers > 1 and total >= _PARALLEL_MIN_BYTES and not any(f.display == "-" for f in files):
        batches = _batches(files, sizes)
        spill = _Spill()
        packed: list[tuple[int, int, dict[int, str]]] = []
        per_url: dict[str, int] = {}
        objects = not _packing_round_trips()
        worker = _extract_batch if objects else _extract_batch_packed
        with _pool(workers) as pool:
            with _workers_skip_main():  # the workers start on the first submissions
                results = pool.map(worker, batches, [max_size] * len(batches))
            for (found, errs), batch in zip(results, batches, strict=True):
                if isinstance(found, _PackedBatch):
                    offset, length = spill.append(found.lines)
                    packed.append((offset, length, found.odd))
                    for url, count in found.urls.items():
                        per_url[url] = per_url.get(url, 0) + count
                    if objects:
                        occurrences.extend(PackedOccurrences(spill, packed, set()).occurrences())
                        packed = []
                else:
                    if packed:  # a batch the workers could not pack: unpack the others too
                        occurrences.extend(PackedOccurrences(spill, packed, set()).occurrences())
                        packed = []
                    objects = True
                    occurrences.extend(found)
                errors.extend(errs)
                if on_file is not None:
                    on_file(len(batch))
        if not objects:
            threshold = max(template_min_files, template_share * len(files))
            templates = {url for url, count in per_url.items() if count >= threshold}
            result = ExtractResult.__new__(ExtractResult)
            object.__setattr__(result, "files", len(files))
            object.__setattr__(result, "errors", tuple(errors))
            object.__setattr__(result, "_packed", PackedOccurrences(spill, packed, templates))
            return result
    else:
        for item in files:
            found_one, error = _extract_one(item, max_size)
            occurrences.extend(found_one)
            if error is not None:
                errors.append(error)
            if on_file is not None:
                on_file(1)
    marked = mark_templates(occurrences, len(files), share=template_share, min_files=template_min_files)
    return ExtractResult(files=len(files), occurrences=tuple(marked), errors=tuple(errors))


def mark_templates(
    occurrences: list[Occurrence], files: int, *, share: float = 0.2, min_files: int = 20
) -> list[Occurrence]:
    """Mark URLs cited in a large share of the files (footers, share buttons): reports fold them."""
    per_url: Counter[str] = Counter()
    seen: set[tuple[str, str]] = set()
    for occ in occurrences:
        if occ.target.status is not TargetStatus.OK:
            continue
        key = (occ.target.url, occ.file)
        if key not in seen:
            seen.add(key)
            per_url[occ.target.url] += 1
    threshold = max(min_files, share * files)
    templates = {url for url, count in per_url.items() if count >= threshold}
    if not templates:
        return occurrences
    return [
        dataclasses.replace(occ, template=True) if occ.target.url in templates else occ for occ in occurrences
    ]
