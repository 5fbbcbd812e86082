"""Applying a `FixPlan`: the new bytes of each file, their patch and readable diff, and (with `write`)
the file replaced.

Each file is read again (inside its root, no symlink followed) and must still hash to what the plan was
made from, and each edit's bytes must still decode to what the plan read there; a file that fails is
skipped with a message, never half rewritten. Only the bytes of the edits change: each replacement is
encoded in the file's own encoding and spliced between the original bytes, so the BOM, line endings
and every other byte stay exactly as they were.
"""

from __future__ import annotations

import hashlib

from linkaudit.extract.document import DEFAULT_MAX_FILE_SIZE, as_parsed
from linkaudit.fix.diff import render_diff, render_patch
from linkaudit.fix.files import FileAccessError, Located, read_located, replace_located
from linkaudit.fix.model import FileFix, FilePlan, FixMessage, FixOutcome, FixPlan

__all__ = ["apply_fixes", "rewrite"]


def rewrite(data: bytes, plan: FilePlan) -> bytes:
    """`data` with the plan's edits made; `ValueError` if an edit's bytes no longer read as planned."""
    parts: list[bytes] = []
    prev = 0
    for edit in plan.edits:
        if (
            edit.start < prev
            # `old` is `raw`, which reads a stray byte as U+FFFD
            or as_parsed(data[edit.start : edit.end].decode(plan.encoding, "surrogateescape")) != edit.old
        ):
            raise ValueError(f"line {edit.line} no longer reads {edit.old!r}")
        parts.append(data[prev : edit.start])
        parts.append(edit.new.encode(plan.encoding, "surrogateescape"))
        prev = edit.end
    parts.append(data[prev:])
    return b"".join(parts)


def _text(data: bytes, plan: FilePlan) -> str:
    return data[plan.bom :].decode(plan.encoding, errors="replace")


def apply_fixes(plan: FixPlan, *, write: bool = False, max_size: int = DEFAULT_MAX_FILE_SIZE) -> FixOutcome:
    """Make the planned edits: always the patch and diff of each file; with `write`, each file replaced
    atomically."""
    files: list[FileFix] = []
    skipped = list(plan.skipped)
    for file_plan in plan.files:
        located = Located(file_plan.root, file_plan.path.relative_to(file_plan.root).parts)
        try:
            data, info = read_located(located, max_size)
            if hashlib.sha256(data).hexdigest() != file_plan.sha256:
                raise FileAccessError("changed since the fix was planned: left alone")
            try:
                new = rewrite(data, file_plan)
            except ValueError as exc:
                raise FileAccessError(f"changed since the fix was planned ({exc}): left alone") from None
            if write:
                replace_located(located, new, info)
        except FileAccessError as exc:
            skipped.append(FixMessage(file_plan.file, str(exc)))
            continue
        files.append(
            FileFix(
                file=file_plan.file,
                path=file_plan.path,
                edits=len(file_plan.edits),
                citations=sum(edit.uses for edit in file_plan.edits),
                diff=render_diff(file_plan.file, _text(data, file_plan), _text(new, file_plan)),
                patch=render_patch(
                    file_plan.file,
                    data,
                    new,
                    encoding=file_plan.encoding,
                    executable=bool(info.st_mode & 0o100),
                ),
                written=write,
            )
        )
    return FixOutcome(tuple(files), tuple(skipped), plan.refused, write)
