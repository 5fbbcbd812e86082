"""`find_archived`: look up many URLs in the archive at once, politely (the stage's `ArchiveStage` does the
same inside a check run, with the store and drift)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import date

import trio

from linkaudit.archive.cdx import ArchiveSettings, CdxClient
from linkaudit.check import build_client
from linkaudit.check.resolve import Resolver
from linkaudit.models import ArchiveLookup
from linkaudit.observer import NullObserver, Observer
from linkaudit.settings import CheckSettings

__all__ = ["find_archived"]


async def find_archived(
    wanted: Mapping[str, date],
    settings: ArchiveSettings | None = None,
    *,
    check: CheckSettings | None = None,
    resolver: Resolver | None = None,
    observer: Observer | None = None,
    on_result: Callable[[ArchiveLookup], None] | None = None,
) -> dict[str, ArchiveLookup]:
    """Look up every URL of `wanted` (URL -> citation date) in the archive; one `ArchiveLookup` each.

    `check` gives the run's client settings (TLS, user agent, per-host options, `--resolve`), `resolver`
    the run's name resolution (the same seam as the checker's: nothing is resolved that it does not
    allow). As many lookups run at once as the archive's policy lets requests be in flight. Never raises
    for the archive's failures; once it is given up on, the remaining lookups return at once.
    """
    check = check or CheckSettings()
    settings = settings or ArchiveSettings.from_check(check)
    resolver = resolver or Resolver(check.resolve)
    observer = observer or NullObserver()
    found: dict[str, ArchiveLookup] = {}
    queue = iter(list(wanted.items()))

    # The archive is the user's setting (--archive-url), as a proxy is: a mirror on the intranet or on
    # loopback is theirs to choose, so the private-network guard (for what articles cite) stays out.
    async with build_client(dataclasses.replace(check, deny_private=False), resolver) as http:
        client = CdxClient(http, settings, observer=observer)

        async def worker() -> None:
            for url, cited_at in queue:  # shared: each URL goes to whichever worker is free
                lookup = await client.lookup(url, cited_at)
                found[url] = lookup
                if on_result is not None:
                    on_result(lookup)

        async with trio.open_nursery() as nursery:
            for _ in range(max(1, min(settings.policy.concurrency, len(wanted)))):
                nursery.start_soon(worker)
    return {url: found[url] for url in wanted}
