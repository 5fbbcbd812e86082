"""The data that crosses the fix stage: edits planned per file, and what applying them did.

All frozen. Offsets are byte offsets in the file as it was when planned; `old` is what those bytes
decode to, checked again before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from linkaudit.models import LinkKind

__all__ = ["Edit", "FileFix", "FilePlan", "FixMessage", "FixOutcome", "FixPlan"]


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the bytes `[start, end)` (which decode to `old`) with `new`, encoded as the file is.

    `new[destination_at:]` starts with `destination`: the new URL as written in the file's syntax, what
    extraction of the rewritten file reports as `raw`. `url` is the URL the citation now points at and
    `replaced` the target URL it pointed at. `uses` counts the occurrences this edit serves (one
    reference definition serves every link that uses it). `line`/`column` locate the first of them.
    """

    start: int
    end: int
    old: str
    new: str
    destination_at: int
    destination: str
    url: str
    replaced: str
    kind: LinkKind
    line: int
    column: int
    uses: int = 1


@dataclass(frozen=True, slots=True)
class FixMessage:
    """Why a file, or one citation in it (`line` > 0), is left as it is: one line for the user."""

    file: str
    message: str
    line: int = 0

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class FilePlan:
    """The edits for one file, in order and not overlapping, checked to read back as intended.

    `path` is the file's real path, inside `root` (one of the folders the fix may touch); `sha256` is
    the hash of the bytes the plan was made from: the applier writes nothing if the file differs.
    """

    file: str
    path: Path
    root: Path
    sha256: str
    encoding: str
    bom: int
    edits: tuple[Edit, ...]


@dataclass(frozen=True, slots=True)
class FixPlan:
    """Edits per file (by display path), files left alone, and single citations refused, with reasons."""

    files: tuple[FilePlan, ...]
    skipped: tuple[FixMessage, ...] = ()
    refused: tuple[FixMessage, ...] = ()

    @property
    def edits(self) -> int:
        return sum(len(plan.edits) for plan in self.files)


@dataclass(frozen=True, slots=True)
class FileFix:
    """One file's rewrite: its patch and readable diff, how many edits and citations, whether it was written.

    `patch` (bytes) is what `git apply` takes: the file's own bytes, or a git binary patch for UTF-16;
    `diff` is the same change decoded, for reading (see `linkaudit.fix.diff`).
    """

    file: str
    path: Path
    edits: int
    citations: int
    diff: str
    patch: bytes
    written: bool


@dataclass(frozen=True, slots=True)
class FixOutcome:
    """What `apply_fixes` did (or, without `write`, would do) and what it left alone."""

    files: tuple[FileFix, ...]
    skipped: tuple[FixMessage, ...]
    refused: tuple[FixMessage, ...]
    written: bool

    @property
    def diff(self) -> str:
        return "".join(fix.diff for fix in self.files)

    @property
    def patch(self) -> bytes:
        return b"".join(fix.patch for fix in self.files)

    @property
    def edits(self) -> int:
        return sum(fix.edits for fix in self.files)
