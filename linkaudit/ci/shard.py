"""`--shard I/N`: which citations one of N machines checks, so that a CI matrix splits one run.

Every URL of a host goes to the same shard: the host is hashed with a stable hash (BLAKE2b of its
name, not Python's `hash`, which is salted per process), so each machine agrees without talking to the
others and per-host politeness (`--host-concurrency`, `--host-interval`, a dead host given up on) holds as
in a single run. A target with no host (a local file, a skipped or invalid URL) is hashed by its URL,
which spreads them too.

Every shard extracts every file and keeps only its own citations: extraction is cheap next to checking
(benchmarks/shard_bench.py), warm from the store's cache in CI, and only the whole set of files can tell
template links (cited from a share of all files) the way a single run does. Each shard's report thus
counts every file, and its own links: `linkaudit.ci.merge` adds the links up.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from linkaudit.models import Occurrence, Target

__all__ = ["Shard", "parse_shard", "shard_index"]


@dataclass(frozen=True, slots=True)
class Shard:
    """Shard `index` of `count` (1-based, as CI matrices and the option count)."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def keeps(self, occurrence: Occurrence) -> bool:
        """Whether this shard checks the citation's target."""
        return shard_index(occurrence.target, self.count) == self.index


def parse_shard(text: str) -> Shard:
    """`I/N` with 1 <= I <= N. Raises ValueError saying what is expected."""
    index, sep, count = text.strip().partition("/")
    try:
        shard = Shard(int(index), int(count))
    except ValueError:
        raise ValueError(f"{text!r}: expected I/N, e.g. 2/3 (the second of three shards)") from None
    if not sep or shard.count < 1 or not 1 <= shard.index <= shard.count:
        raise ValueError(f"{text!r}: expected I/N with 1 <= I <= N, e.g. 2/3")
    return shard


def shard_index(target: Target, count: int) -> int:
    """The shard (1..count) that checks `target`: by its host when it has one, else by its URL."""
    key = target.host or target.url
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % count + 1
