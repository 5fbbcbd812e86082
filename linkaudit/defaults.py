"""Defaults that `--help` shows and the stages use, in a module that imports nothing else.

The CLI builds its options from these without importing the stages, so `linkaudit --version` and
`--help` start without the extractor or the checker.
"""

from __future__ import annotations

from linkaudit import __version__

__all__ = ["DEFAULT_EXTENSIONS", "DEFAULT_MAX_FILE_SIZE", "DEFAULT_USER_AGENT", "PROJECT_URL"]

PROJECT_URL = "https://github.com/linkaudit/linkaudit"
DEFAULT_USER_AGENT = f"linkaudit/{__version__} (+{PROJECT_URL})"

#: File extensions `extract` and `check` look for in folders.
DEFAULT_EXTENSIONS = ("md", "markdown", "mdx", "html", "htm", "txt")
#: Files (and fetched pages) larger than this are skipped and reported.
DEFAULT_MAX_FILE_SIZE = 32 * 1024 * 1024
