"""The history store: one SQLite file that remembers every check and every extracted file between runs.

What it gives a run: results young enough (`--max-age`) are reused instead of probed; failures are
confirmed over time (`--confirm N/DAYS`) before they fail the run; unchanged files are not parsed again;
`linkaudit history URL` shows a URL's checks over time. Safe under concurrent runs and SIGKILL (`db`).

Where things are: opening, locking and migrating in `db` (tables in `schema`); checks in `checks`
(evidence as compact JSON in `evidence`); the run's policy (`--max-age`, `--confirm`, `--now`) and the
confirmation rule in `policy`; what a check run does with all that in `run`; the extraction cache's
entries in `files`. Each name below is imported when first used: `extract` needs the store without the
check run's machinery, and starts faster for it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from linkaudit.store.checks import CheckLog, StoredCheck
    from linkaudit.store.db import DEFAULT_STORE, DEFAULT_WAIT, Store, StoreError
    from linkaudit.store.policy import HistoryPolicy, parse_confirm, parse_duration, parse_now
    from linkaudit.store.run import RunHistory

__all__ = [
    "DEFAULT_STORE",
    "DEFAULT_WAIT",
    "CheckLog",
    "HistoryPolicy",
    "RunHistory",
    "Store",
    "StoreError",
    "StoredCheck",
    "parse_confirm",
    "parse_duration",
    "parse_now",
]

_HOME = {
    "CheckLog": "checks",
    "StoredCheck": "checks",
    "DEFAULT_STORE": "db",
    "DEFAULT_WAIT": "db",
    "Store": "db",
    "StoreError": "db",
    "HistoryPolicy": "policy",
    "parse_confirm": "policy",
    "parse_duration": "policy",
    "parse_now": "policy",
    "RunHistory": "run",
}


def __getattr__(name: str) -> object:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
