"""Stage 1: find every cited URL and image in a set of articles.

`collect_inputs` turns the user's paths (files, folders, globs, `-`) into files; `extract_files`
extracts them (on all cores when there is enough work) and marks template links. Nothing here
prints; file problems come back as `FileError`s and the run goes on.
"""

from __future__ import annotations

import dataclasses
import glob
import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from multiprocessing import get_context
from pathlib import Path
from urllib.parse import urljoin

from linkaudit.extract.bare import find_bare_urls
from linkaudit.extract.document import (
    DEFAULT_MAX_FILE_SIZE,
    Document,
    ExtractError,
    RawLink,
    document_from_bytes,
    finish,
    read_document,
)
from linkaudit.extract.html import extract_html
from linkaudit.extract.markdown import extract_markdown, with_scheme
from linkaudit.models import FileError, LinkKind, Occurrence, TargetStatus

__all__ = [
    "DEFAULT_EXTENSIONS",
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


@dataclass(frozen=True, slots=True)
class ExtractResult:
    files: int
    occurrences: tuple[Occurrence, ...]
    errors: tuple[FileError, ...]


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

    def add(path: Path, base: Path) -> None:
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
    folder: Path, wanted: set[str], add: Callable[[Path, Path], None], errors: list[FileError]
) -> None:
    """Recursive, sorted, skipping hidden folders; follows symlinks but never loops."""
    base = folder.absolute()
    visited: set[tuple[int, int]] = set()

    def on_error(exc: OSError) -> None:
        errors.append(FileError(_display(Path(exc.filename or folder)), f"cannot read folder ({exc.strerror})"))

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
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            if "." in name and name.rsplit(".", 1)[1].lower() in wanted:
                add(Path(dirpath) / name, base)


def extract_document(doc: Document, fmt: SourceFormat, root: Path) -> list[Occurrence]:
    """Occurrences of one decoded document."""
    base_url: str | None = None
    raws: list[RawLink]
    if fmt is SourceFormat.HTML:
        raws, base_url = extract_html(doc)
    elif fmt is SourceFormat.TEXT:
        raws = [
            RawLink(LinkKind.BARE, s, s, e, with_scheme(url)) for s, e, url in find_bare_urls(doc.text, plain=True)
        ]
    else:
        raws = extract_markdown(doc)
    if base_url is not None and base_url.startswith("/"):
        # A root-relative (or protocol-relative) <base> still moves every relative link: resolve them
        # against it here; the root (or https:) then anchors the result.
        raws = [dataclasses.replace(raw, value=urljoin(base_url, raw.value)) for raw in raws]
        base_url = None
    return finish(doc, raws, root=root, base_url=base_url)


def _extract_one(item: InputFile, max_size: int) -> tuple[list[Occurrence], FileError | None]:
    try:
        if item.display == "-":
            doc = document_from_bytes(sys.stdin.buffer.read(), Path.cwd() / "-", "-")
        else:
            doc = read_document(item.path, item.display, max_size)
        return extract_document(doc, SourceFormat.for_path(item.display), item.root), None
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


def _batches(files: list[InputFile]) -> list[list[InputFile]]:
    batches: list[list[InputFile]] = []
    current: list[InputFile] = []
    size = 0
    for item in files:
        current.append(item)
        try:
            size += item.path.stat().st_size
        except OSError:
            pass
        if size >= _CHUNK_BYTES:
            batches.append(current)
            current, size = [], 0
    if current:
        batches.append(current)
    return batches


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
    total = 0
    for item in files:
        if item.display == "-":
            continue
        try:
            total += item.path.stat().st_size
        except OSError:
            pass
    occurrences: list[Occurrence] = []
    errors: list[FileError] = []
    if workers > 1 and total >= _PARALLEL_MIN_BYTES and not any(f.display == "-" for f in files):
        batches = _batches(files)
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("forkserver")) as pool:
            for (found, errs), batch in zip(
                pool.map(_extract_batch, batches, [max_size] * len(batches)), batches, strict=True
            ):
                occurrences.extend(found)
                errors.extend(errs)
                if on_file is not None:
                    on_file(len(batch))
    else:
        for item in files:
            found, error = _extract_one(item, max_size)
            occurrences.extend(found)
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
