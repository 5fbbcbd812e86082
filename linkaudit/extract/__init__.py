"""Stage 1: find every cited URL and image in a set of articles.

`collect_inputs` turns the user's paths (files, folders, globs, `-`) into files; `extract_files`
extracts them (on all cores when there is enough work) and marks template links. Nothing here
prints; file problems come back as `FileError`s and the run goes on.

Where things are: input discovery in `inputs`; how one article becomes occurrences in `article` (its
format's extractor: `markdown`, `html`, `bare`; positions and targets: `document`); the process pool
and its packed results in `pool`; the cache that spares unchanged files a second parse in `cache`.
"""

from __future__ import annotations

import dataclasses
import os
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from linkaudit.extract.article import _extract_one, extract_document
from linkaudit.extract.document import DEFAULT_MAX_FILE_SIZE
from linkaudit.extract.inputs import DEFAULT_EXTENSIONS, InputFile, SourceFormat, UsageError, collect_inputs
from linkaudit.extract.pool import PackedLines, extract_in_pool
from linkaudit.models import CitationDate, FileError, Occurrence, TargetStatus

__all__ = [
    "DEFAULT_EXTENSIONS",
    "ExtractResult",
    "FileFacts",
    "InputFile",
    "SourceFormat",
    "UsageError",
    "collect_inputs",
    "extract_document",
    "extract_files",
    "mark_templates",
]

_PARALLEL_MIN_BYTES = 4 * 1024 * 1024
#: Template links: URLs cited from at least this share of the files, and from this many.
TEMPLATE_SHARE, TEMPLATE_MIN_FILES = 0.2, 20


class FileFacts(NamedTuple):
    """One file as extraction read it: the hex sha256 of its bytes and the citation date it states."""

    sha256: str
    stated: CitationDate | None


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
    #: What extraction learnt of each file besides its links, by display name (the cache knows it for
    #: the files it served or parsed): the report's file list is made without reading them again.
    file_facts: Mapping[str, FileFacts] = field(default_factory=dict)

    if not TYPE_CHECKING:

        def __getattr__(self, name):  # only reached when `occurrences` is still packed
            packed = self.__dict__.get("_packed") if name == "occurrences" else None
            if packed is None:
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            occurrences = packed.occurrences()
            object.__setattr__(self, "occurrences", occurrences)
            object.__setattr__(self, "_packed", None)  # the objects replace the lines: memory
            return occurrences


def extract_files(
    files: list[InputFile],
    *,
    max_size: int = DEFAULT_MAX_FILE_SIZE,
    jobs: int | None = None,
    template_share: float = TEMPLATE_SHARE,
    template_min_files: int = TEMPLATE_MIN_FILES,
    on_file: Callable[[int], None] | None = None,
) -> ExtractResult:
    """Extract all files, in input order, on several processes when the input is large enough."""
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    sizes = file_sizes(files)
    total = sum(sizes)
    occurrences: list[Occurrence] = []
    errors: list[FileError] = []
    if workers > 1 and total >= _PARALLEL_MIN_BYTES and not any(f.display == "-" for f in files):
        occurrences, errors, packed = extract_in_pool(
            files,
            sizes,
            workers=workers,
            max_size=max_size,
            template_share=template_share,
            template_min_files=template_min_files,
            on_file=on_file,
        )
        if packed is not None:
            return packed_result(len(files), errors, packed)
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


def file_sizes(files: list[InputFile]) -> list[int]:
    """Each file's size in bytes (0 for standard input, or a file that cannot be stat'ed)."""
    sizes: list[int] = []
    for item in files:
        try:
            sizes.append(0 if item.display == "-" else item.path.stat().st_size)
        except OSError:
            sizes.append(0)
    return sizes


def packed_result(files: int, errors: list[FileError], packed: PackedLines) -> ExtractResult:
    """A result whose occurrences are still JSON lines (built into objects on first access)."""
    result = ExtractResult.__new__(ExtractResult)
    object.__setattr__(result, "files", files)
    object.__setattr__(result, "errors", tuple(errors))
    object.__setattr__(result, "file_facts", {})
    object.__setattr__(result, "_packed", packed)
    return result


def mark_templates(
    occurrences: list[Occurrence],
    files: int,
    *,
    share: float = TEMPLATE_SHARE,
    min_files: int = TEMPLATE_MIN_FILES,
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
