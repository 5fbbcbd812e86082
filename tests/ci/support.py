"""What the CI tests share: the demo's articles and web, and reports compared without their clocks."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from clirun import resolve_args

from linkaudit.demo import build_demo_web, demo_articles
from linkaudit.demo.simweb import SimWeb

__all__ = ["FAST", "build_demo_web", "copy_demo_articles", "network_args", "without_clocks"]

#: Retries quick enough for a test; the demo web's flaky hosts still recover within them.
FAST = ["--max-retry-wait", "2", "--timeout", "5", "--quiet"]

# What differs between two runs of the same checks: when, and how long things took.
_CLOCKS = frozenset({"generated_at", "elapsed_s", "checked_at", "elapsed_ms", "first_failed_at"})


def copy_demo_articles(folder: Path) -> Path:
    articles = folder / "articles"
    shutil.copytree(demo_articles(), articles)
    return articles


def network_args(web: SimWeb) -> list[str]:
    return [*resolve_args(web), *FAST]


def without_clocks(value: Any) -> Any:
    """A parsed report with every time and duration removed, for comparing two runs."""
    if isinstance(value, dict):
        return {key: without_clocks(item) for key, item in value.items() if key not in _CLOCKS}
    if isinstance(value, list):
        return [without_clocks(item) for item in value]
    return value
