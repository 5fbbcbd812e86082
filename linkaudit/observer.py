"""How the core reports progress without printing: the CLI installs an Observer, tests a recorder."""

from __future__ import annotations

from typing import Protocol

from linkaudit.models import UrlResult

__all__ = ["NullObserver", "Observer"]


class Observer(Protocol):
    """Receives progress events from a run. Every method must be cheap and must not raise."""

    def extracted(self, files: int, links: int, urls: int) -> None:
        """Extraction finished: `urls` distinct targets will be judged."""

    def url_done(self, result: UrlResult) -> None:
        """One distinct URL has its verdict."""

    def host_backoff(self, host: str, seconds: float) -> None:
        """A host asked us to slow down (429/503, Retry-After); it waits `seconds`."""

    def host_dead(self, host: str, reason: str) -> None:
        """A host failed at the connection level repeatedly; its remaining URLs are not requested."""

    def note(self, message: str) -> None:
        """A detail worth showing with --verbose."""

    def warning(self, message: str) -> None:
        """One line the user must see whatever the options: the run's results are in doubt (no network?)."""


class NullObserver:
    """Observes nothing."""

    def extracted(self, files: int, links: int, urls: int) -> None:
        pass

    def url_done(self, result: UrlResult) -> None:
        pass

    def host_backoff(self, host: str, seconds: float) -> None:
        pass

    def host_dead(self, host: str, reason: str) -> None:
        pass

    def note(self, message: str) -> None:
        pass

    def warning(self, message: str) -> None:
        pass
