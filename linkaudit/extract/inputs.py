"""Input discovery: the user's paths (files, folders, globs, `-`) as the files to extract, in a stable order.

A folder is walked recursively, sorted, skipping hidden entries, following symlinks without looping; each
file keeps how it is shown (`display`, relative to the current folder) and the root its `/…` links
resolve against. A path that is not there is a `UsageError` (exit 2); a folder that cannot be read is a
`FileError` and the walk goes on.
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from linkaudit.defaults import DEFAULT_EXTENSIONS
from linkaudit.models import FileError

__all__ = ["DEFAULT_EXTENSIONS", "InputFile", "SourceFormat", "UsageError", "collect_inputs"]


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
        if display in seen or (excludes and excluded(display)):
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
        prefix = "" if folder_display == "." else os.path.join(folder_display, "")
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            if "." in name and name.rsplit(".", 1)[1].lower() in wanted:
                add(folder_path / name, base, prefix + name)
