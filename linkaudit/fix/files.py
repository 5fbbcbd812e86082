"""Reading and replacing articles only inside the folders a fix may touch.

A path is resolved (symlinks followed) and must land inside one of the roots. It is then opened again
from the root down, one folder at a time, without following any symlink (`O_NOFOLLOW` relative to the
folder's descriptor): a symlink swapped in after the check cannot lead a write outside. A rewrite goes
to a temporary file in the same folder, which gets the original's mode and is renamed over it
(`os.replace`), so a reader sees the old file or the new one, never half of one. As with any atomic
rewrite, a file is a new inode afterwards: other hard links to it keep the old text, and extended
attributes are not copied (mode and, where permitted, owner are). POSIX only, as the rest of
linkaudit's file handling.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["FileAccessError", "Located", "locate", "read_located", "replace_located"]

_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class FileAccessError(Exception):
    """A file the fix may not or cannot touch; the message is one line meant for the user."""


@dataclass(frozen=True, slots=True)
class Located:
    """A file's real path as a root (itself resolved) and the names below it."""

    root: Path
    parts: tuple[str, ...]

    @property
    def path(self) -> Path:
        return self.root.joinpath(*self.parts)


def locate(path: Path, roots: Sequence[Path]) -> Located:
    """Where `path` really is, if that is inside one of `roots`; else `FileAccessError`."""
    real = Path(os.path.realpath(path))
    for root in roots:
        real_root = Path(os.path.realpath(root))
        if real != real_root and real.is_relative_to(real_root):
            return Located(real_root, real.relative_to(real_root).parts)
    if real != Path(os.path.abspath(path)):
        raise FileAccessError(f"resolves to {real}, outside the folders being fixed: left alone")
    raise FileAccessError("outside the folders being fixed: left alone")


@contextlib.contextmanager
def _folder(located: Located) -> Iterator[int]:
    """A descriptor of the file's folder, reached from the root without following a symlink."""
    try:
        fd = os.open(located.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        raise FileAccessError(f"cannot open the folder {located.root} ({exc.strerror})") from None
    try:
        for part in located.parts[:-1]:
            try:
                inner = os.open(part, _DIRECTORY, dir_fd=fd)
            except OSError as exc:
                raise FileAccessError(
                    f"its folder {part!r} changed (now a symlink or gone: {exc.strerror}): left alone"
                ) from None
            os.close(fd)
            fd = inner
        yield fd
    finally:
        os.close(fd)


def read_located(located: Located, max_size: int) -> tuple[bytes, os.stat_result]:
    """The file's bytes and its status, read without following a symlink."""
    name = located.parts[-1]
    with _folder(located) as folder:
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=folder)
        except OSError as exc:
            raise FileAccessError(f"cannot read ({exc.strerror}): left alone") from None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise FileAccessError("not a regular file: left alone")
            if info.st_size > max_size:
                raise FileAccessError(f"larger than {max_size} bytes: left alone")
            parts: list[bytes] = []
            while chunk := os.read(fd, max(info.st_size, 1 << 16)):
                parts.append(chunk)
        except OSError as exc:
            raise FileAccessError(f"cannot read ({exc.strerror}): left alone") from None
        finally:
            os.close(fd)
    return b"".join(parts), info


def _same_file(before: os.stat_result, now: os.stat_result) -> bool:
    return (before.st_dev, before.st_ino, before.st_size, before.st_mtime_ns) == (
        now.st_dev,
        now.st_ino,
        now.st_size,
        now.st_mtime_ns,
    )


def replace_located(located: Located, data: bytes, before: os.stat_result) -> None:
    """Replace the file with `data` atomically, keeping its mode, if it is still what `before` describes.

    Raises `FileAccessError` (nothing written) when the file changed since it was read, is read-only,
    or cannot be replaced.
    """
    name = located.parts[-1]
    with _folder(located) as folder:
        try:
            now = os.stat(name, dir_fd=folder, follow_symlinks=False)
        except OSError as exc:
            raise FileAccessError(f"cannot read ({exc.strerror}): left alone") from None
        if not _same_file(before, now):
            raise FileAccessError("changed while being fixed: left alone")
        # No write bit at all says "do not change me" even to root, whom os.access always lets write.
        if not now.st_mode & 0o222 or not os.access(name, os.W_OK, dir_fd=folder, follow_symlinks=False):
            raise FileAccessError("read-only: left alone")
        temporary = f".{name[:64]}.linkaudit-{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(
                temporary,
                os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                0o600,
                dir_fd=folder,
            )
        except OSError as exc:
            raise FileAccessError(f"cannot write in its folder ({exc.strerror}): left alone") from None
        try:
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                os.fchmod(fd, stat.S_IMODE(before.st_mode))
                if (before.st_uid, before.st_gid) != (os.getuid(), os.getgid()):
                    with contextlib.suppress(PermissionError):  # only root may give a file away
                        os.fchown(fd, before.st_uid, before.st_gid)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                os.unlink(temporary, dir_fd=folder)
            if isinstance(exc, OSError):
                raise FileAccessError(f"cannot write ({exc.strerror}): left alone") from None
            raise
        with contextlib.suppress(OSError):  # the rename itself made durable, where the file system can
            os.fsync(folder)
