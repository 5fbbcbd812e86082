"""Whom TLS trusts: the usual certificate authorities (certifi's, as httpx), plus a CA bundle the user adds
(`--ca-bundle`, else `SSL_CERT_FILE`), or nobody checked at all (`--insecure`).

An added bundle extends the default trust instead of replacing it, so trusting a company's or a test's CA
does not make every public site unverifiable. Loading a bundle costs tens of milliseconds, so each is
loaded once per process: the CLI's early check of a bundle and every client of the run share its context.
"""

from __future__ import annotations

import functools
import ssl

from linkaudit.settings import CheckSettings, SettingsError

__all__ = ["check_ca_bundle", "tls_context"]


class _BadBundle(Exception):
    """What is wrong with a CA bundle, in a few words."""


def check_ca_bundle(path: str, origin: str = "--ca-bundle") -> None:
    """Raise `SettingsError` (naming `origin`, the option or variable) unless `path` holds CA certificates."""
    try:
        _verifying(path)
    except _BadBundle as exc:
        raise SettingsError(f"{origin} {path}: {exc}") from None


def tls_context(settings: CheckSettings) -> ssl.SSLContext:
    """The SSL context of a run's connections (and of TLS to an https proxy)."""
    if not settings.verify_tls:
        import httpx  # noqa: PLC0415 - its import is the checker's, not the CLI's start-up

        return httpx.create_ssl_context(verify=False, trust_env=False)
    try:
        return _verifying(settings.ca_bundle or None)
    except _BadBundle as exc:
        raise SettingsError(f"CA bundle {settings.ca_bundle}: {exc}") from None


@functools.cache
def _verifying(bundle: str | None) -> ssl.SSLContext:
    """A verifying context trusting certifi's CAs and those of `bundle`."""
    import httpx  # noqa: PLC0415

    context = httpx.create_ssl_context(verify=True, trust_env=False)
    if bundle is None:
        return context
    try:
        context.load_verify_locations(cafile=bundle)
    except FileNotFoundError:
        raise _BadBundle("no such file") from None
    except IsADirectoryError:
        raise _BadBundle("is a folder, not a PEM file") from None
    except ssl.SSLError as exc:
        raise _BadBundle(f"no PEM certificates in it ({exc.reason or exc})") from None
    except OSError as exc:
        raise _BadBundle(f"cannot read ({exc.strerror or exc})") from None
    return context
