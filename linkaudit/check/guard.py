"""The private-network guard: which addresses a check may connect to.

Articles (and the servers they cite) choose where linkaudit connects. Given untrusted articles — a pull
request in CI, a URL list from elsewhere — that makes linkaudit a way into the network it runs in: the
cloud metadata service at 169.254.169.254, an admin page on localhost, an intranet host. The guard judges
the address a connection is about to be made to (after every name lookup, `--resolve` override, redirect
hop and IP literal), so no source of addresses is trusted, and a name whose answer changes between checks
is judged on the answer actually used.

Addresses are judged by what they reach: an IPv4-mapped IPv6 address (`::ffff:127.0.0.1`) and the IPv4
address inside a NAT64 (`64:ff9b::/96`) or 6to4 (`2002::/16`) address are judged as that IPv4 address. The
ranges are spelled out here rather than taken from `ipaddress.is_global`, whose answers differ between
Python versions (3.11 calls `::7f00:1`, `fec0::1` and `ff02::1` global).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import TypeAlias

__all__ = ["AddressGuard", "IPAddress", "IPNetwork", "non_public_range"]

IPAddress: TypeAlias = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork: TypeAlias = ipaddress.IPv4Network | ipaddress.IPv6Network


def _table(*rows: tuple[str, str]) -> tuple[tuple[IPNetwork, str], ...]:
    return tuple((ipaddress.ip_network(net), label) for net, label in rows)


# First match wins: a narrower range comes before the range that holds it.
_V4_RANGES = _table(
    ("0.0.0.0/8", "unspecified"),  # connecting to 0.0.0.0 reaches this very machine on Linux
    ("10.0.0.0/8", "private"),
    ("100.64.0.0/10", "shared (carrier-grade NAT)"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local (cloud metadata)"),
    ("172.16.0.0/12", "private"),
    ("192.0.0.0/24", "IETF protocol assignment"),
    ("192.0.2.0/24", "documentation"),
    ("192.88.99.0/24", "6to4 relay"),
    ("192.168.0.0/16", "private"),
    ("198.18.0.0/15", "benchmarking"),
    ("198.51.100.0/24", "documentation"),
    ("203.0.113.0/24", "documentation"),
    ("224.0.0.0/4", "multicast"),
    ("255.255.255.255/32", "broadcast"),
    ("240.0.0.0/4", "reserved"),
)
_V6_RANGES = _table(
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("64:ff9b:1::/48", "NAT64 local-use"),
    ("::/8", "reserved"),  # IPv4-compatible (::a.b.c.d) and IPv4-translated addresses among them
    ("100::/64", "discard-only"),
    ("2001::/23", "IETF protocol assignment"),  # Teredo, ORCHID and benchmarking among them
    ("2001:db8::/32", "documentation"),
    ("3fff::/20", "documentation"),
    ("5f00::/16", "segment routing"),
    ("fc00::/7", "unique local (private)"),
    ("fe80::/10", "link-local"),
    ("fec0::/10", "site-local"),
    ("ff00::/8", "multicast"),
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def _embedded_ipv4(address: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, str] | None:
    """The IPv4 address an IPv6 address leads to, and how it is embedded."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped, "IPv4-mapped"
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF), "NAT64"
    if address.sixtofour is not None:
        return address.sixtofour, "6to4"
    return None


def non_public_range(address: IPAddress) -> str | None:
    """The kind of non-public range `address` lies in (`loopback`, `private`, …), or None when public."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            inner, how = embedded
            label = non_public_range(inner)
            return f"{label}, {how}" if label is not None else None
        address = ipaddress.IPv6Address(int(address))  # without a scope (fe80::1%eth0)
        ranges = _V6_RANGES
    else:
        ranges = _V4_RANGES
    for network, label in ranges:
        if address in network:
            return label
    if address.is_multicast or not address.is_global:
        return "not public"  # whatever the running Python knows of beyond the tables
    return None


def _parse(address: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class AddressGuard:
    """Refuses connections to non-public addresses unless `deny_private` is off or `allowed` holds them.

    `allowed` networks are exempt (a newsroom intranet, a preview server on loopback); an IPv6 address
    that embeds an IPv4 address is exempt when either is in them.
    """

    deny_private: bool = True
    allowed: tuple[IPNetwork, ...] = ()

    def refusal(self, address: str) -> str | None:
        """Why connecting to `address` is refused (the kind of range), or None when it may go ahead."""
        if not self.deny_private:
            return None
        parsed = _parse(address)
        if parsed is None:
            return "not an IP address"  # nothing to judge: refuse rather than guess
        if self._allowed(parsed):
            return None
        return non_public_range(parsed)

    def _allowed(self, address: IPAddress) -> bool:
        candidates: list[IPAddress] = [address]
        if isinstance(address, ipaddress.IPv6Address):
            candidates = [ipaddress.IPv6Address(int(address))]  # without a scope (fe80::1%eth0)
            embedded = _embedded_ipv4(address)
            if embedded is not None:
                candidates.append(embedded[0])
        return any(
            candidate.version == network.version and candidate in network
            for candidate in candidates
            for network in self.allowed
        )
