"""The process pool behind `extract_files`, and the occurrences it hands back packed as JSON lines.

A large input is extracted on every core: files go to worker processes in batches of about 1 MB
(`_batches`), from a fork server that has imported the extractor once (`_pool`), without re-running the
program's main script in each worker (`_workers_skip_main`). Small inputs never come here.

Why JSON lines. A worker does not send `Occurrence` objects back: pickling 333,000 frozen dataclasses
and unpickling them in the parent cost more than extracting them. `finish` hands each occurrence's
fields to a sink (no object is built) that writes them as the occurrence's `linkaudit.extract/1` JSON
line (`_jsonl_fields`), and the worker returns bytes (`_PackedBatch`) with what marking templates needs:
how many of its files cite each URL, and the target URL of the few lines whose "url" is not the
target's (invalid targets show the destination as written).

Why a spill file. Which URLs are template links (cited from a large share of the files) is known only
when every batch is in, so each line says `"template":false` until then. The lines of a whole archive
(~100 MB) wait in an unlinked temporary file (`_Spill`), not in the parent's memory, and
`PackedOccurrences.jsonl_chunks` reads them back batch by batch, setting `"template":true` on the way
out: `linkaudit extract --format jsonl` goes from the workers' bytes to stdout without building one
object.

How lazy occurrences stay equal to eager ones. `ExtractResult.occurrences` of a packed result is built
on first access by `PackedOccurrences.occurrences`: each line parsed back by `_from_json` (one `Target`
shared per distinct target), `template` set from the same threshold `mark_templates` applies to the
same count (files citing the URL). Before the pool packs anything, `_packing_round_trips` checks on
`JSONL_PROBES` (every field, every JSON escape) that line and object give each other back exactly;
should the models grow a field the lines do not carry, the workers send objects instead. The same probes
let `linkaudit.report.extract` check that `jsonl_line` still writes what `occurrence_dict` defines
before it trusts packed lines.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import importlib.machinery
import json
import sys
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Protocol

from linkaudit.extract.article import _extract_one
from linkaudit.extract.inputs import InputFile
from linkaudit.jsontext import json_string as _json_str  # bidi and C1 controls escaped, see jsontext
from linkaudit.models import FileError, LinkKind, Occurrence, Target, TargetStatus

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from linkaudit.extract import ExtractResult

__all__ = [
    "JSONL_PROBES",
    "LineSink",
    "PackedLines",
    "PackedOccurrences",
    "extract_in_pool",
    "jsonl_line",
    "packed_lines",
]

_CHUNK_BYTES = 1024 * 1024


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
        if target.detail is not None:
            tail += f',"detail":{_json_str(target.detail)}'
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


class LineSink:
    """An `OccurrenceSink` that writes each occurrence as its JSON line (`"template":false`) and keeps its
    target, and the target URL of each line whose "url" is not the target's (invalid: the raw destination).
    """

    __slots__ = ("lines", "odd", "targets")

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.targets: list[Target] = []
        self.odd: dict[int, str] = {}

    def __call__(  # noqa: PLR0917  # an OccurrenceSink
        self,
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
        if target.status is TargetStatus.INVALID and target.url != raw:
            self.odd[len(self.lines)] = target.url
        self.targets.append(target)
        self.lines.append(_jsonl_fields(file, line, column, start, end, kind, raw, target, text, title))


def _extract_batch_packed(
    items: list[InputFile], max_size: int
) -> tuple[_PackedBatch | list[Occurrence], list[FileError]]:
    """Extract in a worker and serialize there: bytes cross the process boundary, not objects."""
    errors: list[FileError] = []
    sink = LineSink()
    urls: dict[str, int] = {}
    ok = TargetStatus.OK
    for item in items:
        first = len(sink.targets)
        _, error = _extract_one(item, max_size, sink)
        if error is not None:
            errors.append(error)
        for url in {target.url for target in sink.targets[first:] if target.status is ok}:
            urls[url] = urls.get(url, 0) + 1
    try:
        lines = ("\n".join(sink.lines) + "\n").encode("utf-8") if sink.lines else b""
    except UnicodeEncodeError:  # lone surrogates (undecodable bytes in a link): leave them to the writer
        return _extract_batch(items, max_size)
    return _PackedBatch(lines, urls, sink.odd), errors


class _Spill:
    """Bytes kept out of the process's memory, in an unlinked temporary file (in memory if none can be
    made): the JSON lines of a whole archive (~100 MB for 333,000 links) wait there for template marking.
    """

    def __init__(self, data: bytes | None = None) -> None:
        self._file: IO[bytes] | None = None
        self._memory = bytearray(data or b"")
        if data is None:
            import tempfile  # noqa: PLC0415 - only a pooled extraction spills

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
        targets: dict[tuple[str, str, str | None, str | None, str | None], Target] = {}
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
    targets: dict[tuple[str, str, str | None, str | None, str | None], Target],
    names: dict[str, str],
) -> Occurrence:
    """An Occurrence from its `jsonl_line` (and, for an invalid target, the target URL it omits)."""
    raw = str(item["raw"])
    status = str(item["status"])
    reason = item.get("reason")
    fragment = item.get("fragment")
    detail = item.get("detail")
    url = str(item["url"]) if status != "invalid" else (target_url if target_url is not None else raw)
    key = (
        url,
        status,
        None if reason is None else str(reason),
        None if fragment is None else str(fragment),
        None if detail is None else str(detail),
    )
    target = targets.get(key)
    if target is None:
        target = Target(
            url=key[0], status=TargetStatus(status), reason=key[2], fragment=key[3], detail=key[4]
        )
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
        'say "hi"\\\n\u2028\x7f\x00中\u202e\x9b',
        't"itle',
        True,
    ),
    Occurrence(
        "c.md",
        1,
        1,
        0,
        4,
        LinkKind.BARE,
        "hhttps://y",
        Target("hhttps:", TargetStatus.INVALID, "x", None, "y"),
    ),
    Occurrence("c.md", 2, 9, 7, 9, LinkKind.IMAGE, " mailto:", Target("mailto:", TargetStatus.SKIPPED), "a"),
)


@functools.cache
def _packing_round_trips() -> bool:
    """Whether `jsonl_line` and `_from_json` rebuild occurrences exactly (the models may grow fields)."""
    fields = ("file", "line", "column", "start", "end", "kind", "raw", "target", "text", "title", "template")
    # `findings` are added after extraction (linkaudit.extract.findings), never packed: always () here.
    if tuple(f.name for f in dataclasses.fields(Occurrence)) != (*fields, "findings") or tuple(
        f.name for f in dataclasses.fields(Target)
    ) != ("url", "status", "reason", "fragment", "detail"):
        return False
    for probe in JSONL_PROBES:
        target = probe.target
        odd = target.url if target.status is TargetStatus.INVALID and target.url != probe.raw else None
        templates = {target.url} if probe.template else set()
        if _from_json(json.loads(jsonl_line(probe)), odd, templates, {}, {}) != probe:
            return False
    return True


class PackedLines(Protocol):
    """Occurrences held as JSON lines (from the pool, or the extraction cache), to write or to build."""

    def jsonl_chunks(self) -> Iterator[bytes]:
        """The JSON lines, template flags set, in chunks of whole lines."""
        ...

    def occurrences(self) -> tuple[Occurrence, ...]:
        """The Occurrence objects, template flags set."""
        ...


def packed_lines(result: ExtractResult) -> PackedLines | None:
    """The packed JSON lines of a result (from the pool or the extraction cache), if it still has them."""
    packed: PackedLines | None = result.__dict__.get("_packed")
    return packed


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
    import threading  # noqa: PLC0415 - imported when a pool is made
    from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415
    from multiprocessing import active_children, get_context  # noqa: PLC0415

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


def extract_in_pool(
    files: list[InputFile],
    sizes: list[int],
    *,
    workers: int,
    max_size: int,
    template_share: float,
    template_min_files: int,
    on_file: Callable[[int], None] | None,
) -> tuple[list[Occurrence], list[FileError], PackedOccurrences | None]:
    """Extract `files` (of `sizes` bytes) on `workers` processes, in input order.

    When every batch came back as JSON lines, the occurrences come back packed (template URLs known, to be
    marked on the way out) and the list is empty; otherwise they come back as objects, templates not yet
    marked, and the packed part is None.
    """
    occurrences: list[Occurrence] = []
    errors: list[FileError] = []
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
        return occurrences, errors, PackedOccurrences(spill, packed, templates)
    return occurrences, errors, None
