"""Whom TLS trusts: the usual certificate authorities (certifi's, as httpx), plus a CA bundle the user adds
(`--ca-bundle`, else `SSL_CERT_FILE`), or nobody checked at all (`--insecure`).

An added bundle extends the default trust instead of replacing it, so trusting a company's or a test's CA
does not make every public site unverifiable.
"""

from __future__ import annotations

import ssl

from linkaudit.settings import CheckSettings, SettingsError

__all__ = ["check_ca_bundle", "tls_context"]


def check_ca_bundle(path: str, origin: str = "--ca-bundle") -> None:
    """Raise `SettingsError` (naming `origin`, the option or variable) unless `path` holds CA certificates."""
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cafile=path)
    except FileNotFoundError:
        raise SettingsError(f"{origin} {path}: no such file") from None
    except IsADirectoryError:
        raise SettingsError(f"{origin} {path}: is a folder, not a PEM file") from None
    except ssl.SSLError as exc:
        raise SettingsError(f"{origin} {path}: no PEM certificates in it ({exc.reason or exc})") from None
    except OSError as exc:
        raise SettingsError(f"{origin} {path}: cannot read ({exc.strerror or exc})") from None


def tls_context(settings: CheckSettings) -> ssl.SSLContext:
    """The SSL context of a run's connections (and of TLS to an https proxy)."""
    import httpx  # noqa: PLC0415 - its import is the checker's, not the CLI's start-up

    if not settings.verify_tls:
        return httpx.create_ssl_context(verify=False, trust_env=False)
    context = httpx.create_ssl_context(verify=True, trust_env=False)
    if settings.ca_bundle:
        check_ca_bundle(settings.ca_bundle)
        context.load_verify_locations(cafile=settings.ca_bundle)
    return context
