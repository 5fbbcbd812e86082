"""TLS is verified, and a certificate problem is named as such (a real TLS server on loopback)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from pathlib import Path

import pytest
from tlsserver import self_signed, serve_tls

from linkaudit.check import CheckItem, check_targets
from linkaudit.check.resolve import Resolver
from linkaudit.models import LinkKind, Occurrence, UrlResult, Verdict
from linkaudit.settings import CheckSettings
from linkaudit.urls import normalize


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[str]:
    cert, key = self_signed(tmp_path)
    with serve_tls(cert, key) as address:
        yield address


async def test_untrusted_certificate_is_named(tls_server: str) -> None:
    url = "https://tls.example/page"
    target = normalize(url)
    occ = Occurrence(
        file="a.md", line=1, column=1, start=0, end=1, kind=LinkKind.LINK, raw=url, target=target
    )
    results: list[UrlResult] = []
    resolver = Resolver({"tls.example": tls_server, "*": None}, system=False)
    settings = CheckSettings(
        retry_base=0.01, timeout=5, allow_private_nets=(ipaddress.ip_network("127.0.0.0/8"),)
    )
    await check_targets([CheckItem(target, (occ,))], settings, on_result=results.append, resolver=resolver)
    (result,) = results
    assert (result.judgement.verdict, result.judgement.reason) == (Verdict.UNREACHABLE, "tls-error")
    assert result.evidence is not None
    assert result.evidence.detail is not None
    assert "certificate" in result.evidence.detail
    assert len(result.evidence.attempts) == 1  # a bad certificate is not retried
